"""Lasso, trace-norm and sparse-group models and their penalties, against oracles."""

import itertools
import pickle
import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import brentq
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression
from sklearn.model_selection import GridSearchCV

from skmtl import (
    L21Classifier,
    L21Regressor,
    LassoClassifier,
    LassoRegressor,
    SparseGroupClassifier,
    SparseGroupRegressor,
    TraceNormClassifier,
    TraceNormRegressor,
)
from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import L1, L21, NuclearNorm, SparseGroupL21
from skmtl.solvers import available_solvers

from ._oracles import (
    Observations,
    cvxpy_solve_l1,
    cvxpy_solve_nuclear,
    cvxpy_solve_sparse_group,
    l1_value,
    loss_value,
    nuclear_value,
    solve_reference,
    sparse_group_value,
)
from .test_mean_regularized import make_problem

# name -> (regressor, classifier, strengths for the squared / logistic loss,
#          penalty value, cvxpy oracle); strengths are positional parameters.
MODELS = {
    "lasso": (
        LassoRegressor,
        LassoClassifier,
        {"squared": (0.3,), "logistic": (0.01,)},
        l1_value,
        cvxpy_solve_l1,
    ),
    "trace": (
        TraceNormRegressor,
        TraceNormClassifier,
        {"squared": (0.5,), "logistic": (0.02,)},
        nuclear_value,
        cvxpy_solve_nuclear,
    ),
    "sparse_group": (
        SparseGroupRegressor,
        SparseGroupClassifier,
        {"squared": (0.5, 0.2), "logistic": (0.01, 0.005)},
        sparse_group_value,
        cvxpy_solve_sparse_group,
    ),
}
LOSSES = ["squared", "logistic"]
VARIANTS = [
    ("shared", True, True),  # NaN-masked y and sample weights
    ("indexed", False, False),  # unequal task sizes, rows not grouped
    ("indexed", False, True),
]


def estimator_class(name, loss):
    regressor, classifier, *_ = MODELS[name]
    return regressor if loss == "squared" else classifier


def objective_function(name, loss, obs, strengths):
    penalty_value = MODELS[name][3]

    def objective(W, b):
        return loss_value(obs, W, b, loss) + penalty_value(W, *strengths)

    return objective


def penalty_objects(alpha=0.7, alpha_sparse=0.3):
    return {
        "lasso": L1(alpha),
        "trace": NuclearNorm(alpha),
        "sparse_group": SparseGroupL21(alpha, alpha_sparse),
    }


def assert_partly_zeroed(name, W):
    """The problems are chosen so that the penalty is active but not total:
    some entries (singular values for the trace norm) are zero, not all."""
    if name == "trace":
        sigma = np.linalg.svd(W, compute_uv=False)
        assert 0 < np.count_nonzero(sigma > 1e-8 * sigma[0]) < len(sigma)
    else:
        assert 0 < np.count_nonzero(W) < W.size


# -- the cvxpy oracle ------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
def test_matches_cvxpy(name, loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    strengths = MODELS[name][2][loss]
    model = estimator_class(name, loss)(*strengths, tol=1e-10, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = MODELS[name][4](obs, *strengths, loss)
    objective = objective_function(name, loss, obs, strengths)
    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, b_ref, atol=1e-4)
    assert_partly_zeroed(name, model.coef_)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_no_intercept_matches_cvxpy(name, loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
    strengths = MODELS[name][2][loss]
    model = estimator_class(name, loss)(
        *strengths, fit_intercept=False, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    assert np.all(model.intercept_ == 0)
    W_ref, b_ref = MODELS[name][4](obs, *strengths, loss, fit_intercept=False)
    objective = objective_function(name, loss, obs, strengths)
    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert abs(ours - reference) <= 1e-6 * reference


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_every_documented_solver_applies_and_agrees(name, loss):
    kwargs, (X, y, sw), obs = make_problem(
        loss, "shared", missing=True, weights=True, seed=1
    )
    model_class = estimator_class(name, loss)
    documented = model_class._parameter_constraints["solver"][0].options - {"auto"}
    # What the estimator accepts is what the dispatcher offers.
    data = make_task_data(X, y, sample_weight=sw)
    datafit = SquaredLoss() if loss == "squared" else LogisticLoss()
    strengths = MODELS[name][2][loss]
    penalty = model_class(*strengths)._penalty_for(data)
    assert set(available_solvers(data, datafit, penalty)) == documented
    objective = objective_function(name, loss, obs, strengths)
    values = {}
    for solver in sorted(documented):
        model = model_class(*strengths, solver=solver, tol=1e-9, **kwargs)
        with warnings.catch_warnings():
            # cvxpy's interior point solution is optimal to ~1e-9 in objective,
            # but its duality gap certificate on a non-smooth penalty is looser.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=sw)
        values[solver] = objective(model.coef_, model.intercept_)
    best = min(values.values())
    assert all(v <= best * (1 + 1e-7) for v in values.values()), values


def wide_problem(loss, n=60, p=120, T=3, seed=0):
    """More features than WORKING_SET_MIN (working sets run), a sparse truth,
    uncentred features on different scales (the feature scaling runs)."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, p)) + 1.0) * rng.uniform(0.3, 3.0, p)
    W = rng.normal(size=(T, p)) * (np.arange(p) < 5) * (rng.random((T, p)) < 0.7)
    Y = X @ W.T + rng.normal(size=T) + rng.normal(size=(n, T))
    if loss == "logistic":
        Y = (Y > np.median(Y, axis=0)).astype(float)
    Y[rng.random(Y.shape) < 0.1] = np.nan
    sw = rng.uniform(0.5, 2.0, n)
    return X, Y, sw, Observations.shared(X, Y, sw)


@pytest.mark.parametrize("name", ["lasso", "sparse_group"])
@pytest.mark.parametrize(
    "loss, solver",
    [("squared", "fista"), ("logistic", "fista"), ("logistic", "prox_newton")],
)
def test_working_sets_on_many_features_match_cvxpy(name, loss, solver):
    X, Y, sw, obs = wide_problem(loss)
    strengths = {
        ("lasso", "squared"): (0.8,),
        ("lasso", "logistic"): (0.08,),
        ("sparse_group", "squared"): (0.6, 0.4),
        ("sparse_group", "logistic"): (0.06, 0.03),
    }[name, loss]
    model = estimator_class(name, loss)(*strengths, solver=solver, tol=1e-10)
    model.fit(X, Y, sample_weight=sw)
    W_ref, b_ref = MODELS[name][4](obs, *strengths, loss)
    objective = objective_function(name, loss, obs, strengths)
    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours
    used = np.count_nonzero(np.any(model.coef_ != 0, axis=0))
    assert 0 < used < 30  # sparse: working sets stayed small


@pytest.mark.parametrize("name", ["lasso", "sparse_group"])
def test_badly_scaled_features_match_cvxpy(name):
    """Columns on scales 1e-2 ... 1e2: FISTA solves the problem in scaled
    variables (``penalty.rescaled``), the result is the original optimum."""
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    scales = np.array([1e-2, 1.0, 1.0, 30.0, 1e2])
    features = [0, 1, 3, 4, 5]  # the columns of X that are features (2: task ids)
    Xs = X.copy()
    Xs[:, features] = (X[:, features].astype(float) * scales).astype(object)
    obs.X = obs.X * scales
    strengths = MODELS[name][2]["squared"]
    model = estimator_class(name, "squared")(
        *strengths, solver="fista", tol=1e-10, **kwargs
    ).fit(Xs, y, sample_weight=sw)
    W_ref, b_ref = MODELS[name][4](obs, *strengths, "squared")
    objective = objective_function(name, "squared", obs, strengths)
    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14
    assert model.n_iter_ < 2000


# -- the penalty objects ---------------------------------------------------------


def solve_precisely(problem):
    """The reference solve (an OPTIMAL status at tight tolerance).

    An error of 1e-10 in the objective of a prox (strongly convex) still
    allows ~1e-5 in the point: the tests compare points at that accuracy and
    rely on exact certificates (subgradients, Moreau) for the rest.
    """
    solve_reference(problem)


def projection_onto_dual_ball(name, penalty, Z):
    """Euclidean projection onto {V : conjugate(V) finite}, independently."""
    if name == "lasso":
        return np.clip(Z, -penalty.alpha, penalty.alpha)
    if name == "trace":
        U, sigma, Vt = np.linalg.svd(Z, full_matrices=False)
        return (U * np.minimum(sigma, penalty.alpha)) @ Vt
    # The dual ball of a sum of norms is the sum of their dual balls.
    group = cp.Variable(Z.shape)
    sparse = cp.Variable(Z.shape)
    solve_precisely(
        cp.Problem(
            cp.Minimize(cp.sum_squares(Z - group - sparse)),
            [
                cp.norm(group, 2, axis=0) <= penalty.alpha_group,
                cp.abs(sparse) <= penalty.alpha_sparse,
            ],
        )
    )
    return group.value + sparse.value


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("step", [0.5, 2.0])
def test_prox_against_cvxpy_and_the_moreau_identity(name, step):
    rng = np.random.default_rng(4)
    penalty = penalty_objects()[name]
    # Nearly rank 2, columns on different scales: every prox zeroes something.
    Z = rng.normal(size=(4, 2)) @ rng.normal(size=(2, 6)) + 0.3 * rng.normal(
        size=(4, 6)
    )
    Z *= np.array([2.0, 1.5, 1.0, 0.5, 0.3, 0.2])
    P = penalty.prox(Z, step)
    U = cp.Variable(Z.shape)
    solve_precisely(
        cp.Problem(
            cp.Minimize(cp.sum_squares(U - Z) / (2 * step) + penalty.as_cvxpy(U))
        )
    )

    # The prox objective is strongly convex: ours is at least as low, and
    # both points are as close as cvxpy's accuracy in objective allows.
    def prox_objective(W):
        return np.sum((W - Z) ** 2) / (2 * step) + penalty.value(W)

    assert prox_objective(P) <= prox_objective(U.value) + 1e-12
    np.testing.assert_allclose(P, U.value, atol=1e-4)
    assert_partly_zeroed(name, P)
    # Moreau: prox_{step f}(z) + step * proj_{dual ball}(z / step) = z.
    projection = projection_onto_dual_ball(name, penalty, Z / step)
    # (Exact projections for L1 and the trace norm, a cvxpy one for the sum.)
    atol = 1e-5 if name == "sparse_group" else 1e-12
    np.testing.assert_allclose(P + step * projection, Z, atol=atol)
    # (z - prox(z)) / step is a subgradient at prox(z): in the dual ball, and
    # it attains the penalty (Fenchel-Young with equality).
    V = (Z - P) / step
    assert penalty.conjugate(V) == 0.0
    assert np.sum(P * V) == pytest.approx(penalty.value(P), rel=1e-10)
    # The optimality conditions hold: zero violation for every feature.
    if hasattr(penalty, "feature_scores"):
        np.testing.assert_allclose(penalty.feature_scores(P, -V), 0.0, atol=1e-12)
        scores = penalty.feature_scores(P, -1.5 * V)
        assert np.all(scores[np.any(P != 0, axis=0)] > 0)


@pytest.mark.parametrize("name", list(MODELS))
def test_value_and_cvxpy_form_agree(name):
    rng = np.random.default_rng(5)
    penalty = penalty_objects()[name]
    W = rng.normal(size=(3, 7)) * (rng.random((3, 7)) < 0.6)
    assert penalty.as_cvxpy(cp.Constant(W)).value == pytest.approx(
        penalty.value(W), rel=1e-12
    )
    assert penalty.value(np.zeros((3, 7))) == 0.0
    assert penalty.value(-2 * W) == pytest.approx(2 * penalty.value(W), rel=1e-12)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("magnitude", [1e-3, 1.0, 1e3])
def test_dual_scale_puts_the_point_on_the_boundary_of_the_dual_ball(name, magnitude):
    rng = np.random.default_rng(6)
    penalty = penalty_objects()[name]
    for _ in range(20):
        V = rng.normal(size=(5, 8)) * magnitude
        V[:, 0] = V[0, 0]  # ties within a column
        V[:, 1] = 0.0
        s = penalty.dual_scale(V)
        assert 0 < s <= 1
        assert penalty.conjugate(s * V) == 0.0
        if s < 1:
            assert penalty.conjugate(s * V * (1 + 1e-6)) == np.inf
        else:
            assert penalty.conjugate(V) == 0.0
    # A point of the dual ball pairs with any W to at most the penalty.
    W = rng.normal(size=(5, 8))
    V = rng.normal(size=(5, 8))
    assert np.sum(W * penalty.dual_scale(V) * V) <= penalty.value(W) * (1 + 1e-12)


def test_sparse_group_dual_norm_is_the_root_of_each_columns_equation():
    rng = np.random.default_rng(7)
    for alpha_group, alpha_sparse in [(0.7, 0.3), (1e-6, 1.0), (1.0, 1e-6), (2, 5)]:
        penalty = SparseGroupL21(alpha_group, alpha_sparse)
        V = rng.normal(size=(6, 40)) * rng.uniform(1e-3, 1e3, 40)
        V[:, 0] = 1.0  # all entries tie
        V[1:, 1] *= 1e-9  # one dominant entry
        for j in range(V.shape[1]):
            u = np.abs(V[:, j])

            def phi(nu, u=u, group=alpha_group, sparse=alpha_sparse):
                return np.linalg.norm(np.maximum(u - nu * sparse, 0)) - nu * group

            expected = brentq(phi, 0, 2 * u.max() / alpha_sparse + 1, rtol=1e-15)
            assert penalty.dual_norm(V[:, [j]]) == pytest.approx(expected, rel=1e-12)


def test_sparse_group_reduces_to_l21_and_l1():
    rng = np.random.default_rng(8)
    Z, V, step = rng.normal(size=(4, 9)), rng.normal(size=(4, 9)), 0.4
    for sparse_group, other, dual_norm_factor in [
        (SparseGroupL21(0.8, 0.0), L21(0.8), 0.8),
        (SparseGroupL21(0.0, 0.8), L1(0.8), 0.8),
    ]:
        assert sparse_group.value(Z) == pytest.approx(other.value(Z), rel=1e-12)
        np.testing.assert_allclose(sparse_group.prox(Z, step), other.prox(Z, step))
        assert sparse_group.dual_scale(V) == pytest.approx(
            other.dual_scale(V), rel=1e-12
        )
        assert sparse_group.dual_norm(V) * dual_norm_factor == pytest.approx(
            other.dual_norm(V), rel=1e-12
        )
        W = sparse_group.prox(Z, step)
        np.testing.assert_allclose(
            sparse_group.feature_scores(W, V), other.feature_scores(W, V), atol=1e-12
        )


@pytest.mark.parametrize("name", ["lasso", "sparse_group"])
def test_rescaled_is_the_penalty_in_scaled_variables(name):
    rng = np.random.default_rng(9)
    d = rng.uniform(0.1, 10.0, 6)
    V = rng.normal(size=(3, 6)) * (np.arange(6) % 2)
    penalty = penalty_objects()[name]
    scaled = penalty.rescaled(d)
    assert scaled.value(V) == pytest.approx(penalty.value(V * d), rel=1e-12)
    Z, step = rng.normal(size=(3, 6)) * 2, 0.4
    U = cp.Variable((3, 6))
    solve_precisely(
        cp.Problem(cp.Minimize(cp.sum_squares(U - Z) / (2 * step) + scaled.as_cvxpy(U)))
    )
    P = scaled.prox(Z, step)
    np.testing.assert_allclose(P, U.value, atol=1e-4)
    assert scaled.conjugate((Z - P) / step) == 0.0  # an exact subgradient
    assert np.sum(P * (Z - P)) / step == pytest.approx(scaled.value(P), rel=1e-10)
    # The conjugate of the scaled penalty is finite where the weighted dual
    # norm allows, and the gap certificate in scaled variables is the same:
    # Omega_d*(G d) = Omega*(G), G d being the gradient in the variables W / d.
    G = rng.normal(size=(3, 6))
    s = scaled.dual_scale(G)
    assert scaled.conjugate(s * G) == 0.0
    assert s == 1.0 or scaled.conjugate(1.01 * s * G) == np.inf
    assert scaled.dual_scale(G * d) == pytest.approx(penalty.dual_scale(G), rel=1e-12)
    columns = np.array([4, 1])
    assert scaled.restrict(columns).value(V[:, columns]) == pytest.approx(
        penalty.value(V[:, columns] * d[columns]), rel=1e-12
    )
    assert penalty.restrict(columns) is penalty


def test_penalties_do_not_qualify_for_coordinate_descent():
    X = np.random.default_rng(0).normal(size=(20, 40))
    data = make_task_data(X, X[:, :3])
    for penalty in penalty_objects().values():
        assert "cd" not in available_solvers(data, SquaredLoss(), penalty)


# -- limits ------------------------------------------------------------------------


def gradient_at_zero(obs, loss):
    """The loss gradient in W at W = 0 with optimal intercepts, from the raw data."""
    G = np.zeros((obs.n_tasks, obs.X.shape[1]))
    total = obs.row_weight_sum if loss == "squared" else obs.weight.sum()
    for t, Xt, yt, st in obs.per_task():
        # The optimal intercept predicts the task's weighted mean target (for
        # the logistic loss: as a probability), so the residuals are y - mean.
        mean = np.average(yt, weights=st)
        G[t] = (st * (mean - yt)) @ Xt / total
    return G


def alpha_max(name, G, alpha_sparse):
    """The smallest strength (the group one for sparse group) with W = 0."""
    if name == "lasso":
        return (np.abs(G).max(),)
    if name == "trace":
        return (np.linalg.norm(G, 2),)
    soft = np.sign(G) * np.maximum(np.abs(G) - alpha_sparse, 0)
    return np.linalg.norm(soft, axis=0).max(), alpha_sparse


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_alpha_max_is_the_first_strength_with_all_zero_coefficients(name, loss, layout):
    kwargs, (X, y, sw), obs = make_problem(loss, layout, missing=True, weights=True)
    G = gradient_at_zero(obs, loss)
    alpha_sparse = 0.3 * np.abs(G).max()
    strengths = alpha_max(name, G, alpha_sparse)
    model_class = estimator_class(name, loss)
    at_max = model_class(*strengths, **kwargs).fit(X, y, sample_weight=sw)
    assert np.all(at_max.coef_ == 0)
    below = (strengths[0] * (1 - 1e-3), *strengths[1:])
    below = model_class(*below, **kwargs).fit(X, y, sample_weight=sw)
    assert np.any(below.coef_ != 0)
    huge = model_class(*(1e6 * s for s in strengths), **kwargs)
    assert np.all(huge.fit(X, y, sample_weight=sw).coef_ == 0)


@pytest.mark.parametrize("name", list(MODELS))
def test_tiny_alpha_is_least_squares_per_task(name):
    rng = np.random.default_rng(10)
    sizes, p = [30, 45, 60], 4
    task = np.repeat(["b", "a", "c"], sizes)
    X = rng.normal(size=(len(task), p)) + rng.normal(size=p)
    W = rng.normal(size=(3, p))
    _, t = np.unique(task, return_inverse=True)
    y = np.einsum("ij,ij->i", X, W[t]) + rng.normal(size=len(task))
    Xt = np.column_stack([task, X]).astype(object)
    strengths = (1e-9,) * len(MODELS[name][2]["squared"])
    model = MODELS[name][0](*strengths, task_column=0, tol=1e-12, max_iter=10**5)
    model.fit(Xt, y)
    for k, label in enumerate(model.tasks_):
        rows = task == label
        ols = LinearRegression().fit(X[rows], y[rows])
        np.testing.assert_allclose(model.coef_[k], ols.coef_, atol=1e-6)
        np.testing.assert_allclose(model.intercept_[k], ols.intercept_, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_sparse_group_with_one_strength_zero_is_l21_or_lasso(loss, layout):
    kwargs, (X, y, sw), _ = make_problem(loss, layout, missing=True, weights=True)
    alpha = 0.1 if loss == "squared" else 0.01
    sparse_group = estimator_class("sparse_group", loss)
    l21 = L21Regressor if loss == "squared" else L21Classifier
    lasso = estimator_class("lasso", loss)
    for ours, reference in [
        (
            sparse_group(alpha, 0.0, tol=1e-10, **kwargs),
            l21(alpha, tol=1e-10, **kwargs),
        ),
        (
            sparse_group(0.0, alpha, tol=1e-10, **kwargs),
            lasso(alpha, tol=1e-10, **kwargs),
        ),
    ]:
        ours.fit(X, y, sample_weight=sw)
        reference.fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-6)
        np.testing.assert_allclose(ours.intercept_, reference.intercept_, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("p", [8, 120])
def test_lasso_is_scikit_learn_lasso_per_task(fit_intercept, p):
    """On the shared design the L1 penalty is separable: each task (one target,
    or one column of y) is scikit-learn's Lasso with the same alpha."""
    rng = np.random.default_rng(11)
    n, T = 50, 3
    X = rng.normal(size=(n, p)) + 1.0
    W = rng.normal(size=(T, p)) * (np.arange(p) < 5)
    Y = X @ W.T + rng.normal(size=T) + rng.normal(size=(n, T))
    alpha = 0.1
    model = LassoRegressor(alpha, fit_intercept=fit_intercept, tol=1e-12).fit(X, Y)
    single = LassoRegressor(alpha, fit_intercept=fit_intercept, tol=1e-12)
    single.fit(X, Y[:, 0])
    assert single.coef_.shape == (1, p)
    assert single.predict(X).shape == (n,)
    for t in range(T):
        reference = Lasso(alpha, fit_intercept=fit_intercept, tol=1e-14, max_iter=10**6)
        reference.fit(X, Y[:, t])
        scale = np.abs(reference.coef_).max()
        np.testing.assert_allclose(model.coef_[t], reference.coef_, atol=1e-6 * scale)
        np.testing.assert_allclose(
            model.intercept_[t], reference.intercept_, atol=1e-6 * scale
        )
        if t == 0:
            np.testing.assert_allclose(single.coef_[0], reference.coef_, atol=1e-6)


def test_trace_norm_lowers_the_rank():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(80, 6))
    W = rng.normal(size=(8, 2)) @ rng.normal(size=(2, 6))  # rank 2 truth
    Y = X @ W.T + 0.5 * rng.normal(size=(80, 8))
    ranks = [
        np.linalg.matrix_rank(TraceNormRegressor(alpha).fit(X, Y).coef_)
        for alpha in (1e-4, 0.1, 0.5, 100.0)
    ]
    assert ranks[0] == 6 and ranks[-1] == 0
    assert all(a >= b for a, b in itertools.pairwise(ranks))
    assert 2 in ranks


# -- scikit-learn citizenship -----------------------------------------------------


@pytest.mark.parametrize(
    "model, grid",
    [
        (LassoRegressor, {"alpha": [1e-3, 1e-2, 1e-1]}),
        (TraceNormRegressor, {"alpha": [1e-3, 1e-2, 1e-1]}),
        (
            SparseGroupRegressor,
            {"alpha_group": [1e-3, 1e-1], "alpha_sparse": [0, 1e-2]},
        ),
    ],
)
def test_grid_search_pipeline_and_pickle_on_task_indexed_frames(model, grid):
    from .test_sklearn_compat import scaled_pipeline, school_like_frame

    X, y = school_like_frame()
    step = model.__name__.lower()
    search = GridSearchCV(
        scaled_pipeline(model(task_column="school")),
        {f"{step}__{key}": values for key, values in grid.items()},
        cv=TaskStratifiedKFold(3, task_column="school", shuffle=True, random_state=0),
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    fitted = search.best_estimator_[-1]
    assert sorted(fitted.tasks_) == [f"school_{t}" for t in range(6)]
    assert clone(fitted).get_params() == fitted.get_params()


@pytest.mark.parametrize("model", [LassoClassifier, TraceNormClassifier])
def test_classifiers_on_task_indexed_frames_with_string_labels(model):
    from .test_sklearn_compat import school_like_frame

    X, y = school_like_frame("classification")
    labels = np.where(y == 1, "pass", "fail")
    clf = model(0.01, task_column="school").fit(X, labels)
    assert set(clf.predict(X)) <= {"fail", "pass"}
    assert list(clf.classes_) == ["fail", "pass"]
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


# -- errors and warnings -------------------------------------------------------------


def test_negative_strengths_and_bad_solvers_are_refused():
    X, Y = np.random.default_rng(0).normal(size=(20, 3)), np.ones((20, 2))
    Y[::2] = 0.0
    with pytest.raises(ValueError, match="'alpha' parameter of LassoRegressor"):
        LassoRegressor(alpha=-1.0).fit(X, Y)
    with pytest.raises(ValueError, match="'alpha' parameter of TraceNormClassifier"):
        TraceNormClassifier(alpha=-0.1).fit(X, Y)
    with pytest.raises(
        ValueError, match="'alpha_group' parameter of SparseGroupRegressor"
    ):
        SparseGroupRegressor(alpha_group=-1.0).fit(X, Y)
    with pytest.raises(
        ValueError, match="'alpha_sparse' parameter of SparseGroupClassifier"
    ):
        SparseGroupClassifier(alpha_sparse=-1.0).fit(X, Y)
    with pytest.raises(ValueError, match="'solver' parameter of LassoRegressor"):
        LassoRegressor(solver="prox_newton").fit(X, Y)
    with pytest.raises(ValueError, match="'solver' parameter of TraceNormClassifier"):
        TraceNormClassifier(solver="cd").fit(X, Y)


@pytest.mark.parametrize(
    "model, message",
    [
        (LassoRegressor(alpha=0.0), "alpha=0 leaves the model unpenalised"),
        (LassoClassifier(alpha=0.0), "alpha=0 leaves the model unpenalised"),
        (TraceNormRegressor(alpha=0.0), "alpha=0 leaves the model unpenalised"),
        (TraceNormClassifier(alpha=0.0), "alpha=0 leaves the model unpenalised"),
        (
            SparseGroupRegressor(0.0, 0.0),
            "alpha_group=0 with alpha_sparse=0 leaves the model unpenalised",
        ),
        (
            SparseGroupClassifier(0.0, 0.0),
            "alpha_group=0 with alpha_sparse=0 leaves the model unpenalised",
        ),
    ],
)
def test_all_zero_penalty_is_refused(model, message):
    X = np.random.default_rng(0).normal(size=(20, 3))
    Y = (X[:, :2] > 0).astype(float)
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_convergence_warning_reports_the_gap(name, loss):
    kwargs, (X, y, _), _ = make_problem(loss, "indexed")
    strengths = tuple(s / 10 for s in MODELS[name][2][loss])
    model = estimator_class(name, loss)(*strengths, tol=1e-15, max_iter=2, **kwargs)
    with pytest.warns(
        ConvergenceWarning,
        match=r"stopped after max_iter=2 (iterations|Newton steps) with a duality gap",
    ):
        model.fit(X, y)
    assert model.n_iter_ == 2


@pytest.mark.parametrize(
    "solver, what", [("prox_newton", "Newton steps"), ("fista", "iterations")]
)
def test_convergence_warning_names_the_solver_that_ran(solver, what):
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    model = LassoClassifier(0.001, solver=solver, tol=1e-15, max_iter=2, **kwargs)
    name = {"prox_newton": "Proximal Newton", "fista": "FISTA"}[solver]
    with pytest.warns(
        ConvergenceWarning, match=f"^{name} stopped after max_iter=2 {what}"
    ):
        model.fit(X, y)


@pytest.mark.parametrize("name", list(MODELS))
def test_warm_start_continues_from_the_previous_fit(name):
    kwargs, (X, y, sw), _ = make_problem("squared", "indexed", weights=True)
    strengths = MODELS[name][2]["squared"]
    cold = MODELS[name][0](*strengths, tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    warm = MODELS[name][0](*strengths, tol=1e-10, warm_start=True, **kwargs)
    warm.fit(X, y, sample_weight=sw)
    warm.fit(X, y, sample_weight=sw)
    assert warm.n_iter_ <= 2
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-8)
