"""L-BFGS for smooth penalties, stopped by the duality gap."""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._certificate import duality_gap, refit_intercept

_CHECK_EVERY = 5  # iterations between duality-gap evaluations


def lbfgs(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise ``datafit + penalty`` with scipy's L-BFGS-B.

    Costs O(n p T) per iteration for the shared design and O(n p) for the
    task-indexed layout, without forming any Hessian: the choice for many
    features. Every few iterations the intercepts are made exact and the
    duality gap is checked against ``tol`` times the objective.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    T, p = W.shape
    W = penalty.project(W)

    def unpack(x):
        b_x = x[T * p :] if fit_intercept else b
        return x[: T * p].reshape(T, p), b_x

    def value_and_gradient(x):
        W_x, b_x = unpack(x)
        Z = data.linear(W_x, b_x)
        GW, gb = data.adjoint(datafit.gradient(data, Z))
        GW = penalty.project(GW + penalty.gradient(W_x))
        value = datafit.value(data, Z) + penalty.value(W_x)
        return value, np.concatenate([GW.ravel(), gb if fit_intercept else []])

    state = {"n_iter": 0, "certified": None}

    def certify(x):
        W_x, b_x = unpack(x)
        if fit_intercept:
            b_x = refit_intercept(data, datafit, W_x, b_x)
        primal, gap = duality_gap(data, datafit, penalty, W_x, b_x)
        return W_x, b_x, gap, primal

    def callback(intermediate_result):
        state["n_iter"] += 1
        if state["n_iter"] % _CHECK_EVERY == 0:
            result = certify(intermediate_result.x)
            if result[2] <= tol * result[3]:
                state["certified"] = result
                raise StopIteration

    x0 = np.concatenate([W.ravel(), b if fit_intercept else []])
    result = minimize(
        value_and_gradient,
        x0,
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        options={
            "maxiter": max_iter,
            "maxfun": 10 * max_iter,
            "ftol": 0.0,
            "gtol": 0.0,
        },
    )
    W, b, gap, primal = state["certified"] or certify(result.x)
    if gap > tol * primal:
        warnings.warn(
            f"L-BFGS solver stopped after {state['n_iter']} iterations "
            f"({result.message}) with a duality gap of {gap:.3e} "
            f"({gap / primal:.3e} of the objective; tol={tol:.1e}). "
            "Increase max_iter or use solver='newton'.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return W, b, state["n_iter"], gap, primal
