"""Graph-regularized and temporal group models against cvxpy and their limits."""

import pickle

import cvxpy as cp
import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from skmtl import (
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
)
from skmtl.penalties._graph import chain_laplacian, graph_laplacian

from ._oracles import _cvxpy_minimize, l21_value, loss_value
from .test_mean_regularized import make_problem

# Tasks of make_problem: 4 (sorted ids "lille", "lyon", "nice", "paris").
GRAPH = np.array([[0, 1.0, 0, 0.5], [1.0, 0, 2.0, 0], [0, 2.0, 0, 0], [0.5, 0, 0, 0]])
VARIANTS = [("shared", True, True), ("indexed", False, True)]
ESTIMATORS = {
    "graph": {
        "squared": GraphRegularizedRegressor,
        "logistic": GraphRegularizedClassifier,
    },
    "temporal": {
        "squared": TemporalGroupRegressor,
        "logistic": TemporalGroupClassifier,
    },
}


def graph_term(W, A):
    T = len(A)
    return sum(
        A[s, t] * np.sum((W[s] - W[t]) ** 2) for s in range(T) for t in range(s + 1, T)
    )


def cvxpy_graph_term(W, A):
    T = len(A)
    return sum(
        A[s, t] * cp.sum_squares(W[s] - W[t])
        for s in range(T)
        for t in range(s + 1, T)
        if A[s, t] > 0
    )


def temporal_terms(W, a_l2, a_temporal, a_group):
    diffs = np.sum((W[1:] - W[:-1]) ** 2)
    return a_l2 * np.sum(W**2) + a_temporal * diffs + l21_value(W, a_group)


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
@pytest.mark.parametrize("l1", [0.0, 0.05])
def test_graph_regularized_matches_cvxpy(loss, layout, missing, weights, l1):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha = 0.05
    model = ESTIMATORS["graph"][loss](GRAPH, alpha, l1=l1, tol=1e-10, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    penalty = alpha * cvxpy_graph_term(W, GRAPH) + l1 * cp.sum(cp.abs(W))
    W_ref, b_ref = _cvxpy_minimize(obs, W, penalty, loss, True)

    def objective(W, b):
        return (
            loss_value(obs, W, b, loss)
            + alpha * graph_term(W, GRAPH)
            + l1 * np.abs(W).sum()
        )

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout, missing, weights", VARIANTS)
@pytest.mark.parametrize(
    "strengths", [(0.0, 0.2, 0.05), (0.1, 0.3, 0.0), (0.0, 0.3, 0.0)]
)
def test_temporal_group_matches_cvxpy(loss, layout, missing, weights, strengths):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    a_l2, a_temporal, a_group = strengths
    if loss == "logistic":
        a_group /= 5
    model = ESTIMATORS["temporal"][loss](a_l2, a_temporal, a_group, tol=1e-10, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    penalty = (
        a_l2 * cp.sum_squares(W)
        + a_temporal * cp.sum_squares(W[1:] - W[:-1])
        + a_group * cp.sum(cp.norm(W, 2, axis=0))
    )
    W_ref, b_ref = _cvxpy_minimize(obs, W, penalty, loss, True)

    def objective(W, b):
        return loss_value(obs, W, b, loss) + temporal_terms(
            W, a_l2, a_temporal, a_group
        )

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14


def test_a_laplacian_is_the_same_graph():
    kwargs, (X, y, _), _ = make_problem("squared", "indexed")
    laplacian = np.diag(GRAPH.sum(axis=1)) - GRAPH
    by_adjacency = GraphRegularizedRegressor(GRAPH, 0.1, tol=1e-10, **kwargs).fit(X, y)
    by_laplacian = GraphRegularizedRegressor(laplacian, 0.1, tol=1e-10, **kwargs)
    np.testing.assert_allclose(
        by_laplacian.fit(X, y).coef_, by_adjacency.coef_, atol=1e-9
    )
    np.testing.assert_allclose(graph_laplacian(GRAPH, 4), laplacian)
    W = np.random.default_rng(0).normal(size=(5, 3))
    assert np.trace(W.T @ chain_laplacian(5) @ W) == pytest.approx(
        np.sum((W[1:] - W[:-1]) ** 2)
    )


def test_limits():
    kwargs, (X, y, _), obs = make_problem("squared", "indexed")
    # A ridge term only: independent ridge per task.
    model = TemporalGroupRegressor(0.2, 0.0, 0.0, tol=1e-12, **kwargs).fit(X, y)
    n = len(y)
    for t, Xt, yt, _ in obs.per_task():
        ridge = Ridge(alpha=2 * n * 0.2).fit(Xt, yt)
        np.testing.assert_allclose(model.coef_[t], ridge.coef_, atol=1e-6)
    # A strong graph over a connected graph: all tasks share the weights.
    pooled = GraphRegularizedRegressor(GRAPH, 1e6, **kwargs).fit(X, y)
    assert np.ptp(pooled.coef_, axis=0).max() < 1e-4
    # A strong lasso term: all zero.
    zero = GraphRegularizedRegressor(GRAPH, 0.0, l1=1e3, **kwargs).fit(X, y)
    assert np.all(zero.coef_ == 0)


def test_errors():
    kwargs, (X, y, _), _ = make_problem("squared", "indexed")
    cases = [
        (np.ones((3, 3)), r"graph has shape \(3, 3\), but fit sees 4 tasks"),
        (GRAPH + np.triu(np.ones((4, 4)), 1), "symmetric"),
        (-GRAPH, "rows do not sum to zero"),
        (np.full((4, 4), np.nan), "non-finite"),
    ]
    for graph, match in cases:
        with pytest.raises(ValueError, match=match):
            GraphRegularizedRegressor(graph, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match="unpenalised"):
        GraphRegularizedRegressor(GRAPH, 0.0, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match="unpenalised"):
        TemporalGroupRegressor(0.0, 0.0, 0.0, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        GraphRegularizedRegressor(GRAPH, -1.0, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match="solver='lbfgs' does not apply"):
        GraphRegularizedRegressor(GRAPH, l1=0.1, solver="lbfgs", **kwargs).fit(X, y)


def test_grid_search_and_pickle_on_a_frame():
    pd = pytest.importorskip("pandas")
    _, (X, y, _), _ = make_problem("squared", "indexed")
    frame = pd.DataFrame(X, columns=["a", "b", "city", "c", "d", "e"])
    for name in ["a", "b", "c", "d", "e"]:
        frame[name] = frame[name].astype(float)
    search = GridSearchCV(
        TemporalGroupRegressor(task_column="city"),
        {"alpha_temporal": [0.01, 0.1], "alpha_group": [0.0, 0.01]},
        cv=3,
    ).fit(frame, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(restored.predict(frame), search.predict(frame))
