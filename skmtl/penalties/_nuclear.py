import numpy as np

from ._spectral import SpectralPenalty, spectral_norm


class NuclearNorm(SpectralPenalty):
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
    capabilities = frozenset({"prox", "conjugate", "dual_term", "low_rank_factors"})

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return float(self.alpha * self._singular_values(W).sum())

    def prox(self, W, step):
        """Singular value soft-thresholding by ``step * alpha``.

        A singular value that exceeds the threshold by less than round-off
        (1e-12 relative) is set to zero.
        """
        threshold = step * self.alpha

        def shrink(sigma):
            return np.where(sigma > threshold * (1 + 1e-12), sigma - threshold, 0.0)

        return self._shrink(W, shrink)

    def conjugate(self, V):
        r"""Fenchel conjugate: the indicator of :math:`\|V\|_2 \le \alpha`.

        :math:`\|V\|_2` is the spectral norm (largest singular value). Zero
        inside the ball (up to round-off, 1e-12 relative), infinite outside.
        """
        excess = max(self.dual_norm(V) - self.alpha, 0.0)
        return 0.0 if excess <= 1e-12 * (1 + self.alpha) else np.inf

    def dual_norm(self, V):
        """Spectral norm (largest singular value): the norm dual to the trace norm."""
        return spectral_norm(V)

    def dual_scale(self, V):
        largest = self.dual_norm(V)
        return 1.0 if largest <= self.alpha else self.alpha / largest

    def dual_term(self, V, W):
        """``(s, 0)``: ``s V`` lies in the ball where the conjugate is zero.

        (One spectral norm per certificate, where ``dual_scale`` and
        ``conjugate`` would take two.)
        """
        return self.dual_scale(V), 0.0

    def factored(self, s):
        r"""``(psi(s), psi'(s), psi''(s))`` for :math:`\psi(s) = \alpha s`.

        On factors :math:`W = L R^\top` the norm is at most
        :math:`s = \frac12(\|L\|_F^2 + \|R\|_F^2)`, with equality at the
        balanced factors of the SVD (``low_rank_factors``).
        """
        return self.alpha * s, self.alpha, 0.0

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.normNuc(W)
