"""Display objects of fitted multi-task models, in scikit-learn's conventions.

Each display keeps its data as attributes, draws it with ``plot(ax=None)``
(which sets ``ax_`` and ``figure_`` and returns the display) and is built
from a fitted estimator with ``from_estimator``. matplotlib is imported only
when a display is drawn.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from .._docstring import fill
from ..metrics import per_task_scores

# What the path arrays of the ``*CV`` estimators hold, as an axis label.
_PATH_NAMES = {
    "mse_path_": "validation mean squared error",
    "log_loss_path_": "validation mean log-loss",
    "score_path_": "validation score",
}

# Parts of every display's docstring.
_DRAWN = """ax_ : matplotlib Axes
    The axes it is drawn on.
figure_ : matplotlib Figure
    The figure of those axes."""
_DATA = """>>> from skmtl.datasets import make_multitask_regression
>>> X, y = make_multitask_regression(n_tasks=8, noise=5.0, random_state=0)"""


def _pyplot():
    """matplotlib.pyplot, or an ImportError that says how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib: pip install 'skmtl[plot]' (or "
            "pip install matplotlib)."
        ) from error
    return plt


def _axes(ax, figsize=None):
    """``(figure, ax)``: a new figure when ``ax`` is None."""
    plt = _pyplot()
    if ax is None:
        figure, ax = plt.subplots(figsize=figsize)
        return figure, ax
    return ax.figure, ax


def _task_labels(estimator, n_tasks):
    tasks = getattr(estimator, "tasks_", None)
    return [str(t) for t in (range(n_tasks) if tasks is None else tasks)]


class CoefficientDisplay:
    """Heatmap of the weights: one row per feature, one column per task.

    A feature no task uses is an empty row, so joint feature selection (the
    L2,1 models) shows as whole rows of zeros, and shared patterns as rows of
    one colour; the colour scale is symmetric around zero.

    Parameters
    ----------
    coef : ndarray of shape (n_tasks, n_features)
    feature_names : list of str
    task_names : list of str

    Attributes
    ----------
    im_ : matplotlib AxesImage
    {drawn}

    Examples
    --------
    >>> from skmtl import L21Regressor
    >>> from skmtl.inspection import CoefficientDisplay
    {data}
    >>> model = L21Regressor(0.2, task_column=0).fit(X, y)
    >>> display = CoefficientDisplay.from_estimator(model)
    >>> display.coef.shape, display.ax_.get_ylabel()
    ((8, 20), 'feature')
    """

    def __init__(self, coef, feature_names, task_names):
        self.coef = coef
        self.feature_names = feature_names
        self.task_names = task_names

    @classmethod
    def from_estimator(cls, estimator, *, feature_names=None, ax=None, cmap="RdBu_r"):
        """The weights ``coef_`` of a fitted estimator.

        Parameters
        ----------
        estimator : fitted skmtl estimator
            Anything with ``coef_`` of shape (n_tasks, n_features).
        feature_names : list of str, default=None
            None: the estimator's ``feature_names_in_`` without the task
            column when it has them, else ``x0, x1, ...``.
        ax : matplotlib Axes, default=None
        cmap : str, default="RdBu_r"
            A diverging colormap.

        Returns
        -------
        display : CoefficientDisplay
        """
        check_is_fitted(estimator, "coef_")
        coef = np.asarray(estimator.coef_)
        if feature_names is None:
            feature_names = _feature_names(estimator, coef.shape[1])
        if len(feature_names) != coef.shape[1]:
            raise ValueError(
                f"feature_names has {len(feature_names)} names for "
                f"{coef.shape[1]} features."
            )
        tasks = _task_labels(estimator, coef.shape[0])
        return cls(coef, list(feature_names), tasks).plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, *, cmap="RdBu_r"):
        """Draw the heatmap; returns the display."""
        n_tasks, n_features = self.coef.shape
        size = (max(0.5 * n_tasks + 2, 4), min(0.25 * n_features + 1.5, 12))
        self.figure_, self.ax_ = _axes(ax, size)
        limit = max(np.abs(self.coef).max(initial=0.0), np.finfo(float).tiny)
        self.im_ = self.ax_.imshow(
            self.coef.T, aspect="auto", cmap=cmap, vmin=-limit, vmax=limit
        )
        self.ax_.set_xticks(np.arange(n_tasks), self.task_names, rotation=90)
        self.ax_.set_yticks(np.arange(n_features), self.feature_names)
        self.ax_.set_xlabel("task")
        self.ax_.set_ylabel("feature")
        self.figure_.colorbar(self.im_, ax=self.ax_, label="coefficient")
        return self


def _feature_names(estimator, n_features):
    names = getattr(estimator, "feature_names_in_", None)
    task_column = getattr(estimator, "task_column", None)
    if names is not None:
        names = list(names)
        if isinstance(task_column, str) and task_column in names:
            names.remove(task_column)
        elif task_column is not None and not isinstance(task_column, str):
            del names[task_column]  # an int position, as in fit
        if len(names) == n_features:
            return names
    return [f"x{j}" for j in range(n_features)]


class PerTaskScoreDisplay:
    """Score of each task against its number of rows, for one or more models.

    Who gains from sharing: with a multi-task and a single-task model side by
    side, the small tasks usually gain most (data amplification).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Per model name, its :func:`~skmtl.metrics.per_task_scores` table.
    score_name : str

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
    {drawn}

    Examples
    --------
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.inspection import PerTaskScoreDisplay
    {data}
    >>> models = {
    ...     "independent": MeanRegularizedRegressor(0.1, 0.0, task_column=0),
    ...     "shared": MeanRegularizedRegressor(0.1, 10.0, task_column=0),
    ... }
    >>> display = PerTaskScoreDisplay.from_estimator(
    ...     {name: m.fit(X, y) for name, m in models.items()}, X, y
    ... )
    >>> sorted(display.tables), display.ax_.get_xlabel()
    (['independent', 'shared'], 'rows of the task')
    """

    def __init__(self, tables, score_name):
        self.tables = tables
        self.score_name = score_name

    @classmethod
    def from_estimator(cls, estimators, X, y, *, scoring=None, ax=None):
        """Per-task scores of fitted estimators on ``(X, y)``.

        Parameters
        ----------
        estimators : estimator or dict of str to estimator
            Fitted skmtl estimators; a dict names them in the legend.
        X, y : as for ``estimator.score``
        scoring : str or TaskScorer, default=None
            As :func:`~skmtl.metrics.per_task_scores` (None: R² or accuracy).
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : PerTaskScoreDisplay
        """
        if not isinstance(estimators, dict):
            estimators = {type(estimators).__name__: estimators}
        if not estimators:
            raise ValueError("estimators is empty: give at least one estimator.")
        tables = {
            name: per_task_scores(model, X, y, scoring=scoring)
            for name, model in estimators.items()
        }
        name = scoring if isinstance(scoring, str) else "score"
        if scoring is None:
            first = next(iter(estimators.values()))
            name = "accuracy" if is_classifier(first) else "R²"
        return cls(tables, name).plot(ax=ax)

    def plot(self, ax=None):
        """Draw one marker series per model; returns the display."""
        self.figure_, self.ax_ = _axes(ax)
        self.lines_ = {}
        for name, table in self.tables.items():
            (self.lines_[name],) = self.ax_.plot(
                table["n_rows"], table["score"], "o", alpha=0.7, label=name
            )
        self.ax_.set_xscale("log")
        self.ax_.set_xlabel("rows of the task")
        self.ax_.set_ylabel(f"{self.score_name} of the task")
        self.ax_.legend()
        return self


class RegularizationPathDisplay:
    """Validation score, or weights, along a regularization path.

    From a ``*CV`` estimator (:meth:`from_estimator`): the mean over folds
    (and a band of one standard deviation) of the validation loss or score
    of each value of the path parameter, one line per point of the
    estimator's other grids (the couplings of the mean-regularized models,
    a list of ``alpha_shared``), with the chosen value marked (a dashed
    line at the chosen strength, and "(chosen)" after the chosen line's
    label). From a path (:meth:`from_path`): the norm
    of each feature's weights over the tasks, one line per feature.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    values : ndarray of shape (n_lines, n_alphas, n_folds)
    labels : list of str
        One per line.
    chosen : float or None
    parameter : str
        Name of the path parameter.
    score_name : str

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
    {drawn}

    Examples
    --------
    >>> from skmtl import L21RegressorCV
    >>> from skmtl.inspection import RegularizationPathDisplay
    {data}
    >>> model = L21RegressorCV(task_column=0, n_alphas=10, cv=3).fit(X, y)
    >>> display = RegularizationPathDisplay.from_estimator(model)
    >>> display.values.shape, display.chosen == model.alpha_
    ((1, 10, 3), True)
    """

    def __init__(self, alphas, values, labels, chosen, parameter, score_name):
        self.alphas, self.values, self.labels = alphas, values, labels
        self.chosen, self.parameter, self.score_name = chosen, parameter, score_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """The validation path a fitted ``*CV`` estimator chose from.

        Parameters
        ----------
        estimator : fitted skmtl ``*CV`` estimator
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : RegularizationPathDisplay
        """
        if not hasattr(estimator, "_path_attribute"):
            raise TypeError(
                f"{type(estimator).__name__} is not a skmtl *CV estimator "
                "(L21RegressorCV, MeanRegularizedClassifierCV, ...)."
            )
        check_is_fitted(estimator, "alphas_")
        attribute = estimator._path_attribute()
        values = np.asarray(getattr(estimator, attribute))
        labels = [""]
        if values.ndim == 3:  # other grids searched (couplings, alpha_shared)
            chosen = estimator._chosen()
            labels = [
                ", ".join(f"{k}={v:g}" for k, v in point.items())
                + (" (chosen)" if all(chosen[k] == v for k, v in point.items()) else "")
                for point in estimator._grid_points()
            ]
        else:
            values = values[None]
        return cls(
            np.asarray(estimator.alphas_),
            values,
            labels,
            estimator.alpha_,
            estimator._path,
            _PATH_NAMES[attribute],
        ).plot(ax=ax)

    @classmethod
    def from_path(cls, alphas, coefs, *, feature_names=None, chosen=None, ax=None):
        """The weights along a path: each feature's norm over the tasks.

        Parameters
        ----------
        alphas : array-like of shape (n_alphas,)
        coefs : array-like of shape (n_tasks, n_features, n_alphas)
            As :func:`~skmtl.l21_path` or
            :func:`~skmtl.regularization_path` return them.
        feature_names : list of str, default=None
            None: ``x0, x1, ...``.
        chosen : float, default=None
            A value of ``alpha`` to mark.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : RegularizationPathDisplay
            ``values`` of shape (n_features, n_alphas, 1).
        """
        coefs = np.asarray(coefs, dtype=float)
        if coefs.ndim != 3 or coefs.shape[2] != len(alphas):
            raise ValueError(
                "coefs must have shape (n_tasks, n_features, n_alphas) with "
                f"n_alphas={len(alphas)}; got {coefs.shape}."
            )
        if feature_names is None:
            feature_names = [f"x{j}" for j in range(coefs.shape[1])]
        norms = np.linalg.norm(coefs, axis=0)[:, :, None]
        ylabel = "norm of the feature's weights over the tasks"
        display = cls(
            np.asarray(alphas), norms, list(feature_names), chosen, "alpha", ylabel
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the mean over folds, a band of one standard deviation and the
        chosen value (if any); returns the display."""
        self.figure_, self.ax_ = _axes(ax)
        mean = np.nanmean(self.values, axis=-1)
        spread = np.nanstd(self.values, axis=-1)
        self.lines_ = []
        for label, m, s in zip(self.labels, mean, spread, strict=True):
            (drawn,) = self.ax_.plot(self.alphas, m, label=label or None)
            self.ax_.fill_between(
                self.alphas, m - s, m + s, alpha=0.15, color=drawn.get_color()
            )
            self.lines_.append(drawn)
        if self.chosen is not None:
            self.ax_.axvline(self.chosen, color="k", linestyle="--", label="chosen")
        self.ax_.set_xscale("log")
        self.ax_.set_xlabel(self.parameter)
        self.ax_.set_ylabel(self.score_name)
        if len(self.lines_) <= 10:  # (a legend of more lines hides the plot)
            self.ax_.legend()
        return self


class CouplingValidationDisplay:
    """Validation score against the coupling, from independent to pooled.

    For a fitted ``MeanRegularizedRegressorCV`` or ``...ClassifierCV``: at
    each coupling of its grid, the best mean validation loss (or score) over
    its ``alpha`` path; coupling 0 (independent models) and infinity (the
    pooled model) are drawn at the two ends of the axis and labelled so.
    When sharing helps, the curve dips between the ends.

    Parameters
    ----------
    couplings : ndarray of shape (n_couplings,)
    values : ndarray of shape (n_couplings,)
        Best mean validation loss (or score) at each coupling.
    chosen : float
        The chosen coupling.
    score_name : str

    Attributes
    ----------
    line_ : matplotlib Line2D
    {drawn}

    Examples
    --------
    >>> from skmtl import MeanRegularizedRegressorCV
    >>> from skmtl.inspection import CouplingValidationDisplay
    {data}
    >>> model = MeanRegularizedRegressorCV(task_column=0, n_alphas=5, cv=3)
    >>> display = CouplingValidationDisplay.from_estimator(model.fit(X, y))
    >>> display.couplings.tolist(), display.chosen
    ([0.0, 1.0, 10.0, 100.0, inf], 10.0)
    """

    def __init__(self, couplings, values, chosen, score_name):
        self.couplings = couplings
        self.values = values
        self.chosen = chosen
        self.score_name = score_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """The coupling curve of a fitted mean-regularized ``*CV`` estimator.

        Parameters
        ----------
        estimator : fitted MeanRegularizedRegressorCV or ...ClassifierCV
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : CouplingValidationDisplay
        """
        if not hasattr(estimator, "couplings"):
            raise TypeError(
                "CouplingValidationDisplay needs a MeanRegularizedRegressorCV "
                f"or MeanRegularizedClassifierCV; got {type(estimator).__name__}."
            )
        check_is_fitted(estimator, "alphas_")
        attribute = estimator._path_attribute()
        mean = np.nanmean(getattr(estimator, attribute), axis=-1)
        points = estimator._grid_points()
        couplings = np.array([p["coupling"] for p in points], dtype=float)
        best = mean.min(axis=1) if attribute != "score_path_" else mean.max(axis=1)
        order = np.argsort(couplings)
        name = _PATH_NAMES[attribute]
        return cls(couplings[order], best[order], estimator.coupling_, name).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curve on a symmetric-log axis whose ends are labelled
        "independent" and "pooled"; returns the display."""
        self.figure_, self.ax_ = _axes(ax)
        finite = self.couplings[np.isfinite(self.couplings)]
        top = max(finite.max(initial=1.0), 1.0) * 10
        x = np.where(np.isinf(self.couplings), top, self.couplings)
        (self.line_,) = self.ax_.plot(x, self.values, "o-")
        chosen = top if np.isinf(self.chosen) else self.chosen
        self.ax_.axvline(chosen, color="k", linestyle="--", label="chosen")
        linthresh = max(finite[finite > 0].min(initial=1.0), 1e-12)
        self.ax_.set_xscale("symlog", linthresh=linthresh)
        # Zero sits a linear unit left of the smallest positive coupling.
        self.ax_.set_xlim(-0.5 * linthresh, 2 * top)
        ticks = list(x)
        labels = [
            "independent\n(0)"
            if c == 0
            else "pooled\n(inf)"
            if np.isinf(c)
            else f"{c:g}"
            for c in self.couplings
        ]
        self.ax_.set_xticks(ticks, labels)
        self.ax_.set_xlabel("coupling")
        self.ax_.set_ylabel(self.score_name)
        self.ax_.legend()
        return self


class TaskSimilarityDisplay:
    """Heatmap of how alike the tasks are, in a clustered order.

    The cosine similarity of the task weight vectors (rows of ``coef_``), or,
    for a model that learns one, the task matrix it learned
    (``task_covariance_`` of the feature-learning models, ``task_matrix_`` of
    the clustered ones) scaled to a unit diagonal. The tasks are ordered by
    average-linkage clustering of one minus that similarity, so groups of
    tasks show as blocks.

    Parameters
    ----------
    similarity : ndarray of shape (n_tasks, n_tasks)
        In the displayed order.
    task_names : list of str
        In the displayed order.
    source : str
        What the similarity is computed from.

    Attributes
    ----------
    im_ : matplotlib AxesImage
    {drawn}

    Examples
    --------
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.inspection import TaskSimilarityDisplay
    {data}
    >>> model = MeanRegularizedRegressor(0.1, task_column=0).fit(X, y)
    >>> display = TaskSimilarityDisplay.from_estimator(model)
    >>> display.similarity.shape, display.source
    ((8, 8), 'cosine similarity of coef_')
    """

    def __init__(self, similarity, task_names, source):
        self.similarity = similarity
        self.task_names = task_names
        self.source = source

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, cmap="RdBu_r"):
        """The task similarity of a fitted estimator.

        Parameters
        ----------
        estimator : fitted skmtl estimator with ``coef_``
        ax : matplotlib Axes, default=None
        cmap : str, default="RdBu_r"

        Returns
        -------
        display : TaskSimilarityDisplay
        """
        check_is_fitted(estimator, "coef_")
        for name in ("task_covariance_", "task_matrix_"):
            matrix = getattr(estimator, name, None)
            if matrix is not None:
                similarity, source = _unit_diagonal(np.asarray(matrix)), name
                break
        else:
            coef = np.asarray(estimator.coef_)
            norms = np.linalg.norm(coef, axis=1)
            unit = coef / np.where(norms > 0, norms, 1.0)[:, None]
            similarity, source = unit @ unit.T, "cosine similarity of coef_"
        order = _clustered_order(similarity)
        names = np.asarray(_task_labels(estimator, len(similarity)))[order]
        return cls(similarity[np.ix_(order, order)], list(names), source).plot(
            ax=ax, cmap=cmap
        )

    def plot(self, ax=None, *, cmap="RdBu_r"):
        """Draw the heatmap; returns the display."""
        size = min(0.3 * len(self.similarity) + 3, 12)
        self.figure_, self.ax_ = _axes(ax, (size + 1, size))
        self.im_ = self.ax_.imshow(self.similarity, cmap=cmap, vmin=-1, vmax=1)
        ticks = np.arange(len(self.task_names))
        self.ax_.set_xticks(ticks, self.task_names, rotation=90)
        self.ax_.set_yticks(ticks, self.task_names)
        self.ax_.set_xlabel("task")
        self.ax_.set_ylabel("task")
        self.figure_.colorbar(self.im_, ax=self.ax_, label=self.source)
        return self


def _unit_diagonal(matrix):
    scale = np.sqrt(np.clip(np.diag(matrix), np.finfo(float).tiny, None))
    return matrix / np.outer(scale, scale)


def _clustered_order(similarity):
    """Leaves of an average-linkage tree of ``1 - similarity``."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if len(similarity) < 3:
        return np.arange(len(similarity))
    distance = np.clip(1.0 - similarity, 0.0, None)
    distance = 0.5 * (distance + distance.T)
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance), method="average"))


for _display in (
    CoefficientDisplay,
    PerTaskScoreDisplay,
    RegularizationPathDisplay,
    CouplingValidationDisplay,
    TaskSimilarityDisplay,
):
    _display.__doc__ = fill(_display.__doc__, drawn=_DRAWN, data=_DATA)
