"""Graph-regularized and temporal multi-task models: a task-coupling quadratic
plus, optionally, a sparsity penalty (MALSAR's Least_SRMTL and Least_TGL)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._task_data import _format_tasks
from ..penalties import L21, QuadraticPlusPenalty, TaskQuadratic
from ..penalties._graph import chain_laplacian, graph_laplacian
from ..penalties._lasso import L1
from ._base import (
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    refuse_unpenalised,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc

_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]
_COMMON_SOLVERS = {"auto", "lbfgs", "fista", "cvxpy"}


class _QuadraticModel(_MultiTaskLinearModel):
    """A task-coupling quadratic ``tr(W' M W) / 2`` plus an optional norm."""

    def _penalty_for(self, data):
        matrix, norm = self._parts(data.tasks)
        if norm is None:
            return TaskQuadratic(matrix)
        return QuadraticPlusPenalty(TaskQuadratic(matrix), norm)


class _GraphModel(_QuadraticModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "graph": ["array-like"],
        "alpha": _NON_NEGATIVE,
        "l1": _NON_NEGATIVE,
        "l2": _NON_NEGATIVE,
    }

    def __init__(
        self,
        graph,
        alpha=1.0,
        *,
        l1=0.0,
        l2=0.0,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.graph = graph
        self.alpha = alpha
        self.l1 = l1
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _parts(self, tasks):
        refuse_unpenalised(self, "alpha", "l1", "l2")
        laplacian = self._laplacian(tasks)
        matrix = 2 * self.alpha * laplacian + self.l2 * np.eye(len(tasks))
        return matrix, L1(self.l1) if self.l1 > 0 else None

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


class _TemporalModel(_QuadraticModel):
    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "alpha_l2": _NON_NEGATIVE,
        "alpha_temporal": _NON_NEGATIVE,
        "alpha_group": _NON_NEGATIVE,
    }

    def __init__(
        self,
        alpha_l2=0.0,
        alpha_temporal=1.0,
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
        self.alpha_l2 = alpha_l2
        self.alpha_temporal = alpha_temporal
        self.alpha_group = alpha_group
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _parts(self, tasks):
        n_tasks = len(tasks)
        refuse_unpenalised(self, "alpha_l2", "alpha_temporal", "alpha_group")
        matrix = 2 * self.alpha_l2 * np.eye(n_tasks)
        matrix = matrix + 2 * self.alpha_temporal * chain_laplacian(n_tasks)
        return matrix, L21(self.alpha_group) if self.alpha_group > 0 else None


_SOLVER_DOC = (
    '"auto" picks "lbfgs" (L-BFGS, certified by the duality gap after\n'
    "        an exact refit along the directions the quadratic leaves free) when\n"
    '        there is no sparsity term, else "fista" (proximal gradient with\n'
    "        the quadratic in the smooth part) for the regressor and\n"
    '        "prox_newton" or "fista" for the classifier. "cvxpy": the reference\n'
    "        solver (slow)."
)
_GRAPH_PARAMETERS = """
    graph : array-like or DataFrame of shape (n_tasks, n_tasks)
        The task graph: a symmetric non-negative adjacency matrix :math:`A`
        (diagonal ignored), or its Laplacian :math:`L = D - A` (recognised by
        its negative off-diagonal entries). An array has its rows and columns
        ordered as ``tasks_`` (the sorted task ids, or the columns of ``y``).
        A DataFrame names the tasks in its index and columns and may hold
        more tasks than a fit sees: the fit uses the subgraph of its tasks
        (what a cross-validation fold without some task's rows needs).

    alpha : float, default=1.0
        Strength of the graph term, >= 0.

    l1 : float, default=0.0
        Strength of the lasso term, >= 0.

    l2 : float, default=0.0
        Strength of the ridge term :math:`\\frac{\\ell_2}{2}\\|W\\|_F^2`,
        >= 0, as in :class:`L21Regressor` (MALSAR's ``rho_L2``, RMTL's
        ``Lam2``, converted as on :ref:`coming_from_malsar`). The graph
        leaves the mean weights of each connected component unpenalised; with
        the logistic loss, when ``l1=0`` and the rows of a component are
        linearly separable, ``fit`` raises a ``ValueError`` (the weights would
        grow without bound) and a small ``l2`` gives the model a minimiser.
"""
_TEMPORAL_PARAMETERS = """
    alpha_l2 : float, default=0.0
        Strength of the ridge term :math:`\\|W\\|_F^2`, >= 0.

    alpha_temporal : float, default=1.0
        Strength of the temporal smoothness term, >= 0.

    alpha_group : float, default=1.0
        Strength of the L2,1 term (joint feature selection), >= 0.
"""


class GraphRegularizedRegressor(_MultiTaskRegressorMixin, _GraphModel):
    r"""Multi-task least squares with the tasks' weights smoothed over a task graph.

    Minimises, over the task weights :math:`w_t` (rows of ``coef_``,
    :math:`W`) and the intercepts :math:`b_t`,

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha \sum_{s < t} A_{st} \|w_s - w_t\|^2 + \ell_1 \sum_{t, j} |W_{tj}|
        + \frac{\ell_2}{2} \|W\|_F^2,

    with :math:`A` the task graph: tasks joined by a heavy edge get similar
    weights. MALSAR's ``Least_SRMTL`` and RMTL's ``Graph`` regularization
    when their :math:`R R^\top` (:math:`G G^\top`) is a graph Laplacian,
    with their ridge term as ``l2``; the other cases (any positive
    semi-definite :math:`R R^\top`) are a
    :class:`~skmtl.penalties.TaskQuadratic` in a :class:`MultiTaskLinearModel`
    (see :ref:`coming_from_malsar`).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MeanRegularizedRegressor : Every task pulled toward the mean (a complete
        graph, plus a ridge term).

    References
    ----------
    .. [1] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.

    Examples
    --------
    Three tasks on a chain: the graph term pulls neighbours together.

    >>> import numpy as np
    >>> from skmtl import GraphRegularizedRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> Y = X @ np.array([[1.0, 0.0], [1.2, 0.1], [3.0, 0.0]]).T
    >>> chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
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

    _parameter_constraints = {
        **_GraphModel._parameter_constraints,
        "solver": [StrOptions(_COMMON_SOLVERS)],
    }


class GraphRegularizedClassifier(_MultiTaskClassifierMixin, _GraphModel):
    r"""Multi-task logistic regression with the tasks' weights smoothed over a graph.

    Minimises

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha \sum_{s < t} A_{st} \|w_s - w_t\|^2 + \ell_1 \sum_{t, j} |W_{tj}|
        + \frac{\ell_2}{2} \|W\|_F^2,

    with :math:`\tilde y_{it} \in \{-1, 1\}` and :math:`m` the number of
    observed targets. MALSAR's ``Logistic_SRMTL``, RMTL's ``Graph``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import GraphRegularizedClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=100, n_features=4, shared_design=True, random_state=0
    ... )
    >>> chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> GraphRegularizedClassifier(chain, alpha=0.1).fit(X, Y).predict(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **_GraphModel._parameter_constraints,
        "solver": [StrOptions(_COMMON_SOLVERS | {"prox_newton"})],
    }


class TemporalGroupRegressor(_MultiTaskRegressorMixin, _TemporalModel):
    r"""Multi-task least squares for tasks ordered in time, selecting features jointly.

    Minimises

    .. math::

        \frac{1}{2 n} \sum_{(i, t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2
        + \alpha_{\ell_2} \|W\|_F^2
        + \alpha_{\text{temporal}} \sum_{t=1}^{T-1} \|w_{t+1} - w_t\|^2
        + \alpha_{\text{group}} \sum_{j=1}^{p} \|W_{:, j}\|_2,

    the tasks ordered as ``tasks_`` (time points: name or number them so that
    they sort in time). Models of consecutive time points stay close and use
    the same features: the temporal group lasso of Zhou et al. (2011) for
    disease progression, MALSAR's ``Least_TGL``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    References
    ----------
    .. [1] J. Zhou, L. Yuan, J. Liu and J. Ye. A multi-task learning
       formulation for predicting disease progression. KDD 2011.

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

    _parameter_constraints = {
        **_TemporalModel._parameter_constraints,
        "solver": [StrOptions(_COMMON_SOLVERS)],
    }


class TemporalGroupClassifier(_MultiTaskClassifierMixin, _TemporalModel):
    r"""Multi-task logistic regression for tasks ordered in time (temporal group lasso).

    Minimises

    .. math::

        \frac{1}{m} \sum_{(i, t) \text{ observed}}
        \log\left(1 + e^{-\tilde y_{it} (x_i^\top w_t + b_t)}\right)
        + \alpha_{\ell_2} \|W\|_F^2
        + \alpha_{\text{temporal}} \sum_{t=1}^{T-1} \|w_{t+1} - w_t\|^2
        + \alpha_{\text{group}} \sum_{j=1}^{p} \|W_{:, j}\|_2,

    the tasks ordered as ``tasks_``. MALSAR's ``Logistic_TGL``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    Examples
    --------
    >>> from skmtl import TemporalGroupClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_tasks=3, n_samples=100, n_features=4, shared_design=True, random_state=0
    ... )
    >>> TemporalGroupClassifier(0.0, 0.1, 0.01).fit(X, Y).coef_.shape
    (3, 4)
    """

    _parameter_constraints = {
        **_TemporalModel._parameter_constraints,
        "solver": [StrOptions(_COMMON_SOLVERS | {"prox_newton"})],
    }


_COMMON = common_parameters(
    '{"auto", "lbfgs", "fista", "cvxpy"}', _SOLVER_DOC, "1e-6", "10_000"
)
_COMMON_CLASSIFIER = common_parameters(
    '{"auto", "lbfgs", "fista", "prox_newton", "cvxpy"}', _SOLVER_DOC, "1e-6", "10_000"
)
for cls, own, common, attributes in (
    (GraphRegularizedRegressor, _GRAPH_PARAMETERS, _COMMON, FITTED_ATTRIBUTES),
    (
        GraphRegularizedClassifier,
        _GRAPH_PARAMETERS,
        _COMMON_CLASSIFIER,
        CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
    ),
    (TemporalGroupRegressor, _TEMPORAL_PARAMETERS, _COMMON, FITTED_ATTRIBUTES),
    (
        TemporalGroupClassifier,
        _TEMPORAL_PARAMETERS,
        _COMMON_CLASSIFIER,
        CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES,
    ),
):
    fill_doc(cls, parameters=own + common, attributes=attributes)
