"""The fused sparse group lasso (tasks in time): its prox, dual norm and models.

Oracles: the optimality conditions of each prox (exact), cvxpy solves of the
same problems at an OPTIMAL status, and the limits where the model is one
we already trust (no fused term: the sparse group lasso).
"""

import pickle
import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skmtl import (
    FusedSparseGroupClassifier,
    FusedSparseGroupRegressor,
    SparseGroupRegressor,
)
from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import FusedSparseGroupL21, SparseGroupL21
from skmtl.penalties._fused import total_variation_prox
from skmtl.solvers import available_solvers

from ._oracles import (
    cvxpy_fused_sparse_group,
    cvxpy_solve_fused_sparse_group,
    fused_sparse_group_value,
    loss_value,
    solve_reference,
)
from .test_mean_regularized import make_problem
from .test_structured_penalties import gradient_at_zero

ESTIMATORS = {
    "squared": FusedSparseGroupRegressor,
    "logistic": FusedSparseGroupClassifier,
}
STRENGTHS = {"squared": (0.1, 0.3, 0.2), "logistic": (0.004, 0.01, 0.008)}


def random_signals(rng, trial):
    """Columns of 1 to 14 rows, on three scales; integers make ties."""
    n, m = rng.integers(1, 15), rng.integers(1, 6)
    V = rng.normal(size=(n, m)) * rng.choice([0.1, 1.0, 10.0])
    if trial % 3 == 0:
        V = np.round(V)
    thresholds = rng.uniform(0, 3, size=m) * rng.choice([0.0, 0.01, 1.0, 10.0])
    return V, thresholds


# -- the total-variation prox ---------------------------------------------------


def test_total_variation_prox_meets_its_optimality_conditions():
    """x = prox(v) iff v - x = D'z with |z| <= lam, z = lam sign(Dx) on jumps.

    z is recovered from the residual's cumulative sums (which must end at 0).
    """
    rng = np.random.default_rng(0)
    for trial in range(3000):
        V, lam = random_signals(rng, trial)
        X = total_variation_prox(V, lam)
        scale = 1 + np.abs(V).max()
        sums = np.cumsum(V - X, axis=0)
        np.testing.assert_allclose(sums[-1], 0.0, atol=1e-12 * scale)
        z = -sums[:-1]
        assert np.all(np.abs(z) <= lam + 1e-12 * scale)
        jumps = np.diff(X, axis=0)
        moving = np.abs(jumps) > 1e-9 * scale
        on_jumps = np.where(moving, z - lam * np.sign(jumps), 0.0)
        np.testing.assert_allclose(on_jumps, 0.0, atol=1e-12 * scale)


def test_total_variation_prox_against_cvxpy():
    rng = np.random.default_rng(1)
    for trial in range(20):
        V, lam = random_signals(rng, trial)
        X = total_variation_prox(V, lam)
        for j in range(V.shape[1]):
            x = cp.Variable(len(V))
            objective = 0.5 * cp.sum_squares(x - V[:, j])
            if len(V) > 1:
                objective += lam[j] * cp.norm1(cp.diff(x))
            solve_reference(cp.Problem(cp.Minimize(objective)))

            def value(point, v=V[:, j], threshold=lam[j]):
                tv = np.abs(np.diff(point)).sum()
                return 0.5 * np.sum((point - v) ** 2) + threshold * tv

            # 1-strongly convex: ours is at least as low, and the distance is
            # bounded by cvxpy's excess objective.
            excess = value(x.value) - value(X[:, j])
            assert excess >= -1e-12
            distance = np.sum((x.value - X[:, j]) ** 2)
            assert distance <= 2 * excess + 1e-12


def test_total_variation_prox_limits():
    V = np.array([[1.0, 5.0], [3.0, -1.0], [2.0, 0.0]])
    np.testing.assert_array_equal(total_variation_prox(V, 0.0), V)
    # A threshold past the largest partial sum flattens to the mean.
    np.testing.assert_allclose(
        total_variation_prox(V, 100.0), np.tile(V.mean(0), (3, 1))
    )
    # Far past it, exactly the mean (no round-off of the threshold's size).
    np.testing.assert_array_equal(
        total_variation_prox(V, 1e12), np.tile(V.mean(0), (3, 1))
    )
    np.testing.assert_array_equal(total_variation_prox(V[:1], 3.0), V[:1])
    assert total_variation_prox(np.zeros((0, 2)), 1.0).shape == (0, 2)


# -- the penalty: prox, dual norm, conjugate ------------------------------------


def penalties():
    return [
        FusedSparseGroupL21(0.3, 0.5, 0.4),
        FusedSparseGroupL21(0.0, 1.0, 0.4),
        FusedSparseGroupL21(0.3, 2.0, 0.0),
        FusedSparseGroupL21(0.3, 0.0, 0.4),
    ]


def signal_matrix(seed=4):
    """Six time points, features with a plateau, a ramp, noise, on scales."""
    rng = np.random.default_rng(seed)
    Z = np.column_stack(
        [
            np.r_[np.ones(3), 3 * np.ones(3)],
            np.linspace(-2, 2, 6),
            rng.normal(size=6),
            0.2 * rng.normal(size=6),
            rng.normal(size=6),
        ]
    )
    return Z + 0.3 * rng.normal(size=Z.shape)


@pytest.mark.parametrize("penalty", penalties(), ids=repr)
@pytest.mark.parametrize("step", [0.5, 2.0])
def test_prox_against_cvxpy_and_its_subgradient_certificate(penalty, step):
    Z = signal_matrix()
    P = penalty.prox(Z, step)
    U = cp.Variable(Z.shape)
    solve_reference(
        cp.Problem(
            cp.Minimize(cp.sum_squares(U - Z) / (2 * step) + penalty.as_cvxpy(U))
        )
    )

    def prox_objective(W):
        return np.sum((W - Z) ** 2) / (2 * step) + penalty.value(W)

    excess = prox_objective(U.value) - prox_objective(P)
    assert excess >= -1e-12
    assert np.sum((U.value - P) ** 2) <= 2 * step * excess + 1e-12
    assert not np.allclose(P, Z)
    # Moreau: (z - prox(z)) / step is a subgradient at prox(z): in the dual
    # ball, attaining the penalty (Fenchel-Young with equality).
    V = (Z - P) / step
    assert penalty.conjugate(V) == 0.0
    assert np.sum(P * V) == pytest.approx(penalty.value(P), rel=1e-12, abs=1e-14)


def test_prox_without_the_fused_term_is_the_sparse_group_prox():
    Z = signal_matrix()
    fused = FusedSparseGroupL21(0.3, 0.0, 0.4).prox(Z, 0.7)
    np.testing.assert_array_equal(fused, SparseGroupL21(0.4, 0.3).prox(Z, 0.7))


def cvxpy_dual_norm(G, strengths):
    """max <G, W> over the penalty's unit ball, from the oracle's form."""
    W = cp.Variable(G.shape)
    problem = cp.Problem(
        cp.Maximize(cp.sum(cp.multiply(G, W))),
        [cvxpy_fused_sparse_group(W, *strengths) <= 1],
    )
    solve_reference(problem)
    return problem.value


@pytest.mark.parametrize("penalty", penalties(), ids=repr)
def test_dual_norm_against_cvxpy(penalty):
    rng = np.random.default_rng(7)
    strengths = (penalty.alpha_sparse, penalty.alpha_fused, penalty.alpha_group)
    for _ in range(3):
        V = rng.normal(size=(6, 4))
        reference = cvxpy_dual_norm(V, strengths)
        assert penalty.dual_norm(V) == pytest.approx(reference, rel=1e-7)
        s = penalty.dual_scale(V)
        assert penalty.conjugate(s * V) == 0.0
        if s < 1:
            assert penalty.conjugate(s * V * (1 + 1e-9)) == np.inf


@pytest.mark.parametrize("penalty", penalties(), ids=repr)
def test_dual_norm_of_many_columns_of_unequal_size(penalty):
    # The bisection drops the columns it finds inside the ball: the largest
    # column's norm must survive, whichever column it is, zero columns too.
    rng = np.random.default_rng(3)
    strengths = (penalty.alpha_sparse, penalty.alpha_fused, penalty.alpha_group)
    V = rng.normal(size=(6, 25)) * rng.uniform(0.1, 3.0, size=25)
    V[:, 4] = 0.0
    V[:, 7] = np.linspace(-2.0, 2.0, 6)  # one trend: the fused term's hardest
    reference = cvxpy_dual_norm(V, strengths)
    assert penalty.dual_norm(V) == pytest.approx(reference, rel=1e-7)
    assert penalty.conjugate(V / penalty.dual_norm(V)) == 0.0


def test_value_matches_the_oracle_and_the_cvxpy_form():
    W = signal_matrix() * (np.random.default_rng(2).random((6, 5)) < 0.7)
    penalty = FusedSparseGroupL21(0.3, 0.5, 0.4)
    assert penalty.value(W) == pytest.approx(
        fused_sparse_group_value(W, 0.3, 0.5, 0.4), rel=1e-14
    )
    expression = cvxpy_fused_sparse_group(cp.Constant(W), 0.3, 0.5, 0.4)
    assert expression.value == pytest.approx(penalty.value(W), rel=1e-12)


def test_the_fused_term_alone_is_refused():
    with pytest.raises(ValueError, match="alpha_sparse > 0 or alpha_group > 0"):
        FusedSparseGroupL21(0.0, 1.0, 0.0)


# -- the estimators ---------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize(
    "layout, missing, weights",
    [("shared", True, True), ("indexed", False, False), ("indexed", False, True)],
)
def test_matches_cvxpy(loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    strengths = STRENGTHS[loss]
    model = ESTIMATORS[loss](*strengths, tol=1e-10, **kwargs).fit(
        X, y, sample_weight=sw
    )
    W_ref, b_ref = cvxpy_solve_fused_sparse_group(obs, *strengths, loss)

    def objective(W, b):
        return loss_value(obs, W, b, loss) + fused_sparse_group_value(W, *strengths)

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, b_ref, atol=1e-4)
    assert 0 < np.count_nonzero(model.coef_) < model.coef_.size


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_every_documented_solver_applies_and_agrees(loss):
    kwargs, (X, y, sw), obs = make_problem(
        loss, "shared", missing=True, weights=True, seed=1
    )
    model_class = ESTIMATORS[loss]
    documented = model_class._parameter_constraints["solver"][0].options - {"auto"}
    data = make_task_data(X, y, sample_weight=sw)
    datafit = SquaredLoss() if loss == "squared" else LogisticLoss()
    penalty = model_class(*STRENGTHS[loss])._penalty_for(data)
    assert set(available_solvers(data, datafit, penalty)) == documented

    def objective(W, b):
        return loss_value(obs, W, b, loss) + fused_sparse_group_value(
            W, *STRENGTHS[loss]
        )

    values = {}
    for solver in sorted(documented):
        model = model_class(*STRENGTHS[loss], solver=solver, tol=1e-9, **kwargs)
        with warnings.catch_warnings():
            # cvxpy's interior point is optimal to ~1e-9 in objective, but its
            # duality-gap certificate on a non-smooth penalty is looser.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=sw)
        values[solver] = objective(model.coef_, model.intercept_)
    best = min(values.values())
    assert all(v <= best * (1 + 1e-7) for v in values.values()), values


@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_without_the_fused_term_it_is_the_sparse_group_model(layout):
    kwargs, (X, y, sw), _ = make_problem("squared", layout, weights=True)
    fused = FusedSparseGroupRegressor(0.1, 0.0, 0.2, tol=1e-12, **kwargs)
    plain = SparseGroupRegressor(0.2, 0.1, tol=1e-12, **kwargs)
    fused.fit(X, y, sample_weight=sw)
    plain.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fused.coef_, plain.coef_, atol=1e-8)
    np.testing.assert_allclose(fused.intercept_, plain.intercept_, atol=1e-8)


def test_a_strong_fused_term_gives_every_task_the_same_weights():
    kwargs, (X, y, _), _ = make_problem("squared", "indexed")
    model = FusedSparseGroupRegressor(0.01, 1e4, 0.01, tol=1e-10, **kwargs).fit(X, y)
    np.testing.assert_allclose(model.coef_, model.coef_[:1].repeat(4, 0), atol=1e-9)
    assert np.any(model.coef_ != 0)


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_alpha_max_is_the_first_scale_with_all_zero_coefficients(loss, layout):
    """Scaling all three strengths by c: zero weights from the dual norm of the
    loss gradient at zero (with the best intercepts) on."""
    kwargs, (X, y, sw), obs = make_problem(loss, layout, missing=True, weights=True)
    relative = (0.3, 1.0, 0.5)
    c_max = cvxpy_dual_norm(gradient_at_zero(obs, loss), relative)
    model_class = ESTIMATORS[loss]

    def fit(c):
        strengths = [c * s for s in relative]
        return model_class(*strengths, **kwargs).fit(X, y, sample_weight=sw).coef_

    assert np.all(fit(c_max * (1 + 1e-6)) == 0)
    assert np.any(fit(c_max * (1 - 1e-3)) != 0)
    assert np.all(fit(1e6 * c_max) == 0)


def test_no_penalty_but_the_fused_term_is_refused():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="alpha_sparse > 0 or alpha_group > 0"):
        FusedSparseGroupRegressor(0.0, 1.0, 0.0).fit(X, X[:, :2])


@pytest.mark.parametrize("kind", ["regression", "classification"])
def test_grid_search_in_a_pipeline_on_a_task_indexed_frame(kind):
    """Scaled features, the task column by name, folds on the task: the search's
    refit is the plain fit at the chosen strengths, and it pickles."""
    from .test_sklearn_compat import scaled_pipeline, school_like_frame

    X, y = school_like_frame(kind)
    if kind == "regression":
        model, grid = FusedSparseGroupRegressor, [0.01, 0.1]
    else:
        model, grid = FusedSparseGroupClassifier, [0.001, 0.01]
    name = model.__name__.lower()
    search = GridSearchCV(
        scaled_pipeline(model(task_column="school", tol=1e-10)),
        {f"{name}__alpha_fused": grid, f"{name}__alpha_group": grid},
        cv=TaskStratifiedKFold(
            3,
            task_column="school",
            stratify_target=kind != "regression",
            shuffle=True,
            random_state=0,
        ),
    ).fit(X, y)
    best = search.best_estimator_
    assert list(best[-1].tasks_) == [f"school_{t}" for t in range(6)]
    params = {k.split("__")[1]: v for k, v in search.best_params_.items()}
    plain = scaled_pipeline(model(task_column="school", tol=1e-10, **params)).fit(X, y)
    np.testing.assert_array_equal(plain[-1].coef_, best[-1].coef_)
    restored = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
