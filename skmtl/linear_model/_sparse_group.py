"""Joint and task-wise feature selection with the sparse group lasso (L2,1 + L1)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import SparseGroupL21
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    refuse_unpenalised,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _SparseGroupModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha_group": [Interval(Real, 0, None, closed="left")],
        "alpha_sparse": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        alpha_group=1.0,
        alpha_sparse=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha_group = alpha_group
        self.alpha_sparse = alpha_sparse
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self):
        refuse_unpenalised(self, "alpha_group", "alpha_sparse")
        return SparseGroupL21(self.alpha_group, self.alpha_sparse)


_MODEL_PARAMETERS = """
    alpha_group : float, default=1.0
        Strength of the L2,1 norm (joint selection of features), >= 0.

    alpha_sparse : float, default=1.0
        Strength of the L1 norm (selection within each task), >= 0. At least
        one of the two must be positive: ``alpha_sparse=0`` is the L2,1 model,
        ``alpha_group=0`` the lasso.
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


class SparseGroupRegressor(_MultiTaskRegressorMixin, _SparseGroupModel):
    r"""Multi-task least squares that selects features jointly, then per task.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha_g \sum_{j=1}^{p} \|W_{:, j}\|_2
        + \alpha_s \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|,

    where :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks and
    :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample weights
    :math:`s_i`, which then weight the squared errors). The L2,1 term
    (``alpha_group``) removes features from all tasks at once; the L1 term
    (``alpha_sparse``) lets each task drop some of the features that remain:
    the sparse group lasso with one group per feature (Simon et al. 2013).
    MALSAR's ``Least_CFGLasso`` with ``rho2=0`` is this model (see
    :ref:`coming_from_malsar` for the scaling); it interpolates between the L2,1
    model (:class:`L21Regressor`, ``alpha_sparse=0``) and the lasso
    (:class:`LassoRegressor`, ``alpha_group=0``).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SparseGroupClassifier : The same penalty with the logistic loss.
    L21Regressor : The L2,1 term alone.
    LassoRegressor : The L1 term alone.

    References
    ----------
    .. [1] N. Simon, J. Friedman, T. Hastie and R. Tibshirani. A sparse-group
       lasso. Journal of Computational and Graphical Statistics,
       22(2):231-245, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import SparseGroupRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=30, n_features=10, n_informative=3, random_state=0
    ... )
    >>> model = SparseGroupRegressor(0.2, 0.05, task_column=0).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """

    _parameter_constraints = {
        **_SparseGroupModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }


class SparseGroupClassifier(_MultiTaskClassifierMixin, _SparseGroupModel):
    r"""Multi-task logistic regression that selects features jointly, then per task.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha_g \sum_{j=1}^{p} \|W_{:, j}\|_2
        + \alpha_s \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|,

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets (the sample-weighted mean with sample weights). Each
    task is binary: a 1-D ``y`` with two classes, or a 0/1 multi-label ``y``
    with one column per label on the shared design. It is MALSAR's
    ``Logistic_CFGLasso`` with ``rho2=0``; ``alpha_sparse=0`` gives
    :class:`L21Classifier`, ``alpha_group=0`` gives :class:`LassoClassifier`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SparseGroupRegressor : The same penalty with the squared loss.
    L21Classifier : The L2,1 term alone.
    LassoClassifier : The L1 term alone.

    Examples
    --------
    >>> from skmtl import SparseGroupClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=200, n_features=8, n_informative=2,
    ...     shared_design=True, random_state=0,
    ... )
    >>> clf = SparseGroupClassifier(0.02, 0.005).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **_SparseGroupModel._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


fill_doc(
    SparseGroupRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_REGRESSOR_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES,
)
fill_doc(
    SparseGroupClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_CLASSIFIER_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
)
