import numpy as np
from scipy.linalg.lapack import dpotrf, dpotri

from ._base import BasePenalty


class MeanRegularization(BasePenalty):
    r"""Ridge penalty that pulls every task's weights toward their mean.

    .. math::

        \Omega(W) = \alpha \Big( \sum_{t=1}^{T} \|w_t\|^2
                    + \lambda \sum_{t=1}^{T} \|w_t - \bar w\|^2 \Big),
        \qquad \bar w = \frac{1}{T} \sum_{t=1}^{T} w_t,

    with :math:`\lambda` the ``coupling`` (Evgeniou & Pontil, KDD 2004).
    ``coupling=0`` gives independent ridge penalties; ``coupling=inf``
    forces all :math:`w_t` equal (one pooled weight vector) and the
    penalty is then :math:`\alpha T \|\bar w\|^2`.

    Parameters
    ----------
    alpha : float, > 0
        Overall strength.
    coupling : float in [0, inf]
        Strength of the pull toward the mean, relative to ``alpha``.
    """

    def __init__(self, alpha, coupling):
        self.alpha = alpha
        self.coupling = coupling

    @property
    def pooled(self):
        return np.isinf(self.coupling)

    def value(self, W):
        mean = W.mean(axis=0)
        spread = W - mean
        if self.pooled:
            # The domain is {all rows equal}; allow round-off only.
            if np.max(np.abs(spread), initial=0.0) > 1e-10 * (1 + np.max(np.abs(W))):
                return np.inf
            return self.alpha * W.shape[0] * float(mean @ mean)
        return self.alpha * float(np.sum(W**2) + self.coupling * np.sum(spread**2))

    def gradient(self, W):
        if self.pooled:
            return self.project(2 * self.alpha * W)
        return 2 * self.alpha * (W + self.coupling * (W - W.mean(axis=0)))

    def project(self, W):
        if self.pooled:
            return np.broadcast_to(W.mean(axis=0), W.shape).copy()
        return W

    def conjugate(self, V):
        r"""Fenchel conjugate.

        The Hessian of :math:`\Omega` is :math:`2\alpha` on the direction where
        all rows are equal and :math:`2\alpha(1+\lambda)` on its complement, so

        .. math::

            \Omega^*(V) = \frac{T \|\bar v\|^2}{4\alpha}
                + \frac{\|V - 1\bar v^\top\|_F^2}{4\alpha(1+\lambda)}.
        """
        mean = V.mean(axis=0)
        within = 0.0 if self.pooled else np.sum((V - mean) ** 2) / (1 + self.coupling)
        return float(V.shape[0] * (mean @ mean) + within) / (4 * self.alpha)

    def solve_newton_system(self, H, R):
        r"""Solve :math:`(\operatorname{blockdiag}(H_t) + \nabla^2\Omega)\,D = R`.

        Never forms the (T p) x (T p) system. With
        :math:`A_t = H_t + 2\alpha(1+\lambda) I`, each block is
        :math:`D_t = A_t^{-1}(R_t + 2\alpha\lambda \bar d)`, and averaging over
        tasks gives one p x p system for the mean :math:`\bar d`:

        .. math::

            \Big(I - \frac{2\alpha\lambda}{T}\sum_t A_t^{-1}\Big)\,\bar d
            = \frac{1}{T}\sum_t A_t^{-1} R_t.

        Each :math:`A_t` is factorised once (Cholesky) and inverted. The
        matrix on the left has eigenvalues down to about :math:`1/(1+\lambda)`,
        so about :math:`\log_{10}(1+\lambda)` digits of the mean direction are
        lost to cancellation; the solvers' duality-gap check takes another
        step when that matters.

        Parameters
        ----------
        H : ndarray of shape (n_tasks, n_features, n_features)
            Symmetric positive semi-definite per-task curvature blocks.
        R : ndarray of shape (n_tasks, n_features)

        Returns
        -------
        D : ndarray of shape (n_tasks, n_features)
        """
        T, p = R.shape
        eye = np.eye(p)
        if self.pooled:
            d = np.linalg.solve(H.sum(axis=0) + 2 * self.alpha * T * eye, R.sum(axis=0))
            return np.tile(d, (T, 1))
        A = H + 2 * self.alpha * (1 + self.coupling) * eye
        if self.coupling == 0:
            return np.linalg.solve(A, R[:, :, None])[:, :, 0]
        pull = 2 * self.alpha * self.coupling
        if np.array_equal(A, np.broadcast_to(A[0], A.shape)):
            # Shared design, complete targets, squared loss: one block for all.
            A_inv = np.broadcast_to(_spd_inverse(A[:1]), A.shape)
        else:
            A_inv = _spd_inverse(A)
        A_inv_R = np.einsum("tij,tj->ti", A_inv, R)
        d_mean = np.linalg.solve(
            eye - pull / T * A_inv.sum(axis=0), A_inv_R.mean(axis=0)
        )
        return A_inv_R + pull * (A_inv @ d_mean)

    def as_cvxpy(self, W):
        import cvxpy as cp

        spread = W - np.ones((W.shape[0], 1)) @ cp.reshape(
            cp.sum(W, axis=0) / W.shape[0], (1, W.shape[1]), order="C"
        )
        return self.alpha * (cp.sum_squares(W) + self.coupling * cp.sum_squares(spread))

    def cvxpy_coef(self, n_tasks, n_features):
        if not self.pooled:
            return super().cvxpy_coef(n_tasks, n_features)
        import cvxpy as cp

        w = cp.Variable((1, n_features))
        W = np.ones((n_tasks, 1)) @ w
        return W, self.alpha * n_tasks * cp.sum_squares(w)


def _spd_inverse(A):
    """Inverses of a stack of symmetric positive definite matrices.

    LAPACK's Cholesky-based inverse per matrix costs a third of the LU of
    ``np.linalg.inv``; for small matrices the batched call has less overhead.
    """
    if A.shape[-1] < 64:
        return np.linalg.inv(A)
    inverse = np.empty_like(A)
    for t, block in enumerate(A):
        factor, info = dpotrf(block, lower=True, clean=False)
        if info == 0:
            factor, info = dpotri(factor, lower=True)
        if info != 0:
            raise np.linalg.LinAlgError(f"block {t} is not positive definite")
        inverse[t] = np.tril(factor) + np.tril(factor, -1).T
    return inverse
