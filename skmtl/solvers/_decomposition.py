r"""Solvers for the decomposition models: ``min F(P + Q) + g1(P) + g2(Q)``.

FISTA runs on the stacked variable :math:`X = [P; Q]` ("lifted"): the smooth
part :math:`F(P + Q)` has gradient :math:`[G; G]` (:math:`G = \nabla F` at
:math:`W = P + Q`) and Lipschitz constant twice that of :math:`F` (the
Hessian :math:`[H, H; H, H]` has largest eigenvalue :math:`2 \lambda_{\max}(H)`),
and the penalty is separable, so its prox is one prox per part.

The certificate is that of the problem in :math:`W` with the infimal
convolution :math:`h = g_1 \,\square\, g_2` as penalty, whose conjugate is
:math:`g_1^* + g_2^*`. The dual point :math:`-s \nabla F(W)` is scaled by
:math:`s = \min(s_1, s_2)` into both dual balls, and the primal value uses
the current split, :math:`g_1(P) + g_2(Q) \ge h(P + Q)`: the gap bounds the
suboptimality of :math:`(P, Q)` in the lifted objective, whose minimum is
that of the problem in :math:`W`.

Anderson extrapolation is off for the lifted problem (``anderson = False``):
it keeps any combination of iterates that lowers the lifted objective, and
along the split directions :math:`(D, -D)`, where :math:`F` is flat, such
gains come from the penalties while :math:`W` drifts in its directions of
small curvature, each accepted step resetting the momentum. On an
ill-conditioned problem (11 rows, 10 features and an intercept, noise-free)
the gap stalled near 1e-7 of the objective with it; without it the runs
reach 1e-10 in 3000 to 6000 iterations. On School it makes no difference.
"""

from typing import NamedTuple

import numpy as np

from ..penalties._base import cvxpy_coef, provides
from ._certificate import refit_intercept, warn_if_not_certified
from ._cvxpy import minimize_with_cvxpy
from ._fista import _feature_scale, _warn_if_not_converged, make_smooth, run_fista
from ._smooth import GramSmooth, _State

SOLVERS = ("auto", "fista", "cvxpy")
# Newton steps of the common part's refit, halvings of one step, and the
# size of its gradient, relative to the sum of the magnitudes of its terms,
# at which it stops (the certificate accepts 1e-9).
_REFIT_STEPS = 30
_REFIT_HALVINGS = 10
_REFIT_RTOL = 1e-12


class DecompositionResult(NamedTuple):
    shared: np.ndarray  # P
    specific: np.ndarray  # Q
    intercept: np.ndarray
    n_iter: int
    dual_gap: float
    objective: float


def split(X, n_parts):
    """The ``n_parts`` equal blocks of rows of a stacked variable (views)."""
    return list(_blocks(X, n_parts))


def _blocks(X, n_parts):
    """``X`` as an ``(n_parts, rows, columns)`` view (rows may be 0)."""
    return X.reshape(n_parts, X.shape[0] // n_parts, X.shape[1])


def stack(*parts):
    """The stacked variable ``[P_1; P_2; ...]`` of the parts."""
    return np.concatenate(parts, axis=0)


class StackedPenalty:
    r""":math:`g_1(P_1) + g_2(P_2) + \dots` as a function of ``X = [P_1; P_2; ...]``.

    What FISTA needs of a penalty: its value and its proximal operator,
    separable over the parts (:meth:`Decomposition.parts`: two, or three
    for a shared component of a decomposition).
    """

    capabilities = frozenset({"prox"})

    def __init__(self, penalty):
        self.penalty = penalty  # a Decomposition
        self.parts = penalty.parts()

    def split(self, X):
        return split(X, len(self.parts))

    def value(self, X):
        return sum(
            part.value(P) for part, P in zip(self.parts, self.split(X), strict=True)
        )

    def prox(self, X, step):
        return stack(
            *(
                part.prox(P, step)
                for part, P in zip(self.parts, self.split(X), strict=True)
            )
        )


class _AtSplit:
    """The decomposition penalty as a penalty of ``W = P + Q``, at one split.

    Its value is ``split_value``, :math:`g_1(P) + g_2(Q)` at the split it
    was made for (an upper bound of the infimal convolution at ``W``), its
    dual term that of the infimal convolution, :math:`(s, g_1^*(sV) +
    g_2^*(sV))` with :math:`s = \\min(s_1, s_2)`: what the smooth parts'
    ``certify`` asks a penalty for.
    """

    capabilities = frozenset({"dual_term"})

    def __init__(self, decomposition, split_value, common_scale=None):
        self.penalty, self.split_value = decomposition, split_value
        # With a common part: the size of the gradients' terms (see
        # ``CommonWeights.round_off_feasible``).
        self.common_scale = common_scale

    def value(self, W):
        return self.split_value

    def dual_term(self, V, W):
        if self.common_scale is not None:
            V = self.penalty.shared.round_off_feasible(V, self.common_scale)
        s = self.penalty.dual_scale(V)
        return s, self.penalty.conjugate(s * V)


class LiftedSmooth:
    r"""The smooth part :math:`F(P + Q)` of the stacked variable :math:`[P; Q]`.

    Wraps a smooth part of :math:`W` (``DataSmooth`` or ``GramSmooth``); a
    state holds the stacked point and, in its ``Z`` slot, the base state at
    :math:`P + Q`. Intercepts are the base's. ``n_parts`` parts (three for
    a shared component of a decomposition) are lifted the same way.
    """

    anderson = False  # extrapolation stalls on the free direction P - Q

    def __init__(self, base, n_parts=2):
        self.base, self.n_parts = base, n_parts
        self._scale = None

    def _gradient_scale(self, n_tasks, n_features):
        """Sum over the tasks of the loss gradient's magnitudes at zero weights.

        The scale of the round-off in the gradients near any solution: they
        are differences of terms that large (``H W`` and ``g`` for the
        squared loss); the largest over the features, which ``H W`` mixes.
        """
        if self._scale is None:
            zero = np.zeros((n_tasks, n_features))
            size = self.base.common_newton(zero, np.zeros(n_tasks))[2]
            self._scale = size.max(initial=0.0)
        return self._scale

    def _sum(self, X):
        return _blocks(X, self.n_parts).sum(axis=0)

    @staticmethod
    def _wrap(X, base):
        return _State(X, base.b, base, lambda: base.value)

    def internal_intercept(self, X, b):
        return self.base.internal_intercept(self._sum(X), b)

    def state(self, X, b=None):
        return self._wrap(X, self.base.state(self._sum(X), b))

    def combine(self, new, old, beta):
        X = new.W + beta * (new.W - old.W)
        return self._wrap(X, self.base.combine(new.Z, old.Z, beta))

    def gradient(self, state):
        GW, gb = self.base.gradient(state.Z)
        return np.concatenate([GW] * self.n_parts), gb

    def bregman(self, new, old, linear_term, bound):
        # <[G; G], [dP; dQ]> = <G, dP + dQ>: the linear term is the base's.
        return self.base.bregman(new.Z, old.Z, linear_term, bound)

    def lipschitz(self):
        return self.n_parts * self.base.lipschitz()

    def certify(self, penalty, X, b):
        """Certificate of the stacked point; ``grad`` is :math:`[G; G]`.

        ``penalty`` is the :class:`StackedPenalty` FISTA runs with. A common
        part ``P = 1 w0'`` (``"common_rows"``) is first made optimal for the
        current ``Q``: with an unpenalised ``w0`` the dual point is feasible
        only where the gradients of the tasks sum to zero.
        """
        scale = None
        if provides(penalty.parts[0], "common_rows"):
            X, b = self._refit_common(penalty.parts[0], X, b)
            scale = self._gradient_scale(X.shape[0] // self.n_parts, X.shape[1])
        at_split = _AtSplit(penalty.penalty, penalty.value(X), scale)
        certified = self.base.certify(at_split, self._sum(X), b)
        return certified._replace(
            W=X, grad=np.concatenate([certified.grad] * self.n_parts)
        )

    def _refit_common(self, common, X, c):
        r"""Newton steps on :math:`w_0` (the rows of ``P``) for fixed ``Q``.

        Minimises :math:`F(\mathbf{1} w_0^\top + Q) + \sum_j r_j w_{0j}^2 / 2`
        (``r`` the ridge of ``common``), intercepts exact; a step that raises
        the objective is halved. Exact in one step for the squared loss.
        Returns the stacked point and the solver's intercept variable.
        """
        P, *rest = split(X, self.n_parts)
        Q = sum(rest)
        w0 = P[0].copy()
        ridge = common.ridge(len(w0))
        b = self.base.model_intercept(P + Q, c)
        value, grad, size, hessian, b = self.base.common_newton(w0 + Q, b)
        reference = self._gradient_scale(*Q.shape)
        for _ in range(_REFIT_STEPS):
            grad = grad + ridge * w0
            # Optimal to round-off, relative to the terms of the sum.
            terms = size + reference + np.abs(ridge * w0)
            if np.all(np.abs(grad) <= _REFIT_RTOL * terms):
                break
            objective = value + 0.5 * np.sum(ridge * w0 * w0)
            step = np.linalg.lstsq(hessian + np.diag(ridge), grad, rcond=None)[0]
            for _ in range(_REFIT_HALVINGS):
                trial = w0 - step
                new = self.base.common_newton(trial + Q, b)
                gained = objective - new[0] - 0.5 * np.sum(ridge * trial * trial)
                if gained >= -1e-12 * abs(objective):
                    break
                step = step / 2
            else:  # no descent left: optimal to round-off
                break
            w0 = trial
            value, grad, size, hessian, b = new
        W = w0 + Q
        P = np.broadcast_to(w0, Q.shape).copy()
        return stack(P, *rest), self.base.internal_intercept(W, b)

    def rescaled(self, scale):
        """The same function of the features multiplied by ``scale``."""
        return LiftedSmooth(self.base.rescaled(scale), self.n_parts)


def gradient_at_common_fit(data, datafit, common, fit_intercept):
    """Gradient of the loss in ``W`` at the best common part alone.

    ``W = 1 w0'`` with ``w0`` (and the intercepts) optimal for the common
    part's penalty ``common`` (a :class:`~skmtl.penalties.CommonWeights`):
    the pooled model, where a penalty on the deviations starts being zero.
    """
    smooth = LiftedSmooth(make_smooth(data, datafit, fit_intercept))
    X = np.zeros((2 * data.n_tasks, data.n_features))
    X, c = smooth._refit_common(
        common, X, smooth.internal_intercept(X, np.zeros(data.n_tasks))
    )
    W = smooth._sum(X)
    return smooth.base.gradient(smooth.base.state(W, c))[0]


def solve_decomposition(
    data,
    datafit,
    penalty,
    *,
    solver="auto",
    fit_intercept=True,
    tol=1e-6,
    max_iter=10_000,
    shared_init=None,
    specific_init=None,
    intercept_init=None,
):
    """Minimise ``datafit(X (P + Q)' + b) + penalty.shared(P) + penalty.specific(Q)``.

    :func:`~skmtl.solvers.solve` for a :class:`Decomposition` penalty, with
    the two parts in the result: its "fista" and "cvxpy" entries run
    :func:`lifted_fista` and :func:`lifted_cvxpy` on such a penalty.

    Parameters
    ----------
    data : TaskData
    datafit : datafit object
    penalty : Decomposition
    solver : {"auto", "fista", "cvxpy"}
        ``"auto"`` is ``"fista"``: FISTA on the stacked variable, on per-task
        sufficient statistics for the squared loss when they are cheaper than
        the data. ``"cvxpy"``: the reference solve, with ``P`` and ``Q`` as
        cvxpy variables.
    shared_init, specific_init, intercept_init : ndarray, optional
        Starting point (warm start).

    Returns
    -------
    DecompositionResult
        With three parts (a :class:`~skmtl.penalties.SharedComponent` of a
        decomposition), ``shared`` is the sum of the first two.
    """
    from ._dispatch import solve

    if solver not in SOLVERS:
        raise ValueError(f"solver={solver!r} is not one of {list(SOLVERS)}.")
    start = None
    if shared_init is not None or specific_init is not None:
        shape = (data.n_tasks, data.n_features)
        start = [
            np.zeros(shape) if part is None else part
            for part in (shared_init, specific_init)
        ]
    result = solve(
        data,
        datafit,
        penalty,
        solver=solver,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
        coef_init=start,
        intercept_init=intercept_init,
    )
    *shared, Q = split_parts(result)  # (a common part belongs to the shared)
    P = sum(shared)
    return DecompositionResult(
        P, Q, result.intercept, result.n_iter, result.dual_gap, result.objective
    )


def split_parts(result):
    """``(P, Q)`` of a :class:`~skmtl.solvers.SolverResult` of a decomposition.

    A result without parts (zero weights, when no solver ran) is all shared.
    """
    if result.parts is not None:
        return result.parts
    return result.coef, np.zeros_like(result.coef)


def _start(W, penalty):
    """The parts from a starting point: stacked parts, or ``W`` all in the first.

    A common part (``"common_rows"``) keeps the mean row of the first part,
    the rest going to the second. Stacked parts of another number (a warm
    start across a change of the penalty) start from their sum.
    """
    n_parts = len(penalty.parts())
    W = np.asarray(W, dtype=float)
    if W.ndim == 3 and len(W) != n_parts:
        W = W.sum(axis=0)
    parts = list(W) if W.ndim == 3 else [W] + [np.zeros_like(W)] * (n_parts - 1)
    if provides(penalty.shared, "common_rows"):
        common = np.broadcast_to(parts[0].mean(axis=0), W.shape[-2:])
        parts[0], parts[1] = common.copy(), parts[1] + (parts[0] - common)
    return parts


def lifted_fista(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """FISTA on the stacked ``[P; Q]`` (the registry's "fista" for a decomposition).

    ``W`` is the start: ``W`` all shared, or the pair ``(P, Q)`` stacked
    (warm start).

    Returns
    -------
    W, b, n_iter, gap, primal, parts
    """
    base = make_smooth(data, datafit, fit_intercept)
    return _fista_on(base, penalty, _start(W, penalty), b, tol, max_iter)


def lifted_fista_path(data, datafit, penalties, *, fit_intercept, tol, max_iter):
    """:func:`lifted_fista` along a sequence of penalties, each warm-started
    from the last parts, with the data statistics built once.

    Yields
    ------
    SolverResult-like tuples ``(W, b, n_iter, gap, primal, (P, Q))``
    """
    base = make_smooth(data, datafit, fit_intercept)
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    for penalty in penalties:
        result = _fista_on(base, penalty, _start(W, penalty), b, tol, max_iter)
        W, b = np.stack(result[5]), result[1]
        yield result


def _fista_on(base, penalty, parts, b, tol, max_iter):
    """:func:`lifted_fista` on the smooth part ``base`` from ``(parts, b)``."""
    if isinstance(base, GramSmooth) and provides(penalty.shared, "common_rows"):
        # A common part on sufficient statistics: eliminated exactly.
        from ._common import eliminated_fista  # (built on this module)

        certified, P, n_iter = eliminated_fista(
            base, penalty, stack(*parts[1:]), tol, max_iter
        )
        parts = (P, *split(certified.W, len(parts) - 1))
    else:
        # Preconditioned by a feature scaling as plain FISTA, when the parts allow.
        scale = _feature_scale(base, penalty)
        if scale is not None:
            base, penalty = base.rescaled(scale), penalty.rescaled(scale)
            parts = [part / scale for part in parts]
        stacked = StackedPenalty(penalty)
        smooth = LiftedSmooth(base, len(parts))
        certified, n_iter = run_fista(smooth, stacked, stack(*parts), b, tol, max_iter)
        parts = stacked.split(certified.W)
        if scale is not None:
            parts = [part * scale for part in parts]
    _warn_if_not_converged(certified, tol, max_iter, stacklevel=5)
    parts = tuple(parts)
    return sum(parts), certified.b, n_iter, certified.gap, certified.primal, parts


def lifted_cvxpy(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """The reference solve in ``P`` and ``Q`` (the registry's "cvxpy" for one)."""
    return _cvxpy(
        data, datafit, StackedPenalty(penalty), b, fit_intercept, tol, max_iter
    )


def _cvxpy(data, datafit, penalty, b, fit_intercept, tol, max_iter):
    """The reference: Clarabel on the problem in the parts.

    The loss is built by :func:`~skmtl.solvers._cvxpy.minimize_with_cvxpy`; the
    intercepts of the solution are then made exact and the result certified
    as FISTA's.
    """
    T, p = data.n_tasks, data.n_features
    parts = [cvxpy_coef(part, T, p) for part in penalty.parts]
    problem, b = minimize_with_cvxpy(
        data,
        datafit,
        sum(coef for coef, _ in parts),
        sum(value for _, value in parts),
        fit_intercept,
        tol,
        max_iter,
    )
    parts = [np.asarray(coef.value, dtype=float).reshape(T, p) for coef, _ in parts]
    if fit_intercept:
        b = refit_intercept(data, datafit, sum(parts), b)
    smooth = LiftedSmooth(make_smooth(data, datafit, fit_intercept), len(parts))
    X = stack(*parts)
    certified = smooth.certify(penalty, X, smooth.internal_intercept(X, b))
    warn_if_not_certified(
        "cvxpy (Clarabel)",
        f"with status {problem.status!r}",
        certified.gap,
        certified.primal,
        tol,
        stacklevel=4,
        advice="",
    )
    n_iter = problem.solver_stats.num_iters
    parts = tuple(penalty.split(certified.W))
    return sum(parts), certified.b, n_iter, certified.gap, certified.primal, parts
