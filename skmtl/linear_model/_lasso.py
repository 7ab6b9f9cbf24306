"""Sparse task weights with the L1 norm (MALSAR's Least_Lasso / Logistic_Lasso)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import L1
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    refuse_unpenalised,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _LassoModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self):
        refuse_unpenalised(self, "alpha")
        return L1(self.alpha)


_MODEL_PARAMETERS = """
    alpha : float, default=1.0
        Strength of the L1 norm, > 0 (0 is refused: the model would be
        unpenalised). From the largest absolute entry of the loss gradient at
        ``coef_ = 0`` (with the best intercepts) on, all coefficients are zero.
"""

_REGRESSOR_SOLVERS = (
    '{"auto", "fista", "cvxpy"}',
    '"fista" ("auto"): accelerated proximal gradient with adaptive restart,\n'
    "        working sets over features and per-task sufficient statistics when\n"
    '        they are cheaper than the data. "cvxpy": the reference solver (slow).',
)
_CLASSIFIER_SOLVERS = (
    '{"auto", "prox_newton", "fista", "cvxpy"}',
    '"prox_newton": proximal Newton steps (weighted least-squares models\n'
    "        solved by FISTA on their sufficient statistics) on working sets.\n"
    '        "fista": accelerated proximal gradient on the data. "auto" picks\n'
    '        "prox_newton" when the features are fewer than the rows (per task\n'
    '        for the task-indexed layout), else "fista". "cvxpy": the reference\n'
    "        solver (slow).",
)


class LassoRegressor(_MultiTaskRegressorMixin, _LassoModel):
    r"""Multi-task least squares with an L1 penalty on all task weights.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|,

    where :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample weights
    :math:`s_i`, which then weight the squared errors). The penalty is
    separable: each task selects its own features, and the tasks share only
    ``alpha``, the data scaling and, on the shared design, the rows. This is
    the baseline of MALSAR (``Least_Lasso``) and RMTL
    (``Regularization="Lasso"``), up to the scaling of their losses. On the
    shared design with a complete ``y`` every task is scikit-learn's
    ``Lasso`` on its own column: the same ``alpha`` gives the same solution.
    Unlike it, tasks may have different rows (``task_column``) or missing
    targets (``NaN`` in ``y``).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LassoClassifier : The same penalty with the logistic loss.
    SparseGroupRegressor : Adds an L2,1 term that selects features jointly.
    L21Regressor : Selects features jointly for all tasks.

    References
    ----------
    .. [1] R. Tibshirani. Regression shrinkage and selection via the lasso.
       Journal of the Royal Statistical Society B, 58(1):267-288, 1996.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import LassoRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=30, n_features=10, n_informative=3, random_state=0
    ... )
    >>> model = LassoRegressor(alpha=0.3, task_column=0).fit(X, y)
    >>> model.coef_.shape
    (4, 10)
    >>> bool(np.all(model.coef_[:, 3:] == 0))  # uninformative features dropped
    True
    """

    _parameter_constraints = {
        **_LassoModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }


class LassoClassifier(_MultiTaskClassifierMixin, _LassoModel):
    r"""Multi-task logistic regression with an L1 penalty on all task weights.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|,

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets (the loss is the sample-weighted mean with sample
    weights). Each task is binary: a 1-D ``y`` with two classes, or a 0/1
    multi-label ``y`` with one column per label on the shared design. Each
    task selects its own features. This is the baseline of MALSAR
    (``Logistic_Lasso``) and RMTL (``Regularization="Lasso"``), up to the
    scaling of their losses.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LassoRegressor : The same penalty with the squared loss.
    SparseGroupClassifier : Adds an L2,1 term that selects features jointly.
    L21Classifier : Selects features jointly for all tasks.

    Examples
    --------
    >>> from skmtl import LassoClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=200, n_features=8, n_informative=2,
    ...     shared_design=True, random_state=0,
    ... )
    >>> clf = LassoClassifier(alpha=0.02).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **_LassoModel._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


fill_doc(
    LassoRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_REGRESSOR_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES,
)
fill_doc(
    LassoClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_CLASSIFIER_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
)
