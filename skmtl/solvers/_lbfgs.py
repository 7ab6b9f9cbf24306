"""L-BFGS for smooth penalties, preconditioned, stopped by the duality gap."""

import numpy as np
from scipy.optimize import minimize

from ..penalties._base import provides
from ._certificate import duality_gap, refit_unpenalized, warn_if_not_certified

_CHECK_EVERY = 5  # iterations between duality-gap evaluations


def lbfgs(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise ``datafit + penalty`` with scipy's L-BFGS-B.

    Costs O(n p T) per iteration for the shared design and O(n p) for the
    task-indexed layout, without forming any Hessian: the choice for many
    features. Every few iterations the intercepts are made exact and the
    duality gap is checked against ``tol`` times the objective.

    The iterates live in preconditioned coordinates, an exact linear change
    of variables: ``W = K(V)`` (see :class:`_DiagonalScaling` and
    :class:`_MeanSpreadScaling`) and intercepts measured at the task's feature
    means, ``b = c - sum_j means[t, j] W[t, j]``, which removes the
    intercept/feature coupling of uncentred features.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    T, p = W.shape
    W = penalty.project(W)
    curvature, means = _data_curvature(data, datafit, W, b, fit_intercept)
    if provides(penalty, "mean_spread"):
        coordinates = _MeanSpreadScaling(penalty, curvature)
    else:
        coordinates = _DiagonalScaling(penalty, curvature)

    def to_model(x):
        W_x = coordinates.to_weights(x[: T * p].reshape(T, p))
        b_x = x[T * p :] - np.sum(means * W_x, axis=1) if fit_intercept else b
        return W_x, b_x

    def value_and_gradient(x):
        V = x[: T * p].reshape(T, p)
        W_x, b_x = to_model(x)
        Z = data.linear(W_x, b_x)
        GW, gb = data.adjoint(datafit.gradient(data, Z))
        penalty_value, penalty_gradient = coordinates.penalty(V, W_x)
        value = datafit.value(data, Z) + penalty_value
        gradient = coordinates.adjoint(GW - means * gb[:, None]) + penalty_gradient
        gradient = gradient.ravel()
        return value, np.concatenate([gradient, gb]) if fit_intercept else gradient

    def certify(x):
        W_x, b_x = refit_unpenalized(
            data, datafit, penalty, *to_model(x), fit_intercept
        )
        primal, gap = duality_gap(data, datafit, penalty, W_x, b_x)
        return (W_x, b_x), gap, primal

    x0 = coordinates.from_weights(W).ravel()
    if fit_intercept:
        x0 = np.concatenate([x0, b + np.sum(means * W, axis=1)])
    ((W, b), gap, primal), n_iter = _certified_minimize(
        value_and_gradient,
        x0,
        certify,
        tol,
        max_iter,
        advice="Increase max_iter (or pick another of the solvers that apply).",
    )
    return W, b, n_iter, gap, primal


def _data_curvature(data, datafit, W, b, fit_intercept):
    """Diagonal of the datafit's Hessian in ``W`` at the start, and feature means.

    Of the centred features when intercepts are fitted. Returns ``(h (T, p),
    means (T, p))``, the means zero without intercepts.
    """
    curvature = datafit.hessian(data, data.linear(W, b))
    totals, means, variances = data.weighted_moments(curvature)
    if not fit_intercept:
        variances, means = variances + means**2, np.zeros_like(means)
    return totals[:, None] * variances, means


def _inverse_sqrt(h):
    return 1.0 / np.sqrt(np.maximum(h, np.finfo(float).eps * (1 + h.max(initial=0))))


class _DiagonalScaling:
    """``W = scale * V``, ``scale = 1 / sqrt(h)`` for any smooth penalty.

    ``h`` is the data curvature plus the penalty's curvature along a
    coordinate direction of its domain. When the penalty ties the rows of
    ``W`` together (a subspace domain), all rows share the averaged scale so
    iterates stay in it, and gradients are projected onto it.
    """

    def __init__(self, penalty, curvature):
        self._penalty = penalty
        direction = np.zeros_like(curvature)
        direction[0, 0] = 1.0
        direction = penalty.project(direction)
        h = curvature + 2 * penalty.value(direction) / np.sum(direction**2)
        if direction[1:].any():  # the domain couples the rows
            h = np.broadcast_to(h.mean(axis=0), h.shape)
        self.scale = _inverse_sqrt(h)

    def to_weights(self, V):
        return self.scale * V

    def from_weights(self, W):
        return W / self.scale

    def adjoint(self, G):
        return self.scale * self._penalty.project(G)

    def penalty(self, V, W):
        return self._penalty.value(W), self.adjoint(self._penalty.gradient(W))


class _MeanSpreadScaling:
    r"""Separate scales for the mean of the task weights and their spread.

    For a penalty that is :math:`\mu/2` times ``T ||w_bar||^2`` plus
    :math:`\lambda/2` times the squared spread ``||W - 1 w_bar'||^2``
    (``penalty.curvatures``), ``W = 1 (s_mean * v_bar)' + s_spread * (V - 1
    v_bar')`` with per-feature scales ``1/sqrt(h + mu)`` and
    ``1/sqrt(h + lambda)``. The penalty is evaluated from ``V`` itself, so
    a huge :math:`\lambda` (a huge coupling) costs neither conditioning nor
    digits: the spread of ``W`` shrinks like ``1/sqrt(lambda)`` while ``V``
    stays of order one, and an infinite :math:`\lambda` leaves ``W`` in the
    pooled subspace exactly.
    """

    def __init__(self, penalty, curvature):
        self._penalty = penalty
        mu, lam = penalty.curvatures
        h = curvature.mean(axis=0)
        self.mean_scale = _inverse_sqrt(h + mu)
        self.spread_scale = 1.0 / np.sqrt(h + lam)  # 0 when lam is infinite
        # lam * spread_scale**2, without inf * 0 when lam is infinite.
        self.spread_weight = 1.0 / (1.0 + h / lam)
        self.mean_weight = mu * self.mean_scale**2

    def to_weights(self, V):
        mean = V.mean(axis=0)
        return self.mean_scale * mean + self.spread_scale * (V - mean)

    def from_weights(self, W):
        mean = W.mean(axis=0)
        spread = np.zeros_like(W)
        np.divide(W - mean, self.spread_scale, out=spread, where=self.spread_scale > 0)
        return mean / self.mean_scale + spread

    def adjoint(self, G):
        return self.to_weights(G)  # the map is self-adjoint

    def penalty(self, V, W):
        """The penalty and its gradient in ``V``, from ``V`` alone (no cancellation)."""
        mean = V.mean(axis=0)
        spread = V - mean
        value = 0.5 * (
            V.shape[0] * np.sum(self.mean_weight * mean**2)
            + np.sum(self.spread_weight * spread**2)
        )
        return value, self.mean_weight * mean + self.spread_weight * spread


def run_lbfgs(smooth, penalty, W, c, tol, max_iter):
    """L-BFGS on a smooth-part object (see :mod:`._smooth`) and a smooth penalty.

    The counterpart of :func:`~skmtl.solvers._fista.run_fista` for penalties
    with a gradient: the iterate is ``W`` and the solver's intercept
    variable ``c`` (``None`` where the smooth part eliminates intercepts);
    every few iterations ``smooth.certify`` gives the duality gap and the run
    stops at ``gap <= tol * primal``.

    Returns
    -------
    certificate : Certificate
    n_iter : int
    """
    shape = W.shape

    def split(x):
        return x[: W.size].reshape(shape), (None if c is None else x[W.size :])

    def value_and_gradient(x):
        W_x, c_x = split(x)
        state = smooth.state(W_x, c_x)
        GW, gc = smooth.gradient(state)
        value = state.value + penalty.value(W_x)
        gradient = (GW + penalty.gradient(W_x)).ravel()
        return value, gradient if c is None else np.concatenate([gradient, gc])

    def certify(x):
        certified = smooth.certify(penalty, *split(x))
        return certified, certified.gap, certified.primal

    x0 = W.ravel() if c is None else np.concatenate([W.ravel(), c])
    (certified, _, _), n_iter = _certified_minimize(
        value_and_gradient, x0, certify, tol, max_iter, advice="Increase max_iter."
    )
    return certified, n_iter


def _certified_minimize(value_and_gradient, x0, certify, tol, max_iter, advice):
    """scipy's L-BFGS-B, stopped by our duality gap, not by scipy's criteria.

    Every ``_CHECK_EVERY`` iterations ``certify(x)`` returns ``(result, gap,
    primal)``; the run stops at ``gap <= tol * primal`` and warns with the gap
    it reached otherwise. Returns the last certification and the iterations.
    """
    state = {"n_iter": 0, "certified": None}

    def callback(intermediate_result):
        state["n_iter"] += 1
        if state["n_iter"] % _CHECK_EVERY == 0:
            certified = certify(intermediate_result.x)
            if certified[1] <= tol * certified[2]:
                state["certified"] = certified
                raise StopIteration

    result = minimize(
        value_and_gradient,
        x0,
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        options={"maxiter": max_iter, "maxfun": 10 * max_iter, "ftol": 0, "gtol": 0},
    )
    certified = state["certified"] or certify(result.x)
    warn_if_not_certified(
        "L-BFGS",
        f"after {state['n_iter']} iterations ({result.message})",
        certified[1],
        certified[2],
        tol,
        stacklevel=5,
        advice=advice,
    )
    return certified, state["n_iter"]
