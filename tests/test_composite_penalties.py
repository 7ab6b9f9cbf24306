"""A task-coupling quadratic plus a proximable penalty, solved by the proximal
solvers with the quadratic in the smooth part, against cvxpy."""

import numpy as np
import pytest

from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.penalties import L21, QuadraticPlusPenalty, TaskQuadratic
from skmtl.solvers import solve

from ._oracles import (
    Observations,
    _cvxpy_minimize,
    l21_value,
    loss_value,
    solve_reference,
)
from .test_mean_regularized import make_problem


def mean_pull_matrix(T, alpha, coupling):
    """``M`` of alpha (sum ||w_t||^2 + coupling sum ||w_t - mean||^2) = tr(W'MW)/2."""
    centring = np.eye(T) - np.ones((T, T)) / T
    return 2 * alpha * (np.eye(T) + coupling * centring)


def task_data(layout, loss, missing, weights):
    _, (X, y, sw), obs = make_problem(loss, layout, missing=missing, weights=weights)
    if layout == "shared":
        return make_task_data(X, y, sample_weight=sw), obs
    features = np.delete(X, 2, axis=1).astype(float)
    return make_task_data(features, y, task_ids=X[:, 2], sample_weight=sw), obs


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize(
    "layout, missing, weights",
    [("shared", True, True), ("indexed", False, True), ("shared", False, False)],
)
def test_quadratic_plus_l21_matches_cvxpy(loss, layout, missing, weights):
    data, obs = task_data(layout, loss, missing, weights)
    T = obs.n_tasks
    alpha = 0.02 if loss == "logistic" else 0.1
    M = mean_pull_matrix(T, 0.05, 3.0)
    penalty = QuadraticPlusPenalty(TaskQuadratic(M), L21(alpha))
    datafit = SquaredLoss() if loss == "squared" else LogisticLoss()

    import cvxpy as cp

    W_var = cp.Variable((T, obs.X.shape[1]))
    W_ref, b_ref = _cvxpy_minimize(
        obs, W_var, penalty.as_cvxpy(W_var), loss, fit_intercept=True
    )

    def objective(W, b):
        quadratic = 0.5 * np.sum(W * (M @ W))
        return loss_value(obs, W, b, loss) + quadratic + l21_value(W, alpha)

    reference = objective(W_ref, b_ref)
    solvers = ["fista"] + (["prox_newton"] if loss == "logistic" else [])
    for solver in solvers:
        result = solve(data, datafit, penalty, solver=solver, tol=1e-10, max_iter=10**5)
        ours = objective(result.coef, result.intercept)
        assert ours <= reference * (1 + 1e-6), solver
        assert reference <= ours * (1 + 1e-6), solver
        # The certificate bounds the true suboptimality and is tight.
        assert result.dual_gap >= ours - reference - 1e-9 * reference
        assert result.dual_gap <= 1e-10 * ours + 1e-14
        np.testing.assert_allclose(result.coef, W_ref, atol=1e-3)


def test_working_sets_with_a_quadratic_part():
    """More features than WORKING_SET_MIN: the quadratic joins every restricted
    problem, the certificate is on all features."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 120))
    W_true = rng.normal(size=(4, 120)) * (np.arange(120) < 5)
    Y = X @ W_true.T + rng.normal(size=(60, 4))
    data = make_task_data(X, Y)
    obs = Observations.shared(X, Y)
    M = mean_pull_matrix(4, 0.01, 10.0)
    penalty = QuadraticPlusPenalty(TaskQuadratic(M), L21(0.3))

    import cvxpy as cp

    W_var = cp.Variable((4, 120))
    W_ref, b_ref = _cvxpy_minimize(obs, W_var, penalty.as_cvxpy(W_var), "squared", True)
    result = solve(data, SquaredLoss(), penalty, solver="fista", tol=1e-10)

    def objective(W, b):
        return (
            loss_value(obs, W, b, "squared")
            + 0.5 * np.sum(W * (M @ W))
            + l21_value(W, 0.3)
        )

    assert objective(result.coef, result.intercept) <= objective(W_ref, b_ref) * (
        1 + 1e-6
    )
    assert np.count_nonzero(np.any(result.coef != 0, axis=0)) < 60


def test_the_bound_on_the_conjugate_is_exact_at_the_optimum():
    """dual_term gives q(W) + r*(V - grad q(W)); with V = -grad f at the
    optimum the dual equals the primal: checked through the gap above, and
    here the bound is never below the true conjugate (cvxpy sup)."""
    import cvxpy as cp

    rng = np.random.default_rng(2)
    T, p = 3, 4
    M = mean_pull_matrix(T, 0.3, 2.0)
    penalty = QuadraticPlusPenalty(TaskQuadratic(M), L21(0.5))
    for _ in range(5):
        V, W = rng.normal(size=(T, p)), rng.normal(size=(T, p))
        s, bound = penalty.dual_term(V, W)
        U = cp.Variable((T, p))
        true = cp.Problem(
            cp.Maximize(cp.sum(cp.multiply(s * V, U)) - penalty.as_cvxpy(U))
        )
        solve_reference(true)
        assert 0 < s <= 1
        assert bound >= true.value - 1e-7 * (1 + abs(true.value))
