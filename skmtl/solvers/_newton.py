"""Newton's method with the penalty's structured Hessian solve.

For the squared loss the objective is quadratic and the first Newton step is
the exact minimiser: this is the closed-form solver.
"""

import numpy as np

from ..penalties._base import provides
from ._certificate import (
    duality_gap,
    objective,
    refit_intercept,
    warn_if_not_certified,
    zero_weights_if_optimal,
)
from ._smooth import GramSmooth


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
        H, means, totals = _curvature_blocks(data, datafit, Z, fit_intercept)
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


def closed_form(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """The exact minimiser for the squared loss and a quadratic penalty.

    One point of :func:`closed_form_path`: per-task statistics formed once,
    the penalty's structured solve and a certificate from the statistics,
    without a pass over the data after the statistics (the start ``W, b`` is
    not needed).

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    options = {"fit_intercept": fit_intercept, "tol": tol, "max_iter": max_iter}
    return next(closed_form_path(data, datafit, [penalty], **options))


# A path of this many penalties factorises the blocks once, by one
# eigendecomposition per task (or one for all when they are equal), reused
# by every solve; fewer solve directly. An eigendecomposition costs about
# three of the direct solve's inverses (139 blocks of 27 x 27: 7.2 ms
# against 2.3 ms), after which a solve is a few batched products.
_SPECTRAL_MIN_PENALTIES = 4


def closed_form_path(data, datafit, penalties, *, fit_intercept, tol, max_iter):
    """The closed form for a sequence of quadratic penalties, on statistics.

    For the squared loss the minimiser solves ``(H + hess(penalty)) W = g``
    with the per-task statistics ``H``, ``g`` of :class:`GramSmooth` (the
    intercepts eliminated): they are formed once, and each penalty costs its
    structured solve and a certificate from the statistics, never a pass
    over the data. A point the certificate does not accept (round-off in an
    ill-conditioned solve) is refined by Newton steps on the data.

    Yields
    ------
    SolverResult-like tuples ``(W, b, n_iter, gap, primal)``
    """
    smooth = GramSmooth(data, fit_intercept)
    T, p = data.n_tasks, data.n_features
    H = np.broadcast_to(smooth.H, (T, p, p))
    spectrum = None
    if p > 0 and _factorise_once(penalties):
        spectrum = _block_spectrum(smooth.blocks)
    for penalty in penalties:
        if spectrum is None:
            D = penalty.solve_newton_system(H, smooth.g)
        else:
            D = penalty.solve_newton_system(H, smooth.g, spectrum=spectrum)
        certificate = smooth.certify(penalty, D)
        W, b, primal, gap = certificate[:4]
        if gap <= tol * primal:
            yield W, b, 1, gap, primal
            continue
        zero = zero_weights_if_optimal(data, datafit, penalty, fit_intercept)
        if zero is not None:
            yield zero
            continue
        options = {"fit_intercept": fit_intercept, "tol": tol, "max_iter": max_iter}
        yield newton(data, datafit, penalty, W, b, **options)


def _factorise_once(penalties):
    """Whether a closed-form path eigendecomposes its blocks once for all."""
    return len(penalties) >= _SPECTRAL_MIN_PENALTIES and all(
        provides(penalty, "spectral_newton_system") for penalty in penalties
    )


def _block_spectrum(blocks):
    """``(values, vectors)`` of the curvature blocks (``GramSmooth.blocks``).

    The blocks are positive semi-definite: eigenvalues that round-off makes
    slightly negative are set to zero, so that no solve divides by a
    strength of the order of the round-off.
    """
    values, vectors = np.linalg.eigh(blocks)
    return np.maximum(values, 0.0), vectors


def _curvature_blocks(data, datafit, Z, fit_intercept):
    """The per-task curvature blocks at ``Z`` (see ``TaskData.weighted_gram``).

    For a quadratic loss they do not depend on ``Z``: formed once per data,
    for every solve on it (the points of a path).
    """
    if not datafit.quadratic:
        return data.weighted_gram(datafit.hessian(data, Z), fit_intercept)
    key = ("curvature_blocks", type(datafit).__name__, fit_intercept)
    return data.cached(
        key, lambda: data.weighted_gram(datafit.hessian(data, Z), fit_intercept)
    )


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
