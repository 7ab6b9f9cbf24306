"""Mean-regularized multi-task learning (Evgeniou & Pontil, KDD 2004)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ..penalties import MeanRegularization
from ._base import (
    POSITIVE,
    Classifier,
    MultiTaskLinearModel,
    Parameter,
    Regressor,
    strength,
)


class _MeanRegularized(MultiTaskLinearModel):
    r"""Multi-task {model} with task weights pulled toward their mean.

    {objective}
    :math:`\lambda` is ``coupling``: ``coupling=0`` fits independent models,
    ``coupling=inf`` one pooled weight vector with per-task intercepts.

    Read more in the :ref:`User Guide <mean_regularized>`.

    References
    ----------
    .. [1] T. Evgeniou and M. Pontil. Regularized multi-task learning.
       KDD 2004.
    """

    _shares = False  # the tasks already shrink toward their mean

    _parameters = (
        strength(
            "alpha",
            1.0,
            """Strength of the penalty, > 0. With ``coupling=0`` the model is
            ridge regression per task with this ``alpha``.""",
            positional=True,
            constraints=POSITIVE,
        ),
        Parameter(
            "coupling",
            1.0,
            [Interval(Real, 0, np.inf, closed="both")],
            "float in [0, inf]",
            """How strongly each task's weights are pulled toward the mean of the
            tasks' weights, relative to ``alpha``: 0 fits independent models,
            ``float("inf")`` one pooled weight vector (with per-task
            intercepts). The main knob to tune. The pull toward the mean is
            ``alpha * coupling`` and the shrinkage of the mean itself
            ``alpha``: when the mean should hardly be shrunk, the best setting
            is a small ``alpha`` with a large ``coupling``, so let the grid
            span many decades.""",
            positional=True,
        ),
    )
    _defaults = {"tol": 1e-8, "max_iter": 1000}
    _solvers = ("closed_form", "newton", "newton_cg", "lbfgs", "cvxpy")
    _path = "alpha"
    _penalty_math = (
        MeanRegularization.math + ",\n" + r"\qquad \bar w = \frac{1}{T} \sum_t w_t"
    )

    def _penalty_for(self, data):
        return MeanRegularization(self.alpha, self.coupling)


class MeanRegularizedRegressor(Regressor, _MeanRegularized):
    """``coupling=0`` is scikit-learn's ``Ridge(alpha=2 * n_samples * alpha)``
    on each task's rows. The closed form forms the per-task Gram matrices
    once and solves T + 1 systems of size p x p, never the (T p) x (T p)
    system.

    See Also
    --------
    MeanRegularizedClassifier : The same penalty with the logistic loss.

    Examples
    --------
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(n_tasks=5, n_samples=30, random_state=0)
    >>> model = MeanRegularizedRegressor(alpha=0.1, coupling=2.0, task_column=0)
    >>> model.fit(X, y).coef_.shape
    (5, 20)
    >>> model.predict(X[:3]).shape
    (3,)
    """


class MeanRegularizedClassifier(Classifier, _MeanRegularized):
    """Newton's method solves the Hessian systems with the structure of the
    penalty (T + 1 systems of size p x p per step) and stops on a duality
    gap.

    See Also
    --------
    MeanRegularizedRegressor : The same penalty with the squared loss.
    """

    _example_args = "alpha=0.01, coupling=5.0, "
