"""Graph-regularized and temporal multi-task models: a task-coupling quadratic
plus, optionally, a sparsity penalty (MALSAR's Least_SRMTL and Least_TGL)."""

from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.neighbors import kneighbors_graph
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions

from .._task_data import _format_tasks
from ..penalties import L21, QuadraticPlusPenalty, TaskQuadratic
from ..penalties._graph import chain_laplacian, graph_adjacency, laplacian_of
from ..penalties._lasso import L1
from ._base import (
    REQUIRED,
    STRENGTH,
    Classifier,
    MultiTaskLinearModel,
    Parameter,
    Regressor,
    refuse_unpenalised,
    strength,
)


class _NamedTaskRows(NamedTuple):
    """An array whose rows (and, for a graph, columns) are named by task ids.

    A cross-validation fold takes the rows of its tasks. It reads like a
    DataFrame (``index``, ``columns``, ``to_numpy``), without pandas.
    """

    values: np.ndarray
    index: list

    @property
    def columns(self):
        return self.index

    def to_numpy(self, dtype=float):
        return np.asarray(self.values, dtype=dtype)


def _is_named(value):
    return hasattr(value, "index") and hasattr(value, "to_numpy")


def task_descriptors(data):
    """Per-task summaries of the training rows, near for similar tasks.

    Task-indexed data: each task's (sample-weighted) feature means. Shared
    design, where every task sees the same rows: each task's covariances of
    the features with its target, over its observed rows.
    """
    if not data.shared_design:
        return data.weighted_moments(data.weight)[1]
    c = data.weight
    totals = c.sum(axis=0)
    y_mean = (c * data.Y).sum(axis=0) / totals
    return data.adjoint(c * (data.Y - y_mean))[0] / totals[:, None]


def knn_adjacency(descriptors, n_neighbors):
    """Symmetric 0/1 adjacency joining each task to its nearest tasks.

    Distances are Euclidean between the descriptors standardised over the
    tasks (descriptors equal in every task are left out); ``i`` and ``j``
    are joined when either is among the other's ``n_neighbors`` nearest
    (at most ``n_tasks - 1``; ties go to the earlier task in ``tasks_``).
    Tasks whose descriptors are all equal are all joined.
    """
    n_tasks = len(descriptors)
    mean, spread = descriptors.mean(axis=0), descriptors.std(axis=0)
    varies = spread > 1e-12 * (1 + np.abs(mean))
    if n_tasks < 2 or not np.any(varies):
        return np.ones((n_tasks, n_tasks)) - np.eye(n_tasks)
    scaled = (descriptors[:, varies] - mean[varies]) / spread[varies]
    k = min(n_neighbors, n_tasks - 1)
    nearest = kneighbors_graph(scaled, k, include_self=False).toarray()
    return np.maximum(nearest, nearest.T)


class TaskGraphMixin:
    """The task graph of a fit, from the parameters ``graph``, ``n_neighbors``
    and ``task_features`` (shared by the graph-regularized linear models and
    the multi-task kernel models)."""

    def _adjacency(self, data):
        """The adjacency matrix between the tasks of this fit.

        ``"knn"``: built from the fit's rows (or ``task_features``), once per
        TaskData (a path asks for it at every strength). A DataFrame graph
        names its tasks: the fit takes the subgraph of the tasks it sees, so
        a cross-validation fold without some task's rows gets the right
        graph. An array is read in the order of the fit's tasks.
        """
        graph, tasks = self.graph, data.tasks
        if self.task_features is not None and not isinstance(graph, str):
            raise ValueError(
                "task_features is used with graph='knn' only; with a given "
                "graph, leave task_features=None."
            )
        if isinstance(graph, str):
            return data.cached(
                ("knn", self.n_neighbors, id(self.task_features)),
                lambda: knn_adjacency(self._task_descriptors(data), self.n_neighbors),
            )
        if not _is_named(graph):
            if np.shape(graph) != (len(tasks), len(tasks)):
                raise ValueError(
                    f"graph has shape {np.shape(graph)}, but fit sees "
                    f"{len(tasks)} tasks, {_format_tasks(tasks)}. An array "
                    "graph has one row and column per task seen in fit, ordered "
                    "as tasks_; to fit on a subset of the tasks (a "
                    "cross-validation fold without some task's rows), pass the "
                    "graph as a DataFrame whose index and columns are the task ids."
                )
            return graph_adjacency(graph, len(tasks))
        labels = list(graph.index)
        if list(graph.columns) != labels:
            raise ValueError(
                "A DataFrame graph must have the same task ids, in the same "
                "order, as its index and as its columns."
            )
        # Validated whole, then cut: the block of a Laplacian is not one.
        full = graph_adjacency(graph.to_numpy(dtype=float), len(labels))
        rows = _task_positions(labels, tasks, "graph")
        return full[np.ix_(rows, rows)]

    def _task_descriptors(self, data):
        """The descriptors of the fit's tasks that ``graph="knn"`` compares."""
        given = self.task_features
        if given is None:
            return task_descriptors(data)
        try:
            values = check_array(
                given.to_numpy(dtype=None) if _is_named(given) else given,
                dtype=float,
                input_name="task_features",
            )
        except ValueError as error:  # numpy's conversion error names no input
            if "task_features" in str(error):
                raise
            raise ValueError(f"task_features must be numeric: {error}") from error
        if _is_named(given):
            return values[
                _task_positions(list(given.index), data.tasks, "task_features")
            ]
        if len(values) != data.n_tasks:
            raise ValueError(
                f"task_features has {len(values)} rows, but fit sees "
                f"{data.n_tasks} tasks, {_format_tasks(data.tasks)}. An array has "
                "one row per task seen in fit, ordered as tasks_; to fit on a "
                "subset of the tasks, pass a DataFrame indexed by task id."
            )
        return values


class _TaskQuadraticFamily(MultiTaskLinearModel):
    """A task-coupling quadratic ``tr(W' M W) / 2`` plus an optional norm."""

    _shares = False  # the tasks already shrink toward each other

    _solvers = ("prox_newton", "newton_cg", "lbfgs", "fista", "cvxpy")

    def _penalty_for(self, data):
        matrix, norm = self._parts(data)
        if norm is None:
            return TaskQuadratic(matrix)
        return QuadraticPlusPenalty(TaskQuadratic(matrix), norm)


class _GraphRegularized(TaskGraphMixin, _TaskQuadraticFamily):
    r"""Multi-task {model} with the tasks' weights smoothed over a task graph.

    {objective}
    :math:`A` is the task graph: tasks joined by a heavy edge get similar
    weights. MALSAR's ``Least_SRMTL`` / ``Logistic_SRMTL`` and RMTL's
    ``Graph`` regularization when their :math:`R R^\top` (:math:`G G^\top`)
    is a graph Laplacian, with their ridge term as ``l2``; the other cases
    (any positive semi-definite :math:`R R^\top`) are a
    :class:`~skmtl.penalties.TaskQuadratic` in a :class:`MultiTaskLinearModel`
    (see :ref:`coming_from_malsar`).

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.
    """

    _parameters = (
        Parameter(
            "graph",
            REQUIRED,
            ["array-like", StrOptions({"knn"})],
            '"knn", array-like or DataFrame of shape (n_tasks, n_tasks)',
            """The task graph. ``"knn"``: built by ``fit`` from the training
            rows only (so it is right inside ``GridSearchCV``), joining each
            task to its ``n_neighbors`` nearest tasks by ``task_features``.
            Otherwise a fixed graph: a symmetric non-negative adjacency matrix
            :math:`A` (diagonal ignored), or its Laplacian :math:`L = D - A`
            (recognised by its negative off-diagonal entries). An array has its
            rows and columns ordered as ``tasks_`` (the sorted task ids, or the
            columns of ``y``). A DataFrame names the tasks in its index and
            columns and may hold more tasks than a fit sees: the fit uses the
            subgraph of its tasks (what a cross-validation fold without some
            task's rows needs).""",
            positional=True,
        ),
        strength(
            "alpha",
            1.0,
            "Strength of the graph term, >= 0.",
            positional=True,
        ),
        Parameter("l1", 0.0, STRENGTH, "float", "Strength of the lasso term, >= 0."),
        strength(
            "l2",
            0.0,
            r"""Strength of the ridge term :math:`\frac{\ell_2}{2}\|W\|_F^2`,
            >= 0, as in :class:`L21Regressor` (MALSAR's ``rho_L2``, RMTL's
            ``Lam2``, converted as on :ref:`coming_from_malsar`). The graph
            leaves the mean weights of each connected component unpenalised;
            with the logistic loss, when ``l1=0`` and the rows of a component
            are linearly separable, ``fit`` raises a ``ValueError`` (the
            weights would grow without bound) and a small ``l2`` gives the
            model a minimiser.""",
        ),
        Parameter(
            "n_neighbors",
            5,
            [Interval(Integral, 1, None, closed="left")],
            "int",
            """With ``graph="knn"``: the number of nearest tasks each task is
            joined to (at most the number of tasks minus one; the graph is
            made symmetric, so a task may have more edges).""",
        ),
        Parameter(
            "task_features",
            None,
            [None, "array-like"],
            "array-like or DataFrame of shape (n_tasks, n_descriptors), or None",
            """With ``graph="knn"``: what makes tasks near. ``None``: summaries
            of each task's training rows, its feature means (task-indexed
            data) or, in the shared design where all tasks see the same rows,
            the covariances of the features with its target. Or your own task
            descriptors: a DataFrame indexed by task id (it may hold more tasks
            than a fit sees), or an array with one row per task ordered as
            ``tasks_``. Each descriptor is standardised over the tasks before
            the Euclidean distances.""",
        ),
    )
    _path = "alpha"
    _attributes = """
    graph_ : ndarray of shape (n_tasks, n_tasks)
        The adjacency matrix :math:`A` of the fit, ordered as ``tasks_``:
        the graph built from the training rows (``graph="knn"``), or the
        given graph between the tasks of the fit.
    """
    _penalty_math = (
        r"\alpha \sum_{s < t} A_{st} \|w_s - w_t\|^2 + \ell_1 \sum_{t, j} |W_{tj}|"
        "\n"
        r"+ \frac{\ell_2}{2} \|W\|_F^2"
    )

    def _parts(self, data):
        refuse_unpenalised(self, "alpha", "l1", "l2")
        adjacency = self._adjacency(data)
        self.graph_ = adjacency
        matrix = 2 * self.alpha * laplacian_of(adjacency) + self.l2 * np.eye(
            data.n_tasks
        )
        return matrix, L1(self.l1) if self.l1 > 0 else None

    def _fold_parameters(self, data):
        """Arrays of task rows named by all the tasks, so that a fold lacking
        some of them takes the rows of its own."""
        fixed = {}
        for name in ("graph", "task_features"):
            value = getattr(self, name)
            if value is None or isinstance(value, str) or _is_named(value):
                continue
            if len(np.asarray(value)) == data.n_tasks:
                fixed[name] = _NamedTaskRows(np.asarray(value), list(data.tasks))
        return fixed


def _task_positions(labels, tasks, name):
    """Positions in ``labels`` (a DataFrame's index) of the fit's ``tasks``."""
    position = {label: i for i, label in enumerate(labels)}
    missing = [t for t in tasks if t not in position]
    if missing:
        raise ValueError(
            f"Task(s) {_format_tasks(missing)} seen in fit are not in the "
            f"index of {name}; it must name every task."
        )
    return [position[t] for t in tasks]


class _TemporalGroup(_TaskQuadraticFamily):
    r"""Multi-task {model} for tasks ordered in time, selecting features jointly.

    {objective}
    The tasks are time points, ordered as ``tasks_`` (name or number them so
    that they sort in time) or by a column of ``X`` (``order_by``). Models
    of consecutive time points stay close and use the same features: the
    temporal group lasso of Zhou et al. (2011) for disease progression,
    MALSAR's ``Least_TGL`` / ``Logistic_TGL``.

    References
    ----------
    .. [1] J. Zhou, L. Yuan, J. Liu and J. Ye. A multi-task learning
       formulation for predicting disease progression. KDD 2011.
    """

    _parameters = (
        strength(
            "alpha_l2",
            0.0,
            r"Strength of the ridge term :math:`\|W\|_F^2`, >= 0.",
            positional=True,
        ),
        strength(
            "alpha_temporal",
            1.0,
            "Strength of the temporal smoothness term, >= 0.",
            positional=True,
        ),
        strength(
            "alpha_group",
            1.0,
            "Strength of the L2,1 term (joint feature selection), >= 0.",
            positional=True,
        ),
        Parameter(
            "order_by",
            None,
            [None, Integral, str],
            "int, str or None",
            """The order of the tasks in time. ``None``: as ``tasks_`` (the
            sorted task ids). Or a column of ``X`` (a DataFrame column name or
            an int position, not the task column) whose mean over each task's
            training rows orders the tasks (a visit's month, say); ties keep
            the order of ``tasks_``. Needs task-indexed data.""",
        ),
    )
    # The quadratic terms vanish with their gradient at zero: a path of
    # alpha_group starts at the L2,1 model's alpha_max.
    _path = "alpha_group"
    _attributes = """
    task_order_ : ndarray of shape (n_tasks,)
        The task ids in the time order of the fit.
    """
    _penalty_math = (
        r"\alpha_{\ell_2} \|W\|_F^2"
        "\n"
        r"+ \alpha_{\text{temporal}} \sum_{t=1}^{T-1} \|w_{t+1} - w_t\|^2"
        "\n"
        r"+ \alpha_{\text{group}} \sum_{j=1}^{p} \|W_{:, j}\|_2"
    )

    def _parts(self, data):
        n_tasks = data.n_tasks
        refuse_unpenalised(self, "alpha_l2", "alpha_temporal", "alpha_group")
        order = self._task_order(data)
        self.task_order_ = data.tasks[order]
        chain = np.empty((n_tasks, n_tasks))
        chain[np.ix_(order, order)] = chain_laplacian(n_tasks)
        matrix = 2 * self.alpha_l2 * np.eye(n_tasks) + 2 * self.alpha_temporal * chain
        return matrix, L21(self.alpha_group) if self.alpha_group > 0 else None

    def _task_order(self, data):
        """Positions of the tasks in time: sorted ids, or by ``order_by``."""
        if self.order_by is None:
            return np.arange(data.n_tasks)
        if data.shared_design:
            raise ValueError(
                "order_by needs task-indexed data (task_column set): in the "
                "shared design every task sees the same rows; order the columns "
                "of y in time instead."
            )
        names = list(self._input_names())
        column = self.order_by
        if isinstance(column, str) and column not in names:
            raise ValueError(
                f"order_by={column!r} is not a column of X; X has columns {names}."
            )
        if not isinstance(column, str) and not -len(names) <= column < len(names):
            raise ValueError(
                f"order_by={column} is not a column position of X, which has "
                f"{len(names)} columns."
            )
        name = column if isinstance(column, str) else names[column]
        features = list(self._coef_feature_names())
        if name not in features:
            raise ValueError(
                f"order_by={column!r} is the task column; order by a feature column."
            )
        means = data.weighted_moments(data.weight)[1][:, features.index(name)]
        return np.argsort(means, kind="stable")


class GraphRegularizedRegressor(Regressor, _GraphRegularized):
    """
    See Also
    --------
    GraphRegularizedClassifier : The same penalty with the logistic loss.
    MeanRegularizedRegressor : Every task pulled toward the mean (a complete
        graph, plus a ridge term).

    Examples
    --------
    Three tasks on a chain: the graph term pulls neighbours together.

    {chain_problem}
    >>> from skmtl import GraphRegularizedRegressor
    >>> model = GraphRegularizedRegressor(chain, alpha=0.5).fit(X, Y)
    >>> np.round(model.coef_[:, 0], 2)
    array([1.33, 1.61, 2.26])

    A DataFrame graph names its tasks, so a fit on the first two tasks only
    (a cross-validation fold, say) takes their edge and drops the third task:

    >>> import pandas as pd
    >>> named = pd.DataFrame(chain, index=["a", "b", "c"], columns=["a", "b", "c"])
    >>> Y2 = pd.DataFrame(Y[:, :2], columns=["a", "b"])
    >>> GraphRegularizedRegressor(named, alpha=0.5).fit(X, Y2).coef_.shape
    (2, 2)
    """


class GraphRegularizedClassifier(Classifier, _GraphRegularized):
    """
    See Also
    --------
    GraphRegularizedRegressor : The same penalty with the squared loss.

    Examples
    --------
    {chain_labels}
    >>> from skmtl import GraphRegularizedClassifier
    >>> GraphRegularizedClassifier(chain, alpha=0.1).fit(X, Y).predict(X[:2]).shape
    (2, 3)
    """


class TemporalGroupRegressor(Regressor, _TemporalGroup):
    """
    See Also
    --------
    TemporalGroupClassifier : The same penalty with the logistic loss.
    FusedSparseGroupRegressor : Piecewise-constant changes between time points.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import TemporalGroupRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 5))
    >>> drift = np.linspace(1, 2, 4)[:, None] * np.array([[1.0, -1.0, 0, 0, 0]])
    >>> Y = X @ drift.T + 0.1 * rng.normal(size=(80, 4))
    >>> model = TemporalGroupRegressor(0.0, 0.1, 0.05).fit(X, Y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1])
    """


class TemporalGroupClassifier(Classifier, _TemporalGroup):
    """
    See Also
    --------
    TemporalGroupRegressor : The same penalty with the squared loss.
    """

    _example_args = "0.0, 0.1, 0.01, "
