"""Decomposition models ``W = P + Q`` (MALSAR's Least_Dirty, Least_rMTFL, Least_RMTL).

The task weights are the sum of a part ``P`` (``shared_coef_``) with the
structure the tasks share and a part ``Q`` (``specific_coef_``) that lets
tasks depart from it, each with its own penalty.
"""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties import L1, L21, NuclearNorm
from ..penalties._decomposition import Decomposition, L1Inf, TaskL21
from ..solvers import solve
from ..solvers._decomposition import split_parts
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc

_STRENGTH = Interval(Real, 0, None, closed="left")


class _DecompositionModel(_MultiTaskLinearModel):
    """Base of the models ``coef_ = shared_coef_ + specific_coef_``.

    Subclasses name their two strengths in ``_strengths`` (shared part
    first) and build the two penalties in ``_parts``.
    """

    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "solver": [StrOptions({"auto", "fista", "cvxpy"})],
    }
    _strengths = ()

    def _parts(self):
        raise NotImplementedError

    def _penalty(self):
        for name, part in zip(
            self._strengths, ("shared", "task-specific"), strict=True
        ):
            if getattr(self, name) == 0:
                other = "task-specific" if part == "shared" else "shared"
                raise ValueError(
                    f"{name}=0 leaves the {part} part of coef_ unpenalised: the "
                    f"loss depends on the sum of the two parts only, so that part "
                    f"would absorb all of coef_ (the {other} part being zero) and "
                    f"the model would be unpenalised. Give {name} a positive value."
                )
        return Decomposition(*self._parts())

    def _shared_model(self):
        """An unseen task gets the mean shared part, not the mean of ``coef_``."""
        return self.shared_coef_.mean(axis=0), self.intercept_.mean()

    def _solve(self, data, datafit, warm):
        """Run the solver with the two parts as the start when ``warm``."""
        result = solve(
            data,
            datafit,
            self._penalty(),
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            coef_init=[self.shared_coef_, self.specific_coef_] if warm else None,
            intercept_init=self.intercept_ if warm else None,
        )
        self.shared_coef_, self.specific_coef_ = split_parts(result)
        return result


# -- the three models -------------------------------------------------------------


class _DirtyModel(_DecompositionModel):
    _parameter_constraints = {
        **_DecompositionModel._parameter_constraints,
        "alpha_group": [_STRENGTH],
        "alpha_sparse": [_STRENGTH],
        "group_norm": [StrOptions({"l2", "linf"})],
    }
    _strengths = ("alpha_group", "alpha_sparse")

    def __init__(
        self,
        alpha_group=1.0,
        alpha_sparse=0.5,
        *,
        group_norm="l2",
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
        self.group_norm = group_norm
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _parts(self):
        group = L21 if self.group_norm == "l2" else L1Inf
        return group(self.alpha_group), L1(self.alpha_sparse)


class _RobustFeatureLearningModel(_DecompositionModel):
    _parameter_constraints = {
        **_DecompositionModel._parameter_constraints,
        "alpha_features": [_STRENGTH],
        "alpha_tasks": [_STRENGTH],
    }
    _strengths = ("alpha_features", "alpha_tasks")

    def __init__(
        self,
        alpha_features=1.0,
        alpha_tasks=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha_features = alpha_features
        self.alpha_tasks = alpha_tasks
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _parts(self):
        return L21(self.alpha_features), TaskL21(self.alpha_tasks)


class _RobustLowRankModel(_DecompositionModel):
    _parameter_constraints = {
        **_DecompositionModel._parameter_constraints,
        "alpha_rank": [_STRENGTH],
        "alpha_tasks": [_STRENGTH],
    }
    _strengths = ("alpha_rank", "alpha_tasks")

    def __init__(
        self,
        alpha_rank=1.0,
        alpha_tasks=0.5,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha_rank = alpha_rank
        self.alpha_tasks = alpha_tasks
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _parts(self):
        return NuclearNorm(self.alpha_rank), TaskL21(self.alpha_tasks)


# -- documentation ------------------------------------------------------------------

_SQUARED_LOSS = r"""\frac{1}{2 n} \sum_{(i, t) \text{ observed}}
        (y_{it} - x_i^\top (p_t + q_t) - b_t)^2"""
_LOGISTIC_LOSS = r"""\frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top (p_t + q_t) + b_t)}\right)"""
_SQUARED_SCALING = r"""where :math:`p_t`, :math:`q_t` are the rows of :math:`P` and
    :math:`Q` and :math:`n` is ``n_samples`` (:math:`\sum_i s_i` with sample weights
    :math:`s_i`, which then weight the squared errors)."""
_LOGISTIC_SCALING = r"""where :math:`p_t`, :math:`q_t` are the rows of :math:`P` and
    :math:`Q`, :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` is the number of
    observed targets (the loss is the sample-weighted mean with sample
    weights). Each task is binary: a 1-D ``y`` with two classes, or a 0/1
    multi-label ``y`` with one column per label on the shared design."""

_SOLVERS = (
    '{"auto", "fista", "cvxpy"}',
    '"fista" ("auto"): accelerated proximal gradient with adaptive restart\n'
    "        on the stacked variable ``[P; Q]`` (one proximal step per part), on\n"
    "        per-task sufficient statistics for the squared loss when they are\n"
    '        cheaper than the data. "cvxpy": the reference solver, with ``P``\n'
    "        and ``Q`` as variables (slow).",
)

_DECOMPOSITION_ATTRIBUTES = """
    shared_coef_ : ndarray of shape (n_tasks, n_features)
        The part :math:`P` of the weights with the structure the tasks share.

    specific_coef_ : ndarray of shape (n_tasks, n_features)
        The part :math:`Q` of the weights by which tasks depart from it.
"""

_GAP_NOTE = """
    ``coef_`` is ``shared_coef_ + specific_coef_``. The split need not be
    unique even where ``coef_`` is; ``dual_gap_`` bounds the suboptimality
    of the returned split (with the certificate of the penalty
    :math:`\\min_{P + Q = W} \\Omega(P, Q)` of :math:`W`). ``warm_start``
    starts from the previous ``shared_coef_`` and ``specific_coef_``."""

_DIRTY_DOC = r"""Multi-task {model}: a group-sparse plus a sparse part ("dirty" model).

    Minimises, over :math:`P` (``shared_coef_``), :math:`Q`
    (``specific_coef_``) and the intercepts :math:`b_t`,

    .. math::

        {loss}
        + \alpha_g \sum_{{j=1}}^{{p}} \|P_{{:, j}}\|_q
        + \alpha_s \sum_{{t, j}} |Q_{{tj}}|,

    {scaling}
    The task weights are :math:`W = P + Q` (``coef_``).
    :math:`P_{{:, j}}` holds feature :math:`j`'s weights in all tasks and
    :math:`q` is ``group_norm``: 2, or :math:`\infty` as in Jalali et al.
    (2010). Features that matter to most tasks go to :math:`P`, used by
    all tasks; a feature that matters to a few tasks only goes to the
    entries of :math:`Q` of those tasks, so the model adapts between the
    L2,1 model and the lasso. {malsar} (with ``group_norm="linf"``, up to
    the scaling of the loss; see :ref:`coming_from_malsar`).

    Only some ratios give both parts a role: :math:`Q = 0` (the L2,1 or
    L1,inf model of strength :math:`\alpha_g`) when
    :math:`\alpha_s > \alpha_g`, and :math:`P = 0` (the lasso of strength
    :math:`\alpha_s`) when :math:`\alpha_g > \sqrt{{T}}\,\alpha_s`
    (``"l2"``) or :math:`\alpha_g > T \alpha_s` (``"linf"``), :math:`T` the
    number of tasks.
{gap_note}

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    {see_also}

    References
    ----------
    .. [1] A. Jalali, P. Ravikumar, S. Sanghavi and C. Ruan. A dirty model
       for multi-task learning. NIPS 2010.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.

    Examples
    --------
{examples}"""

_DIRTY_PARAMETERS = """
    alpha_group : float, default=1.0
        Strength :math:`\\alpha_g` of the group norm of the shared part, > 0.

    alpha_sparse : float, default=0.5
        Strength :math:`\\alpha_s` of the L1 norm of the task-specific part,
        > 0 (0 is refused for either strength: that part would take all the
        weights unpenalised).

    group_norm : {"l2", "linf"}, default="l2"
        The norm of each feature's weights across tasks in the shared part:
        Euclidean, or the largest magnitude (as Jalali et al. and MALSAR's
        ``Least_Dirty``).
"""

_RMTFL_DOC = r"""Multi-task {model}: joint feature selection robust to outlier tasks.

    Minimises, over :math:`P` (``shared_coef_``), :math:`Q`
    (``specific_coef_``) and the intercepts :math:`b_t`,

    .. math::

        {loss}
        + \alpha_f \sum_{{j=1}}^{{p}} \|P_{{:, j}}\|_2
        + \alpha_t \sum_{{t=1}}^{{T}} \|Q_{{t, :}}\|_2,

    {scaling}
    The task weights are :math:`W = P + Q` (``coef_``).
    The L2,1 norm of :math:`P` selects the features all tasks share (as
    the L2,1 models); the group norm of the rows of :math:`Q` lets a
    few outlier tasks have non-zero weights of their own, on any feature,
    so that they do not disturb the selection (Gong, Ye & Zhang 2012). The
    outlier tasks are the non-zero rows of ``specific_coef_``. {malsar}
    (up to the scaling of the loss).

    :math:`Q = 0` (the L2,1 model of strength :math:`\alpha_f`) when
    :math:`\alpha_t > \sqrt{{p}}\,\alpha_f`, and :math:`P = 0` (each task
    with its own group lasso) when :math:`\alpha_f > \sqrt{{T}}\,\alpha_t`.
{gap_note}

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    {see_also}

    References
    ----------
    .. [1] P. Gong, J. Ye and C. Zhang. Robust multi-task feature learning.
       KDD 2012.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.

    Examples
    --------
{examples}"""

_RMTFL_PARAMETERS = """
    alpha_features : float, default=1.0
        Strength :math:`\\alpha_f` of the L2,1 norm of the shared part, > 0.

    alpha_tasks : float, default=1.0
        Strength :math:`\\alpha_t` of the group norm of the task-specific
        rows, > 0 (0 is refused for either strength: that part would take all
        the weights unpenalised). Smaller values let more tasks be outliers.
"""

_RMTL_DOC = r"""Multi-task {model} with low-rank weights robust to outlier tasks.

    Minimises, over :math:`P` (``shared_coef_``), :math:`Q`
    (``specific_coef_``) and the intercepts :math:`b_t`,

    .. math::

        {loss}
        + \alpha_r \|P\|_*
        + \alpha_t \sum_{{t=1}}^{{T}} \|Q_{{t, :}}\|_2,

    {scaling}
    The task weights are :math:`W = P + Q` (``coef_``).
    The trace norm :math:`\|P\|_*` (sum of singular values) keeps the
    weights of most tasks in a low-dimensional subspace (as
    the trace-norm models); the group norm of the rows of :math:`Q`
    lets a few outlier tasks leave it (Chen, Zhou & Ye 2011). The outlier
    tasks are the non-zero rows of ``specific_coef_``. {malsar}
    (up to the scaling of the loss).

    :math:`Q = 0` (the trace-norm model of strength :math:`\alpha_r`) when
    :math:`\alpha_t > \alpha_r`, and :math:`P = 0` (each task with its own
    group lasso) when :math:`\alpha_r > \sqrt{{T}}\,\alpha_t`.
{gap_note}

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    {see_also}

    References
    ----------
    .. [1] J. Chen, J. Zhou and J. Ye. Integrating low-rank and group-sparse
       structures for robust multi-task learning. KDD 2011.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.

    Examples
    --------
{examples}"""

_RMTL_PARAMETERS = """
    alpha_rank : float, default=1.0
        Strength :math:`\\alpha_r` of the trace norm of the shared part, > 0.

    alpha_tasks : float, default=0.5
        Strength :math:`\\alpha_t` of the group norm of the task-specific
        rows, > 0 (0 is refused for either strength: that part would take all
        the weights unpenalised). Smaller values let more tasks be outliers.
"""

_OUTLIER_PROBLEM = """\
    Five tasks share three features; task 4 uses other ones:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 8))
    >>> W = np.zeros((5, 8))
    >>> W[:, :3] = 1.0 + 0.1 * rng.normal(size=(5, 3))
    >>> W[4] = [0, 0, 0, 0, 0, 2.0, -2.0, 2.0]
    >>> Y = X @ W.T + 0.1 * rng.normal(size=(200, 5))
"""

_EXAMPLES = {
    "DirtyRegressor": """\
    Three tasks share two features; each task also has one of its own:

    >>> import numpy as np
    >>> from skmtl import DirtyRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 6))
    >>> W = np.zeros((3, 6))
    >>> W[:, :2] = 1.0
    >>> W[[0, 1, 2], [3, 4, 5]] = 2.0
    >>> Y = X @ W.T + 0.1 * rng.normal(size=(100, 3))
    >>> model = DirtyRegressor(alpha_group=0.1, alpha_sparse=0.08).fit(X, Y)
    >>> np.flatnonzero(np.any(model.shared_coef_ != 0, axis=0))  # shared features
    array([0, 1])
    >>> np.argwhere(model.specific_coef_ != 0)  # (task, feature) of its own
    array([[0, 3],
           [1, 4],
           [2, 5]])""",
    "DirtyClassifier": """\
    >>> from skmtl import DirtyClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=200, n_features=8, n_informative=2,
    ...     shared_design=True, random_state=0,
    ... )
    >>> clf = DirtyClassifier(alpha_group=0.02, alpha_sparse=0.015).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 3)""",
    "RobustFeatureLearningRegressor": _OUTLIER_PROBLEM
    + """
    >>> from skmtl import (
    ...     RobustFeatureLearningRegressor,
    ... )
    >>> model = RobustFeatureLearningRegressor(0.1, 0.15).fit(X, Y)
    >>> np.flatnonzero(np.any(model.shared_coef_ != 0, axis=0))  # shared features
    array([0, 1, 2])
    >>> np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))  # outlier tasks
    array([4])""",
    "RobustFeatureLearningClassifier": """\
    >>> from skmtl import (
    ...     RobustFeatureLearningClassifier,
    ... )
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=60, n_features=6, relatedness=0.9, random_state=0
    ... )
    >>> clf = RobustFeatureLearningClassifier(0.01, 0.01, task_column=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)""",
    "RobustLowRankRegressor": _OUTLIER_PROBLEM
    + """
    >>> from skmtl import RobustLowRankRegressor
    >>> model = RobustLowRankRegressor(0.5, 0.4).fit(X, Y)
    >>> np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))  # outlier tasks
    array([4])
    >>> int(np.linalg.matrix_rank(model.shared_coef_, tol=1e-8))
    1""",
    "RobustLowRankClassifier": """\
    >>> from skmtl import RobustLowRankClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=60, n_features=6, relatedness=0.9, random_state=0
    ... )
    >>> clf = RobustLowRankClassifier(0.02, 0.01, task_column=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)""",
}


def _document(cls, template, parameters, see_also, malsar):
    classifier = issubclass(cls, _MultiTaskClassifierMixin)
    cls.__doc__ = template.format(
        malsar=(
            f"It is the logistic-loss counterpart of MALSAR's ``{malsar}``"
            if classifier
            else f"This is MALSAR's ``{malsar}``"
        ),
        model="logistic regression" if classifier else "least squares",
        loss=_LOGISTIC_LOSS if classifier else _SQUARED_LOSS,
        scaling=_LOGISTIC_SCALING if classifier else _SQUARED_SCALING,
        gap_note=_GAP_NOTE,
        see_also=see_also,
        examples=_EXAMPLES[cls.__name__],
    )
    fill_doc(
        cls,
        parameters=parameters
        + common_parameters(*_SOLVERS, tol="1e-6", max_iter="10_000"),
        attributes=(CLASSES_ATTRIBUTE if classifier else "")
        + _DECOMPOSITION_ATTRIBUTES
        + FITTED_ATTRIBUTES,
    )


class DirtyRegressor(_MultiTaskRegressorMixin, _DirtyModel):
    pass


class DirtyClassifier(_MultiTaskClassifierMixin, _DirtyModel):
    pass


class RobustFeatureLearningRegressor(
    _MultiTaskRegressorMixin, _RobustFeatureLearningModel
):
    pass


class RobustFeatureLearningClassifier(
    _MultiTaskClassifierMixin, _RobustFeatureLearningModel
):
    pass


class RobustLowRankRegressor(_MultiTaskRegressorMixin, _RobustLowRankModel):
    pass


class RobustLowRankClassifier(_MultiTaskClassifierMixin, _RobustLowRankModel):
    pass


_document(
    DirtyRegressor,
    _DIRTY_DOC,
    _DIRTY_PARAMETERS,
    "DirtyClassifier : The same penalty with the logistic loss.\n"
    "    L21Regressor : The shared part alone.\n"
    "    LassoRegressor : The task-specific part alone.",
    "Least_Dirty",
)
_document(
    DirtyClassifier,
    _DIRTY_DOC,
    _DIRTY_PARAMETERS,
    "DirtyRegressor : The same penalty with the squared loss.\n"
    "    L21Classifier : The shared part alone.",
    "Least_Dirty",
)
_document(
    RobustFeatureLearningRegressor,
    _RMTFL_DOC,
    _RMTFL_PARAMETERS,
    "RobustFeatureLearningClassifier : The same penalty with the logistic loss.\n"
    "    L21Regressor : The shared part alone.\n"
    "    RobustLowRankRegressor : A low-rank shared part.",
    "Least_rMTFL",
)
_document(
    RobustFeatureLearningClassifier,
    _RMTFL_DOC,
    _RMTFL_PARAMETERS,
    "RobustFeatureLearningRegressor : The same penalty with the squared loss.\n"
    "    L21Classifier : The shared part alone.",
    "Least_rMTFL",
)
_document(
    RobustLowRankRegressor,
    _RMTL_DOC,
    _RMTL_PARAMETERS,
    "RobustLowRankClassifier : The same penalty with the logistic loss.\n"
    "    TraceNormRegressor : The shared part alone.\n"
    "    RobustFeatureLearningRegressor : A feature-sparse shared part.",
    "Least_RMTL",
)
_document(
    RobustLowRankClassifier,
    _RMTL_DOC,
    _RMTL_PARAMETERS,
    "RobustLowRankRegressor : The same penalty with the squared loss.\n"
    "    TraceNormClassifier : The shared part alone.",
    "Least_RMTL",
)
