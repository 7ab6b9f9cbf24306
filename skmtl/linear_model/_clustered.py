"""Convex clustered multi-task learning (MALSAR's Least_CMTL / Logistic_CMTL)."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ..penalties._clustered import ClusteredPenalty
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc


class _ClusteredModel(_MultiTaskLinearModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions({"auto", "lbfgs", "cvxpy"})],
    }

    def __init__(
        self,
        n_clusters=2,
        alpha=1.0,
        beta=1.0,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.beta = beta
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _prepare_fit(self, X, y, sample_weight):
        data, datafit = super()._prepare_fit(X, y, sample_weight)
        if self.n_clusters > data.n_tasks:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than the number of tasks "
                f"(n_tasks={data.n_tasks}); it must be between 1 and n_tasks "
                "(n_clusters=n_tasks is a plain ridge)."
            )
        return data, datafit

    def _penalty(self):
        return ClusteredPenalty(self.alpha, self.beta, self.n_clusters)

    def _set_derived_attributes(self):
        self.task_matrix_ = self._penalty().task_matrix(self.coef_)
        self.task_clusters_ = _cluster_tasks(self.coef_, self.n_clusters)


def _cluster_tasks(W, k):
    """k-means (``random_state=0``) on the rows of ``W``, labels by first appearance.

    This is the hard clustering the penalty relaxes: with ``M = F F'`` for
    normalised indicators ``F``, the penalty is ``alpha`` times the k-means
    objective of the rows of ``W`` plus a ridge. (k-means on the rows of a
    factor of ``task_matrix_`` recovers planted groups less reliably: the
    relaxed ``M`` weighs weak singular directions, mostly noise, up.)
    """
    T = W.shape[0]
    if k == 1 or W.shape[1] == 0:  # without features every task looks alike
        return np.zeros(T, dtype=int)
    if k == T:
        return np.arange(T)
    with warnings.catch_warnings():
        # Fewer distinct rows than k (e.g. coef_ = 0): the labels still hold.
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(k, n_init=10, random_state=0).fit(W).labels_
    values, first = np.unique(labels, return_index=True)
    rank = np.argsort(np.argsort(first))
    return rank[np.searchsorted(values, labels)]


_MODEL_PARAMETERS = """
    n_clusters : int, default=2
        Number of task clusters :math:`k`, from 1 to the number of tasks
        (checked in ``fit``). ``n_clusters`` = n_tasks makes every task its
        own cluster: the penalty is then the ridge :math:`\\beta \\|W\\|_F^2`.

    alpha : float, default=1.0
        Strength of the clustering term, >= 0 (MALSAR's ``rho1``, RMTL's
        ``Lam1``): how strongly the tasks are pulled toward their cluster's
        mean. 0 gives independent ridge models with strength ``beta``. The
        relaxed pull is bounded by ``beta``: as ``alpha`` grows the penalty
        tends to ``beta`` times the squared spectral k-support norm of
        :math:`W`, at most :math:`\\beta (T / k) \\|W\\|_F^2`, so tune
        ``alpha`` and ``beta`` together.

    beta : float, default=1.0
        Strength of the ridge term, > 0 (MALSAR's ``rho2``, RMTL's ``Lam2``).
        Needed: as ``beta`` goes to 0 the relaxed penalty vanishes (the
        model tends to the unpenalised one), whatever ``alpha``.
"""

_SOLVERS = (
    '{"auto", "lbfgs", "cvxpy"}',
    '"lbfgs" ("auto"): L-BFGS on the smooth penalty (an SVD of ``coef_`` per\n'
    '        step), stopped by the duality gap. "cvxpy": the reference solver\n'
    "        (a semidefinite program, slow).",
)

_DERIVED_ATTRIBUTES = """
    task_matrix_ : ndarray of shape (n_tasks, n_tasks)
        The optimal :math:`M` at ``coef_`` (rows and columns ordered as
        ``tasks_``): the relaxed ``F @ F.T`` of the normalised cluster
        indicators :math:`F`, with eigenvalues in [0, 1] summing to
        ``n_clusters``. Large entries join tasks of one cluster.

    task_clusters_ : ndarray of shape (n_tasks,)
        A cluster label (0 .. ``n_clusters`` - 1) per task, in ``tasks_``
        order: k-means (``random_state=0``) on the rows of ``coef_``, the
        hard clustering whose k-means objective the penalty relaxes.
        Numbered by first appearance: task 0 is in cluster 0.
"""


class ClusteredRegressor(_MultiTaskRegressorMixin, _ClusteredModel):
    r"""Multi-task least squares whose tasks form clusters, learned convexly.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \eta (1 + \eta) \min_{M}
          \operatorname{tr}\big(W^\top (\eta I + M)^{-1} W\big)
        \ \text{ s.t. } \operatorname{tr} M = k,\ 0 \preceq M \preceq I,

    with :math:`\eta = \beta / \alpha`, :math:`k` = ``n_clusters``, :math:`M`
    a (n_tasks, n_tasks) matrix and :math:`n` = ``n_samples`` (or
    :math:`\sum_i s_i` with sample weights). This is convex clustered
    multi-task learning (Zhou, Chen & Ye 2011; MALSAR's ``Least_CMTL``,
    RMTL's ``CMTL``): for hard clusters, :math:`M = F F^\top` with normalised
    cluster indicators :math:`F`, the penalty is :math:`\alpha \sum_j
    \sum_{t \in C_j} \|w_t - \bar w_{C_j}\|^2 + \beta \|W\|_F^2`, the k-means
    objective of the tasks' weights plus a ridge; the constraint on
    :math:`M` is its convex relaxation. The penalty is smooth, so the model
    is fitted by L-BFGS, certified by the duality gap.

    The penalty is not strongly convex and its conjugate has kinks, so the
    duality gap shrinks only like the square root of the suboptimality: in
    double precision it certifies about ``1e-8`` of the objective, and a
    smaller ``tol`` may end with a ``ConvergenceWarning``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    ClusteredClassifier : The same penalty with the logistic loss.
    MeanRegularizedRegressor : Pulls all tasks toward one mean (one cluster).

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. Clustered multi-task learning via
       alternating structure optimization. NIPS 2011.

    Examples
    --------
    Six tasks in two groups of three, each group with its own weights:

    >>> import numpy as np
    >>> from skmtl import ClusteredRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 4))
    >>> centres = np.array([[2.0, -1.0, 0.0, 1.0], [-1.0, 0.0, 2.0, 1.0]])
    >>> W = centres[[0, 0, 0, 1, 1, 1]] + 0.1 * rng.normal(size=(6, 4))
    >>> Y = X @ W.T + 0.1 * rng.normal(size=(120, 6))
    >>> model = ClusteredRegressor(n_clusters=2, alpha=1.0, beta=0.01).fit(X, Y)
    >>> model.task_clusters_
    array([0, 0, 0, 1, 1, 1])
    >>> model.task_matrix_.shape
    (6, 6)
    """


class ClusteredClassifier(_MultiTaskClassifierMixin, _ClusteredModel):
    r"""Multi-task logistic regression whose tasks form clusters, learned convexly.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \eta (1 + \eta) \min_{M}
          \operatorname{tr}\big(W^\top (\eta I + M)^{-1} W\big)
        \ \text{ s.t. } \operatorname{tr} M = k,\ 0 \preceq M \preceq I,

    with :math:`\eta = \beta / \alpha`, :math:`k` = ``n_clusters``,
    :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of observed
    targets (the sample-weighted mean with sample weights). This is MALSAR's
    ``Logistic_CMTL`` and RMTL's ``CMTL`` for classification; see
    :class:`ClusteredRegressor` for the meaning of the penalty.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    ClusteredRegressor : The same penalty with the squared loss.
    MeanRegularizedClassifier : Pulls all tasks toward one mean (one cluster).

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. Clustered multi-task learning via
       alternating structure optimization. NIPS 2011.

    Examples
    --------
    Six labels in two groups of three, each group driven by its own features:

    >>> import numpy as np
    >>> from skmtl import ClusteredClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 4))
    >>> centres = np.array([[3.0, 3.0, 0.0, 0.0], [0.0, 0.0, 3.0, -3.0]])
    >>> W = centres[[0, 1, 0, 1, 0, 1]]
    >>> Y = (X @ W.T + rng.logistic(size=(400, 6)) > 0).astype(float)
    >>> clf = ClusteredClassifier(n_clusters=2, alpha=0.1, beta=1e-3).fit(X, Y)
    >>> clf.task_clusters_
    array([0, 1, 0, 1, 0, 1])
    >>> clf.predict_proba(X[:2]).shape
    (2, 6)
    """


fill_doc(
    ClusteredRegressor,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=FITTED_ATTRIBUTES + _DERIVED_ATTRIBUTES,
)
fill_doc(
    ClusteredClassifier,
    parameters=_MODEL_PARAMETERS
    + common_parameters(*_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES + _DERIVED_ATTRIBUTES,
)
