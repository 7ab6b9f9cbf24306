import numpy as np

from ._base import BasePenalty


class L21(BasePenalty):
    r"""Group lasso over features: each feature's weights across tasks are one group.

    .. math::

        \Omega(W) = \alpha \sum_{j=1}^{p} \|W_{:, j}\|_2
                    + \frac{\ell_2}{2} \|W\|_F^2,

    where :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks, so
    a feature is used by every task or by none (Obozinski, Taskar & Jordan
    2010; Liu, Ji & Ye 2009).

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the L2,1 norm.
    l2 : float, >= 0, default=0.0
        Strength of the ridge term.
    """

    def __init__(self, alpha, l2=0.0):
        self.alpha = alpha
        self.l2 = l2

    def value(self, W):
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        return float(self.alpha * norms.sum() + 0.5 * self.l2 * (norms @ norms))

    def prox(self, W, step):
        """Group soft-thresholding of the columns, then ridge shrinkage.

        A column whose norm exceeds the threshold by less than round-off
        (1e-12 relative) is set to zero, so that ``alpha = alpha_max``, computed
        from the same gradient by another sum, gives exact zeros.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        threshold = step * self.alpha
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(
                norms > threshold * (1 + 1e-12), 1.0 - threshold / norms, 0.0
            )
        return W * (shrink / (1.0 + step * self.l2))

    def conjugate(self, V):
        r"""Fenchel conjugate.

        :math:`\sum_j (\|v_j\| - \alpha)_+^2 / (2\ell_2)` when ``l2 > 0``;
        otherwise the indicator of the dual-norm ball
        :math:`\max_j \|v_j\| \le \alpha`.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", V, V))
        excess = np.maximum(norms - self.alpha, 0.0)
        if self.l2 > 0:
            return float(excess @ excess) / (2 * self.l2)
        return 0.0 if np.all(excess <= 1e-12 * (1 + self.alpha)) else np.inf

    def dual_norm(self, V):
        """Largest column norm: the norm dual to the L2,1 norm."""
        return float(np.sqrt(np.einsum("tj,tj->j", V, V)).max(initial=0.0))

    def dual_scale(self, V):
        if self.l2 > 0:
            return 1.0
        largest = self.dual_norm(V)
        return 1.0 if largest <= self.alpha else self.alpha / largest

    def feature_scores(self, W, G):
        """Violation of the optimality conditions of each feature.

        ``G`` is the gradient of the smooth part. A zero column is optimal
        when ``||G_j|| <= alpha``; a non-zero one when
        ``G_j + alpha w_j / ||w_j|| + l2 w_j = 0``.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        active = norms > 0
        residual = G + self.l2 * W
        residual[:, active] += self.alpha * W[:, active] / norms[active]
        inactive = np.maximum(np.sqrt(np.einsum("tj,tj->j", G, G)) - self.alpha, 0)
        return np.where(
            active, np.sqrt(np.einsum("tj,tj->j", residual, residual)), inactive
        )

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.sum(
            cp.norm(W, 2, axis=0)
        ) + 0.5 * self.l2 * cp.sum_squares(W)
