import numpy as np

from ._base import BasePenalty


class NuclearNorm(BasePenalty):
    r"""Trace (nuclear) norm of the task-weight matrix.

    .. math::

        \Omega(W) = {math} = \alpha \sum_k \sigma_k(W),

    the sum of the singular values of :math:`W`: a convex surrogate of its
    rank, so the task weights lie near a low-dimensional subspace shared by
    all tasks (MALSAR's ``Least_Trace`` / ``Logistic_Trace``, RMTL's
    ``Trace``). Unlike :class:`SquaredTraceNorm` the norm is not squared, so
    singular values are soft-thresholded one by one and a large ``alpha``
    gives ``W = 0``.

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the trace norm.
    """

    math = r"\alpha \|W\|_*"
    capabilities = frozenset({"prox", "conjugate"})

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return float(self.alpha * np.linalg.svd(W, compute_uv=False).sum())

    def prox(self, W, step):
        """Singular value soft-thresholding by ``step * alpha``.

        A singular value that exceeds the threshold by less than round-off
        (1e-12 relative) is set to zero.
        """
        U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
        threshold = step * self.alpha
        shrunk = np.where(sigma > threshold * (1 + 1e-12), sigma - threshold, 0.0)
        kept = shrunk > 0
        return (U[:, kept] * shrunk[kept]) @ Vt[kept]

    def conjugate(self, V):
        r"""Fenchel conjugate: the indicator of :math:`\|V\|_2 \le \alpha`.

        :math:`\|V\|_2` is the spectral norm (largest singular value). Zero
        inside the ball (up to round-off, 1e-12 relative), infinite outside.
        """
        excess = max(self.dual_norm(V) - self.alpha, 0.0)
        return 0.0 if excess <= 1e-12 * (1 + self.alpha) else np.inf

    def dual_norm(self, V):
        """Spectral norm (largest singular value): the norm dual to the trace norm."""
        if V.size == 0:
            return 0.0
        return float(np.linalg.norm(V, 2))

    def dual_scale(self, V):
        largest = self.dual_norm(V)
        return 1.0 if largest <= self.alpha else self.alpha / largest

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.normNuc(W)
