r"""A weight vector common to all tasks under any penalty: ``W = 1 w_0' + V``.

:class:`CommonWeights` is the penalty of the common part (rows all equal
to :math:`w_0`, with an optional ridge); :class:`SharedComponent` puts it
beside any penalty of the task-specific part :math:`V`, as a
:class:`~skmtl.penalties.Decomposition`, so that the decomposition solvers
(lifted FISTA and the cvxpy reference) fit both parts.
"""

import numpy as np

from ._base import BasePenalty
from ._decomposition import Decomposition

# Size of sum_t V_t, relative to 1 + |V|, that still counts as zero in the
# conjugate of the unpenalised common part: the certificate refits w_0 by
# Newton steps, so the dual point meets the constraint to round-off only.
_ZERO_SUM_RTOL = 1e-9


class CommonWeights(BasePenalty):
    r"""Penalty of a weight matrix whose rows are all equal: ``P = 1 w_0'``.

    .. math::

        g(P) = {math} \quad \text{if } P = \mathbf{1} w_0^\top,
        \qquad +\infty \text{ otherwise}.

    With ``alpha=0`` the common vector :math:`w_0` is unpenalised. Its
    conjugate is :math:`\|\sum_t V_t\|^2 / (2\alpha)` (for ``alpha=0``, the
    indicator of :math:`\sum_t V_t = 0`), :math:`V_t` the rows of :math:`V`.

    Parameters
    ----------
    alpha : float, >= 0, default=0.0
        Ridge strength on :math:`w_0`.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.penalties import CommonWeights
    >>> CommonWeights(0.0).prox(np.array([[1.0, 2.0], [3.0, 0.0]]), 1.0)
    array([[2., 1.],
           [2., 1.]])
    """

    math = r"\frac{\alpha}{2} \|w_0\|_2^2"
    capabilities = frozenset({"prox", "conjugate", "feature_rescaling", "common_rows"})

    def __init__(self, alpha=0.0):
        # An infinite ridge fixes w_0 = 0: the penalty of V alone, which the
        # estimators use for alpha_shared=inf (the solvers here need it finite).
        if not 0 <= alpha < np.inf:
            raise ValueError(
                f"alpha of CommonWeights must be finite and >= 0, got {alpha}. "
                "alpha=inf is no common part: use the penalty of V alone."
            )
        self.alpha = alpha
        # Per-feature multipliers of alpha, set by :meth:`rescaled` only.
        self._alpha_scale = 1.0

    def rescaled(self, scale):
        """The same penalty in the variables ``V = W / scale`` (per feature)."""
        out = CommonWeights(self.alpha)
        out._alpha_scale = self._alpha_scale * np.asarray(scale, dtype=float) ** 2
        return out

    def ridge(self, n_features):
        """The ridge strength of each feature of :math:`w_0` (after rescaling)."""
        return np.broadcast_to(self.alpha * self._alpha_scale, (n_features,))

    @staticmethod
    def common(P):
        """:math:`w_0`: the mean row of ``P`` (its rows, when ``P`` is feasible)."""
        return P.mean(axis=0)

    def value(self, P):
        w0 = self.common(P)
        if not np.allclose(P, w0, rtol=1e-12, atol=1e-300):
            return np.inf
        return float(0.5 * np.sum(self.ridge(len(w0)) * w0 * w0))

    def prox(self, P, step):
        r"""Rows :math:`w_0 = \sum_t P_t / (T + \text{step}\,\alpha)`."""
        T = P.shape[0]
        w0 = P.sum(axis=0) / (T + step * self.ridge(P.shape[1]))
        return np.broadcast_to(w0, P.shape).copy()

    def conjugate(self, V):
        total = V.sum(axis=0)
        ridge = self.ridge(len(total))
        free = ridge == 0
        # On the unpenalised features the sum must vanish, to round-off (as
        # TaskQuadratic's conjugate off its null space).
        if np.linalg.norm(total[free]) > _ZERO_SUM_RTOL * (1 + np.linalg.norm(V)):
            return np.inf
        return float(0.5 * np.sum(total[~free] ** 2 / ridge[~free]))

    def round_off_feasible(self, V, scale):
        """``V`` with its column sums on the unpenalised features set to zero
        where they are within round-off of zero.

        ``scale`` (a float, or one per feature) is the size of the terms
        from which ``V`` was computed: a solver whose ``w0`` is optimal to
        round-off has sums of ``eps * scale``, and the conjugate is finite
        only at zero sums.
        """
        total = V.sum(axis=0)
        tiny = (self.ridge(V.shape[1]) == 0) & (
            np.abs(total) <= _ZERO_SUM_RTOL * (np.abs(V).sum(axis=0) + scale)
        )
        return V - np.where(tiny, total / V.shape[0], 0.0)

    def as_cvxpy(self, P):
        raise TypeError(
            "CommonWeights restricts P to equal rows: build P with cvxpy_coef."
        )

    def cvxpy_coef(self, n_tasks, n_features):
        """``P = 1 w_0'`` from a cvxpy vector ``w_0``, and its ridge."""
        import cvxpy as cp

        w0 = cp.Variable((1, n_features))
        P = np.ones((n_tasks, 1)) @ w0
        return P, 0.5 * self.alpha * cp.sum_squares(w0)


class SharedComponent(Decomposition):
    r"""Any penalty on the task-specific part of ``W = 1 w_0' + V``.

    .. math::

        \Omega(W) = \min_{w_0} \; \Omega_V(W - \mathbf{1} w_0^\top)
        + \frac{\alpha_0}{2} \|w_0\|_2^2 ,

    the decomposition of :math:`W` into a weight vector :math:`w_0` common to
    all tasks (unpenalised for :math:`\alpha_0 = 0`) and deviations
    :math:`V` penalised by :math:`\Omega_V`. A penalty that shrinks the
    tasks toward zero (L2,1, the trace norm, the lasso) then shrinks them
    toward :math:`w_0`: at large strength the model is the pooled one (one
    weight vector, one intercept per task), at zero the independent one.

    Parameters
    ----------
    penalty : penalty
        :math:`\Omega_V`, the penalty of the deviations :math:`V`; it needs a
        proximal operator for the fast solver (else cvxpy solves).
    alpha_shared : float, >= 0, default=0.0
        :math:`\alpha_0`, the ridge strength of :math:`w_0`; finite (its limit
        ``inf`` is ``penalty`` alone).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import MultiTaskLinearModel
    >>> from skmtl.penalties import L21, SharedComponent
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4))
    >>> Y = X @ np.array([[1.0, 2.0, 0.0, 0.0]] * 3).T + 0.1 * rng.normal(size=(60, 3))
    >>> model = MultiTaskLinearModel("squared", SharedComponent(L21(1.0))).fit(X, Y)
    >>> np.round(model.shared_coef_[0], 1) + 0.0  # w_0: the pooled weights
    array([1., 2., 0., 0.])
    >>> bool(np.all(model.specific_coef_ == 0))  # no task departs from them
    True
    """

    def __init__(self, penalty, alpha_shared=0.0):
        super().__init__(CommonWeights(alpha_shared), penalty)

    # Read from the parts, which ``rescaled`` replaces: never stale.
    @property
    def penalty(self):
        r""":math:`\Omega_V`, the penalty of the deviations."""
        return self.specific

    @property
    def alpha_shared(self):
        r""":math:`\alpha_0`, the ridge strength of :math:`w_0`."""
        return self.shared.alpha
