"""Shared machinery of the linear multi-task estimators.

An estimator only says which datafit and which penalty it minimises; this
module validates the data (both layouts), runs the solver, stores the fitted
attributes and predicts.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._task_data import (
    _format_tasks,
    check_task_id_type,
    make_task_data,
    map_tasks,
    non_numeric_columns_named,
    split_task_column,
)
from ..datafits import LogisticLoss, SquaredLoss
from ..solvers import solve


def refuse_unpenalised(estimator, *names):
    """Raise a ``ValueError`` when every strength ``names`` of ``estimator`` is 0.

    An unpenalised model has no duality-gap certificate (the conjugate of a
    zero penalty is not finite) and may have no unique solution.
    """
    if any(getattr(estimator, name) != 0 for name in names):
        return
    zeros = [f"{name}=0" for name in names]
    stated = (
        " with ".join([zeros[0], " and ".join(zeros[1:])]) if names[1:] else zeros[0]
    )
    choice = " or ".join([", ".join(names[:-1]), names[-1]]) if names[1:] else names[0]
    raise ValueError(
        f"{stated} leaves the model unpenalised, which has no duality-gap "
        f"certificate and may have no unique solution; give {choice} a positive "
        "value."
    )


class _MultiTaskLinearModel(BaseEstimator):
    """Base of the linear multi-task estimators: ``coef_`` (n_tasks, n_features)."""

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "task_column": [None, Integral, str],
        "unknown_task": [StrOptions({"error", "shared"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
    }

    def _penalty(self):
        raise NotImplementedError

    def _penalty_for(self, data):
        """The penalty for this data: ``_penalty()``, unless it needs the tasks."""
        return self._penalty()

    # -- validation -------------------------------------------------------

    def _validate_X(self, X, reset):
        """Return float features and the task ids (None for the shared design)."""
        with non_numeric_columns_named(X, self.task_column):
            if self.task_column is None:
                return validate_data(self, X, reset=reset, dtype=np.float64), None
            validate_data(self, X, reset=reset, skip_check_array=True)
            return split_task_column(X, self.task_column)

    def _validate_fit_data(self, X, y, sample_weight):
        """Turn ``(X, y)`` of either layout into TaskData.

        ``self._encode_y`` maps the validated targets to floats (NaN =
        missing); it differs between regression and classification.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        features, task_ids = self._validate_X(X, reset=True)
        task_labels = list(y.columns) if hasattr(y, "columns") else None
        y = np.asarray(y)
        if task_ids is not None:
            y = _check_y_1d(y)
        Y = self._encode_y(y)
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
        return make_task_data(features, Y, task_ids, sample_weight, task_labels)

    # -- fit and predict --------------------------------------------------

    def _prepare_fit(self, X, y, sample_weight):
        """Validated TaskData and the datafit of this estimator."""
        data = self._validate_fit_data(X, y, sample_weight)
        self._check_task_data(data)
        return data, self._datafit()

    def _fit(self, X, y, sample_weight):
        self._validate_params()
        data, datafit = self._prepare_fit(X, y, sample_weight)
        warm = (
            self.warm_start
            and hasattr(self, "coef_")
            and self.coef_.shape == (data.n_tasks, data.n_features)
            and np.array_equal(self.tasks_, data.tasks)
        )
        result = self._solve(data, datafit, warm)
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        self.tasks_ = data.tasks
        self.coef_feature_names_ = self._coef_feature_names()
        self.n_iter_ = result.n_iter
        self.dual_gap_ = result.dual_gap
        self._set_derived_attributes()
        return self

    def _solve(self, data, datafit, warm):
        """Run the solver; ``warm``: start from the previous fit."""
        return solve(
            data,
            datafit,
            self._penalty_for(data),
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            coef_init=self.coef_ if warm else None,
            intercept_init=self.intercept_ if warm else None,
        )

    def _coef_feature_names(self):
        """Names of the columns of ``coef_``: the input columns but the task column.

        The DataFrame's column names, else ``x<i>`` with ``i`` the position
        of the column in ``X`` (scikit-learn's default output names).
        """
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = np.array(
                [f"x{i}" for i in range(self.n_features_in_)], dtype=object
            )
        if self.task_column is None:
            return np.asarray(names, dtype=object)
        if isinstance(self.task_column, str):
            position = list(names).index(self.task_column)
        else:
            position = self.task_column % self.n_features_in_
        return np.delete(np.asarray(names, dtype=object), position)

    def _set_derived_attributes(self):
        """Hook: fitted attributes computed from ``coef_`` (none by default)."""

    def _check_task_data(self, data):
        """Hook for estimator-specific checks on the fitted data."""

    def _linear_predict(self, X):
        """``x . w_t + b_t``: (n,) per row's task, or (n, n_tasks) shared design."""
        check_is_fitted(self)
        features, task_ids = self._validate_X(X, reset=False)
        if task_ids is None:
            Z = features @ self.coef_.T + self.intercept_
            return Z[:, 0] if self._single_target else Z
        check_task_id_type(task_ids, self.tasks_, self.task_column)
        index = map_tasks(task_ids, self.tasks_)
        unknown = index < 0
        coef = self.coef_[np.maximum(index, 0)]
        intercept = self.intercept_[np.maximum(index, 0)]
        if np.any(unknown):
            if self.unknown_task == "error":
                raise ValueError(
                    f"X has task id(s) {_format_tasks(np.unique(task_ids[unknown]))} "
                    "that were not seen in fit. Set unknown_task='shared' to "
                    "predict them with the shared part of the model."
                )
            coef[unknown], intercept[unknown] = self._shared_model()
        return np.einsum("ij,ij->i", features, coef) + intercept

    def _shared_model(self):
        """``(coef, intercept)`` for a task unseen in fit: the mean task model."""
        return self.coef_.mean(axis=0), self.intercept_.mean()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


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


class _MultiTaskRegressorMixin(RegressorMixin):
    """Squared-loss regression for either layout."""

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            Features; with ``task_column`` set, one column holds each row's task.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets: 1-D with ``task_column`` set; with the shared design one
            column per task, ``NaN`` marking a missing target.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _datafit(self):
        return SquaredLoss()

    def _encode_y(self, y):
        return _encode_regression_y(y)

    def predict(self, X):
        """Predict the targets.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            One prediction per row for its task (task-indexed layout, or a 1-D
            ``y`` in fit), else one column per task.
        """
        return self._linear_predict(X)

    def score(self, X, y, sample_weight=None):
        """R² of the predictions, leaving missing targets out.

        Without missing targets this is scikit-learn's ``r2_score`` (averaged
        uniformly over tasks for a 2-D ``y``). With ``NaN`` in a 2-D ``y``
        each task's R² uses only its observed rows (tasks with fewer than two
        are left out), so ``GridSearchCV`` and ``cross_val_score`` work with
        partly labelled targets.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True targets, ``NaN`` where missing (shared design).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean R² over tasks.
        """
        return _regression_score(self, X, y, sample_weight)


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


class _MultiTaskClassifierMixin(ClassifierMixin):
    """Logistic-loss binary classification per task, or multi-label 0/1 targets."""

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            Features; with ``task_column`` set, one column holds each row's task.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            1-D: two class labels (every task must have both). 2-D (shared
            design, multi-label): one 0/1 column per task, ``NaN`` marking a
            missing label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _datafit(self):
        return LogisticLoss()

    def _encode_y(self, y):
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
            self.classes_ = np.array([0, 1])
            return Y
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) == 1:
            raise ValueError(
                f"The targets have only one class ({classes[0]!r}); a classifier "
                "needs two."
            )
        if len(classes) > 2:
            raise ValueError(
                "Only binary classification is supported (per task): the targets "
                f"have {len(classes)} classes. For multi-label problems pass a 0/1 "
                "y with one column per label."
            )
        self.classes_ = classes
        return (y == classes[1]).astype(np.float64)

    def _check_task_data(self, data):
        positive = data.task_sums(data.weight * data.Y) > 0
        negative = data.task_sums(data.weight * (1 - data.Y)) > 0
        one_class = ~(positive & negative)
        if np.any(one_class):
            raise ValueError(
                f"Task(s) {_format_tasks(data.tasks[one_class])} have targets of "
                "only one class (among rows with positive sample weight); every "
                "task needs both classes."
            )

    def decision_function(self, X):
        """Linear scores ``x . w_t + b_t`` (log-odds of the positive class).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        """
        return self._linear_predict(X)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2) or (n_samples, n_tasks)
            For a 1-D ``y`` in fit, the probabilities of ``classes_``; for a
            multi-label ``y``, the probability of label 1 in each column.
        """
        p = expit(self.decision_function(X))
        if p.ndim == 2:
            return p
        return np.column_stack([1 - p, p])

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Labels from ``classes_``; 0/1 columns for a multi-label ``y``.
        """
        positive = (self.decision_function(X) > 0).astype(int)
        return positive if positive.ndim == 2 else self.classes_[positive]

    def score(self, X, y, sample_weight=None):
        """Accuracy, leaving missing labels out.

        Without missing labels this is scikit-learn's ``accuracy_score``
        (subset accuracy for a multi-label ``y``). With ``NaN`` in a
        multi-label ``y`` a row counts as correct when all its observed labels
        are; rows without any observed label are left out.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels, ``NaN`` where missing (multi-label).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy.
        """
        return _classification_score(self, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags


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
