"""The smooth part ``F(X W' + b)`` of an objective, as proximal solvers use it.

Two representations of the same function:

* :class:`DataSmooth` evaluates the datafit on the data: a state holds the
  predictions ``Z``; one pass over ``X`` per new point and per gradient.
* :class:`GramSmooth`, for the squared loss, holds per-task sufficient
  statistics (centred Gram matrices and correlations, intercepts eliminated
  exactly): every operation costs O(T p^2), independent of ``n``.

Predictions (and ``H W``) are affine in the variables, so the state at an
extrapolated point ``x + beta (x - x_old)`` is combined from two states
without touching the data.
"""

from typing import NamedTuple

import numpy as np

from ._certificate import dual_objective, penalty_dual_term, refit_intercept


class Certificate(NamedTuple):
    """A point with exact intercepts, its objective, duality gap and gradient."""

    W: np.ndarray
    b: np.ndarray
    primal: float
    gap: float
    grad: np.ndarray  # gradient of the smooth part in W


class _State:
    """A point, its linear predictions (or ``H W``) and the loss there.

    ``value`` may be a callable: it is then computed on first use only.
    """

    __slots__ = ("W", "Z", "_value", "b")

    def __init__(self, W, b, Z, value):
        self.W, self.b, self.Z, self._value = W, b, Z, value

    @property
    def value(self):
        if callable(self._value):
            self._value = self._value()
        return self._value


class DataSmooth:
    """``datafit(X W' + b)`` evaluated on the observations of ``data``.

    With intercepts, the solver's intercept variable is measured at each
    task's feature means, ``c_t = b_t + mean_t . w_t``: an exact linear change
    of variables (the penalty does not see intercepts) that removes the
    coupling between intercepts and uncentred features, which otherwise
    slows first-order methods by the ratio of feature means to spreads.
    """

    def __init__(self, data, datafit, fit_intercept):
        self.data, self.datafit, self.fit_intercept = data, datafit, fit_intercept
        self.means = np.zeros((data.n_tasks, data.n_features))
        self.intercept_unit = np.ones(data.n_tasks)
        if fit_intercept:
            weights = datafit.hessian_bound(data)
            _, self.means, variances = data.weighted_moments(weights)
            # The intercept variable in units that give it the features'
            # average curvature: one step size then suits both. Sparse counts
            # have variances of 1e-3, and an intercept 200x stiffer than the
            # features held FISTA's steps 200x too short.
            spread = variances.mean(axis=1)
            self.intercept_unit = np.sqrt(np.where(spread > 0, spread, 1.0))

    def internal_intercept(self, W, b):
        """The solver's intercept variable for the model ``(W, b)``."""
        return (b + np.sum(self.means * W, axis=1)) / self.intercept_unit

    def model_intercept(self, W, c):
        """The model's intercepts from the solver's intercept variable."""
        return c * self.intercept_unit - np.sum(self.means * W, axis=1)

    def common_newton(self, W, b):
        """Loss, and its gradient and Hessian along ``W + 1 u'`` at ``u = 0``.

        The intercepts are made exact first (and eliminated from the
        Hessian); returns ``(value, gradient, size, hessian, b)``: gradient
        and Hessian summed over the tasks, ``size`` the sum of the
        gradients' magnitudes (the scale of round-off in the sum).
        """
        if self.fit_intercept:
            b = refit_intercept(self.data, self.datafit, W, b)
        Z = self.data.linear(W, b)
        GW, _ = self.data.adjoint(self.datafit.gradient(self.data, Z))
        H, _, _ = self.data.weighted_gram(
            self.datafit.hessian(self.data, Z), center=self.fit_intercept
        )
        value = self.datafit.value(self.data, Z)
        return value, GW.sum(axis=0), np.abs(GW).sum(axis=0), H.sum(axis=0), b

    def state(self, W, c):
        Z = self.data.linear(W, self.model_intercept(W, c))
        return _State(W, c, Z, lambda: self.datafit.value(self.data, Z))

    def combine(self, new, old, beta):
        Z = new.Z + beta * (new.Z - old.Z)
        return _State(
            new.W + beta * (new.W - old.W),
            new.b + beta * (new.b - old.b),
            Z,
            lambda: self.datafit.value(self.data, Z),
        )

    def bregman(self, new, old, linear_term, bound):
        """``f(new) - f(old) - <grad f(old), new - old>``, accurate where it matters.

        ``linear_term`` is the inner product with the gradient. The difference
        of the two values is exact enough unless it lies near ``bound``, the
        threshold the caller tests against; only then is it recomputed term
        by term, free of cancellation.
        """
        cheap = new.value - old.value - linear_term
        slack = 1e-10 * (abs(new.value) + abs(old.value))
        if abs(cheap - bound) > slack:
            return cheap
        return self.datafit.bregman(self.data, new.Z, old.Z)

    def gradient(self, state):
        GW, gb = self.data.adjoint(self.datafit.gradient(self.data, state.Z))
        if not self.fit_intercept:
            return GW, np.zeros_like(gb)
        return GW - self.means * gb[:, None], gb * self.intercept_unit

    def lipschitz(self):
        """A rough estimate of the gradient's Lipschitz constant.

        Backtracking corrects it.

        The curvature bound of the datafit times the mean squared entry of
        the rows (centred, plus the intercept's in its units, when intercepts
        are fitted) of the task with the largest bound.
        """
        h = self.datafit.hessian_bound(self.data)
        totals, means, variances = self.data.weighted_moments(h)
        # With intercepts measured at the task means the features are in
        # effect centred: their means do not add curvature.
        second = variances if self.fit_intercept else variances + means**2
        intercept = self.fit_intercept * self.intercept_unit**2
        return float(np.max(totals * (second.mean(axis=1) + intercept)))

    def certify(self, penalty, W, c):
        """Exact intercepts for ``W``, then the primal objective and duality gap."""
        b = self.model_intercept(W, c)
        if self.fit_intercept:
            b = refit_intercept(self.data, self.datafit, W, b)
        Z = self.data.linear(W, b)
        G = self.datafit.gradient(self.data, Z)
        GW, _ = self.data.adjoint(G)
        primal = self.datafit.value(self.data, Z) + penalty.value(W)
        gap = primal - dual_objective(self.data, self.datafit, penalty, G, GW, W)
        return Certificate(W, b, primal, gap, GW)

    def restrict(self, columns):
        """The same function of the weights of the features ``columns`` only."""
        from ._fista import make_smooth

        return make_smooth(
            self.data.restrict_features(columns), self.datafit, self.fit_intercept
        )


def weighted_statistics(data, weights, targets, center):
    """Per-task statistics of a weighted least squares on ``data``.

    Returns ``(H, x_mean, totals, y_mean, g, e)``: the weighted Gram
    matrices, feature means and weight totals (as
    :meth:`~skmtl._task_data.TaskData.weighted_gram`), the target means, the
    cross products ``g_t = sum_i c_i x_i y_i`` and ``e_t = sum_i c_i y_i^2``,
    features and targets centred on the task's weighted means when
    ``center`` (means zero otherwise).
    """
    H, x_mean, totals = data.weighted_gram(weights, center=center)
    safe = np.maximum(totals, np.finfo(float).tiny)
    y_mean = data.task_sums(weights * targets) / safe if center else 0 * safe
    centred = targets - data.expand(y_mean)
    g, _ = data.adjoint(weights * centred)
    if center:  # the correlation with centred features
        g -= x_mean * data.task_sums(weights * centred)[:, None]
    e = data.task_sums(weights * centred**2)
    return H, x_mean, totals, y_mean, g, e


class GramSmooth:
    r"""Squared loss from per-task sufficient statistics, intercepts eliminated.

    With the loss weights :math:`c_i = s_i / S`, per task the centred Gram
    matrix :math:`H_t = \sum_i c_i \tilde x_i \tilde x_i^\top`, correlation
    :math:`g_t = \sum_i c_i \tilde x_i \tilde y_i` and
    :math:`e_t = \sum_i c_i \tilde y_i^2` (tildes: centred on the task's
    weighted means when intercepts are fitted) give

    .. math::

        F(W) = \frac12 \sum_t \left(w_t^\top H_t w_t - 2 g_t^\top w_t + e_t\right),
        \qquad b_t = \bar y_t - \bar x_t^\top w_t.

    When all tasks share one Gram matrix (shared design, complete targets)
    it is stored once and ``H W`` is a single matrix product.
    """

    def __init__(self, data, fit_intercept, weights=None, targets=None):
        """Statistics of ``data``; ``weights`` (observation array, default
        ``s_i / S``) and ``targets`` (default ``data.Y``) give any weighted least
        squares, such as the quadratic model of another loss."""
        c = data.weight / data.sample_weight_sum if weights is None else weights
        Y = data.Y if targets is None else targets
        H, self.x_mean, _, self.y_mean, self.g, self.e = weighted_statistics(
            data, c, Y, center=fit_intercept
        )
        self.shared = data.shared_design and np.all(c == c[:, :1])
        self.H = H[0] if self.shared else H
        self.fit_intercept = fit_intercept

    def internal_intercept(self, W, b):
        """Intercepts are eliminated: the solver carries none."""
        return None

    def model_intercept(self, W, c):
        return None

    def common_newton(self, W, b=None):
        """As :meth:`DataSmooth.common_newton`, from the statistics."""
        st = self.state(W)
        G = st.Z - self.g
        summed = self.H * W.shape[0] if self.shared else self.H.sum(axis=0)
        return st.value, G.sum(axis=0), np.abs(G).sum(axis=0), summed, None

    @property
    def blocks(self):
        """The ``H_t`` as a (k, p, p) stack: one block for all tasks when shared."""
        return self.H[None] if self.shared else self.H

    def times_H(self, W):
        """``H_t w_t`` for every task (rows of ``W``)."""
        if self.shared:
            return W @ self.H
        # Batched BLAS products: twice as fast as the equivalent einsum.
        return np.matmul(self.H, W[:, :, None])[:, :, 0]

    def state(self, W, b=None):
        HW = self.times_H(W)
        value = 0.5 * (np.sum(W * HW) - 2 * np.sum(self.g * W) + self.e.sum())
        return _State(W, None, HW, float(value))

    def combine(self, new, old, beta):
        W = new.W + beta * (new.W - old.W)
        HW = new.Z + beta * (new.Z - old.Z)
        value = 0.5 * (np.sum(W * HW) - 2 * np.sum(self.g * W) + self.e.sum())
        return _State(W, None, HW, float(value))

    def gradient(self, state):
        return state.Z - self.g, None

    def bregman(self, new, old, linear_term=None, bound=None):
        """``(W - W_old) H (W - W_old) / 2``, from the stored products."""
        return float(0.5 * np.sum((new.W - old.W) * (new.Z - old.Z)))

    def lipschitz(self):
        """Largest eigenvalue of the ``H_t``, by a few power iterations (x 1.1).

        Computed once per statistics (a path asks at every point).
        """
        if "_lipschitz" not in self.__dict__:
            self._lipschitz = self._largest_eigenvalue()
        return self._lipschitz

    def _largest_eigenvalue(self):
        H = self.blocks
        v = np.ones(H.shape[:2])
        estimate = 0.0
        for _ in range(30):
            v = np.einsum("tij,tj->ti", H, v)
            norms = np.linalg.norm(v, axis=1)
            if not np.any(norms > 0):
                return 1.0
            new = float(norms.max())
            v /= np.maximum(norms, np.finfo(float).tiny)[:, None]
            if abs(new - estimate) <= 1e-3 * new:
                break
            estimate = new
        return 1.1 * new

    def intercept(self, W):
        if not self.fit_intercept:
            return np.zeros(W.shape[0])
        return self.y_mean - np.sum(self.x_mean * W, axis=1)

    def certify(self, penalty, W, b=None):
        r"""Primal objective and duality gap from the statistics alone.

        At the exact intercepts the residuals :math:`r` satisfy
        :math:`\sum c r^2 = q` (twice the loss) and :math:`\sum c r \tilde y = u`
        below, so the datafit's conjugate at the scaled dual point is
        :math:`-s u + s^2 q / 2`.
        """
        st = self.state(W)
        GW = st.Z - self.g
        primal = st.value + penalty.value(W)
        s, conjugate = penalty_dual_term(penalty, -GW, W)
        q = 2 * st.value
        u = float(self.e.sum() - np.sum(self.g * W))
        dual = s * u - 0.5 * s * s * q - conjugate
        return Certificate(W, self.intercept(W), primal, primal - dual, GW)

    def feature_curvature(self):
        """Root mean square over the tasks of the diagonal of the ``H_t``.

        (Of the mean, the median, the maximum and the root mean square, the
        last needed the fewest FISTA iterations on School, raw and
        standardised.)
        """
        diagonals = np.einsum("tjj->tj", self.blocks)
        return np.sqrt(np.mean(diagonals**2, axis=0))

    def _derived(self):
        """A copy to change the statistics of, without this one's caches."""
        out = GramSmooth.__new__(GramSmooth)
        out.__dict__.update(self.__dict__)
        out.__dict__.pop("_lipschitz", None)
        out.__dict__.pop("_last_rescaled", None)
        return out

    def rescaled(self, scale):
        """The statistics of the features multiplied by ``scale``.

        A solution ``V`` of the rescaled problem gives ``W = V * scale``.
        The last result is kept: a path rescales by the same ``scale`` at
        every point, and the copy keeps its Lipschitz constant.
        """
        last = self.__dict__.get("_last_rescaled")
        if last is not None and np.array_equal(last[0], scale):
            return last[1]
        out = self._derived()
        out.H = self.H * scale[:, None] * scale
        out.g = self.g * scale
        out.x_mean = self.x_mean * scale
        self._last_rescaled = (np.array(scale), out)
        return out

    def restrict(self, columns):
        """The same statistics for the features ``columns`` only."""
        restricted = self._derived()
        restricted.H = self.H[..., columns[:, None], columns]
        restricted.g = self.g[:, columns]
        restricted.x_mean = self.x_mean[:, columns]
        return restricted


class WithQuadratic:
    r"""A smooth part plus the quadratic :math:`q` of a ``QuadraticPlusPenalty``.

    Proximal solvers then need the proximal operator of the penalty's
    remaining part only (``penalty.penalty``). A state wraps the state of the
    smooth part (in its ``Z`` slot) and adds :math:`q` to its value; the
    gradient adds :math:`\nabla q = M W`, the Bregman term
    :math:`q(W - W_{\text{old}})`, the Lipschitz estimate :math:`\lambda_{\max}(M)`.
    Certificates use the whole penalty (see ``QuadraticPlusPenalty.dual_term``).
    """

    def __init__(self, smooth, penalty):
        self.base = smooth
        self.penalty = penalty
        self.quadratic = penalty.quadratic

    def _wrap(self, base):
        return _State(
            base.W, base.b, base, lambda: base.value + self.quadratic.value(base.W)
        )

    def internal_intercept(self, W, b):
        return self.base.internal_intercept(W, b)

    def state(self, W, b=None):
        return self._wrap(self.base.state(W, b))

    def combine(self, new, old, beta):
        return self._wrap(self.base.combine(new.Z, old.Z, beta))

    def gradient(self, state):
        GW, gb = self.base.gradient(state.Z)
        return GW + self.quadratic.gradient(state.W), gb

    def bregman(self, new, old, linear_term, bound):
        # The smooth part's own linear term: the gradient of q taken out.
        q_gradient = self.quadratic.gradient(old.W)
        base_linear = linear_term - float(np.sum(q_gradient * (new.W - old.W)))
        q_part = self.quadratic.value(new.W - old.W)
        return self.base.bregman(new.Z, old.Z, base_linear, bound - q_part) + q_part

    def lipschitz(self):
        return self.base.lipschitz() + self.quadratic.lipschitz()

    def certify(self, penalty, W, b):
        """Certificate of the whole objective; ``grad`` includes :math:`\\nabla q`."""
        certified = self.base.certify(self.penalty, W, b)
        return certified._replace(
            grad=certified.grad + self.quadratic.gradient(certified.W)
        )

    def restrict(self, columns):
        return WithQuadratic(
            self.base.restrict(columns), self.penalty.restrict(columns)
        )
