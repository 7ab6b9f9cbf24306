"""Property tests on random shapes, task sizes, missing labels and task ids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skmtl import MeanRegularizedRegressor

from ._oracles import Observations

INF = float("inf")


def stationarity_residual(obs, W, b, alpha, coupling):
    """Largest entry of the objective's gradient, written out independently."""
    z = np.einsum("ij,ij->i", obs.X[obs.rows], W[obs.task]) + b[obs.task]
    r = obs.weight * (z - obs.y) / obs.row_weight_sum
    grad_W = np.zeros_like(W)
    np.add.at(grad_W, obs.task, r[:, None] * obs.X[obs.rows])
    grad_b = np.bincount(obs.task, weights=r, minlength=len(b))
    if np.isinf(coupling):
        # Only moves of all tasks together are allowed: W = 1 w'.
        grad_W = grad_W.sum(axis=0) + 2 * alpha * W.sum(axis=0)
    else:
        grad_W = grad_W + 2 * alpha * (W + coupling * (W - W.mean(axis=0)))
    return max(np.abs(grad_W).max(), np.abs(grad_b).max())


problems = st.fixed_dictionaries(
    {
        "sizes": st.lists(st.integers(1, 12), min_size=1, max_size=5),
        "n_features": st.integers(1, 5),
        "alpha": st.floats(1e-3, 10.0),
        "coupling": st.sampled_from([0.0, 0.3, 5.0, INF]),
        "string_ids": st.booleans(),
        "weighted": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


@settings(max_examples=60, deadline=None)
@given(problems)
def test_task_indexed_fit_is_stationary_and_order_free(problem):
    rng = np.random.default_rng(problem["seed"])
    T, p = len(problem["sizes"]), problem["n_features"]
    ids = np.repeat(np.arange(T) * 7, problem["sizes"])
    if problem["string_ids"]:
        ids = np.array([f"task-{i:03d}" for i in ids], dtype=object)
    n = len(ids)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10, p) + rng.normal(size=p)
    y = rng.normal(size=n) * 3 + 1
    sw = rng.uniform(0.1, 5, n) if problem["weighted"] else None
    X_full = np.column_stack([X.astype(object), ids])
    model = MeanRegularizedRegressor(
        problem["alpha"], problem["coupling"], task_column=p
    ).fit(X_full, y, sample_weight=sw)
    obs = Observations.indexed(X, y, ids, sw)
    scale = 1 + np.abs(y).max() * (1 + np.abs(X).max())
    residual = stationarity_residual(
        obs, model.coef_, model.intercept_, problem["alpha"], problem["coupling"]
    )
    assert residual <= 1e-9 * scale
    assert len(model.tasks_) == T
    # Row order is irrelevant.
    order = rng.permutation(n)
    permuted = MeanRegularizedRegressor(
        problem["alpha"], problem["coupling"], task_column=p
    ).fit(X_full[order], y[order], sample_weight=None if sw is None else sw[order])
    np.testing.assert_allclose(permuted.coef_, model.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(
        model.predict(X_full[order]), model.predict(X_full)[order]
    )


@settings(max_examples=40, deadline=None)
@given(
    n_rows=st.integers(2, 20),
    n_tasks=st.integers(1, 5),
    missing=st.floats(0.0, 0.7),
    coupling=st.sampled_from([0.0, 1.0, INF]),
    seed=st.integers(0, 2**16),
)
def test_shared_design_with_missing_labels_is_stationary(
    n_rows, n_tasks, missing, coupling, seed
):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 3))
    Y = rng.normal(size=(n_rows, n_tasks))
    Y[rng.random(Y.shape) < missing] = np.nan
    Y[rng.integers(n_rows, size=n_tasks), np.arange(n_tasks)] = 1.0  # >= 1 per task
    model = MeanRegularizedRegressor(0.1, coupling).fit(X, Y)
    obs = Observations.shared(X, Y)
    residual = stationarity_residual(obs, model.coef_, model.intercept_, 0.1, coupling)
    assert residual <= 1e-9 * (1 + np.nanmax(np.abs(Y)) * (1 + np.abs(X).max()))
    assert model.predict(X).shape == (n_rows, n_tasks)
