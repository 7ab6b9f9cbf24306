"""Cross-validation along a warm-started path, for every family.

A ``*CV`` estimator is its single-strength estimator with
:class:`_CrossValidated` in front: the family's main strength (``alpha``,
or ``alpha_group``) becomes a grid, fitted as one warm-started path per
fold, and any other grid (``couplings`` of the mean-regularized models) is
searched around it. The best values are refitted on all rows.
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed

from .._docstring import fill
from .._estimator import _encode_regression_y, _is_classifier
from .._task_data import get_task_ids
from ..model_selection import TaskStratifiedKFold
from ..solvers import solve_path
from ._base import (
    COMMON_PARAMETERS,
    REQUIRED,
    MultiTaskLinearModel,
    Parameter,
)
from ._docs import CV_EXAMPLE
from ._feature_learning import FeatureLearningClassifier, FeatureLearningRegressor
from ._fused import FusedSparseGroupClassifier, FusedSparseGroupRegressor
from ._graph import (
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
)
from ._l21 import L21Classifier, L21Regressor
from ._lasso import LassoClassifier, LassoRegressor
from ._mean_regularized import MeanRegularizedClassifier, MeanRegularizedRegressor
from ._path import path_alphas
from ._sparse_group import SparseGroupClassifier, SparseGroupRegressor
from ._trace_norm import TraceNormClassifier, TraceNormRegressor

_FOLDS_DOC = """Folds. None or an int: for the task-indexed layout a shuffled
:class:`~skmtl.model_selection.TaskStratifiedKFold` (5 folds by default;
stratified on task and class for a classifier) so that every task is in
every training fold; for the shared design ``KFold``
(``StratifiedKFold`` for a classifier's 1-D ``y``)."""

_SCORING_DOC = """None: the validation loss of the datafit (mean squared error, or
mean log-loss, over the held-out observed targets), the lowest chosen.
Otherwise a scikit-learn scorer (a name such as ``"r2"`` or
``"roc_auc"``, or a callable ``scorer(estimator, X, y)``), the highest
chosen, as ``GridSearchCV(scoring=...)`` does; sample weights then only
weight the fits."""

# A CV estimator's alpha_shared: fixed, or a list searched as ElasticNetCV
# searches a list of l1_ratio.
_SEARCHABLE_ALPHA_SHARED = Parameter(
    "alpha_shared",
    0.0,
    [Interval(Real, 0, None, closed="both"), "array-like"],
    "float or array-like",
    r"""Ridge strength :math:`\alpha_0` of the term
    :math:`\frac{\alpha_0}{2} \|w_0\|_2^2` on the common weights, >= 0
    (0: unpenalised; ``inf``: no common weights, the model without a shared
    component). Used with ``shared_component=True`` only. A list of values:
    searched with the path, each value's path on every fold (see
    ``alpha_shared_``). A list that holds ``inf`` lets the cross-validation
    choose between shrinking the tasks toward common weights and toward
    zero, so that the shared component cannot validate worse than the model
    without it.""",
)

_ALPHA_SHARED_ATTRIBUTE = """alpha_shared_ : float
    With ``shared_component=True``: the chosen ``alpha_shared`` (the given
    value when it is a float).

"""

_CV_TEMPLATE = r"""{single} with ``{path}`` chosen by cross-validation.

Fits a warm-started path of ``{path}`` (decreasing, each fit starting from
the previous solution) on the training rows of each fold{grids}, scores
every value by the {loss} on the held-out observed targets, picks the
values with the lowest mean over folds and refits :class:`{single}` with
them on all rows. Same choice as ``GridSearchCV`` over the same grid and
folds with that loss as the score, at the cost of one path per fold. A
choice on an edge of a grid that is not a limit (the smallest ``{path}``,
say) gives a ``UserWarning``.

{objective}"""


class _CrossValidated:
    """Chooses the family's main strength (and other grids) by cross-validation.

    Put it before the single-strength estimator: ``class L21RegressorCV(
    _CrossValidated, L21Regressor)``. The family declares its path parameter
    (``_path``) and the norm that gives the top of the grid (``_zero_norm``,
    see :func:`~skmtl.linear_model._path.path_alphas`); the CV class adds
    the other grids, if any (``_grids``: parameter name, grid parameter
    name, default grid, doc).
    """

    _statistics_fit = False  # folds need the rows
    _grids = ()
    _example_args = ""

    def __init_subclass__(cls, **kwargs):
        path = "log_loss_path_" if cls._loss.name == "logistic" else "mse_path_"
        loss = "mean log-loss" if cls._loss.name == "logistic" else "mean squared error"
        grids = "".join(
            f"{name}_ : float\n    The chosen ``{name}``.\n\n"
            for name, *_ in cls._grids
        )
        shape, first = "(n_alphas, n_folds)", ""
        if cls._grids:
            shape = "(n_grid, n_alphas, n_folds)"
            first = "\n    (first axis: the points of the other grids)"
        if cls._single_class()._shares:
            grids += _ALPHA_SHARED_ATTRIBUTE
            first = (
                "\n    (with a list of ``alpha_shared``, of shape\n"
                "    (n_alpha_shared, n_alphas, n_folds))"
            )
        cls._attributes = f"""alpha_ : float
    The chosen ``{cls._path}``.

{grids}alphas_ : ndarray of shape (n_alphas,)
    The values of ``{cls._path}`` tried, decreasing.

{path} : ndarray of shape {shape}
    Validation {loss} of each value in each fold{first}, over the
    test rows whose task has rows in the fold's training set (NaN for a
    fold without such rows; the choice takes the mean over the other
    folds). With ``scoring`` set, ``score_path_`` instead: the scorer's
    values.

{inspect.cleandoc(cls._single_class()._attributes)}"""
        super().__init_subclass__(**kwargs)

    @classmethod
    def _single_class(cls):
        return next(c for c in cls.__mro__[1:] if not c.__name__.startswith("_"))

    @classmethod
    def _declared_parameters(cls):
        single = cls._single_class()._declared
        searched = {cls._path, *(name for name, *_ in cls._grids)}
        classifier = cls._loss.name == "logistic"
        # Fewer alphas and a shorter grid for the classifiers: nearly
        # unpenalised logistic fits are the slow end of a path and seldom
        # chosen (compare LogisticRegressionCV's 10 values of C).
        n_alphas, eps = (30, 1e-2) if classifier else (100, 1e-3)
        top = ""
        if cls._single_class()._shares:
            top = (
                "; with a list of ``alpha_shared``,\n"
                "                the largest over its values"
            )
        own = [
            Parameter(
                "alphas",
                None,
                ["array-like", None],
                "array-like",
                f"""Candidate values of ``{cls._path}``. None: ``n_alphas`` values
                on a log scale from the smallest value that makes all
                coefficients zero (for a smooth penalty, the largest column norm
                of the loss gradient at zero{top}) down to ``eps`` times it.""",
            ),
            Parameter(
                "n_alphas",
                n_alphas,
                [Interval(Integral, 1, None, closed="left")],
                "int",
                "Number of values when ``alphas`` is None.",
            ),
            Parameter(
                "eps",
                eps,
                [Interval(Real, 0, 1, closed="neither")],
                "float",
                "Ratio of the smallest to the largest value when ``alphas`` is None.",
            ),
            *(
                Parameter(grid, default, ["array-like"], "array-like", doc)
                for _, grid, default, doc in cls._grids
            ),
        ]
        common_names = {c.name for c in COMMON_PARAMETERS}
        fixed = [
            _SEARCHABLE_ALPHA_SHARED
            if p.name == "alpha_shared"
            else p._replace(positional=p.default is REQUIRED, doc=p.doc + " Fixed.")
            for p in single
            if p.name not in searched | common_names
        ]
        # A path has its own solver and starts: no solver, no warm_start.
        common = [
            p for p in single if p.name in common_names - {"solver", "warm_start"}
        ]
        return [
            *(p for p in fixed if p.positional),
            *own,
            *(p for p in fixed if not p.positional),
            Parameter(
                "cv",
                None,
                ["cv_object"],
                "int, cross-validation generator or iterable",
                _FOLDS_DOC,
            ),
            *common,
            Parameter(
                "scoring",
                None,
                [StrOptions(set(get_scorer_names())), callable, None],
                "str, callable or None",
                _SCORING_DOC,
            ),
            Parameter(
                "n_jobs",
                None,
                [Integral, None],
                "int",
                "Folds fitted in parallel (joblib).",
            ),
        ]

    @classmethod
    def _example(cls):
        classifier = cls._loss.name == "logistic"
        shape = (*(len(grid) for _, _, grid, _ in cls._grids), 5, 3)
        return fill(
            CV_EXAMPLE,
            name=cls.__name__,
            args=cls._example_args or "",
            make="make_multitask_classification"
            if classifier
            else "make_multitask_regression",
            path="log_loss_path_" if classifier else "mse_path_",
            shape=str(shape),
        )

    @classmethod
    def _doc_template(cls):
        single = cls._single_class()
        grids = "".join(f", for each value of ``{grid}``" for _, grid, *_ in cls._grids)
        loss = "mean log-loss" if cls._loss.name == "logistic" else "mean squared error"
        template = _CV_TEMPLATE.replace("{single}", single.__name__)
        template = template.replace("{path}", cls._path).replace("{grids}", grids)
        return template.replace("{loss}", loss), cls.__dict__.get("__doc__")

    # -- fit ----------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        searched = self._searched_grids()  # checks a list of alpha_shared
        data, datafit = self._prepare_fit(X, y, sample_weight)  # our messages first
        X, y = indexable(X, y)  # so that the folds can take rows of any array-like
        alphas = self._alphas(data, datafit)
        fixed = self._fold_parameters(data)
        grid = self._grid_points()
        folds = list(self._splitter(X, y).split(X, y))
        sw = None if sample_weight is None else np.asarray(sample_weight)
        values = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fold_path)(X, y, sw, train, test, alphas, grid, fixed)
            for train, test in folds
        )
        path = np.stack(values, axis=-1)  # (n_grid, n_alphas, n_folds)
        # A fold whose test rows all belong to tasks missing from its
        # training rows scores nothing (NaN, see _scorable).
        if np.isnan(path).all():
            raise ValueError(
                "No fold of the cross-validation has a test row of a task "
                "that is in its training rows; use more rows per task or "
                "unknown_task='shared'."
            )
        # The lowest loss, or the highest score of a scorer.
        mean = np.nanmean(path, axis=-1) * (1 if self.scoring is None else -1)
        point, k = np.unravel_index(np.argmin(mean), mean.shape)
        best = {**grid[point], self._path: float(alphas[k])}
        self._warn_on_edge(alphas, k, searched, grid[point])
        single = self._single_model(**best).fit(X, y, sample_weight)
        for name, value in vars(single).items():
            if (
                name.endswith("_") and not name.startswith("_")
            ) or name == "_single_target":
                setattr(self, name, value)
        self.alphas_ = alphas
        self.alpha_ = best[self._path]
        for name, *_ in self._grids:
            setattr(self, f"{name}_", best[name])
        vars(self).pop("alpha_shared_", None)  # from an earlier fit
        if self._shares and self.shared_component:
            self.alpha_shared_ = float(best.get("alpha_shared", self.alpha_shared))
        setattr(self, self._path_attribute(), path if searched else path[0])
        return self

    fit.__doc__ = MultiTaskLinearModel.fit.__doc__.replace(
        "Fit the model.",
        "Choose the strengths by cross-validation, then fit on all rows.",
    )

    def _warn_on_edge(self, alphas, k, searched, point):
        """Warn when a choice lies on an edge of its grid that is not a limit.

        The smallest value of the path: a smaller one might score better. The
        largest one only when it was given (``alphas``): the default grid
        starts where the penalised weights are zero, and larger values give
        the same model. The other grids' edges at 0 or infinity are limits
        (independent tasks, pooling; unpenalised or no common weights).
        """
        edges = []
        if len(alphas) > 1 and k == len(alphas) - 1:
            edges.append(f"{self._path}={alphas[k]:.3g}, the smallest of the grid")
        if len(alphas) > 1 and k == 0 and self.alphas is not None:
            edges.append(f"{self._path}={alphas[k]:.3g}, the largest of the grid")
        for name, values in searched:
            values = sorted(values)
            value = point[name]
            if len(values) > 1 and value in (values[0], values[-1]):
                if 0 < value < np.inf:
                    edges.append(f"{name}={value:.3g}, on the edge of {values}")
        if edges:
            warnings.warn(
                f"{type(self).__name__} chose {' and '.join(edges)}: a value "
                "beyond it might validate better. Widen the grid (eps, alphas "
                "or the other grids).",
                UserWarning,
                stacklevel=3,
            )

    def _grid_points(self):
        """The points of the searched grids, in the order of the path's first axis."""
        return list(ParameterGrid(dict(self._searched_grids())))

    def _searched_grids(self):
        """``(name, values)`` of the grids searched around the path: the
        class's (``couplings``), and ``alpha_shared`` when it is a list."""
        searched = [(name, list(getattr(self, g))) for name, g, *_ in self._grids]
        if not self._shares or np.ndim(self.alpha_shared) == 0:
            return searched
        values = np.asarray(self.alpha_shared, dtype=float)
        if values.ndim != 1 or values.size == 0 or not np.all(values >= 0):
            raise ValueError(
                "alpha_shared must be a float >= 0 or a non-empty list of them "
                f"(inf included), got {self.alpha_shared!r}."
            )
        if not self.shared_component:
            raise ValueError(
                f"alpha_shared={self.alpha_shared!r} is a list of values to search, "
                "but shared_component=False: there are no common weights. Set "
                "shared_component=True, or drop alpha_shared."
            )
        return [*searched, ("alpha_shared", [float(v) for v in values])]

    def _path_attribute(self):
        if self.scoring is not None:
            return "score_path_"
        return "log_loss_path_" if _is_classifier(self) else "mse_path_"

    def _alphas(self, data, datafit):
        return path_alphas(self, data, datafit, self.alphas, self.n_alphas, self.eps)

    def _chosen(self):
        """The fitted choice: the path parameter and the other grids' values."""
        chosen = {self._path: self.alpha_}
        for name, *_ in self._grids:
            chosen[name] = getattr(self, f"{name}_")
        if hasattr(self, "alpha_shared_"):
            chosen["alpha_shared"] = self.alpha_shared_
        return chosen

    def _refitted_model(self):
        """The single-strength estimator at the chosen values (after ``fit``),
        unfitted: what the penalty-related methods below ask."""
        return self._single_model(**self._chosen())

    def _penalty_for(self, data):
        return self._refitted_model()._penalty_for(data)

    def _model_penalty(self, data):
        return self._refitted_model()._model_penalty(data)

    def _has_common_weights(self):
        return self._refitted_model()._has_common_weights()

    def _single_model(self, **values):
        single = self._single_class()
        names = {p.name for p in single._declared}
        params = {k: v for k, v in self.get_params().items() if k in names}
        return single(**{**params, **values})

    def _splitter(self, X, y):
        classifier = _is_classifier(self)
        y = np.asarray(y)
        if self.task_column is None:
            # Stratify a 1-D class target; a 2-D target (multi-label, maybe
            # with NaN for missing labels) gets plain KFold.
            return check_cv(self.cv, y, classifier=classifier and y.ndim == 1)
        if self.cv is None or isinstance(self.cv, Integral):
            return TaskStratifiedKFold(
                5 if self.cv is None else self.cv,
                task_column=self.task_column,
                stratify_target=classifier,
                shuffle=True,
                random_state=0,
            )
        return check_cv(self.cv)

    def _fold_path(self, X, y, sample_weight, train, test, alphas, grid, fixed):
        """Validation loss (or score) of every (grid point, alpha) of a fold.

        ``fixed``: parameters of the fold's model that differ from the
        estimator's (see ``_fold_parameters``).
        """
        model = clone(self._single_model(**fixed, **{self._path: alphas[0]}))
        X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
        sw_train = None if sample_weight is None else sample_weight[train]
        data, datafit = model._prepare_fit(X_train, y_train, sw_train)
        test = self._scorable(X, test, data.tasks)
        if len(test) == 0:
            return np.full((len(grid), len(alphas)), np.nan)
        X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
        # Validated once for the whole path.
        test_features = model._validate_X(X_test, reset=False)
        y_encoded = self._encode_validation_y(model, np.asarray(y_test))
        sw_test = None if sample_weight is None else sample_weight[test]
        scorer = None if self.scoring is None else check_scoring(model, self.scoring)
        # One path through every grid point, so that the solver builds its
        # statistics once per fold (each grid point's path starts from the
        # previous point's last solution).
        penalties = [
            model.set_params(**point, **{self._path: alpha})._model_penalty(data)
            for point in grid
            for alpha in alphas
        ]
        path = solve_path(
            data,
            datafit,
            penalties,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        values = np.empty(len(penalties))
        for k, (W, b, *_) in enumerate(path):
            model.coef_, model.intercept_, model.tasks_ = W, b, data.tasks
            if scorer is not None:
                values[k] = scorer(model, X_test, y_test)
                continue
            scores = model._scores(*test_features)
            values[k] = self._validation_loss(y_encoded, scores, sw_test)
        return values.reshape(len(grid), len(alphas))

    def _scorable(self, X, test, tasks):
        """The test rows a fold's model can predict.

        A task whose rows are all in the test fold (a task of one row) has no
        weights in that fold's model: with ``unknown_task="error"`` its rows
        are left out of the fold's loss (the splitter warns about such tasks).
        """
        if self.task_column is None or self.unknown_task == "shared":
            return test
        test = np.asarray(test)
        ids = get_task_ids(_safe_indexing(X, test), self.task_column)
        return test[np.isin(ids, tasks)]

    def _encode_validation_y(self, model, y):
        """Targets as floats, NaN missing; labels as 0/1 with the fold's classes."""
        if not _is_classifier(self):
            return _encode_regression_y(y)
        if y.ndim == 2:
            return y.astype(float)
        return (y == model.classes_[1]).astype(float)

    def _validation_loss(self, y, scores, sample_weight):
        if _is_classifier(self):
            signed = np.where(np.nan_to_num(y) > 0, scores, -scores)
            values = np.logaddexp(0.0, -signed)
        else:
            values = (y - scores) ** 2
        observed = ~np.isnan(y)
        weight = np.ones(len(y)) if sample_weight is None else sample_weight
        weight = np.broadcast_to(weight.reshape(-1, *[1] * (y.ndim - 1)), y.shape)
        return float(
            np.sum(np.where(observed, values, 0) * weight) / weight[observed].sum()
        )


# -- the estimators ----------------------------------------------------------------


class L21RegressorCV(_CrossValidated, L21Regressor):
    """
    See Also
    --------
    l21_path : The path on all rows.
    """


class L21ClassifierCV(_CrossValidated, L21Classifier):
    pass


class LassoRegressorCV(_CrossValidated, LassoRegressor):
    pass


class LassoClassifierCV(_CrossValidated, LassoClassifier):
    pass


class TraceNormRegressorCV(_CrossValidated, TraceNormRegressor):
    pass


class TraceNormClassifierCV(_CrossValidated, TraceNormClassifier):
    pass


class SparseGroupRegressorCV(_CrossValidated, SparseGroupRegressor):
    """With ``alpha_sparse`` fixed, the largest ``alpha_group`` of the grid is
    the L2,1 model's (the L1 term only makes zero optimal sooner).
    """

    _example_args = "alpha_sparse=0.001, "


class SparseGroupClassifierCV(_CrossValidated, SparseGroupClassifier):
    _example_args = "alpha_sparse=0.001, "


class FusedSparseGroupRegressorCV(_CrossValidated, FusedSparseGroupRegressor):
    """With ``alpha_sparse`` and ``alpha_fused`` fixed, the largest
    ``alpha_group`` of the grid is the L2,1 model's (the other terms only make
    zero optimal sooner).
    """

    _example_args = "alpha_sparse=0.001, alpha_fused=0.01, "


class FusedSparseGroupClassifierCV(_CrossValidated, FusedSparseGroupClassifier):
    _example_args = "alpha_sparse=0.001, alpha_fused=0.01, "


class TemporalGroupRegressorCV(_CrossValidated, TemporalGroupRegressor):
    _example_args = "alpha_temporal=0.01, "


class TemporalGroupClassifierCV(_CrossValidated, TemporalGroupClassifier):
    _example_args = "alpha_temporal=0.01, "


class FeatureLearningRegressorCV(_CrossValidated, FeatureLearningRegressor):
    pass


class FeatureLearningClassifierCV(_CrossValidated, FeatureLearningClassifier):
    pass


_COUPLINGS = (
    "coupling",
    "couplings",
    (0.0, 1.0, 10.0, 100.0, float("inf")),
    """Candidate values of ``coupling``; a path over ``alpha`` is fitted for
    each. The default spans independent models (0) to pooling (inf).""",
)


class MeanRegularizedRegressorCV(_CrossValidated, MeanRegularizedRegressor):
    _grids = (_COUPLINGS,)


class MeanRegularizedClassifierCV(_CrossValidated, MeanRegularizedClassifier):
    _grids = (_COUPLINGS,)


class GraphRegularizedRegressorCV(_CrossValidated, GraphRegularizedRegressor):
    """
    Examples
    --------
    {chain_problem}
    >>> from skmtl import GraphRegularizedRegressorCV
    >>> model = GraphRegularizedRegressorCV(chain, n_alphas=10, cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (10, 3)
    """


class GraphRegularizedClassifierCV(_CrossValidated, GraphRegularizedClassifier):
    """
    Examples
    --------
    {chain_labels}
    >>> from skmtl import GraphRegularizedClassifierCV
    >>> GraphRegularizedClassifierCV(chain, n_alphas=5, cv=3).fit(X, Y).alpha_ > 0
    True
    """
