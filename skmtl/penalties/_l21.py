import numpy as np

from ._base import ActiveCurvature, BasePenalty, group_curvature


class L21(BasePenalty):
    r"""Group lasso over features: each feature's weights across tasks are one group.

    .. math::

        \Omega(W) = {math},

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

    math = r"\alpha \sum_{j=1}^{p} \|W_{:, j}\|_2 + \frac{\ell_2}{2} \|W\|_F^2"
    capabilities = frozenset(
        {
            "prox",
            "conjugate",
            "working_sets",
            "feature_rescaling",
            "multitask_elastic_net",
            "active_newton",
        }
    )

    def __init__(self, alpha, l2=0.0):
        self.alpha = alpha
        self.l2 = l2
        # Per-feature multipliers of alpha and l2 (scalars: unweighted); set
        # by :meth:`rescaled` only.
        self._alpha_scale = 1.0
        self._l2_scale = 1.0

    def rescaled(self, scale):
        r"""The same penalty in the variables ``V = W / scale`` (per feature).

        :math:`\Omega(V \operatorname{diag}(d))`: the group of feature
        :math:`j` weighs :math:`\alpha d_j \|V_{:, j}\|` and
        :math:`\ell_2 d_j^2 \|V_{:, j}\|^2 / 2`. Solvers use it to
        precondition proximal gradient by a feature scaling, which keeps the
        prox in closed form.
        """
        scale = np.asarray(scale, dtype=float)
        out = L21(self.alpha, self.l2)
        out._alpha_scale = self._alpha_scale * scale
        out._l2_scale = self._l2_scale * scale**2
        return out

    def restrict(self, columns):
        """The penalty of the features ``columns`` only (working sets)."""
        if np.ndim(self._alpha_scale) == 0:
            return self
        out = L21(self.alpha, self.l2)
        out._alpha_scale = self._alpha_scale[columns]
        out._l2_scale = self._l2_scale[columns]
        return out

    @property
    def _alphas(self):
        return self.alpha * self._alpha_scale

    @property
    def _l2s(self):
        return self.l2 * self._l2_scale

    def value(self, W):
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        return float(
            np.sum(self._alphas * norms) + 0.5 * np.sum(self._l2s * norms * norms)
        )

    def prox(self, W, step):
        """Group soft-thresholding of the columns, then ridge shrinkage.

        A column whose norm exceeds the threshold by less than round-off
        (1e-12 relative) is set to zero, so that ``alpha = alpha_max``, computed
        from the same gradient by another sum, gives exact zeros.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        threshold = step * self._alphas
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(
                norms > threshold * (1 + 1e-12), 1.0 - threshold / norms, 0.0
            )
        return W * (shrink / (1.0 + step * self._l2s))

    def active_curvature(self, W):
        """Derivatives on the non-zero columns (see :class:`ActiveCurvature`)."""
        norms, gradient, diagonal, group = group_curvature(W, self._alphas)
        mask = np.broadcast_to(norms > 0, W.shape)
        l2s = np.broadcast_to(self._l2s, norms.shape)
        return ActiveCurvature(
            mask, np.where(mask, gradient + l2s * W, 0.0), diagonal + l2s, group, False
        )

    def conjugate(self, V):
        r"""Fenchel conjugate.

        :math:`\sum_j (\|v_j\| - \alpha)_+^2 / (2\ell_2)` when ``l2 > 0``;
        otherwise the indicator of the dual-norm ball
        :math:`\max_j \|v_j\| \le \alpha`.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", V, V))
        alphas = self._alphas
        excess = np.maximum(norms - alphas, 0.0)
        if self.l2 > 0:
            return float(np.sum(excess * excess / (2 * self._l2s)))
        return 0.0 if np.all(excess <= 1e-12 * (1 + alphas)) else np.inf

    def dual_norm(self, V):
        """Largest column norm: the norm dual to the L2,1 norm.

        Rescaled penalties weigh the column norms by ``1 / scale``.
        """
        norms = np.sqrt(np.einsum("tj,tj->j", V, V)) / self._alpha_scale
        return float(np.max(norms, initial=0.0))

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
        alphas = np.broadcast_to(self._alphas, norms.shape)
        residual = G + self._l2s * W
        residual[:, active] += alphas[active] * W[:, active] / norms[active]
        inactive = np.maximum(np.sqrt(np.einsum("tj,tj->j", G, G)) - alphas, 0)
        return np.where(
            active, np.sqrt(np.einsum("tj,tj->j", residual, residual)), inactive
        )

    def as_cvxpy(self, W):
        import cvxpy as cp

        norms = cp.norm(W, 2, axis=0)
        return cp.sum(cp.multiply(self._alphas, norms)) + 0.5 * cp.sum(
            cp.multiply(self._l2s, cp.square(norms))
        )
