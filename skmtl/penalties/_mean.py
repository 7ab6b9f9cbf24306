import numpy as np
from scipy.linalg.lapack import dpotrf, dpotri

from ._base import BasePenalty


class MeanRegularization(BasePenalty):
    r"""Ridge penalty that pulls every task's weights toward their mean.

    .. math::

        \Omega(W) = {math},
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

    math = (
        r"\alpha \Big( \sum_{t=1}^{T} \|w_t\|^2"
        "\n"
        r"+ \lambda \sum_{t=1}^{T} \|w_t - \bar w\|^2 \Big)"
    )
    capabilities = frozenset(
        {
            "gradient",
            "conjugate",
            "newton_system",
            "spectral_newton_system",
            "mean_spread",
            "task_quadratic",
        }
    )

    def __init__(self, alpha, coupling):
        self.alpha = alpha
        self.coupling = coupling

    @property
    def pooled(self):
        return np.isinf(self.coupling)

    @property
    def curvatures(self):
        r"""``(mean, spread)``: the penalty's Hessian on its two subspaces.

        :math:`\Omega(W) = \frac{\mu}{2} T \|\bar w\|^2 + \frac{\lambda}{2}
        \|W - 1 \bar w^\top\|_F^2` with :math:`\mu = 2\alpha` on the
        direction where all rows are equal and :math:`\lambda = 2\alpha(1 +
        \text{coupling})` (infinite when pooled, possibly overflowing to
        infinity for a huge coupling) on its complement. Solvers that work in
        these two parts stay exact however large the coupling is.
        """
        return 2 * self.alpha, 2 * self.alpha * (1 + self.coupling)

    def task_quadratic(self, n_tasks):
        """The penalty as a :class:`TaskQuadratic` of ``n_tasks`` tasks.

        ``M = 2 alpha (I + coupling (I - 11' / T))``; a pooled penalty
        (``coupling=inf``) is a constraint, not a quadratic.
        """
        from ._composite import TaskQuadratic

        if self.pooled:
            raise ValueError(
                "MeanRegularization with coupling=inf restricts the weights to "
                "one shared vector and cannot be added to other penalties; give "
                "a finite coupling."
            )
        centring = np.eye(n_tasks) - 1.0 / n_tasks
        return TaskQuadratic(
            2 * self.alpha * (np.eye(n_tasks) + self.coupling * centring)
        )

    def value(self, W):
        mean, spread = mean_and_spread(W)
        if self.pooled:
            # The domain is {all rows equal}; allow round-off only.
            if np.max(np.abs(spread), initial=0.0) > 1e-10 * (1 + np.max(np.abs(W))):
                return np.inf
            return self.alpha * W.shape[0] * float(mean @ mean)
        return self.parts_value(W.shape[0] * float(mean @ mean), np.sum(spread**2))

    def parts_value(self, mean_squared_norm, spread_squared_norm):
        """The penalty from ``T ||w_bar||^2`` and ``||W - 1 w_bar'||^2``.

        A zero spread costs nothing even when the coupling is infinite.
        """
        spread = 0.0
        if spread_squared_norm > 0:
            spread = (1 + self.coupling) * spread_squared_norm
        return self.alpha * float(mean_squared_norm + spread)

    def gradient(self, W):
        if self.pooled:
            return self.project(2 * self.alpha * W)
        mean, spread = mean_and_spread(W)
        mu, lam = self.curvatures
        return mu * mean + lam * spread

    def project(self, W):
        if self.pooled:
            return np.broadcast_to(mean_and_spread(W)[0], W.shape).copy()
        return W

    def conjugate(self, V):
        r"""Fenchel conjugate.

        The Hessian of :math:`\Omega` is :math:`2\alpha` on the direction where
        all rows are equal and :math:`2\alpha(1+\lambda)` on its complement, so

        .. math::

            \Omega^*(V) = \frac{T \|\bar v\|^2}{4\alpha}
                + \frac{\|V - 1\bar v^\top\|_F^2}{4\alpha(1+\lambda)}.
        """
        mean, spread = mean_and_spread(V)
        within = 0.0 if self.pooled else np.sum(spread**2) / (1 + self.coupling)
        return float(V.shape[0] * (mean @ mean) + within) / (4 * self.alpha)

    def solve_newton_system(self, H, R, spectrum=None):
        r"""Solve :math:`(\operatorname{blockdiag}(H_t) + \nabla^2\Omega)\,D = R`.

        Never forms the (T p) x (T p) system. With :math:`\mu = 2\alpha`,
        :math:`\lambda = 2\alpha(1+\text{coupling})` and
        :math:`A_t = H_t + \lambda I`, each block is
        :math:`D_t = A_t^{-1}(R_t + (\lambda - \mu) \bar d)`, and averaging
        over tasks gives one p x p system for the mean :math:`\bar d`. Written
        with :math:`I - (\lambda - \mu) A_t^{-1} = A_t^{-1}(H_t + \mu I)`, and
        with the scaled blocks :math:`\tilde A_t = A_t / \lambda = I +
        H_t/\lambda`, it has no cancellation however large the coupling:

        .. math::

            \Big(\frac1T \sum_t \tilde A_t^{-1} (H_t + \mu I)\Big) \bar d
            = \frac1T \sum_t \tilde A_t^{-1} R_t, \qquad
            D_t = \bar d + \frac{1}{\lambda}\,
            \tilde A_t^{-1}\big(R_t - (H_t + \mu I)\bar d\big).

        As the coupling grows the deviations vanish like :math:`1/\lambda`
        and :math:`\bar d` tends to the pooled step, which it equals when
        :math:`\lambda` overflows to infinity.

        Parameters
        ----------
        H : ndarray of shape (n_tasks, n_features, n_features)
            Symmetric positive semi-definite per-task curvature blocks.
        R : ndarray of shape (n_tasks, n_features)
        spectrum : (eigenvalues, eigenvectors) of ``H``, optional
            ``np.linalg.eigh`` of the blocks (of one block when all are
            equal). A sequence of penalties on the same blocks (a path, a CV
            grid over ``alpha`` and the coupling) factorises them once: every
            matrix above is then a function of :math:`H_t` (for instance
            :math:`\tilde A_t^{-1} = U_t (I + \Lambda_t/\lambda)^{-1}
            U_t^\top`), and each solve costs products instead of ``T``
            factorisations.

        Returns
        -------
        D : ndarray of shape (n_tasks, n_features)
        """
        T, p = R.shape
        eye = np.eye(p)
        mu, lam = self.curvatures
        if self.pooled:
            d = np.linalg.solve(H.sum(axis=0) + mu * T * eye, R.sum(axis=0))
            return np.tile(d, (T, 1))
        if spectrum is not None:
            return self._solve_spectral(*spectrum, R)
        if self.coupling == 0:
            return np.linalg.solve(H + lam * eye, R[:, :, None])[:, :, 0]
        if _all_equal(H):
            # Shared design, complete targets, squared loss: one block for all.
            A_inv = _spd_inverse(H[:1] / lam + eye)[0]
            system = A_inv @ (H[0] + mu * eye)
            rhs = A_inv @ R.mean(axis=0)
        else:
            scaled = H / lam
            scaled += eye
            A_inv = _spd_inverse(scaled)
            # Sums over tasks of A_t^{-1} M_t as one product of the stacked
            # blocks (A_t^{-1} is symmetric): no (T, p, p) temporary.
            stacked = A_inv.reshape(-1, p)
            system = (stacked.T @ H.reshape(-1, p) + mu * A_inv.sum(axis=0)) / T
            rhs = R.reshape(-1) @ stacked / T
        system = 0.5 * (system + system.T)  # symmetric in exact arithmetic
        d_mean = np.linalg.solve(system, rhs)
        residual = R - H @ d_mean - mu * d_mean
        return d_mean + np.matmul(A_inv, residual[:, :, None])[:, :, 0] / lam

    def _solve_spectral(self, values, vectors, R):
        r""":meth:`solve_newton_system` in the eigenbases ``vectors`` of the blocks.

        The same formulas with :math:`H_t = U_t \Lambda_t U_t^\top`: the
        scaled inverse :math:`\tilde A_t^{-1}` has eigenvalues ``1 / (1 +
        values / lam)`` (1 when ``lam`` overflows to infinity), so nothing
        cancels however large the coupling.
        """
        mu, lam = self.curvatures

        def to_basis(V):  # U_t' v_t (U broadcasts when all blocks are equal)
            return np.matmul(V[:, None, :], vectors)[:, 0]

        def from_basis(V):  # U_t v_t
            return np.matmul(vectors, V[:, :, None])[:, :, 0]

        R_basis = to_basis(R)
        if self.coupling == 0:
            return from_basis(R_basis / (values + lam))
        shrink = 1.0 / (1.0 + values / lam)
        scaled = vectors * (shrink * (values + mu))[:, None, :]
        # (The mean of one block, when all are equal, is that block.)
        system = np.matmul(scaled, vectors.transpose(0, 2, 1)).mean(axis=0)
        system = 0.5 * (system + system.T)  # symmetric in exact arithmetic
        rhs = from_basis(np.broadcast_to(shrink, R.shape) * R_basis).mean(axis=0)
        d_mean = np.linalg.solve(system, rhs)
        d_basis = to_basis(np.broadcast_to(d_mean, R.shape))
        residual = R_basis - (values + mu) * d_basis
        return d_mean + from_basis(shrink * residual) / lam

    def as_cvxpy(self, W):
        import cvxpy as cp

        spread = W - np.ones((W.shape[0], 1)) @ cp.reshape(
            cp.sum(W, axis=0) / W.shape[0], (1, W.shape[1]), order="C"
        )
        return self.alpha * (cp.sum_squares(W) + self.coupling * cp.sum_squares(spread))

    def cvxpy_coef(self, n_tasks, n_features):
        """``W = 1 w' + (V - 1 v_bar') / sqrt(1 + coupling)``, from two variables.

        The penalty is then ``alpha (T ||w||^2 + ||V||^2)`` (the optimal ``V``
        has zero mean), whose conditioning does not depend on the coupling;
        ``as_cvxpy`` on a plain variable would multiply it by the coupling.
        """
        import cvxpy as cp

        w = cp.Variable((1, n_features))
        W = np.ones((n_tasks, 1)) @ w
        penalty = n_tasks * cp.sum_squares(w)
        scale = 1 / np.sqrt(1 + self.coupling)
        if scale > 0:
            V = cp.Variable((n_tasks, n_features))
            centring = np.eye(n_tasks) - 1.0 / n_tasks
            W = W + scale * (centring @ V)
            penalty = penalty + cp.sum_squares(V)
        return W, self.alpha * penalty


def mean_and_spread(W):
    """``(w_bar, W - w_bar)``, exact for rows that are equal or nearly so.

    The mean is taken about the first row: rows that are bitwise equal give
    a spread of exactly zero (a plain mean may differ from them in the last
    bit, which a huge coupling would turn into a huge penalty), and nearly
    equal rows keep the digits of their differences.
    """
    differences = W - W[:1]
    shift = differences.mean(axis=0)
    return W[0] + shift, differences - shift


def _all_equal(H):
    """Whether the blocks of the stack ``H`` are all equal: at once for one
    block broadcast over the tasks (the closed form's on a shared design),
    else two compared first, so that distinct blocks cost no pass."""
    if H.strides[0] == 0:
        return True
    if len(H) > 1 and not np.array_equal(H[0], H[1]):
        return False
    return np.array_equal(H, np.broadcast_to(H[0], H.shape))


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
