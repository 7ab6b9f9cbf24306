"""Joint feature selection with the L2,1 norm (MALSAR's Least_L21 / Logistic_L21)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import L21
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    refuse_unpenalised,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _L21Model(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l2=0.0,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha = alpha
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self):
        refuse_unpenalised(self, "alpha", "l2")
        return L21(self.alpha, self.l2)


_MODEL_PARAMETERS = """
    alpha : float, default=1.0
        Strength of the L2,1 norm, >= 0 (> 0 unless ``l2 > 0``). From
        ``l21_alpha_max(X, y)`` on, all coefficients are zero.

    l2 : float, default=0.0
        Strength of the ridge term ``(l2 / 2) ||W||_F^2``, >= 0 (an elastic
        net over groups).
"""

_REGRESSOR_SOLVERS = (
    '{"auto", "fista", "cd", "cvxpy"}',
    '"fista": accelerated proximal gradient with adaptive restart, working\n'
    "        sets over features and per-task sufficient statistics when they are\n"
    '        cheaper than the data. "cd": working sets around scikit-learn\'s\n'
    "        multi-task coordinate descent; only for the shared design with every\n"
    '        target observed and no sample weights. "auto" picks "cd" there when\n'
    '        there are at least a quarter as many features as rows, else "fista".\n'
    '        "cvxpy": the reference solver (slow).',
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


class L21Regressor(_MultiTaskRegressorMixin, _L21Model):
    r"""Multi-task least squares that selects features jointly for all tasks.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \sum_{j=1}^{p} \|W_{:, j}\|_2 + \frac{\ell_2}{2} \|W\|_F^2,

    where :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks,
    :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample weights
    :math:`s_i`, which then weight the squared errors). A feature is used by
    all tasks or by none. On the shared design with a complete ``y`` and
    ``l2=0`` this is scikit-learn's ``MultiTaskLasso`` objective: the same
    ``alpha`` gives the same solution. Unlike it, tasks may have different
    rows (``task_column``) or missing targets (``NaN`` in ``y``).

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    L21RegressorCV : Chooses ``alpha`` by cross-validation along a path.
    l21_alpha_max : The smallest ``alpha`` with all coefficients zero.
    L21Classifier : The same penalty with the logistic loss.

    References
    ----------
    .. [1] G. Obozinski, B. Taskar and M. I. Jordan. Joint covariate selection
       and joint subspace selection for multiple classification problems.
       Statistics and Computing, 2010.
    .. [2] J. Liu, S. Ji and J. Ye. Multi-task feature learning via efficient
       L2,1-norm minimization. UAI 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import L21Regressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=30, n_features=10, n_informative=3, random_state=0
    ... )
    >>> model = L21Regressor(alpha=0.3, task_column=0).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """

    _parameter_constraints = {
        **_L21Model._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cd", "cvxpy"})],
    }


class L21Classifier(_MultiTaskClassifierMixin, _L21Model):
    r"""Multi-task logistic regression that selects features jointly for all tasks.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \sum_{j=1}^{p} \|W_{:, j}\|_2 + \frac{\ell_2}{2} \|W\|_F^2,

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets (the loss is the sample-weighted mean with sample
    weights). Each task is binary: a 1-D ``y`` with two classes, or a 0/1
    multi-label ``y`` with one column per label on the shared design, where
    the L2,1 norm selects the features shared by all labels.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    L21ClassifierCV : Chooses ``alpha`` by cross-validation along a path.
    L21Regressor : The same penalty with the squared loss.

    Examples
    --------
    >>> from skmtl import L21Classifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=200, n_features=8, n_informative=2,
    ...     shared_design=True, random_state=0,
    ... )
    >>> clf = L21Classifier(alpha=0.02).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **_L21Model._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


fill_doc(
    L21Regressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_REGRESSOR_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES,
)
fill_doc(
    L21Classifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_CLASSIFIER_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
)
