"""Convex clustered multi-task learning (CMTL) against its oracles."""

import pickle
import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV

from skmtl import ClusteredClassifier, ClusteredRegressor
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties._clustered import ClusteredPenalty

from ._oracles import _cvxpy_minimize, loss_value, solve_reference
from .test_mean_regularized import make_problem

ESTIMATORS = {"squared": ClusteredRegressor, "logistic": ClusteredClassifier}
# The conjugate of the penalty has kinks (a tie of singular values at the
# k-th place whenever some eigenvalue of M* is strictly between 0 and 1), so
# the duality gap shrinks like the square root of the suboptimality: double
# precision certifies about 1e-8 of the objective, not 1e-12.
TOL = 1e-7


# -- the penalty, restated from the paper in cvxpy ------------------------------


def cmtl_expression(W, alpha, beta, k):
    """MALSAR's penalty with W transposed: c tr(W' (eta I + M)^-1 W) and M's set."""
    T = W.shape[0]
    eta = beta / alpha
    c = alpha * eta * (1 + eta)
    M = cp.Variable((T, T), symmetric=True)
    constraints = [cp.trace(M) == k, M >> 0, np.eye(T) - M >> 0]
    return c * cp.matrix_frac(W, eta * np.eye(T) + M), M, constraints


def inner_minimum(W, alpha, beta, k):
    """The penalty at a fixed ``W`` and the optimal ``M``, by cvxpy."""
    expression, M, constraints = cmtl_expression(W, alpha, beta, k)
    problem = cp.Problem(cp.Minimize(expression), constraints)
    solve_reference(problem)
    return problem.value, M.value


def cvxpy_solve_clustered(obs, alpha, beta, k, loss, fit_intercept=True):
    """Joint minimisation over (W, b, M): the indicator carries M's constraints."""
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    expression, _, constraints = cmtl_expression(W, alpha, beta, k)
    penalty = expression + cp.transforms.indicator(constraints)
    # The matrix-fractional SDP with the logistic loss's exponential cones
    # reaches Clarabel's OPTIMAL status at a 1e-9 gap only; the tests that use
    # this reference compare objectives at 1e-8.
    return _cvxpy_minimize(obs, W, penalty, loss, fit_intercept, loosest_gap=1e-9)


def objective(obs, W, b, alpha, beta, k, loss):
    return loss_value(obs, W, b, loss) + inner_minimum(W, alpha, beta, k)[0]


# -- the penalty's pieces ------------------------------------------------------

SHAPES = [
    # (T, p, k, alpha, beta)
    (5, 3, 2, 1.0, 0.5),  # more tasks than features: a null space of W W'
    (4, 6, 3, 0.1, 2.0),  # k = T - 1
    (6, 6, 1, 3.0, 0.01),  # small eta
    (5, 2, 4, 1.0, 1.0),  # rank 2 < k: M* not unique
    (7, 5, 3, 1e-3, 1.0),  # large eta (near the ridge limit)
]


@pytest.mark.parametrize("T, p, k, alpha, beta", SHAPES)
def test_value_is_the_inner_minimum_over_m(T, p, k, alpha, beta):
    rng = np.random.default_rng(T * p + k)
    W = rng.normal(size=(T, p)) * rng.uniform(0.1, 3.0, size=(T, 1))
    penalty = ClusteredPenalty(alpha, beta, k)
    reference, M_ref = inner_minimum(W, alpha, beta, k)
    assert penalty.value(W) == pytest.approx(reference, rel=1e-8)
    # M* is feasible and attains the minimum; unique when rank W > k.
    M = penalty.task_matrix(W)
    eigenvalues = np.linalg.eigvalsh(M)
    assert np.trace(M) == pytest.approx(k, rel=1e-12)
    assert eigenvalues.min() >= -1e-12 and eigenvalues.max() <= 1 + 1e-12
    eta = beta / alpha
    attained = (
        alpha
        * eta
        * (1 + eta)
        * np.trace(W.T @ np.linalg.solve(eta * np.eye(T) + M, W))
    )
    assert attained == pytest.approx(penalty.value(W), rel=1e-10)
    if min(T, p) > k:
        np.testing.assert_allclose(M, M_ref, atol=1e-5)


def test_value_in_closed_form_limits():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 3))
    frob = np.sum(W**2)
    # alpha = 0, or k = n_tasks (M = I): the ridge beta ||W||^2.
    assert ClusteredPenalty(0.0, 0.7, 2).value(W) == pytest.approx(0.7 * frob)
    assert ClusteredPenalty(5.0, 0.7, 4).value(W) == pytest.approx(0.7 * frob)
    # Between the ridge with beta and with alpha + beta, for any W.
    for _ in range(20):
        W = rng.normal(size=(5, 4)) * rng.uniform(0, 3, size=(5, 1))
        value = ClusteredPenalty(2.0, 0.3, 2).value(W)
        assert 0.3 * np.sum(W**2) <= value * (1 + 1e-12)
        assert value <= 2.3 * np.sum(W**2) * (1 + 1e-12)
    # At most the value at M = (k / T) I; alpha -> inf: beta times the squared
    # spectral k-support norm, min over 0 <= m <= 1, sum m = k of sum s^2 / m.
    for alpha in (0.5, 1e9):
        bound = 0.3 * (alpha + 0.3) * 5 / (0.3 * 5 + alpha * 2) * np.sum(W**2)
        assert ClusteredPenalty(alpha, 0.3, 2).value(W) <= bound * (1 + 1e-12)
    m = cp.Variable(4)
    squared = np.linalg.svd(W, compute_uv=False) ** 2
    k_support = cp.Problem(
        cp.Minimize(cp.sum(cp.multiply(squared, cp.inv_pos(m)))),
        [m <= 1, cp.sum(m) == 2],
    )
    solve_reference(k_support)
    limit = ClusteredPenalty(1e9, 0.3, 2).value(W)
    assert limit == pytest.approx(0.3 * k_support.value, rel=1e-7)
    # beta -> 0: the relaxed penalty vanishes (it is not the k-means term).
    assert ClusteredPenalty(1.0, 1e-9, 2).value(W) < 1e-7 * np.sum(W**2)
    # Hard clusters, M = F F': alpha * (k-means objective) + beta ||W||^2 is an
    # upper bound the relaxation meets when W's rows are the cluster means.
    centres = rng.normal(size=(2, 4))
    W = centres[[0, 0, 1, 1, 1]]
    assert ClusteredPenalty(2.0, 0.3, 2).value(W) == pytest.approx(0.3 * np.sum(W**2))
    W_noisy = W + 0.1 * rng.normal(size=W.shape)
    within = sum(
        np.sum((W_noisy[g] - W_noisy[g].mean(axis=0)) ** 2) for g in ([0, 1], [2, 3, 4])
    )
    assert ClusteredPenalty(2.0, 0.3, 2).value(W_noisy) <= (
        2.0 * within + 0.3 * np.sum(W_noisy**2)
    )


@pytest.mark.parametrize("T, p, k, alpha, beta", SHAPES)
def test_gradient_matches_finite_differences(T, p, k, alpha, beta):
    rng = np.random.default_rng(1)
    penalty = ClusteredPenalty(alpha, beta, k)
    points = [
        rng.normal(size=(T, p)),
        np.repeat(rng.normal(size=(2, p)), [2, T - 2], axis=0),  # rank 2
        np.zeros((T, p)),
    ]
    for W in points:
        G = penalty.gradient(W)
        for _ in range(3):
            D = rng.normal(size=(T, p))
            h = 1e-6
            numeric = (penalty.value(W + h * D) - penalty.value(W - h * D)) / (2 * h)
            assert numeric == pytest.approx(np.sum(G * D), rel=1e-6, abs=1e-8)


def test_gradient_is_danskins():
    """2 c (eta I + M*)^-1 W, the gradient in W at the optimal M."""
    rng = np.random.default_rng(2)
    W = rng.normal(size=(5, 4))
    alpha, beta = 0.8, 0.2
    penalty = ClusteredPenalty(alpha, beta, 2)
    eta = beta / alpha
    M = penalty.task_matrix(W)
    expected = 2 * alpha * eta * (1 + eta) * np.linalg.solve(eta * np.eye(5) + M, W)
    np.testing.assert_allclose(penalty.gradient(W), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("T, p, k, alpha, beta", SHAPES[:4])
def test_conjugate_is_the_supremum(T, p, k, alpha, beta):
    rng = np.random.default_rng(3)
    V = rng.normal(size=(T, p))
    U = cp.Variable((T, p))
    expression, _, constraints = cmtl_expression(U, alpha, beta, k)
    problem = cp.Problem(
        cp.Maximize(cp.sum(cp.multiply(V, U)) - expression), constraints
    )
    solve_reference(problem)
    penalty = ClusteredPenalty(alpha, beta, k)
    assert penalty.conjugate(V) == pytest.approx(problem.value, rel=1e-7)
    assert penalty.dual_scale(V) == 1.0


def test_fenchel_young():
    rng = np.random.default_rng(4)
    for alpha, beta, k in [(1.0, 0.5, 2), (0.0, 0.4, 1), (3.0, 0.01, 3)]:
        penalty = ClusteredPenalty(alpha, beta, k)
        for _ in range(20):
            W, V = (
                rng.normal(size=(2, 5, 4))
                * rng.uniform(0.1, 3.0, size=2)[:, None, None]
            )
            assert penalty.value(W) + penalty.conjugate(V) >= np.sum(W * V) - 1e-10
            # equality at V = grad(W)
            G = penalty.gradient(W)
            assert penalty.value(W) + penalty.conjugate(G) == pytest.approx(
                np.sum(W * G), rel=1e-10
            )


def test_lbfgs_is_the_solver_and_its_preconditioner_sees_beta():
    from skmtl._task_data import make_task_data
    from skmtl.datafits import LogisticLoss, SquaredLoss
    from skmtl.solvers._dispatch import auto_solver, available_solvers

    _, (X, Y, _), _ = make_problem("squared", "shared")
    data = make_task_data(X, Y)
    penalty = ClusteredPenalty(1.0, 0.3, 2)
    for datafit in (SquaredLoss(), LogisticLoss()):
        assert available_solvers(data, datafit, penalty) == ["lbfgs", "cvxpy"]
        assert auto_solver(data, datafit, penalty) == "lbfgs"
    # The preconditioner's curvature along a unit coordinate: 2 * beta.
    direction = np.zeros((4, 5))
    direction[0, 0] = 1.0
    assert penalty.value(direction) == pytest.approx(0.3)


# -- estimators against the cvxpy optimum ----------------------------------------

VARIANTS = [
    ("shared", True, True),  # NaN-masked y and sample weights
    ("indexed", False, False),  # unequal task sizes, rows not grouped
    ("indexed", False, True),
]


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
def test_objective_matches_cvxpy(loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha, beta, k = (0.1, 0.02, 2) if loss == "squared" else (0.05, 0.01, 2)
    model = ESTIMATORS[loss](k, alpha, beta, tol=TOL, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_clustered(obs, alpha, beta, k, loss)
    ours = objective(obs, model.coef_, model.intercept_, alpha, beta, k, loss)
    reference = objective(obs, W_ref, b_ref, alpha, beta, k, loss)
    assert ours <= reference * (1 + 1e-8)
    assert reference <= ours * (1 + 1e-5)
    assert 0 <= model.dual_gap_ <= TOL * ours
    # The penalty is flat along some directions (it is not strongly convex),
    # so an objective within 1e-9 leaves the coefficients within ~1e-4.
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-3)
    np.testing.assert_allclose(model.intercept_, b_ref, atol=1e-3)
    assert model.task_matrix_.shape == (4, 4)
    assert model.task_clusters_.shape == (4,)


@pytest.mark.parametrize("k", [1, 3])  # one cluster, and n_tasks - 1
def test_extreme_cluster_counts_match_cvxpy(k):
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    model = ClusteredRegressor(k, 0.3, 0.01, tol=TOL, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve_clustered(obs, 0.3, 0.01, k, "squared")
    ours = objective(obs, model.coef_, model.intercept_, 0.3, 0.01, k, "squared")
    reference = objective(obs, W_ref, b_ref, 0.3, 0.01, k, "squared")
    assert ours <= reference * (1 + 1e-8)
    assert reference <= ours * (1 + 1e-5)
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-3)


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_reference_solver_agrees_and_no_intercept(loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "shared", missing=True)
    alpha, beta = 0.1, 0.02
    fits = {}
    for solver in ["lbfgs", "cvxpy"]:
        model = ESTIMATORS[loss](
            2, alpha, beta, fit_intercept=False, solver=solver, tol=TOL, **kwargs
        )
        with warnings.catch_warnings():
            # Clarabel's solution is optimal to ~1e-9 in objective, but the
            # gap certificate at it is only about the square root of that.
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits[solver] = model.fit(X, y, sample_weight=sw)
    values = {
        solver: objective(obs, m.coef_, m.intercept_, alpha, beta, 2, loss)
        for solver, m in fits.items()
    }
    assert np.all(fits["lbfgs"].intercept_ == 0)
    assert values["lbfgs"] <= values["cvxpy"] * (1 + 1e-8)
    assert values["cvxpy"] <= values["lbfgs"] * (1 + 1e-5)
    W_ref, _ = cvxpy_solve_clustered(obs, alpha, beta, 2, loss, fit_intercept=False)
    np.testing.assert_allclose(fits["lbfgs"].coef_, W_ref, atol=1e-3)
    np.testing.assert_allclose(fits["cvxpy"].coef_, W_ref, atol=1e-3)


# -- limits ---------------------------------------------------------------------


@pytest.mark.parametrize("alpha, k", [(0.0, 2), (5.0, 4)])
def test_alpha_zero_or_one_cluster_per_task_is_ridge(alpha, k):
    _, (X, Y, _), _ = make_problem("squared", "shared")
    beta = 0.2
    # The ridge is strongly convex: its gap certifies to round-off.
    model = ClusteredRegressor(k, alpha, beta, tol=1e-12).fit(X, Y)
    for t in range(Y.shape[1]):
        ridge = Ridge(alpha=2 * len(X) * beta).fit(X, Y[:, t])
        np.testing.assert_allclose(model.coef_[t], ridge.coef_, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(model.intercept_[t], ridge.intercept_, atol=1e-7)
    if k == 4:
        np.testing.assert_allclose(model.task_matrix_, np.eye(4), atol=1e-12)
        np.testing.assert_array_equal(model.task_clusters_, np.arange(4))
    else:  # the eta -> inf limit: the projection on the 2 leading directions
        U = np.linalg.svd(model.coef_)[0][:, :2]
        np.testing.assert_allclose(model.task_matrix_, U @ U.T, atol=1e-12)


def test_vanishing_beta_tends_to_the_unpenalised_fit():
    _, (X, Y, _), _ = make_problem("squared", "shared")
    model = ClusteredRegressor(2, 1.0, 1e-7, tol=TOL).fit(X, Y)
    ols = LinearRegression().fit(X, Y)
    np.testing.assert_allclose(model.coef_, ols.coef_, atol=1e-4)


def test_huge_alpha_and_beta_shrink_the_coefficients_to_zero():
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    model = ClusteredRegressor(2, 1e8, 1e8, **kwargs).fit(X, y, sample_weight=sw)
    assert np.abs(model.coef_).max() < 1e-6
    for t, _, yt, st in obs.per_task():
        assert model.intercept_[t] == pytest.approx(
            np.average(yt, weights=st), abs=1e-5
        )


def test_huge_alpha_alone_keeps_a_finite_penalty():
    """alpha -> inf with beta fixed: beta min_m sum s_i^2 / m_i, not a hard clustering."""
    _, (X, Y, _), _ = make_problem("squared", "shared")
    fits = [ClusteredRegressor(2, a, 0.05, tol=TOL).fit(X, Y).coef_ for a in (1e4, 1e7)]
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-3 * np.abs(fits[1]).max())
    assert np.abs(fits[1]).max() > 0.1


def grouped_tasks(centres, members, n_per_task, seed=0, noise=0.3):
    """Task-indexed frame: task ``i`` uses weights ``centres[members[i]]``."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    p = centres.shape[1]
    names = [f"task_{chr(ord('a') + i)}" for i in range(len(members))]
    frames, ys = [], []
    for name, group, n in zip(names, members, n_per_task, strict=True):
        Xt = rng.normal(size=(n, p))
        w = centres[group] + 0.05 * rng.normal(size=p)
        ys.append(Xt @ w + rng.normal() + noise * rng.normal(size=n))
        frame = pd.DataFrame(Xt, columns=[f"x{j}" for j in range(p)])
        frame.insert(1, "task", name)
        frames.append(frame)
    X = pd.concat(frames, ignore_index=True)
    y = pd.Series(np.concatenate(ys))
    order = rng.permutation(len(X))
    return X.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True)


@pytest.mark.parametrize("n_groups", [2, 3])
def test_tasks_built_in_groups_are_recovered(n_groups):
    rng = np.random.default_rng(n_groups)
    centres = 2.0 * rng.normal(size=(n_groups, 5))
    members = [1, 0, 1, 0, 0, 1, 1, 0] if n_groups == 2 else [2, 0, 1, 1, 0, 2, 2, 1, 0]
    sizes = rng.integers(15, 40, size=len(members))
    X, y = grouped_tasks(centres, members, sizes, seed=n_groups)
    model = ClusteredRegressor(n_groups, 1.0, 0.01, task_column="task").fit(X, y)
    assert list(model.tasks_) == sorted(model.tasks_)
    labels = model.task_clusters_
    # The same partition (labels are numbered by first appearance).
    _, relabelled = np.unique(np.array(members), return_inverse=True)
    first = {}
    expected = [first.setdefault(m, len(first)) for m in relabelled]
    np.testing.assert_array_equal(labels, expected)
    # Tasks of one cluster are joined by M, the others hardly.
    M = model.task_matrix_
    same = np.equal.outer(labels, labels) & ~np.eye(len(labels), dtype=bool)
    assert M[same].min() > 2 * np.abs(M[~np.equal.outer(labels, labels)]).max()


def test_clustering_pulls_tasks_toward_their_cluster_mean():
    """Within-cluster spread shrinks with alpha; the clusters stay apart."""
    rng = np.random.default_rng(8)
    centres = 2.0 * rng.normal(size=(2, 5))
    X, y = grouped_tasks(centres, [0, 0, 0, 1, 1, 1], [12] * 6, seed=8, noise=2.0)
    groups = ([0, 1, 2], [3, 4, 5])

    def within(W):
        return sum(np.sum((W[g] - W[g].mean(axis=0)) ** 2) for g in groups)

    def between(W):
        return np.sum((W[groups[0]].mean(axis=0) - W[groups[1]].mean(axis=0)) ** 2)

    fits = [
        ClusteredRegressor(2, alpha, 0.01, task_column="task").fit(X, y).coef_
        for alpha in (0.0, 0.1, 1.0)
    ]
    spreads = [within(W) for W in fits]
    assert spreads[0] > spreads[1] > spreads[2]
    assert spreads[2] < 0.5 * spreads[0]
    assert between(fits[2]) > 0.95 * between(fits[0])  # unlike one shared mean


def test_task_order_is_equivariant():
    _, (X, Y, _), _ = make_problem("squared", "shared")
    order = [2, 0, 3, 1]
    a = ClusteredRegressor(2, 0.5, 0.05, tol=TOL).fit(X, Y)
    b = ClusteredRegressor(2, 0.5, 0.05, tol=TOL).fit(X, Y[:, order])
    np.testing.assert_allclose(b.coef_, a.coef_[order], atol=1e-5)
    np.testing.assert_allclose(
        b.task_matrix_, a.task_matrix_[np.ix_(order, order)], atol=1e-6
    )


def test_warm_start_reaches_the_same_solution_faster():
    kwargs, (X, y, sw), _ = make_problem("logistic", "indexed", weights=True)
    model = ClusteredClassifier(2, 0.05, 0.01, tol=TOL, warm_start=True, **kwargs)
    model.fit(X, y, sample_weight=sw)
    coef, first = model.coef_.copy(), model.n_iter_
    model.fit(X, y, sample_weight=sw)
    assert model.n_iter_ < first
    np.testing.assert_allclose(model.coef_, coef, atol=1e-3)


# -- errors -------------------------------------------------------------------------


def test_errors():
    _, (X, Y, _), _ = make_problem("squared", "shared")
    with pytest.raises(
        ValueError,
        match=r"n_clusters=5 is larger than the number of tasks \(n_tasks=4\)",
    ):
        ClusteredRegressor(n_clusters=5).fit(X, Y)
    with pytest.raises(
        ValueError, match="'n_clusters' parameter of ClusteredRegressor"
    ):
        ClusteredRegressor(n_clusters=0).fit(X, Y)
    with pytest.raises(
        ValueError, match="'n_clusters' parameter of ClusteredRegressor"
    ):
        ClusteredRegressor(n_clusters=1.5).fit(X, Y)
    with pytest.raises(ValueError, match="'alpha' parameter of ClusteredRegressor"):
        ClusteredRegressor(alpha=-1.0).fit(X, Y)
    for beta in (-1.0, 0.0):
        with pytest.raises(ValueError, match="'beta' parameter of ClusteredClassifier"):
            ClusteredClassifier(beta=beta).fit(X, Y > 0)
    with pytest.raises(ValueError, match="'solver' parameter of ClusteredRegressor"):
        ClusteredRegressor(solver="fista").fit(X, Y)
    with pytest.raises(ValueError, match="n_clusters=3 exceeds the number of tasks"):
        ClusteredPenalty(1.0, 1.0, 3).value(np.ones((2, 4)))


# -- scikit-learn citizenship -------------------------------------------------------


def test_grid_search_and_pickle_on_task_indexed_frames():
    from .test_sklearn_compat import scaled_pipeline, school_like_frame

    X, y = school_like_frame()
    search = GridSearchCV(
        scaled_pipeline(ClusteredRegressor(task_column="school")),
        {
            "clusteredregressor__alpha": [0.01, 0.1],
            "clusteredregressor__beta": [1e-3, 1e-2],
        },
        cv=TaskStratifiedKFold(3, task_column="school", shuffle=True, random_state=0),
    ).fit(X, y)
    best = search.best_estimator_
    assert list(best[-1].tasks_) == [f"school_{t}" for t in range(6)]
    restored = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    np.testing.assert_array_equal(restored[-1].task_clusters_, best[-1].task_clusters_)
    model = ClusteredClassifier(3, 0.1, 0.2, task_column="school")
    assert clone(model).get_params() == model.get_params()
