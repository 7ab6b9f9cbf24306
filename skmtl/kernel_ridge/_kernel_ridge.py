"""Multi-task kernel models (Evgeniou, Micchelli & Pontil, 2005): a kernel on
the features times a kernel on the tasks, with the squared or logistic loss."""

import inspect
import warnings
from numbers import Integral, Real
from typing import ClassVar, NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve, lu_factor, lu_solve, solve_triangular
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.kernel_approximation import Nystroem
from sklearn.metrics.pairwise import PAIRWISE_KERNEL_FUNCTIONS, pairwise_kernels
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, StrOptions

from .._docstring import fill
from .._estimator import MultiTaskEstimator
from .._task_data import TaskData
from ..datafits import LogisticLoss, SquaredLoss
from ..linear_model._base import COMMON_PARAMETERS
from ..linear_model._docs import parameter_entry
from ..linear_model._graph import TaskGraphMixin, _GraphRegularized
from ..penalties import MeanRegularization, TaskQuadratic
from ..penalties._graph import laplacian_of
from ..solvers import solve
from ._task_kernels import check_task_kernel, graph_task_kernel, mean_task_kernel

# Rows of X predicted at once: bounds the (rows, n_fit) kernel block.
_CHOLESKY_BLOCK = 4096  # rows of the blocks of a large Cholesky factorisation
_PREDICT_BLOCK_ENTRIES = 2**24


def _documented(name, source):
    """The numpydoc entry of parameter ``name`` as declared in ``source``."""
    entry = next(p for p in source if p.name == name)
    return parameter_entry(entry.name, entry.kind, entry.default, entry.doc)


_DOC_TEMPLATE = r"""{summary}

    Minimises, over a function :math:`f(x, t)` and per-task intercepts
    :math:`b_t`,

    .. math::

        {loss}
        + \alpha \|f\|_{\mathcal{H}}^2,

    with :math:`\mathcal{H}` the space of the multi-task kernel
    :math:`K((x, s), (x', t)) = k(x, x') B_{st}`: :math:`k` a kernel on the
    features (``kernel``, as in scikit-learn's ``KernelRidge``) and
    :math:`B` a task kernel (``task_kernel``).
    {sum}
    With a linear :math:`k`, :math:`f(x, t) = x^\top w_t` and
    :math:`\|f\|^2 = \operatorname{tr}(W^\top B^{-1} W)`, so ``task_kernel``
    picks the coupling of the matching linear model:

    * ``"mean"``: :math:`B^{-1} = I + \lambda (I - \frac{1}{T} 1 1^\top)`,
      the penalty :math:`\sum_t \|w_t\|^2 + \lambda \sum_t \|w_t - \bar w\|^2`
      of :class:`~skmtl.MeanRegularized{kind}` (Evgeniou, Micchelli and
      Pontil's kernel :math:`(1 - \mu) \delta_{st} + \mu / T`,
      :math:`\mu = \lambda / (1 + \lambda)`);
    * ``"graph"``: :math:`B^{-1} = I + \lambda L`, with :math:`L` the
      Laplacian of a task graph (given, or built from the training rows);
    * an array: :math:`B` itself.

    :math:`\lambda` is ``coupling``: 0 fits one {single} per
    task, ``float("inf")`` one function for all tasks (per connected
    component of the graph), with per-task intercepts.

    {solve}

    Read more in the :ref:`User Guide <kernel_ridge>`.

    Parameters
    ----------
    alpha : float, default=1.0
        {alpha}

    coupling : float in [0, inf], default=1.0
        How strongly the tasks share, with ``task_kernel="mean"`` or
        ``"graph"`` (an array ``task_kernel`` is used as given, and another
        ``coupling`` than 1.0 is then refused): 0 fits
        independent models, ``float("inf")`` one function for all tasks.
        The main knob to tune, over many decades.

    task_kernel : {"mean", "graph"} or ndarray (n_tasks, n_tasks), default="mean"
        The task kernel :math:`B`; an array is symmetric positive
        semi-definite, its rows and columns ordered as ``tasks_``.

    graph : "knn" or array-like of shape (n_tasks, n_tasks), default="knn"
        With ``task_kernel="graph"``: the task graph. ``"knn"`` builds it in
        ``fit`` from the training rows only (see ``n_neighbors`` and
        ``task_features``), so it is right inside ``GridSearchCV``;
        otherwise a symmetric non-negative adjacency matrix (or its
        Laplacian), or a DataFrame naming the tasks, as for
        :class:`~skmtl.GraphRegularizedRegressor`.

    {n_neighbors}

    {task_features}

    kernel : str or callable, default="linear"
        The kernel on the features, as in scikit-learn's ``KernelRidge``: a
        name of ``sklearn.metrics.pairwise.PAIRWISE_KERNEL_FUNCTIONS``
        (``"rbf"``, ``"laplacian"``, ``"polynomial"``, ...) or a callable of
        two rows.

    gamma : float, default=None
        Parameter of the RBF, laplacian, polynomial, exponential chi2 and
        sigmoid kernels (``None``: their scikit-learn default).

    degree : float, default=3
        Degree of the polynomial kernel.

    coef0 : float, default=1
        Zero coefficient of the polynomial and sigmoid kernels.

    kernel_params : dict, default=None
        Parameters of a callable kernel.

    n_components : int, default=None
        ``None``: the exact kernel. Otherwise the rank of a Nyström
        approximation of :math:`k` (scikit-learn's ``Nystroem``, on the
        training rows), at cost :math:`O(n \cdot \text{n\_components}^2)`.
        With ``task_kernel="mean"`` the Nyström model is solved in closed
        form; with another task kernel, which must then be invertible, by an
        iterative solver certified by its duality gap.

    random_state : int, RandomState instance or None, default=None
        The rows that ``Nystroem`` samples.

    tol : float, default=1e-10
        {tol}

    max_iter : int, default=10_000
        {max_iter}

    {fit_intercept}

    {task_column}

    unknown_task : {"error", "shared"}, default="error"
        What ``predict`` does with a task id not seen in ``fit``: raise a
        ``ValueError``, or predict with the mean over the tasks of
        :math:`f(x, t) + b_t`.

    Attributes
    ----------
    {classes}
    dual_coef_ : ndarray of shape (n_fit_rows, n_tasks)
        Coefficients :math:`a` of the kernel expansion
        :math:`f(x, s) = \sum_{j, t} k(x, x_j) a_{jt} B_{ts}`, one
        column per task (zero where a target is missing; in the
        task-indexed layout, non-zero in the column of the row's task only).
        Without ``n_components``.

    X_fit_ : ndarray of shape (n_fit_rows, n_features)
        The training features (without the task column). Without
        ``n_components``.

    nystroem_ : Nystroem
        The fitted Nyström approximation (with ``n_components``).

    coef_ : ndarray of shape (n_tasks, n_components)
        Weights of the tasks on the Nyström features (with
        ``n_components``).

    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task (zeros when ``fit_intercept=False``).

    task_kernel_ : ndarray of shape (n_tasks, n_tasks)
        The task kernel :math:`B` of the fit.

    graph_ : ndarray of shape (n_tasks, n_tasks)
        The adjacency matrix of the task graph (``task_kernel="graph"``).

    tasks_ : ndarray of shape (n_tasks,)
        Task labels: the sorted task ids (task-indexed layout), or the
        columns of ``y``.

    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``, the task column included.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names of ``X``, when it is a DataFrame with string names.

    n_iter_ : int
        {n_iter}

    See Also
    --------
    {see_also}

    References
    ----------
    .. [1] T. Evgeniou, C. A. Micchelli and M. Pontil. Learning multiple
       tasks with kernel methods. JMLR 6, 2005.

    Examples
    --------
    {example}
    """


_DOC_TEMPLATE = fill(
    _DOC_TEMPLATE,
    n_neighbors=_documented("n_neighbors", _GraphRegularized._parameters),
    task_features=_documented("task_features", _GraphRegularized._parameters),
    fit_intercept=_documented("fit_intercept", COMMON_PARAMETERS),
    task_column=_documented("task_column", COMMON_PARAMETERS),
)


def _compose(classes, **values):
    """The class docstring: the template with ``values`` dedented (as
    :func:`inspect.cleandoc`), so that ``fill`` indents them once, and the
    ``classes`` entry of the attributes as given."""
    values = {name: inspect.cleandoc(value) for name, value in values.items()}
    return fill(_DOC_TEMPLATE, classes=classes, **values)


_RIDGE_SOLVE = r"""The exact solve never forms the :math:`(nT) \times (nT)` system.
On the shared design with every target observed and no sample weights, it
diagonalises :math:`k` on the training rows and :math:`B` once each
(:math:`O(n^3 + T^3 + n^2 T)`); otherwise it factorises the kernel matrix
of the observed targets (:math:`O(m^3)` for :math:`m` of them: the rows,
in the task-indexed layout). With ``n_components`` set, :math:`k` is
replaced by a Nyström approximation of that rank, and the model is the
linear model of the task coupling on the Nyström features, for data
beyond some 20 000 rows."""

_NEWTON_SOLVE = r"""The exact solve is Newton's method on the coefficients of the kernel
expansion over the :math:`m` observed targets, never on the
:math:`(nT) \times (nT)` system: each step factorises one
:math:`m \times m` matrix (:math:`O(m^3)`) and a :math:`T \times T` one
for the intercepts, and the iterations stop when the Newton decrement
(half of it bounds the suboptimality near the optimum) is at most ``tol``
times the objective. With ``n_components`` set, :math:`k` is replaced by a
Nyström approximation of that rank, and the model is the linear model of
the task coupling on the Nyström features, solved by the solvers of the
linear models."""


class _MultiTaskKernelModel(TaskGraphMixin, MultiTaskEstimator):
    """What the kernel regressor and classifier share: the parameters, the
    task kernel, the Nyström model and the kernel expansion of predictions.
    A subclass sets ``_loss`` (the datafit class) and ``_solve_exact``."""

    _loss = None
    _sparse_x = False  # its kernel matrices are dense

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "coupling": [Interval(Real, 0, np.inf, closed="both")],
        "task_kernel": [StrOptions({"mean", "graph"}), "array-like"],
        "graph": [StrOptions({"knn"}), "array-like"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "task_features": [None, "array-like"],
        "kernel": [
            StrOptions(set(PAIRWISE_KERNEL_FUNCTIONS) - {"precomputed"}),
            callable,
        ],
        "gamma": [Interval(Real, 0, None, closed="left"), None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "kernel_params": [dict, None],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        **{
            p.name: p.constraints
            for p in COMMON_PARAMETERS
            if p.name
            in ("fit_intercept", "task_column", "unknown_task", "tol", "max_iter")
        },
    }

    def __init__(
        self,
        alpha=1.0,
        coupling=1.0,
        *,
        task_kernel="mean",
        graph="knn",
        n_neighbors=5,
        task_features=None,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1,
        kernel_params=None,
        n_components=None,
        random_state=None,
        tol=1e-10,
        max_iter=10_000,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
    ):
        self.alpha = alpha
        self.coupling = coupling
        self.task_kernel = task_kernel
        self.graph = graph
        self.n_neighbors = n_neighbors
        self.task_features = task_features
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.n_components = n_components
        self.random_state = random_state
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task

    def _loss_name(self):
        return "logistic" if self._loss is LogisticLoss else "squared"

    def _fit(self, data):
        if data.n_features == 0:
            raise ValueError(
                "X has no feature columns (besides the task column); a kernel "
                "model needs at least one."
            )
        self.task_kernel_ = self._task_kernel_for(data)
        for name in ("dual_coef_", "X_fit_", "nystroem_", "coef_"):
            vars(self).pop(name, None)  # a refit may change the approximation
        if self.n_components is None:
            self.dual_coef_, self.intercept_, self.n_iter_ = self._solve_exact(data)
            self.X_fit_ = data.X
        else:
            self.coef_, self.intercept_, self.n_iter_ = self._solve_nystroem(data)
        self.tasks_ = data.tasks
        return self

    def _task_kernel_for(self, data):
        """:math:`B` for this fit's tasks (and ``graph_`` for a graph kernel)."""
        vars(self).pop("graph_", None)
        graph_kernel = isinstance(self.task_kernel, str) and self.task_kernel == "graph"
        if not graph_kernel and not (
            isinstance(self.graph, str) and self.task_features is None
        ):
            raise ValueError(
                "graph and task_features are used with task_kernel='graph' only; "
                "with another task kernel leave them at their defaults."
            )
        if not isinstance(self.task_kernel, str):
            if self.coupling != 1.0:
                # (Silently ignored, a grid over it would compare equal fits.)
                raise ValueError(
                    f"coupling={self.coupling!r} has no effect with an array "
                    "task_kernel, which is used as given; leave coupling at "
                    "its default 1.0 (or use task_kernel='mean' or 'graph')."
                )
            return check_task_kernel(self.task_kernel, data.n_tasks)
        if self.task_kernel == "mean":
            return mean_task_kernel(data.n_tasks, self.coupling)
        self.graph_ = self._adjacency(data)
        return graph_task_kernel(laplacian_of(self.graph_), self.coupling)

    def _feature_kernel(self, X, Y):
        """:math:`k(X, Y)`, as scikit-learn's ``KernelRidge`` computes it."""
        if callable(self.kernel):
            params = self.kernel_params or {}
        else:
            params = {"gamma": self.gamma, "degree": self.degree, "coef0": self.coef0}
        return pairwise_kernels(X, Y, metric=self.kernel, filter_params=True, **params)

    def _observed_targets(self, data):
        """The observed targets (positive weight) and their kernel matrix."""
        if data.shared_design:
            rows, tasks = np.nonzero(data.weight > 0)
            weight, target = data.weight[rows, tasks], data.Y[rows, tasks]
        else:
            rows = np.flatnonzero(data.weight > 0)
            tasks, weight, target = (
                data.task_index[rows],
                data.weight[rows],
                data.Y[rows],
            )
        distinct = np.unique(rows)
        kernel = self._feature_kernel(data.X[distinct], data.X[distinct])
        position = np.searchsorted(distinct, rows)
        every_row = len(position) == len(kernel)  # each row once, in order
        gram = kernel if every_row else kernel[np.ix_(position, position)]
        gram *= self.task_kernel_[np.ix_(tasks, tasks)]
        return _Targets(rows, tasks, weight, target, gram)

    def _intercepts(self, intercept, data):
        """``intercept_``: the solved intercepts, or zeros without them."""
        return intercept if self.fit_intercept else np.zeros(data.n_tasks)

    def _indicator(self, targets, n_tasks):
        """(m, T) task indicator of the targets, or (m, 0) without intercepts."""
        indicator = np.zeros((len(targets.rows), n_tasks if self.fit_intercept else 0))
        if self.fit_intercept:
            indicator[np.arange(len(targets.rows)), targets.tasks] = 1.0
        return indicator

    def _solve_nystroem(self, data):
        """``(coef, intercept)`` of the linear model on the Nyström features."""
        self.nystroem_ = Nystroem(
            kernel=self.kernel,
            gamma=self.gamma,
            coef0=self.coef0,
            degree=self.degree,
            kernel_params=self.kernel_params,
            n_components=self.n_components,
            random_state=self.random_state,
        ).fit(data.X)
        features = self.nystroem_.transform(data.X)
        nystroem_data = TaskData(
            features,
            data.Y,
            data.weight,
            data.tasks,
            data.task_index,
            data.sample_weight_sum,
        )
        result = solve(
            nystroem_data,
            self._loss(),
            self._nystroem_penalty(),
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        return result.coef, result.intercept, result.n_iter

    def _nystroem_penalty(self):
        r""":math:`\alpha \operatorname{tr}(W^\top B^{-1} W)` as a penalty object."""
        if isinstance(self.task_kernel, str) and self.task_kernel == "mean":
            return MeanRegularization(self.alpha, self.coupling)
        spectrum, basis = np.linalg.eigh(self.task_kernel_)
        if spectrum[0] <= 1e-10 * spectrum[-1]:
            raise ValueError(
                "With n_components set, the task kernel must be invertible (its "
                "inverse is the penalty of the model on the Nyström features), "
                f"but its smallest eigenvalue is {spectrum[0]:.3g}: a finite "
                "coupling, or the exact kernel (n_components=None), fits it."
            )
        return TaskQuadratic(2.0 * self.alpha * (basis / spectrum) @ basis.T)

    def _scores(self, features, task_ids):
        """:math:`f(x, t) + b_t` of validated features and task ids: for each
        row's task (task-indexed layout, or a 1-D ``y`` in fit), else
        (n_samples, n_tasks); an unseen task gets the mean over the tasks."""
        scores = self._task_scores(features)
        if task_ids is None:
            return scores[:, 0] if self._single_target else scores
        index = self._task_index(task_ids)
        known = scores[np.arange(len(index)), np.maximum(index, 0)]
        return np.where(index < 0, scores.mean(axis=1), known)

    def _task_scores(self, features):
        """:math:`f(x, t) + b_t` of every row for every task: (n, n_tasks)."""
        if self.n_components is not None:
            return self.nystroem_.transform(features) @ self.coef_.T + self.intercept_
        expansion = self.dual_coef_ @ self.task_kernel_
        block = max(1, _PREDICT_BLOCK_ENTRIES // max(len(self.X_fit_), 1))
        scores = np.empty((len(features), len(self.tasks_)))
        for rows in gen_batches(len(features), block):
            kernel = self._feature_kernel(features[rows], self.X_fit_)
            scores[rows] = kernel @ expansion
        return scores + self.intercept_


class MultiTaskKernelRidge(_MultiTaskKernelModel):
    __doc__ = _compose(
        summary="Multi-task kernel ridge regression: a kernel on the features "
        "times a kernel on the tasks.",
        loss=r"\frac{1}{2n} \sum_{i} (y_i - f(x_i, t_i) - b_{t_i})^2",
        sum="The sum runs over the observed targets (with sample weights, "
        ":math:`n` is the sum of the rows' weights).",
        kind="Regressor",
        single="kernel ridge regression",
        solve=_RIDGE_SOLVE,
        alpha="""Strength of the penalty, > 0. With ``coupling=0`` each task is
        scikit-learn's ``KernelRidge(alpha=2 * n_samples * alpha)`` on its
        rows (``n_samples`` counting the rows of all tasks), intercept aside.""",
        tol="""With ``n_components`` and a task kernel other than ``"mean"``: stop
        the iterative solver when its duality gap is at most ``tol`` times
        the objective (it warns with the gap it reached if ``max_iter``
        comes first).""",
        max_iter="The iterative solver's maximum number of iterations.",
        classes="",
        n_iter="Iterations of the solver (1 for the direct solves).",
        see_also="""MultiTaskKernelClassifier : The same model with the logistic loss.
    MeanRegularizedRegressor : The linear model of ``task_kernel="mean"``.
    GraphRegularizedRegressor : The linear model of ``task_kernel="graph"``.""",
        example=""">>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.kernel_ridge import MultiTaskKernelRidge
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=40, n_features=5, random_state=0
    ... )
    >>> model = MultiTaskKernelRidge(
    ...     alpha=1e-3, coupling=10.0, kernel="rbf", task_column=0
    ... ).fit(X, y)
    >>> model.predict(X[:3]).shape
    (3,)""",
    )

    _loss = SquaredLoss

    def _ridge(self, data):
        r""":math:`2 \alpha n`: the diagonal the kernel matrix gets in the dual."""
        return 2.0 * self.alpha * data.sample_weight_sum

    def _solve_exact(self, data):
        """``(dual_coef, intercept, n_iter)`` of the exact kernel model."""
        if data.shared_design and np.all(data.weight == 1):
            kernel = self._feature_kernel(data.X, data.X)
            return (
                *_kronecker_solve(
                    kernel,
                    self.task_kernel_,
                    data.Y,
                    self._ridge(data),
                    self.fit_intercept,
                ),
                1,
            )
        targets = self._observed_targets(data)
        coef, intercept = _dense_solve(
            targets, self._ridge(data), self._indicator(targets, data.n_tasks)
        )
        return targets.dual_coef(coef, data), self._intercepts(intercept, data), 1


class MultiTaskKernelClassifier(_MultiTaskKernelModel):
    __doc__ = _compose(
        summary="Multi-task kernel logistic regression: a kernel on the features "
        "times a kernel on the tasks.",
        loss=r"\frac{1}{m} \sum_{i} \log\big(1 + e^{-\tilde y_i (f(x_i, t_i)"
        r" + b_{t_i})}\big)",
        sum=r"The sum runs over the :math:`m` observed targets, "
        r":math:`\tilde y_i = \pm 1` (with sample weights, a weighted mean).",
        kind="Classifier",
        single="kernel logistic regression",
        solve=_NEWTON_SOLVE,
        alpha="""Strength of the penalty, > 0.""",
        tol="""Stop Newton's method when its decrement is at most ``tol`` times
        the objective; with ``n_components``, the linear solver's relative
        duality gap. A solver that reaches ``max_iter`` first warns with
        what it reached.""",
        max_iter="Maximum number of iterations of the solver.",
        classes="classes_ : ndarray of shape (2,)\n"
        "    The class labels (``[0, 1]`` for a multi-label ``y``).\n",
        n_iter="Iterations of the solver.",
        see_also="""MultiTaskKernelRidge : The same model with the squared loss.
    MeanRegularizedClassifier : The linear model of ``task_kernel="mean"``.
    GraphRegularizedClassifier : The linear model of ``task_kernel="graph"``.""",
        example=""">>> from skmtl.datasets import make_multitask_classification
    >>> from skmtl.kernel_ridge import MultiTaskKernelClassifier
    >>> X, y = make_multitask_classification(
    ...     n_tasks=4, n_samples=40, n_features=5, random_state=0
    ... )
    >>> clf = MultiTaskKernelClassifier(
    ...     alpha=1e-3, coupling=10.0, kernel="rbf", task_column=0
    ... ).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)""",
    )

    _loss = LogisticLoss

    def _solve_exact(self, data):
        """``(dual_coef, intercept, n_iter)`` by Newton's method."""
        targets = self._observed_targets(data)
        coef, intercept, n_iter = _logistic_newton(
            targets,
            self.alpha,
            self._indicator(targets, data.n_tasks),
            self.tol,
            self.max_iter,
        )
        return (
            targets.dual_coef(coef, data),
            self._intercepts(intercept, data),
            n_iter,
        )


class _Targets(NamedTuple):
    """The observed targets of a fit, in the order of the kernel matrix."""

    rows: np.ndarray  # row of X of each target
    tasks: np.ndarray  # task position of each target
    weight: np.ndarray
    target: np.ndarray
    gram: np.ndarray  # K((x_i, t_i), (x_j, t_j)) over the targets

    def dual_coef(self, coef, data):
        """The (n_samples, n_tasks) ``dual_coef_`` holding ``coef`` per target."""
        dual = np.zeros((data.n_samples, data.n_tasks))
        np.add.at(dual, (self.rows, self.tasks), coef)
        return dual


def _dense_solve(targets, ridge, indicator):
    r"""Dual coefficients and intercepts from the kernel matrix of the targets.

    With :math:`D = \operatorname{diag}(\sqrt{w})`, :math:`G = D K D + \gamma I`
    and :math:`E` the task ``indicator`` of the targets (no columns without
    intercepts), the optimality conditions are :math:`G \tilde a = D (y - E
    b)`, :math:`E^\top D \tilde a = 0`, :math:`a = D \tilde a`: one Cholesky
    factorisation of :math:`G` and a (T, T) Schur complement for the
    intercepts. ``targets.gram`` is overwritten.
    """
    root = np.sqrt(targets.weight)
    gram = targets.gram
    gram *= root[:, None]
    gram *= root
    gram.flat[:: len(gram) + 1] += ridge
    factor = (_cholesky(gram), True)
    solved = cho_solve(factor, root * targets.target, check_finite=False)
    through = cho_solve(factor, root[:, None] * indicator, check_finite=False)
    weighted = root[:, None] * indicator
    intercept = np.linalg.solve(weighted.T @ through, weighted.T @ solved)
    solved -= through @ intercept
    return root * solved, intercept


def _cholesky(A):
    """Lower Cholesky factor of the SPD matrix ``A``, in place (its lower
    triangle; the upper one is left as it was).

    Blocked, with the trailing updates as general products: OpenBLAS's
    threaded ``dsyrk`` (inside ``dpotrf``, and numpy's ``B @ B.T``) segfaults
    when its output has 16 000 rows or more (reproduced with the numpy 2.4
    and scipy 1.17 wheels, OpenBLAS 0.3.31, 2 threads), while ``dpotrf`` on
    blocks of ``_CHOLESKY_BLOCK`` rows, triangular solves and ``dgemm`` do
    not.
    """
    n = len(A)
    for start in range(0, n, _CHOLESKY_BLOCK):
        block = slice(start, min(start + _CHOLESKY_BLOCK, n))
        rest = slice(block.stop, n)
        L = cho_factor(A[block, block], lower=True, check_finite=False)[0]
        A[block, block] = np.tril(L)
        if block.stop < n:
            # L_rest = A_rest L^-T; the trailing block loses L_rest L_rest'.
            below = solve_triangular(
                A[block, block], A[rest, block].T, lower=True, check_finite=False
            ).T
            A[rest, block] = below
            # (A copy for the transpose: numpy sends ``B @ B.T`` to dsyrk.)
            A[rest, rest] -= below @ below.T.copy()
    return A


def _kronecker_solve(kernel, task_kernel, Y, ridge, fit_intercept):
    r"""Dual coefficients and intercepts on a complete shared design.

    The system :math:`k A B + \gamma A = Y - 1 b^\top` is diagonal in the
    eigenvectors of :math:`k` (:math:`Q`) and of :math:`B` (:math:`U`), so
    one eigendecomposition of each solves it exactly; the intercepts make the
    columns of :math:`A` sum to zero.
    """
    feature_spectrum, Q = np.linalg.eigh(kernel)
    task_spectrum, U = np.linalg.eigh(task_kernel)
    scale = np.outer(np.maximum(feature_spectrum, 0), np.maximum(task_spectrum, 0))
    scale += ridge

    def inverse(R):
        return Q @ ((Q.T @ R @ U) / scale) @ U.T

    coef = inverse(Y)
    intercept = np.zeros(Y.shape[1])
    if fit_intercept:
        ones = Q.sum(axis=0)  # Q' 1
        schur = (U * ((ones**2) @ (1 / scale))) @ U.T
        intercept = np.linalg.solve(schur, coef.sum(axis=0))
        coef = inverse(Y - intercept)
    return coef, intercept


def _logistic_newton(targets, alpha, indicator, tol, max_iter):
    r"""Kernel logistic regression by Newton's method on the expansion.

    Minimises :math:`J(a, b) = \sum_o c_o \ell(y_o, f_o) + \alpha a^\top K a`
    with :math:`f = K a + E b` and :math:`c` the weights normalised to sum
    1. With :math:`g, h` the first and second derivatives of the loss in
    :math:`f`, the Newton point solves :math:`(H K + 2\alpha I) a + H E b =
    H f - g`, :math:`E^\top a = 0`; its step is damped by backtracking.
    Stops when the Newton decrement is at most ``tol`` times the objective.
    """
    gram, y = targets.gram, targets.target
    c = targets.weight / targets.weight.sum()
    a, b = np.zeros(len(y)), np.zeros(indicator.shape[1])
    kernel_a = np.zeros(len(y))

    def objective(f, a, kernel_a):
        return float(c @ (np.logaddexp(0, f) - y * f) + alpha * a @ kernel_a)

    f = np.zeros(len(y))
    value = objective(f, a, kernel_a)
    for n_iter in range(1, max_iter + 1):
        p = expit(f)
        g, h = c * (p - y), c * p * (1 - p)
        system = lu_factor(h[:, None] * gram + 2 * alpha * np.eye(len(y)))
        newton_a = lu_solve(system, h * f - g)
        through = lu_solve(system, h[:, None] * indicator)
        newton_b = np.linalg.solve(indicator.T @ through, indicator.T @ newton_a)
        newton_a -= through @ newton_b
        step_a, step_b = newton_a - a, newton_b - b
        step_kernel_a = gram @ step_a
        step_f = step_kernel_a + indicator @ step_b
        decrement = -float(
            (g + 2 * alpha * a) @ step_kernel_a + g @ (indicator @ step_b)
        )
        if decrement <= tol * abs(value):  # the full step: quadratic convergence
            return newton_a, newton_b, n_iter
        t = 1.0
        while True:  # Armijo backtracking; a Newton direction descends
            trial = objective(
                f + t * step_f, a + t * step_a, kernel_a + t * step_kernel_a
            )
            if trial <= value - 0.25 * t * decrement or t < 1e-10:
                break
            t /= 2
        a, b = a + t * step_a, b + t * step_b
        kernel_a, f, value = kernel_a + t * step_kernel_a, f + t * step_f, trial
    warnings.warn(
        f"Newton's method stopped at max_iter={max_iter} with a Newton "
        f"decrement of {decrement:.3g} (objective {value:.6g}); raise max_iter.",
        ConvergenceWarning,
        stacklevel=4,
    )
    return a, b, max_iter
