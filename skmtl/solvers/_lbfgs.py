"""L-BFGS for smooth penalties, preconditioned, stopped by the duality gap."""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._certificate import duality_gap, refit_unpenalized

_CHECK_EVERY = 5  # iterations between duality-gap evaluations


def lbfgs(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise ``datafit + penalty`` with scipy's L-BFGS-B.

    Costs O(n p T) per iteration for the shared design and O(n p) for the
    task-indexed layout, without forming any Hessian: the choice for many
    features. Every few iterations the intercepts are made exact and the
    duality gap is checked against ``tol`` times the objective.

    The iterates live in preconditioned coordinates, an exact linear change
    of variables: ``W = scale * V`` (a diagonal estimate of the inverse
    square-root curvature) and intercepts measured at the task's feature
    means, ``b = c - sum_j means[t, j] W[t, j]``, which removes the
    intercept/feature coupling of uncentred features.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    T, p = W.shape
    W = penalty.project(W)
    scale, means = _preconditioner(data, datafit, penalty, W, b, fit_intercept)

    def to_model(x):
        W_x = scale * x[: T * p].reshape(T, p)
        b_x = x[T * p :] - np.sum(means * W_x, axis=1) if fit_intercept else b
        return W_x, b_x

    def value_and_gradient(x):
        W_x, b_x = to_model(x)
        Z = data.linear(W_x, b_x)
        GW, gb = data.adjoint(datafit.gradient(data, Z))
        GW = penalty.project(GW + penalty.gradient(W_x) - means * gb[:, None])
        value = datafit.value(data, Z) + penalty.value(W_x)
        gradient = (scale * GW).ravel()
        return value, np.concatenate([gradient, gb]) if fit_intercept else gradient

    state = {"n_iter": 0, "certified": None}

    def certify(x):
        W_x, b_x = refit_unpenalized(
            data, datafit, penalty, *to_model(x), fit_intercept
        )
        primal, gap = duality_gap(data, datafit, penalty, W_x, b_x)
        return W_x, b_x, gap, primal

    def callback(intermediate_result):
        state["n_iter"] += 1
        if state["n_iter"] % _CHECK_EVERY == 0:
            result = certify(intermediate_result.x)
            if result[2] <= tol * result[3]:
                state["certified"] = result
                raise StopIteration

    x0 = (W / scale).ravel()
    if fit_intercept:
        x0 = np.concatenate([x0, b + np.sum(means * W, axis=1)])
    result = minimize(
        value_and_gradient,
        x0,
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        # Our duality gap decides when to stop, not scipy's criteria.
        options={"maxiter": max_iter, "maxfun": 10 * max_iter, "ftol": 0, "gtol": 0},
    )
    W, b, gap, primal = state["certified"] or certify(result.x)
    if gap > tol * primal:
        warnings.warn(
            f"L-BFGS solver stopped after {state['n_iter']} iterations "
            f"({result.message}) with a duality gap of {gap:.3e} "
            f"({gap / primal:.3e} of the objective; tol={tol:.1e}). "
            "Increase max_iter (or pick another of the solvers that apply).",
            ConvergenceWarning,
            stacklevel=3,
        )
    return W, b, state["n_iter"], gap, primal


def _preconditioner(data, datafit, penalty, W, b, fit_intercept):
    """Diagonal scaling of ``W`` and the per-task feature means.

    The scale is ``1 / sqrt(h)``, with ``h`` the diagonal of the datafit's
    Hessian in ``W`` at the start (of centred features when intercepts are
    fitted) plus the penalty's curvature along a coordinate direction of its
    domain. When the penalty ties the rows of ``W`` together (a subspace
    domain), all rows share the averaged scale so iterates stay in it.
    """
    curvature = datafit.hessian(data, data.linear(W, b))
    totals, means, variances = data.weighted_moments(curvature)
    if not fit_intercept:
        variances, means = variances + means**2, np.zeros_like(means)
    h = totals[:, None] * variances
    direction = np.zeros_like(W)
    direction[0, 0] = 1.0
    direction = penalty.project(direction)
    h = h + 2 * penalty.value(direction) / np.sum(direction**2)
    if direction[1:].any():  # the domain couples the rows
        h = np.broadcast_to(h.mean(axis=0), h.shape)
    scale = 1.0 / np.sqrt(np.maximum(h, np.finfo(float).eps * (1 + h.max())))
    return scale, means
