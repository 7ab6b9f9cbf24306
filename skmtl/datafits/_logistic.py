import numpy as np
from scipy.special import expit, xlogy


class LogisticLoss:
    r"""Logistic loss, the weighted mean over the observed targets.

    .. math::

        F(Z) = \frac{1}{\sum_{(i,t)} s_i} \sum_{(i, t) \text{ observed}}
        s_i \log\left(1 + e^{-\tilde y_{it} z_{it}}\right),
        \qquad \tilde y_{it} = 2 y_{it} - 1 \in \{-1, 1\},

    where the targets ``y`` are coded 0/1, :math:`s_i` are the sample weights
    and both sums run over the observed targets only.
    """

    quadratic = False
    # The loss in an estimator's objective (see linear_model._docs).
    name = "logistic"
    model = "logistic regression"
    math = (
        r"\frac{1}{m} \sum_{(i, t) \text{ observed}}"
        "\n"
        r"\log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)"
    )
    math_notes = (
        r"with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of "
        "observed targets (the loss is the sample-weighted mean with sample "
        "weights). Each task is binary: a 1-D ``y`` with two classes, or a 0/1 "
        "multi-label ``y`` with one column per label on the shared design."
    )

    def scaled_weight(self, data):
        """Per-observation weight of the loss: ``s_i / sum of s over observations``."""
        return data.cached("logistic_weight", lambda: data.weight / data.weight.sum())

    def loss(self, data, Z):
        signed = np.where(data.Y > 0, Z, -Z)
        return self.scaled_weight(data) * np.logaddexp(0.0, -signed)

    def value(self, data, Z):
        return float(np.sum(self.loss(data, Z)))

    def gradient(self, data, Z):
        return self.scaled_weight(data) * (expit(Z) - data.Y)

    def hessian(self, data, Z):
        p = expit(Z)
        return self.scaled_weight(data) * p * (1.0 - p)

    def bregman(self, data, Z_new, Z):
        """``F(Z_new) - F(Z) - <grad F(Z), Z_new - Z>``, accurate down to tiny moves.

        Each term ``softplus(z + d) - softplus(z) - sigmoid(z) d`` is about
        ``sigmoid'(z) d^2 / 2``; formed as written it loses all its digits to
        cancellation once ``d`` is small, so small moves use the Taylor
        expansion to third order instead.
        """
        d = Z_new - Z
        p = expit(Z)
        curvature = p * (1 - p)
        taylor = curvature * d * d * (0.5 + (1 - 2 * p) * d / 6)
        direct = np.logaddexp(0.0, Z_new) - np.logaddexp(0.0, Z) - p * d
        terms = np.where(np.abs(d) < 1e-3, taylor, direct)
        return float(np.sum(self.scaled_weight(data) * np.maximum(terms, 0.0)))

    def hessian_bound(self, data):
        """Upper bound of :meth:`hessian` over all predictions (p (1 - p) <= 1/4)."""
        return 0.25 * self.scaled_weight(data)

    def conjugate(self, data, U):
        r"""Fenchel conjugate, a negative binary entropy.

        With :math:`q = u / c + y \in [0, 1]` (the predicted probability that
        makes ``u`` the gradient), :math:`f^*(u) = c\,(q \log q + (1-q)\log(1-q))`.
        """
        c = self.scaled_weight(data)
        observed = c > 0
        if np.any(U[~observed] != 0):
            return np.inf
        q = U[observed] / c[observed] + data.Y[observed]
        if np.any(q < -1e-12) or np.any(q > 1 + 1e-12):
            return np.inf
        q = np.clip(q, 0.0, 1.0)
        return float(np.sum(c[observed] * (xlogy(q, q) + xlogy(1 - q, 1 - q))))

    def as_cvxpy(self, z, y, c):
        import cvxpy as cp

        signed = cp.multiply(np.where(y > 0, 1.0, -1.0), z)
        return cp.sum(cp.multiply(c, cp.logistic(-signed)))
