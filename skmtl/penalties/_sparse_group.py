import numpy as np

from ._base import ActiveCurvature, BasePenalty, group_curvature

# Newton steps that polish the closed-form dual norm of each column to
# round-off (see SparseGroupL21._column_dual_norms).
_POLISH_STEPS = 3


def _soft_threshold(V, threshold):
    return np.sign(V) * np.maximum(np.abs(V) - threshold, 0.0)


class SparseGroupL21(BasePenalty):
    r"""Sparse group lasso over features: L2,1 plus L1.

    .. math::

        \Omega(W) = {math},

    where :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks.
    The L2,1 term selects features for all tasks jointly, the L1 term then
    lets each task drop some of the selected features (Simon, Friedman,
    Hastie & Tibshirani 2013, with one group per feature). With
    :math:`\alpha_s = 0` it is :class:`L21`, with :math:`\alpha_g = 0` it is
    :class:`L1`.

    Parameters
    ----------
    alpha_group : float, >= 0
        Strength of the L2,1 norm :math:`\alpha_g`.
    alpha_sparse : float, >= 0
        Strength of the L1 norm :math:`\alpha_s`.
    """

    math = (
        r"\alpha_g \sum_{j=1}^{p} \|W_{:, j}\|_2"
        "\n"
        r"+ \alpha_s \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|"
    )
    capabilities = frozenset(
        {"prox", "conjugate", "working_sets", "feature_rescaling", "active_newton"}
    )

    def __init__(self, alpha_group, alpha_sparse):
        self.alpha_group = alpha_group
        self.alpha_sparse = alpha_sparse
        # Per-feature multipliers of both strengths (scalar: unweighted); set
        # by :meth:`rescaled` only.
        self._alpha_scale = 1.0

    def rescaled(self, scale):
        r"""The same penalty in the variables ``V = W / scale`` (per feature).

        :math:`\Omega(V \operatorname{diag}(d))`: feature :math:`j` weighs
        :math:`d_j (\alpha_g \|V_{:, j}\| + \alpha_s \|V_{:, j}\|_1)`. Solvers
        use it to precondition proximal gradient by a feature scaling, which
        keeps the prox in closed form.
        """
        out = SparseGroupL21(self.alpha_group, self.alpha_sparse)
        out._alpha_scale = self._alpha_scale * np.asarray(scale, dtype=float)
        return out

    def restrict(self, columns):
        """The penalty of the features ``columns`` only (working sets)."""
        if np.ndim(self._alpha_scale) == 0:
            return self
        out = SparseGroupL21(self.alpha_group, self.alpha_sparse)
        out._alpha_scale = self._alpha_scale[columns]
        return out

    def _alphas(self, n_features):
        """Per-feature group and sparse strengths, arrays of ``n_features``."""
        scale = np.broadcast_to(self._alpha_scale, (n_features,))
        return self.alpha_group * scale, self.alpha_sparse * scale

    def value(self, W):
        group, sparse = self._alphas(W.shape[1])
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        return float(group @ norms + sparse @ np.abs(W).sum(axis=0))

    def prox(self, W, step):
        """Soft-thresholding of the entries, then group soft-thresholding.

        Entries are soft-thresholded by ``step * alpha_sparse``, then each
        column is shrunk towards zero by ``step * alpha_group`` in norm: the
        prox of the sum, because the L1 prox preserves signs and the group
        prox only rescales columns. A column whose norm exceeds its threshold
        by less than round-off (1e-12 relative) is set to zero, as in
        :meth:`L21.prox`.
        """
        group, sparse = self._alphas(W.shape[1])
        V = _soft_threshold(W, step * sparse)
        norms = np.sqrt(np.einsum("tj,tj->j", V, V))
        threshold = step * group
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(
                norms > threshold * (1 + 1e-12), 1.0 - threshold / norms, 0.0
            )
        return V * shrink

    def active_curvature(self, W):
        """Derivatives on the non-zero entries (see :class:`ActiveCurvature`)."""
        group, sparse = self._alphas(W.shape[1])
        _, gradient, diagonal, rank_one = group_curvature(W, group)
        mask = W != 0
        gradient = np.where(mask, gradient + sparse * np.sign(W), 0.0)
        diagonal = np.broadcast_to(diagonal, W.shape)
        return ActiveCurvature(mask, gradient, diagonal, rank_one, True)

    def conjugate(self, V):
        r"""Fenchel conjugate: the indicator of the dual-norm ball.

        Finite (zero) when every column satisfies
        :math:`\|S_{\alpha_s}(V_{:, j})\|_2 \le \alpha_g`, with
        :math:`S_{\alpha_s}` the entry-wise soft-thresholding: :math:`V` is
        then the sum of a matrix with columns of norm at most
        :math:`\alpha_g` and one with entries at most :math:`\alpha_s` in
        absolute value (conjugate of a sum = infimal convolution of the
        conjugates). Round-off up to 1e-12 relative is tolerated.
        """
        group, sparse = self._alphas(V.shape[1])
        soft = _soft_threshold(V, sparse)
        excess = np.sqrt(np.einsum("tj,tj->j", soft, soft)) - group
        return 0.0 if np.all(excess <= 1e-12 * (1 + group + sparse)) else np.inf

    def _column_dual_norms(self, V):
        r"""Per column, the smallest :math:`\nu \ge 0` with :math:`V_{:, j} / \nu`
        in the dual ball.

        With :math:`u` the sorted absolute entries of a column
        (:math:`u_1 \ge u_2 \ge \dots`), :math:`\nu` is the root of the
        decreasing function
        :math:`\varphi(\nu) = \|(u - \nu \alpha_s)_+\|_2 - \nu \alpha_g`. On
        the interval between the breakpoints :math:`u_{k+1} / \alpha_s` and
        :math:`u_k / \alpha_s` exactly :math:`k` entries exceed
        :math:`\nu \alpha_s`, and :math:`\varphi = 0` is the quadratic
        :math:`(k \alpha_s^2 - \alpha_g^2) \nu^2 - 2 \alpha_s S_1 \nu + S_2 = 0`
        (:math:`S_1, S_2`: sums of the :math:`k` largest :math:`u` and
        :math:`u^2`), whose root where :math:`\varphi` changes sign is
        :math:`S_2 / (\alpha_s S_1 + \sqrt{\alpha_g^2 S_2 - \alpha_s^2
        (k S_2 - S_1^2)})`. The right :math:`k` is the number of breakpoints
        at which :math:`\varphi \le 0`. A few Newton steps on the convex
        :math:`\varphi` then remove the round-off of the closed form.
        """
        group, sparse = self._alphas(V.shape[1])
        # nu is homogeneous of degree -1 in the strengths: work with their
        # ratios, so that the squares below cannot overflow (strengths ~1e200).
        scale = np.maximum(np.maximum(group, sparse), np.finfo(float).tiny)
        group, sparse = group / scale, sparse / scale
        U = -np.sort(-np.abs(V), axis=0)  # decreasing down each column
        if self.alpha_sparse == 0:
            norms = np.sqrt(np.einsum("tj,tj->j", U, U))
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(norms > 0, norms / group, 0.0) / scale
        T = U.shape[0]
        k = np.arange(1, T + 1)[:, None]
        S1 = np.cumsum(U, axis=0)
        S2 = np.cumsum(U * U, axis=0)
        # Spreads are shift-invariant: computed from the gaps to the largest
        # entry they lose no digits to cancellation when entries (nearly) tie.
        D = U[:1] - U
        D1 = np.cumsum(D, axis=0)
        D2 = np.cumsum(D * D, axis=0)
        # phi at the breakpoint u_k / alpha_s is <= 0 when the k larger
        # entries lie within u_k alpha_g / alpha_s of u_k.
        spread = np.maximum(k * D * D - 2 * D * D1 + D2, 0.0)
        past_root = spread <= (U * group / sparse) ** 2
        last = np.maximum(np.count_nonzero(past_root, axis=0), 1) - 1
        columns = np.arange(U.shape[1])
        s1, s2 = S1[last, columns], S2[last, columns]
        d1, d2 = D1[last, columns], D2[last, columns]
        variance = np.maximum((last + 1) * d2 - d1 * d1, 0.0)  # k S2 - S1^2
        root = np.sqrt(np.maximum(group**2 * s2 - sparse**2 * variance, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            nu = np.where(s2 > 0, s2 / (sparse * s1 + root), 0.0)
            for _ in range(_POLISH_STEPS):
                R = np.maximum(U - nu * sparse, 0.0)
                norms = np.sqrt(np.einsum("tj,tj->j", R, R))
                phi = norms - nu * group
                slope = group + sparse * R.sum(axis=0) / norms
                # Where some entry exceeds nu alpha_s the tangent of the convex
                # phi meets zero in (0, root]: from there Newton climbs to the
                # root without overshooting. Past the last breakpoint
                # (round-off only) the point is left alone, on the safe side.
                nu = nu + np.where(norms > 0, phi / slope, 0.0)
        return nu / scale

    def dual_norm(self, V):
        r"""The norm dual to :math:`\Omega` (both strengths included).

        The largest over the columns of the smallest :math:`\nu` with
        ``conjugate(V / nu)`` finite, so that ``dual_scale(V)`` is
        ``min(1, 1 / dual_norm(V))``. Each column's :math:`\nu` is the root of
        a monotone scalar equation, solved in closed form for all columns at
        once.
        """
        if V.size == 0:
            return 0.0
        if self.alpha_group == 0 and self.alpha_sparse == 0:
            return np.inf if np.any(V) else 0.0
        return float(np.max(self._column_dual_norms(V), initial=0.0))

    def dual_scale(self, V):
        largest = self.dual_norm(V)
        return 1.0 if largest <= 1.0 else 1.0 / largest

    def feature_scores(self, W, G):
        """Violation of the optimality conditions of each feature.

        ``G`` is the gradient of the smooth part. A zero column is optimal
        when ``||S(G_j, alpha_sparse)|| <= alpha_group`` (``S``: entry-wise
        soft-thresholding); a non-zero one when, on its non-zero entries,
        ``G_tj + alpha_group W_tj / ||W_j|| + alpha_sparse sign(W_tj) = 0``
        and, on its zero entries, ``|G_tj| <= alpha_sparse``.
        """
        group, sparse = self._alphas(W.shape[1])
        norms = np.sqrt(np.einsum("tj,tj->j", W, W))
        active = norms > 0
        soft = _soft_threshold(G, sparse)
        with np.errstate(divide="ignore", invalid="ignore"):
            direction = np.where(active, W / norms, 0.0)
        residual = np.where(W != 0, G + group * direction + sparse * np.sign(W), soft)
        inactive = np.maximum(np.sqrt(np.einsum("tj,tj->j", soft, soft)) - group, 0)
        return np.where(
            active, np.sqrt(np.einsum("tj,tj->j", residual, residual)), inactive
        )

    def as_cvxpy(self, W):
        import cvxpy as cp

        group, sparse = self._alphas(W.shape[1])
        return cp.sum(cp.multiply(group, cp.norm(W, 2, axis=0))) + cp.sum(
            cp.abs(W) @ sparse
        )
