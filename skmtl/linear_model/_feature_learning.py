"""Convex multi-task feature learning (Argyriou, Evgeniou & Pontil 2008)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import SquaredTraceNorm
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _FeatureLearningModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
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
        return SquaredTraceNorm(self.alpha)

    def _set_derived_attributes(self):
        # W = U S V': the optimal D = (W'W)^(1/2) / tr(...) = V diag(S / sum S) V',
        # and the task covariance (W W')^(1/2) / tr(...) = U diag(S / sum S) U'.
        U, sigma, Vt = np.linalg.svd(self.coef_, full_matrices=False)
        kept = sigma > 1e-10 * max(sigma.max(initial=0.0), np.finfo(float).tiny)
        self.components_ = Vt[kept]
        total = sigma[kept].sum()
        self.component_weights_ = sigma[kept] / total if total > 0 else sigma[kept]
        n_tasks = self.coef_.shape[0]
        if total > 0:
            self.task_covariance_ = (U[:, kept] * self.component_weights_) @ U[
                :, kept
            ].T
        else:  # W = 0: every covariance is optimal; the tasks as unrelated
            self.task_covariance_ = np.eye(n_tasks) / n_tasks


_MODEL_PARAMETERS = """
    alpha : float, default=1.0
        Strength of the squared trace norm, > 0. Larger values share fewer
        feature directions.
"""

_REGRESSOR_SOLVERS = (
    '{"auto", "fista", "cvxpy"}',
    '"fista" ("auto"): accelerated proximal gradient with adaptive restart\n'
    "        (an SVD of ``coef_`` per step) on per-task sufficient statistics when\n"
    '        they are cheaper than the data. "cvxpy": the reference solver (slow).',
)
_CLASSIFIER_SOLVERS = (
    '{"auto", "prox_newton", "fista", "cvxpy"}',
    '"prox_newton": proximal Newton steps (weighted least-squares models\n'
    '        solved by FISTA on their sufficient statistics). "fista":\n'
    '        accelerated proximal gradient on the data. "auto" picks\n'
    '        "prox_newton" when the features are fewer than the rows (per task\n'
    '        for the task-indexed layout), else "fista". "cvxpy": the reference\n'
    "        solver (slow).",
)

_DERIVED_ATTRIBUTES = r"""
    components_ : ndarray of shape (n_components, n_features)
        The shared feature directions: eigenvectors of the learned feature
        covariance :math:`D`, i.e. the right singular vectors of ``coef_``
        with non-zero singular values, by decreasing weight.

    component_weights_ : ndarray of shape (n_components,)
        Their eigenvalues in :math:`D` (the singular values of ``coef_``
        divided by their sum), so that
        ``D = components_.T @ np.diag(component_weights_) @ components_``.

    task_covariance_ : ndarray of shape (n_tasks, n_tasks)
        The task covariance :math:`\Omega = (W W^\top)^{1/2} / \operatorname{tr}
        (W W^\top)^{1/2}` of multi-task relationship learning (Zhang & Yeung
        2010), whose penalty :math:`\operatorname{tr}(W^\top \Omega^{-1} W)`,
        minimised over :math:`\Omega` of trace 1, is also the squared trace
        norm: the two formulations share their optimum, and this is its
        :math:`\Omega`. Rows and columns ordered as ``tasks_``; the identity
        divided by ``n_tasks`` when ``coef_`` is zero.
"""


class FeatureLearningRegressor(_MultiTaskRegressorMixin, _FeatureLearningModel):
    r"""Multi-task least squares that learns a few shared feature directions.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \|W\|_*^2,

    the squared trace norm of :math:`W` (sum of singular values, squared),
    with :math:`n` = ``n_samples`` (or :math:`\sum_i s_i` with sample
    weights). This is convex multi-task feature learning (Argyriou,
    Evgeniou & Pontil 2008): :math:`\|W\|_*^2 = \min_{D \succeq 0,\,
    \operatorname{tr} D \le 1} \sum_t w_t^\top D^{+} w_t`, so the tasks share a
    learned feature covariance :math:`D` whose eigenvectors
    (``components_``) are the learned features; a large ``alpha`` keeps few
    of them.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    L21Regressor : Selects original features instead of learning directions.
    FeatureLearningClassifier : The same penalty with the logistic loss.

    References
    ----------
    .. [1] A. Argyriou, T. Evgeniou and M. Pontil. Convex multi-task feature
       learning. Machine Learning, 73(3):243-272, 2008.

    Examples
    --------
    >>> from skmtl import FeatureLearningRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=6, n_samples=30, n_features=8, relatedness=0.9, random_state=0
    ... )
    >>> model = FeatureLearningRegressor(alpha=0.05, task_column=0).fit(X, y)
    >>> model.components_.shape[1]
    8
    """

    _parameter_constraints = {
        **_FeatureLearningModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }


class FeatureLearningClassifier(_MultiTaskClassifierMixin, _FeatureLearningModel):
    r"""Multi-task logistic regression that learns a few shared feature directions.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \|W\|_*^2,

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets (the sample-weighted mean with sample weights).

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FeatureLearningRegressor : The same penalty with the squared loss.
    L21Classifier : Selects original features instead of learning directions.

    Examples
    --------
    >>> from skmtl import FeatureLearningClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=60, n_features=6, relatedness=0.9, random_state=0
    ... )
    >>> clf = FeatureLearningClassifier(alpha=0.01, task_column=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _parameter_constraints = {
        **_FeatureLearningModel._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


fill_doc(
    FeatureLearningRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_REGRESSOR_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES + _DERIVED_ATTRIBUTES,
)
fill_doc(
    FeatureLearningClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_CLASSIFIER_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES + _DERIVED_ATTRIBUTES,
)
