"""What every skmtl estimator does with its data, whatever its model.

:class:`MultiTaskEstimator` reads both data layouts into a
:class:`~skmtl._task_data.TaskData`, scores, and declares the scikit-learn
tags; the linear models and the kernel models build on it.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils._available_if import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._dask import is_dask_collection, predict_by_partition, refuse_dask
from ._task_data import (
    _format_tasks,
    check_task_id_type,
    make_task_data,
    map_tasks,
    non_numeric_columns_named,
    split_task_column,
)


def _is_classifier(estimator):
    return estimator._loss_name() == "logistic"


class MultiTaskEstimator(BaseEstimator):
    """Base of the skmtl estimators: data validation for both layouts, scores.

    A subclass has the parameters ``task_column`` and ``unknown_task``, a
    ``_loss_name()`` (``"squared"`` for a regressor, ``"logistic"`` for a
    classifier), fits its model on validated data in ``_fit`` and gives its
    scores (predictions, or log-odds) in ``_scores``.
    """

    _sparse_x = True  # whether it takes scipy sparse X (kept sparse, as CSR)

    def _validate_X(self, X, reset):
        """Return float features and the task ids (None for the shared design)."""
        if is_dask_collection(X):
            refuse_dask(self, "needs X")
        if sp.issparse(X) and not self._sparse_x:
            raise TypeError(
                f"{type(self).__name__} needs dense X; convert it with "
                "X.toarray(), or use a linear model, which keeps sparse X sparse."
            )
        with non_numeric_columns_named(X, self.task_column):
            if self.task_column is None:
                features = validate_data(
                    self, X, reset=reset, accept_sparse="csr", dtype=np.float64
                )
                return features, None
            validate_data(self, X, reset=reset, skip_check_array=True)
            return split_task_column(X, self.task_column)

    def _validate_fit_data(self, X, y, sample_weight, *, reset=True, chunk=False):
        """Turn ``(X, y)`` of either layout into TaskData (targets as floats).

        ``reset=False`` checks the columns of ``X`` against the fitted ones;
        ``chunk=True`` accepts tasks without an observed target (a chunk of
        rows, whose statistics add up with other chunks').
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        features, task_ids = self._validate_X(X, reset=reset)
        task_labels = list(y.columns) if hasattr(y, "columns") else None
        y = np.asarray(y)
        if task_ids is not None:
            y = _check_y_1d(y)
        if _is_classifier(self):
            Y, self.classes_ = _encode_classification_y(y)
        else:
            Y = _encode_regression_y(y)
        if len(Y) != features.shape[0]:
            raise ValueError(
                f"X has {features.shape[0]} rows but y has {len(Y)}; they must match."
            )
        self._single_target = task_ids is None and Y.ndim == 1
        if task_ids is None:
            Y = Y.reshape(len(Y), -1)
        elif np.any(np.isnan(Y)):
            raise ValueError(
                "y contains NaN. With task_column set every row is one target of "
                "its task: drop the rows that have no target."
            )
        return make_task_data(
            features, Y, task_ids, sample_weight, task_labels, allow_empty_tasks=chunk
        )

    def _check_task_data(self, data):
        """Checks on the fitted data: a classifier needs both classes per task."""
        if not _is_classifier(self):
            return
        positive = data.task_sums(data.weight * data.Y) > 0
        negative = data.task_sums(data.weight * (1 - data.Y)) > 0
        check_both_classes(data.tasks, positive, negative)

    # -- fit --------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)
            Features; with ``task_column`` set, one column holds each row's task.
            A SciPy sparse matrix stays sparse (the linear models; the kernel
            models need dense ``X``). The linear models also take a Dask
            DataFrame or array (with ``y`` and ``sample_weight`` partitioned
            alike): statistics per partition, added on the cluster, once for
            the squared loss and once per Newton step for the logistic loss
            (see :ref:`beyond_memory`).
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets: 1-D with ``task_column`` set; with the shared design one
            column per task, ``NaN`` marking a missing target. A classifier
            takes two class labels (every task must have both) or, on the
            shared design, one 0/1 column per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        vars(self).pop("statistics_", None)  # a fit starts over (partial_fit)
        if is_dask_collection(X) or is_dask_collection(y):
            return self._fit_dask(X, y, sample_weight)
        self._fit(self._validated_data(X, y, sample_weight))
        return self

    def _fit_dask(self, X, y, sample_weight):
        """Fit on Dask collections (a model that can: the linear models)."""
        refuse_dask(self, "fits its data")

    def _validated_data(self, X, y, sample_weight):
        """TaskData of ``(X, y)``, validated and checked for this estimator."""
        data = self._validate_fit_data(X, y, sample_weight)
        self._check_task_data(data)
        return data

    def _fit(self, data):
        """Fit on validated TaskData (a subclass's model)."""
        raise NotImplementedError

    # -- predict ----------------------------------------------------------

    def _decision(self, X):
        """The model's scores of ``X``: (n,) per row's task, or (n, n_tasks)
        on the shared design."""
        check_is_fitted(self)
        return self._scores(*self._validate_X(X, reset=False))

    def _scores(self, features, task_ids):
        """:meth:`_decision` of validated features and task ids (a subclass's)."""
        raise NotImplementedError

    def _task_index(self, task_ids):
        """Position in ``tasks_`` of each row's task id, -1 for an unseen one.

        Raises
        ------
        TypeError
            For task ids of another type than in ``fit``.
        ValueError
            For unseen task ids, with ``unknown_task="error"``.
        """
        check_task_id_type(task_ids, self.tasks_, self.task_column)
        index = map_tasks(task_ids, self.tasks_)
        unknown = index < 0
        if np.any(unknown) and self.unknown_task == "error":
            raise ValueError(
                f"X has task id(s) {_format_tasks(np.unique(task_ids[unknown]))} "
                "that were not seen in fit. Set unknown_task='shared' to "
                "predict them with the shared part of the model."
            )
        return index

    def predict(self, X):
        """Predict the targets (regression) or the class labels (classification).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            One prediction per row for its task (task-indexed layout, or a 1-D
            ``y`` in fit), else one column per task; class labels from
            ``classes_``, or 0/1 columns for a multi-label ``y``.
        """
        if is_dask_collection(X):
            return self._by_partition(self.predict, X, "predict")
        scores = self._decision(X)
        if not _is_classifier(self):
            return scores
        positive = (scores > 0).astype(int)
        return positive if positive.ndim == 2 else self.classes_[positive]

    @available_if(_is_classifier)
    def decision_function(self, X):
        """Scores of the positive class: its log-odds, ``f(x, t) + b_t``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        """
        if is_dask_collection(X):
            return self._by_partition(self.decision_function, X, "scores")
        return self._decision(X)

    @available_if(_is_classifier)
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2) or (n_samples, n_tasks)
            For a 1-D ``y`` in fit, the probabilities of ``classes_``; for a
            multi-label ``y``, the probability of label 1 in each column.
        """
        if is_dask_collection(X):
            return self._by_partition(self.predict_proba, X, "proba")
        p = expit(self.decision_function(X))
        if p.ndim == 2:
            return p
        return np.column_stack([1 - p, p])

    def _by_partition(self, method, X, output):
        """``method`` on each partition of a Dask ``X``: a Dask collection.

        ``output`` ("predict", "scores" or "proba") fixes its columns: one
        value per row, or one column per task (shared design, 2-D ``y``) or
        per class (``predict_proba`` of a 1-D ``y``).
        """
        check_is_fitted(self)
        labels = None
        if self.task_column is None and not self._single_target:
            labels = [str(task) for task in self.tasks_]
        elif output == "proba":
            labels = [str(label) for label in self.classes_]
        dtype = float
        if output == "predict" and _is_classifier(self):
            dtype = int if labels is not None else self.classes_.dtype
        return predict_by_partition(method, X, labels, dtype)

    def score(self, X, y, sample_weight=None):
        """R² (regression) or accuracy (classification), missing targets left out.

        Without missing targets this is scikit-learn's ``r2_score`` (averaged
        uniformly over tasks for a 2-D ``y``) or ``accuracy_score`` (subset
        accuracy for a multi-label ``y``). With ``NaN`` in a 2-D ``y``, each
        task's R² uses only its observed rows (tasks with fewer than two are
        left out), and a row counts as correct when all its observed labels
        are (rows without any are left out), so ``GridSearchCV`` and
        ``cross_val_score`` work with partly labelled targets.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True targets, ``NaN`` where missing (shared design).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean R² over tasks, or accuracy.
        """
        if _is_classifier(self):
            return _classification_score(self, X, y, sample_weight)
        return _regression_score(self, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.sparse = self._sparse_x
        if _is_classifier(self):
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_class=False, multi_label=True)
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags


def check_both_classes(tasks, positive, negative):
    """Refuse tasks without weight on both classes (boolean arrays per task)."""
    one_class = ~(positive & negative)
    if np.any(one_class):
        raise ValueError(
            f"Task(s) {_format_tasks(tasks[one_class])} have targets of "
            "only one class (among rows with positive sample weight); every "
            "task needs both classes."
        )


def _check_y_1d(y):
    """Task-indexed targets: one per row."""
    shape = y.shape
    if len(shape) == 2 and shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; with "
            "task_column set y holds one target per row. It was raveled.",
            DataConversionWarning,
            stacklevel=4,
        )
        y = y.ravel()
    elif len(shape) != 1:
        raise ValueError(
            "With task_column set, y must be 1-D (one target per row, for that "
            f"row's task); got y of shape {shape}."
        )
    return y


def _regression_score(estimator, X, y, sample_weight):
    """R² per task over its observed rows, averaged (see ``score``)."""
    y = _encode_regression_y(y)
    pred = estimator.predict(X)
    if y.ndim == 1 or not np.isnan(y).any():
        return float(r2_score(y, pred, sample_weight=sample_weight))
    scores = []
    for t in range(y.shape[1]):
        rows = ~np.isnan(y[:, t])
        if rows.sum() < 2:  # R² is undefined: the task is left out
            continue
        weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
        scores.append(r2_score(y[rows, t], pred[rows, t], sample_weight=weight))
    return float(np.mean(scores))


def _encode_regression_y(y):
    try:
        return check_array(
            y,
            ensure_2d=False,
            dtype=np.float64,
            ensure_all_finite="allow-nan",
            input_name="y",
        )
    except ValueError as error:
        if "could not convert" not in str(error):
            raise
        raise ValueError(
            "A regressor needs numeric targets, but y holds values that are "
            f"not numbers ({error}). For class labels use the matching "
            "classifier."
        ) from error


def _classification_score(estimator, X, y, sample_weight):
    """Accuracy over the observed labels (see ``score``)."""
    y = np.asarray(y)
    pred = estimator.predict(X)
    if y.ndim == 1 or y.dtype.kind != "f" or not np.isnan(y).any():
        return float(accuracy_score(y, pred, sample_weight=sample_weight))
    observed = ~np.isnan(y)
    correct = np.all((pred == y) | ~observed, axis=1)
    rows = observed.any(axis=1)
    weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
    return float(np.average(correct[rows], weights=weight))


def _encode_classification_y(y):
    """Targets as 0/1 floats (NaN = missing) and the class labels."""
    if y.ndim == 2:
        Y = check_array(
            y, dtype=np.float64, ensure_all_finite="allow-nan", input_name="y"
        )
        bad = ~(np.isnan(Y) | (Y == 0) | (Y == 1))
        if np.any(bad):
            column = np.flatnonzero(bad.any(axis=0))[0]
            raise ValueError(
                "A 2-D y is a multi-label target: every entry must be 0, 1 "
                f"or NaN (missing); column {column} holds "
                f"{np.unique(Y[bad[:, column], column])[:5]}."
            )
        return Y, np.array([0, 1])
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) == 1:
        raise ValueError(
            f"The targets have only one class ({classes[0]!r}); a classifier needs two."
        )
    if len(classes) > 2:
        raise ValueError(
            "Only binary classification is supported (per task): the targets "
            f"have {len(classes)} classes. For multi-label problems pass a 0/1 "
            "y with one column per label."
        )
    return (y == classes[1]).astype(np.float64), classes
