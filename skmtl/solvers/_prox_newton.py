"""Proximal Newton for smooth losses that are not quadratic (the logistic loss)."""

import numpy as np

from ..penalties._base import provides
from ._certificate import warn_if_not_certified
from ._fista import WORKING_SET_MIN, run_fista, split_quadratic
from ._smooth import DataSmooth, GramSmooth
from ._working_set import run_working_sets


def run_prox_newton(
    data, datafit, penalty, W, b, fit_intercept, tol, max_iter, start=None
):
    """Minimise ``datafit + penalty`` by proximal Newton steps.

    Each step replaces the loss by its second-order model at the current
    point, a weighted least squares with weights ``d = F''(z)`` and working
    targets ``z - F'(z) / d`` (iteratively reweighted least squares), solves
    that model plus the penalty with FISTA on its sufficient statistics
    (intercepts eliminated exactly), and takes the longest step along the
    result that gives an Armijo decrease of the true objective. Newton's
    local convergence makes few steps enough where first-order methods
    crawl: weak regularization, nearly separable classes.

    ``start``, the Certificate of the full problem at ``(W, b)`` when this
    is a working set's restricted problem, stands in for the start's own:
    same point and objective; its gap, which only sets the first step's
    inner accuracy, differs by the features outside the set. Every step
    ends with a certificate of the restricted problem itself.

    Returns
    -------
    certificate : Certificate
    n_iter : int
        Newton steps.
    """
    smooth, prox_penalty = split_quadratic(
        DataSmooth(data, datafit, fit_intercept), penalty
    )
    if start is None:
        certified = smooth.certify(penalty, W, smooth.internal_intercept(W, b))
    else:
        certified = start._replace(W=W, b=b, grad=None)
    n_iter = 0
    while n_iter < max_iter and (n_iter == 0 or certified.gap > tol * certified.primal):
        n_iter += 1
        W, b = certified.W, certified.b
        Z = data.linear(W, b)
        G, D = datafit.gradient(data, Z), datafit.hessian(data, Z)
        observed = D > 0
        targets = Z - np.divide(G, D, out=np.zeros_like(G), where=observed)
        model, _ = split_quadratic(
            GramSmooth(data, fit_intercept, weights=D, targets=targets), penalty
        )
        # The model is solved to a gap that shrinks with the square of the
        # relative gap (a superlinear forcing term, as in inexact Newton
        # methods): a fixed fraction of the gap would cap the outer steps at
        # linear convergence, and warm starts on a path would take three
        # steps where two do. Never below a tenth of tol: no finer is needed.
        gap, primal = certified.gap, certified.primal
        target = max(0.1 * tol * primal, min(0.1 * gap, gap * gap / primal))
        inner, _ = run_fista(model, prox_penalty, W, None, 0.0, 10_000, target)
        GW, gb = data.adjoint(G)
        W, b = armijo(
            certified,
            inner.W,
            inner.b,
            float(np.sum(GW * (inner.W - W)) + gb @ (inner.b - b)),
            lambda W, b: datafit.value(data, data.linear(W, b)),
            penalty.value,
        )
        certified = smooth.certify(penalty, W, smooth.internal_intercept(W, b))
    return certified, n_iter


def armijo(current, W_new, b_new, slope, loss, penalty_value):
    """Backtracking along the proximal Newton direction (Lee, Sun & Saunders 2014).

    ``slope`` is the loss's directional derivative toward ``(W_new, b_new)``
    from ``current`` (a Certificate); ``loss(W, b)`` and ``penalty_value(W)``
    give the objective.
    """
    W, b = current.W, current.b
    dW, db = W_new - W, b_new - b
    # Predicted decrease of the composite objective for the full step.
    decrease = slope + penalty_value(W_new) - penalty_value(W)
    # A decrease the objective cannot resolve: trust the model's minimiser.
    if abs(decrease) <= 1e-12 * abs(current.primal):
        return W_new, b_new
    step = 1.0
    for _ in range(30):
        W_try, b_try = W + step * dW, b + step * db
        value = loss(W_try, b_try) + penalty_value(W_try)
        if value <= current.primal + 1e-4 * step * decrease:
            return W_try, b_try
        step /= 2
    return W, b


def prox_newton(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Proximal Newton, on working sets for penalties that act per feature.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    _, prox_penalty = split_quadratic(None, penalty)
    if provides(prox_penalty, "working_sets") and data.n_features > WORKING_SET_MIN:
        smooth, _ = split_quadratic(DataSmooth(data, datafit, fit_intercept), penalty)

        def certify(W, b):
            return smooth.certify(penalty, W, smooth.internal_intercept(W, b))

        def solve_restricted(columns, W_cols, b, inner_tol, certified, budget):
            inner, n_iter = run_prox_newton(
                data.restrict_features(columns),
                datafit,
                penalty.restrict(columns),
                W_cols,
                b,
                fit_intercept,
                inner_tol,
                budget,
                start=certified,
            )
            return inner.W, inner.b, n_iter

        certified, n_iter = run_working_sets(
            certify, solve_restricted, prox_penalty, W, b, tol, max_iter
        )
    else:
        certified, n_iter = run_prox_newton(
            data, datafit, penalty, W, b, fit_intercept, tol, max_iter
        )
    warn_if_not_converged(certified, tol, max_iter)
    return certified.W, certified.b, n_iter, certified.gap, certified.primal


def warn_if_not_converged(certified, tol, max_iter, stacklevel=4):
    """The ConvergenceWarning of the proximal Newton solvers (for their caller)."""
    warn_if_not_certified(
        "Proximal Newton",
        f"after max_iter={max_iter} Newton steps",
        certified.gap,
        certified.primal,
        tol,
        stacklevel=stacklevel,
    )
