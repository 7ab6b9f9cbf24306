"""Accelerated proximal gradient (FISTA) with backtracking and adaptive restart."""

import numpy as np

from ..penalties._base import provides
from ._active_newton import SupportNewton
from ._certificate import warn_if_not_certified, zero_weights_if_optimal
from ._factored_newton import FactoredNewton
from ._smooth import DataSmooth, GramSmooth, WithQuadratic
from ._working_set import run_working_sets

_CHECK_EVERY = 10  # iterations between duality-gap certificates
# ... and, from a warm start (a path, a CV grid), the first checks sooner: it
# is often within tol after a few iterations. (From zero they would cost
# certificates for nothing: a tenth of a fused fit, whose dual norm takes a
# search.)
_EARLY_CHECKS = (1, 3, 6)
WORKING_SET_MIN = 50  # fewer features: solve on all of them at once


def fista(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise ``datafit + penalty`` by FISTA, stopped by the duality gap.

    Uses per-task sufficient statistics (:class:`GramSmooth`) for the
    squared loss when they are cheaper than passes over the data.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    smooth = make_smooth(data, datafit, fit_intercept)
    certified, n_iter = _run(smooth, penalty, W, b, tol, max_iter)
    _warn_if_not_converged(certified, tol, max_iter, stacklevel=4)
    return certified.W, certified.b, n_iter, certified.gap, certified.primal


def _run(smooth, penalty, W, b, tol, max_iter):
    smooth, penalty = split_quadratic(smooth, penalty)
    scale = _feature_scale(smooth, penalty)
    if scale is not None:
        # Solve in V = W / scale, where every feature has unit curvature on
        # average over the tasks: the objective, hence the duality gap, is
        # the same; unscaled features (School's raw columns, say) need ~50x
        # fewer iterations.
        certified, n_iter = _run_unscaled(
            smooth.rescaled(scale), penalty.rescaled(scale), W / scale, b, tol, max_iter
        )
        return certified._replace(
            W=certified.W * scale, grad=certified.grad / scale
        ), n_iter
    return _run_unscaled(smooth, penalty, W, b, tol, max_iter)


def split_quadratic(smooth, penalty):
    """A quadratic part of the penalty joins the smooth part (``WithQuadratic``).

    Returns the smooth part and the penalty whose proximal operator is used.
    """
    if provides(penalty, "quadratic_plus_prox"):
        return WithQuadratic(smooth, penalty), penalty.penalty
    return smooth, penalty


def _run_unscaled(smooth, penalty, W, b, tol, max_iter):
    if provides(penalty, "working_sets") and W.shape[1] > WORKING_SET_MIN:
        return _fista_working_sets(smooth, penalty, W, b, tol, max_iter)
    return run_fista(smooth, penalty, W, b, tol, max_iter)


def _feature_scale(smooth, penalty):
    """Feature scaling that equalises the curvature, when both parts allow it.

    ``1 / sqrt(c_j)``, ``c_j`` the root mean square of ``H_t[j, j]`` over the
    tasks, for the squared loss on sufficient
    statistics and a penalty that stays separable by feature under scaling
    (L2,1); None otherwise. Features with no curvature (to round-off) keep
    scale 1.
    """
    if not (isinstance(smooth, GramSmooth) and provides(penalty, "feature_rescaling")):
        return None
    curvature = smooth.feature_curvature()
    scale = np.ones_like(curvature)
    # A feature constant within every task has a centred curvature of
    # round-off, about (eps * its mean)^2: scaling it up to 1 would turn
    # that round-off into curvature.
    roundoff = 1e4 * np.finfo(float).eps ** 2 * np.max(smooth.x_mean**2, axis=0)
    positive = curvature > roundoff
    if not np.any(positive):
        return None
    scale[positive] = 1.0 / np.sqrt(curvature[positive])
    return scale


def _warn_if_not_converged(certified, tol, max_iter, stacklevel):
    warn_if_not_certified(
        "FISTA",
        f"after max_iter={max_iter} iterations",
        certified.gap,
        certified.primal,
        tol,
        stacklevel,
    )


def make_smooth(data, datafit, fit_intercept):
    """Sufficient statistics for the squared loss when they pay, else the data.

    A Gram iteration costs about ``T p^2`` (``p^2`` times the tasks, or once
    when all tasks share the Gram matrix) against ``n p`` per pass over the
    observations; the statistics cost one pass of ``n p^2`` to build. Below
    ``SMALL_GRAM`` the statistics win whatever the shape: each iteration
    costs its fixed overhead, and they allow the feature scaling that cuts
    the iterations (L2,1 at a tenth of ``alpha_max``, 20 tasks of 20 rows:
    50 features 11 ms on statistics against 17 ms on the data, 100 features
    50 ms against 23 ms).
    """
    if datafit.quadratic:
        p = data.n_features
        shared_gram = data.shared_design and np.all(data.weight == data.weight[:, :1])
        gram_cost = p * p * (1 if shared_gram else data.n_tasks)
        pass_cost = data.n_stored * (data.n_tasks if data.shared_design else 1)
        if gram_cost <= max(pass_cost, SMALL_GRAM) and gram_cost <= 5e7:
            return GramSmooth(data, fit_intercept)
    return DataSmooth(data, datafit, fit_intercept)


# Size of the per-task Gram matrices (T p^2 entries) below which they are
# used even where a pass over the data costs fewer flops (measured crossover
# between 5e4 and 2e5, see make_smooth).
SMALL_GRAM = 1e5


def run_fista(smooth, penalty, W, b, tol, max_iter, gap_target=0.0):
    """The FISTA iterations on a smooth-part object; see :mod:`._smooth`.

    Backtracking halves the step until the quadratic upper bound holds;
    momentum restarts when the step direction turns against the last move
    (O'Donoghue & Candes 2015). Every few iterations the current point is
    certified by a duality gap and the run stops at ``gap <= tol * primal``
    (or at ``gap <= gap_target``, an absolute target for inner solves).
    """
    step = 1.0 / max(smooth.lipschitz(), np.finfo(float).tiny)
    # A smooth part may opt out of Anderson extrapolation: it stalls lifted
    # (W = P + Q) problems, whose iterates have a free direction.
    anderson = getattr(smooth, "anderson", True)
    # Start from the certified point: the exact intercepts of W (and, for a
    # lifted problem with a common part, its exact common weights).
    certified = smooth.certify(penalty, W, smooth.internal_intercept(W, b))
    W = certified.W
    x = y = smooth.state(W, smooth.internal_intercept(W, certified.b))
    gW, gb = smooth.gradient(y)
    t = 1.0
    history = [x]
    n_iter = 0
    polisher = (
        FactoredNewton if provides(penalty, "low_rank_factors") else SupportNewton
    )
    newton = polisher(smooth, penalty, W, tol, gap_target, _CHECK_EVERY)
    early_checks = _EARLY_CHECKS if np.any(W) else ()
    # At least one step, certified: a start that is already within tol (W = 0
    # just below alpha_max, say) still moves to the features that should enter.
    while n_iter < max_iter:
        n_iter += 1
        while True:
            W_new = penalty.prox(y.W - step * gW, step)
            b_new = None if gb is None else y.b - step * gb
            x_new = smooth.state(W_new, b_new)
            dW = W_new - y.W
            db = 0.0 if gb is None else b_new - y.b
            move = np.sum(dW * dW) + np.sum(db * db)
            # Sufficient decrease, tested on the Bregman term itself: testing
            # f(x_new) against f(y) + <g, d> would drown in round-off near the
            # optimum. A move below round-off is always accepted.
            bound = move / (2 * step)
            linear = np.sum(gW * dW) + (0.0 if gb is None else np.sum(gb * db))
            if smooth.bregman(x_new, y, linear, bound) <= bound or move <= 1e-30 * (
                1 + np.sum(y.W * y.W)
            ):
                break
            step /= 2
            if not np.isfinite(move) or step == 0.0:
                # Halving cannot repair a non-finite point: stop, never hang.
                raise FloatingPointError(
                    "FISTA reached non-finite weights or a zero step (the data "
                    "or a hyperparameter is too extreme for float64). Scale "
                    "the features and targets, or pick milder hyperparameters."
                )
        restart = np.sum(dW * (W_new - x.W))
        if gb is not None:
            restart += np.sum(db * (b_new - x.b))
        if restart < 0 or not MOMENTUM:  # y - x_new and x_new - x point the same way
            t = 1.0
            step *= GROW
        t_next = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        y = smooth.combine(x_new, x, (t - 1) / t_next)
        x, t = x_new, t_next
        history.append(x)
        if anderson and len(history) == ANDERSON + 1:
            better = _anderson(smooth, penalty, history)
            history = [x]
            if better is not None:
                x = y = better
                t = 1.0
                history = [x]
        gW, gb = smooth.gradient(y)
        if n_iter % _CHECK_EVERY == 1 or n_iter in early_checks or n_iter == max_iter:
            certified = smooth.certify(penalty, x.W, x.b)
            if certified.gap <= max(tol * certified.primal, gap_target):
                break
            polished, W_new, steps = newton.attempt(x.W, step, n_iter, max_iter)
            n_iter += steps
            if polished is not None:
                certified = polished
                break
            if W_new is not x.W:  # resume from the better point
                x = y = smooth.state(W_new)
                t, history = 1.0, [x]
                gW, gb = smooth.gradient(y)
                if n_iter >= max_iter:
                    certified = smooth.certify(penalty, x.W, x.b)
    return certified, n_iter


MOMENTUM = True
GROW = 2.0
ANDERSON = 5


def _anderson(smooth, penalty, history):
    """Anderson extrapolation of the last iterates, kept if it lowers the objective.

    With ``U`` the differences of consecutive iterates, the coefficients
    ``c = (U'U)^-1 1 / (1'(U'U)^-1 1)`` combine the iterates into a point
    that removes their dominant error directions (Anderson 1965; as used
    for proximal methods by Bertrand & Massias 2021).
    """
    last = history[-1]
    T, p = last.W.shape
    # One row per iterate, written in place (a row built by concatenate and
    # then copied into the stack would move the iterates twice).
    points = np.empty((len(history), T * p + (0 if last.b is None else T)))
    for row, h in zip(points, history, strict=True):
        row[: T * p] = h.W.ravel()
        if h.b is not None:
            row[T * p :] = h.b
    U = points[1:] - points[:-1]
    gram = U @ U.T
    try:
        z = np.linalg.solve(
            gram + 1e-12 * np.trace(gram) * np.eye(len(U)), np.ones(len(U))
        )
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(z)) or z.sum() == 0:
        return None
    combined = (z / z.sum()) @ points[1:]
    W = combined[: T * p].reshape(T, p)
    b = None if last.b is None else combined[T * p :]
    candidate = smooth.state(W, b)
    current = last.value + penalty.value(last.W)
    # A gain within round-off is noise: near the optimum it would trade a
    # point of smaller gradient for a merely "equal" one.
    if candidate.value + penalty.value(W) < current - 1e-13 * abs(current):
        return candidate
    return None


def _fista_working_sets(smooth, penalty, W, b, tol, max_iter):
    """FISTA as the inner solver of :func:`run_working_sets`."""

    def certify(W, b):
        return smooth.certify(penalty, W, smooth.internal_intercept(W, b))

    def solve_restricted(columns, W_cols, b, inner_tol, certified, budget):
        inner, n_iter = run_fista(
            smooth.restrict(columns),
            penalty.restrict(columns),
            W_cols,
            b,
            inner_tol,
            budget,
        )
        return inner.W, inner.b, n_iter

    return run_working_sets(certify, solve_restricted, penalty, W, b, tol, max_iter)


def fista_path(data, datafit, penalties, *, fit_intercept, tol, max_iter):
    """Solve for a sequence of penalties, each warm-started from the last.

    The sufficient statistics (or the data representation) are built once
    for the whole path.

    Yields
    ------
    SolverResult-like tuples ``(W, b, n_iter, gap, primal)``
    """
    smooth = make_smooth(data, datafit, fit_intercept)
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    previous = None
    for penalty in penalties:
        zero = (
            None
            if np.any(W)
            else zero_weights_if_optimal(data, datafit, penalty, fit_intercept)
        )
        if zero is not None:  # as in solve(): no iterations on round-off
            W, b = zero[0], zero[1]
            yield zero
            continue
        start = (
            W if previous is None else _secant_start(smooth, penalty, previous, W, b)
        )
        certified, n_iter = _run(smooth, penalty, start, b, tol, max_iter)
        _warn_if_not_converged(certified, tol, max_iter, stacklevel=4)
        previous, W, b = W, certified.W, certified.b
        yield W, b, n_iter, certified.gap, certified.primal


def secant_prediction(previous, W):
    """The next point of a path from its last two: ``2 W - previous``.

    Path grids are geometric, so this is the secant predictor in the
    log-strength; entries it would turn past zero, or move off zero, stay
    at zero (a sparse solution's support changes a few entries at a time).
    Callers keep it only if it lowers the objective at the next penalty, so
    a sequence of penalties that is not a grid (a user's) loses one
    objective evaluation.
    """
    predicted = 2 * W - previous
    predicted[np.sign(predicted) != np.sign(W)] = 0.0
    return predicted


def _secant_start(smooth, penalty, previous, W, b):
    """The next path point's start: :func:`secant_prediction` if it is better.

    On School it halves the Newton steps per point of the L2,1 and sparse
    group lasso paths.
    """
    predicted = secant_prediction(previous, W)
    c = smooth.internal_intercept(W, b)

    def objective(V):
        return smooth.state(V, c).value + penalty.value(V)

    return predicted if objective(predicted) < objective(W) else W
