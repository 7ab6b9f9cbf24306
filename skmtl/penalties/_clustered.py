"""Convex clustered multi-task learning (Zhou, Chen & Ye, NIPS 2011)."""

import numpy as np

from ._base import BasePenalty


class ClusteredPenalty(BasePenalty):
    r"""Convex relaxation of k-means clustering of the tasks' weight vectors.

    .. math::

        \Omega(W) = \alpha\,\eta(1 + \eta)
            \min_{M} \operatorname{tr}\big(W^\top (\eta I + M)^{-1} W\big)
        \quad \text{s.t.} \quad \operatorname{tr} M = k,\
            0 \preceq M \preceq I,
        \qquad \eta = \beta / \alpha,

    with :math:`W` the (n_tasks, n_features) task weights (one task per
    row), :math:`M` a (n_tasks, n_tasks) task matrix and :math:`k` the
    number of clusters: MALSAR's ``Least_CMTL`` / ``Logistic_CMTL`` and
    RMTL's ``CMTL`` (``rho1``/``Lam1`` and ``rho2``/``Lam2`` correspond to
    ``alpha`` and ``beta`` up to the scaling of the loss: divide by the number
    of rows for MALSAR, by the number of tasks for RMTL; MALSAR's ``W`` is our
    ``W.T``). When
    :math:`M = F F^\top` for a normalised cluster-indicator matrix
    :math:`F` (:math:`F_{tj} = 1/\sqrt{n_j}` for task :math:`t` in cluster
    :math:`j` of size :math:`n_j`), the penalty is

    .. math::

        \alpha \sum_{j=1}^{k} \sum_{t \in C_j} \|w_t - \bar w_{C_j}\|^2
        + \beta \|W\|_F^2,

    the k-means objective of the rows of :math:`W` plus a ridge; relaxing
    :math:`FF^\top` to the convex set of :math:`M` gives the convex penalty.

    **Closed form.** With the singular values :math:`\sigma_i` of :math:`W`,
    the optimal :math:`M` has the left singular vectors of :math:`W` as
    eigenvectors and eigenvalues :math:`m_i = \operatorname{clip}(\sigma_i /
    \nu - \eta, 0, 1)`, with :math:`\nu > 0` such that :math:`\sum_i m_i =
    k` (a water-filling, solved exactly on the breakpoints of this piecewise
    linear equation), so

    .. math::

        \Omega(W) = \sum_i \frac{\beta(\alpha + \beta)}{\beta + \alpha m_i}
                    \,\sigma_i^2 .

    Each weight lies between :math:`\beta` and :math:`\alpha + \beta`, so
    :math:`\beta \|W\|_F^2 \le \Omega(W) \le (\alpha + \beta)\|W\|_F^2`.
    ``alpha = 0`` is the ridge :math:`\beta \|W\|_F^2` (the limit
    :math:`\eta \to \infty`), and so is :math:`k` = n_tasks (then
    :math:`M = I`). As :math:`\beta \to 0` the relaxed penalty vanishes:
    :math:`\beta` is needed.

    **Gradient.** :math:`\Omega` is differentiable everywhere (its conjugate
    below is strongly convex), with :math:`\nabla\Omega(W) = 2\alpha\eta(1 +
    \eta)(\eta I + M^\star)^{-1} W` (Danskin) :math:`= 2 U \operatorname{diag}
    (\beta(\alpha+\beta)\sigma_i / (\beta + \alpha m_i)) V^\top`, Lipschitz
    with constant :math:`2(\alpha + \beta)`.

    **Conjugate.** For fixed :math:`M` the supremum over :math:`W` of
    :math:`\langle V, W\rangle - c \operatorname{tr}(W^\top(\eta I + M)^{-1}
    W)`, :math:`c = \alpha\eta(1+\eta)`, is :math:`\operatorname{tr}(V^\top
    (\eta I + M) V) / (4c)`; the maximum of :math:`\operatorname{tr}(M V
    V^\top)` over the :math:`M` is the sum of the :math:`k` largest
    eigenvalues of :math:`V V^\top` (Ky Fan), so

    .. math::

        \Omega^*(V) = \frac{\|V\|_F^2}{4(\alpha + \beta)}
            + \frac{\alpha}{4 \beta (\alpha + \beta)}
              \sum_{i=1}^{k} \sigma_i(V)^2,

    finite everywhere (``dual_scale`` is 1). It is not differentiable where
    the :math:`k`-th and :math:`(k+1)`-th singular values of :math:`V` tie,
    which is where :math:`\nabla\Omega(W)` lies whenever some :math:`m_i`
    is strictly between 0 and 1: near the optimum the duality gap is then of
    the order of the square root of the suboptimality.

    As :math:`\alpha \to \infty` with :math:`\beta` fixed the penalty tends to
    :math:`\beta \min_{0 \le m \le 1, \sum m = k} \sum_i \sigma_i^2 / m_i`,
    :math:`\beta` times the squared spectral k-support norm; taking
    :math:`m_i = k / T` shows :math:`\Omega(W) \le \beta(\alpha+\beta) T /
    (\beta T + \alpha k) \, \|W\|_F^2` for all :math:`\alpha`.

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the clustering term (MALSAR's ``rho1``).
    beta : float, > 0
        Strength of the ridge term (MALSAR's ``rho2``).
    n_clusters : int, >= 1
        :math:`k`, at most the number of tasks.

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. Clustered multi-task learning via
       alternating structure optimization. NIPS 2011.

    Examples
    --------
    Three tasks in two exact clusters: the k-means term is 0, only the ridge
    is left, and the optimal :math:`M` is :math:`F F^\top`.

    >>> import numpy as np
    >>> from skmtl.penalties import ClusteredPenalty
    >>> W = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> penalty = ClusteredPenalty(alpha=1.0, beta=0.1, n_clusters=2)
    >>> round(penalty.value(W), 12)
    0.6
    >>> np.round(penalty.task_matrix(W), 12) + 0.0
    array([[0.5, 0.5, 0. ],
           [0.5, 0.5, 0. ],
           [0. , 0. , 1. ]])
    """

    capabilities = frozenset({"gradient", "conjugate"})

    def __init__(self, alpha, beta, n_clusters):
        self.alpha = alpha
        self.beta = beta
        self.n_clusters = n_clusters

    # -- the inner minimum over M ---------------------------------------------

    def _decompose(self, W):
        """``(U, sigma, Vt, m, positive)``: thin SVD of ``W`` and M*'s eigenvalues.

        ``m`` holds the eigenvalues of the optimal ``M`` on the left singular
        vectors ``U``; ``positive`` marks the non-zero singular values (the
        others span, with the complement of ``U``, the null space of
        ``W W'``, where ``M`` only matters through its trace). The last
        result is kept: the solvers ask for the value and the gradient at
        the same point.
        """
        W = np.asarray(W, dtype=float)
        cached = getattr(self, "_last", None)
        if cached is not None and np.array_equal(cached[0], W):
            return cached[1]
        T = W.shape[0]
        if self.n_clusters > T:
            raise ValueError(
                f"n_clusters={self.n_clusters} exceeds the number of tasks "
                f"(n_tasks={T})."
            )
        U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
        positive = sigma > max(W.shape) * np.finfo(float).eps * sigma.max(initial=0)
        m = _optimal_eigenvalues(
            np.where(positive, sigma, 0.0), self.alpha, self.beta, self.n_clusters
        )
        result = U, sigma, Vt, m, positive
        self._last = (W.copy(), result)
        return result

    def _weights(self, m):
        """``alpha eta (1 + eta) / (eta + m)``, written to allow ``alpha = 0``."""
        a, b = self.alpha, self.beta
        # b / (b + a m) <= 1 first: b (a + b) overflows for strengths ~1e200.
        return b / (b + a * m) * (a + b)

    def value(self, W):
        _, sigma, _, m, _ = self._decompose(W)
        return float(np.sum(self._weights(m) * sigma**2))

    def gradient(self, W):
        U, sigma, Vt, m, _ = self._decompose(W)
        return (U * (2 * self._weights(m) * sigma)) @ Vt

    def conjugate(self, V):
        sigma = np.linalg.svd(V, compute_uv=False)
        a, b = self.alpha, self.beta
        top = np.sum(sigma[: self.n_clusters] ** 2)
        return float(np.sum(sigma**2) / (4 * (a + b)) + a / (a + b) * top / (4 * b))

    def lipschitz(self):
        """Lipschitz constant of the gradient, :math:`2(\\alpha + \\beta)`."""
        return 2.0 * (self.alpha + self.beta)

    def task_matrix(self, W):
        r"""The optimal task matrix :math:`M^\star` (n_tasks, n_tasks) at ``W``.

        Unique where ``W`` has more than :math:`k` non-zero singular values.
        Otherwise :math:`M^\star` is 1 on the range of ``W`` and the rest of
        its trace is spread evenly over the null space of :math:`W W^\top`
        (any split there attains the minimum). For ``alpha = 0`` it is the
        limit :math:`\eta \to \infty`: the projection on the :math:`k`
        leading left singular vectors of ``W``.
        """
        U, _, _, m, positive = self._decompose(W)
        T = U.shape[0]
        U_pos, m_pos = U[:, positive], m[positive]
        null_dim = T - U_pos.shape[1]
        rest = (self.n_clusters - m_pos.sum()) / null_dim if null_dim else 0.0
        M = (U_pos * (m_pos - max(rest, 0.0))) @ U_pos.T
        M[np.diag_indices(T)] += max(rest, 0.0)
        return 0.5 * (M + M.T)

    # -- cvxpy ---------------------------------------------------------------

    def as_cvxpy(self, W):
        """``c * matrix_frac(W, eta I + M)`` over a new variable ``M``.

        The constraints on ``M`` enter as cvxpy's ``indicator`` (0 where they
        hold, +inf elsewhere), so the expression is minimised jointly over
        ``W`` and ``M`` wherever it is minimised (or subtracted in a
        maximisation): it composes with other penalties and needs no
        constraints from the reference solver. Its ``.value`` at a constant
        ``W`` is undefined (``M`` is free); use :meth:`value`.
        """
        import cvxpy as cp

        T = W.shape[0]
        if self.alpha == 0 or self.n_clusters == T:  # M = I: the ridge
            return self.beta * cp.sum_squares(W)
        eta = self.beta / self.alpha
        c = self.beta * (self.alpha + self.beta) / self.alpha
        M = cp.Variable((T, T), symmetric=True)
        eye = np.eye(T)
        feasible = cp.transforms.indicator(
            [cp.trace(M) == self.n_clusters, M >> 0, eye - M >> 0]
        )
        return c * cp.matrix_frac(W, eta * eye + M) + feasible


def _optimal_eigenvalues(sigma, alpha, beta, k):
    r"""Eigenvalues :math:`m_i` of the optimal ``M`` on the singular vectors.

    Minimises :math:`\sum_i \sigma_i^2 / (\beta + \alpha m_i)` over
    :math:`0 \le m_i \le 1`, :math:`\sum m_i \le k` (equality is completed on
    the null space by :meth:`ClusteredPenalty.task_matrix`). The optimality
    conditions give :math:`\alpha m_i = \operatorname{clip}(\rho \sigma_i -
    \beta, 0, \alpha)` for one :math:`\rho \ge 0`; the left side summed is
    piecewise linear and non-decreasing in :math:`\rho`, with breakpoints
    :math:`\beta / \sigma_i` and :math:`(\alpha + \beta) / \sigma_i`, so
    :math:`\rho` is found exactly by interpolating between two breakpoints.
    Writing it for :math:`\alpha m_i` keeps it exact for small ``alpha``
    (large :math:`\eta`), where :math:`m_i` itself loses digits to
    cancellation but :math:`\alpha m_i` does not.
    """
    positive = sigma > 0
    r = int(positive.sum())
    if r <= k or alpha == 0:
        # All of the range saturated (alpha > 0), or the eta -> inf limit:
        # the k leading directions (sigma is sorted decreasingly).
        m = np.zeros_like(sigma)
        m[: min(k, r)] = 1.0
        return m
    # m is invariant to scaling both strengths: divided by their sum, the
    # breakpoints beta / s cannot overflow for strengths ~1e200.
    alpha, beta = alpha / (alpha + beta), beta / (alpha + beta)
    s = sigma[positive]
    breaks = np.sort(np.concatenate([beta / s, (alpha + beta) / s]))
    filled = np.clip(breaks[:, None] * s - beta, 0.0, alpha).sum(axis=1)
    target = alpha * k
    j = int(np.searchsorted(filled, target))  # filled[0] = 0 < target <= filled[-1]
    j = min(max(j, 1), len(breaks) - 1)
    slope = (filled[j] - filled[j - 1]) / (breaks[j] - breaks[j - 1])
    rho = breaks[j - 1] + (target - filled[j - 1]) / slope
    return np.clip(rho * sigma - beta, 0.0, alpha) / alpha
