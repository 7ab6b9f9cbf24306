"""Graph-regularized and temporal multi-task models: a task-coupling quadratic
plus, optionally, a sparsity penalty (MALSAR's Least_SRMTL and Least_TGL)."""

from typing import NamedTuple

import numpy as np

from .._task_data import _format_tasks
from ..penalties import L21, QuadraticPlusPenalty, TaskQuadratic
from ..penalties._graph import chain_laplacian, graph_laplacian
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


class _NamedGraph(NamedTuple):
    """An array graph with the task ids of its rows: a fold takes its subgraph.

    It reads like a DataFrame graph (``index``, ``columns``, ``to_numpy``),
    without pandas.
    """

    adjacency: np.ndarray
    index: list

    @property
    def columns(self):
        return self.index

    def to_numpy(self, dtype=float):
        return np.asarray(self.adjacency, dtype=dtype)


class _TaskQuadraticFamily(MultiTaskLinearModel):
    """A task-coupling quadratic ``tr(W' M W) / 2`` plus an optional norm."""

    _solvers = ("prox_newton", "lbfgs", "fista", "cvxpy")

    def _penalty_for(self, data):
        matrix, norm = self._parts(data.tasks)
        if norm is None:
            return TaskQuadratic(matrix)
        return QuadraticPlusPenalty(TaskQuadratic(matrix), norm)


class _GraphRegularized(_TaskQuadraticFamily):
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
            ["array-like"],
            "array-like or DataFrame of shape (n_tasks, n_tasks)",
            """The task graph: a symmetric non-negative adjacency matrix
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
    )
    _path = "alpha"
    _penalty_math = (
        r"\alpha \sum_{s < t} A_{st} \|w_s - w_t\|^2 + \ell_1 \sum_{t, j} |W_{tj}|"
        "\n"
        r"+ \frac{\ell_2}{2} \|W\|_F^2"
    )

    def _parts(self, tasks):
        refuse_unpenalised(self, "alpha", "l1", "l2")
        laplacian = self._laplacian(tasks)
        matrix = 2 * self.alpha * laplacian + self.l2 * np.eye(len(tasks))
        return matrix, L1(self.l1) if self.l1 > 0 else None

    def _fold_parameters(self, data):
        """An array graph named by all the tasks, so that a fold lacking some
        of them takes the subgraph of its tasks."""
        graph = self.graph
        named = hasattr(graph, "index") and hasattr(graph, "columns")
        if named or np.shape(graph) != (data.n_tasks, data.n_tasks):
            return {}
        return {"graph": _NamedGraph(np.asarray(graph), list(data.tasks))}

    def _laplacian(self, tasks):
        """The Laplacian of the graph between ``tasks`` (the tasks of this fit).

        A DataFrame graph names its tasks: the fit takes the subgraph of the
        tasks it sees, so a cross-validation fold without some task's rows
        gets the right graph. An array is read in the order of ``tasks``.
        """
        graph = self.graph
        if not (hasattr(graph, "index") and hasattr(graph, "columns")):
            if np.shape(graph) != (len(tasks), len(tasks)):
                raise ValueError(
                    f"graph has shape {np.shape(graph)}, but fit sees "
                    f"{len(tasks)} tasks, {_format_tasks(tasks)}. An array "
                    "graph has one row and column per task seen in fit, ordered "
                    "as tasks_; to fit on a subset of the tasks (a "
                    "cross-validation fold without some task's rows), pass the "
                    "graph as a DataFrame whose index and columns are the task ids."
                )
            return graph_laplacian(graph, len(tasks))
        labels = list(graph.index)
        if list(graph.columns) != labels:
            raise ValueError(
                "A DataFrame graph must have the same task ids, in the same "
                "order, as its index and as its columns."
            )
        # Validated whole, then cut: the block of a Laplacian is not one.
        full = graph_laplacian(graph.to_numpy(dtype=float), len(labels))
        position = {label: i for i, label in enumerate(labels)}
        missing = [t for t in tasks if t not in position]
        if missing:
            raise ValueError(
                f"Task(s) {_format_tasks(missing)} seen in fit are not in the "
                "graph's index; the graph must name every task."
            )
        rows = [position[t] for t in tasks]
        adjacency = np.diag(np.diag(full)) - full
        return graph_laplacian(adjacency[np.ix_(rows, rows)], len(tasks))


class _TemporalGroup(_TaskQuadraticFamily):
    r"""Multi-task {model} for tasks ordered in time, selecting features jointly.

    {objective}
    The tasks are ordered as ``tasks_`` (time points: name or number them so
    that they sort in time). Models of consecutive time points stay close
    and use the same features: the temporal group lasso of Zhou et al.
    (2011) for disease progression, MALSAR's ``Least_TGL`` /
    ``Logistic_TGL``.

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
    )
    _penalty_math = (
        r"\alpha_{\ell_2} \|W\|_F^2"
        "\n"
        r"+ \alpha_{\text{temporal}} \sum_{t=1}^{T-1} \|w_{t+1} - w_t\|^2"
        "\n"
        r"+ \alpha_{\text{group}} \sum_{j=1}^{p} \|W_{:, j}\|_2"
    )

    def _parts(self, tasks):
        n_tasks = len(tasks)
        refuse_unpenalised(self, "alpha_l2", "alpha_temporal", "alpha_group")
        matrix = 2 * self.alpha_l2 * np.eye(n_tasks)
        matrix = matrix + 2 * self.alpha_temporal * chain_laplacian(n_tasks)
        return matrix, L21(self.alpha_group) if self.alpha_group > 0 else None


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
