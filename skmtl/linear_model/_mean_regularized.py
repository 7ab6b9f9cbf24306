"""Mean-regularized multi-task learning (Evgeniou & Pontil, KDD 2004)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import MeanRegularization
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _MeanRegularizedModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "coupling": [Interval(Real, 0, np.inf, closed="both")],
    }

    def __init__(
        self,
        alpha=1.0,
        coupling=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-8,
        max_iter=1000,
        warm_start=False,
    ):
        self.alpha = alpha
        self.coupling = coupling
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self):
        return MeanRegularization(self.alpha, self.coupling)


_MODEL_PARAMETERS = """
    alpha : float, default=1.0
        Strength of the penalty, > 0. With ``coupling=0`` the model is ridge
        regression per task with this ``alpha``.

    coupling : float in [0, inf], default=1.0
        How strongly each task's weights are pulled toward the mean of the
        tasks' weights, relative to ``alpha``: 0 fits independent models,
        ``float("inf")`` one pooled weight vector (with per-task intercepts).
        The main knob to tune. The pull toward the mean is
        ``alpha * coupling`` and the shrinkage of the mean itself ``alpha``:
        when the mean should hardly be shrunk, the best setting is a small
        ``alpha`` with a large ``coupling``, so let the grid span many decades.
"""


class MeanRegularizedRegressor(_MultiTaskRegressorMixin, _MeanRegularizedModel):
    r"""Multi-task ridge regression with task weights pulled toward their mean.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``) and the
    intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \Big( \sum_{t=1}^{T} \|w_t\|^2
        + \lambda \sum_{t=1}^{T} \|w_t - \bar w\|^2 \Big),
        \qquad \bar w = \frac{1}{T} \sum_t w_t,

    where :math:`\lambda` is ``coupling`` and :math:`n` is ``n_samples``.
    With sample weights :math:`s_i` each term is weighted by :math:`s_i` and
    :math:`n` becomes :math:`\sum_i s_i`. ``coupling=0`` is ridge regression
    per task (scikit-learn's ``Ridge(alpha=2 * n_samples * alpha)`` on that
    task's rows); ``coupling=inf`` fits one pooled weight vector with
    per-task intercepts.

    The default solver is exact: it forms the per-task Gram matrices once and
    solves T + 1 systems of size p x p, never the (T p) x (T p) system.

    Read more in the :ref:`User Guide <mean_regularized>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MeanRegularizedClassifier : The same penalty with the logistic loss.

    References
    ----------
    .. [1] T. Evgeniou and M. Pontil. Regularized multi-task learning.
       KDD 2004.

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

    _parameter_constraints = {
        **_MeanRegularizedModel._parameter_constraints,
        "solver": [StrOptions({"auto", "closed_form", "lbfgs", "cvxpy"})],
    }


class MeanRegularizedClassifier(_MultiTaskClassifierMixin, _MeanRegularizedModel):
    r"""Multi-task logistic regression with task weights pulled toward their mean.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``) and the
    intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \Big( \sum_{t=1}^{T} \|w_t\|^2
        + \lambda \sum_{t=1}^{T} \|w_t - \bar w\|^2 \Big),

    with :math:`\tilde y_{it} \in \{-1, 1\}`, :math:`m` the number of
    observed targets, :math:`\bar w` the mean of the :math:`w_t` and
    :math:`\lambda` the ``coupling``. With sample weights :math:`s_i` the loss
    is the :math:`s`-weighted mean. Each task is a binary problem: a 1-D ``y``
    with two classes (task-indexed layout, or a single task), or a 0/1
    multi-label ``y`` with one column per task on the shared design.

    The default solver is Newton's method whose Hessian solve uses the
    structure of the penalty (T + 1 systems of size p x p per step); it stops
    on a duality gap.

    Read more in the :ref:`User Guide <mean_regularized>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MeanRegularizedRegressor : The same penalty with the squared loss.

    Examples
    --------
    >>> from skmtl import MeanRegularizedClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=50, random_state=0
    ... )
    >>> clf = MeanRegularizedClassifier(alpha=0.01, coupling=5.0, task_column=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **_MeanRegularizedModel._parameter_constraints,
        "solver": [StrOptions({"auto", "newton", "lbfgs", "cvxpy"})],
    }


fill_doc(
    MeanRegularizedRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(
        '{"auto", "closed_form", "lbfgs", "cvxpy"}',
        '"closed_form": the exact solve. "lbfgs": iterative, cheaper per\n'
        '        feature. "auto" picks "closed_form" up to 1000 features and "lbfgs"\n'
        '        beyond. "cvxpy": the reference solver (slow).',
        tol="1e-8",
        max_iter=1000,
    ),
    attributes=FITTED_ATTRIBUTES,
)
fill_doc(
    MeanRegularizedClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(
        '{"auto", "newton", "lbfgs", "cvxpy"}',
        '"auto" picks "newton" up to 200 features (task-indexed layout) or 50\n'
        '        (shared design) and "lbfgs" beyond. "cvxpy": the reference solver\n'
        "        (slow).",
        tol="1e-8",
        max_iter=1000,
    ),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
)
