"""TaskData, datafits, penalty and certificate checked piece by piece."""

import tracemalloc

import cvxpy as cp
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification

from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.penalties import MeanRegularization
from skmtl.solvers import duality_gap, objective, refit_intercept, solve

INF = float("inf")
rng = np.random.default_rng(0)


def shared_data(logistic=False):
    X = rng.normal(size=(15, 3)) + 1.0
    Y = rng.normal(size=(15, 4))
    if logistic:
        Y = (Y > 0).astype(float)
    Y[rng.random(Y.shape) < 0.2] = np.nan
    return make_task_data(X, Y, sample_weight=rng.uniform(0.5, 2, 15))


def indexed_data(logistic=False):
    X = rng.normal(size=(20, 3)) - 1.0
    ids = rng.choice(["b", "a", "c"], size=20)
    ids[:3] = ["a", "b", "c"]
    y = rng.normal(size=20)
    if logistic:
        y = (y > 0).astype(float)
    return make_task_data(X, y, task_ids=ids, sample_weight=rng.uniform(0.5, 2, 20))


LAYOUTS = [shared_data, indexed_data]


@pytest.mark.parametrize("make", LAYOUTS)
def test_linear_and_adjoint_are_adjoint(make):
    data = make()
    W, b = rng.normal(size=(data.n_tasks, 3)), rng.normal(size=data.n_tasks)
    G = rng.normal(size=data.Y.shape) * (data.weight > 0)
    GW, gb = data.adjoint(G)
    np.testing.assert_allclose(np.sum(data.linear(W, b) * G), np.sum(W * GW) + b @ gb)


def test_per_task_sums_are_exact_on_every_call():
    # The (T, n) matrix behind the per-task sums is built once and refilled
    # on each call: a second call must not see the first call's weights.
    data = indexed_data()
    for _ in range(3):
        G = rng.normal(size=data.Y.shape)
        GW, _ = data.adjoint(G)
        for t in range(data.n_tasks):
            rows = data.task_index == t
            np.testing.assert_allclose(GW[t], G[rows] @ data.X[rows])


def test_small_data_takes_the_statistics_route_whatever_its_shape():
    """Fewer rows per task than features: a pass over the rows costs fewer
    flops than a Gram iteration, but on small data the statistics (and their
    feature scaling) win; on large wide data the rows do."""
    from skmtl.solvers._fista import make_smooth
    from skmtl.solvers._smooth import DataSmooth, GramSmooth

    def wide(n_tasks, n_rows, n_features):
        X = rng.normal(size=(n_tasks * n_rows, n_features))
        tasks = np.repeat(np.arange(n_tasks), n_rows)
        return make_task_data(X, rng.normal(size=len(X)), task_ids=tasks)

    small, large = wide(15, 10, 15), wide(50, 10, 200)
    assert isinstance(make_smooth(small, SquaredLoss(), True), GramSmooth)
    assert isinstance(make_smooth(large, SquaredLoss(), True), DataSmooth)


@pytest.mark.parametrize("make", LAYOUTS)
def test_observed_design_reproduces_linear(make):
    data = make()
    W, b = rng.normal(size=(data.n_tasks, 3)), rng.normal(size=data.n_tasks)
    A, B, mask = data.observed_design()
    np.testing.assert_allclose(A @ W.ravel() + B @ b, data.linear(W, b)[mask])


@pytest.mark.parametrize("make", LAYOUTS)
def test_centred_gram_is_the_schur_complement(make):
    data = make()
    D = rng.uniform(size=data.Y.shape) * data.weight
    gram, means, totals = data.weighted_gram(D, center=True)
    raw, _, _ = data.weighted_gram(D, center=False)
    for t in range(data.n_tasks):
        ones = np.ones(data.n_features)
        # First moments from the adjoint: sum_i D_i x_i restricted to task t.
        first = data.adjoint(D * (data.expand(np.eye(data.n_tasks)[t]) != 0))[0][t]
        np.testing.assert_allclose(means[t], first / totals[t])
        schur = raw[t] - np.outer(first, first) / totals[t]
        np.testing.assert_allclose(gram[t], schur, atol=1e-10 * np.abs(raw[t]).max())
        assert ones @ gram[t] @ ones >= -1e-10


@pytest.mark.parametrize("make", LAYOUTS)
def test_gram_in_chunks_of_tasks_equals_one_product_per_task(make, monkeypatch):
    """Tall data computes the Gram matrices a few tasks at a time; tasks of
    unequal sizes and chunks that split a size group give the same blocks."""
    monkeypatch.setattr("skmtl._task_data._CHUNK_ENTRIES", 5)
    data = make()
    D = rng.uniform(size=data.Y.shape) * data.weight
    for center in (False, True):
        gram, means, _ = data.weighted_gram(D, center)
        for t, rows in data.task_rows():
            d = D[rows]
            Xt = data.X if data.shared_design else data.X[rows]
            Xt = Xt - means[t] if center else Xt
            np.testing.assert_allclose(gram[t], Xt.T @ (d[:, None] * Xt), atol=1e-12)
    equal = make_task_data(
        rng.normal(size=(12, 2)), rng.normal(size=12), task_ids=np.repeat([0, 1, 2], 4)
    )
    gram, _, _ = equal.weighted_gram(equal.weight, center=False)
    for t, rows in equal.task_rows():
        np.testing.assert_allclose(gram[t], equal.X[rows].T @ equal.X[rows])


@pytest.mark.parametrize("make", LAYOUTS)
@pytest.mark.parametrize("chunk", [3, 5, 2**17])  # one row or task, a few, all
def test_weighted_moments_by_chunks_of_rows(make, chunk, monkeypatch):
    """The second moments square ``X`` a chunk at a time (no copy of the
    data): a few tasks at a time, or a few rows of the shared design; tasks
    of unequal sizes and chunks that cut the shared rows give the same
    moments."""
    monkeypatch.setattr("skmtl._task_data._CHUNK_ENTRIES", chunk)
    data = make()
    D = rng.uniform(size=data.Y.shape) * data.weight
    totals, means, variances = data.weighted_moments(D)
    for t, rows in data.task_rows():
        d = D[rows]
        Xt = data.X if data.shared_design else data.X[rows]
        mean = d @ Xt / d.sum()
        np.testing.assert_allclose(totals[t], d.sum())
        np.testing.assert_allclose(means[t], mean)
        np.testing.assert_allclose(
            variances[t], d @ (Xt - mean) ** 2 / d.sum(), atol=1e-12
        )


def test_grouping_rows_copies_the_features_once():
    """Features beside a task column (a strided view) are gathered straight
    into the grouped copy; restricting to every feature copies nothing."""
    rows, p = 4000, 50
    X = rng.normal(size=(rows, p + 1))
    ids = rng.integers(0, 7, rows)
    features = X[:, 1:]
    tracemalloc.start()
    data = make_task_data(features, rng.normal(size=rows), task_ids=ids)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1.2 * features.size * 8
    order = np.argsort(ids, kind="stable")
    np.testing.assert_array_equal(data.X, features[order])
    assert data.restrict_features(np.arange(p)) is data
    columns = np.array([3, 0, 7])
    restricted = data.restrict_features(columns)
    assert restricted.X.flags.c_contiguous
    np.testing.assert_array_equal(restricted.X, data.X[:, columns])


@pytest.mark.parametrize("coupling", [0.0, 0.7, 1e6, INF])
@pytest.mark.parametrize("p", [3, 70])  # batched inverse and LAPACK Cholesky loop
# shared: one block for all tasks; "first two": equal blocks, then another
@pytest.mark.parametrize("shared", [False, True, "first two"])
@pytest.mark.parametrize("spectral", [False, True])  # the blocks' eigh, given
def test_newton_system_matches_the_dense_solve(coupling, p, shared, spectral):
    T = 4
    penalty = MeanRegularization(0.3, coupling)
    H = np.stack([(lambda a: a @ a.T)(rng.normal(size=(p, p))) for _ in range(T)])
    if shared is True:
        H[:] = H[0]
    elif shared:
        H[1:3] = H[0]
    else:
        H[0] *= 1e-6  # a task with little curvature: the mean direction is ill-posed
    R = rng.normal(size=(T, p))
    spectrum = np.linalg.eigh(H[:1] if shared is True else H) if spectral else None
    D = penalty.solve_newton_system(H, R, spectrum=spectrum)
    blockdiag = np.zeros((T * p, T * p))
    for t in range(T):
        blockdiag[t * p : (t + 1) * p, t * p : (t + 1) * p] = H[t]
    if np.isinf(coupling):
        # Restricted to W = 1 w': (sum_t H_t + 2 alpha T I) d = sum_t R_t.
        lift = np.tile(np.eye(p), (T, 1))
        d = np.linalg.solve(
            lift.T @ blockdiag @ lift + 2 * 0.3 * T * np.eye(p), R.sum(0)
        )
        np.testing.assert_allclose(D, np.tile(d, (T, 1)), rtol=1e-10)
        return
    centering = np.kron(np.eye(T) - np.ones((T, T)) / T, np.eye(p))
    hessian = 2 * 0.3 * (np.eye(T * p) + coupling * centering)
    expected = np.linalg.solve(blockdiag + hessian, R.ravel()).reshape(T, p)
    # log10(1 + coupling) digits may go to cancellation (see the docstring).
    np.testing.assert_allclose(D, expected, rtol=1e-9, atol=1e-12 * (1 + coupling))


@pytest.mark.parametrize("coupling", [0.0, 2.5])
def test_penalty_gradient_conjugate_and_cvxpy_form(coupling):
    penalty = MeanRegularization(0.4, coupling)
    W = rng.normal(size=(5, 3))
    G = penalty.gradient(W)
    eps = 1e-6
    E = np.zeros_like(W)
    E[2, 1] = eps
    finite_diff = (penalty.value(W + E) - penalty.value(W - E)) / (2 * eps)
    np.testing.assert_allclose(G[2, 1], finite_diff, rtol=1e-6)
    # Fenchel-Young: equality at V = grad(W), inequality elsewhere.
    np.testing.assert_allclose(penalty.value(W) + penalty.conjugate(G), np.sum(W * G))
    V = rng.normal(size=W.shape)
    assert penalty.value(W) + penalty.conjugate(V) >= np.sum(W * V)
    W_var = cp.Variable(W.shape)
    W_var.value = W
    np.testing.assert_allclose(penalty.as_cvxpy(W_var).value, penalty.value(W))


def test_pooled_penalty_domain_and_conjugate():
    penalty = MeanRegularization(0.4, INF)
    w = rng.normal(size=3)
    W = np.tile(w, (5, 1))
    assert penalty.value(W) == pytest.approx(0.4 * 5 * w @ w)
    assert penalty.value(W + rng.normal(size=W.shape)) == np.inf
    V = rng.normal(size=W.shape)
    # sup over w of <V, 1 w'> - 0.4 * 5 |w|^2 at w = sum(V) / (2 * 0.4 * 5)
    best = V.sum(0) / (2 * 0.4 * 5)
    np.testing.assert_allclose(
        penalty.conjugate(V), np.sum(V * np.tile(best, (5, 1))) - 0.4 * 5 * best @ best
    )


@pytest.mark.parametrize("datafit", [SquaredLoss(), LogisticLoss()])
@pytest.mark.parametrize("make", LAYOUTS)
def test_datafit_derivatives_conjugate_and_cvxpy_form(datafit, make):
    data = make(logistic=isinstance(datafit, LogisticLoss))
    Z = rng.normal(size=data.Y.shape)
    G, H = datafit.gradient(data, Z), datafit.hessian(data, Z)
    eps = 1e-6
    E = np.zeros_like(Z)
    E[(3,) * Z.ndim] = eps
    idx = (3,) * Z.ndim
    fd = (datafit.value(data, Z + E) - datafit.value(data, Z - E)) / (2 * eps)
    np.testing.assert_allclose(G[idx], fd, rtol=1e-5, atol=1e-12)
    fd2 = (datafit.gradient(data, Z + E)[idx] - datafit.gradient(data, Z - E)[idx]) / (
        2 * eps
    )
    np.testing.assert_allclose(H[idx], fd2, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(
        datafit.value(data, Z) + datafit.conjugate(data, G), np.sum(Z * G), atol=1e-12
    )
    mask = data.weight > 0
    z = cp.Variable(int(mask.sum()))
    z.value = Z[mask]
    expr = datafit.as_cvxpy(z, data.Y[mask], datafit.scaled_weight(data)[mask])
    np.testing.assert_allclose(expr.value, datafit.value(data, Z))


def test_logistic_intercepts_take_a_few_newton_steps():
    """Intercepts only: each task's root is logit(mean label). Newton lands on
    the root's float neighbours, where the derivative is round-off; that must
    end the search, not start a bisection down to the last bit (27
    derivative evaluations here before)."""

    class Counting(LogisticLoss):
        calls = 0

        def gradient(self, data, Z):
            Counting.calls += 1
            return super().gradient(data, Z)

    T, n = 3000, 30
    local = np.random.default_rng(0)
    tasks = np.repeat(np.arange(T), n)
    y = (local.random(T * n) < local.uniform(0.2, 0.8, T)[tasks]).astype(float)
    y[::n], y[1::n] = 1.0, 0.0  # both classes in every task
    data = make_task_data(local.normal(size=(T * n, 3)), y, task_ids=tasks)
    b = refit_intercept(data, Counting(), np.zeros((T, 3)), np.zeros(T))
    mean = y.reshape(T, n).mean(axis=1)
    np.testing.assert_allclose(b, np.log(mean / (1 - mean)), rtol=0, atol=1e-13)
    assert Counting.calls <= 10
    # Labels on which Newton, a few ulps from a root, jumps from one end of
    # the bracket to the other: found, not cycled through up to max_iter.
    _, Y = make_multilabel_classification(
        n_samples=5000, n_classes=50, n_labels=3, length=100, random_state=0
    )
    data = make_task_data(np.zeros((5000, 1)), Y.astype(float))
    Counting.calls = 0
    b = refit_intercept(data, Counting(), np.zeros((50, 1)), np.zeros(50))
    mean = Y.mean(axis=0)
    np.testing.assert_allclose(b, np.log(mean / (1 - mean)), rtol=0, atol=1e-13)
    assert Counting.calls <= 15


@pytest.mark.parametrize("datafit", [SquaredLoss(), LogisticLoss()])
@pytest.mark.parametrize("make", LAYOUTS)
def test_duality_gap_bounds_the_suboptimality(datafit, make):
    data = make(logistic=isinstance(datafit, LogisticLoss))
    penalty = MeanRegularization(0.1, 1.5)
    best = solve(data, datafit, penalty, solver="cvxpy", tol=1e-10).objective
    for _ in range(5):
        W = rng.normal(size=(data.n_tasks, 3))
        b = refit_intercept(data, datafit, W, np.zeros(data.n_tasks))
        primal, gap = duality_gap(data, datafit, penalty, W, b)
        assert primal == pytest.approx(objective(data, datafit, penalty, W, b))
        assert gap >= primal - best - 1e-12
        # Intercepts are exact: no other intercept does better.
        worse = objective(
            data, datafit, penalty, W, b + 1e-3 * rng.normal(size=b.shape)
        )
        assert worse >= primal


@pytest.mark.parametrize(
    "datafit, shared, coupling, n_features, expected",
    [
        # The closed form up to 4 features per row of a task (all rows on
        # the shared design): the data below has 2 rows.
        (SquaredLoss(), False, 1.0, 8, "closed_form"),
        (SquaredLoss(), False, 1.0, 9, "lbfgs"),
        (SquaredLoss(), True, 1.0, 8, "closed_form"),
        (SquaredLoss(), True, 1.0, 9, "lbfgs"),
        (LogisticLoss(), False, 1.0, 30, "newton"),
        (LogisticLoss(), False, 1.0, 31, "newton_cg"),
        (LogisticLoss(), True, 1.0, 10, "newton"),
        (LogisticLoss(), True, 1.0, 11, "newton_cg"),
        # The pooled model, which truncated Newton does not take.
        (LogisticLoss(), False, INF, 100, "newton"),
        (LogisticLoss(), False, INF, 101, "lbfgs"),
        (LogisticLoss(), True, INF, 20, "newton"),
        (LogisticLoss(), True, INF, 21, "lbfgs"),
    ],
)
def test_auto_solver_follows_the_measured_crossovers(
    datafit, shared, coupling, n_features, expected
):
    from skmtl.solvers._dispatch import auto_solver

    X = np.zeros((2, n_features))
    if shared:
        data = make_task_data(X, np.array([[0.0], [1.0]]))
    else:
        data = make_task_data(X, np.array([0.0, 1.0]), task_ids=np.array([1, 1]))
    penalty = MeanRegularization(1.0, coupling)
    assert auto_solver(data, datafit, penalty) == expected


def test_a_penalty_declaring_a_capability_without_its_methods_is_refused():
    from skmtl.penalties import BasePenalty

    with pytest.raises(TypeError, match=r"lacks the methods of: \['prox'\]"):

        class NoProx(BasePenalty):
            capabilities = frozenset({"prox"})

    with pytest.raises(TypeError, match="unknown capabilities \\['proximal'\\]"):

        class Misspelt(BasePenalty):
            capabilities = frozenset({"proximal"})


def test_every_penalty_declares_what_it_provides():
    """Each capability's methods exist, and nothing the solvers use is undeclared."""
    import skmtl.penalties as penalties
    from skmtl.penalties._base import CAPABILITIES

    for name in penalties.__all__:
        cls = getattr(penalties, name)
        if cls is penalties.BasePenalty:
            continue
        for capability, methods in CAPABILITIES.items():
            if capability in cls.capabilities:
                assert all(hasattr(cls, method) for method in methods), name
        for method in ("prox", "gradient", "solve_newton_system", "null_space"):
            if method in vars(cls):
                declared = [c for c, m in CAPABILITIES.items() if method in m]
                assert set(declared) & cls.capabilities, (name, method)


def test_solvers_read_declared_capabilities_not_methods():
    """No solver probes a penalty with hasattr or imports a concrete penalty."""
    import pathlib
    import re

    import skmtl.solvers

    folder = pathlib.Path(skmtl.solvers.__file__).parent
    for path in folder.glob("*.py"):
        source = path.read_text()
        assert "hasattr(" not in source, path.name
        assert not re.search(r"from \.\.penalties import", source), path.name


def test_registry_lists_the_solvers_in_order_and_says_what_one_needs():
    from skmtl.datafits import SquaredLoss
    from skmtl.penalties import L21
    from skmtl.solvers import available_solvers

    X = np.random.default_rng(0).normal(size=(20, 3))
    data = make_task_data(X, X @ np.ones((3, 2)))
    smooth = MeanRegularization(0.1, 1.0)
    assert available_solvers(data, SquaredLoss(), smooth) == [
        "closed_form",
        "newton",
        "lbfgs",
        "cvxpy",
    ]
    assert available_solvers(data, SquaredLoss(), L21(0.1)) == ["fista", "cd", "cvxpy"]
    with pytest.raises(ValueError, match="it needs a smooth penalty"):
        solve(data, SquaredLoss(), L21(0.1), solver="lbfgs")


def test_a_weighted_least_squares_of_another_normalisation_is_solved_as_stated():
    """Equal weights whose sum is not the loss's normaliser (the quadratic
    model of the logistic loss on one task): ``solver="auto"`` must not pass
    it to scikit-learn's coordinate descent, whose loss is normalised by the
    number of rows. Oracle: the duality gap of the stated objective."""
    from skmtl._task_data import TaskData
    from skmtl.penalties import L21

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12))  # many features per row: "auto" considers cd
    y = X[:, :3] @ [1.0, -1.0, 0.5] + 0.1 * rng.normal(size=30)
    weight = np.full((30, 1), 0.25)
    data = TaskData(X, y[:, None], weight, np.array([0]), None, 30.0)
    penalty = L21(0.01)
    fast = solve(data, SquaredLoss(), penalty, tol=1e-10, max_iter=10_000)
    # The certificate of the stated objective, recomputed here: a solution
    # of another normalisation is far from optimal for it.
    primal, gap = duality_gap(data, SquaredLoss(), penalty, fast.coef, fast.intercept)
    assert gap <= 1e-9 * primal
