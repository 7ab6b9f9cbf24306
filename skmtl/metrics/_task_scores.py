"""Scores per task, and scorers that average a metric over the tasks."""

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics
from sklearn.base import is_classifier
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils.validation import check_is_fitted

from .._task_data import map_tasks

RESPONSE_METHODS = ("predict", "decision_function", "predict_proba")
AVERAGES = ("tasks", "rows")


@dataclass(frozen=True, repr=False)
class TaskScorer:
    """A scorer that computes a metric in each task and averages the tasks.

    Build it with :func:`make_task_scorer`. Called as ``scorer(estimator,
    X, y, sample_weight=None)`` like any scikit-learn scorer, so it goes
    into ``GridSearchCV(scoring=...)``, ``cross_val_score`` and the skmtl
    ``*CV`` estimators.
    """

    score_func: Callable
    response_method: str
    sign: int
    average: str
    kwargs: dict

    def __repr__(self):
        name = getattr(self.score_func, "__name__", repr(self.score_func))
        return (
            f"make_task_scorer({name}, response_method={self.response_method!r}, "
            f"greater_is_better={self.sign > 0}, average={self.average!r})"
        )

    def __call__(self, estimator, X, y, sample_weight=None):
        table = _scores(estimator, X, y, sample_weight, self)
        scored = np.isfinite(table["score"])
        if not np.any(scored):
            warnings.warn(
                f"{self!r} could not score any task (too few rows or one class "
                "in each); the score is NaN.",
                UserWarning,
                stacklevel=2,
            )
            return np.nan
        weights = table["n_rows"][scored] if self.average == "rows" else None
        return float(np.average(table["score"][scored], weights=weights))

    def per_task(self, estimator, X, y, sample_weight=None):
        """The metric in each task, as :func:`per_task_scores` gives it."""
        import pandas as pd

        return pd.DataFrame(_scores(estimator, X, y, sample_weight, self))


def make_task_scorer(
    score_func,
    *,
    response_method="predict",
    greater_is_better=True,
    average="tasks",
    **kwargs,
):
    """Make a scorer that averages a metric over the tasks.

    The score people report for a multi-task problem is per task (the mean
    AUC over tasks, the explained variance of each school), which a
    scikit-learn scorer, computed over all rows at once, does not give. This
    scorer computes ``score_func`` on each task's rows (task-indexed
    layout) or each task's observed column (shared design, ``NaN`` marking
    a missing target), then averages over the tasks where it is defined.

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, y_pred, **kwargs)``, such as
        :func:`sklearn.metrics.roc_auc_score` or
        :func:`sklearn.metrics.r2_score`.
    response_method : {"predict", "decision_function", "predict_proba"}, \
            default="predict"
        What the estimator gives ``score_func`` as ``y_pred``. With
        ``"predict_proba"``, the probability of the positive class (label 1
        of each column on the shared design, ``classes_[1]`` otherwise).
    greater_is_better : bool, default=True
        False for a loss: the scorer then returns minus the average, as
        scikit-learn's scorers do.
    average : {"tasks", "rows"}, default="tasks"
        ``"tasks"``: each task counts the same; ``"rows"``: each task by its
        number of scored rows.
    **kwargs
        Passed to ``score_func``.

    Returns
    -------
    scorer : TaskScorer

    Notes
    -----
    A task where the metric is undefined (fewer than two rows for
    :math:`R^2`, a single class for the AUC: ``score_func`` raises a
    ``ValueError`` or returns NaN) gets a NaN score and is left out of the
    average; :func:`per_task_scores` shows which.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import r2_score
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.metrics import make_task_scorer
    >>> rng = np.random.default_rng(0)
    >>> task = np.repeat([0, 1, 2], 30)
    >>> X = np.column_stack([task, rng.normal(size=(90, 2))])
    >>> y = X[:, 1] + task * X[:, 2] + 0.1 * rng.normal(size=90)
    >>> model = MeanRegularizedRegressor(0.01, task_column=0).fit(X, y)
    >>> mean_r2 = make_task_scorer(r2_score)
    >>> round(mean_r2(model, X, y), 3)
    0.986
    """
    if not callable(score_func):
        raise TypeError(
            f"score_func must be a metric, callable as score_func(y_true, "
            f"y_pred); got {type(score_func).__name__}."
        )
    if response_method not in RESPONSE_METHODS:
        raise ValueError(
            f"response_method must be one of {list(RESPONSE_METHODS)}; got "
            f"{response_method!r}."
        )
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {list(AVERAGES)}; got {average!r}.")
    sign = 1 if greater_is_better else -1
    return TaskScorer(score_func, response_method, sign, average, kwargs)


# The metrics ``per_task_scores`` knows by name: scikit-learn's scorer names.
_NAMED = {
    "r2": (metrics.r2_score, "predict", 1),
    "explained_variance": (metrics.explained_variance_score, "predict", 1),
    "neg_mean_squared_error": (metrics.mean_squared_error, "predict", -1),
    "neg_root_mean_squared_error": (metrics.root_mean_squared_error, "predict", -1),
    "neg_mean_absolute_error": (metrics.mean_absolute_error, "predict", -1),
    "accuracy": (metrics.accuracy_score, "predict", 1),
    "balanced_accuracy": (metrics.balanced_accuracy_score, "predict", 1),
    "f1": (metrics.f1_score, "predict", 1),
    "roc_auc": (metrics.roc_auc_score, "decision_function", 1),
    "average_precision": (metrics.average_precision_score, "decision_function", 1),
    "neg_log_loss": (metrics.log_loss, "predict_proba", -1),
    "neg_brier_score": (metrics.brier_score_loss, "predict_proba", -1),
}


def _scorer_of(scoring, estimator):
    """A :class:`TaskScorer` for ``scoring`` (None: the estimator's ``score``)."""
    if isinstance(scoring, TaskScorer):
        return scoring
    if scoring is None:
        scoring = "accuracy" if is_classifier(estimator) else "r2"
    if not isinstance(scoring, str) or scoring not in _NAMED:
        raise ValueError(
            f"scoring must be None, a scorer from make_task_scorer or one of "
            f"{sorted(_NAMED)}; got {scoring!r}."
        )
    func, response, sign = _NAMED[scoring]
    kwargs = {"labels": [0, 1]} if func is metrics.log_loss else {}
    return TaskScorer(func, response, sign, "tasks", kwargs)


def per_task_scores(estimator, X, y, *, scoring=None, sample_weight=None):
    """The score of a fitted multi-task model in each task.

    Parameters
    ----------
    estimator : fitted skmtl estimator
    X : array-like or DataFrame of shape (n_samples, n_columns)
        As for ``estimator.predict``; with ``task_column`` set, the task
        column says which task each row scores.
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True targets; on the shared design ``NaN`` marks a missing target.
    scoring : str, TaskScorer or None, default=None
        A scikit-learn scorer name among ``"r2"``,
        ``"explained_variance"``, ``"neg_mean_squared_error"``,
        ``"neg_root_mean_squared_error"``, ``"neg_mean_absolute_error"``,
        ``"accuracy"``, ``"balanced_accuracy"``, ``"f1"``, ``"roc_auc"``,
        ``"average_precision"``, ``"neg_log_loss"`` and
        ``"neg_brier_score"`` (with its sign: losses are negated), or a
        scorer from :func:`make_task_scorer`. None: :math:`R^2` for a
        regressor, accuracy for a classifier.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    scores : pandas.DataFrame
        One row per task, in the order of ``estimator.tasks_`` (then the
        tasks of ``X`` unseen in fit, scored with the shared model when the
        estimator predicts them): ``task``, ``n_rows`` (rows with a target)
        and ``score``, NaN where the metric is undefined (fewer than two
        rows for :math:`R^2`, a single class for the AUC).

    Examples
    --------
    A multi-label problem (the shared design, a 0/1 column per label):

    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmtl import L21Classifier
    >>> from skmtl.metrics import per_task_scores
    >>> X, Y = make_multilabel_classification(n_labels=2, n_classes=3, random_state=0)
    >>> model = L21Classifier(0.01).fit(X, Y)
    >>> per_task_scores(model, X, Y, scoring="roc_auc").round(3)
       task  n_rows  score
    0     0     100  0.942
    1     1     100  0.969
    2     2     100  0.896
    """
    return _scorer_of(scoring, estimator).per_task(estimator, X, y, sample_weight)


def _scores(estimator, X, y, sample_weight, scorer):
    """``{"task", "n_rows", "score"}`` arrays: the scorer's metric per task."""
    check_is_fitted(estimator)
    response = _response(estimator, X, scorer.response_method)
    Y = np.asarray(y)
    weight = None if sample_weight is None else np.asarray(sample_weight, float)
    if len(Y) != len(response):
        raise ValueError(f"X has {len(response)} rows but y has {len(Y)}.")
    if is_classifier(estimator) and Y.ndim == 1:
        # Class labels as 0/1, 1 for classes_[1], as the responses code
        # them: every binary metric then sees the same positive class.
        positive = estimator.classes_[1]
        Y = (Y == positive).astype(float)
        if scorer.response_method == "predict":
            response = (response == positive).astype(float)
    if getattr(estimator, "task_column", None) is not None:
        task_ids = estimator._validate_X(X, reset=False)[1]
        tasks, groups = _rows_by_task(task_ids, estimator.tasks_)
        columns = [(rows, Y[rows], response[rows]) for rows in groups]
    else:
        Y = Y.reshape(len(Y), -1)
        response = response.reshape(len(response), -1)
        tasks = getattr(estimator, "tasks_", np.arange(Y.shape[1]))
        columns = []
        for t in range(Y.shape[1]):
            rows = np.flatnonzero(~_missing(Y[:, t]))
            columns.append((rows, Y[rows, t], response[rows, t]))
    values = [
        _metric(scorer, y_true, y_pred, None if weight is None else weight[rows])
        for rows, y_true, y_pred in columns
    ]
    return {
        "task": np.asarray(tasks),
        "n_rows": np.array([len(rows) for rows, *_ in columns], dtype=int),
        "score": scorer.sign * np.asarray(values, dtype=float),
    }


def _rows_by_task(task_ids, fitted):
    """``(tasks, rows)``: the fitted tasks (sorted, as ``tasks_``) then the
    unseen ones of ``task_ids``, and each one's row positions (one sort of
    the rows, not a pass per task)."""
    labels, inverse = np.unique(task_ids, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(labels) + 1))
    tasks = np.concatenate([fitted, labels[map_tasks(labels, fitted) < 0]])
    where = map_tasks(tasks, labels)
    groups = [order[bounds[j] : bounds[j + 1]] if j >= 0 else order[:0] for j in where]
    return tasks, groups


def _missing(column):
    """``NaN`` entries (missing targets) of a column of ``y``."""
    if column.dtype.kind != "f":
        return np.zeros(len(column), dtype=bool)
    return np.isnan(column)


def _response(estimator, X, method):
    """The estimator's predictions for ``method``: one column per task on
    the shared design, the positive class's probability for 1-D targets."""
    if not hasattr(estimator, method):
        raise ValueError(
            f"The scorer needs {method}, which {type(estimator).__name__} "
            "does not have."
        )
    response = np.asarray(getattr(estimator, method)(X))
    single = getattr(estimator, "task_column", None) is not None or getattr(
        estimator, "_single_target", False
    )
    if method == "predict_proba" and single:
        return response[:, 1]
    return response


def _metric(scorer, y_true, y_pred, weight):
    """The metric on one task's rows; NaN where it is undefined."""
    if len(y_true) == 0 or (weight is not None and not np.any(weight > 0)):
        return np.nan
    if weight is not None:
        kwargs = {**scorer.kwargs, "sample_weight": weight}
    else:
        kwargs = scorer.kwargs
    with warnings.catch_warnings():
        # (R^2 of one row, and the like: undefined, reported as NaN)
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            value = scorer.score_func(y_true, y_pred, **kwargs)
        except ValueError:
            if len(np.unique(y_true)) < 2:  # one class, for the AUC
                return np.nan
            raise
    return float(value)
