"""Penalties of the decomposition models ``W = P + Q`` (MALSAR's Dirty, rMTFL, RMTL).

:class:`L1Inf` and :class:`TaskL21` are the two group norms these models add
to :class:`L1`, :class:`L21` and :class:`NuclearNorm`; :class:`Decomposition`
is their infimal convolution ``min over P + Q = W of g1(P) + g2(Q)``.
"""

import warnings

import numpy as np

from ._base import BasePenalty, cvxpy_coef, provides
from ._l21 import L21


class L1Inf(BasePenalty):
    r"""Sum over features of the largest absolute weight across tasks.

    .. math::

        \Omega(W) = \alpha \sum_{j=1}^{p} \|W_{:, j}\|_\infty
                  = \alpha \sum_{j=1}^{p} \max_t |W_{tj}|,

    the :math:`\ell_1/\ell_\infty` block norm of Jalali et al. (2010): a
    feature is used by all tasks or by none, like :class:`L21`, but once
    selected its weights may grow up to the largest one at no extra cost, so
    tasks that share a feature tend to share its magnitude.

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the norm.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.penalties import L1Inf
    >>> W = np.array([[3.0, 0.5], [-1.0, 0.5]])
    >>> L1Inf(1.0).value(W)
    3.5
    >>> L1Inf(1.0).prox(W, 1.0)  # columns shrink towards their smallest entries
    array([[ 2.,  0.],
           [-1.,  0.]])
    """

    capabilities = frozenset({"prox", "conjugate"})

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return float(self.alpha * np.abs(W).max(axis=0, initial=0.0).sum())

    def prox(self, W, step):
        r"""Clip every column at the level that removes ``step * alpha`` of its L1 norm.

        By the Moreau identity the prox of :math:`\tau\|\cdot\|_\infty` is
        :math:`v - \Pi(v)`, :math:`\Pi` the projection onto the L1 ball of
        radius :math:`\tau`; that projection soft-thresholds by some
        :math:`\theta`, so the prox clips :math:`v` to
        :math:`[-\theta, \theta]` (Duchi et al. 2008 give :math:`\theta` from
        the sorted magnitudes). A column whose L1 norm is within round-off
        (1e-12 relative) of the radius, or below it, is set to zero.
        """
        radius = step * self.alpha
        if radius <= 0:
            return np.array(W, dtype=float, copy=True)
        magnitude = np.abs(W)
        ordered = -np.sort(-magnitude, axis=0)
        excess = np.cumsum(ordered, axis=0) - radius
        count = np.arange(1, W.shape[0] + 1)[:, None]
        # The soft-threshold level is (sum of the k largest - radius) / k at
        # the largest k whose k-th magnitude still exceeds that level.
        k = np.maximum(np.sum(ordered * count > excess, axis=0), 1)
        theta = excess[k - 1, np.arange(W.shape[1])] / k
        inside = magnitude.sum(axis=0) <= radius * (1 + 1e-12)
        theta = np.where(inside, 0.0, np.maximum(theta, 0.0))
        return np.sign(W) * np.minimum(magnitude, theta)

    def conjugate(self, V):
        r"""Fenchel conjugate: indicator of :math:`\max_j \|V_{:, j}\|_1 \le \alpha`.

        Zero inside the ball (up to round-off, 1e-12 relative), infinite
        outside.
        """
        excess = self.dual_norm(V) - self.alpha
        return 0.0 if excess <= 1e-12 * (1 + self.alpha) else np.inf

    def dual_norm(self, V):
        """Largest column L1 norm: the norm dual to this one."""
        return float(np.abs(V).sum(axis=0).max(initial=0.0))

    def dual_scale(self, V):
        largest = self.dual_norm(V)
        return 1.0 if largest <= self.alpha else self.alpha / largest

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.sum(cp.max(cp.abs(W), axis=0))


class TaskL21(BasePenalty):
    r"""Group lasso over tasks: each task's weight vector is one group.

    .. math::

        \Omega(W) = \alpha \sum_{t=1}^{T} \|W_{t, :}\|_2,

    the L2,1 norm of :math:`W^\top`: a task's weights are zero or not as a
    whole. Applied to the task-specific part of a decomposition it lets a
    few outlier tasks leave the structure the others share (Gong, Ye & Zhang
    2012; Chen, Zhou & Ye 2011).

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the norm.
    """

    capabilities = frozenset({"prox", "conjugate"})

    def __init__(self, alpha):
        self.alpha = alpha

    @property
    def _columns(self):
        # The same norm on the transpose: L21's groups are columns.
        return L21(self.alpha)

    def value(self, W):
        return self._columns.value(W.T)

    def prox(self, W, step):
        """Group soft-thresholding of the rows (exact zeros within round-off)."""
        return self._columns.prox(W.T, step).T

    def conjugate(self, V):
        r"""Fenchel conjugate: indicator of :math:`\max_t \|V_{t, :}\|_2 \le \alpha`."""
        return self._columns.conjugate(V.T)

    def dual_norm(self, V):
        """Largest row norm: the norm dual to this one."""
        return self._columns.dual_norm(V.T)

    def dual_scale(self, V):
        return self._columns.dual_scale(V.T)

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.sum(cp.norm(W, 2, axis=1))


class Decomposition(BasePenalty):
    r"""The penalty of a weight matrix split into two penalised parts, ``W = P + Q``.

    .. math::

        \Omega(W) = \min_{P + Q = W} \; g_1(P) + g_2(Q),

    the infimal convolution of :math:`g_1` (the shared part :math:`P`) and
    :math:`g_2` (the task-specific part :math:`Q`). Its conjugate is
    :math:`g_1^* + g_2^*`: for two norms, the indicator of the intersection
    of their dual balls. This is the penalty of the "dirty" and robust
    models of MALSAR (``Least_Dirty``, ``Least_rMTFL``, ``Least_RMTL``),
    which minimise over the parts: the decomposition estimators solve for
    :math:`P` and :math:`Q` and evaluate :meth:`split_value`.

    Parameters
    ----------
    shared : penalty
        :math:`g_1`, the penalty of the shared part :math:`P`.
    specific : penalty
        :math:`g_2`, the penalty of the task-specific part :math:`Q`.
    """

    capabilities = frozenset({"conjugate", "decomposition"})

    def __init__(self, shared, specific):
        self.shared = shared
        self.specific = specific
        # Rescaling the features keeps both proxes in closed form when each
        # part allows it (lifted FISTA then preconditions as plain FISTA).
        if provides(shared, "feature_rescaling") and provides(
            specific, "feature_rescaling"
        ):
            self.capabilities = self.capabilities | {"feature_rescaling"}

    def rescaled(self, scale):
        """The same penalty in the variables ``V = W / scale`` (per feature)."""
        out = Decomposition.__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.shared = self.shared.rescaled(scale)
        out.specific = self.specific.rescaled(scale)
        return out

    def split_value(self, P, Q):
        """:math:`g_1(P) + g_2(Q)`: an upper bound of the penalty of ``P + Q``."""
        return self.shared.value(P) + self.specific.value(Q)

    def parts(self):
        """The penalties of the parts, in order, a nested decomposition's
        flattened: a shared component of a decomposition has three parts,
        ``1 w0' + P + Q``."""
        return tuple(
            leaf
            for part in (self.shared, self.specific)
            for leaf in (part.parts() if provides(part, "decomposition") else (part,))
        )

    def value(self, W):
        """The infimal convolution at ``W``, by a small cvxpy solve (no closed form).

        Only the generic cvxpy path needs it; the decomposition estimators
        keep their split and use :meth:`split_value`.
        """
        W = np.asarray(W, dtype=float)
        if not np.any(W):  # both parts zero: no solve needed (nor cvxpy)
            return 0.0
        import cvxpy as cp

        problem = cp.Problem(cp.Minimize(self.as_cvxpy(W)))
        with warnings.catch_warnings():
            # Clarabel calls a solution at these tolerances "inaccurate"
            # when it reaches ~1e-10 only.
            warnings.filterwarnings("ignore", "Solution may be inaccurate")
            problem.solve(
                solver=cp.CLARABEL,
                tol_gap_abs=1e-12,
                tol_gap_rel=1e-12,
                tol_feas=1e-12,
            )
        return float(problem.value)

    def conjugate(self, V):
        r""":math:`g_1^*(V) + g_2^*(V)`."""
        return self.shared.conjugate(V) + self.specific.conjugate(V)

    def dual_scale(self, V):
        """The largest ``s`` in (0, 1] that puts ``s V`` in both parts' domains."""
        return min(self.shared.dual_scale(V), self.specific.dual_scale(V))

    def as_cvxpy(self, W, shared_part=None):
        """:math:`g_1(P) + g_2(W - P)` with an auxiliary cvxpy variable :math:`P`.

        Valid inside a minimisation, which then minimises over :math:`P` too.
        """
        if shared_part is None:
            shared_part, value = cvxpy_coef(self.shared, *W.shape)
        else:
            value = self.shared.as_cvxpy(shared_part)
        return value + self.specific.as_cvxpy(W - shared_part)

    def cvxpy_coef(self, n_tasks, n_features):
        """``W = P + Q`` from the parts' own cvxpy variables, and the penalty."""
        P, shared = cvxpy_coef(self.shared, n_tasks, n_features)
        Q, specific = cvxpy_coef(self.specific, n_tasks, n_features)
        return P + Q, shared + specific
