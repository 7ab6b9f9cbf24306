"""The fused sparse group lasso of disease-progression models (tasks in time)."""

import numpy as np

from ._base import BasePenalty
from ._sparse_group import SparseGroupL21

# Bisection steps of the dual norm, on a logarithmic scale: 60 halvings of
# the log-ratio of its two bounds leave a bracket at round-off.
_BISECTION_STEPS = 60


def total_variation_prox(V, threshold):
    r"""Proximal operator of the total variation along the rows, per column.

    For each column :math:`v` of ``V`` (n_rows, n_columns), the minimiser of
    :math:`\frac12 \|x - v\|^2 + \lambda \sum_i |x_{i+1} - x_i|`, with
    :math:`\lambda` the column's ``threshold`` (a scalar or one per column).

    Condat's direct algorithm (IEEE Signal Processing Letters 20(11), 2013),
    exact in finitely many steps: linear in the rows in practice, quadratic
    at worst (see :func:`_total_variation_column`). The scan is sequential;
    it runs on Python floats, column by column, because one of its steps
    costs less there than a NumPy call on a small array would.
    """
    V = np.asarray(V, dtype=float)
    n, m = V.shape
    out = np.empty((m, n))
    if n == 0:
        return out.T
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=float), (m,))
    # A threshold above every partial sum of the centred column flattens it
    # to its mean: set exactly, where the scan would subtract and add back
    # the threshold and lose eps * threshold to round-off.
    means = V.mean(axis=0)
    partial = np.abs(np.cumsum(V - means, axis=0)[:-1]).max(axis=0, initial=0.0)
    flat = partial <= thresholds
    out[flat] = means[flat, None]
    for j in np.flatnonzero(~flat):
        _total_variation_column(V[:, j].tolist(), float(thresholds[j]), out[j])
    return out.T


def _total_variation_column(y, lam, out):
    """Condat's scan of one signal ``y`` (a list), writing the prox into ``out``.

    The open segment starts at ``k0``; its value must lie in
    ``[v_min, v_max]``, where the dual variable (the running sum of the
    residuals) is ``u_min`` and ``u_max``. When the dual variable leaves
    ``[-lam, lam]``, the segment closes at the last position where its bound
    was attained (``k_minus`` or ``k_plus``) with a jump down or up, and the
    scan restarts after it.
    """
    n = len(y)
    k = k0 = k_minus = k_plus = 0
    v_min, v_max = y[0] - lam, y[0] + lam
    u_min, u_max = lam, -lam
    while True:
        if k == n - 1:  # the last row: close with a jump, or finish
            if u_min < 0:
                out[k0 : k_minus + 1] = v_min
                k0 = k = k_minus = k_minus + 1
                v_min, u_min = y[k], lam
                u_max = v_min + lam - v_max
            elif u_max > 0:
                out[k0 : k_plus + 1] = v_max
                k0 = k = k_plus = k_plus + 1
                v_max, u_max = y[k], -lam
                u_min = v_max - lam - v_min
            else:
                out[k0:] = v_min + u_min / (k - k0 + 1)
                return
            continue
        u_min += y[k + 1] - v_min
        u_max += y[k + 1] - v_max
        if u_min < -lam:  # a jump down after k_minus
            out[k0 : k_minus + 1] = v_min
            k0 = k = k_minus = k_plus = k_minus + 1
            v_min, v_max = y[k], y[k] + 2 * lam
            u_min, u_max = lam, -lam
        elif u_max > lam:  # a jump up after k_plus
            out[k0 : k_plus + 1] = v_max
            k0 = k = k_minus = k_plus = k_plus + 1
            v_min, v_max = y[k] - 2 * lam, y[k]
            u_min, u_max = lam, -lam
        else:  # one more row in the segment; tighten its range
            k += 1
            if u_min >= lam:
                k_minus = k
                v_min += (u_min - lam) / (k - k0 + 1)
                u_min = lam
            if u_max <= -lam:
                k_plus = k
                v_max += (u_max + lam) / (k - k0 + 1)
                u_max = -lam


class FusedSparseGroupL21(BasePenalty):
    r"""Fused sparse group lasso: L1, fused L1 along the tasks, and L2,1.

    .. math::

        \Omega(W) = {math},

    with the tasks in the order of the rows of ``W`` (``tasks_``): time
    points of a disease progression, say, whose weights should change
    little from one to the next (Zhou, Liu, Narayan & Ye, KDD 2012; MALSAR's
    ``Least_CFGLasso``). The L2,1 term selects features for all time points
    jointly, the L1 term lets a time point drop some of them, and the fused
    term makes the weights piecewise constant in time.

    Its proximal operator is exact, by composition: the total-variation
    prox along the tasks (:func:`total_variation_prox`), then entry-wise
    soft-thresholding, then the shrinkage of each feature's column (the
    order in which the prox of a sum of these three norms decomposes).

    Parameters
    ----------
    alpha_sparse : float, >= 0
        Strength of the L1 norm :math:`\alpha_s`.
    alpha_fused : float, >= 0
        Strength of the fused term :math:`\alpha_f`.
    alpha_group : float, >= 0
        Strength of the L2,1 norm :math:`\alpha_g`. ``alpha_sparse`` or
        ``alpha_group`` must be positive: the fused term alone leaves the
        weights shared by all tasks unpenalised.
    """

    math = (
        r"\alpha_s \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|"
        "\n"
        r"+ \alpha_f \sum_{t=1}^{T-1} \sum_{j=1}^{p} |W_{t+1, j} - W_{tj}|"
        "\n"
        r"+ \alpha_g \sum_{j=1}^{p} \|W_{:, j}\|_2"
    )
    capabilities = frozenset({"prox", "conjugate"})

    def __init__(self, alpha_sparse, alpha_fused, alpha_group):
        if alpha_sparse <= 0 and alpha_group <= 0:
            raise ValueError(
                "FusedSparseGroupL21 needs alpha_sparse > 0 or alpha_group > 0: "
                "the fused term alone leaves the weights shared by all tasks "
                "unpenalised."
            )
        self.alpha_sparse = alpha_sparse
        self.alpha_fused = alpha_fused
        self.alpha_group = alpha_group

    def value(self, W):
        return float(self._column_values(np.asarray(W, dtype=float)).sum())

    def _column_values(self, W):
        """Each column's term: the penalty is a sum over the columns."""
        return (
            self.alpha_sparse * np.abs(W).sum(axis=0)
            + self.alpha_fused * np.abs(np.diff(W, axis=0)).sum(axis=0)
            + self.alpha_group * np.sqrt(np.einsum("tj,tj->j", W, W))
        )

    def prox(self, W, step):
        """The prox of ``step * Omega``: fused, then sparse, then group.

        As in :meth:`L21.prox`, a column whose norm exceeds its threshold by
        less than round-off (1e-12 relative) is set to zero.
        """
        return _prox(
            W,
            step * self.alpha_sparse,
            step * self.alpha_fused,
            step * self.alpha_group,
        )

    def conjugate(self, V):
        r"""Fenchel conjugate: the indicator of the dual-norm ball.

        :math:`V` is in the ball when the prox of :math:`\Omega` maps it to
        zero (:math:`V \in \partial\Omega(0)`): one prox evaluation, with
        round-off up to 1e-12 relative tolerated.
        """
        return 0.0 if self._in_ball(V, 1.0 + 1e-12) else np.inf

    def _in_ball(self, V, radius):
        """Whether ``V`` is in ``radius`` times the dual-norm ball."""
        return not np.any(self._outside(V, radius))

    def _outside(self, V, radius):
        """Which columns of ``V`` lie outside ``radius`` times the dual-norm
        ball (the penalty is a sum over the columns)."""
        strengths = (self.alpha_sparse, self.alpha_fused, self.alpha_group)
        return np.any(_prox(V, *(radius * s for s in strengths)), axis=0)

    def dual_norm(self, V):
        r"""The norm dual to :math:`\Omega` (strengths included).

        The smallest :math:`\nu` whose :math:`\nu \Omega` has a prox that
        maps ``V`` to zero, found by bisection on a logarithmic scale
        between two bounds, to 1e-13 relative. The penalty is a sum over the
        columns, so the dual norm is the largest of the columns' ones, each
        between its sparse group lasso dual norm (the fused term only
        enlarges the ball) and :math:`\|V_j\|^2 / \Omega(V_j)`. Only the
        columns whose upper bound exceeds the largest lower bound enter the
        bisection, and a column found inside the ball at a value below the
        dual norm leaves it. The upper end of the final bracket is returned,
        so that ``V`` divided by it is in the ball.
        """
        V = np.asarray(V, dtype=float)
        if not np.any(V):
            return 0.0
        sparse_group = SparseGroupL21(self.alpha_group, self.alpha_sparse)
        highs = sparse_group._column_dual_norms(V)
        values = self._column_values(V)
        squares = np.einsum("tj,tj->j", V, V)
        lows = np.divide(squares, values, out=np.zeros_like(values), where=values > 0)
        candidates = highs > lows.max()
        if not np.any(candidates):
            return float(max(lows.max(), highs.max()))
        V = V[:, candidates]
        high = float(highs[candidates].max())
        low = min(float(lows.max()), high)
        for _ in range(_BISECTION_STEPS):
            if high <= low * (1 + 1e-13):
                break
            middle = np.sqrt(low * high)
            outside = self._outside(V, middle)
            if np.any(outside):  # the dual norm exceeds middle: so do these
                low, V = middle, V[:, outside]
            else:
                high = middle
        return float(high)

    def dual_scale(self, V):
        """``min(1, 1 / dual_norm(V))``, without the bisection inside the ball."""
        if self._in_ball(V, 1.0):
            return 1.0
        return 1.0 / self.dual_norm(V)

    def as_cvxpy(self, W):
        import cvxpy as cp

        terms = self.alpha_sparse * cp.sum(cp.abs(W))
        if W.shape[0] > 1:
            terms += self.alpha_fused * cp.sum(cp.abs(W[1:] - W[:-1]))
        return terms + self.alpha_group * cp.sum(cp.norm(W, 2, axis=0))


def _prox(W, sparse, fused, group):
    """Total-variation prox, then the sparse group lasso's (soft-thresholding
    and group shrinkage): the prox of the sum, composed."""
    V = total_variation_prox(W, fused) if fused > 0 else np.asarray(W, float)
    return SparseGroupL21(group, sparse).prox(V, 1.0)
