"""Tasks in time: the fused sparse group lasso of disease-progression models."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import FusedSparseGroupL21
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _FusedSparseGroupModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha_sparse": [Interval(Real, 0, None, closed="left")],
        "alpha_fused": [Interval(Real, 0, None, closed="left")],
        "alpha_group": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        alpha_sparse=1.0,
        alpha_fused=1.0,
        alpha_group=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha_sparse = alpha_sparse
        self.alpha_fused = alpha_fused
        self.alpha_group = alpha_group
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self):
        # The penalty refuses alpha_sparse = alpha_group = 0, naming both.
        return FusedSparseGroupL21(
            self.alpha_sparse, self.alpha_fused, self.alpha_group
        )


_OBJECTIVE_PENALTY = r"""
        + \alpha_s \sum_{t=1}^{T} \sum_{j=1}^{p} |W_{tj}|
        + \alpha_f \sum_{t=1}^{T-1} \sum_{j=1}^{p} |W_{t+1, j} - W_{tj}|
        + \alpha_g \sum_{j=1}^{p} \|W_{:, j}\|_2,"""

_MODEL_PARAMETERS = """
    alpha_sparse : float, default=1.0
        Strength of the L1 norm :math:`\\alpha_s` (each task drops features
        of its own), >= 0.

    alpha_fused : float, default=1.0
        Strength of the fused term :math:`\\alpha_f` (consecutive tasks keep
        the same weights), >= 0.

    alpha_group : float, default=1.0
        Strength of the L2,1 norm :math:`\\alpha_g` (features selected for
        all tasks jointly), >= 0. ``alpha_sparse`` or ``alpha_group`` must be
        positive: the fused term alone leaves the weights all tasks share
        unpenalised.
"""

_REGRESSOR_SOLVERS = (
    '{"auto", "fista", "cvxpy"}',
    '"fista" ("auto"): accelerated proximal gradient with adaptive restart\n'
    "        and the exact prox of the penalty, on per-task sufficient\n"
    '        statistics when they are cheaper than the data. "cvxpy": the\n'
    "        reference solver (slow).",
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

_ORDER = """The tasks are ordered as ``tasks_``: the sorted task ids (task-indexed
    layout; numbers sort numerically, strings alphabetically, so name time
    points ``"m06"``, ``"m12"``, ... or use numbers) or the columns of ``y``
    (shared design)."""


class FusedSparseGroupRegressor(_MultiTaskRegressorMixin, _FusedSparseGroupModel):
    r"""Multi-task least squares for tasks in time: fused sparse group lasso.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        {penalty}

    where :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample weights
    :math:`s_i`, which then weight the squared errors). Each task is a time
    point (the visits of a disease-progression study, say): the L2,1 term
    selects features for all time points jointly, the L1 term lets a time
    point drop some of them, and the fused term keeps consecutive time
    points' weights equal unless the data say otherwise. This is MALSAR's
    ``Least_CFGLasso`` (Zhou, Liu, Narayan & Ye 2012), up to the scaling of
    its loss (see :ref:`coming_from_malsar`). {order}

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FusedSparseGroupClassifier : The same penalty with the logistic loss.
    TemporalGroupRegressor : Smooth (squared) changes between time points.
    SparseGroupRegressor : Without the fused term.

    References
    ----------
    .. [1] J. Zhou, J. Liu, V. A. Narayan and J. Ye. Modeling disease
       progression via fused sparse group lasso. KDD 2012.
    .. [2] L. Condat. A direct algorithm for 1-D total variation denoising.
       IEEE Signal Processing Letters, 20(11):1054-1057, 2013.

    Examples
    --------
    Five time points whose weights change once, between the second and the
    third: the fused term recovers the two plateaus, and the L1 and L2,1
    terms drop the two features that play no part.

    >>> import numpy as np
    >>> from skmtl import FusedSparseGroupRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> W = np.array([[1.0, 0, 0], [1, 0, 0], [2, 0, 0], [2, 0, 0], [2, 0, 0]])
    >>> Y = X @ W.T + 0.1 * rng.normal(size=(200, 5))
    >>> model = FusedSparseGroupRegressor(0.001, 0.02, 0.001).fit(X, Y)
    >>> np.round(model.coef_[:, 0], 2)
    array([1.01, 1.01, 1.99, 1.99, 1.99])
    >>> bool(np.all(model.coef_[:, 1:] == 0))
    True
    """

    _parameter_constraints = {
        **_FusedSparseGroupModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }


class FusedSparseGroupClassifier(_MultiTaskClassifierMixin, _FusedSparseGroupModel):
    r"""Multi-task logistic regression for tasks in time: fused sparse group lasso.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        {penalty}

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets (the loss is the sample-weighted mean with sample
    weights). Each task is binary and a time point; the penalty is that of
    :class:`FusedSparseGroupRegressor`, MALSAR's ``Logistic_CFGLasso`` up to
    the scaling of its loss. {order}

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    FusedSparseGroupRegressor : The same penalty with the squared loss.
    TemporalGroupClassifier : Smooth (squared) changes between time points.

    Examples
    --------
    >>> from skmtl import FusedSparseGroupClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=4, n_samples=200, n_features=6, shared_design=True,
    ...     random_state=0,
    ... )
    >>> clf = FusedSparseGroupClassifier(0.001, 0.01, 0.001).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 4)
    """

    _parameter_constraints = {
        **_FusedSparseGroupModel._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


for _cls, _solvers, _attributes in (
    (FusedSparseGroupRegressor, _REGRESSOR_SOLVERS, FITTED_ATTRIBUTES),
    (
        FusedSparseGroupClassifier,
        _CLASSIFIER_SOLVERS,
        CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
    ),
):
    fill_doc(
        _cls,
        penalty=_OBJECTIVE_PENALTY,
        order=_ORDER,
        parameters=_MODEL_PARAMETERS
        + common_parameters(*_solvers, tol="1e-6", max_iter="10_000"),
        attributes=_attributes,
    )
