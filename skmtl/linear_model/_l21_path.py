"""Regularization paths and cross-validation for the L2,1 models."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval
from sklearn.utils.parallel import Parallel, delayed

from .._task_data import get_task_ids
from ..model_selection import TaskStratifiedKFold
from ..penalties import L21
from ..solvers import refit_intercept, solve_path
from ._base import _MultiTaskClassifierMixin, _MultiTaskRegressorMixin
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, fill_doc
from ._l21 import L21Classifier, L21Regressor, _L21Model


def _template(loss, task_column, fit_intercept):
    if loss not in ("squared", "logistic"):
        raise ValueError(f"loss must be 'squared' or 'logistic'; got {loss!r}.")
    model = L21Regressor if loss == "squared" else L21Classifier
    return model(task_column=task_column, fit_intercept=fit_intercept)


def _alpha_max(data, datafit, fit_intercept):
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    if fit_intercept:
        b = refit_intercept(data, datafit, W, b)
    GW, _ = data.adjoint(datafit.gradient(data, data.linear(W, b)))
    return L21(0.0).dual_norm(GW)


def l21_alpha_max(
    X, y, *, loss="squared", task_column=None, fit_intercept=True, sample_weight=None
):
    r"""Smallest ``alpha`` for which the L2,1 models have all coefficients zero.

    With :math:`G = \nabla_W F` the gradient of the loss at :math:`W = 0`
    (and the best intercepts), :math:`\alpha_{\max} = \max_j \|G_{:, j}\|_2`:
    for :math:`\alpha \ge \alpha_{\max}` zero is optimal, and below it the
    feature attaining the maximum enters the model. The ``l2`` term does not
    change it.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_columns)
        Features (with the task column when ``task_column`` is set).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, in the layout of the estimators.
    loss : {"squared", "logistic"}, default="squared"
        That of ``L21Regressor`` or of ``L21Classifier``.
    task_column : int, str or None, default=None
        As in the estimators.
    fit_intercept : bool, default=True
        As in the estimators.
    sample_weight : array-like of shape (n_samples,), default=None
        As in the estimators' ``fit``.

    Returns
    -------
    alpha_max : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import L21Regressor, l21_alpha_max
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 5)), rng.normal(size=(50, 3))
    >>> alpha_max = l21_alpha_max(X, Y)
    >>> bool(np.all(L21Regressor(alpha=alpha_max).fit(X, Y).coef_ == 0))
    True
    >>> bool(np.any(L21Regressor(alpha=0.99 * alpha_max).fit(X, Y).coef_ != 0))
    True
    """
    model = _template(loss, task_column, fit_intercept)
    data, datafit = model._prepare_fit(X, y, sample_weight)
    return _alpha_max(data, datafit, fit_intercept)


def _alpha_grid(alpha_max, n_alphas, eps):
    if alpha_max <= 0:
        return np.full(n_alphas, np.finfo(float).eps)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


def l21_path(
    X,
    y,
    *,
    loss="squared",
    alphas=None,
    n_alphas=100,
    eps=1e-3,
    l2=0.0,
    task_column=None,
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=10_000,
):
    """Solutions of the L2,1 model along a decreasing sequence of ``alpha``.

    Each solution starts from the previous one (warm start) and the data
    statistics are built once, so a path of many alphas costs a few cold
    fits. Each fit stops at a duality gap of ``tol`` times its objective.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_columns)
        Features (with the task column when ``task_column`` is set).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, in the layout of the estimators.
    loss : {"squared", "logistic"}, default="squared"
        That of ``L21Regressor`` or of ``L21Classifier``.
    alphas : array-like, default=None
        The alphas, sorted in decreasing order here. None: ``n_alphas`` values
        spaced evenly on a log scale from ``l21_alpha_max`` down to
        ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of alphas when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    l2 : float, default=0.0
        Ridge strength, as in the estimators.
    task_column, fit_intercept, tol, max_iter : see :class:`L21Regressor`
        As in the estimators.
    sample_weight : array-like of shape (n_samples,), default=None
        As in the estimators' ``fit``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    coefs : ndarray of shape (n_tasks, n_features, n_alphas)
        ``coef_`` for each alpha.
    intercepts : ndarray of shape (n_tasks, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import l21_path
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(40, 6)), rng.normal(size=(40, 2))
    >>> alphas, coefs, intercepts, gaps = l21_path(X, Y, n_alphas=5)
    >>> coefs.shape
    (2, 6, 5)
    >>> bool(np.all(coefs[:, :, 0] == 0))  # alpha_max
    True
    """
    model = _template(loss, task_column, fit_intercept)
    data, datafit = model._prepare_fit(X, y, sample_weight)
    if alphas is None:
        alphas = _alpha_grid(_alpha_max(data, datafit, fit_intercept), n_alphas, eps)
    alphas = np.sort(np.asarray(alphas, dtype=float))[::-1]
    if alphas.size == 0 or np.any(alphas < 0):
        raise ValueError("alphas must be a non-empty array of non-negative values.")
    results = list(
        solve_path(
            data,
            datafit,
            [L21(alpha, l2) for alpha in alphas],
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
    )
    coefs = np.stack([r[0] for r in results], axis=-1)
    intercepts = np.stack([r[1] for r in results], axis=-1)
    return alphas, coefs, intercepts, np.array([r[3] for r in results])


def _take_rows(X, rows):
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    return np.asarray(X)[rows] if not hasattr(X, "tocsr") else X[rows]


class _L21CV(_L21Model):
    """Shared fit of the cross-validated L2,1 estimators."""

    _parameter_constraints = {
        **{
            k: v
            for k, v in _L21Model._parameter_constraints.items()
            if k not in ("alpha", "solver", "warm_start")
        },
        "alphas": ["array-like", None],
        "n_alphas": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
    }

    def _single_model(self, alpha):
        model = self._single_class(
            alpha,
            l2=self.l2,
            fit_intercept=self.fit_intercept,
            task_column=self.task_column,
            unknown_task=self.unknown_task,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        return model

    def _splitter(self, X, y):
        if self.task_column is None:
            # Stratify a 1-D class target; a 2-D target (multi-label, maybe
            # with NaN for missing labels) gets plain KFold.
            y = np.asarray(y)
            stratify = self._is_classifier and y.ndim == 1
            return check_cv(self.cv, y, classifier=stratify)
        if self.cv is None or isinstance(self.cv, Integral):
            return TaskStratifiedKFold(
                5 if self.cv is None else self.cv,
                task_column=self.task_column,
                stratify_target=self._is_classifier,
                shuffle=True,
                random_state=0,
            )
        return check_cv(self.cv)

    def _fit(self, X, y, sample_weight):
        """Choose ``alpha`` by cross-validation, then fit on all the data."""
        self._validate_params()
        data, datafit = self._prepare_fit(X, y, sample_weight)
        if self.alphas is None:
            alpha_max = _alpha_max(data, datafit, self.fit_intercept)
            alphas = _alpha_grid(alpha_max, self.n_alphas, self.eps)
        else:
            alphas = np.sort(np.asarray(self.alphas, dtype=float))[::-1]
        folds = list(self._splitter(X, y).split(X, y))
        sw = None if sample_weight is None else np.asarray(sample_weight)
        losses = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fold_losses)(X, y, sw, train, test, alphas)
            for train, test in folds
        )
        self.alphas_ = alphas
        path = np.column_stack(losses)  # (n_alphas, n_folds)
        setattr(self, self._path_name, path)
        # A fold whose test rows all belong to tasks missing from its
        # training rows scores nothing (NaN, see _scorable).
        if np.isnan(path).all():
            raise ValueError(
                "No fold of the cross-validation has a test row of a task "
                "that is in its training rows; use more rows per task or "
                "unknown_task='shared'."
            )
        self.alpha_ = float(alphas[np.argmin(np.nanmean(path, axis=1))])
        best = self._single_model(self.alpha_).fit(X, y, sample_weight)
        for name in (
            "coef_",
            "intercept_",
            "tasks_",
            "coef_feature_names_",
            "n_iter_",
            "dual_gap_",
        ):
            setattr(self, name, getattr(best, name))
        if hasattr(best, "classes_"):
            self.classes_ = best.classes_
        self._single_target = best._single_target
        return self

    def _fold_losses(self, X, y, sample_weight, train, test, alphas):
        """Validation loss of every alpha of a path fitted on the training rows."""
        model = clone(self._single_model(alphas[0]))
        X_train, y_train = _take_rows(X, train), _take_rows(y, train)
        sw_train = None if sample_weight is None else sample_weight[train]
        data, datafit = model._prepare_fit(X_train, y_train, sw_train)
        penalties = [L21(alpha, self.l2) for alpha in alphas]
        test = self._scorable(X, test, data.tasks)
        if len(test) == 0:
            return np.full(len(alphas), np.nan)
        X_test = _take_rows(X, test)
        y_test = self._encode_validation_y(model, np.asarray(_take_rows(y, test)))
        sw_test = None if sample_weight is None else sample_weight[test]
        losses = []
        for W, b, *_ in solve_path(
            data,
            datafit,
            penalties,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        ):
            model.coef_, model.intercept_, model.tasks_ = W, b, data.tasks
            scores = model._linear_predict(X_test)
            losses.append(self._validation_loss(y_test, scores, sw_test))
        return np.array(losses)

    def _scorable(self, X, test, tasks):
        """The test rows a fold's model can predict.

        A task whose rows are all in the test fold (a task of one row) has no
        weights in that fold's model: with ``unknown_task="error"`` its rows
        are left out of the fold's loss (the splitter warns about such tasks).
        """
        if self.task_column is None or self.unknown_task == "shared":
            return test
        test = np.asarray(test)
        ids = get_task_ids(_take_rows(X, test), self.task_column)
        return test[np.isin(ids, tasks)]

    @staticmethod
    def _observed_mean(values, y, sample_weight):
        observed = ~np.isnan(y)
        weight = np.ones(len(y)) if sample_weight is None else sample_weight
        weight = np.broadcast_to(weight.reshape(-1, *[1] * (y.ndim - 1)), y.shape)
        return float(
            np.sum(np.where(observed, values, 0) * weight) / weight[observed].sum()
        )


class L21RegressorCV(_MultiTaskRegressorMixin, _L21CV):
    r"""L2,1 multi-task regression with ``alpha`` chosen by cross-validation.

    Fits a warm-started path (:func:`l21_path`) on the training rows of each
    fold, scores every ``alpha`` by the mean squared error on the held-out
    observed targets, picks the ``alpha`` with the lowest mean over folds and
    refits :class:`L21Regressor` with it on all rows.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    alphas : array-like, default=None
        Candidate alphas. None: ``n_alphas`` values from ``l21_alpha_max``
        down to ``eps * alpha_max`` on a log scale.
    n_alphas : int, default=100
        Number of alphas when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    l2 : float, default=0.0
        Ridge strength, fixed.
    cv : int, cross-validation generator or iterable, default=None
        Folds. None or an int: ``KFold`` for the shared design, and for the
        task-indexed layout a shuffled
        :class:`~skmtl.model_selection.TaskStratifiedKFold` (5 folds by
        default) so that every task is in every training fold.
    fit_intercept, task_column, unknown_task, tol, max_iter : see :class:`L21Regressor`
        As in the single-alpha estimator.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The alphas tried, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation mean squared error of each alpha in each fold, over the
        test rows whose task has rows in the fold's training set (NaN
        for a fold without such rows; ``alpha_`` takes the mean over
        the other folds).
    {attributes}

    Examples
    --------
    >>> from skmtl import L21RegressorCV
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=40, n_features=10, n_informative=3, random_state=0
    ... )
    >>> model = L21RegressorCV(n_alphas=20, task_column=0).fit(X, y)
    >>> model.mse_path_.shape
    (20, 5)
    """

    _single_class = L21Regressor
    _path_name = "mse_path_"
    _is_classifier = False

    def __init__(
        self,
        *,
        alphas=None,
        n_alphas=100,
        eps=1e-3,
        l2=0.0,
        cv=None,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        tol=1e-6,
        max_iter=10_000,
        n_jobs=None,
    ):
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.l2 = l2
        self.cv = cv
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def _validation_loss(self, y, pred, sample_weight):
        return self._observed_mean((y - pred) ** 2, y, sample_weight)

    @staticmethod
    def _encode_validation_y(model, y):
        return model._encode_y(y)


class L21ClassifierCV(_MultiTaskClassifierMixin, _L21CV):
    r"""L2,1 multi-task logistic regression with ``alpha`` chosen by cross-validation.

    Fits a warm-started path (:func:`l21_path`) on the training rows of each
    fold, scores every ``alpha`` by the mean log-loss on the held-out
    observed labels, picks the ``alpha`` with the lowest mean over folds and
    refits :class:`L21Classifier` with it on all rows.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    Parameters
    ----------
    alphas : array-like, default=None
        Candidate alphas. None: ``n_alphas`` values from ``l21_alpha_max``
        down to ``eps * alpha_max`` on a log scale.
    n_alphas : int, default=30
        Number of alphas when ``alphas`` is None.
    eps : float, default=1e-2
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    l2 : float, default=0.0
        Ridge strength, fixed.
    cv : int, cross-validation generator or iterable, default=None
        Folds. None or an int: ``StratifiedKFold`` for a 1-D ``y`` on the shared
        design (``KFold`` for a multi-label ``y``), and for the task-indexed
        layout a shuffled :class:`~skmtl.model_selection.TaskStratifiedKFold`
        stratified on task and class (5 folds by default).
    fit_intercept, task_column, unknown_task, tol, max_iter : see :class:`L21Classifier`
        As in the single-alpha estimator.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The alphas tried, decreasing.
    log_loss_path_ : ndarray of shape (n_alphas, n_folds)
        Validation mean log-loss of each alpha in each fold, over the
        test rows whose task has rows in the fold's training set (NaN
        for a fold without such rows; ``alpha_`` takes the mean over
        the other folds).
    {attributes}

    Examples
    --------
    >>> from skmtl import L21ClassifierCV
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_tasks=3, n_samples=60, n_features=8, n_informative=2, random_state=0
    ... )
    >>> clf = L21ClassifierCV(n_alphas=10, cv=3, task_column=0).fit(X, y)
    >>> clf.log_loss_path_.shape
    (10, 3)
    """

    _single_class = L21Classifier
    _path_name = "log_loss_path_"
    _is_classifier = True

    # Fewer alphas and a shorter grid than the regressor: nearly unpenalised
    # logistic fits are the slow end of a path and seldom chosen (compare
    # LogisticRegressionCV's 10 values of C).
    def __init__(
        self,
        *,
        alphas=None,
        n_alphas=30,
        eps=1e-2,
        l2=0.0,
        cv=None,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        tol=1e-6,
        max_iter=10_000,
        n_jobs=None,
    ):
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.l2 = l2
        self.cv = cv
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    @staticmethod
    def _encode_validation_y(model, y):
        """0/1 (NaN: missing) with the classes learned on the training rows."""
        if y.ndim == 2:
            return y.astype(float)
        return (y == model.classes_[1]).astype(float)

    def _validation_loss(self, y, scores, sample_weight):
        y01 = np.nan_to_num(y)
        signed = np.where(y01 > 0, scores, -scores)
        return self._observed_mean(np.logaddexp(0.0, -signed), y, sample_weight)


fill_doc(L21RegressorCV, attributes=FITTED_ATTRIBUTES)
fill_doc(L21ClassifierCV, attributes=CLASSES_ATTRIBUTE + FITTED_ATTRIBUTES)
