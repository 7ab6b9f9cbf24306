import numpy as np


class SquaredLoss:
    r"""Squared loss, scaled as scikit-learn's ``Lasso`` and ``MultiTaskLasso``.

    .. math::

        F(Z) = \frac{1}{2 S} \sum_{(i, t) \text{ observed}} s_i (y_{it} - z_{it})^2,
        \qquad S = \sum_{i=1}^{n} s_i,

    where :math:`s_i` are the sample weights (1 by default, so :math:`S` is
    ``n_samples``) and the sum runs over the observed targets only. On the
    shared design with a complete ``y`` this is
    :math:`\|Y - XW^\top - 1 b^\top\|_F^2 / (2 n)`.
    """

    quadratic = True
    # The loss in an estimator's objective, over the task weights w_t and the
    # intercepts b_t, and what its symbols mean (see linear_model._docs).
    name = "squared"
    model = "least squares"
    math = (
        r"\frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2"
    )
    math_notes = (
        r"where :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample "
        r"weights :math:`s_i`, which then weight the squared errors)."
    )

    def scaled_weight(self, data):
        """Per-observation weight of the loss: ``s_i / S``."""
        return data.cached(
            "squared_weight", lambda: data.weight / data.sample_weight_sum
        )

    def loss(self, data, Z):
        """Per-observation loss values (an observation array)."""
        return 0.5 * self.scaled_weight(data) * (data.Y - Z) ** 2

    def value(self, data, Z):
        return float(np.sum(self.loss(data, Z)))

    def gradient(self, data, Z):
        """Derivative of the loss with respect to each prediction."""
        return self.scaled_weight(data) * (Z - data.Y)

    def hessian(self, data, Z):
        """Second derivative with respect to each prediction."""
        return self.scaled_weight(data)

    def bregman(self, data, Z_new, Z):
        """``F(Z_new) - F(Z) - <grad F(Z), Z_new - Z>``, without cancellation."""
        return float(0.5 * np.sum(self.scaled_weight(data) * (Z_new - Z) ** 2))

    def hessian_bound(self, data):
        """Upper bound of :meth:`hessian` over all predictions."""
        return self.scaled_weight(data)

    def conjugate(self, data, U):
        r"""Fenchel conjugate :math:`F^*(U) = \sum u y + u^2 / (2 c)`."""
        c = self.scaled_weight(data)
        observed = c > 0
        if np.any(U[~observed] != 0):
            return np.inf
        u = U[observed]
        return float(np.sum(u * data.Y[observed] + u**2 / (2 * c[observed])))

    def as_cvxpy(self, z, y, c):
        """The loss of predictions ``z`` as a cvxpy expression."""
        import cvxpy as cp

        return 0.5 * cp.sum(cp.multiply(c, cp.square(z - y)))
