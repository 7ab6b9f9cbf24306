import numpy as np

from ._spectral import SpectralPenalty, spectral_norm


class SquaredTraceNorm(SpectralPenalty):
    r"""Squared trace (nuclear) norm of the task-weight matrix.

    .. math::

        \Omega(W) = {math} = \alpha \Big(\sum_k \sigma_k(W)\Big)^2
        = \alpha \min_{D \succeq 0,\ \operatorname{tr} D \le 1}
          \sum_{t=1}^{T} w_t^\top D^+ w_t,

    the convex multi-task feature learning penalty of Argyriou, Evgeniou &
    Pontil (2008): the tasks share a low-dimensional set of learned feature
    directions, the eigenvectors of the optimal
    :math:`D = (W^\top W)^{1/2} / \|W\|_*`.

    Parameters
    ----------
    alpha : float, >= 0
    """

    math = r"\alpha \|W\|_*^2"
    capabilities = frozenset({"prox", "conjugate", "low_rank_factors"})

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return float(self.alpha * self._singular_values(W).sum() ** 2)

    def prox(self, W, step):
        r"""Shrink the singular values by the prox of :math:`\lambda (\sum s)^2`.

        With :math:`\lambda` = ``step * alpha`` and singular values
        :math:`\sigma_1 \ge \sigma_2 \ge \dots`, the minimiser of
        :math:`\frac12 \|s - \sigma\|^2 + \lambda (\sum_k s_k)^2` over
        :math:`s \ge 0` is :math:`s = (\sigma - \tau)_+` with
        :math:`\tau = 2\lambda \sum_{k \le K} \sigma_k / (1 + 2 \lambda K)`, for
        the largest :math:`K` with :math:`\sigma_K > \tau`.
        """
        return self._shrink(W, lambda sigma: self.shrink_singular_values(sigma, step))

    def shrink_singular_values(self, sigma, step):
        """The prox of ``step * alpha * (sum s)^2`` on decreasing ``sigma``."""
        lam = step * self.alpha
        k = np.arange(1, len(sigma) + 1)
        tau = 2 * lam * np.cumsum(sigma) / (1 + 2 * lam * k)
        kept = np.flatnonzero(sigma > tau)
        if len(kept) == 0:
            return np.zeros_like(sigma)
        return np.maximum(sigma - tau[kept[-1]], 0.0)

    def factored(self, s):
        r"""``(psi(s), psi'(s), psi''(s))`` for :math:`\psi(s) = \alpha s^2`.

        On factors :math:`W = L R^\top` the trace norm is at most
        :math:`s = \frac12(\|L\|_F^2 + \|R\|_F^2)`, with equality at the
        balanced factors of the SVD (``low_rank_factors``).
        """
        return self.alpha * s * s, 2 * self.alpha * s, 2 * self.alpha

    def conjugate(self, V):
        r""":math:`\Omega^*(V) = \|V\|_2^2 / (4\alpha)`, with the spectral norm."""
        if self.alpha == 0:
            return 0.0 if not np.any(V) else np.inf
        return float(spectral_norm(V) ** 2 / (4 * self.alpha))

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.square(cp.normNuc(W))
