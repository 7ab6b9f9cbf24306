"""Decomposition models ``W = P + Q`` (MALSAR's Least_Dirty, Least_rMTFL, Least_RMTL).

The task weights are the sum of a part ``P`` (``shared_coef_``) with the
structure the tasks share and a part ``Q`` (``specific_coef_``) that lets
tasks depart from it, each with its own penalty. The generic model stores
the two parts of any :class:`~skmtl.penalties.Decomposition` penalty.
"""

from sklearn.utils._param_validation import StrOptions

from ..penalties import L1, L21, NuclearNorm
from ..penalties._decomposition import Decomposition, L1Inf, TaskL21
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Parameter,
    Regressor,
    strength,
)

_OUTLIER_PROBLEM = """Five tasks share three features; task 4 uses other ones:

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 8))
>>> W = np.zeros((5, 8))
>>> W[:, :3] = 1.0 + 0.1 * rng.normal(size=(5, 3))
>>> W[4] = [0, 0, 0, 0, 0, 2.0, -2.0, 2.0]
>>> Y = X @ W.T + 0.1 * rng.normal(size=(200, 5))
"""

_GAP_NOTE = """``coef_`` is ``shared_coef_ + specific_coef_``. The split need not be
    unique even where ``coef_`` is; ``dual_gap_`` bounds the suboptimality
    of the returned split (with the certificate of the penalty
    :math:`\\min_{P + Q = W} \\Omega(P, Q)` of :math:`W`). ``warm_start``
    starts from the previous ``shared_coef_`` and ``specific_coef_``."""


class _Decomposition(MultiTaskLinearModel):
    """Base of the models ``coef_ = shared_coef_ + specific_coef_``.

    Subclasses declare their two strengths (shared part first) and build the
    two penalties in ``_parts``.
    """

    # With a shared component: coef_ = common_coef_ + P + Q, where
    # shared_coef_ = common_coef_ + P keeps coef_ = shared_coef_ + specific_coef_.
    _shared_attributes = """
    common_coef_ : ndarray of shape (n_tasks, n_features)
        With ``shared_component=True`` only: the common weights :math:`w_0`
        in every row, a part of ``shared_coef_`` (then
        :math:`\\mathbf{1} w_0^\\top + P`); the penalties act on :math:`P`
        and :math:`Q`.
    """

    _solvers = ("fista", "cvxpy")
    _doc_values = {"gap_note": _GAP_NOTE, "outlier_problem": _OUTLIER_PROBLEM}
    _variables = (
        r":math:`P` (``shared_coef_``), :math:`Q` (``specific_coef_``) and the "
        r"intercepts :math:`b_t`, with :math:`w_t = p_t + q_t` (the rows of "
        r":math:`W = P + Q`, ``coef_``)"
    )
    _attributes = """
    shared_coef_ : ndarray of shape (n_tasks, n_features)
        The part :math:`P` of the weights with the structure the tasks share
        (plus the common weights ``common_coef_`` with
        ``shared_component=True``).

    specific_coef_ : ndarray of shape (n_tasks, n_features)
        The part :math:`Q` of the weights by which tasks depart from it.
    """

    def _penalty_for(self, data):
        strengths = [p.name for p in self._parameters if p.name.startswith("alpha")]
        for name, part in zip(strengths, ("shared", "task-specific"), strict=True):
            if getattr(self, name) == 0:
                other = "task-specific" if part == "shared" else "shared"
                raise ValueError(
                    f"{name}=0 leaves the {part} part of coef_ unpenalised: the "
                    f"loss depends on the sum of the two parts only, so that part "
                    f"would absorb all of coef_ (the {other} part being zero) and "
                    f"the model would be unpenalised. Give {name} a positive value."
                )
        return Decomposition(*self._parts())


class _Dirty(_Decomposition):
    r"""Multi-task {model}: a group-sparse plus a sparse part ("dirty" model).

    {objective}
    :math:`P_{:, j}` holds feature :math:`j`'s weights in all tasks and
    :math:`q` is ``group_norm``: 2, or :math:`\infty` as in Jalali et al.
    (2010). Features that matter to most tasks go to :math:`P`, used by
    all tasks; a feature that matters to a few tasks only goes to the
    entries of :math:`Q` of those tasks, so the model adapts between the
    L2,1 model and the lasso. This is MALSAR's ``Least_Dirty`` (with
    ``group_norm="linf"``, up to the scaling of the loss; see
    :ref:`coming_from_malsar`).

    Only some ratios give both parts a role: :math:`Q = 0` (the L2,1 or
    L1,inf model of strength :math:`\alpha_g`) when
    :math:`\alpha_s > \alpha_g`, and :math:`P = 0` (the lasso of strength
    :math:`\alpha_s`) when :math:`\alpha_g > \sqrt{T}\,\alpha_s`
    (``"l2"``) or :math:`\alpha_g > T \alpha_s` (``"linf"``), :math:`T` the
    number of tasks.

    {gap_note}

    References
    ----------
    .. [1] A. Jalali, P. Ravikumar, S. Sanghavi and C. Ruan. A dirty model
       for multi-task learning. NIPS 2010.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.
    """

    _parameters = (
        strength(
            "alpha_group",
            1.0,
            r"Strength :math:`\alpha_g` of the group norm of the shared part, > 0.",
            positional=True,
        ),
        strength(
            "alpha_sparse",
            0.5,
            r"""Strength :math:`\alpha_s` of the L1 norm of the task-specific
            part, > 0 (0 is refused for either strength: that part would take
            all the weights unpenalised).""",
            positional=True,
        ),
        Parameter(
            "group_norm",
            "l2",
            [StrOptions({"l2", "linf"})],
            '{"l2", "linf"}',
            """The norm of each feature's weights across tasks in the shared
            part: Euclidean, or the largest magnitude (as Jalali et al. and
            MALSAR's ``Least_Dirty``).""",
        ),
    )
    _penalty_math = (
        r"\alpha_g \sum_{j=1}^{p} \|P_{:, j}\|_q"
        "\n"
        r"+ \alpha_s \sum_{t, j} |Q_{tj}|"
    )

    def _parts(self):
        group = L21 if self.group_norm == "l2" else L1Inf
        return group(self.alpha_group), L1(self.alpha_sparse)


class _RobustFeatureLearning(_Decomposition):
    r"""Multi-task {model}: joint feature selection robust to outlier tasks.

    {objective}
    The L2,1 norm of :math:`P` selects the features all tasks share (as
    the L2,1 models); the group norm of the rows of :math:`Q` lets a
    few outlier tasks have non-zero weights of their own, on any feature,
    so that they do not disturb the selection (Gong, Ye & Zhang 2012). The
    outlier tasks are the non-zero rows of ``specific_coef_``. This is
    MALSAR's ``Least_rMTFL`` (up to the scaling of the loss).

    :math:`Q = 0` (the L2,1 model of strength :math:`\alpha_f`) when
    :math:`\alpha_t > \sqrt{p}\,\alpha_f`, and :math:`P = 0` (each task
    with its own group lasso) when :math:`\alpha_f > \sqrt{T}\,\alpha_t`.

    {gap_note}

    References
    ----------
    .. [1] P. Gong, J. Ye and C. Zhang. Robust multi-task feature learning.
       KDD 2012.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.
    """

    _parameters = (
        strength(
            "alpha_features",
            1.0,
            r"Strength :math:`\alpha_f` of the L2,1 norm of the shared part, > 0.",
            positional=True,
        ),
        strength(
            "alpha_tasks",
            1.0,
            r"""Strength :math:`\alpha_t` of the group norm of the task-specific
            rows, > 0 (0 is refused for either strength: that part would take
            all the weights unpenalised). Smaller values let more tasks be
            outliers.""",
            positional=True,
        ),
    )
    _penalty_math = (
        r"\alpha_f \sum_{j=1}^{p} \|P_{:, j}\|_2"
        "\n"
        r"+ \alpha_t \sum_{t=1}^{T} \|Q_{t, :}\|_2"
    )

    def _parts(self):
        return L21(self.alpha_features), TaskL21(self.alpha_tasks)


class _RobustLowRank(_Decomposition):
    r"""Multi-task {model} with low-rank weights robust to outlier tasks.

    {objective}
    The trace norm :math:`\|P\|_*` (sum of singular values) keeps the
    weights of most tasks in a low-dimensional subspace (as the trace-norm
    models); the group norm of the rows of :math:`Q` lets a few outlier
    tasks leave it (Chen, Zhou & Ye 2011). The outlier tasks are the
    non-zero rows of ``specific_coef_``. This is MALSAR's ``Least_RMTL`` (up
    to the scaling of the loss).

    :math:`Q = 0` (the trace-norm model of strength :math:`\alpha_r`) when
    :math:`\alpha_t > \alpha_r`, and :math:`P = 0` (each task with its own
    group lasso) when :math:`\alpha_r > \sqrt{T}\,\alpha_t`.

    {gap_note}

    References
    ----------
    .. [1] J. Chen, J. Zhou and J. Ye. Integrating low-rank and group-sparse
       structures for robust multi-task learning. KDD 2011.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.
    """

    _parameters = (
        strength(
            "alpha_rank",
            1.0,
            r"Strength :math:`\alpha_r` of the trace norm of the shared part, > 0.",
            positional=True,
        ),
        strength(
            "alpha_tasks",
            0.5,
            r"""Strength :math:`\alpha_t` of the group norm of the task-specific
            rows, > 0 (0 is refused for either strength: that part would take
            all the weights unpenalised). Smaller values let more tasks be
            outliers.""",
            positional=True,
        ),
    )
    _penalty_math = r"\alpha_r \|P\|_*" "\n" r"+ \alpha_t \sum_{t=1}^{T} \|Q_{t, :}\|_2"

    def _parts(self):
        return NuclearNorm(self.alpha_rank), TaskL21(self.alpha_tasks)


class DirtyRegressor(Regressor, _Dirty):
    """
    See Also
    --------
    DirtyClassifier : The same penalty with the logistic loss.
    L21Regressor : The shared part alone.
    LassoRegressor : The task-specific part alone.

    Examples
    --------
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
           [2, 5]])
    """


class DirtyClassifier(Classifier, _Dirty):
    """
    See Also
    --------
    DirtyRegressor : The same penalty with the squared loss.
    L21Classifier : The shared part alone.
    """

    _example_args = "alpha_group=0.02, alpha_sparse=0.015, "


class RobustFeatureLearningRegressor(Regressor, _RobustFeatureLearning):
    """
    See Also
    --------
    RobustFeatureLearningClassifier : The same penalty with the logistic loss.
    L21Regressor : The shared part alone.
    RobustLowRankRegressor : A low-rank shared part.

    Examples
    --------
    {outlier_problem}

    >>> from skmtl import RobustFeatureLearningRegressor
    >>> model = RobustFeatureLearningRegressor(0.1, 0.15).fit(X, Y)
    >>> np.flatnonzero(np.any(model.shared_coef_ != 0, axis=0))  # shared features
    array([0, 1, 2])
    >>> np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))  # outlier tasks
    array([4])
    """


class RobustFeatureLearningClassifier(Classifier, _RobustFeatureLearning):
    """
    See Also
    --------
    RobustFeatureLearningRegressor : The same penalty with the squared loss.
    L21Classifier : The shared part alone.
    """

    _example_args = "0.01, 0.01, "


class RobustLowRankRegressor(Regressor, _RobustLowRank):
    """
    See Also
    --------
    RobustLowRankClassifier : The same penalty with the logistic loss.
    TraceNormRegressor : The shared part alone.
    RobustFeatureLearningRegressor : A feature-sparse shared part.

    Examples
    --------
    {outlier_problem}

    >>> from skmtl import RobustLowRankRegressor
    >>> model = RobustLowRankRegressor(0.5, 0.4).fit(X, Y)
    >>> np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))  # outlier tasks
    array([4])
    >>> int(np.linalg.matrix_rank(model.shared_coef_, tol=1e-8))
    1
    """


class RobustLowRankClassifier(Classifier, _RobustLowRank):
    """
    See Also
    --------
    RobustLowRankRegressor : The same penalty with the squared loss.
    TraceNormClassifier : The shared part alone.
    """

    _example_args = "0.02, 0.01, "
