"""The trace norm's fast paths: spectral shrinkage from the Gram matrix, and
Newton steps on the factors of an identified rank (``solvers._factored_newton``).

Oracles: the SVD (numpy's, of the same matrix); finite differences of the
factored objective; cvxpy's solve of the trace-norm problem; the duality
gap, which bounds the suboptimality of any point; FISTA without the Newton
steps.
"""

import numpy as np
import pytest

from skmtl._task_data import make_task_data
from skmtl.datafits import SquaredLoss
from skmtl.penalties import NuclearNorm, SquaredTraceNorm
from skmtl.penalties._spectral import shrink_spectrum, spectral_norm
from skmtl.solvers import _factored_newton as factored_newton
from skmtl.solvers import _fista as fista
from skmtl.solvers._smooth import GramSmooth

from ._oracles import (
    Observations,
    cvxpy_solve_nuclear,
    cvxpy_solve_squared_trace,
    loss_value,
    nuclear_value,
    squared_trace_value,
)
from ._polishers import assert_newton_steps_save_iterations

rng = np.random.default_rng(11)


def soft_threshold(threshold):
    return lambda sigma: np.where(sigma > threshold, sigma - threshold, 0.0)


def svd_shrink(W, shrink):
    U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
    return (U * shrink(sigma)) @ Vt


def low_rank(shape, singular_values):
    U, _ = np.linalg.qr(rng.normal(size=(shape[0], len(singular_values))))
    V, _ = np.linalg.qr(rng.normal(size=(shape[1], len(singular_values))))
    return (U * singular_values) @ V.T


MATRICES = {
    "tall": lambda: rng.normal(size=(40, 7)),
    "wide": lambda: rng.normal(size=(5, 30)),
    "square": lambda: rng.normal(size=(6, 6)),
    "rank-deficient": lambda: low_rank((30, 8), [5.0, 2.0, 1.0]),
    "one-column": lambda: rng.normal(size=(9, 1)),
    # a kept singular value below 1e-4 of the largest: the Gram matrix would
    # lose its digits, so the SVD is used
    "spread": lambda: low_rank((20, 6), [1e3, 10.0, 1e-3, 1e-5]),
}


@pytest.mark.parametrize("name", sorted(MATRICES))
@pytest.mark.parametrize("threshold", [0.0, 1e-6, 0.5, 3.0, 1e4])
def test_shrink_spectrum_matches_the_svd(name, threshold):
    W = MATRICES[name]()
    shrink = soft_threshold(threshold)
    out, shrunk = shrink_spectrum(W, shrink)
    expected = svd_shrink(W, shrink)
    scale = max(np.linalg.norm(W, 2), 1.0)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(
        np.sort(shrunk[shrunk > 0]),
        np.sort(np.linalg.svd(expected, compute_uv=False)[: np.count_nonzero(shrunk)]),
        rtol=1e-10,
        atol=1e-12 * scale,
    )


@pytest.mark.parametrize("name", sorted(MATRICES))
@pytest.mark.parametrize("magnitude", [1.0, 1e160, 1e-170])  # squares over/underflow
def test_spectral_norm_matches_numpy(name, magnitude):
    V = magnitude * MATRICES[name]()
    assert spectral_norm(V) == pytest.approx(np.linalg.norm(V, 2), rel=1e-14)
    assert spectral_norm(np.zeros((0, 3))) == 0.0
    assert spectral_norm(np.zeros((4, 3))) == 0.0


@pytest.mark.parametrize("magnitude", [1e160, 1e-170])
def test_shrinkage_keeps_its_digits_at_extreme_magnitudes(magnitude):
    """Squared entries beyond float64's range (the Gram matrix of ``W``
    itself would be inf or 0) still give the SVD's shrinkage."""
    W = MATRICES["wide"]()
    shrink = soft_threshold(0.5 * magnitude)
    out, _ = shrink_spectrum(magnitude * W, shrink)
    expected = svd_shrink(magnitude * W, shrink)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12 * magnitude * 10)
    assert np.count_nonzero(out) > 0


@pytest.mark.parametrize("penalty", [NuclearNorm(0.7), SquaredTraceNorm(0.05)])
def test_the_value_at_a_proximal_point_is_never_stale(penalty):
    """The value of a prox output comes from the shrunk singular values; the
    same array changed in place, or an equal copy, gets its own value."""

    def exact(W):
        sigma = np.linalg.svd(W, compute_uv=False).sum()
        return penalty.alpha * (sigma if isinstance(penalty, NuclearNorm) else sigma**2)

    W = rng.normal(size=(12, 5))
    out = penalty.prox(W, 0.3)
    assert penalty.value(out) == pytest.approx(exact(out), rel=1e-12)
    assert penalty.value(out.copy()) == pytest.approx(exact(out), rel=1e-12)
    out[0, 0] += 1.0
    assert penalty.value(out) == pytest.approx(exact(out), rel=1e-12)


def test_nuclear_dual_term_is_the_scale_and_the_conjugate():
    penalty = NuclearNorm(0.7)
    for V in (rng.normal(size=(8, 4)), 0.01 * rng.normal(size=(8, 4))):
        scale, conjugate = penalty.dual_term(V, None)
        assert scale == penalty.dual_scale(V)
        assert conjugate == penalty.conjugate(scale * V) == 0.0
        assert np.linalg.norm(scale * V, 2) <= 0.7 * (1 + 1e-12)


# -- Newton steps on the factors ---------------------------------------------------


def low_rank_problem(n_tasks=12, n_rows=30, n_features=6):
    """Task weights of rank 2 on nearly collinear features (ill-conditioned)."""
    X = rng.normal(size=(n_tasks * n_rows, 1)) + 0.05 * rng.normal(
        size=(n_tasks * n_rows, n_features)
    )
    X[:, :2] = rng.normal(size=(n_tasks * n_rows, 2))
    tasks = np.repeat(np.arange(n_tasks), n_rows)
    coef = low_rank((n_tasks, n_features), [6.0, 3.0])
    y = np.einsum("ij,ij->i", X, coef[tasks]) + 0.5 * rng.normal(size=len(tasks))
    return X, y, tasks


ALPHA = 0.05
# name -> (penalty, its value and cvxpy solve as oracles)
PENALTIES = {
    "trace": (NuclearNorm(ALPHA), nuclear_value, cvxpy_solve_nuclear),
    "squared-trace": (
        SquaredTraceNorm(0.004),
        squared_trace_value,
        cvxpy_solve_squared_trace,
    ),
}


def shared_low_rank_problem(n_rows=200, n_tasks=10, n_features=6):
    """The shared design, every target observed: one Gram matrix for all tasks."""
    X = rng.normal(size=(n_rows, 1)) + 0.05 * rng.normal(size=(n_rows, n_features))
    X[:, :2] = rng.normal(size=(n_rows, 2))
    coef = low_rank((n_tasks, n_features), [6.0, 3.0])
    Y = X @ coef.T + 0.5 * rng.normal(size=(n_rows, n_tasks))
    return X, Y


@pytest.fixture(scope="module", params=["indexed", "shared"])
def problem(request):
    if request.param == "shared":
        X, Y = shared_low_rank_problem()
        smooth = GramSmooth(make_task_data(X, Y), fit_intercept=True)
        assert smooth.shared
        return smooth, Observations.shared(X, Y)
    X, y, tasks = low_rank_problem()
    data = make_task_data(X, y, task_ids=tasks)
    return GramSmooth(data, fit_intercept=True), Observations.indexed(X, y, tasks)


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_the_factored_gradient_and_hessian_match_finite_differences(problem, name):
    smooth, _ = problem
    T, p, r = smooth.g.shape[0], smooth.g.shape[1], 3
    model = factored_newton._Factored(smooth, PENALTIES[name][0].factored, T, p)
    z = rng.normal(size=(T + p) * r)
    G, gradient = model.gradient(z)
    direction = rng.normal(size=z.size)
    h = 1e-6
    numeric = (
        model.objective(z + h * direction) - model.objective(z - h * direction)
    ) / (2 * h)
    assert gradient @ direction == pytest.approx(numeric, rel=1e-6)
    numeric_hessian = (
        model.gradient(z + h * direction)[1] - model.gradient(z - h * direction)[1]
    ) / (2 * h)
    np.testing.assert_allclose(
        model.hessian_product(z, G)(direction), numeric_hessian, rtol=1e-5, atol=1e-7
    )


def balanced_factors(W, rank):
    U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
    root = np.sqrt(sigma[:rank])
    return U[:, :rank] * root, Vt[:rank].T * root


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_newton_from_near_the_optimum_reaches_the_cvxpy_solution(
    problem, monkeypatch, name
):
    smooth, obs = problem
    penalty, penalty_value, cvxpy_solve = PENALTIES[name]
    start = np.zeros_like(smooth.g)
    monkeypatch.setattr(factored_newton, "MAX_STEPS", 0)
    rough, _ = fista.run_fista(smooth, penalty, start, None, 1e-4, 100_000)
    monkeypatch.undo()
    rank = np.linalg.matrix_rank(rough.W)
    step = 1.0 / smooth.lipschitz()
    certified, W, n_steps = factored_newton.newton_on_factors(
        smooth, penalty, *balanced_factors(rough.W, rank), step, 1e-12, 0.0
    )
    assert certified is not None, "no certificate"
    assert certified.gap <= 1e-12 * certified.primal
    assert n_steps <= 6
    np.testing.assert_array_equal(certified.W, W)

    W_ref, b_ref = cvxpy_solve(obs, penalty.alpha, "squared")
    b = smooth.intercept(W)
    ours = loss_value(obs, W, b, "squared") + penalty_value(W, penalty.alpha)
    reference = loss_value(obs, W_ref, b_ref, "squared") + penalty_value(
        W_ref, penalty.alpha
    )
    assert ours <= reference * (1 + 1e-9)
    assert ours == pytest.approx(certified.primal, rel=1e-12)
    # the surplus factors were set to zero: the solution's own rank
    sigma_ref = np.linalg.svd(W_ref, compute_uv=False)
    rank = np.count_nonzero(sigma_ref > 1e-6 * sigma_ref[0])
    assert 1 < rank < min(W.shape)  # the penalty is active, not total
    assert np.linalg.matrix_rank(W) == rank


def test_a_too_small_rank_never_worsens_the_point(problem):
    smooth, _ = problem
    penalty = NuclearNorm(ALPHA)
    start = np.zeros_like(smooth.g)
    exact, _ = fista.run_fista(smooth, penalty, start, None, 1e-12, 100_000)
    assert np.linalg.matrix_rank(exact.W) >= 2
    L, R = balanced_factors(exact.W, 1)
    wrong = L @ R.T

    def objective(W):
        return smooth.state(W).value + penalty.value(W)

    step = 1.0 / smooth.lipschitz()
    certified, W, _ = factored_newton.newton_on_factors(
        smooth, penalty, L, R, step, 1e-12, 0.0
    )
    if certified is None:
        assert W is None or objective(W) <= objective(wrong)
    else:  # the proximal step restored the rank
        assert np.linalg.matrix_rank(certified.W) >= 2
        assert certified.gap <= 1e-12 * certified.primal


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_fista_with_factored_newton_needs_far_fewer_iterations(
    problem, monkeypatch, name
):
    smooth, _ = problem
    start = np.zeros_like(smooth.g)
    assert_newton_steps_save_iterations(
        smooth, PENALTIES[name][0], start, factored_newton, monkeypatch
    )


def test_a_path_with_factored_newton_matches_cold_fits():
    """Warm starts along a path through the rank changes: every point is
    certified and equals (in objective) a fit without the Newton steps."""
    from skmtl.solvers import solve_path

    X, y, tasks = low_rank_problem()
    data = make_task_data(X, y, task_ids=tasks)
    alphas = np.geomspace(1.0, 1e-3, 12)
    penalties = [NuclearNorm(a) for a in alphas]
    for penalty, result in zip(
        penalties, solve_path(data, SquaredLoss(), penalties, tol=1e-10), strict=True
    ):
        assert result.dual_gap <= 1e-10 * result.objective
        smooth = GramSmooth(data, fit_intercept=True)
        start = np.zeros_like(smooth.g)
        cold, _ = fista.run_fista(smooth, penalty, start, None, 1e-12, 100_000)
        assert result.objective == pytest.approx(cold.primal, rel=2e-10)
