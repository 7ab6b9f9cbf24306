"""L2,1 and squared-trace-norm models against their oracles."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskLasso
from sklearn.model_selection import GridSearchCV

from skmtl import (
    FeatureLearningClassifier,
    FeatureLearningRegressor,
    L21Classifier,
    L21ClassifierCV,
    L21Regressor,
    L21RegressorCV,
    l21_alpha_max,
    l21_path,
)
from skmtl._task_data import make_task_data
from skmtl.datafits import SquaredLoss
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import L21
from skmtl.solvers import objective

from ._oracles import (
    cvxpy_solve_l21,
    cvxpy_solve_squared_trace,
    l21_value,
    loss_value,
    solve_reference,
    squared_trace_value,
)
from .test_mean_regularized import make_problem


def row_sparse_problem(n=80, p=12, T=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 2.0
    W = rng.normal(size=(T, p)) * (np.arange(p) < 4)
    return X, X @ W.T + rng.normal(size=T) + rng.normal(size=(n, T))


# -- equality with scikit-learn's MultiTaskLasso --------------------------------


@pytest.mark.parametrize("solver", ["fista", "cd"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.01])
def test_equals_multitask_lasso(solver, fit_intercept, fraction):
    X, Y = row_sparse_problem(p=120)  # past WORKING_SET_MIN: working sets run
    alpha = fraction * l21_alpha_max(X, Y, fit_intercept=fit_intercept)
    ours = L21Regressor(
        alpha, fit_intercept=fit_intercept, solver=solver, tol=1e-11, max_iter=10**6
    ).fit(X, Y)
    sklearn = MultiTaskLasso(
        alpha, fit_intercept=fit_intercept, tol=1e-14, max_iter=100_000
    ).fit(X, Y)

    def objective(W, b):
        return np.sum((Y - X @ W.T - b) ** 2) / (2 * len(X)) + l21_value(W, alpha)

    reference = objective(sklearn.coef_, sklearn.intercept_)
    assert objective(ours.coef_, ours.intercept_) <= reference * (1 + 1e-10)
    scale = np.abs(sklearn.coef_).max()
    np.testing.assert_allclose(ours.coef_, sklearn.coef_, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(
        ours.intercept_, sklearn.intercept_, rtol=1e-6, atol=1e-8
    )


# -- the cvxpy oracle for every variant ------------------------------------------

VARIANTS = [
    ("shared", False, False),
    ("shared", True, False),  # NaN-masked y
    ("shared", True, True),  # and sample weights
    ("indexed", False, False),  # unequal task sizes, rows not grouped
    ("indexed", False, True),
]


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_l21_matches_cvxpy(loss, layout, missing, weights, l2):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha = 0.02 if loss == "logistic" else 0.1
    model_class = L21Regressor if loss == "squared" else L21Classifier
    model = model_class(alpha, l2=l2, tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_l21(obs, alpha, l2, loss)

    def objective(W, b):
        return loss_value(obs, W, b, loss) + l21_value(W, alpha, l2)

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-3)


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
def test_squared_trace_norm_matches_cvxpy(loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha = 0.02 if loss == "logistic" else 0.05
    model_class = (
        FeatureLearningRegressor if loss == "squared" else FeatureLearningClassifier
    )
    model = model_class(alpha, tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_squared_trace(obs, alpha, loss)

    def objective(W, b):
        return loss_value(obs, W, b, loss) + squared_trace_value(W, alpha)

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14


def test_solver_options_agree_with_a_ridge_term():
    X, Y = row_sparse_problem(p=80)
    reference = L21Regressor(0.2, l2=0.1, solver="cvxpy", tol=1e-9).fit(X, Y)
    for solver in ["fista", "cd"]:
        model = L21Regressor(0.2, l2=0.1, solver=solver, tol=1e-10).fit(X, Y)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-5)


def test_auto_solver_picks_coordinate_descent_only_where_it_applies():
    from skmtl._task_data import make_task_data
    from skmtl.datafits import SquaredLoss
    from skmtl.penalties import L21
    from skmtl.solvers._dispatch import auto_solver

    X, Y = row_sparse_problem(n=40, p=120)
    penalty = L21(0.1)
    assert auto_solver(make_task_data(X, Y), SquaredLoss(), penalty) == "cd"
    tall = make_task_data(np.tile(X, (20, 1)), np.tile(Y, (20, 1)))
    assert auto_solver(tall, SquaredLoss(), penalty) == "fista"
    Y_missing = Y.copy()
    Y_missing[0, 0] = np.nan
    assert auto_solver(make_task_data(X, Y_missing), SquaredLoss(), penalty) == "fista"
    weighted = make_task_data(X, Y, sample_weight=np.arange(1.0, 41.0))
    assert auto_solver(weighted, SquaredLoss(), penalty) == "fista"
    with pytest.raises(ValueError, match='solver="cd" needs the shared design'):
        L21Regressor(0.1, solver="cd").fit(X, Y_missing)


def test_no_intercept_matches_cvxpy():
    kwargs, (X, y, sw), obs = make_problem("logistic", "indexed", weights=True)
    model = L21Classifier(0.02, fit_intercept=False, tol=1e-10, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_l21(obs, 0.02, 0.0, "logistic", fit_intercept=False)
    ours = loss_value(obs, model.coef_, model.intercept_, "logistic")
    ours += l21_value(model.coef_, 0.02)
    reference = loss_value(obs, W_ref, b_ref, "logistic") + l21_value(W_ref, 0.02)
    assert abs(ours - reference) <= 1e-6 * reference


# -- feature learning: what the components are ---------------------------------


def test_components_reconstruct_the_learned_feature_covariance():
    X, Y = row_sparse_problem(p=6, T=8)
    model = FeatureLearningRegressor(alpha=0.01).fit(X, Y)
    W = model.coef_
    D = model.components_.T @ np.diag(model.component_weights_) @ model.components_
    # Argyriou et al.: the optimal D is (W'W)^(1/2) / trace, and it attains
    # ||W||_tr^2 = sum_t w_t' D^+ w_t.
    eigenvalues, vectors = np.linalg.eigh(W.T @ W)
    root = vectors @ np.diag(np.sqrt(np.maximum(eigenvalues, 0))) @ vectors.T
    np.testing.assert_allclose(D, root / np.trace(root), atol=1e-8)
    np.testing.assert_allclose(np.trace(D), 1.0)
    trace_norm = np.linalg.svd(W, compute_uv=False).sum()
    np.testing.assert_allclose(np.trace(W @ np.linalg.pinv(D) @ W.T), trace_norm**2)
    assert np.all(np.diff(model.component_weights_) <= 0)


def test_task_covariance_is_the_optimum_of_relationship_learning():
    """Zhang & Yeung's min over Omega (trace 1) of tr(W' Omega^-1 W), by cvxpy.

    The minimum is the squared trace norm, attained at task_covariance_.
    """
    cp = pytest.importorskip("cvxpy")
    from ._oracles import solve_reference

    X, Y = row_sparse_problem(p=6, T=4)
    model = FeatureLearningRegressor(alpha=0.01).fit(X, Y)
    W = model.coef_
    Omega = cp.Variable((4, 4), PSD=True)
    problem = cp.Problem(cp.Minimize(cp.matrix_frac(W, Omega)), [cp.trace(Omega) == 1])
    solve_reference(problem, loosest_gap=1e-9)
    trace_norm = np.linalg.svd(W, compute_uv=False).sum()
    np.testing.assert_allclose(problem.value, trace_norm**2, rtol=1e-6)
    np.testing.assert_allclose(model.task_covariance_, Omega.value, atol=1e-4)
    attained = np.trace(W.T @ np.linalg.pinv(model.task_covariance_) @ W)
    np.testing.assert_allclose(attained, trace_norm**2, rtol=1e-10)
    np.testing.assert_allclose(np.trace(model.task_covariance_), 1.0)
    np.testing.assert_allclose(model.task_covariance_, model.task_covariance_.T)
    # Constant targets: zero weights, and the tasks as unrelated.
    zero = FeatureLearningRegressor(alpha=0.01).fit(X, np.ones_like(Y))
    np.testing.assert_array_equal(zero.coef_, 0.0)
    np.testing.assert_array_equal(zero.task_covariance_, np.eye(4) / 4)


def test_large_alpha_shares_fewer_directions():
    X, Y = row_sparse_problem(p=6, T=8)
    ranks = [
        len(FeatureLearningRegressor(alpha=a).fit(X, Y).component_weights_)
        for a in (1e-4, 1e-1, 10.0)
    ]
    assert ranks[0] >= ranks[1] >= ranks[2]
    assert ranks[0] > ranks[2]


# -- alpha_max and paths -----------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_alpha_max_is_the_first_alpha_with_all_zero_coefficients(loss, layout):
    kwargs, (X, y, sw), _ = make_problem(loss, layout, missing=True, weights=True)
    model_class = L21Regressor if loss == "squared" else L21Classifier
    alpha_max = l21_alpha_max(X, y, loss=loss, sample_weight=sw, **kwargs)
    at_max = model_class(alpha_max, **kwargs).fit(X, y, sample_weight=sw)
    assert np.all(at_max.coef_ == 0)
    below = model_class(alpha_max * (1 - 1e-3), **kwargs).fit(X, y, sample_weight=sw)
    assert np.count_nonzero(np.any(below.coef_ != 0, axis=0)) >= 1


def test_path_warm_starts_give_the_cold_solutions():
    X, Y = row_sparse_problem()
    alphas, coefs, intercepts, gaps = l21_path(X, Y, n_alphas=8, eps=1e-2, tol=1e-10)
    assert np.all(np.diff(alphas) < 0)
    assert np.all(coefs[:, :, 0] == 0)
    for k in (2, 5, 7):
        cold = L21Regressor(alphas[k], tol=1e-10).fit(X, Y)
        np.testing.assert_allclose(coefs[:, :, k], cold.coef_, atol=1e-6)
        np.testing.assert_allclose(intercepts[:, k], cold.intercept_, atol=1e-6)
    assert np.all(gaps <= 1e-9)


def test_path_for_the_logistic_loss_on_task_indexed_data():
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    _alphas, coefs, _, _ = l21_path(X, y, loss="logistic", n_alphas=5, **kwargs)
    assert coefs.shape == (4, 5, 5)
    support = np.count_nonzero(np.any(coefs != 0, axis=0), axis=0)
    assert support[0] == 0 and support[-1] > 0
    assert np.all(np.diff(support) >= 0)


# -- cross-validation -----------------------------------------------------------


def test_regressor_cv_picks_the_alpha_with_the_lowest_mean_validation_error():
    X, Y = row_sparse_problem(n=120, p=30)
    model = L21RegressorCV(n_alphas=15, cv=4).fit(X, Y)
    assert model.mse_path_.shape == (15, 4)
    assert model.alpha_ == model.alphas_[np.argmin(model.mse_path_.mean(axis=1))]
    np.testing.assert_allclose(
        model.coef_, L21Regressor(model.alpha_).fit(X, Y).coef_, atol=1e-6
    )
    # the truth uses 4 features: the chosen model drops most of the 26 others
    assert np.count_nonzero(np.any(model.coef_ != 0, axis=0)) < 15


def test_regressor_cv_fold_losses_match_a_manual_computation():
    X, Y = row_sparse_problem(n=60, p=8)
    alphas = [0.5, 0.1, 0.01]
    folds = list(
        TaskStratifiedKFold(3, task_column=0).split(np.column_stack([np.zeros(60), X]))
    )
    model = L21RegressorCV(alphas=alphas, cv=folds, tol=1e-10).fit(X, Y)
    for k, alpha in enumerate(sorted(alphas, reverse=True)):
        for f, (train, test) in enumerate(folds):
            fitted = L21Regressor(alpha, tol=1e-10).fit(X[train], Y[train])
            mse = np.mean((Y[test] - fitted.predict(X[test])) ** 2)
            np.testing.assert_allclose(model.mse_path_[k, f], mse, rtol=1e-6)


def test_classifier_cv_on_task_indexed_data_in_parallel():
    from skmtl.datasets import make_multitask_classification

    X, y = make_multitask_classification(
        n_tasks=4,
        n_samples=[30, 40, 50, 60],
        n_features=10,
        n_informative=3,
        random_state=0,
    )
    labels = np.where(y == 1, "yes", "no")
    model = L21ClassifierCV(n_alphas=6, cv=3, n_jobs=2, task_column=0).fit(X, labels)
    assert model.log_loss_path_.shape == (6, 3)
    assert model.predict(X).shape == (len(y),)
    assert list(model.classes_) == ["no", "yes"]
    serial = L21ClassifierCV(n_alphas=6, cv=3, task_column=0).fit(X, labels)
    np.testing.assert_allclose(model.log_loss_path_, serial.log_loss_path_)


# -- scikit-learn citizenship -----------------------------------------------------


def test_grid_search_pipeline_and_pickle_on_task_indexed_frames():
    from .test_sklearn_compat import scaled_pipeline, school_like_frame

    X, y = school_like_frame()
    search = GridSearchCV(
        scaled_pipeline(L21Regressor(task_column="school")),
        {"l21regressor__alpha": [1e-3, 1e-2, 1e-1]},
        cv=TaskStratifiedKFold(3, task_column="school", shuffle=True, random_state=0),
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    model = FeatureLearningRegressor(0.1, task_column="school")
    assert clone(model).get_params() == model.get_params()


def test_errors_and_convergence_warning():
    X, Y = row_sparse_problem()
    with pytest.raises(ValueError, match="'alpha' parameter of L21Regressor"):
        L21Regressor(alpha=-1.0).fit(X, Y)
    with pytest.raises(ValueError, match="'l2' parameter"):
        L21Regressor(l2=-0.5).fit(X, Y)
    with pytest.raises(
        ValueError, match="'solver' parameter of FeatureLearningRegressor"
    ):
        FeatureLearningRegressor(solver="newton").fit(X, Y)
    with pytest.raises(ValueError, match="loss must be 'squared' or 'logistic'"):
        l21_alpha_max(X, Y, loss="hinge")
    with pytest.raises(ValueError, match="alphas must be a non-empty array"):
        l21_path(X, Y, alphas=[-1.0])
    with pytest.warns(ConvergenceWarning, match="FISTA stopped after max_iter=3"):
        L21Regressor(0.01, tol=1e-14, max_iter=3).fit(X, Y)


@pytest.mark.parametrize("model_class", [L21Classifier, FeatureLearningClassifier])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_classifier_solvers_agree(model_class, layout):
    kwargs, (X, y, sw), obs = make_problem(
        "logistic", layout, missing=True, weights=True
    )
    objectives = {}
    for solver in ["prox_newton", "fista", "cvxpy"]:
        model = model_class(0.01, solver=solver, tol=1e-9, **kwargs)
        with warnings.catch_warnings():
            # cvxpy's interior point solution is optimal to ~1e-9 in objective,
            # but its duality gap certificate on a non-smooth penalty is looser.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=sw)
        value = loss_value(obs, model.coef_, model.intercept_, "logistic")
        if model_class is L21Classifier:
            value += l21_value(model.coef_, 0.01)
        else:
            value += squared_trace_value(model.coef_, 0.01)
        objectives[solver] = value
    best = min(objectives.values())
    assert all(v <= best * (1 + 1e-7) for v in objectives.values()), objectives


def test_cd_path_equals_cold_fits_on_a_wide_problem():
    """Objectives, not coefficients: with 150 features and 40 rows the
    optimum is flat, and two certified solutions may differ far more than
    their objectives."""
    X, Y = row_sparse_problem(n=40, p=150)
    alphas, coefs, intercepts, gaps = l21_path(X, Y, n_alphas=6, eps=0.05, tol=1e-10)
    data = make_task_data(X, Y)
    for k in (1, 3, 5):
        cold = L21Regressor(alphas[k], solver="fista", tol=1e-10, max_iter=10**5)
        cold.fit(X, Y)
        assert cold.dual_gap_ <= 1e-8
        on_path, from_cold = (
            objective(data, SquaredLoss(), L21(alphas[k]), W, b)
            for W, b in [
                (coefs[:, :, k], intercepts[:, k]),
                (cold.coef_, cold.intercept_),
            ]
        )
        assert on_path == pytest.approx(from_cold, rel=1e-9)
        np.testing.assert_array_equal(  # the same selected features
            np.any(coefs[:, :, k] != 0, axis=0), np.any(cold.coef_ != 0, axis=0)
        )
    assert np.all(gaps <= 1e-8)


def test_alpha_zero_is_refused_where_no_certificate_exists():
    X, Y = row_sparse_problem()
    with pytest.raises(
        ValueError, match="alpha=0 with l2=0 leaves the model unpenalised"
    ):
        L21Regressor(alpha=0.0).fit(X, Y)
    ridge = L21Regressor(alpha=0.0, l2=0.5).fit(X, Y)  # plain ridge is fine
    assert ridge.dual_gap_ <= 1e-6 * 10
    with pytest.raises(
        ValueError, match="'alpha' parameter of FeatureLearningRegressor"
    ):
        FeatureLearningRegressor(alpha=0.0).fit(X, Y)


def test_classifier_cv_on_multilabel_targets_with_missing_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 6))
    Y = (X[:, :3] + rng.normal(size=(90, 3)) > 0).astype(float)
    Y[rng.random(Y.shape) < 0.2] = np.nan
    model = L21ClassifierCV(n_alphas=4, cv=3).fit(X, Y)
    assert model.log_loss_path_.shape == (4, 3)
    assert np.all(np.isfinite(model.log_loss_path_))


# -- preconditioning by feature scaling ------------------------------------------


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_rescaled_l21_is_the_penalty_in_scaled_variables(l2):
    """``rescaled(d)`` at V equals L21 at V * d; its prox solves its own problem."""
    import cvxpy as cp

    from skmtl.penalties import L21

    rng = np.random.default_rng(3)
    d = rng.uniform(0.1, 10.0, 6)
    V = rng.normal(size=(3, 6)) * (np.arange(6) % 2)
    penalty = L21(0.7, l2=l2)
    scaled = penalty.rescaled(d)
    assert scaled.value(V) == pytest.approx(penalty.value(V * d), rel=1e-12)
    # The prox against a cvxpy solve of the weighted problem.
    Z, step = rng.normal(size=(3, 6)) * 2, 0.4
    U = cp.Variable((3, 6))
    solve_reference(
        cp.Problem(cp.Minimize(cp.sum_squares(U - Z) / (2 * step) + scaled.as_cvxpy(U)))
    )
    np.testing.assert_allclose(scaled.prox(Z, step), U.value, atol=1e-6)
    # The conjugate is finite exactly where the weighted dual norm allows.
    if l2 == 0:
        G = rng.normal(size=(3, 6))
        s = scaled.dual_scale(G)
        assert np.isfinite(scaled.conjugate(s * G))
        assert not np.isfinite(scaled.conjugate(1.01 * s * G)) or s == 1.0
    # Working sets see the weights of their own columns.
    columns = np.array([4, 1])
    assert scaled.restrict(columns).value(V[:, columns]) == pytest.approx(
        penalty.value(V[:, columns] * d[columns]), rel=1e-12
    )


@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_badly_scaled_features_match_cvxpy(l2):
    """Columns on scales 1e-2 ... 1e2: FISTA solves the problem in scaled
    variables, the result is the optimum of the original one."""
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    scales = np.array([1e-2, 1.0, 1.0, 30.0, 1e2])
    features = [0, 1, 3, 4, 5]  # the columns of X that are features (2: task ids)
    Xs = X.copy()
    Xs[:, features] = (X[:, features].astype(float) * scales).astype(object)
    obs.X = obs.X * scales
    alpha = 0.05
    model = L21Regressor(alpha, l2=l2, solver="fista", tol=1e-10, **kwargs)
    model.fit(Xs, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_l21(obs, alpha, l2, "squared")

    def objective(W, b):
        return loss_value(obs, W, b, "squared") + l21_value(W, alpha, l2)

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14
    assert model.n_iter_ < 2000
