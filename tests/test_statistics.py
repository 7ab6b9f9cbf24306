"""TaskStatistics, fit_statistics and partial_fit ([9/10] item 1 and 2).

The oracle is the fit on all the rows: statistics added over chunks must
equal the statistics of the concatenated rows, and a model fitted from them
(or by partial_fit over the chunks, in any order) the model ``fit`` gives.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import skmtl
from skmtl import TaskStatistics
from skmtl._task_data import TaskData
from skmtl.linear_model import _statistics as statistics_module

from ._estimators import LINEAR, make_data

ARRAYS = TaskStatistics._ARRAYS
PLAIN = ("X", "Y", "weight", "tasks", "task_index")  # TaskData's arguments
REGRESSORS = sorted(
    name
    for name, (kind, factory) in LINEAR.items()
    if kind == "regressor" and hasattr(factory(4), "fit_statistics")
)


def _data(layout, seed=0, missing=True):
    """``(X, y, sample_weight)``: task-indexed (task id in column 0) or a
    shared design with missing targets; weights include zeros."""
    rng = np.random.default_rng(seed)
    X, y = make_data("regressor", layout, n_tasks=5, n_rows=14, n_features=4)
    if layout == "shared" and missing:
        y = y.copy()
        y[rng.random(y.shape) < 0.2] = np.nan
    weight = rng.uniform(0.2, 3.0, len(X))
    weight[rng.random(len(X)) < 0.1] = 0.0
    return X, y, weight


def _task_column(layout):
    return 0 if layout == "indexed" else None


def _chunks(n_rows, n_chunks, seed=0):
    rows = np.random.default_rng(seed).permutation(n_rows)
    return np.array_split(rows, n_chunks)


def _statistics(X, y, weight, layout, chunks):
    return sum(
        TaskStatistics.from_data(
            X[rows], y[rows], weight[rows], task_column=_task_column(layout)
        )
        for rows in chunks
    )


def assert_statistics_equal(actual, expected, rtol=1e-12, same_rows=True):
    np.testing.assert_array_equal(actual.tasks, expected.tasks)
    for name in ARRAYS:
        scale = np.abs(getattr(expected, name)).max()
        np.testing.assert_allclose(
            getattr(actual, name),
            getattr(expected, name),
            rtol=rtol,
            atol=rtol * scale,
            err_msg=name,
        )
    if same_rows:
        assert actual.n_samples == expected.n_samples
    assert actual.sample_weight_sum == pytest.approx(expected.sample_weight_sum)


# -- the statistics ------------------------------------------------------------


@pytest.mark.parametrize("layout", ["indexed", "shared"])
@pytest.mark.parametrize("n_chunks", [2, 7])
def test_chunks_add_up_to_the_statistics_of_all_rows(layout, n_chunks):
    X, y, weight = _data(layout)
    whole = TaskStatistics.from_data(X, y, weight, task_column=_task_column(layout))
    added = _statistics(X, y, weight, layout, _chunks(len(X), n_chunks))
    assert_statistics_equal(added, whole)


def test_the_statistics_are_the_definitions():
    """Each array against its formula, task by task, on the raw rows."""
    X, y, weight = _data("indexed")
    stats = TaskStatistics.from_data(X, y, weight, task_column=0)
    for t, task in enumerate(stats.tasks):
        rows = X[:, 0] == task
        x, s, target = X[rows, 1:], weight[rows], y[rows]
        n = s.sum()
        x_mean, y_mean = s @ x / n, s @ target / n
        xc, yc = x - x_mean, target - y_mean
        np.testing.assert_allclose(stats.weight_sums[t], n)
        np.testing.assert_allclose(stats.x_mean[t], x_mean)
        np.testing.assert_allclose(stats.y_mean[t], y_mean)
        np.testing.assert_allclose(stats.gram[t], xc.T @ (s[:, None] * xc))
        np.testing.assert_allclose(stats.xy[t], xc.T @ (s * yc), atol=1e-12)
        np.testing.assert_allclose(stats.yy[t], s @ yc**2)


def test_tasks_missing_from_chunks():
    """A task absent from a chunk (task-indexed), or without any target in
    it (shared design), is merged from the chunks that have it."""
    X, y, weight = _data("indexed")
    first = X[:, 0] < 2  # tasks 0 and 1 only
    added = TaskStatistics.from_data(
        X[first], y[first], weight[first], task_column=0
    ) + TaskStatistics.from_data(X[~first], y[~first], weight[~first], task_column=0)
    assert_statistics_equal(
        added, TaskStatistics.from_data(X, y, weight, task_column=0)
    )
    X, Y, weight = _data("shared")
    Y[:30, 1] = np.nan
    chunks = [np.arange(30), np.arange(30, len(X))]
    assert_statistics_equal(
        _statistics(X, Y, weight, "shared", chunks),
        TaskStatistics.from_data(X, Y, weight),
    )


@pytest.mark.parametrize("offset, rtol", [(1e6, 1e-10), (1e8, 1e-9)])
def test_large_offsets_lose_no_digits(offset, rtol):
    """Features at a large offset with unit spread: the centred Gram matrices
    of 20 chunks merged keep their digits, relative to the exact centred
    Gram matrices of the stored values (summing x x' and subtracting the
    means' outer product would lose all of them at 1e8)."""
    rng = np.random.default_rng(0)
    n = 2000
    task = rng.integers(0, 3, n)
    spread = rng.normal(size=(n, 2))
    X = np.column_stack([task, offset + spread])
    y = offset + spread @ [1.0, -2.0] + rng.normal(size=n)
    deviations = X[:, 1:] - offset  # exact: what the stored rows hold
    stats = sum(
        TaskStatistics.from_data(X[rows], y[rows], task_column=0)
        for rows in np.array_split(np.arange(n), 20)
    )
    for t in range(3):
        d = deviations[task == t] - deviations[task == t].mean(axis=0)
        exact = d.T @ d
        np.testing.assert_allclose(stats.gram[t], exact, atol=rtol * exact.max())


def test_sparse_chunks_equal_dense_chunks():
    X, y, weight = _data("indexed")
    X[:, 2][X[:, 2] < 0.3] = 0.0
    chunks = _chunks(len(X), 3)
    sparse = sum(
        TaskStatistics.from_data(
            sp.csr_matrix(X[rows]), y[rows], weight[rows], task_column=0
        )
        for rows in chunks
    )
    assert_statistics_equal(sparse, _statistics(X, y, weight, "indexed", chunks))


@pytest.mark.parametrize("layout", ["indexed", "shared"])
def test_the_equivalent_rows_have_the_same_statistics(layout):
    """The p + 2 rows per task that fits run on reproduce the statistics."""
    X, y, weight = _data(layout)
    stats = TaskStatistics.from_data(X, y, weight, task_column=_task_column(layout))
    rows = stats._task_data()
    assert rows.n_samples == stats.n_tasks * (stats.n_features + 2)
    # Plain rows: their statistics recomputed, not read from ``stats``.
    data = TaskData(*(getattr(rows, a) for a in PLAIN), rows.sample_weight_sum)
    reader = statistics_module._Reader(_task_column(layout))
    reader.n_features_in_, reader._single_target = stats.n_features_in_, False
    again = TaskStatistics._from_task_data(data, reader)
    assert_statistics_equal(again, stats, rtol=1e-10, same_rows=False)


@pytest.mark.parametrize("rows_of_task_0", [2, 40])
def test_equivalent_rows_of_singular_and_regular_blocks(monkeypatch, rows_of_task_0):
    """A task with fewer rows than features has a singular second-moment
    matrix: its block of tasks is rooted by an eigendecomposition, the
    others by a Cholesky factor; both reproduce the statistics."""
    rng = np.random.default_rng(1)
    sizes = [rows_of_task_0, 30, 50]
    task = np.repeat([0.0, 1.0, 2.0], sizes)
    X = np.column_stack([task, rng.normal(size=(len(task), 6)) + 5.0])
    y = X[:, 1:] @ rng.normal(size=6) + rng.normal(size=len(task))
    stats = TaskStatistics.from_data(X, y, task_column=0)
    calls = []
    eigh = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda a: calls.append(a) or eigh(a))
    rows = stats._task_data()
    assert bool(calls) == (rows_of_task_0 < 6 + 2)
    reader = statistics_module._Reader(0)
    reader.n_features_in_, reader._single_target = stats.n_features_in_, False
    plain = TaskData(*(getattr(rows, a) for a in PLAIN), rows.sample_weight_sum)
    again = TaskStatistics._from_task_data(plain, reader)
    assert_statistics_equal(again, stats, rtol=1e-10, same_rows=False)


def test_targets_in_other_units_than_the_features():
    """Targets of 1e9 against features of 1e-6: the equivalent rows keep
    the small statistics to their own relative precision."""
    X, y, weight = _data("indexed")
    X[:, 1:] *= 1e-6
    stats = TaskStatistics.from_data(X, 1e9 * y, weight, task_column=0)
    reader = statistics_module._Reader(0)
    reader.n_features_in_, reader._single_target = stats.n_features_in_, False
    rows = stats._task_data()
    plain = TaskData(*(getattr(rows, a) for a in PLAIN), rows.sample_weight_sum)
    again = TaskStatistics._from_task_data(plain, reader)
    for name in ("gram", "xy", "yy"):
        np.testing.assert_allclose(
            getattr(again, name), getattr(stats, name), rtol=1e-9, err_msg=name
        )


# -- fitting from the statistics ----------------------------------------------


def _regressor(name, layout, **params):
    estimator = LINEAR[name][1](5, task_column=_task_column(layout))
    return estimator.set_params(**params)


@pytest.mark.parametrize("name", REGRESSORS)
@pytest.mark.parametrize("layout", ["indexed", "shared"])
def test_fit_statistics_gives_the_model_of_fit(name, layout):
    X, y, weight = _data(layout)
    fitted = _regressor(name, layout).fit(X, y, sample_weight=weight)
    stats = _statistics(X, y, weight, layout, _chunks(len(X), 3))
    from_stats = _regressor(name, layout).fit_statistics(stats)
    scale = max(np.abs(fitted.coef_).max(), 1.0)
    np.testing.assert_allclose(from_stats.coef_, fitted.coef_, atol=1e-6 * scale)
    np.testing.assert_allclose(
        from_stats.intercept_, fitted.intercept_, atol=1e-6 * scale
    )
    np.testing.assert_allclose(
        from_stats.predict(X), fitted.predict(X), atol=1e-5 * scale
    )
    assert from_stats.statistics_ is stats
    assert from_stats.n_features_in_ == fitted.n_features_in_


PARTIAL = [
    "MeanRegularizedRegressor",
    "L21Regressor",
    "TraceNormRegressor",
    "GraphRegularizedRegressor",
    "DirtyRegressor",
    "MultiTaskLinearModel",
]


@pytest.mark.parametrize("name", PARTIAL)
@pytest.mark.parametrize("layout", ["indexed", "shared"])
@pytest.mark.parametrize("n_chunks", [1, 2, 50])
def test_partial_fit_over_chunks_ends_at_the_model_of_fit(name, layout, n_chunks):
    X, y, weight = _data(layout)
    fitted = _regressor(name, layout, tol=1e-12).fit(X, y, sample_weight=weight)
    model = _regressor(name, layout, tol=1e-12)
    # A first chunk with every task (an array graph names all of them), then
    # chunks down to a single row, some with zero weights only.
    rows = np.random.default_rng(1).permutation(len(X))
    first, rest = rows[: len(X) // 5], rows[len(X) // 5 :]
    stream = [rows] if n_chunks == 1 else [first, *np.array_split(rest, n_chunks - 1)]
    for rows in stream:
        model.partial_fit(X[rows], y[rows], sample_weight=weight[rows])
    assert model.statistics_.n_samples == len(X)
    np.testing.assert_allclose(model.coef_, fitted.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, fitted.intercept_, atol=1e-6)


def test_partial_fit_waits_for_a_task_without_targets():
    X, Y, _ = _data("shared", missing=False)
    Y[:20, 2] = np.nan
    model = skmtl.MeanRegularizedRegressor(0.1)
    with pytest.warns(UserWarning, match=r"Task\(s\) \[2\] have no observed"):
        model.partial_fit(X[:20], Y[:20])
    with pytest.raises(NotFittedError):
        model.predict(X)
    model.partial_fit(X[20:], Y[20:])
    fitted = skmtl.MeanRegularizedRegressor(0.1).fit(X, Y)
    np.testing.assert_allclose(model.coef_, fitted.coef_, atol=1e-10)


def test_partial_fit_with_a_task_first_seen_later():
    X, y, _ = _data("indexed")
    late = X[:, 0] == 4
    model = skmtl.MeanRegularizedRegressor(0.1, task_column=0)
    model.partial_fit(X[~late], y[~late])
    np.testing.assert_array_equal(model.tasks_, [0, 1, 2, 3])
    model.partial_fit(X[late], y[late])
    fitted = skmtl.MeanRegularizedRegressor(0.1, task_column=0).fit(X, y)
    np.testing.assert_array_equal(model.tasks_, fitted.tasks_)
    np.testing.assert_allclose(model.coef_, fitted.coef_, atol=1e-10)


def test_fit_starts_over_and_partial_fit_after_fit_starts_from_the_chunk():
    X, y, _ = _data("indexed")
    model = skmtl.L21Regressor(0.01, task_column=0).partial_fit(X[:40], y[:40])
    assert model.statistics_.n_samples == 40
    model.fit(X, y)
    assert not hasattr(model, "statistics_")
    model.partial_fit(X[40:], y[40:])
    assert model.statistics_.n_samples == len(X) - 40
    alone = skmtl.L21Regressor(0.01, task_column=0).fit(X[40:], y[40:])
    np.testing.assert_allclose(model.coef_, alone.coef_, atol=1e-6)


def test_dataframe_chunks_keep_the_column_names():
    X, y, _ = _data("indexed")
    frame = pd.DataFrame(X, columns=["school", "a", "b", "c", "d"])
    model = skmtl.MeanRegularizedRegressor(0.1, task_column="school")
    for rows in _chunks(len(X), 2):
        model.partial_fit(frame.iloc[rows], y[rows])
    fitted = skmtl.MeanRegularizedRegressor(0.1, task_column="school").fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, fitted.feature_names_in_)
    np.testing.assert_allclose(model.predict(frame), fitted.predict(frame))
    with pytest.raises(ValueError, match="feature names"):
        model.partial_fit(frame.rename(columns={"a": "z"}), y)


# -- who offers it, and bad input ---------------------------------------------


def test_only_squared_loss_models_without_folds_offer_it():
    assert hasattr(skmtl.L21Regressor(), "partial_fit")
    assert hasattr(skmtl.MultiTaskLinearModel("squared"), "fit_statistics")
    for estimator in (
        skmtl.L21Classifier(),
        skmtl.L21RegressorCV(),
        skmtl.MultiTaskLinearModel("logistic"),
        skmtl.MultiTaskKernelRidge(),
    ):
        assert not hasattr(estimator, "partial_fit"), estimator
        assert not hasattr(estimator, "fit_statistics"), estimator


def test_adding_statistics_of_different_data_is_refused():
    X, y, _ = _data("indexed")
    stats = TaskStatistics.from_data(X, y, task_column=0)
    with pytest.raises(ValueError, match="n_features_in_ is 5 in one and 4"):
        stats + TaskStatistics.from_data(X[:, :4], y, task_column=0)
    with pytest.raises(ValueError, match="task_column is 0 in one and 1"):
        stats + TaskStatistics.from_data(X[:, [1, 0, 2, 3, 4]], y, task_column=1)
    frame = pd.DataFrame(X, columns=["t", "a", "b", "c", "d"])
    with pytest.raises(ValueError, match="named"):
        stats + TaskStatistics.from_data(frame, y, task_column=0)
    with pytest.raises(TypeError, match="task ids"):
        TaskStatistics.from_data(frame, y, task_column=0) + TaskStatistics.from_data(
            frame.assign(t=frame["t"].map("s{:.0f}".format)), y, task_column=0
        )
    Xs, Y, _ = _data("shared")
    shared = TaskStatistics.from_data(Xs, Y)
    with pytest.raises(ValueError, match="columns of y"):
        shared + TaskStatistics.from_data(Xs, pd.DataFrame(Y, columns=list("vwxyz")))
    with pytest.raises(TypeError):
        stats + 1.0


def test_fit_statistics_refuses_what_it_cannot_fit():
    X, y, weight = _data("indexed")
    model = skmtl.L21Regressor(0.1, task_column=0)
    with pytest.raises(TypeError, match="must be a TaskStatistics"):
        model.fit_statistics((X, y))
    with pytest.raises(ValueError, match="task_column=None"):
        skmtl.L21Regressor(0.1).fit_statistics(
            TaskStatistics.from_data(X, y, task_column=0)
        )
    zero = np.where(X[:, 0] == 3, 0.0, weight)
    with pytest.raises(ValueError, match=r"task\(s\) \[3\] have none"):
        model.fit_statistics(TaskStatistics.from_data(X, y, zero, task_column=0))


def test_statistics_above_the_memory_budget_are_refused(monkeypatch):
    monkeypatch.setattr(statistics_module, "MEMORY_BUDGET_BYTES", 100)
    X, y, _ = _data("indexed")
    with pytest.raises(ValueError, match="above the memory budget"):
        TaskStatistics.from_data(X, y, task_column=0)


@pytest.mark.parametrize("layout", ["indexed", "shared"])
def test_task_graphs_and_orders_built_in_fit_come_out_the_same(layout):
    """A k-nearest-neighbour task graph and an order by a column's means are
    built from the rows' summaries, which the statistics hold exactly."""
    X, y, weight = _data(layout)
    stats = _statistics(X, y, weight, layout, _chunks(len(X), 3))
    column = _task_column(layout)
    models = [skmtl.GraphRegularizedRegressor("knn", n_neighbors=2, task_column=column)]
    if layout == "indexed":
        models.append(skmtl.TemporalGroupRegressor(order_by=2, task_column=column))
    for model in models:
        fitted = clone(model).fit(X, y, sample_weight=weight)
        from_stats = clone(model).fit_statistics(stats)
        for name in ("graph_", "task_order_"):
            if hasattr(fitted, name):
                np.testing.assert_array_equal(
                    getattr(from_stats, name), getattr(fitted, name)
                )
        np.testing.assert_allclose(from_stats.coef_, fitted.coef_, atol=1e-6)


def test_in_place_addition_equals_addition():
    X, y, weight = _data("indexed")
    chunks = _chunks(len(X), 4)
    parts = [
        TaskStatistics.from_data(X[r], y[r], weight[r], task_column=0) for r in chunks
    ]
    total = TaskStatistics.from_data(X, y, weight, task_column=0)
    accumulated = 0
    for part in parts:
        accumulated += part
    assert accumulated is parts[0]  # merged into the first chunk's object
    assert_statistics_equal(accumulated, total)
    first = X[:, 0] < 2
    small = TaskStatistics.from_data(X[first], y[first], task_column=0)
    before = small
    small += TaskStatistics.from_data(X[~first], y[~first], task_column=0)
    assert small is not before  # new tasks: a new object
    np.testing.assert_array_equal(before.tasks, [0, 1])


def test_partial_fit_never_changes_the_statistics_given_to_fit_statistics():
    X, y, _ = _data("indexed")
    given = TaskStatistics.from_data(X[:40], y[:40], task_column=0)
    gram = given.gram.copy()
    model = skmtl.MeanRegularizedRegressor(0.1, task_column=0).fit_statistics(given)
    model.partial_fit(X[40:], y[40:])
    model.partial_fit(X[40:], y[40:])
    np.testing.assert_array_equal(given.gram, gram)
    assert given.n_samples == 40
    assert model.statistics_.n_samples == 40 + 2 * (len(X) - 40)


@pytest.mark.parametrize("layout", ["indexed", "shared"])
@pytest.mark.parametrize("center", [True, False])
def test_the_equivalent_rows_give_the_exact_gram_matrices(layout, center):
    """Read from the statistics (constant weights per task) or recomputed
    from the rows (other weights, or some features only): the same."""
    X, y, weight = _data(layout)
    rows = TaskStatistics.from_data(
        X, y, weight, task_column=_task_column(layout)
    )._task_data()
    plain = TaskData(*(getattr(rows, a) for a in PLAIN), rows.sample_weight_sum)
    rng = np.random.default_rng(0)
    for D in (rows.weight / rows.sample_weight_sum, rng.random(rows.weight.shape)):
        D = np.where(rows.weight > 0, D, 0.0)
        for got, expected in zip(
            rows.weighted_gram(D, center), plain.weighted_gram(D, center), strict=True
        ):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    columns = np.array([0, 2])
    for got, expected in zip(
        rows.restrict_features(columns).weighted_gram(rows.weight, center),
        plain.restrict_features(columns).weighted_gram(rows.weight, center),
        strict=True,
    ):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
