"""Newton's method with the penalty's structured Hessian solve.

For the squared loss the objective is quadratic and the first Newton step is
the exact minimiser: this is the closed-form solver.
"""

import numpy as np

from ._certificate import (
    duality_gap,
    objective,
    refit_intercept,
    warn_if_not_certified,
)


def newton(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise ``datafit + penalty`` by damped Newton steps.

    Each step eliminates the intercepts per task (a Schur complement, computed
    by centring the curvature-weighted features) and hands the per-task
    blocks to ``penalty.solve_newton_system``, so the cost per step is one
    pass over the data to form T p x p blocks plus the penalty's solve.
    Stops when the duality gap is at most ``tol`` times the objective.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    W = penalty.project(W)
    # A quadratic objective is minimised by one full Newton step from anywhere:
    # no line search, no separate intercept refit, no check before the step.
    quadratic = datafit.quadratic
    primal, gap = 1.0, np.inf  # forces the first step
    if not quadratic:
        if fit_intercept:
            b = refit_intercept(data, datafit, W, b)
        primal, gap = duality_gap(data, datafit, penalty, W, b)
    n_iter = 0
    while gap > tol * primal and n_iter < max_iter:
        n_iter += 1
        Z = data.linear(W, b)
        G = datafit.gradient(data, Z)
        GW, gb = data.adjoint(G)
        GW = GW + penalty.gradient(W)
        H, means, totals = data.weighted_gram(datafit.hessian(data, Z), fit_intercept)
        if fit_intercept:
            dW = penalty.solve_newton_system(H, means * gb[:, None] - GW)
            db = -gb / np.maximum(totals, np.finfo(float).tiny) - np.sum(means * dW, 1)
        else:
            dW = penalty.solve_newton_system(H, -GW)
            db = np.zeros_like(b)
        if quadratic:
            W, b = W + dW, b + db
        else:
            W, b = _line_search(data, datafit, penalty, W, b, dW, db, GW, gb)
            if fit_intercept:
                b = refit_intercept(data, datafit, W, b)
        primal, gap = duality_gap(data, datafit, penalty, W, b)
    warn_if_not_certified(
        "Newton", f"after max_iter={max_iter} steps", gap, primal, tol, stacklevel=3
    )
    return W, b, n_iter, gap, primal


def _line_search(data, datafit, penalty, W, b, dW, db, GW, gb):
    """Backtracking (Armijo) along the Newton direction."""
    decrement = -(np.sum(GW * dW) + gb @ db)
    f0 = objective(data, datafit, penalty, W, b)
    step = 1.0
    # Below round-off the objective cannot tell steps apart: take the full step.
    if decrement <= 1e-14 * abs(f0):
        return W + dW, b + db
    for _ in range(50):
        W_new, b_new = W + step * dW, b + step * db
        if (
            objective(data, datafit, penalty, W_new, b_new)
            <= f0 - 0.25 * step * decrement
        ):
            break
        step /= 2
    return W_new, b_new
