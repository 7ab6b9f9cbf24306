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

    def scaled_weight(self, data):
        """Per-observation weight of the loss: ``s_i / sum of s over observations``."""
        return data.weight / data.weight.sum()

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
