"""Warm-started paths (``solvers.solve_path``) and their secant starts.

Oracles: a cold solve of each penalty of the path, certified by its own
duality gap (the objectives must agree, since L1 solutions need not be
unique), and the objective itself for the choice of the starting point.
"""

import numpy as np
import pytest

from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.penalties import (
    L1,
    L21,
    BasePenalty,
    MeanRegularization,
    SharedComponent,
    SparseGroupL21,
)
from skmtl.solvers import _dispatch as dispatch
from skmtl.solvers import _fista as fista
from skmtl.solvers import solve, solve_path
from skmtl.solvers._certificate import objective

rng = np.random.default_rng(7)
TOL = 1e-9


def task_data(n_tasks=5, n_rows=30, n_features=12, seed=2, binary=False):
    """Ill-conditioned task-indexed data, the same whichever tests ran before
    (``binary``: the targets thresholded at their median)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_tasks * n_rows, n_features))
    X[:, 1] = X[:, 0] + 0.05 * rng.normal(size=len(X))  # ill-conditioned
    tasks = np.repeat(np.arange(n_tasks), n_rows)
    coef = np.zeros((n_tasks, n_features))
    coef[:, :4] = rng.normal(size=(n_tasks, 4))
    y = np.einsum("ij,ij->i", X, coef[tasks]) + 0.5 * rng.normal(size=len(tasks))
    if binary:
        y = (y > np.median(y)) * 1.0
    return make_task_data(X, y, task_ids=tasks)


FAMILIES = {
    "l21": lambda a: L21(a),
    "sparse-group": lambda a: SparseGroupL21(a, 0.3 * a),
    "lasso": lambda a: L1(a),
}
GRID = np.geomspace(0.3, 0.003, 15)


def _path(data, penalties):
    return list(solve_path(data, SquaredLoss(), penalties, tol=TOL, max_iter=100_000))


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("order", ["decreasing", "shuffled"])
def test_every_path_point_is_the_cold_solution(name, order):
    data = task_data()
    alphas = GRID if order == "decreasing" else rng.permutation(GRID)
    penalties = [FAMILIES[name](a) for a in alphas]
    for penalty, result in zip(penalties, _path(data, penalties), strict=True):
        assert result.dual_gap <= TOL * result.objective
        cold = solve(data, SquaredLoss(), penalty, tol=TOL, max_iter=100_000)
        value = objective(data, SquaredLoss(), penalty, result.coef, result.intercept)
        assert value == pytest.approx(cold.objective, rel=5 * TOL)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_secant_start_saves_iterations_on_a_grid(name, monkeypatch):
    data = task_data()
    penalties = [FAMILIES[name](a) for a in GRID]
    with_secant = sum(r.n_iter for r in _path(data, penalties))
    monkeypatch.setattr(fista, "_secant_start", lambda s, p, previous, W, b: W)
    without = sum(r.n_iter for r in _path(data, penalties))
    assert with_secant < without


def test_the_secant_start_is_never_worse_than_the_last_point():
    """Predicting across a strength that went back up overshoots: the last
    point is kept then, and the prediction is taken when it is better."""
    data = task_data()
    smooth = fista.make_smooth(data, SquaredLoss(), True)
    b = np.zeros(data.n_tasks)
    solutions = [r.coef for r in _path(data, [L21(a) for a in (0.1, 0.05)])]

    def value(penalty, V):
        return smooth.state(V, None).value + penalty.value(V)

    onward, back = L21(0.025), L21(0.2)
    ahead = fista._secant_start(smooth, onward, *solutions, b)
    assert value(onward, ahead) < value(onward, solutions[1])
    assert fista._secant_start(smooth, back, *solutions, b) is solutions[1]


def classification_data(n_tasks=4, n_rows=60, n_features=10):
    data = task_data(n_tasks, n_rows, n_features)
    labels = (data.Y > np.median(data.Y)).astype(float)
    return make_task_data(data.X, labels, task_ids=data.task_index)


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_logistic_path_matches_cold_solves(shuffled):
    """The proximal Newton path (warm starts, secant predictions): every
    point certified and at the cold solve's objective."""
    data = classification_data()
    grid = np.geomspace(0.05, 0.002, 8)
    penalties = [L21(a) for a in (rng.permutation(grid) if shuffled else grid)]
    results = solve_path(data, LogisticLoss(), penalties, tol=TOL, max_iter=1000)
    for penalty, result in zip(penalties, results, strict=True):
        assert result.dual_gap <= TOL * result.objective
        cold = solve(data, LogisticLoss(), penalty, tol=TOL, max_iter=1000)
        assert result.objective == pytest.approx(cold.objective, rel=5 * TOL)


def test_the_secant_start_saves_newton_steps_on_a_logistic_grid(monkeypatch):
    data = classification_data()
    penalties = [L21(a) for a in np.geomspace(0.05, 0.002, 12)]

    def steps():
        results = solve_path(data, LogisticLoss(), penalties, tol=TOL, max_iter=1000)
        return sum(r.n_iter for r in results)

    with_secant = steps()
    monkeypatch.setattr(dispatch, "_secant_start", lambda d, f, p, before, W, b: (W, b))
    assert with_secant < steps()


def test_a_path_changes_solver_where_its_own_does_not_apply():
    """A CV grid walks couplings 0, 10, inf in one path: truncated Newton,
    picked for the first, does not take the pooled model, which gets "auto"'s
    choice (L-BFGS); every point is the cold solution."""
    from skmtl.penalties import MeanRegularization

    X = rng.normal(size=(80, 60))  # over 10 features: not Newton's blocks
    Y = (X[:, :3] @ rng.normal(size=(3, 4)) + rng.normal(size=(80, 4)) > 0) * 1.0
    data = make_task_data(X, Y)
    datafit = LogisticLoss()
    penalties = [MeanRegularization(0.05, c) for c in (0.0, 10.0, np.inf)]
    assert dispatch.auto_solver(data, datafit, penalties[0]) == "newton_cg"
    for penalty, result in zip(
        penalties, solve_path(data, datafit, penalties, tol=TOL), strict=True
    ):
        cold = solve(data, datafit, penalty, tol=TOL)
        assert result.dual_gap <= TOL * result.objective
        assert abs(result.objective - cold.objective) <= 2 * TOL * cold.objective


@pytest.mark.parametrize(
    "loss", [SquaredLoss(), LogisticLoss()], ids=["squared", "logistic"]
)
def test_a_path_restarts_where_the_variables_change(loss):
    """A CV grid of alpha_shared with inf mixes penalties of (w0, V) and of W
    alone: each run of one kind is its own warm path, every point the cold
    solution."""
    data = task_data(binary=isinstance(loss, LogisticLoss))
    alphas = [0.1, 0.03]
    shared = [SharedComponent(L21(a), 0.01) for a in alphas]
    penalties = [*shared, *(L21(a) for a in alphas), *shared]
    results = list(solve_path(data, loss, penalties, tol=TOL, max_iter=100_000))
    kinds = [r.parts is not None for r in results]
    assert kinds == [True, True, False, False, True, True]
    for penalty, result in zip(penalties, results, strict=True):
        cold = solve(data, loss, penalty, tol=TOL, max_iter=100_000)
        assert result.dual_gap <= TOL * result.objective
        assert abs(result.objective - cold.objective) <= 2 * TOL * cold.objective


@pytest.mark.parametrize("shared", [False, True])
def test_a_mean_regularized_path_factorises_once_and_matches_cold_solves(
    shared, monkeypatch
):
    """A closed-form path (a CV grid over alpha and the coupling) solves every
    point in the eigenbases of the blocks, computed once; each point equals
    the direct solve of a single fit, to round-off, and is certified."""
    if shared:
        X, Y = rng.normal(size=(60, 8)), rng.normal(size=(60, 3))
        data = make_task_data(X, Y)
    else:
        data = task_data()
    penalties = [
        MeanRegularization(alpha, coupling)
        for coupling in (0.0, 1.7, 1e12, np.inf)
        for alpha in (1.0, 0.01, 1e-5)
    ]
    calls = []
    eigh = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda A: calls.append(A.shape) or eigh(A))
    path = _path(data, penalties)
    n_blocks = 1 if shared else data.n_tasks
    assert calls == [(n_blocks, data.n_features, data.n_features)]
    for penalty, result in zip(penalties, path, strict=True):
        assert result.n_iter == 1  # the closed form, accepted by its certificate
        assert result.dual_gap <= TOL * result.objective
        single = solve(data, SquaredLoss(), penalty, tol=TOL)
        np.testing.assert_allclose(result.coef, single.coef, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(result.intercept, single.intercept, atol=1e-10)


class _Ridge(BasePenalty):
    """A user's quadratic penalty, written to the documented interface:
    ``solve_newton_system(H, R)``, without the spectral capability."""

    capabilities = frozenset({"newton_system", "conjugate", "gradient"})

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, W):
        return self.alpha * float(np.sum(W**2))

    def gradient(self, W):
        return 2 * self.alpha * W

    def conjugate(self, V):
        return float(np.sum(V**2)) / (4 * self.alpha)

    def dual_scale(self, V):
        return 1.0

    def solve_newton_system(self, H, R):
        eye = 2 * self.alpha * np.eye(H.shape[-1])
        return np.linalg.solve(H + eye, R[:, :, None])[:, :, 0]

    def as_cvxpy(self, W):
        import cvxpy as cp

        return self.alpha * cp.sum_squares(W)


def test_a_closed_form_path_takes_penalties_without_the_spectral_solve():
    data = task_data()
    penalties = [_Ridge(alpha) for alpha in (1.0, 0.1, 0.01, 0.001)]
    for penalty, result in zip(penalties, _path(data, penalties), strict=True):
        assert result.n_iter == 1 and result.dual_gap <= TOL * result.objective
        single = solve(data, SquaredLoss(), MeanRegularization(penalty.alpha, 0.0))
        np.testing.assert_allclose(result.coef, single.coef, rtol=1e-8, atol=1e-10)
