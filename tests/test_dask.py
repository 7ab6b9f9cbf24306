"""Dask collections ([9/10] item 3), on a real LocalCluster of two processes.

The oracle is the in-memory fit of the same rows: a fit from Dask
collections (statistics per partition, added on the workers) must give its
coefficients to 1e-8 relative and a certified gap; predictions per
partition must equal the in-memory predictions.
"""

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import skmtl
from skmtl.penalties import L21

from ._estimators import make_data

dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _frame(n_tasks=6, n_rows=30, seed=0):
    X, y = make_data("regressor", "indexed", n_tasks=n_tasks, n_rows=n_rows, seed=seed)
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(0, "task", [f"t{int(t)}" for t in X[:, 0]])
    frame["y"] = y
    frame["w"] = np.random.default_rng(seed).uniform(0.2, 2.0, len(frame))
    return frame


def _assert_same_fit(model, fitted, same_gap=True):
    """Coefficients to 1e-8; when ``same_gap``, a gap as small as the
    in-memory fit's (the same solve on the same statistics), else each fit
    certifies its own.

    (The statistics are added in another order on the cluster: the solves
    agree to round-off, and a gap of 1e-15 in memory may be 1e-11 there;
    hence the floor at ``tol``, the objectives being of order one.)
    """
    scale = np.abs(fitted.coef_).max()
    np.testing.assert_allclose(model.coef_, fitted.coef_, rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(
        model.intercept_, fitted.intercept_, rtol=1e-8, atol=1e-8 * scale
    )
    np.testing.assert_array_equal(model.tasks_, fitted.tasks_)
    if same_gap:
        assert model.dual_gap_ <= max(10 * fitted.dual_gap_, model.tol)


FEATURES = ["task", "a", "b", "c"]


def _fits(model, frame, order="by task", npartitions=5):
    """``(in memory, from Dask)`` fits of ``model`` on ``frame`` (weighted),
    its rows in task order or shuffled."""
    if order == "shuffled":
        frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    ddf = dd.from_pandas(frame, npartitions=npartitions)
    fitted = clone(model).set_params(task_column="task")
    fitted.fit(frame[FEATURES], frame["y"], sample_weight=frame["w"])
    from_dask = clone(model).set_params(task_column="task")
    from_dask.fit(ddf[FEATURES], ddf["y"], sample_weight=ddf["w"])
    return fitted, from_dask, ddf


MODELS = [
    skmtl.MeanRegularizedRegressor(0.1, 1.0),
    skmtl.L21Regressor(0.01, tol=1e-10),
    skmtl.TraceNormRegressor(0.01, tol=1e-10),
    skmtl.MultiTaskLinearModel("squared", L21(0.01), tol=1e-10),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("order", ["by task", "shuffled"])
def test_dataframe_fit_equals_the_in_memory_fit(client, model, order):
    """Task-indexed: partitions that hold one or two tasks (rows sorted by
    task) or every task (rows shuffled), with sample weights."""
    fitted, from_dask, ddf = _fits(model, _frame(), order)
    _assert_same_fit(from_dask, fitted)
    assert from_dask.statistics_.n_samples == len(ddf)
    predicted = from_dask.predict(ddf[FEATURES])
    assert isinstance(predicted, dd.Series)
    expected = fitted.predict(ddf[FEATURES].compute())
    np.testing.assert_allclose(predicted.compute().to_numpy(), expected, rtol=1e-8)


def test_empty_partitions_and_a_task_missing_from_partitions(client):
    frame = _frame().sort_values("task").reset_index(drop=True)
    ddf = dd.from_pandas(frame, npartitions=6)
    ddf = ddf[ddf["a"] < 10.0]  # the same rows ...
    empty = ddf.partitions[0][ddf.partitions[0]["a"] > 10.0]  # ... and no rows
    ddf = dd.concat([empty, ddf])
    features = ["task", "a", "b", "c"]
    fitted = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10).fit(
        frame[features], frame["y"]
    )
    model = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10)
    _assert_same_fit(model.fit(ddf[features], ddf["y"]), fitted)


def test_shared_design_array_with_missing_targets(client):
    X, Y = make_data("regressor", "shared", n_tasks=3, n_rows=40)
    Y[::7, 1] = np.nan
    weight = np.random.default_rng(0).uniform(0.2, 2.0, len(X))
    dX = da.from_array(X, chunks=(25, 2))  # blocks of columns are joined
    dY = da.from_array(Y, chunks=(50, 3))  # other row blocks: rechunked to X's
    dw = da.from_array(weight, chunks=30)
    model = skmtl.MeanRegularizedRegressor(0.1).fit(dX, dY, sample_weight=dw)
    fitted = skmtl.MeanRegularizedRegressor(0.1).fit(X, Y, sample_weight=weight)
    _assert_same_fit(model, fitted)
    predicted = model.predict(dX)
    assert isinstance(predicted, da.Array) and predicted.shape == (len(X), 3)
    np.testing.assert_allclose(predicted.compute(), fitted.predict(X), rtol=1e-10)


def test_unknown_tasks_at_predict(client):
    frame = _frame()
    features = ["task", "a", "b", "c"]
    model = skmtl.MeanRegularizedRegressor(0.1, task_column="task")
    model.set_params(unknown_task="shared").fit(
        dd.from_pandas(frame, npartitions=3)[features],
        dd.from_pandas(frame, npartitions=3)["y"],
    )
    new = frame[features].assign(task="unseen")
    predicted = model.predict(dd.from_pandas(new, npartitions=2)).compute()
    np.testing.assert_allclose(predicted.to_numpy(), model.predict(new))


def test_classifier_predictions_by_partition(client):
    """A classifier fitted in memory predicts a Dask collection per partition."""
    X, y = make_data("classifier", "indexed", n_tasks=4, n_rows=30)
    frame = pd.DataFrame(X, columns=["task", "a", "b", "c"])
    model = skmtl.L21Classifier(0.01, task_column="task").fit(frame, y)
    ddf = dd.from_pandas(frame, npartitions=3)
    np.testing.assert_array_equal(model.predict(ddf).compute(), model.predict(frame))
    np.testing.assert_allclose(
        model.predict_proba(ddf).compute().to_numpy(), model.predict_proba(frame)
    )


def test_what_cannot_fit_dask_collections_says_so(client):
    frame = _frame()
    ddf = dd.from_pandas(frame, npartitions=2)
    X, y = ddf[["task", "a", "b", "c"]], ddf["y"]
    labels = (y > 0).astype(int)
    for model in (
        skmtl.L21RegressorCV(task_column="task"),
        skmtl.L21ClassifierCV(task_column="task"),
        skmtl.MultiTaskKernelRidge(task_column="task"),
    ):
        with pytest.raises(TypeError, match="compute\\(\\) the data first"):
            model.fit(X, labels)
    for model, reason in (
        (skmtl.L21Classifier(shared_component=True), "several parts"),
        (skmtl.DirtyClassifier(), "several parts"),
        (skmtl.GraphRegularizedClassifier(np.ones((6, 6))), "l2 > 0"),
    ):
        with pytest.raises(TypeError, match=reason):
            model.set_params(task_column="task").fit(X, labels)
    with pytest.raises(ValueError, match="solver must be one of"):
        skmtl.L21Classifier(solver="fista", task_column="task").fit(X, labels)
    with pytest.raises(TypeError, match="y is not"):
        skmtl.L21Regressor(task_column="task").fit(X, frame["y"])
    with pytest.raises(TypeError, match="sample_weight is not"):
        skmtl.L21Regressor(task_column="task").fit(X, y, sample_weight=frame["w"])
    with pytest.raises(ValueError, match="same partitions"):
        skmtl.L21Regressor(task_column="task").fit(X, y.repartition(npartitions=3))


def _labelled(n_tasks=6, n_rows=40, seed=0):
    X, y = make_data("classifier", "indexed", n_tasks=n_tasks, n_rows=n_rows, seed=seed)
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(0, "task", [f"t{int(t)}" for t in X[:, 0]])
    frame["y"] = np.where(y > 0, "spam", "ham")
    frame["w"] = np.random.default_rng(seed).uniform(0.2, 2.0, len(frame))
    return frame


CLASSIFIERS = [
    skmtl.L21Classifier(0.01, tol=1e-10),
    skmtl.LassoClassifier(0.01, tol=1e-10),
    skmtl.TraceNormClassifier(0.01, tol=1e-10),
    skmtl.SparseGroupClassifier(0.01, 0.01, tol=1e-10),
    skmtl.MultiTaskLinearModel("logistic", L21(0.01), tol=1e-10),
]


@pytest.mark.parametrize("model", CLASSIFIERS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("order", ["by task", "shuffled"])
def test_classifier_fit_equals_the_in_memory_fit(client, model, order):
    """Distributed proximal Newton: one pass per Newton step, the same
    optimum (these optima are sharp: coefficients to 1e-8) and a certified
    gap; string labels, sample weights, partitions with few or all tasks."""
    frame = _labelled()
    fitted, from_dask, ddf = _fits(model, frame, order)
    _assert_same_fit(from_dask, fitted, same_gap=False)
    assert from_dask.dual_gap_ <= 1e-10 * _objective(from_dask, frame)
    np.testing.assert_array_equal(from_dask.classes_, ["ham", "spam"])
    # The class labels (y alone), the start, one pass per Newton step, and
    # the pass that certified the last step.
    assert from_dask._n_passes <= from_dask.n_iter_ + 3
    proba = from_dask.predict_proba(ddf[FEATURES]).compute().to_numpy()
    expected = fitted.predict_proba(ddf[FEATURES].compute())
    np.testing.assert_allclose(proba, expected, atol=1e-8)


def _objective(model, frame):
    """The objective of ``model``'s fit on ``frame`` (in memory)."""
    from skmtl.solvers._certificate import objective

    data, datafit = model._prepare_fit(frame[FEATURES], frame["y"], frame["w"])
    penalty = model._model_penalty(data)
    return objective(data, datafit, penalty, model.coef_, model.intercept_)


@pytest.mark.parametrize(
    "model",
    [
        skmtl.MeanRegularizedClassifier(0.1, 1.0, tol=1e-10),
        skmtl.GraphRegularizedClassifier("knn", 0.1, n_neighbors=2, l2=0.01, tol=1e-10),
    ],
    ids=lambda m: type(m).__name__,
)
def test_smooth_penalties_reach_the_optimum_on_dask(client, model):
    """Quadratic penalties give flat optima: a gap at round-off leaves the
    coefficients free to about 1e-8, so coefficients are compared within
    what the two certificates allow: the objective is mu-strongly convex
    (mu: the penalty's smallest curvature), so each fit lies within
    ``sqrt(2 gap / mu)`` of the optimum. The graph is built from the rows."""
    frame = _labelled()
    fitted, from_dask, _ = _fits(model, frame, npartitions=4)
    data, _ = from_dask._prepare_fit(frame[FEATURES], frame["y"], frame["w"])
    penalty = from_dask._model_penalty(data)
    # The penalty's gradient is linear: its matrix, column by column.
    size = from_dask.coef_.size
    hessian = np.column_stack(
        [
            penalty.gradient(e.reshape(from_dask.coef_.shape)).ravel()
            for e in np.eye(size)
        ]
    )
    mu = np.linalg.eigvalsh(0.5 * (hessian + hessian.T)).min()
    objective = _objective(from_dask, frame)
    assert from_dask.dual_gap_ <= 1e-10 * objective
    round_off = 64 * np.finfo(float).eps * objective
    gaps = from_dask.dual_gap_ + fitted.dual_gap_ + 2 * round_off
    assert objective <= _objective(fitted, frame) + from_dask.dual_gap_ + round_off
    distance = np.linalg.norm(from_dask.coef_ - fitted.coef_)
    assert distance <= 2 * np.sqrt(2 * gaps / mu)
    if hasattr(fitted, "graph_"):
        np.testing.assert_array_equal(from_dask.graph_, fitted.graph_)


def test_multilabel_classifier_on_a_shared_design_array(client):
    """Shared design: one 0/1 column per label, missing labels, weights."""
    X, Y = make_data("classifier", "shared", n_tasks=3, n_rows=60)
    Y = Y.astype(float)
    Y[::7, 1] = np.nan
    weight = np.random.default_rng(0).uniform(0.2, 2.0, len(X))
    dX, dY = da.from_array(X, chunks=(25, 2)), da.from_array(Y, chunks=(50, 3))
    dw = da.from_array(weight, chunks=30)
    for model in (
        skmtl.L21Classifier(0.01, tol=1e-10),
        skmtl.LassoClassifier(0.01, tol=1e-10, fit_intercept=False),
    ):
        fitted = clone(model).fit(X, Y, sample_weight=weight)
        from_dask = clone(model).fit(dX, dY, sample_weight=dw)
        _assert_same_fit(from_dask, fitted, same_gap=False)
        assert from_dask.dual_gap_ <= 1e-10
        predicted = from_dask.predict(dX)
        assert isinstance(predicted, da.Array)
        np.testing.assert_array_equal(predicted.compute(), fitted.predict(X))


def test_classifier_with_empty_partitions_and_unknown_tasks(client):
    """Partitions without rows add nothing; an unseen task at predict gets
    the shared model, as in memory."""
    frame = _labelled().sort_values("task").reset_index(drop=True)
    features = ["task", "a", "b", "c"]
    ddf = dd.from_pandas(frame, npartitions=6)
    empty = ddf.partitions[0][ddf.partitions[0]["a"] > 100.0]
    ddf = dd.concat([empty, ddf, empty])
    model = skmtl.L21Classifier(0.01, task_column="task", tol=1e-10)
    model.set_params(unknown_task="shared")
    fitted = clone(model).fit(frame[features], frame["y"])
    model.fit(ddf[features], ddf["y"])
    _assert_same_fit(model, fitted, same_gap=False)
    new = frame[features].assign(task="unseen")
    predicted = model.predict_proba(dd.from_pandas(new, npartitions=2)).compute()
    np.testing.assert_allclose(predicted.to_numpy(), fitted.predict_proba(new))


def test_classifier_with_a_partition_of_zero_weights(client):
    """A partition whose rows all have zero weight adds nothing (a weighted
    mean over it would divide by zero)."""
    frame = _labelled().sort_values("task").reset_index(drop=True)
    frame.loc[:9, "w"] = 0.0  # the first partition's rows
    model = skmtl.L21Classifier(0.01, tol=1e-10)
    fitted, from_dask, _ = _fits(model, frame, npartitions=12)
    _assert_same_fit(from_dask, fitted, same_gap=False)
    assert from_dask.dual_gap_ <= 1e-10 * _objective(from_dask, frame)


def test_classifier_targets_are_checked_on_dask(client):
    frame = _labelled()
    features = ["task", "a", "b", "c"]
    model = skmtl.L21Classifier(0.01, task_column="task")
    three = frame.assign(y=np.arange(len(frame)) % 3)
    with pytest.raises(ValueError, match="3 classes"):
        model.fit(
            dd.from_pandas(three[features], npartitions=3),
            dd.from_pandas(three["y"], npartitions=3),
        )
    one_class = frame.assign(y=np.where(frame["task"] == "t2", "ham", frame["y"]))
    with pytest.raises(
        ValueError, match=r"Task\(s\) \['t2'\] have targets of only one"
    ):
        model.fit(
            dd.from_pandas(one_class[features], npartitions=3),
            dd.from_pandas(one_class["y"], npartitions=3),
        )


def test_dask_classifier_warns_with_its_gap_at_max_iter(client):
    frame = _labelled()
    ddf = dd.from_pandas(frame, npartitions=3)
    model = skmtl.L21Classifier(0.01, task_column="task", tol=1e-12, max_iter=1)
    with pytest.warns(ConvergenceWarning, match="after 1 Newton steps with a duality"):
        model.fit(ddf[["task", "a", "b", "c"]], ddf["y"])
    assert model.n_iter_ == 1 and model.dual_gap_ > 1e-12 * _objective(model, frame)


@pytest.mark.filterwarnings("ignore:L21RegressorCV chose:UserWarning")
def test_cv_folds_run_on_the_cluster_through_joblib(client):
    import joblib

    frame = _frame()
    X, y = frame[["task", "a", "b", "c"]], frame["y"]
    model = skmtl.L21RegressorCV(task_column="task", n_alphas=5, cv=3, n_jobs=2)
    with joblib.parallel_config(backend="dask"):
        on_cluster = clone(model).fit(X, y)
    here = clone(model).set_params(n_jobs=1).fit(X, y)
    assert on_cluster.alpha_ == here.alpha_
    np.testing.assert_allclose(on_cluster.coef_, here.coef_)


def test_a_worker_killed_mid_computation_leaves_the_result_unchanged():
    """The cluster reruns the lost partitions' statistics on the surviving
    (or restarted) worker: the fit is the in-memory fit."""
    frame = _frame(n_tasks=6, n_rows=60)
    features = ["task", "a", "b", "c"]
    fitted = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10)
    fitted.fit(frame[features], frame["y"])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = dd.from_pandas(frame, npartitions=8)
        # Each partition takes 0.4 s, so that the kill lands mid-computation.
        slow = ddf.map_partitions(lambda part: time.sleep(0.4) or part, meta=ddf._meta)
        victim = next(iter(client.run(os.getpid).values()))
        killer = threading.Timer(0.8, os.kill, (victim, signal.SIGKILL))
        killer.start()
        model = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10)
        model.fit(slow[features], slow["y"])
        killer.join()
        assert victim not in client.run(os.getpid).values()  # it did die
    _assert_same_fit(model, fitted)


def test_shared_design_dataframes_keep_the_task_labels(client):
    X, Y = make_data("regressor", "shared", n_tasks=3, n_rows=30)
    Y[::5, 2] = np.nan
    features = pd.DataFrame(X, columns=["a", "b", "c"])
    targets = pd.DataFrame(Y, columns=["north", "south", "west"])
    fitted = skmtl.L21Regressor(0.01, tol=1e-10).fit(features, targets)
    model = skmtl.L21Regressor(0.01, tol=1e-10).fit(
        dd.from_pandas(features, npartitions=4), dd.from_pandas(targets, npartitions=4)
    )
    _assert_same_fit(model, fitted)
    predicted = model.predict(dd.from_pandas(features, npartitions=4)).compute()
    assert list(predicted.columns) == ["north", "south", "west"]
    np.testing.assert_allclose(predicted.to_numpy(), fitted.predict(features))
