"""Newton steps on the support that FISTA identified (``solvers._active_newton``).

Oracles: the Newton system built densely, entry by entry, from the
definitions of the Hessians (not through the Woodbury identity); the
duality gap, which bounds the suboptimality of any point; and FISTA run
without the Newton steps.
"""

import numpy as np
import pytest

from skmtl._task_data import make_task_data
from skmtl.datafits import SquaredLoss
from skmtl.penalties import L1, L21, SparseGroupL21
from skmtl.solvers import _active_newton as active_newton
from skmtl.solvers import _fista as fista
from skmtl.solvers._smooth import GramSmooth

from ._polishers import assert_newton_steps_save_iterations

rng = np.random.default_rng(4)


def ill_conditioned_data(n_tasks=6, n_rows=25, n_features=8):
    """Task-indexed data whose features are nearly collinear within tasks."""
    base = rng.normal(size=(n_tasks * n_rows, 1))
    X = base + 0.1 * rng.normal(size=(n_tasks * n_rows, n_features))
    X[:, : n_features // 2] = rng.normal(size=(n_tasks * n_rows, n_features // 2))
    tasks = np.repeat(np.arange(n_tasks), n_rows)
    coef = np.zeros((n_tasks, n_features))
    coef[:, 2:7] = rng.normal(size=(n_tasks, 5))  # on the collinear features too
    y = np.einsum("ij,ij->i", X, coef[tasks]) + 0.3 * rng.normal(size=len(tasks))
    return make_task_data(X, y, task_ids=tasks)


PENALTIES = {
    "l21": lambda: L21(0.02, l2=0.003),
    "l21-no-ridge": lambda: L21(0.02),
    "sparse-group": lambda: SparseGroupL21(0.015, 0.01),
    "lasso": lambda: L1(0.01),
}


def dense_hessian(smooth, penalty, W):
    """The objective's Hessian on all ``T p`` entries, from the definitions."""
    T, p = W.shape
    hessian = np.zeros((T * p, T * p))
    for t in range(T):
        hessian[t * p : (t + 1) * p, t * p : (t + 1) * p] = smooth.H[t]
    if isinstance(penalty, L21):
        group, l2 = penalty.alpha, penalty.l2
    elif isinstance(penalty, L1):  # linear on each orthant
        group, l2 = 0.0, 0.0
    else:
        group, l2 = penalty.alpha_group, 0.0
    for j in range(p):
        w = W[:, j]
        norm = np.linalg.norm(w)
        idx = np.arange(T) * p + j
        block = l2 * np.eye(T)
        if norm > 0:
            block += group * (np.eye(T) / norm - np.outer(w, w) / norm**3)
        hessian[np.ix_(idx, idx)] += block
    return hessian


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_the_woodbury_direction_solves_the_dense_newton_system(name):
    data = ill_conditioned_data()
    smooth = GramSmooth(data, fit_intercept=True)
    penalty = PENALTIES[name]()
    W = rng.normal(size=(data.n_tasks, data.n_features))
    W[:, [1, 5]] = 0.0  # two features off the support
    if name in ("sparse-group", "lasso"):
        W[rng.random(W.shape) < 0.2] = 0.0  # and single entries
    loss_gradient = smooth.state(W).Z - smooth.g
    curvature = penalty.active_curvature(W)
    direction, gradient = active_newton._direction(smooth, W, loss_gradient, curvature)
    on = curvature.mask.ravel()
    hessian = dense_hessian(smooth, penalty, W)[np.ix_(on, on)]
    expected = np.zeros(W.size)
    expected[on] = -np.linalg.solve(hessian, gradient.ravel()[on])
    # (The solver shifts its blocks by 1e-10 of their largest curvature.)
    np.testing.assert_allclose(direction.ravel(), expected, rtol=1e-5, atol=1e-8)
    assert np.all(direction[~curvature.mask] == 0)


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_penalty_gradient_on_the_support_matches_finite_differences(name):
    penalty = PENALTIES[name]()
    W = rng.normal(size=(5, 6))
    W[:, 2] = 0.0
    curvature = penalty.active_curvature(W)
    for t, j in zip(*np.nonzero(curvature.mask), strict=True):
        step = np.zeros_like(W)
        step[t, j] = 1e-6
        numeric = (penalty.value(W + step) - penalty.value(W - step)) / 2e-6
        assert numeric == pytest.approx(curvature.gradient[t, j], rel=1e-6, abs=1e-9)
    assert np.all(curvature.gradient[~curvature.mask] == 0)


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_newton_steps_from_near_the_optimum_certify_a_tight_gap(name):
    data = ill_conditioned_data()
    smooth = GramSmooth(data, fit_intercept=True)
    penalty = PENALTIES[name]()
    start = np.zeros((data.n_tasks, data.n_features))
    rough, _ = fista.run_fista(smooth, penalty, start, None, 1e-5, 100_000)
    step = 1.0 / smooth.lipschitz()
    certified, W, n_steps = active_newton.newton_on_support(
        smooth, penalty, rough.W, step, 1e-11, 0.0
    )
    assert certified is not None, "no certificate"
    assert certified.gap <= 1e-11 * certified.primal
    assert n_steps <= 5  # FISTA alone needs hundreds of iterations here
    np.testing.assert_array_equal(certified.W, W)


def test_a_wrong_support_never_worsens_the_point():
    """Start with a needed feature removed: the result is at least as good."""
    data = ill_conditioned_data()
    smooth = GramSmooth(data, fit_intercept=True)
    penalty = PENALTIES["l21"]()
    start = np.zeros((data.n_tasks, data.n_features))
    exact, _ = fista.run_fista(smooth, penalty, start, None, 1e-12, 100_000)
    assert np.all(np.any(exact.W[:, 2:7] != 0, axis=0))
    wrong = exact.W.copy()
    wrong[:, 2] = 0.0

    def objective(W):
        return smooth.state(W).value + penalty.value(W)

    step = 1.0 / smooth.lipschitz()
    certified, W, _ = active_newton.newton_on_support(
        smooth, penalty, wrong, step, 1e-12, 0.0
    )
    assert objective(W) <= objective(wrong)
    if certified is not None:  # the proximal steps restored the feature
        assert np.all(W[:, 2] != 0)
        assert certified.gap <= 1e-12 * certified.primal


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_fista_with_newton_steps_needs_far_fewer_iterations(name, monkeypatch):
    data = ill_conditioned_data()
    smooth = fista.make_smooth(data, SquaredLoss(), True)
    start = np.zeros((data.n_tasks, data.n_features))
    assert_newton_steps_save_iterations(
        smooth, PENALTIES[name](), start, active_newton, monkeypatch
    )


@pytest.mark.parametrize(
    "gaps, expected",
    [
        ([1.0, 1e-2, 1e-6], True),  # quadratic
        ([0.18, 0.014, 0.018], True),  # a rise while the support changes
        ([50.0, 42.0, 38.0], False),  # a crawl on a wrong support
        ([1.0, 0.9], True),  # too early to tell
    ],
)
def test_an_attempt_stops_when_newton_crawls(gaps, expected):
    seen = []
    results = [active_newton.converging(seen, gap) for gap in gaps]
    assert seen == gaps
    assert results[-1] is expected
    assert all(results[:-1])
