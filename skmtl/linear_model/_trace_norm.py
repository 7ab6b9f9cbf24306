"""Low-rank task weights with the trace norm (MALSAR's Least_Trace / Logistic_Trace)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import NuclearNorm
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    refuse_unpenalised,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _TraceNormModel(_MultiTaskLinearModel):
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
        return NuclearNorm(self.alpha)


_MODEL_PARAMETERS = """
    alpha : float, default=1.0
        Strength of the trace norm, > 0 (0 is refused: the model would be
        unpenalised). Larger values give ``coef_`` of lower rank; from the
        spectral norm of the loss gradient at ``coef_ = 0`` (with the best
        intercepts) on, all coefficients are zero.
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


class TraceNormRegressor(_MultiTaskRegressorMixin, _TraceNormModel):
    r"""Multi-task least squares whose task weights share a low-rank subspace.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \|W\|_*,

    where :math:`\|W\|_* = \sum_k \sigma_k(W)` is the trace (nuclear) norm,
    the sum of the singular values of :math:`W`, and :math:`n` is
    ``n_samples`` (:math:`\sum_i s_i` with sample weights :math:`s_i`, which
    then weight the squared errors). The trace norm is a convex surrogate of
    the rank: the task weights are combinations of a few directions shared
    by all tasks (Ji & Ye 2009; Pong et al. 2010). This is MALSAR's
    ``Least_Trace`` and RMTL's ``Regularization="Trace"``, up to the scaling
    of their losses. Unlike :class:`FeatureLearningRegressor` (the squared
    trace norm) the penalty is not squared: singular values are
    soft-thresholded one by one, and a large ``alpha`` gives ``coef_ = 0``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TraceNormClassifier : The same penalty with the logistic loss.
    FeatureLearningRegressor : The squared trace norm.

    References
    ----------
    .. [1] S. Ji and J. Ye. An accelerated gradient method for trace norm
       minimization. ICML 2009.
    .. [2] T. K. Pong, P. Tseng, S. Ji and J. Ye. Trace norm regularization:
       reformulations, algorithms, and multi-task learning. SIAM Journal on
       Optimization, 20(6):3465-3489, 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import TraceNormRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=6, n_samples=30, n_features=8, relatedness=0.9, random_state=0
    ... )
    >>> model = TraceNormRegressor(alpha=0.2, task_column=0).fit(X, y)
    >>> int(np.linalg.matrix_rank(model.coef_))  # 6 tasks, 2 shared directions
    2
    """

    _parameter_constraints = {
        **_TraceNormModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }


class TraceNormClassifier(_MultiTaskClassifierMixin, _TraceNormModel):
    r"""Multi-task logistic regression whose task weights share a low-rank subspace.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \|W\|_*,

    with :math:`\|W\|_*` the trace (nuclear) norm, the sum of the singular
    values of :math:`W`, :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m`
    the number of observed targets (the sample-weighted mean with sample
    weights). This is MALSAR's ``Logistic_Trace`` and RMTL's
    ``Regularization="Trace"``, up to the scaling of their losses.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TraceNormRegressor : The same penalty with the squared loss.
    FeatureLearningClassifier : The squared trace norm.

    Examples
    --------
    >>> from skmtl import TraceNormClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=60, n_features=6, relatedness=0.9, random_state=0
    ... )
    >>> clf = TraceNormClassifier(alpha=0.01, task_column=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _parameter_constraints = {
        **_TraceNormModel._parameter_constraints,
        "solver": [StrOptions({"auto", "prox_newton", "fista", "cvxpy"})],
    }


fill_doc(
    TraceNormRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_REGRESSOR_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES,
)
fill_doc(
    TraceNormClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_CLASSIFIER_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
)
