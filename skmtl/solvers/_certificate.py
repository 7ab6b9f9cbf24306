"""Objective, exact intercepts and the duality-gap certificate shared by all solvers."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._task_data import _format_tasks
from ..penalties._base import provides


def warn_if_not_certified(
    solver, steps, gap, primal, tol, stacklevel, advice="Increase max_iter."
):
    """The one ``ConvergenceWarning`` of the solvers: who stopped, where, why.

    ``solver`` names the method that ran and ``steps`` what it counted
    ("after 100 Newton steps", "after max_iter=1000 iterations").
    """
    if gap <= tol * primal:
        return
    warnings.warn(
        f"{solver} stopped {steps} with a duality gap of {gap:.3e} "
        f"({gap / primal:.3e} of the objective; tol={tol:.1e}). {advice}",
        ConvergenceWarning,
        stacklevel=stacklevel + 1,
    )


def objective(data, datafit, penalty, W, b):
    """Primal objective ``F(XW + b) + Omega(W)``."""
    return datafit.value(data, data.linear(W, b)) + penalty.value(W)


def refit_intercept(data, datafit, W, b, max_iter=100):
    """Minimise the objective over the intercepts only, for fixed ``W``.

    Finds the root of each task's loss derivative in its intercept, an
    increasing function: Newton steps, replaced by bisection when they leave
    the bracket the signs seen so far define (exact in one step for the
    squared loss). Only derivatives are evaluated, never the loss. Optimal
    intercepts make the per-task residual sums vanish, which is what makes the
    dual point of :func:`duality_gap` feasible.
    """
    Z0 = data.linear(W, np.zeros_like(b))
    b = b.astype(float, copy=True)
    low = np.full_like(b, -np.inf)
    high = np.full_like(b, np.inf)
    for _ in range(max_iter):
        Z = Z0 + data.expand(b)
        g = data.task_sums(datafit.gradient(data, Z))
        h = data.task_sums(datafit.hessian(data, Z))
        step = g / np.maximum(h, np.finfo(float).tiny)
        done = np.abs(step) <= 1e-15 * (1 + np.abs(b))
        if datafit.quadratic:
            if np.all(done):
                break
            b -= step
            continue
        high = np.where(g > 0, np.minimum(high, b), high)
        low = np.where(g < 0, np.maximum(low, b), low)
        # A root bracketed to a few dozen ulps is found: at that scale the
        # derivative is a step function, and Newton may jump from one end of
        # the bracket to the other for ever.
        done |= high - low <= 64 * np.finfo(float).eps * (1 + np.abs(b))
        if np.all(done):
            break
        newton = b - step
        bracketed = np.isfinite(low) & np.isfinite(high)
        # (A Newton point on an end of the bracket is no reason to bisect:
        # that end is the previous point, next to the root; bisecting would
        # crawl down to the last bits.)
        outside = bracketed & ((newton < low) | (newton > high))
        with np.errstate(invalid="ignore"):  # inf - inf where not bracketed
            b = np.where(outside, 0.5 * (low + high), newton)
    return b


def duality_gap(data, datafit, penalty, W, b):
    r"""Primal objective and duality gap at ``(W, b)``.

    With :math:`\theta = -s \nabla F(Z)` the dual objective is
    :math:`D(\theta) = -F^*(-\theta) - \Omega^*(A^\top \theta)`, where
    :math:`A^\top\theta` has rows :math:`\sum_{i \in t} \theta_i x_i` and
    :math:`s \in (0, 1]` is the penalty's ``dual_scale``: 1 when
    :math:`\Omega^*` is finite everywhere, else the largest factor that puts
    :math:`A^\top\theta` in its domain (the dual-norm ball of a norm
    penalty). When the model has intercepts, ``b`` must be optimal for ``W``
    (see :func:`refit_intercept`) so that :math:`\theta` sums to zero in
    every task.

    Returns
    -------
    primal : float
    gap : float
        ``primal - D(theta)``, an upper bound on the suboptimality of ``(W, b)``.
    """
    Z = data.linear(W, b)
    G = datafit.gradient(data, Z)
    GW, _ = data.adjoint(G)
    primal = datafit.value(data, Z) + penalty.value(W)
    return primal, primal - dual_objective(data, datafit, penalty, G, GW, W)


def dual_objective(data, datafit, penalty, G, GW, W):
    """Dual objective at the rescaled dual point built from the gradient ``G``."""
    scale, conjugate = penalty_dual_term(penalty, -GW, W)
    return -datafit.conjugate(data, scale * G) - conjugate


def penalty_dual_term(penalty, V, W):
    """``(s, Omega^*(s V))``: the dual scale and the penalty's conjugate there.

    Penalties whose conjugate is only bounded (sums with a quadratic, see
    :class:`~skmtl.penalties.QuadraticPlusPenalty`) give the bound at the
    current point ``W`` through their ``dual_term``.
    """
    if provides(penalty, "dual_term"):
        return penalty.dual_term(V, W)
    scale = penalty.dual_scale(V)
    return scale, penalty.conjugate(scale * V)


def refit_unpenalized(data, datafit, penalty, W, b, fit_intercept, max_iter=20):
    """Make ``(W, b)`` optimal along the directions the penalty leaves free.

    The intercepts always (when fitted); and for a penalty with a
    ``null_space`` (a task-coupling quadratic with a singular matrix, such
    as a graph Laplacian) the weights along it: Newton steps on the loss
    over ``W + N U``, intercepts eliminated, exact in one step for the
    squared loss. The dual point of :func:`duality_gap` is then feasible.
    """
    N = penalty.null_space() if provides(penalty, "null_space") else None
    if N is None or N.shape[1] == 0:
        return W, refit_intercept(data, datafit, W, b) if fit_intercept else b
    r, p = N.shape[1], W.shape[1]
    for _ in range(max_iter):
        if fit_intercept:
            b = refit_intercept(data, datafit, W, b)
        Z = data.linear(W, b)
        GW, _ = data.adjoint(datafit.gradient(data, Z))
        grad = N.T @ GW
        if np.linalg.norm(grad) <= 1e-13 * (1 + np.linalg.norm(GW)):
            break
        H, _, _ = data.weighted_gram(datafit.hessian(data, Z), center=fit_intercept)
        system = np.einsum("tc,td,tjk->cjdk", N, N, H).reshape(r * p, r * p)
        step = np.linalg.lstsq(system, grad.ravel(), rcond=None)[0]
        W = W - N @ step.reshape(r, p)
        if not np.all(np.isfinite(W)):  # a safeguard: solve() checks this first
            raise ValueError(
                "The weights along the directions the penalty leaves free "
                "diverged: the loss has no minimiser along them. Penalise every "
                "weight (a ridge or a lasso term)."
            )
    return W, b


def check_free_directions_bounded(data, datafit, penalty, fit_intercept):
    """Refuse a problem whose unpenalised directions have no minimiser.

    A penalty with free directions (a graph Laplacian leaves the mean weights
    of each connected component free, a shared component without a ridge its
    common weights) and a loss that is not quadratic: when
    the observations are linearly separable by weights in those directions
    (and the intercepts), the logistic loss decreases forever along them and
    the weights would grow without bound. One linear program finds such a
    direction ``D``: signed margins ``y_i (x_i . D_t + c_t) >= 0`` summing to 1.
    """
    N, what, advice = _free_directions(penalty, data.n_tasks)
    if datafit.quadratic or N is None or N.shape[1] == 0 or data.n_features == 0:
        return
    from scipy.optimize import linprog

    r, p, T = N.shape[1], data.n_features, data.n_tasks
    mask = data.weight > 0
    if data.shared_design:
        rows, task = np.nonzero(mask)
    else:
        rows = np.flatnonzero(mask)
        task = data.task_index[rows]
    sign = np.where(data.Y[mask] > 0, 1.0, -1.0)
    # Margin of observation i: sign_i (sum_k N[t_i, k] x_i . U_k + c_{t_i}).
    X = data.X[rows]
    X = X.toarray() if data.sparse else X  # (a dense linear program anyway)
    columns = [(N[task][:, :, None] * X[:, None, :]).reshape(-1, r * p)]
    if fit_intercept:
        columns.append(np.eye(T)[task])
    margins = sign[:, None] * np.hstack(columns)
    result = linprog(
        np.zeros(margins.shape[1]),
        A_ub=-margins,
        b_ub=np.zeros(len(margins)),
        A_eq=margins.sum(axis=0, keepdims=True),
        b_eq=[1.0],
        bounds=(None, None),
        method="highs",
    )
    if result.status != 0:  # infeasible: no such direction, a minimiser exists
        return
    separated = np.unique(task[margins @ result.x > 1e-9])
    raise ValueError(
        "The logistic loss has no minimiser here: the penalty leaves some "
        f"directions of the weights unpenalised ({what}), and the observations "
        f"of task(s) {_format_tasks(data.tasks[separated])} are linearly "
        f"separable along them, so the weights would grow without bound. {advice}"
    )


def _free_directions(penalty, n_tasks):
    """``(N, what, advice)``: task directions ``W + N U`` the penalty leaves free.

    A penalty's ``null_space`` (a task graph's Laplacian), or the common
    weights of a shared component without a ridge. ``N`` is None when there
    are none; ``what`` and ``advice`` word the error of a loss without a
    minimiser along them.
    """
    if provides(penalty, "null_space"):
        return (
            penalty.null_space(),
            "for a task graph, the mean weights of each connected component",
            "Penalise every weight: l2 > 0 (a ridge) or l1 > 0 in "
            "GraphRegularizedClassifier, a ridge TaskQuadratic in "
            "MultiTaskLinearModel; or join the graph's components.",
        )
    if (
        provides(penalty, "decomposition")
        and provides(penalty.shared, "common_rows")
        and np.any(penalty.shared.ridge(1) == 0)
    ):
        return (
            np.ones((n_tasks, 1)),
            "the common weights of the shared component",
            "Give the common weights a ridge: alpha_shared > 0.",
        )
    return None, "", ""


def intercepts_only(data, datafit, penalty, fit_intercept):
    """Zero weights and the best intercepts for them, with their certificate.

    The optimum when there are no features, in closed form.
    """
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    if fit_intercept:
        b = refit_intercept(data, datafit, W, b)
    primal, gap = duality_gap(data, datafit, penalty, W, b)
    return W, b, 0, gap, primal


def zero_weights_if_optimal(data, datafit, penalty, fit_intercept):
    """:func:`intercepts_only` when zero weights are optimal to round-off, else None.

    Constant targets, say: the relative gap of an iterative solver would
    chase an objective that is already zero, down to NaN in the denormals.
    The gap sums terms as large as the loss at zero predictions, so its own
    round-off is some eps times that.
    """
    start = intercepts_only(data, datafit, penalty, fit_intercept)
    Z = data.expand(np.zeros(data.n_tasks))  # predictions of zero weights
    if start[3] <= 64 * np.finfo(float).eps * datafit.value(data, Z):
        return start
    return None
