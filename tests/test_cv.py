"""The ``*CV`` estimators: the choice of GridSearchCV, at the cost of one path."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skmtl import (
    FeatureLearningClassifierCV,
    FeatureLearningRegressorCV,
    FusedSparseGroupClassifierCV,
    FusedSparseGroupRegressorCV,
    GraphRegularizedClassifierCV,
    GraphRegularizedRegressorCV,
    L21ClassifierCV,
    L21Regressor,
    L21RegressorCV,
    LassoClassifierCV,
    LassoRegressor,
    LassoRegressorCV,
    MeanRegularizedClassifierCV,
    MeanRegularizedRegressor,
    MeanRegularizedRegressorCV,
    MultiTaskLinearModel,
    SparseGroupClassifier,
    SparseGroupClassifierCV,
    SparseGroupRegressorCV,
    TemporalGroupClassifierCV,
    TemporalGroupRegressorCV,
    TraceNormClassifier,
    TraceNormClassifierCV,
    TraceNormRegressorCV,
    l21_path,
    regularization_path,
)
from skmtl.datasets import make_multitask_classification, make_multitask_regression
from skmtl.model_selection import TaskStratifiedKFold

CHAIN = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])

CV_ESTIMATORS = [
    L21RegressorCV(),
    LassoRegressorCV(),
    TraceNormRegressorCV(),
    SparseGroupRegressorCV(alpha_sparse=0.01),
    FeatureLearningRegressorCV(),
    MeanRegularizedRegressorCV(couplings=[0.0, 10.0, np.inf]),
    GraphRegularizedRegressorCV(CHAIN),
    GraphRegularizedRegressorCV("knn", n_neighbors=2),
    L21RegressorCV(shared_component=True),
    LassoRegressorCV(shared_component=True, alpha_shared=0.1),
    L21ClassifierCV(),
    LassoClassifierCV(),
    TraceNormClassifierCV(),
    SparseGroupClassifierCV(alpha_sparse=0.001),
    FeatureLearningClassifierCV(),
    MeanRegularizedClassifierCV(couplings=[0.0, 10.0]),
    GraphRegularizedClassifierCV(CHAIN),
    GraphRegularizedClassifierCV("knn", n_neighbors=2, l2=1e-3),
    TraceNormClassifierCV(shared_component=True),
    L21RegressorCV(shared_component=True, alpha_shared=[0.0, 1.0, np.inf]),
    TemporalGroupRegressorCV(alpha_temporal=0.1),
    FusedSparseGroupRegressorCV(alpha_sparse=0.01, alpha_fused=0.05),
    FeatureLearningClassifierCV(shared_component=True, alpha_shared=[np.inf, 0.01]),
    TemporalGroupClassifierCV(alpha_l2=1e-3, alpha_temporal=0.01),
    FusedSparseGroupClassifierCV(
        alpha_sparse=1e-3,
        alpha_fused=0.005,
        shared_component=True,
        alpha_shared=[0.01, np.inf],
    ),
]


def _problem(classifier):
    make = make_multitask_classification if classifier else make_multitask_regression
    return make(n_tasks=4, n_samples=30, n_features=5, relatedness=0.8, random_state=0)


@pytest.mark.parametrize("estimator", CV_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_same_choice_as_grid_search_and_refit_is_a_plain_fit(estimator):
    classifier = "Classifier" in type(estimator).__name__
    X, y = _problem(classifier)
    folds = list(
        TaskStratifiedKFold(
            3, task_column=0, stratify_target=classifier, shuffle=True, random_state=0
        ).split(X, y)
    )
    model = clone(estimator).set_params(
        task_column=0, n_alphas=6, eps=1e-2, cv=folds, tol=1e-10
    )
    model.fit(X, y)
    single = model._single_model(**{model._path: model.alpha_})
    grid = {model._path: list(model.alphas_)}
    for name, values in model._searched_grids():
        grid[name] = values
    search = GridSearchCV(
        single,
        grid,
        cv=folds,
        scoring="neg_log_loss" if classifier else "neg_mean_squared_error",
        refit=False,
    ).fit(X, y)
    chosen = {model._path: model.alpha_}
    for name, _ in model._searched_grids():
        chosen[name] = getattr(model, f"{name}_")
    assert chosen == search.best_params_
    path = model.log_loss_path_ if classifier else model.mse_path_
    scores = -search.cv_results_["mean_test_score"]
    # A gap of 1e-10 of the objective pins the weights, hence the validation
    # losses, to about its square root where the penalty is flat (a graph
    # leaves the mean weights of a component free).
    assert np.nanmean(path, axis=-1).min() == pytest.approx(scores.min(), rel=1e-5)
    plain = clone(single).set_params(**chosen).fit(X, y)
    np.testing.assert_allclose(model.coef_, plain.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, plain.intercept_, rtol=1e-6)
    assert model.predict(X[:5]).shape == plain.predict(X[:5]).shape


@pytest.mark.parametrize("classifier", [False, True], ids=["regressor", "classifier"])
def test_alpha_shared_searched_with_inf_holds_the_zero_centred_path(classifier):
    # inf removes the common weights: that slice of the path is the path of
    # the model without a shared component, fold for fold, so the shared
    # component cannot validate worse than it.
    X, y = _problem(classifier)
    cv_class = FeatureLearningClassifierCV if classifier else L21RegressorCV
    params = {"task_column": 0, "n_alphas": 5, "cv": 3, "tol": 1e-10}
    values = [0.1, np.inf, 0.0] if not classifier else [0.1, np.inf, 1e-3]
    shared = cv_class(shared_component=True, alpha_shared=values, **params).fit(X, y)
    centred = cv_class(**params).fit(X, y)
    path = shared.log_loss_path_ if classifier else shared.mse_path_
    centred_path = centred.log_loss_path_ if classifier else centred.mse_path_
    assert path.shape == (3, 5, 3)
    np.testing.assert_allclose(shared.alphas_, centred.alphas_)  # inf's top is the max
    np.testing.assert_allclose(path[1], centred_path, rtol=1e-6)
    best = np.nanmean(path, axis=-1).min()
    assert best <= np.nanmean(centred_path, axis=-1).min()
    k = np.unravel_index(np.argmin(np.nanmean(path, axis=-1)), path.shape[:2])
    assert shared.alpha_shared_ == values[k[0]]
    if shared.alpha_shared_ == np.inf:
        assert np.all(shared.shared_coef_ == 0)
        np.testing.assert_array_equal(shared.specific_coef_, shared.coef_)


def test_a_float_alpha_shared_is_fixed_and_reported():
    X, y = _problem(False)
    model = L21RegressorCV(
        shared_component=True, alpha_shared=0.5, task_column=0, n_alphas=4, cv=3
    ).fit(X, y)
    assert model.alpha_shared_ == 0.5
    assert model.mse_path_.shape == (4, 3)
    assert not hasattr(L21RegressorCV(task_column=0, cv=3).fit(X, y), "alpha_shared_")
    assert not hasattr(
        model.set_params(shared_component=False).fit(X, y), "alpha_shared_"
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"alpha_shared": [0.1, 1.0]}, "shared_component=False"),
        ({"shared_component": True, "alpha_shared": [0.1, -1.0]}, "non-empty list"),
        ({"shared_component": True, "alpha_shared": []}, "non-empty list"),
        ({"shared_component": True, "alpha_shared": [[0.1]]}, "non-empty list"),
    ],
)
def test_bad_alpha_shared_lists_are_refused(params, message):
    X, y = _problem(False)
    with pytest.raises(ValueError, match=message):
        LassoRegressorCV(task_column=0, **params).fit(X, y)


def test_cv_parameters_are_those_of_the_single_estimator_but_the_searched_ones():
    names = set(MeanRegularizedRegressorCV().get_params())
    assert {"alphas", "n_alphas", "eps", "couplings", "cv", "n_jobs"} <= names
    assert not {"alpha", "coupling", "solver", "warm_start"} & names
    assert GraphRegularizedRegressorCV(CHAIN).graph is CHAIN


def test_bad_alphas_are_refused():
    X, y = _problem(False)
    with pytest.raises(ValueError, match="non-negative"):
        LassoRegressorCV(alphas=[0.1, -1.0], task_column=0).fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        LassoRegressor(tol=1e-10),
        MeanRegularizedRegressor(coupling=10.0),
        TraceNormClassifier(tol=1e-10),
        SparseGroupClassifier(alpha_sparse=0.001, tol=1e-10),
    ],
    ids=lambda e: type(e).__name__,
)
def test_regularization_path_is_a_sequence_of_plain_fits(estimator):
    """Each point of the path: the plain fit's objective (a cvxpy-free oracle:
    the cold fit, certified by its own duality gap), within both gaps."""
    classifier = "Classifier" in type(estimator).__name__
    X, y = _problem(classifier)
    model = clone(estimator).set_params(task_column=0)
    alphas, coefs, intercepts, gaps = regularization_path(model, X, y, n_alphas=5)
    assert alphas.shape == (5,) and np.all(np.diff(alphas) < 0)
    assert coefs.shape == (4, 5, 5) and intercepts.shape == (4, 5)
    for k, alpha in enumerate(alphas):
        plain = clone(model).set_params(**{model._path: alpha}).fit(X, y)
        data, datafit = plain._prepare_fit(X, y, None)
        penalty = plain._penalty_for(data)
        path_value = datafit.value(
            data, data.linear(coefs[..., k], intercepts[:, k])
        ) + penalty.value(coefs[..., k])
        plain_value = datafit.value(
            data, data.linear(plain.coef_, plain.intercept_)
        ) + penalty.value(plain.coef_)
        assert abs(path_value - plain_value) <= gaps[k] + plain.dual_gap_ + 1e-12
    if not isinstance(model, MeanRegularizedRegressor):
        # A norm: the first value is where the weights become zero.
        assert np.all(coefs[..., 0] == 0)
        assert np.any(coefs[..., 1] != 0)


def test_l21_path_is_the_regularization_path_of_l21():
    X, y = _problem(False)
    expected = regularization_path(L21Regressor(task_column=0), X, y, n_alphas=4)
    got = l21_path(X, y, task_column=0, n_alphas=4)
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_regularization_path_needs_a_named_estimator():
    X, y = _problem(False)
    with pytest.raises(TypeError, match="no path parameter"):
        regularization_path(MultiTaskLinearModel(penalty=None), X, y)


@pytest.mark.parametrize(
    "estimator, scoring",
    [
        (MeanRegularizedRegressorCV(couplings=[0.0, np.inf]), "r2"),
        (LassoRegressorCV(), "neg_mean_absolute_error"),
        (L21ClassifierCV(), "roc_auc"),
    ],
    ids=lambda e: e if isinstance(e, str) else type(e).__name__,
)
def test_a_scorer_chooses_as_grid_search_with_that_scorer(estimator, scoring):
    classifier = "Classifier" in type(estimator).__name__
    X, y = _problem(classifier)
    folds = list(
        TaskStratifiedKFold(
            3, task_column=0, stratify_target=classifier, shuffle=True, random_state=0
        ).split(X, y)
    )
    model = clone(estimator).set_params(
        task_column=0, n_alphas=6, eps=1e-2, cv=folds, tol=1e-10, scoring=scoring
    )
    model.fit(X, y)
    grid = {model._path: list(model.alphas_)}
    for name, values in model._searched_grids():
        grid[name] = values
    single = model._single_model(**{model._path: model.alpha_})
    search = GridSearchCV(single, grid, cv=folds, scoring=scoring, refit=False)
    search.fit(X, y)
    assert model._chosen() == search.best_params_
    assert np.nanmean(model.score_path_, axis=-1).max() == pytest.approx(
        search.best_score_, rel=1e-6
    )
    assert not hasattr(model, "mse_path_") and not hasattr(model, "log_loss_path_")


def test_regularization_path_leaves_the_estimator_alone():
    X, y = _problem(False)
    model = LassoRegressor(alpha=0.123, task_column=0)
    regularization_path(model, X, y, n_alphas=3)
    assert model.alpha == 0.123
    assert not hasattr(model, "n_features_in_")


def test_a_choice_on_the_edge_of_a_grid_warns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    exact = X @ np.array([[1.0, -2.0, 0.5, 1.0]] * 3).T  # noise-free: alpha -> 0
    with pytest.warns(UserWarning, match=r"alpha=.*the smallest of the grid"):
        L21RegressorCV(n_alphas=5, cv=3).fit(X, exact)
    noise = rng.normal(size=(60, 3))  # pure noise: the top of the grid wins
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # the top of alpha_max: a limit
        model = L21RegressorCV(n_alphas=5, cv=3).fit(X, noise)
    assert model.alpha_ == model.alphas_[0]
    with pytest.warns(UserWarning, match=r"the largest of the grid"):
        L21RegressorCV(alphas=[0.01, 0.001], cv=3).fit(X, noise)
    same = exact + 0.5 * noise[:, :1]  # identical tasks: pooling wins
    with pytest.warns(UserWarning, match=r"coupling=1.*on the edge of \[1.0, 10.0\]"):
        MeanRegularizedRegressorCV(couplings=[1.0, 10.0], n_alphas=3, cv=3).fit(X, same)
