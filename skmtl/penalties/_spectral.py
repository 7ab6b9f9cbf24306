"""Spectral functions of the task-weight matrix for the trace-norm penalties.

Their proximal operators change the singular values of ``W`` and keep its
singular vectors. On a tall or wide ``W`` (139 tasks x 27 features on
School) the eigendecomposition of the smaller Gram matrix gives them in half
the time of an SVD; it is used when it is exact enough for the values the
operator keeps, and the SVD otherwise.
"""

import numpy as np

from ._base import BasePenalty

# The Gram route loses digits on small singular values: sigma_k^2 is known
# to eps * sigma_max^2, so a kept sigma_k >= ratio * sigma_max errs by at
# most eps / (2 * ratio) times sigma_max. With this ratio the shrunk matrix
# is exact to about 1e-12 of its spectral norm.
_GRAM_MIN_RATIO = 1e-4


def shrink_spectrum(W, shrink):
    """``U diag(shrink(sigma)) V'`` for ``W = U diag(sigma) V'``.

    Parameters
    ----------
    W : ndarray of shape (n_tasks, n_features)
    shrink : callable
        Maps the singular values (decreasing) to new non-negative values,
        zero for those it drops.

    Returns
    -------
    shrunk_W : ndarray of shape (n_tasks, n_features)
    shrunk : ndarray
        The new singular values (those of ``shrunk_W``).
    """
    wide = W.shape[0] < W.shape[1]
    A = W.T if wide else W  # A = W or W', with fewer columns than rows
    if A.shape[1] == 0:
        return np.zeros_like(W), np.zeros(0)
    eigenvalues, V, scale = _gram_eigh(A)
    sigma = scale * np.sqrt(np.maximum(eigenvalues[::-1], 0.0))
    V = V[:, ::-1]
    shrunk = shrink(sigma)
    kept = shrunk > 0
    if not np.any(kept):
        return np.zeros_like(W), shrunk
    if sigma[kept][-1] < _GRAM_MIN_RATIO * sigma[0]:
        U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
        shrunk = shrink(sigma)
        return (U * shrunk) @ Vt, shrunk
    # A V diag(shrunk / sigma) V' = U diag(shrunk) V' on the kept directions.
    V = V[:, kept]
    out = ((A @ V) * (shrunk[kept] / sigma[kept])) @ V.T
    return (out.T if wide else out), shrunk


def spectral_norm(V):
    """The largest singular value of ``V``, from the smaller Gram matrix.

    The largest eigenvalue of ``V'V`` is exact to ``eps`` relative, so the
    norm is too, in a third of the time of an SVD.
    """
    if V.size == 0:
        return 0.0
    A = V.T if V.shape[0] < V.shape[1] else V
    eigenvalues, _, scale = _gram_eigh(A, vectors=False)
    return float(scale * np.sqrt(max(eigenvalues[-1], 0.0)))


def _gram_eigh(A, vectors=True):
    """``(eigenvalues, eigenvectors or None, scale)`` of ``B' B``, ``B = A / scale``.

    ``scale`` is the largest entry in absolute value (1 for a zero ``A``), so
    that squaring the entries neither overflows nor underflows: the Gram
    matrix of ``A`` itself would for entries beyond about 1e154 or below
    1e-162, half of float64's exponent range.
    """
    scale = float(np.max(np.abs(A)))
    if not 0 < scale < np.inf:
        scale = 1.0  # zeros stay zeros; non-finite entries propagate
    B = A / scale
    if vectors:
        return *np.linalg.eigh(B.T @ B), scale
    return np.linalg.eigvalsh(B.T @ B), None, scale


class SpectralPenalty(BasePenalty):
    """A penalty on the singular values of ``W``, with a proximal operator.

    Proximal gradient evaluates the penalty at the point its proximal
    operator returned (to compare objectives, and to certify it): the
    singular values that operator kept give that value without a second
    decomposition. The point is kept as a copy and compared entry by entry,
    so a changed or another array is never mistaken for it.
    """

    _last_prox = None  # (the last proximal point, copied; its singular values)

    def _shrink(self, W, shrink):
        """:func:`shrink_spectrum`, remembered for :meth:`_singular_values`."""
        out, shrunk = shrink_spectrum(W, shrink)
        self._last_prox = (out.copy(), shrunk)
        return out

    def _singular_values(self, W):
        last = self._last_prox
        if last is not None and np.array_equal(W, last[0]):
            return last[1]
        return np.linalg.svd(W, compute_uv=False)
