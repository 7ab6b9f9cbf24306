"""Decomposition models W = P + Q (Dirty, rMTFL, RMTL) and their penalties, against oracles."""

import pickle
import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skmtl import (
    L21Classifier,
    L21Regressor,
    LassoRegressor,
    TraceNormClassifier,
    TraceNormRegressor,
)
from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.linear_model._decomposition import (
    DirtyClassifier,
    DirtyRegressor,
    RobustFeatureLearningClassifier,
    RobustFeatureLearningRegressor,
    RobustLowRankClassifier,
    RobustLowRankRegressor,
)
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import L1, L21, NuclearNorm
from skmtl.penalties._decomposition import Decomposition, L1Inf, TaskL21
from skmtl.solvers import available_solvers, solve
from skmtl.solvers._decomposition import (
    LiftedSmooth,
    StackedPenalty,
    solve_decomposition,
    stack,
)

from ._oracles import _cvxpy_minimize, loss_value, solve_reference
from .test_mean_regularized import make_problem

# -- oracles: the penalties restated in numpy and cvxpy -----------------------------


def column_l2(P):
    return np.linalg.norm(P, axis=0).sum()


def column_linf(P):
    return np.abs(P).max(axis=0).sum()


def row_l2(Q):
    return np.linalg.norm(Q, axis=1).sum()


def nuclear(P):
    return np.linalg.svd(P, compute_uv=False).sum()


# name -> (regressor, classifier, extra kwargs, strengths per loss,
#          numpy penalty of (P, Q, a1, a2), cvxpy penalty of (P, Q, a1, a2))
MODELS = {
    "dirty_l2": (
        DirtyRegressor,
        DirtyClassifier,
        {},
        {"squared": (0.5, 0.3), "logistic": (0.02, 0.012)},
        lambda P, Q, a, b: a * column_l2(P) + b * np.abs(Q).sum(),
        lambda P, Q, a, b: a * cp.sum(cp.norm(P, 2, axis=0)) + b * cp.sum(cp.abs(Q)),
    ),
    "dirty_linf": (
        DirtyRegressor,
        DirtyClassifier,
        {"group_norm": "linf"},
        {"squared": (1.0, 0.4), "logistic": (0.04, 0.015)},
        lambda P, Q, a, b: a * column_linf(P) + b * np.abs(Q).sum(),
        lambda P, Q, a, b: (
            a * cp.sum(cp.max(cp.abs(P), axis=0)) + b * cp.sum(cp.abs(Q))
        ),
    ),
    "rmtfl": (
        RobustFeatureLearningRegressor,
        RobustFeatureLearningClassifier,
        {},
        {"squared": (0.5, 0.5), "logistic": (0.02, 0.02)},
        lambda P, Q, a, b: a * column_l2(P) + b * row_l2(Q),
        lambda P, Q, a, b: (
            a * cp.sum(cp.norm(P, 2, axis=0)) + b * cp.sum(cp.norm(Q, 2, axis=1))
        ),
    ),
    "rmtl": (
        RobustLowRankRegressor,
        RobustLowRankClassifier,
        {},
        {"squared": (0.5, 0.35), "logistic": (0.02, 0.015)},
        lambda P, Q, a, b: a * nuclear(P) + b * row_l2(Q),
        lambda P, Q, a, b: a * cp.normNuc(P) + b * cp.sum(cp.norm(Q, 2, axis=1)),
    ),
}
LOSSES = ["squared", "logistic"]
VARIANTS = [
    ("shared", True, True),  # NaN-masked y and sample weights
    ("indexed", False, False),  # unequal task sizes, rows not grouped
    ("indexed", False, True),
]


def make_model(name, loss, strengths=None, **params):
    regressor, classifier, extra, default, *_ = MODELS[name]
    model_class = regressor if loss == "squared" else classifier
    return model_class(*(strengths or default[loss]), **extra, **params)


def lifted_objective(name, loss, obs, strengths):
    """F(P + Q, b) + g1(P) + g2(Q), from the raw observations."""
    penalty = MODELS[name][4]

    def objective(P, Q, b):
        return loss_value(obs, P + Q, b, loss) + penalty(P, Q, *strengths)

    return objective


def cvxpy_decomposition(name, loss, obs, strengths, fit_intercept=True):
    """The cvxpy optimum with P and Q as variables: (P, Q, b)."""
    T, p = obs.n_tasks, obs.X.shape[1]
    P, Q = cp.Variable((T, p)), cp.Variable((T, p))
    penalty = MODELS[name][5](P, Q, *strengths)
    _, b = _cvxpy_minimize(obs, P + Q, penalty, loss, fit_intercept)
    return np.asarray(P.value), np.asarray(Q.value), b


def cvxpy_single(obs, penalty, loss):
    """The cvxpy optimum of a penalty of W alone: (W, b)."""
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    return _cvxpy_minimize(obs, W, penalty(W), loss, True)


# -- the cvxpy oracle -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
def test_matches_cvxpy(name, loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    strengths = MODELS[name][3][loss]
    model = make_model(name, loss, tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    objective = lifted_objective(name, loss, obs, strengths)
    P_ref, Q_ref, b_ref = cvxpy_decomposition(name, loss, obs, strengths)
    ours = objective(model.shared_coef_, model.specific_coef_, model.intercept_)
    reference = objective(P_ref, Q_ref, b_ref)
    assert abs(ours - reference) <= 1e-7 * reference
    assert -1e-13 * ours <= model.dual_gap_ <= 1e-10 * ours  # round-off: < 0
    np.testing.assert_array_equal(
        model.coef_, model.shared_coef_ + model.specific_coef_
    )
    # The loss is strictly convex in W here: coef_ is unique (the split may not be).
    np.testing.assert_allclose(model.coef_, P_ref + Q_ref, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, b_ref, atol=1e-4)
    # Both parts are active on these problems.
    assert np.any(model.shared_coef_ != 0) and np.any(model.specific_coef_ != 0)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_no_intercept_matches_cvxpy(name, loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
    strengths = MODELS[name][3][loss]
    model = make_model(name, loss, fit_intercept=False, tol=1e-10, **kwargs)
    model.fit(X, y, sample_weight=sw)
    assert np.all(model.intercept_ == 0)
    objective = lifted_objective(name, loss, obs, strengths)
    reference = objective(
        *cvxpy_decomposition(name, loss, obs, strengths, fit_intercept=False)
    )
    ours = objective(model.shared_coef_, model.specific_coef_, model.intercept_)
    assert abs(ours - reference) <= 1e-7 * reference


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_the_gap_bounds_the_suboptimality(name, loss):
    """Early stops (a loose tol, or max_iter) are certified: the gap bounds the
    true distance to the optimum. At a tight tol the gap is small."""
    kwargs, (X, y, sw), obs = make_problem(loss, "shared", missing=True, weights=True)
    strengths = MODELS[name][3][loss]
    objective = lifted_objective(name, loss, obs, strengths)
    optimum = objective(*cvxpy_decomposition(name, loss, obs, strengths))
    for tol, max_iter in [(1e-1, 10_000), (1e-15, 3), (1e-15, 25), (1e-10, 10_000)]:
        model = make_model(name, loss, tol=tol, max_iter=max_iter, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter stops
            model.fit(X, y, sample_weight=sw)
        ours = objective(model.shared_coef_, model.specific_coef_, model.intercept_)
        assert ours - optimum <= model.dual_gap_ + 1e-9 * optimum
        if max_iter == 10_000:
            assert model.dual_gap_ <= tol * ours


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_fista_and_cvxpy_solvers_agree(name, loss):
    kwargs, (X, y, sw), obs = make_problem(
        loss, "shared", missing=True, weights=True, seed=1
    )
    strengths = MODELS[name][3][loss]
    objective = lifted_objective(name, loss, obs, strengths)
    values = {}
    for solver in ["auto", "fista", "cvxpy"]:
        model = make_model(name, loss, solver=solver, tol=1e-9, **kwargs)
        with warnings.catch_warnings():
            # Clarabel's point is optimal to ~1e-9, its certificate looser.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=sw)
        values[solver] = objective(
            model.shared_coef_, model.specific_coef_, model.intercept_
        )
        # Clarabel's interior point is certified more loosely.
        bound = 1e-4 if solver == "cvxpy" else 1e-9
        assert -1e-13 <= model.dual_gap_ <= bound * values[solver]
    best = min(values.values())
    assert all(v <= best * (1 + 1e-7) for v in values.values()), values


# -- the penalty objects -----------------------------------------------------------------

NEW_NORMS = {"l1inf": L1Inf(0.7), "task_l21": TaskL21(0.7)}


def dual_ball_projection(name, alpha, Z):
    """Euclidean projection onto the dual-norm ball, independently (cvxpy / rows)."""
    if name == "task_l21":
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        return Z * np.minimum(1.0, alpha / np.maximum(norms, 1e-300))
    V = cp.Variable(Z.shape)
    solve_reference(
        cp.Problem(
            cp.Minimize(cp.sum_squares(V - Z)), [cp.sum(cp.abs(V), axis=0) <= alpha]
        )
    )
    return V.value


@pytest.mark.parametrize("name", list(NEW_NORMS))
@pytest.mark.parametrize("step", [0.5, 2.0])
def test_prox_against_cvxpy_and_the_moreau_identity(name, step):
    rng = np.random.default_rng(4)
    penalty = NEW_NORMS[name]
    Z = rng.normal(size=(4, 6)) * np.array([2.0, 1.5, 1.0, 0.5, 0.3, 0.2])
    Z[1, 2] = Z[2, 2]  # a tie
    Z[:, 5] = 0.0
    Z[3] *= 0.1  # a small task
    P = penalty.prox(Z, step)
    U = cp.Variable(Z.shape)
    solve_reference(
        cp.Problem(
            cp.Minimize(cp.sum_squares(U - Z) / (2 * step) + penalty.as_cvxpy(U))
        )
    )
    np.testing.assert_allclose(P, U.value, atol=1e-6)
    groups = np.any(P != 0, axis=0 if name == "l1inf" else 1)
    assert 0 < groups.sum() < len(groups)  # some groups zeroed, not all
    # Moreau: prox_{step f}(z) + step * proj_{dual ball}(z / step) = z.
    projection = dual_ball_projection(name, penalty.alpha, Z / step)
    np.testing.assert_allclose(P + step * projection, Z, atol=1e-7)
    # (z - prox(z)) / step is a subgradient at prox(z): Fenchel-Young holds
    # with equality.
    V = (Z - P) / step
    assert penalty.conjugate(V) == 0.0
    assert np.sum(P * V) == pytest.approx(penalty.value(P), rel=1e-10)


def test_l1inf_prox_clips_each_column_at_its_own_level():
    penalty = L1Inf(1.0)
    Z = np.array([[3.0, 0.4, -5.0, 0.0], [-1.0, 0.6, 5.0, 0.0], [0.5, 0.0, 1.0, 0.0]])
    # Column 0: |z| = 3, 1, 0.5; removing L1 mass 1 clips at 2.
    # Column 1: L1 norm 1 = the radius: zero.  Column 2: tie at 5, clip at 4.5.
    expected = np.array(
        [[2.0, 0.0, -4.5, 0.0], [-1.0, 0.0, 4.5, 0.0], [0.5, 0.0, 1.0, 0.0]]
    )
    np.testing.assert_allclose(penalty.prox(Z, 1.0), expected, atol=1e-15)
    np.testing.assert_array_equal(L1Inf(0.0).prox(Z, 1.0), Z)


@pytest.mark.parametrize("name", list(NEW_NORMS))
def test_value_cvxpy_form_and_dual_scale(name):
    rng = np.random.default_rng(5)
    penalty = NEW_NORMS[name]
    W = rng.normal(size=(3, 7)) * (rng.random((3, 7)) < 0.6)
    assert penalty.as_cvxpy(cp.Constant(W)).value == pytest.approx(
        penalty.value(W), rel=1e-12
    )
    expected = column_linf(W) if name == "l1inf" else row_l2(W)
    assert penalty.value(W) == pytest.approx(0.7 * expected, rel=1e-12)
    assert penalty.value(np.zeros((3, 7))) == 0.0
    for magnitude in [1e-3, 1.0, 1e3]:
        V = rng.normal(size=(3, 7)) * magnitude
        s = penalty.dual_scale(V)
        assert 0 < s <= 1
        assert penalty.conjugate(s * V) == 0.0
        if s < 1:
            assert penalty.conjugate(s * V * (1 + 1e-6)) == np.inf
        # The dual norm bounds the pairing: <W, s V> <= Omega(W).
        assert np.sum(W * s * V) <= penalty.value(W) * (1 + 1e-12)
    dual = np.abs(V).sum(axis=0).max() if name == "l1inf" else row_l2_max(V)
    assert penalty.dual_norm(V) == pytest.approx(dual, rel=1e-12)


def row_l2_max(V):
    return np.linalg.norm(V, axis=1).max()


def test_decomposition_penalty_is_the_infimal_convolution():
    rng = np.random.default_rng(6)
    shared, specific = L21(0.7), TaskL21(0.4)
    penalty = Decomposition(shared, specific)
    P, Q = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    W = P + Q
    assert penalty.split_value(P, Q) == shared.value(P) + specific.value(Q)
    # value(W): the best split, below any split and below each part alone.
    best = penalty.value(W)
    assert best <= penalty.split_value(P, Q)
    assert best <= min(shared.value(W), specific.value(W)) * (1 + 1e-9)
    # Weak duality: for s V in both dual balls, <W, s V> <= value(W), with
    # equality at some V (a subgradient): the conjugate is g1* + g2*.
    for magnitude in [1e-3, 1.0, 1e3]:
        V = rng.normal(size=(3, 5)) * magnitude
        s = penalty.dual_scale(V)
        assert s == min(shared.dual_scale(V), specific.dual_scale(V))
        assert penalty.conjugate(s * V) == 0.0
        if s < 1:
            assert penalty.conjugate(s * V * (1 + 1e-6)) == np.inf
        assert np.sum(W * s * V) <= best * (1 + 1e-9)
    V = cp.Variable(W.shape)
    support = cp.Problem(
        cp.Maximize(cp.sum(cp.multiply(W, V))),
        [cp.norm(V, 2, axis=0) <= 0.7, cp.norm(V, 2, axis=1) <= 0.4],
    )
    solve_reference(support)
    assert best == pytest.approx(support.value, rel=1e-7)


def test_stacked_penalty_is_separable():
    rng = np.random.default_rng(6)
    stacked = StackedPenalty(Decomposition(L21(0.7), TaskL21(0.4)))
    P, Q = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    X = stack(P, Q)
    assert stacked.value(X) == L21(0.7).value(P) + TaskL21(0.4).value(Q)
    np.testing.assert_array_equal(
        stacked.prox(X, 0.3),
        np.vstack([L21(0.7).prox(P, 0.3), TaskL21(0.4).prox(Q, 0.3)]),
    )


@pytest.mark.parametrize("loss", LOSSES)
def test_the_generic_solvers_take_the_decomposition_penalty(loss):
    """``solve`` takes the decomposition penalty: the registry's "fista" and
    "cvxpy" entries run their lifted versions (in P and Q), certified
    through its conjugate; the result is the decomposition estimators'."""
    _, (X, Y, sw), _ = make_problem(loss, "shared", missing=True, weights=True)
    strengths = MODELS["rmtfl"][3][loss]
    model = make_model("rmtfl", loss, tol=1e-10).fit(X, Y, sample_weight=sw)
    data = make_task_data(X, Y, sample_weight=sw)
    datafit = SquaredLoss() if loss == "squared" else LogisticLoss()
    penalty = Decomposition(L21(strengths[0]), TaskL21(strengths[1]))
    assert available_solvers(data, datafit, penalty) == ["fista", "cvxpy"]
    for solver in ("fista", "cvxpy"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # Clarabel's gap
            result = solve(
                data, datafit, penalty, solver=solver, tol=1e-9, max_iter=10_000
            )
        np.testing.assert_allclose(result.coef, model.coef_, atol=1e-4)
        np.testing.assert_allclose(sum(result.parts), result.coef)
        assert result.objective == pytest.approx(
            lifted_value(model, data, datafit), rel=1e-7
        )
        if solver == "fista":  # certified; Clarabel's own gap is looser
            assert result.dual_gap <= 1e-9 * result.objective


def lifted_value(model, data, datafit):
    return datafit.value(data, data.linear(model.coef_, model.intercept_)) + (
        model._penalty_for(data).split_value(model.shared_coef_, model.specific_coef_)
    )


def test_lifted_smooth_is_the_smooth_part_of_the_sum():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(30, 4))
    Y = X @ rng.normal(size=(4, 3)) + rng.normal(size=(30, 3))
    data = make_task_data(X, Y)
    from skmtl.solvers._fista import make_smooth

    base = make_smooth(data, SquaredLoss(), True)
    lifted = LiftedSmooth(base)
    P, Q = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    state = lifted.state(np.vstack([P, Q]))
    assert state.value == pytest.approx(base.state(P + Q).value, rel=1e-14)
    G, _ = base.gradient(base.state(P + Q))
    np.testing.assert_allclose(lifted.gradient(state)[0], np.vstack([G, G]))
    assert lifted.lipschitz() == pytest.approx(2 * base.lipschitz(), rel=1e-14)


# -- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_huge_strengths_give_zero_coefficients(name, loss, layout):
    kwargs, (X, y, sw), _ = make_problem(loss, layout, missing=True, weights=True)
    strengths = tuple(1e6 * s for s in MODELS[name][3][loss])
    model = make_model(name, loss, strengths, **kwargs).fit(X, y, sample_weight=sw)
    assert np.all(model.shared_coef_ == 0) and np.all(model.specific_coef_ == 0)
    assert np.all(model.coef_ == 0)
    # The intercepts are then each task's (weighted) mean target / log-odds.
    assert model.dual_gap_ <= 1e-12


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
@pytest.mark.parametrize("ratio", [1.01, 1e6])
def test_dirty_with_a_strong_sparse_part_is_l21(loss, layout, ratio):
    """alpha_sparse > alpha_group: Q = 0, the L2,1 model of alpha_group."""
    kwargs, (X, y, sw), _ = make_problem(loss, layout, missing=True, weights=True)
    alpha = 0.3 if loss == "squared" else 0.01
    dirty = make_model("dirty_l2", loss, (alpha, ratio * alpha), tol=1e-10, **kwargs)
    dirty.fit(X, y, sample_weight=sw)
    l21 = (L21Regressor if loss == "squared" else L21Classifier)(
        alpha, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    assert np.all(dirty.specific_coef_ == 0)
    assert np.any(dirty.shared_coef_ != 0)
    np.testing.assert_allclose(dirty.coef_, l21.coef_, atol=1e-6)
    np.testing.assert_allclose(dirty.intercept_, l21.intercept_, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
def test_dirty_linf_with_a_strong_sparse_part_is_the_l1inf_model(loss):
    _, (X, y, sw), obs = make_problem(loss, "shared", missing=True, weights=True)
    alpha = 0.5 if loss == "squared" else 0.02
    dirty = make_model("dirty_linf", loss, (alpha, 1.01 * alpha), tol=1e-10)
    dirty.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_single(
        obs, lambda W: alpha * cp.sum(cp.max(cp.abs(W), axis=0)), loss
    )
    assert np.all(dirty.specific_coef_ == 0)
    np.testing.assert_allclose(dirty.coef_, W_ref, atol=1e-5)
    np.testing.assert_allclose(dirty.intercept_, b_ref, atol=1e-5)


@pytest.mark.parametrize("group_norm, factor", [("l2", 2.0), ("linf", 4.0)])
def test_dirty_with_a_strong_group_part_is_the_lasso(group_norm, factor):
    """alpha_group > sqrt(T) alpha_sparse (l2) or T alpha_sparse (linf): P = 0.
    The problems have T = 4 tasks."""
    kwargs, (X, y, sw), _ = make_problem("squared", "indexed", weights=True)
    alpha = 0.3
    dirty = DirtyRegressor(
        1.01 * factor * alpha, alpha, group_norm=group_norm, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    lasso = LassoRegressor(alpha, tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    assert np.all(dirty.shared_coef_ == 0)
    np.testing.assert_allclose(dirty.coef_, lasso.coef_, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_rmtfl_with_a_strong_task_part_is_l21(loss, layout):
    """alpha_tasks > sqrt(p) alpha_features (p = 5 here), or huge: Q = 0."""
    kwargs, (X, y, sw), _ = make_problem(loss, layout, missing=True, weights=True)
    alpha = 0.3 if loss == "squared" else 0.01
    l21 = (L21Regressor if loss == "squared" else L21Classifier)(
        alpha, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    for alpha_tasks in [1.01 * np.sqrt(5) * alpha, 1e6 * alpha]:
        rmtfl = make_model("rmtfl", loss, (alpha, alpha_tasks), tol=1e-10, **kwargs)
        rmtfl.fit(X, y, sample_weight=sw)
        assert np.all(rmtfl.specific_coef_ == 0)
        np.testing.assert_allclose(rmtfl.coef_, l21.coef_, atol=1e-6)
        np.testing.assert_allclose(rmtfl.intercept_, l21.intercept_, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_rmtl_with_a_strong_task_part_is_the_trace_norm_model(loss, layout):
    """alpha_tasks > alpha_rank, or huge: Q = 0, the nuclear-norm model."""
    kwargs, (X, y, sw), obs = make_problem(loss, layout, missing=True, weights=True)
    alpha = 0.5 if loss == "squared" else 0.02
    W_ref, b_ref = cvxpy_single(obs, lambda W: alpha * cp.normNuc(W), loss)
    trace = (TraceNormRegressor if loss == "squared" else TraceNormClassifier)(
        alpha, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    for alpha_tasks in [1.01 * alpha, 1e6 * alpha]:
        rmtl = make_model("rmtl", loss, (alpha, alpha_tasks), tol=1e-10, **kwargs)
        rmtl.fit(X, y, sample_weight=sw)
        assert np.all(rmtl.specific_coef_ == 0)
        np.testing.assert_allclose(rmtl.coef_, W_ref, atol=1e-5)
        np.testing.assert_allclose(rmtl.intercept_, b_ref, atol=1e-5)
        np.testing.assert_allclose(rmtl.coef_, trace.coef_, atol=1e-6)


@pytest.mark.parametrize("name, factor", [("rmtfl", 2.0), ("rmtl", 2.0)])
def test_a_strong_shared_part_leaves_a_group_lasso_per_task(name, factor):
    """alpha_shared > sqrt(T) alpha_tasks (T = 4): P = 0 and each task's weight
    vector is one group."""
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    alpha = 0.4
    model = make_model(name, "squared", (1.01 * factor * alpha, alpha), tol=1e-10)
    model.set_params(**kwargs).fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_single(
        obs, lambda W: alpha * cp.sum(cp.norm(W, 2, axis=1)), "squared"
    )
    assert np.all(model.shared_coef_ == 0)
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, b_ref, atol=1e-5)


def outlier_problem(seed=0, n=150, T=6, p=10):
    """T - 1 tasks share 3 features; the last task uses 3 other ones."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    W = np.zeros((T, p))
    W[:, :3] = 1.0 + 0.2 * rng.normal(size=(T, 3))
    W[-1] = 0.0
    W[-1, 5:8] = [2.0, -2.0, 2.0]
    Y = X @ W.T + 0.3 * rng.normal(size=(n, T))
    return X, Y, W


def test_rmtfl_puts_the_outlier_task_in_the_specific_part():
    X, Y, W = outlier_problem()
    model = RobustFeatureLearningRegressor(0.2, 0.3).fit(X, Y)
    outliers = np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))
    np.testing.assert_array_equal(outliers, [5])
    shared_features = np.flatnonzero(np.any(model.shared_coef_ != 0, axis=0))
    np.testing.assert_array_equal(shared_features, [0, 1, 2])
    # The L2,1 model alone must select the outlier's features for every task.
    l21 = L21Regressor(0.2).fit(X, Y)
    assert np.count_nonzero(np.any(l21.coef_ != 0, axis=0)) >= 6
    # rMTFL's predictions recover the truth better on the regular tasks.
    error = np.abs(model.coef_[:5] - W[:5]).mean()
    assert error < np.abs(l21.coef_[:5] - W[:5]).mean()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rmtl_puts_the_outlier_task_in_the_specific_part(seed):
    X, Y, _ = outlier_problem(seed=seed)
    model = RobustLowRankRegressor(1.0, 0.8).fit(X, Y)
    outliers = np.flatnonzero(np.any(model.specific_coef_ != 0, axis=1))
    np.testing.assert_array_equal(outliers, [5])
    assert np.linalg.matrix_rank(model.shared_coef_, tol=1e-8) == 1


def test_dirty_shared_design_single_target_and_unknown_tasks():
    kwargs, (X, y, _), _ = make_problem("squared", "indexed")
    model = DirtyRegressor(0.5, 0.3, unknown_task="shared", **kwargs).fit(X, y)
    X_new = X[:3].copy()
    X_new[:, 2] = "marseille"
    # An unseen task gets the shared part of the model, not the mean of coef_.
    assert np.any(model.specific_coef_.mean(axis=0) != 0)
    np.testing.assert_allclose(
        model.predict(X_new),
        X_new[:, [0, 1, 3, 4, 5]].astype(float) @ model.shared_coef_.mean(axis=0)
        + model.intercept_.mean(),
    )
    _, (Xs, Ys, _), _ = make_problem("squared", "shared")
    single = DirtyRegressor(0.5, 0.3).fit(Xs, Ys[:, 0])
    assert single.coef_.shape == single.shared_coef_.shape == (1, 5)
    assert single.predict(Xs).shape == (len(Xs),)


# -- scikit-learn citizenship ---------------------------------------------------------


@pytest.mark.parametrize(
    "model, grid",
    [
        (DirtyRegressor, {"alpha_group": [1e-2, 1e-1], "alpha_sparse": [5e-3, 5e-2]}),
        (RobustFeatureLearningRegressor, {"alpha_features": [1e-2, 1e-1]}),
        (RobustLowRankRegressor, {"alpha_rank": [1e-2, 1e-1]}),
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
    np.testing.assert_array_equal(
        restored[-1].shared_coef_ + restored[-1].specific_coef_, fitted.coef_
    )
    assert clone(fitted).get_params() == fitted.get_params()


@pytest.mark.parametrize(
    "model", [DirtyClassifier, RobustFeatureLearningClassifier, RobustLowRankClassifier]
)
def test_classifiers_on_task_indexed_frames_with_string_labels(model):
    from .test_sklearn_compat import scaled_pipeline, school_like_frame

    X, y = school_like_frame("classification")
    labels = np.where(y == 1, "pass", "fail")
    # Scaled: FISTA on columns of scales 1 and 100 would need many iterations.
    clf = scaled_pipeline(model(0.01, 0.008, task_column="school")).fit(X, labels)
    assert set(clf.predict(X)) <= {"fail", "pass"}
    assert list(clf.classes_) == ["fail", "pass"]
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


# -- errors and warnings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, parameter",
    [
        (DirtyRegressor(alpha_group=-1.0), "alpha_group"),
        (DirtyClassifier(alpha_sparse=-0.1), "alpha_sparse"),
        (DirtyRegressor(group_norm="l1"), "group_norm"),
        (RobustFeatureLearningRegressor(alpha_features=-1.0), "alpha_features"),
        (RobustFeatureLearningClassifier(alpha_tasks=-1.0), "alpha_tasks"),
        (RobustLowRankRegressor(alpha_rank=-1.0), "alpha_rank"),
        (RobustLowRankClassifier(alpha_tasks=np.inf), "alpha_tasks"),
        (DirtyRegressor(solver="cd"), "solver"),
        (RobustLowRankClassifier(solver="prox_newton"), "solver"),
    ],
)
def test_invalid_parameters_are_refused(model, parameter):
    X = np.random.default_rng(0).normal(size=(20, 3))
    Y = (X[:, :2] > 0).astype(float)
    with pytest.raises(
        ValueError, match=f"'{parameter}' parameter of {type(model).__name__}"
    ):
        model.fit(X, Y)


@pytest.mark.parametrize(
    "model, message",
    [
        (DirtyRegressor(0.0, 0.5), "alpha_group=0 leaves the shared part"),
        (DirtyClassifier(1.0, 0.0), "alpha_sparse=0 leaves the task-specific part"),
        (
            RobustFeatureLearningRegressor(0.0, 1.0),
            "alpha_features=0 leaves the shared part",
        ),
        (
            RobustFeatureLearningClassifier(1.0, 0.0),
            "alpha_tasks=0 leaves the task-specific part",
        ),
        (RobustLowRankRegressor(0.0, 1.0), "alpha_rank=0 leaves the shared part"),
        (
            RobustLowRankClassifier(1.0, 0.0),
            "alpha_tasks=0 leaves the task-specific part",
        ),
    ],
)
def test_zero_strengths_are_refused(model, message):
    X = np.random.default_rng(0).normal(size=(20, 3))
    Y = (X[:, :2] > 0).astype(float)
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y)


def test_solve_decomposition_refuses_unknown_solvers():
    X = np.random.default_rng(0).normal(size=(20, 3))
    data = make_task_data(X, X[:, :2])
    penalty = Decomposition(L21(0.1), L1(0.1))
    with pytest.raises(ValueError, match="solver='lbfgs' is not one of"):
        solve_decomposition(data, LogisticLoss(), penalty, solver="lbfgs")


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("loss", LOSSES)
def test_convergence_warning_reports_the_gap(name, loss):
    kwargs, (X, y, _), _ = make_problem(loss, "indexed")
    strengths = tuple(s / 10 for s in MODELS[name][3][loss])
    model = make_model(name, loss, strengths, tol=1e-15, max_iter=2, **kwargs)
    with pytest.warns(
        ConvergenceWarning,
        match=r"stopped after max_iter=2 iterations with a duality gap of",
    ):
        model.fit(X, y)
    assert model.n_iter_ == 2


@pytest.mark.parametrize("name", list(MODELS))
def test_warm_start_continues_from_the_previous_fit(name):
    kwargs, (X, y, sw), _ = make_problem("squared", "indexed", weights=True)
    cold = make_model(name, "squared", tol=1e-10, **kwargs).fit(X, y, sample_weight=sw)
    warm = make_model(name, "squared", tol=1e-10, warm_start=True, **kwargs)
    warm.fit(X, y, sample_weight=sw)
    first = warm.n_iter_
    warm.fit(X, y, sample_weight=sw)
    assert warm.n_iter_ <= 2 < first
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-8)
    # A different problem size starts afresh.
    warm.fit(X[:, :-1], y, sample_weight=sw)
    assert warm.coef_.shape == (4, 4)


def test_the_certified_objective_is_the_lifted_objective():
    """The solver's primal value is F(P + Q) + g1(P) + g2(Q) of the oracle."""
    kwargs, (X, y, sw), obs = make_problem("logistic", "indexed", weights=True)
    model = DirtyClassifier(0.02, 0.012, tol=1e-10, **kwargs).fit(
        X, y, sample_weight=sw
    )
    objective = lifted_objective("dirty_l2", "logistic", obs, (0.02, 0.012))
    value = objective(model.shared_coef_, model.specific_coef_, model.intercept_)
    # The certificate's primal is the same objective, computed by the solver.
    data = make_task_data(
        np.delete(X, 2, axis=1).astype(float), y, X[:, 2], sample_weight=sw
    )
    result = solve_decomposition(
        data, LogisticLoss(), model._penalty_for(data), tol=1e-10, max_iter=10_000
    )
    assert result.objective == pytest.approx(value, rel=1e-10)
    assert isinstance(model._penalty_for(data).shared, L21)
    assert isinstance(RobustLowRankRegressor()._penalty_for(data).shared, NuclearNorm)
