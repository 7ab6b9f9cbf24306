import numpy as np

from ._base import ActiveCurvature, BasePenalty


class L1(BasePenalty):
    r"""Lasso: the sum of the absolute values of all task weights.

    .. math::

        \Omega(W) = {math},

    separable over tasks and features: every task selects its own features,
    the tasks share nothing but ``alpha`` (MALSAR's ``Least_Lasso`` /
    ``Logistic_Lasso``, RMTL's ``Lasso``).

    Parameters
    ----------
    alpha : float, >= 0
        Strength of the L1 norm.
    """

    math = r"\alpha \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|"
    capabilities = frozenset(
        {"prox", "conjugate", "working_sets", "feature_rescaling", "active_newton"}
    )

    def __init__(self, alpha):
        self.alpha = alpha
        # Per-feature multipliers of alpha (scalar: unweighted); set by
        # :meth:`rescaled` only.
        self._alpha_scale = 1.0

    def rescaled(self, scale):
        r"""The same penalty in the variables ``V = W / scale`` (per feature).

        :math:`\Omega(V \operatorname{diag}(d))`: a weighted L1 norm where
        feature :math:`j` weighs :math:`\alpha d_j |V_{tj}|`. Solvers use it to
        precondition proximal gradient by a feature scaling, which keeps the
        prox in closed form.
        """
        out = L1(self.alpha)
        out._alpha_scale = self._alpha_scale * np.asarray(scale, dtype=float)
        return out

    def restrict(self, columns):
        """The penalty of the features ``columns`` only (working sets)."""
        if np.ndim(self._alpha_scale) == 0:
            return self
        out = L1(self.alpha)
        out._alpha_scale = self._alpha_scale[columns]
        return out

    @property
    def _alphas(self):
        return self.alpha * self._alpha_scale

    def value(self, W):
        return float(np.sum(self._alphas * np.abs(W).sum(axis=0)))

    def prox(self, W, step):
        """Soft-thresholding of every entry by ``step * alpha``.

        An entry that exceeds the threshold by less than round-off (1e-12
        relative) is set to zero, so that ``alpha`` at the largest gradient
        entry gives exact zeros.
        """
        threshold = step * self._alphas
        magnitude = np.abs(W)
        kept = magnitude > threshold * (1 + 1e-12)
        return np.where(kept, np.sign(W) * (magnitude - threshold), 0.0)

    def active_curvature(self, W):
        """Derivatives on the non-zero entries (see :class:`ActiveCurvature`):
        the L1 norm is linear on each orthant."""
        alphas = np.broadcast_to(self._alphas, W.shape[1:])
        gradient = np.where(W != 0, alphas * np.sign(W), 0.0)
        return ActiveCurvature(W != 0, gradient, 0.0, np.zeros(W.shape[1]), True)

    def conjugate(self, V):
        r"""Fenchel conjugate: the indicator of :math:`\max_{t,j} |V_{tj}| \le \alpha`.

        Zero inside the ball (up to round-off, 1e-12 relative), infinite
        outside.
        """
        alphas = self._alphas
        excess = np.max(np.abs(V) - alphas * (1 + 1e-12) - 1e-12, initial=0.0)
        return 0.0 if excess <= 0 else np.inf

    def dual_norm(self, V):
        """Largest absolute entry: the norm dual to the L1 norm.

        Rescaled penalties weigh the entries of feature ``j`` by ``1 / scale_j``.
        """
        return float(np.max(np.abs(V) / self._alpha_scale, initial=0.0))

    def dual_scale(self, V):
        largest = self.dual_norm(V)
        return 1.0 if largest <= self.alpha else self.alpha / largest

    def feature_scores(self, W, G):
        """Violation of the optimality conditions of each feature.

        ``G`` is the gradient of the smooth part. A zero entry is optimal when
        ``|G_tj| <= alpha``, a non-zero one when
        ``G_tj + alpha sign(W_tj) = 0``; a feature's score is the Euclidean
        norm of its entries' violations.
        """
        alphas = np.broadcast_to(self._alphas, W.shape[1:])
        residual = np.where(
            W != 0,
            G + alphas * np.sign(W),
            np.maximum(np.abs(G) - alphas, 0.0),
        )
        return np.sqrt(np.einsum("tj,tj->j", residual, residual))

    def as_cvxpy(self, W):
        import cvxpy as cp

        alphas = np.broadcast_to(self._alphas, (W.shape[1],))
        return cp.sum(cp.abs(W) @ alphas)
