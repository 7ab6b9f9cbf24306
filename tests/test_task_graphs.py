"""Task graphs and time orders built by ``fit`` from the training rows only."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, cross_validate

from skmtl import (
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    TemporalGroupRegressor,
)
from skmtl.datasets import make_multitask_classification, make_multitask_regression


def _frame(n_tasks=8, random_state=0):
    """Task-indexed rows whose tasks differ in their feature means."""
    rng = np.random.default_rng(random_state)
    X, y = make_multitask_regression(
        n_tasks=n_tasks, n_samples=25, n_features=3, random_state=random_state
    )
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(0, "task", X[:, 0].astype(int))
    shift = rng.normal(scale=2.0, size=(n_tasks, 3))
    frame[["a", "b", "c"]] += shift[frame["task"]]
    return frame, y


def knn_oracle(descriptors, k):
    """Brute force: standardise, join each task to its k nearest, symmetrise."""
    Z = (descriptors - descriptors.mean(0)) / descriptors.std(0)
    distances = np.linalg.norm(Z[:, None] - Z[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    A = np.zeros_like(distances)
    for t, row in enumerate(distances):
        A[t, np.argsort(row)[:k]] = 1.0
    return np.maximum(A, A.T)


def test_knn_graph_joins_nearest_tasks_by_their_feature_means():
    X, y = _frame()
    model = GraphRegularizedRegressor("knn", n_neighbors=2, task_column="task")
    model.fit(X, y)
    means = X.groupby("task")[["a", "b", "c"]].mean().to_numpy()
    np.testing.assert_array_equal(model.graph_, knn_oracle(means, 2))
    fixed = GraphRegularizedRegressor(model.graph_, task_column="task").fit(X, y)
    np.testing.assert_allclose(model.coef_, fixed.coef_, rtol=1e-12)
    np.testing.assert_array_equal(fixed.graph_, model.graph_)


def test_the_graph_of_each_fold_comes_from_its_training_rows_only():
    X, y = _frame()
    model = GraphRegularizedRegressor("knn", n_neighbors=2, task_column="task")
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    fitted = cross_validate(model, X, y, cv=folds, return_estimator=True)
    everything = knn_oracle(X.groupby("task")[["a", "b", "c"]].mean().to_numpy(), 2)
    differs = 0
    for estimator, (train, _) in zip(fitted["estimator"], folds, strict=True):
        rows = X.iloc[train]
        means = rows.groupby("task")[["a", "b", "c"]].mean().to_numpy()
        np.testing.assert_array_equal(estimator.graph_, knn_oracle(means, 2))
        differs += not np.array_equal(estimator.graph_, everything)
    assert differs  # the held-out rows would have changed some graph


def test_shared_design_tasks_are_compared_by_feature_target_covariances():
    X, Y = make_multitask_classification(
        n_tasks=6, n_samples=80, n_features=4, shared_design=True, random_state=1
    )
    Y = Y.astype(float)
    Y[:5, 0] = np.nan  # missing targets: each task's covariances over its rows
    model = GraphRegularizedClassifier("knn", n_neighbors=2, l2=1e-3).fit(X, Y)
    descriptors = []
    for t in range(Y.shape[1]):
        seen = ~np.isnan(Y[:, t])
        x, target = X[seen], Y[seen, t]
        descriptors.append((target - target.mean()) @ (x - x.mean(0)) / seen.sum())
    np.testing.assert_array_equal(model.graph_, knn_oracle(np.array(descriptors), 2))


def test_given_task_descriptors_by_task_id_or_in_task_order():
    X, y = _frame()
    rng = np.random.default_rng(3)
    descriptors = rng.normal(size=(8, 2))
    by_id = pd.DataFrame(descriptors, index=np.arange(8)).iloc[::-1]
    by_id.loc[99] = [0.0, 0.0]  # a task the fit does not see: ignored
    base = {"n_neighbors": 3, "task_column": "task"}
    named = GraphRegularizedRegressor("knn", task_features=by_id, **base).fit(X, y)
    ordered = GraphRegularizedRegressor("knn", task_features=descriptors, **base)
    ordered.fit(X, y)
    np.testing.assert_array_equal(named.graph_, knn_oracle(descriptors, 3))
    np.testing.assert_array_equal(ordered.graph_, named.graph_)


def test_more_neighbours_than_tasks_or_equal_descriptors_join_every_task():
    X, y = _frame(n_tasks=4)
    complete = np.ones((4, 4)) - np.eye(4)
    many = GraphRegularizedRegressor("knn", n_neighbors=10, task_column="task")
    np.testing.assert_array_equal(many.fit(X, y).graph_, complete)
    equal = GraphRegularizedRegressor(
        "knn", task_features=np.ones((4, 2)), task_column="task"
    )
    np.testing.assert_array_equal(equal.fit(X, y).graph_, complete)


def test_bad_task_descriptors_are_refused_by_name():
    X, y = _frame(n_tasks=4)
    with pytest.raises(ValueError, match="task_features has 3 rows"):
        GraphRegularizedRegressor(
            "knn", task_features=np.ones((3, 2)), task_column="task"
        ).fit(X, y)
    missing = pd.DataFrame(np.ones((3, 1)), index=[0, 1, 2])
    with pytest.raises(ValueError, match=r"Task\(s\) \[3\] .* index of task_features"):
        GraphRegularizedRegressor("knn", task_features=missing, task_column="task").fit(
            X, y
        )
    with pytest.raises(ValueError, match="graph='knn' only"):
        GraphRegularizedRegressor(
            np.ones((4, 4)), task_features=np.ones((4, 1)), task_column="task"
        ).fit(X, y)
    with pytest.raises(ValueError, match="task_features"):
        GraphRegularizedRegressor(
            "knn", task_features=np.full((4, 1), np.nan), task_column="task"
        ).fit(X, y)
    words = pd.DataFrame({"region": list("nsew")}, index=range(4))
    with pytest.raises(ValueError, match="task_features must be numeric"):
        GraphRegularizedRegressor("knn", task_features=words, task_column="task").fit(
            X, y
        )
    with pytest.raises(ValueError, match="graph"):
        GraphRegularizedRegressor("ring", task_column="task").fit(X, y)


def test_temporal_order_by_a_column_equals_task_ids_sorted_in_that_order():
    X, y = _frame(n_tasks=5)
    time = np.array([3.0, 0.0, 4.0, 1.0, 2.0])  # the time of each task id
    X["month"] = time[X["task"]] + 0.01 * np.arange(len(X)) / len(X)
    ordered = TemporalGroupRegressor(0.0, 1.0, 0.1, task_column="task")
    ordered.set_params(order_by="month").fit(X, y)
    np.testing.assert_array_equal(ordered.task_order_, [1, 3, 4, 0, 2])
    # The same model with task ids renamed so that sorting them gives time.
    renamed = X.assign(task=np.argsort(np.argsort(time))[X["task"]])
    plain = TemporalGroupRegressor(0.0, 1.0, 0.1, task_column="task").fit(renamed, y)
    np.testing.assert_array_equal(plain.task_order_, np.arange(5))
    np.testing.assert_allclose(
        ordered.coef_[ordered.task_order_], plain.coef_, atol=1e-7
    )
    by_position = TemporalGroupRegressor(0.0, 1.0, 0.1, task_column="task")
    by_position.set_params(order_by=4).fit(X, y)
    np.testing.assert_allclose(by_position.coef_, ordered.coef_, rtol=1e-12)


def test_temporal_order_by_is_refused_where_it_means_nothing():
    X, y = _frame(n_tasks=3)
    model = TemporalGroupRegressor(task_column="task")
    for column, message in [
        ("task", "is the task column"),
        ("month", "not a column of X"),
        (7, "not a column position"),
    ]:
        with pytest.raises(ValueError, match=message):
            model.set_params(order_by=column).fit(X, y)
    X_shared, Y = make_multitask_regression(
        n_tasks=3, n_samples=20, n_features=2, shared_design=True
    )
    with pytest.raises(ValueError, match="order the columns of y"):
        TemporalGroupRegressor(order_by=0).fit(X_shared, Y)
