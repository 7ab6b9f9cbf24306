"""Convex clustered multi-task learning (MALSAR's Least_CMTL / Logistic_CMTL)."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from ..penalties._clustered import ClusteredPenalty
from ._base import (
    POSITIVE,
    Classifier,
    MultiTaskLinearModel,
    Parameter,
    Regressor,
    strength,
)


class _Clustered(MultiTaskLinearModel):
    r"""Multi-task {model} whose tasks form clusters, learned convexly.

    {objective}
    :math:`\eta = \beta / \alpha`, :math:`k` = ``n_clusters`` and :math:`M`
    a (n_tasks, n_tasks) matrix. This is convex clustered multi-task
    learning (Zhou, Chen & Ye 2011; MALSAR's ``Least_CMTL`` /
    ``Logistic_CMTL``, RMTL's ``CMTL``): for hard clusters, :math:`M = F
    F^\top` with normalised cluster indicators :math:`F`, the penalty is
    :math:`\alpha \sum_j \sum_{t \in C_j} \|w_t - \bar w_{C_j}\|^2 + \beta
    \|W\|_F^2`, the k-means objective of the tasks' weights plus a ridge; the
    constraint on :math:`M` is its convex relaxation. The penalty is smooth,
    so the model is fitted by L-BFGS, certified by the duality gap.

    The penalty is not strongly convex and its conjugate has kinks, so the
    duality gap shrinks only like the square root of the suboptimality: in
    double precision it certifies about ``1e-8`` of the objective, and a
    smaller ``tol`` may end with a ``ConvergenceWarning``.

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. Clustered multi-task learning via
       alternating structure optimization. NIPS 2011.
    """

    _parameters = (
        Parameter(
            "n_clusters",
            2,
            [Interval(Integral, 1, None, closed="left")],
            "int",
            r"""Number of task clusters :math:`k`, from 1 to the number of tasks
            (checked in ``fit``). ``n_clusters`` = n_tasks makes every task its
            own cluster: the penalty is then the ridge :math:`\beta \|W\|_F^2`.""",
            positional=True,
        ),
        strength(
            "alpha",
            1.0,
            r"""Strength of the clustering term, >= 0 (MALSAR's ``rho1``, RMTL's
            ``Lam1``): how strongly the tasks are pulled toward their cluster's
            mean. 0 gives independent ridge models with strength ``beta``. The
            relaxed pull is bounded by ``beta``: as ``alpha`` grows the penalty
            tends to ``beta`` times the squared spectral k-support norm of
            :math:`W`, at most :math:`\beta (T / k) \|W\|_F^2`, so tune
            ``alpha`` and ``beta`` together.""",
            positional=True,
        ),
        strength(
            "beta",
            1.0,
            """Strength of the ridge term, > 0 (MALSAR's ``rho2``, RMTL's
            ``Lam2``). Needed: as ``beta`` goes to 0 the relaxed penalty
            vanishes (the model tends to the unpenalised one), whatever
            ``alpha``.""",
            positional=True,
            constraints=POSITIVE,
        ),
    )
    _solvers = ("lbfgs", "cvxpy")
    _penalty_math = r"""\alpha \eta (1 + \eta) \min_{M}
  \operatorname{tr}\big(W^\top (\eta I + M)^{-1} W\big)
\ \text{ s.t. } \operatorname{tr} M = k,\ 0 \preceq M \preceq I"""
    _attributes = """
task_matrix_ : ndarray of shape (n_tasks, n_tasks)
    The optimal :math:`M` at ``coef_`` (at ``specific_coef_`` with
    ``shared_component=True``; rows and columns ordered as
    ``tasks_``): the relaxed ``F @ F.T`` of the normalised cluster
    indicators :math:`F`, with eigenvalues in [0, 1] summing to
    ``n_clusters``. Large entries join tasks of one cluster.

task_clusters_ : ndarray of shape (n_tasks,)
    A cluster label (0 .. ``n_clusters`` - 1) per task, in ``tasks_``
    order: k-means (``random_state=0``) on the rows of ``coef_`` (of
    ``specific_coef_`` with ``shared_component=True``), the
    hard clustering whose k-means objective the penalty relaxes.
    Numbered by first appearance: task 0 is in cluster 0.
"""

    def _check_task_data(self, data):
        super()._check_task_data(data)
        if self.n_clusters > data.n_tasks:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than the number of tasks "
                f"(n_tasks={data.n_tasks}); it must be between 1 and n_tasks "
                "(n_clusters=n_tasks is a plain ridge)."
            )

    def _penalty_for(self, data):
        return ClusteredPenalty(self.alpha, self.beta, self.n_clusters)

    def _set_derived_attributes(self):
        penalty = ClusteredPenalty(self.alpha, self.beta, self.n_clusters)
        self.task_matrix_ = penalty.task_matrix(self._penalised_coef())
        self.task_clusters_ = _cluster_tasks(self._penalised_coef(), self.n_clusters)


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


class ClusteredRegressor(Regressor, _Clustered):
    """
    See Also
    --------
    ClusteredClassifier : The same penalty with the logistic loss.
    MeanRegularizedRegressor : Pulls all tasks toward one mean (one cluster).

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


class ClusteredClassifier(Classifier, _Clustered):
    """
    See Also
    --------
    ClusteredRegressor : The same penalty with the squared loss.
    MeanRegularizedClassifier : Pulls all tasks toward one mean (one cluster).

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
