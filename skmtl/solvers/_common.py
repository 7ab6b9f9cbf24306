r"""Solvers for a common part under any penalty: ``W = 1 w_0' + V``.

On per-task sufficient statistics (the squared loss, or the quadratic model
of another loss) the common weights are eliminated exactly: for fixed
:math:`V` the best :math:`w_0` solves one :math:`p \times p` system, affine
in :math:`V`, and

.. math::

    \tilde F(V) = \min_{w_0} \; F(\mathbf{1} w_0^\top + V)
        + \tfrac12 w_0^\top R\, w_0

is a quadratic of :math:`V` alone (a Schur complement) with gradient
:math:`\nabla F` at :math:`W = \mathbf{1} w_0(V)^\top + V`. FISTA then runs on
:math:`V` with the penalty's own proximal operator and converges as fast as
on the model without the common part, where FISTA on the stacked
:math:`(P, V)` crawls along the directions :math:`(D, -D)` that leave
:math:`W` unchanged. The logistic loss is solved by proximal Newton steps
whose quadratic models are solved that way.

Every certificate is that of the problem in :math:`(w_0, V)`, with
:math:`w_0` optimal for :math:`V` (see
:class:`~skmtl.solvers._decomposition.LiftedSmooth`).
"""

import numpy as np

from ..penalties._base import provides
from ._decomposition import LiftedSmooth, StackedPenalty, _AtSplit, _start, stack
from ._fista import _feature_scale, make_smooth, run_fista
from ._lbfgs import run_lbfgs
from ._prox_newton import armijo, warn_if_not_converged
from ._smooth import DataSmooth, GramSmooth, _State


class CommonEliminated:
    """The smooth part :math:`\\tilde F(V)` on Gram statistics, ``w0`` eliminated.

    ``gram`` is a :class:`GramSmooth`; ``decomposition`` the
    :class:`~skmtl.penalties.SharedComponent` (its common part gives the
    ridge :math:`R`, its specific part the penalty FISTA applies the prox
    of). A state holds :math:`V` and, in its ``Z`` slot, ``(H W, w0)``:
    both affine in :math:`V`, so extrapolated states combine without solves.
    """

    def __init__(self, gram, decomposition, scale=None):
        T, p = gram.g.shape
        summed = gram.H * T if gram.shared else gram.H.sum(axis=0)
        ridge = decomposition.shared.ridge(p)
        # Pseudo-inverse, in the original features: a direction no task's
        # loss sees (a constant or duplicated feature) and no ridge penalises
        # leaves w0 free there; the smallest w0 is taken. (Rescaled first, a
        # constant feature's round-off curvature would be blown up to 1.)
        values, vectors = np.linalg.eigh(summed + np.diag(ridge))
        cutoff = max(values.max(initial=0.0), 0.0) * p * np.finfo(float).eps
        kept = values > cutoff
        inverse = np.divide(1.0, values, out=np.zeros_like(values), where=kept)
        self._inverse = (vectors * inverse) @ vectors.T
        if scale is not None:  # the same solve in the variables w0 / scale
            gram, decomposition = gram.rescaled(scale), decomposition.rescaled(scale)
            self._inverse = self._inverse / scale[:, None] / scale
        self.gram, self.decomposition = gram, decomposition
        self.ridge = decomposition.shared.ridge(p)
        self._H = gram.blocks
        self._g_total = gram.g.sum(axis=0)
        # The size of the gradients' terms, for the round-off of their sum
        # (the largest over the features: products with H mix them).
        self._scale = np.abs(gram.g).sum(axis=0).max(initial=0.0)

    def common(self, HV):
        """``w0`` for the deviations whose ``H V`` is given."""
        return self._inverse @ (self._g_total - HV.sum(axis=0))

    def _times_H(self, w0):
        """``H_t w0`` for every task."""
        return np.broadcast_to(self._H @ w0, self.gram.g.shape)

    def _value(self, V, HW, w0):
        W = V + w0
        loss = 0.5 * (np.sum(W * HW) - 2 * np.sum(self.gram.g * W) + self.gram.e.sum())
        return float(loss + 0.5 * np.sum(self.ridge * w0 * w0))

    def internal_intercept(self, V, b):
        return None

    def state(self, V, b=None):
        HV = self.gram.times_H(V)
        w0 = self.common(HV)
        HW = HV + self._times_H(w0)
        return _State(V, None, (HW, w0), self._value(V, HW, w0))

    def combine(self, new, old, beta):
        V = new.W + beta * (new.W - old.W)
        (HW_new, w_new), (HW_old, w_old) = new.Z, old.Z
        HW = HW_new + beta * (HW_new - HW_old)
        w0 = w_new + beta * (w_new - w_old)
        return _State(V, None, (HW, w0), self._value(V, HW, w0))

    def gradient(self, state):
        return state.Z[0] - self.gram.g, None

    def bregman(self, new, old, linear_term=None, bound=None):
        """:math:`\\frac12 \\langle \\Delta V, \\Delta \\nabla \\tilde F \\rangle`."""
        return float(0.5 * np.sum((new.W - old.W) * (new.Z[0] - old.Z[0])))

    def lipschitz(self):
        # Eliminating w0 only lowers the curvature: that of F bounds it.
        return self.gram.lipschitz()

    def split(self, V):
        """``(P, V)`` with ``P = 1 w0'`` optimal for ``V``.

        One step of iterative refinement on the residual of the optimality
        condition: the certificate needs the task gradients to sum to
        ``-R w0`` to round-off, which an ill-conditioned system misses.
        """
        HV = self.gram.times_H(V)
        w0 = self.common(HV)
        residual = (HV + self._times_H(w0) - self.gram.g).sum(axis=0)
        w0 = w0 - self._inverse @ (residual + self.ridge * w0)
        return np.broadcast_to(w0, V.shape).copy(), V

    def certify(self, penalty, V, b=None):
        """Certificate of the problem in ``(w0, V)`` at ``(w0(V), V)``.

        ``penalty`` gives the value of the deviations' penalty at ``V``: the
        specific penalty, or its value at the split of ``V`` into parts (a
        decomposition's, lifted by :class:`LiftedSmooth`).
        """
        P, V = self.split(V)
        value = self.decomposition.shared.value(P) + penalty.value(V)
        at_split = _AtSplit(self.decomposition, value, self._scale)
        certified = self.gram.certify(at_split, P + V)
        return certified._replace(W=V)


def eliminated_fista(gram, decomposition, V, tol, max_iter, gap_target=0.0):
    """FISTA on ``V`` with ``w0`` eliminated, preconditioned by a feature scaling.

    When the deviations' penalty is itself a decomposition, ``V`` holds its
    parts stacked and FISTA runs on them (:class:`LiftedSmooth`).

    Returns
    -------
    certificate : Certificate
        Of the problem in ``(w0, V)``; its ``W`` is ``V``.
    P : ndarray
        ``1 w0'``.
    n_iter : int
    """
    scale = _feature_scale(gram, decomposition)
    smooth = CommonEliminated(gram, decomposition, scale)
    if scale is not None:
        V = V / scale
    specific = smooth.decomposition.specific
    if provides(specific, "decomposition"):
        specific = StackedPenalty(specific)
        lifted = LiftedSmooth(smooth, len(specific.parts))
        certified, n_iter = run_fista(
            lifted, specific, V, None, tol, max_iter, gap_target
        )
        P, _ = smooth.split(lifted._sum(certified.W))
    else:
        certified, n_iter = run_fista(
            smooth, specific, V, None, tol, max_iter, gap_target
        )
        P, _ = smooth.split(certified.W)
    V = certified.W
    if scale is not None:
        P, V = P * scale, V * scale
        certified = certified._replace(grad=certified.grad / scale)
    return certified._replace(W=V), P, n_iter


def common_prox_newton(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Proximal Newton steps on ``(w0, V)`` for a loss that is not quadratic.

    Each step solves the weighted least-squares model of the loss (as
    :func:`~skmtl.solvers._prox_newton.run_prox_newton`) by
    :func:`eliminated_fista`, then searches along the step to the model's
    minimiser for an Armijo decrease of the true objective; every certificate
    makes ``w0`` optimal for the current ``V`` first.

    Returns
    -------
    W, b, n_iter, gap, primal, parts (``1 w0'`` first, then the parts of ``V``)
    """
    stacked = StackedPenalty(penalty)
    smooth = LiftedSmooth(DataSmooth(data, datafit, fit_intercept), len(stacked.parts))
    X = stack(*_start(W, penalty))
    certified = smooth.certify(stacked, X, smooth.internal_intercept(X, b))
    n_iter = 0
    while n_iter < max_iter and (n_iter == 0 or certified.gap > tol * certified.primal):
        n_iter += 1
        X, b = certified.W, certified.b
        W = smooth._sum(X)
        Z = data.linear(W, b)
        G, D = datafit.gradient(data, Z), datafit.hessian(data, Z)
        targets = Z - np.divide(G, D, out=np.zeros_like(G), where=D > 0)
        model = GramSmooth(data, fit_intercept, weights=D, targets=targets)
        target = 0.1 * max(certified.gap, tol * certified.primal)
        inner, P_new, _ = eliminated_fista(
            model, penalty, stack(*stacked.split(X)[1:]), 0.0, 10_000, target
        )
        X_new = stack(P_new, inner.W)
        GW, gb = data.adjoint(G)
        X, b = armijo(
            certified,
            X_new,
            inner.b,
            float(np.sum(GW * smooth._sum(X_new - X)) + gb @ (inner.b - b)),
            lambda X, b: datafit.value(data, data.linear(smooth._sum(X), b)),
            stacked.value,
        )
        certified = smooth.certify(stacked, X, smooth.internal_intercept(X, b))
    warn_if_not_converged(certified, tol, max_iter)
    parts = tuple(stacked.split(certified.W))
    return sum(parts), certified.b, n_iter, certified.gap, certified.primal, parts


class CommonLifted:
    r"""The smooth part of ``X = [V; u]`` (T + 1 rows) with ``w0 = u / scale``:
    :math:`F(\mathbf{1} w_0^\top + V)`, where ``w0`` cannot be eliminated (a
    loss that is not quadratic).

    ``scale`` (per feature) evens the curvature of ``w0`` against that of
    ``V``: a large ridge on ``w0`` otherwise stalls L-BFGS. Certificates are
    those of the problem in ``(w0, V)`` at ``w0`` refitted for ``V`` (see
    :meth:`~skmtl.solvers._decomposition.LiftedSmooth.certify`).
    """

    def __init__(self, base, decomposition):
        self.base, self.lifted = base, LiftedSmooth(base)
        self.stacked = StackedPenalty(decomposition)
        ridge = decomposition.shared.ridge(base.data.n_features)
        curvature = max(base.lipschitz(), np.finfo(float).tiny) * base.data.n_tasks
        self.scale = np.sqrt(1.0 + ridge / curvature)

    def weights(self, X):
        return X[:-1] + X[-1] / self.scale

    def internal_intercept(self, X, b):
        return self.base.internal_intercept(self.weights(X), b)

    def state(self, X, c):
        base = self.base.state(self.weights(X), c)
        return _State(X, c, base, lambda: base.value)

    def gradient(self, state):
        GW, gc = self.base.gradient(state.Z)
        return np.vstack([GW, GW.sum(axis=0) / self.scale]), gc

    def certify(self, penalty, X, c):
        P = np.broadcast_to(X[-1] / self.scale, X[:-1].shape)
        certified = self.lifted.certify(self.stacked, stack(P, X[:-1]), c)
        P, V = self.stacked.split(certified.W)
        G = certified.grad[: len(V)]
        return certified._replace(
            W=np.vstack([V, P[0] * self.scale]),
            grad=np.vstack([G, G.sum(axis=0) / self.scale]),
        )


class CommonLiftedPenalty:
    r""":math:`\Omega(V) + \frac12 w_0^\top R w_0` of ``X = [V; u]``,
    ``w0 = u / scale``, for a smooth specific penalty :math:`\Omega` (what
    L-BFGS needs)."""

    capabilities = frozenset({"gradient"})

    def __init__(self, decomposition, scale):
        self.specific, self.scale = decomposition.specific, scale
        self.ridge = decomposition.shared.ridge(len(scale))

    def value(self, X):
        w0 = X[-1] / self.scale
        return self.specific.value(X[:-1]) + float(0.5 * np.sum(self.ridge * w0**2))

    def gradient(self, X):
        w0 = X[-1] / self.scale
        return np.vstack([self.specific.gradient(X[:-1]), self.ridge * w0 / self.scale])


def common_lbfgs(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """L-BFGS for a common part under a smooth penalty (the registry's "lbfgs"
    for such a decomposition).

    On sufficient statistics ``w0`` is eliminated exactly and L-BFGS runs on
    ``V`` (:class:`CommonEliminated`); otherwise on ``[V; w0]``
    (:class:`CommonLifted`).

    Returns
    -------
    W, b, n_iter, gap, primal, (P, V)
    """
    P, V = _start(W, penalty)
    base = make_smooth(data, datafit, fit_intercept)
    if isinstance(base, GramSmooth):
        smooth = CommonEliminated(base, penalty)
        certified, n_iter = run_lbfgs(smooth, penalty.specific, V, None, tol, max_iter)
        P, V = smooth.split(certified.W)
    else:
        smooth = CommonLifted(base, penalty)
        X = np.vstack([V, P[0] * smooth.scale])
        c = smooth.internal_intercept(X, b)
        certified, n_iter = run_lbfgs(
            smooth, CommonLiftedPenalty(penalty, smooth.scale), X, c, tol, max_iter
        )
        w0 = certified.W[-1] / smooth.scale
        V, P = certified.W[:-1], np.broadcast_to(w0, V.shape).copy()
    return P + V, certified.b, n_iter, certified.gap, certified.primal, (P, V)
