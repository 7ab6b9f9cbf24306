"""The conversions of ``docs/user_guide/coming_from_malsar_rmtl.rst`` hold.

Each test writes a MALSAR or RMTL objective the way that package's source code
computes it, solves it with cvxpy, fits the skmtl estimator with the converted
parameters and checks that the coefficients (and intercepts) agree. The
objectives follow the code, not the headers, where the two differ:

* MALSAR (github.com/jiayuzhou/MALSAR, ``MALSAR/functions``): ``Least_*``
  minimise ``sum_t 0.5 ||Y_t - X_t W(:, t)||^2`` without intercept, except
  ``Least_Dirty``, ``Least_rMTFL`` and ``Least_RMTL``, whose gradients
  (``2 X'(Xw - y)``) are those of ``sum_t ||Y_t - X_t W(:, t)||^2``, without the
  half; ``Logistic_*`` average the logistic loss within each task
  (``weight = ones(m, 1)/m``) and fit one intercept ``C(t)`` per task.
* RMTL (github.com/transbioZI/RMTL, ``R/utiles.R``): the squared loss of a task
  is ``0.5 * mean((y - x w - c)^2)``, the logistic loss its mean, both with an
  intercept ``c``; the losses add up over the tasks, plus ``Lam1 * Omega(W) +
  Lam2 * ||W||_F^2``.

Their ``W`` is (n_features, n_tasks), the transpose of ``coef_``; their data are
lists of per-task matrices, which become skmtl's task-indexed layout (task id in
column 0). Per-task means are reproduced by ``sample_weight = 1 / n_t``.
"""

import cvxpy as cp
import numpy as np
import pytest

import skmtl
from skmtl import (
    FusedSparseGroupClassifier,
    FusedSparseGroupRegressor,
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    L21Classifier,
    L21Regressor,
    LassoClassifier,
    LassoRegressor,
    MeanRegularizedRegressor,
    MultiTaskLinearModel,
    SparseGroupClassifier,
    SparseGroupRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
    TraceNormClassifier,
    TraceNormRegressor,
)
from skmtl.penalties import L1, NuclearNorm, TaskQuadratic

from ._oracles import solve_reference

ATOL = 1e-5
SIZES = (30, 40, 50, 35)  # rows per task: the tasks differ in size
N_FEATURES = 5


def _estimator(name, module):
    """``skmtl.<name>``, else from the private module while it is unexported."""
    if hasattr(skmtl, name):
        return getattr(skmtl, name)
    try:
        private = __import__(f"skmtl.linear_model.{module}", fromlist=[name])
    except ImportError:
        return None
    return getattr(private, name, None)


ClusteredRegressor = _estimator("ClusteredRegressor", "_clustered")
ClusteredClassifier = _estimator("ClusteredClassifier", "_clustered")
DirtyRegressor = _estimator("DirtyRegressor", "_decomposition")
DirtyClassifier = _estimator("DirtyClassifier", "_decomposition")
RobustFeatureLearningRegressor = _estimator(
    "RobustFeatureLearningRegressor", "_decomposition"
)
RobustFeatureLearningClassifier = _estimator(
    "RobustFeatureLearningClassifier", "_decomposition"
)
RobustLowRankRegressor = _estimator("RobustLowRankRegressor", "_decomposition")


def needs(estimator):
    return pytest.mark.skipif(estimator is None, reason="estimator not available")


# -- data in MALSAR/RMTL's form and in skmtl's ------------------------------------


def make_tasks(sizes=SIZES, classification=False, seed=0):
    """Lists ``Xs[t]`` (n_t, p) and ``ys[t]`` (n_t,): labels in {-1, 1} to classify."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(N_FEATURES, len(sizes)))
    W[3:] = 0.0
    Xs, ys = [], []
    for t, n_t in enumerate(sizes):
        X = rng.normal(size=(n_t, N_FEATURES))
        z = X @ W[:, t] + 0.5
        if classification:
            y = np.where(z + rng.logistic(size=n_t) > 0, 1.0, -1.0)
        else:
            y = z + 0.5 * rng.normal(size=n_t)
        Xs.append(X)
        ys.append(y)
    return Xs, ys


def task_indexed(Xs, ys):
    """Stack the tasks: ``X`` with the task id in column 0, ``y``, ``1 / n_t`` weights."""
    task = np.concatenate([np.full(len(y), t) for t, y in enumerate(ys)])
    weights = 1.0 / np.array([len(y) for y in ys])[task]
    return np.column_stack([task, np.vstack(Xs)]), np.concatenate(ys), weights


def chain_structure(T):
    """MALSAR's ``R`` of consecutive tasks (T, T - 1): ``W R`` = neighbour differences."""
    R = np.zeros((T, T - 1))
    R[np.arange(T - 1), np.arange(T - 1)] = 1.0
    R[np.arange(1, T), np.arange(T - 1)] = -1.0
    return R


# -- their losses, in their orientation --------------------------------------------


def malsar_least(Xs, ys, W, half=True):
    """``sum_t 0.5 ||Y_t - X_t W(:, t)||^2`` (``half=False``: without the 0.5)."""
    sse = sum(
        cp.sum_squares(y - X @ W[:, t])
        for t, (X, y) in enumerate(zip(Xs, ys, strict=True))
    )
    return 0.5 * sse if half else sse


def rmtl_least(Xs, ys, W, c):
    """RMTL's ``sum_t 0.5 * mean((y - x w - c)^2)``."""
    return sum(
        0.5 * cp.sum_squares(y - X @ W[:, t] - c[t]) / len(y)
        for t, (X, y) in enumerate(zip(Xs, ys, strict=True))
    )


def per_task_logistic(Xs, ys, W, c):
    """MALSAR's ``Logistic_*`` and RMTL's loss: the mean over each task, summed."""
    return sum(
        cp.sum(cp.logistic(-cp.multiply(y, X @ W[:, t] + c[t]))) / len(y)
        for t, (X, y) in enumerate(zip(Xs, ys, strict=True))
    )


def minimize(objective, constraints=()):
    problem = cp.Problem(cp.Minimize(objective), list(constraints))
    solve_reference(problem)
    return problem


def assert_agree(model, W, c=None):
    np.testing.assert_allclose(model.coef_, np.asarray(W).T, rtol=0, atol=ATOL)
    if c is None:
        np.testing.assert_array_equal(model.intercept_, 0.0)
    else:
        np.testing.assert_allclose(model.intercept_, c, rtol=0, atol=ATOL)


def variables(T, p=N_FEATURES, intercept=False):
    W = cp.Variable((p, T))
    return (W, cp.Variable(T)) if intercept else W


# -- MALSAR, least squares: alpha = rho / n ----------------------------------------


@pytest.mark.parametrize("rho_L2", [0.0, 3.0])
def test_least_lasso(rho_L2):
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1 = 20.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W) + rho1 * cp.sum(cp.abs(W)) + rho_L2 * cp.sum_squares(W)
    )
    common = dict(fit_intercept=False, task_column=0, tol=1e-10)
    if rho_L2 == 0:
        model = LassoRegressor(alpha=rho1 / n, **common)
    else:
        ridge = TaskQuadratic(2 * rho_L2 / n * np.eye(T))
        model = MultiTaskLinearModel("squared", [L1(rho1 / n), ridge], **common)
    assert_agree(model.fit(X, y), W.value)


def test_least_l21_with_ridge():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1, rho_L2 = 20.0, 3.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum(cp.norm(W, 2, axis=1))
        + rho_L2 * cp.sum_squares(W)
    )
    model = L21Regressor(
        alpha=rho1 / n, l2=2 * rho_L2 / n, fit_intercept=False, task_column=0, tol=1e-10
    )
    assert_agree(model.fit(X, y), W.value)


def test_least_l21_shared_design_counts_rows_once():
    """Every task on the same rows: ``n`` is the number of rows of ``X``."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, N_FEATURES))
    Y = X @ rng.normal(size=(N_FEATURES, 3)) + rng.normal(size=(40, 3))
    rho1 = 15.0
    W = variables(3)
    minimize(malsar_least([X] * 3, list(Y.T), W) + rho1 * cp.sum(cp.norm(W, 2, axis=1)))
    model = L21Regressor(alpha=rho1 / len(X), fit_intercept=False, tol=1e-10)
    assert_agree(model.fit(X, Y), W.value)


@pytest.mark.parametrize("rho_L2", [0.0, 3.0])
def test_least_trace(rho_L2):
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1 = 40.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W) + rho1 * cp.normNuc(W) + rho_L2 * cp.sum_squares(W)
    )
    common = dict(fit_intercept=False, task_column=0, tol=1e-10)
    if rho_L2 == 0:
        model = TraceNormRegressor(alpha=rho1 / n, **common)
    else:
        ridge = TaskQuadratic(2 * rho_L2 / n * np.eye(T))
        model = MultiTaskLinearModel(
            "squared", [NuclearNorm(rho1 / n), ridge], **common
        )
    assert_agree(model.fit(X, y), W.value)


@pytest.mark.parametrize("rho_L2", [0.0, 2.0])
def test_least_srmtl(rho_L2):
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    R = chain_structure(T)
    rho1, rho2 = 20.0, 10.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum_squares(W @ R)
        + rho2 * cp.sum(cp.abs(W))
        + rho_L2 * cp.sum_squares(W)
    )
    common = dict(fit_intercept=False, task_column=0, tol=1e-10)
    model = GraphRegularizedRegressor(
        R @ R.T, alpha=rho1 / n, l1=rho2 / n, l2=2 * rho_L2 / n, **common
    )
    assert_agree(model.fit(X, y), W.value)
    quadratic = TaskQuadratic(2 * (rho1 * R @ R.T + rho_L2 * np.eye(T)) / n)
    model = MultiTaskLinearModel("squared", [quadratic, L1(rho2 / n)], **common)
    assert_agree(model.fit(X, y), W.value)


def test_least_srmtl_all_related_is_mean_regularization():
    """``R = eye(t) - ones(t)/t`` plus ``rho_L2``: the mean-regularized model."""
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    R = np.eye(T) - np.ones((T, T)) / T
    rho1, rho_L2 = 30.0, 2.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum_squares(W @ R)
        + rho_L2 * cp.sum_squares(W)
    )
    model = MeanRegularizedRegressor(
        alpha=rho_L2 / n,
        coupling=rho1 / rho_L2,
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    )
    assert_agree(model.fit(X, y), W.value)
    # Without rho_L2: the complete graph, each pair weighted 1 / T.
    minimize(malsar_least(Xs, ys, W) + rho1 * cp.sum_squares(W @ R))
    complete = np.ones((T, T)) - np.eye(T)
    model = GraphRegularizedRegressor(
        complete, alpha=rho1 / (n * T), fit_intercept=False, task_column=0, tol=1e-10
    )
    assert_agree(model.fit(X, y), W.value)


def test_least_tgl():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    R = chain_structure(T)
    rho1, rho2, rho3 = 2.0, 15.0, 20.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum_squares(W)
        + rho2 * cp.sum_squares(W @ R)
        + rho3 * cp.sum(cp.norm(W, 2, axis=1))
    )
    model = TemporalGroupRegressor(
        rho1 / n, rho2 / n, rho3 / n, fit_intercept=False, task_column=0, tol=1e-10
    )
    assert_agree(model.fit(X, y), W.value)


def test_least_cfglasso_without_the_fused_term_is_the_sparse_group_lasso():
    """Least_CFGLasso with rho2 = 0: rho1 ||W||_1 + rho3 ||W||_{2,1}."""
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1, rho3 = 10.0, 20.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum(cp.abs(W))
        + rho3 * cp.sum(cp.norm(W, 2, axis=1))
    )
    model = SparseGroupRegressor(
        alpha_group=rho3 / n,
        alpha_sparse=rho1 / n,
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    )
    assert_agree(model.fit(X, y), W.value)


def test_least_cfglasso():
    """Least_CFGLasso: rho1 ||W||_1 + rho2 ||W R||_1 + rho3 ||W||_{2,1}."""
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    R = chain_structure(T)
    rho1, rho2, rho3 = 5.0, 30.0, 20.0
    W = variables(T)
    minimize(
        malsar_least(Xs, ys, W)
        + rho1 * cp.sum(cp.abs(W))
        + rho2 * cp.sum(cp.abs(W @ R))
        + rho3 * cp.sum(cp.norm(W, 2, axis=1))
    )
    model = FusedSparseGroupRegressor(
        alpha_sparse=rho1 / n,
        alpha_fused=rho2 / n,
        alpha_group=rho3 / n,
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    )
    assert_agree(model.fit(X, y), W.value)


def cmtl_penalty(W, rho1, rho2, k):
    """``rho1 eta (1 + eta) tr(W (eta I + M)^-1 W')`` and M's constraints."""
    T = W.shape[1]
    eta = rho2 / rho1
    M = cp.Variable((T, T), symmetric=True)
    constraints = [cp.trace(M) == k, M >> 0, np.eye(T) - M >> 0]
    value = rho1 * eta * (1 + eta) * cp.matrix_frac(W.T, eta * np.eye(T) + M)
    return value, constraints


@needs(ClusteredRegressor)
def test_least_cmtl():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1, rho2, k = 30.0, 5.0, 2
    W = variables(T)
    penalty, constraints = cmtl_penalty(W, rho1, rho2, k)
    minimize(malsar_least(Xs, ys, W) + penalty, constraints)
    # The clustered penalty's gap certifies about 1e-8 of the objective.
    model = ClusteredRegressor(
        k, alpha=rho1 / n, beta=rho2 / n, fit_intercept=False, task_column=0, tol=1e-8
    )
    assert_agree(model.fit(X, y), W.value)


# -- MALSAR's sums of squares without the half: alpha = rho / (2 n) ---------------


@needs(DirtyRegressor)
def test_least_dirty_is_the_l1_inf_group_norm():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    lambda1, lambda2 = 60.0, 40.0
    P, Q = variables(T), variables(T)
    # L1infnorm.m: sum over features (rows of P) of the largest magnitude.
    minimize(
        malsar_least(Xs, ys, P + Q, half=False)
        + lambda1 * cp.sum(cp.max(cp.abs(P), axis=1))
        + lambda2 * cp.sum(cp.abs(Q))
    )
    model = DirtyRegressor(
        lambda1 / (2 * n),
        lambda2 / (2 * n),
        group_norm="linf",
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    )
    assert_agree(model.fit(X, y), P.value + Q.value)
    # The Euclidean group norm is another model: it does not reproduce Least_Dirty.
    l2_model = DirtyRegressor(
        lambda1 / (2 * n),
        lambda2 / (2 * n),
        group_norm="l2",
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    ).fit(X, y)
    assert np.abs(l2_model.coef_ - (P.value + Q.value).T).max() > 100 * ATOL


@needs(RobustFeatureLearningRegressor)
def test_least_rmtfl():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    lambda1, lambda2 = 60.0, 40.0
    P, Q = variables(T), variables(T)
    # L12norm(P): rows (features); L12norm(Q'): columns of Q (tasks).
    minimize(
        malsar_least(Xs, ys, P + Q, half=False)
        + lambda1 * cp.sum(cp.norm(P, 2, axis=1))
        + lambda2 * cp.sum(cp.norm(Q, 2, axis=0))
    )
    model = RobustFeatureLearningRegressor(
        lambda1 / (2 * n),
        lambda2 / (2 * n),
        fit_intercept=False,
        task_column=0,
        tol=1e-10,
    )
    assert_agree(model.fit(X, y), P.value + Q.value)


@needs(RobustLowRankRegressor)
def test_least_rmtl():
    Xs, ys = make_tasks()
    X, y, _ = task_indexed(Xs, ys)
    n, T = len(y), len(ys)
    rho1, rho2 = 60.0, 40.0
    L, S = variables(T), variables(T)
    # solve_12_norm.m: the group norm of the columns of S (tasks).
    minimize(
        malsar_least(Xs, ys, L + S, half=False)
        + rho1 * cp.normNuc(L)
        + rho2 * cp.sum(cp.norm(S, 2, axis=0))
    )
    model = RobustLowRankRegressor(
        rho1 / (2 * n), rho2 / (2 * n), fit_intercept=False, task_column=0, tol=1e-10
    )
    assert_agree(model.fit(X, y), L.value + S.value)
    assert np.any(np.linalg.norm(S.value, axis=0) > 1e-3), "no outlier task: weak test"


# -- per-task means (MALSAR's Logistic_*, RMTL): sample_weight = 1 / n_t ------------


def test_rmtl_l21_with_ridge():
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    Lam1, Lam2 = 0.3, 0.05
    W, c = variables(T, intercept=True)
    minimize(
        rmtl_least(Xs, ys, W, c)
        + Lam1 * cp.sum(cp.norm(W, 2, axis=1))
        + Lam2 * cp.sum_squares(W)
    )
    model = L21Regressor(alpha=Lam1 / T, l2=2 * Lam2 / T, task_column=0, tol=1e-10)
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


@pytest.mark.parametrize("Lam2", [0.0, 0.05])
def test_rmtl_lasso(Lam2):
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    Lam1 = 0.2
    W, c = variables(T, intercept=True)
    minimize(
        rmtl_least(Xs, ys, W, c) + Lam1 * cp.sum(cp.abs(W)) + Lam2 * cp.sum_squares(W)
    )
    if Lam2 == 0:
        model = LassoRegressor(alpha=Lam1 / T, task_column=0, tol=1e-10)
    else:
        ridge = TaskQuadratic(2 * Lam2 / T * np.eye(T))
        model = MultiTaskLinearModel(
            "squared", [L1(Lam1 / T), ridge], task_column=0, tol=1e-10
        )
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


@pytest.mark.parametrize("Lam2", [0.0, 0.05])
def test_rmtl_trace(Lam2):
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    Lam1 = 0.6
    W, c = variables(T, intercept=True)
    # Trace_norm.R: trace_projection(., 2 * lam1 / gamma) thresholds at lam1 / gamma.
    minimize(rmtl_least(Xs, ys, W, c) + Lam1 * cp.normNuc(W) + Lam2 * cp.sum_squares(W))
    if Lam2 == 0:
        model = TraceNormRegressor(alpha=Lam1 / T, task_column=0, tol=1e-10)
    else:
        ridge = TaskQuadratic(2 * Lam2 / T * np.eye(T))
        model = MultiTaskLinearModel(
            "squared", [NuclearNorm(Lam1 / T), ridge], task_column=0, tol=1e-10
        )
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


def test_rmtl_graph_with_its_example_network():
    """Create_simulated_data's ``G`` for even t: ``G G'`` is a graph Laplacian."""
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    half = T // 2
    G = np.zeros((T, T))
    G[:half, :half] = -1.0 / half
    G[half:, half:] = -1.0 / half
    np.fill_diagonal(G, (half - 1) / half)
    Lam1 = 0.5
    W, c = variables(T, intercept=True)
    minimize(rmtl_least(Xs, ys, W, c) + Lam1 * cp.sum_squares(W @ G))
    model = GraphRegularizedRegressor(G @ G.T, alpha=Lam1 / T, task_column=0, tol=1e-10)
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


def test_rmtl_graph_any_network_with_ridge():
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    G = np.random.default_rng(3).normal(size=(T, 2))  # G G' is no Laplacian
    Lam1, Lam2 = 0.5, 0.05
    W, c = variables(T, intercept=True)
    minimize(
        rmtl_least(Xs, ys, W, c)
        + Lam1 * cp.sum_squares(W @ G)
        + Lam2 * cp.sum_squares(W)
    )
    quadratic = TaskQuadratic(2 * (Lam1 * G @ G.T + Lam2 * np.eye(T)) / T)
    model = MultiTaskLinearModel("squared", quadratic, task_column=0, tol=1e-10)
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


@needs(ClusteredRegressor)
def test_rmtl_cmtl():
    Xs, ys = make_tasks()
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    Lam1, Lam2, k = 0.5, 0.1, 2
    W, c = variables(T, intercept=True)
    penalty, constraints = cmtl_penalty(W, Lam1, Lam2, k)
    minimize(rmtl_least(Xs, ys, W, c) + penalty, constraints)
    model = ClusteredRegressor(
        k, alpha=Lam1 / T, beta=Lam2 / T, task_column=0, tol=1e-8
    )
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


def test_rmtl_squared_loss_on_the_shared_design_needs_no_factor():
    """Same rows for every task, complete ``Y``: skmtl's squared loss, normalised
    by rows, already equals RMTL's sum of per-task halved means."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, N_FEATURES))
    Y = X @ rng.normal(size=(N_FEATURES, 3)) + 1.0 + rng.normal(size=(40, 3))
    Lam1 = 0.4
    W, c = variables(3, intercept=True)
    minimize(
        rmtl_least([X] * 3, list(Y.T), W, c) + Lam1 * cp.sum(cp.norm(W, 2, axis=1))
    )
    model = L21Regressor(alpha=Lam1, tol=1e-10).fit(X, Y)
    assert_agree(model, W.value, c.value)


def l21_rows(W):
    return cp.sum(cp.norm(W, 2, axis=1))


def logistic_case(name, T):
    """Their penalty on ``W`` (or on ``P``, ``Q``) and the skmtl classifier."""
    rho1, rho2, rho_L2 = 0.05, 0.02, 0.01
    common = dict(task_column=0, tol=1e-10)
    R = chain_structure(T)
    cases = {
        "L21": (
            lambda W: rho1 * l21_rows(W) + rho_L2 * cp.sum_squares(W),
            lambda: L21Classifier(alpha=rho1 / T, l2=2 * rho_L2 / T, **common),
        ),
        "Lasso": (
            lambda W: rho1 * cp.sum(cp.abs(W)),
            lambda: LassoClassifier(alpha=rho1 / T, **common),
        ),
        "Trace": (
            lambda W: rho1 * cp.normNuc(W),
            lambda: TraceNormClassifier(alpha=rho1 / T, **common),
        ),
        "Trace with rho_L2": (
            lambda W: rho1 * cp.normNuc(W) + rho_L2 * cp.sum_squares(W),
            lambda: MultiTaskLinearModel(
                "logistic",
                [NuclearNorm(rho1 / T), TaskQuadratic(2 * rho_L2 / T * np.eye(T))],
                **common,
            ),
        ),
        "SRMTL": (
            lambda W: rho1 * cp.sum_squares(W @ R) + rho2 * cp.sum(cp.abs(W)),
            lambda: GraphRegularizedClassifier(
                R @ R.T, alpha=rho1 / T, l1=rho2 / T, **common
            ),
        ),
        "SRMTL with rho_L2": (
            lambda W: (
                rho1 * cp.sum_squares(W @ R)
                + rho2 * cp.sum(cp.abs(W))
                + rho_L2 * cp.sum_squares(W)
            ),
            lambda: MultiTaskLinearModel(
                "logistic",
                [
                    TaskQuadratic(2 * (rho1 * R @ R.T + rho_L2 * np.eye(T)) / T),
                    L1(rho2 / T),
                ],
                **common,
            ),
        ),
        "CFGLasso without the fused term": (
            lambda W: rho1 * cp.sum(cp.abs(W)) + rho2 * l21_rows(W),
            lambda: SparseGroupClassifier(
                alpha_group=rho2 / T, alpha_sparse=rho1 / T, **common
            ),
        ),
        "CFGLasso": (
            lambda W: (
                rho1 * cp.sum(cp.abs(W))
                + rho2 * cp.sum(cp.abs(W @ R))
                + rho_L2 * l21_rows(W)
            ),
            lambda: FusedSparseGroupClassifier(
                rho1 / T, rho2 / T, rho_L2 / T, **common
            ),
        ),
        "TGL": (
            lambda W: (
                rho_L2 * cp.sum_squares(W)
                + rho1 * cp.sum_squares(W @ R)
                + rho2 * l21_rows(W)
            ),
            lambda: TemporalGroupClassifier(rho_L2 / T, rho1 / T, rho2 / T, **common),
        ),
    }
    return cases[name]


@pytest.mark.parametrize(
    "name",
    [
        "L21",
        "Lasso",
        "Trace",
        "Trace with rho_L2",
        "SRMTL",
        "SRMTL with rho_L2",
        "CFGLasso without the fused term",
        "CFGLasso",
        "TGL",
    ],
)
def test_logistic_per_task_means(name):
    Xs, ys = make_tasks(sizes=(30, 40, 50), classification=True)
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    penalty, make_model = logistic_case(name, T)
    W, c = variables(T, intercept=True)
    minimize(per_task_logistic(Xs, ys, W, c) + penalty(W))
    model = make_model().fit(X, y, sample_weight=weights)
    assert_agree(model, W.value, c.value)


@pytest.mark.parametrize(
    "name, estimator",
    [("Dirty", DirtyClassifier), ("rMTFL", RobustFeatureLearningClassifier)],
)
def test_logistic_decompositions(name, estimator):
    if estimator is None:
        pytest.skip("estimator not available")
    Xs, ys = make_tasks(sizes=(30, 40, 50), classification=True)
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    rho1, rho2 = 0.05, 0.03
    P, Q, c = variables(T), variables(T), cp.Variable(T)
    if name == "Dirty":  # Logistic_Dirty.m: L1infnorm(P), L11norm(Q)
        penalty = rho1 * cp.sum(cp.max(cp.abs(P), axis=1)) + rho2 * cp.sum(cp.abs(Q))
        model = estimator(
            rho1 / T, rho2 / T, group_norm="linf", task_column=0, tol=1e-10
        )
    else:  # Logistic_rMTFL.m: rows of P, rows of Q' (tasks)
        penalty = rho1 * l21_rows(P) + rho2 * cp.sum(cp.norm(Q, 2, axis=0))
        model = estimator(rho1 / T, rho2 / T, task_column=0, tol=1e-10)
    minimize(per_task_logistic(Xs, ys, P + Q, c) + penalty)
    assert_agree(model.fit(X, y, sample_weight=weights), P.value + Q.value, c.value)


@needs(ClusteredClassifier)
def test_logistic_cmtl():
    Xs, ys = make_tasks(sizes=(30, 40, 50), classification=True)
    X, y, weights = task_indexed(Xs, ys)
    T = len(ys)
    rho1, rho2, k = 0.05, 0.01, 2
    W, c = variables(T, intercept=True)
    penalty, constraints = cmtl_penalty(W, rho1, rho2, k)
    minimize(per_task_logistic(Xs, ys, W, c) + penalty, constraints)
    model = ClusteredClassifier(
        k, alpha=rho1 / T, beta=rho2 / T, task_column=0, tol=1e-8
    )
    assert_agree(model.fit(X, y, sample_weight=weights), W.value, c.value)


def test_logistic_on_the_shared_design_divides_by_the_number_of_tasks():
    """Complete 0/1 ``Y`` on shared rows: the mean is over n * T targets."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, N_FEATURES))
    Z = X @ rng.normal(size=(N_FEATURES, 3)) + rng.logistic(size=(60, 3))
    Y = (Z > 0).astype(float)
    Lam1 = 0.05
    W, c = variables(3, intercept=True)
    signed = [2 * Y[:, t] - 1 for t in range(3)]
    minimize(
        per_task_logistic([X] * 3, signed, W, c) + Lam1 * cp.sum(cp.norm(W, 2, axis=1))
    )
    model = L21Classifier(alpha=Lam1 / 3, tol=1e-10).fit(X, Y)
    assert_agree(model, W.value, c.value)
