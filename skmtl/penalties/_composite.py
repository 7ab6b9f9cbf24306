"""Quadratic coupling of the tasks, and its sum with a proximable penalty."""

import numpy as np

from ._base import BasePenalty, provides


class TaskQuadratic(BasePenalty):
    r"""A quadratic penalty that couples the tasks, feature by feature.

    .. math::

        \Omega(W) = \frac12 \operatorname{tr}(W^\top M W)
                  = \frac12 \sum_{j=1}^{p} W_{:, j}^\top M \, W_{:, j},

    with :math:`M` a symmetric positive semi-definite ``(n_tasks, n_tasks)``
    matrix. Ridge (:math:`M = \lambda I`), mean regularization, graph
    Laplacians and temporal smoothness are of this form. It acts on every
    feature alike, so working sets over features apply to its sums with
    feature-wise penalties.

    Parameters
    ----------
    matrix : ndarray of shape (n_tasks, n_tasks)
        :math:`M`, symmetric positive semi-definite.
    """

    capabilities = frozenset({"gradient", "conjugate", "null_space", "task_quadratic"})

    def __init__(self, matrix):
        self.matrix = np.asarray(matrix, dtype=float)

    def value(self, W):
        return 0.5 * float(np.sum(W * (self.matrix @ W)))

    def gradient(self, W):
        return self.matrix @ W

    def conjugate(self, V):
        r"""Fenchel conjugate :math:`\frac12 \operatorname{tr}(V^\top M^+ V)`.

        Finite only where every column of :math:`V` lies in the range of
        :math:`M` (up to round-off); a singular :math:`M` leaves directions
        unpenalised, on which the conjugate is infinite.
        """
        values, vectors = np.linalg.eigh(self.matrix)
        coordinates = vectors.T @ V
        tiny = values <= 1e-12 * max(values[-1], np.finfo(float).tiny)
        if np.any(tiny):
            off = np.linalg.norm(coordinates[tiny])
            if off > 1e-9 * (1 + np.linalg.norm(V)):
                return np.inf
        inverse = np.where(tiny, 0.0, 1.0 / np.where(tiny, 1.0, values))
        return 0.5 * float(np.sum(inverse[:, None] * coordinates**2))

    def null_space(self):
        """Orthonormal basis ``(n_tasks, r)`` of the directions :math:`M` leaves free.

        A graph Laplacian, say, does not penalise adding the same vector to
        every task of a connected component. Solvers make the weights optimal
        along these directions before they certify (the conjugate is finite
        only off them).
        """
        values, vectors = np.linalg.eigh(self.matrix)
        tiny = values <= 1e-12 * max(values[-1], np.finfo(float).tiny)
        return vectors[:, tiny]

    def task_quadratic(self, n_tasks):
        """The penalty itself: sums of penalties add up their task quadratics."""
        return self

    def lipschitz(self):
        """Largest eigenvalue of :math:`M`."""
        return float(np.linalg.eigvalsh(self.matrix)[-1]) if self.matrix.size else 0.0

    def as_cvxpy(self, W):
        import cvxpy as cp

        # M = L L' (eigen-factor, clipped at 0): tr(W'MW) = ||L'W||_F^2.
        values, vectors = np.linalg.eigh(self.matrix)
        factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        return 0.5 * cp.sum_squares(factor.T @ W)


class QuadraticPlusPenalty(BasePenalty):
    r"""The sum :math:`q(W) + r(W)` of a :class:`TaskQuadratic` and a proximable one.

    Proximal solvers treat :math:`q` as part of the smooth loss and apply the
    proximal operator of :math:`r` only. The duality gap uses the bound

    .. math::

        (q + r)^*(V) \le q^*(\nabla q(W)) + r^*(V - \nabla q(W))
                     = q(W) + r^*(V - \nabla q(W)),

    an infimal-convolution split at the current point :math:`W`, exact at the
    optimum, so the gap still bounds the suboptimality and vanishes there.

    Parameters
    ----------
    quadratic : TaskQuadratic
    penalty : penalty with ``prox``, ``conjugate`` and ``dual_scale``
    """

    capabilities = frozenset({"dual_term", "quadratic_plus_prox"})

    def __init__(self, quadratic, penalty):
        self.quadratic = quadratic
        self.penalty = penalty

    def value(self, W):
        return self.quadratic.value(W) + self.penalty.value(W)

    def dual_term(self, V, W):
        """``(s, bound on conjugate(s V))`` with ``s`` feasible for ``r``."""
        g = self.quadratic.gradient(W)
        s = self.penalty.dual_scale(V - g)
        q = self.quadratic.value(W)
        return s, s * s * q + self.penalty.conjugate(s * (V - g))

    def as_cvxpy(self, W):
        return self.quadratic.as_cvxpy(W) + self.penalty.as_cvxpy(W)

    def restrict(self, columns):
        """The sum on ``columns`` (the proximable part provides working sets)."""
        return QuadraticPlusPenalty(self.quadratic, self.penalty.restrict(columns))


class PenaltySum:
    """A sum of penalties that no proximal solver handles: cvxpy solves it.

    Its value is the sum of the values and its cvxpy form the sum of the
    forms; there is no conjugate, hence no duality-gap certificate.
    """

    def __init__(self, penalties):
        self.penalties = list(penalties)

    def value(self, W):
        return float(sum(penalty.value(W) for penalty in self.penalties))

    def as_cvxpy(self, W):
        return sum(penalty.as_cvxpy(W) for penalty in self.penalties)


def combine_penalties(penalties, n_tasks):
    """One penalty object for the solvers from a sum of penalties.

    The task-coupling quadratics (penalties that provide ``task_quadratic``:
    ``TaskQuadratic``, ``MeanRegularization``) add up into one; with at most
    one other penalty, which has a proximal operator, the sum is a
    :class:`QuadraticPlusPenalty` (proximal solvers, certified); anything
    else is a :class:`PenaltySum` for cvxpy.
    """
    if len(penalties) == 1:
        return penalties[0]
    coupling = [provides(penalty, "task_quadratic") for penalty in penalties]
    matrices = [
        penalty.task_quadratic(n_tasks).matrix
        for penalty, is_quadratic in zip(penalties, coupling, strict=True)
        if is_quadratic
    ]
    others = [p for p, q in zip(penalties, coupling, strict=True) if not q]
    if not matrices or len(others) > 1:
        return PenaltySum(penalties)
    quadratic = TaskQuadratic(sum(matrices))
    if not others:
        return quadratic
    if not provides(others[0], "prox"):
        return PenaltySum(penalties)
    return QuadraticPlusPenalty(quadratic, others[0])
