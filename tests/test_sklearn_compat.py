"""scikit-learn citizenship: estimator checks, Pipeline, GridSearchCV, pickle."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor
from skmtl.datasets import make_multitask_classification, make_multitask_regression
from skmtl.model_selection import TaskStratifiedKFold

INF = float("inf")


def school_like_frame(kind="regression", seed=0):
    pd = pytest.importorskip("pandas")
    make = (
        make_multitask_regression
        if kind == "regression"
        else make_multitask_classification
    )
    X, y = make(
        n_tasks=6,
        n_samples=[25, 30, 35, 40, 45, 50],
        n_features=4,
        relatedness=0.8,
        task_offset_std=1.0,
        as_frame=True,
        random_state=seed,
    )
    X["task"] = "school_" + X["task"].astype(str)
    X[["x0", "x1"]] *= 100.0  # features on very different scales
    return X.rename(columns={"task": "school"}), pd.Series(y)


def scaled_pipeline(estimator):
    scale = ColumnTransformer(
        [("scale", StandardScaler(), ["x0", "x1", "x2", "x3"])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(scale, estimator)


def test_pipeline_scales_features_and_leaves_task_column_alone():
    X, y = school_like_frame()
    pipe = scaled_pipeline(MeanRegularizedRegressor(task_column="school")).fit(X, y)
    model = pipe[-1]
    assert sorted(model.tasks_) == [f"school_{t}" for t in range(6)]
    assert "school" in model.feature_names_in_
    transformed = pipe[0].transform(X)
    assert list(transformed["school"]) == list(X["school"])
    np.testing.assert_allclose(transformed[["x0", "x1"]].std(ddof=0), 1.0)
    np.testing.assert_allclose(pipe.predict(X), model.predict(transformed))


@pytest.mark.parametrize("kind", ["regression", "classification"])
def test_grid_search_over_coupling_and_alpha(kind):
    X, y = school_like_frame(kind)
    estimator = (
        MeanRegularizedRegressor if kind == "regression" else MeanRegularizedClassifier
    )(task_column="school")
    name = type(estimator).__name__.lower()
    search = GridSearchCV(
        scaled_pipeline(estimator),
        {f"{name}__coupling": [0.0, 1.0, 10.0, INF], f"{name}__alpha": [1e-3, 1e-1]},
        cv=TaskStratifiedKFold(4, task_column="school", shuffle=True, random_state=0),
    )
    search.fit(X, y)
    assert search.best_params_[f"{name}__coupling"] in (0.0, 1.0, 10.0, INF)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(X).shape == (len(X),)


def test_related_tasks_prefer_some_coupling():
    """With strongly related tasks and few rows each, sharing must pay off."""
    X, y = make_multitask_regression(
        n_tasks=20,
        n_samples=12,
        n_features=8,
        relatedness=0.95,
        noise=1.0,
        random_state=3,
    )
    cv = TaskStratifiedKFold(3, task_column=0, shuffle=True, random_state=0)

    def score(coupling):
        model = MeanRegularizedRegressor(0.01, coupling, task_column=0)
        return cross_val_score(model, X, y, cv=cv).mean()

    assert score(10.0) > score(0.0)


def test_task_stratified_kfold_keeps_every_task_in_training():
    X, _ = school_like_frame()
    cv = TaskStratifiedKFold(5, task_column="school", shuffle=True, random_state=1)
    assert cv.get_n_splits() == 5
    for train, test in cv.split(X):
        assert set(X["school"].iloc[train]) == set(X["school"])
        assert len(np.intersect1d(train, test)) == 0


def test_pickle_clone_and_params_round_trip():
    X, y = school_like_frame()
    model = MeanRegularizedRegressor(0.3, 2.0, task_column="school").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    fresh = clone(model)
    assert not hasattr(fresh, "coef_")
    assert fresh.get_params() == model.get_params()
    fresh.set_params(coupling=INF, alpha=0.1)
    assert (fresh.coupling, fresh.alpha) == (INF, 0.1)
    fresh.fit(X, y)
    np.testing.assert_array_equal(fresh.coef_, np.tile(fresh.coef_[0], (6, 1)))


def test_task_stratified_kfold_can_stratify_on_the_class_too():
    X, y = school_like_frame("classification")
    cv = TaskStratifiedKFold(
        3, task_column="school", stratify_target=True, shuffle=True, random_state=0
    )
    for train, _ in cv.split(X, y):
        pairs = set(zip(X["school"].iloc[train], y.iloc[train], strict=True))
        assert pairs == set(zip(X["school"], y, strict=True))
    with pytest.raises(ValueError, match="stratify_target=True needs y"):
        next(cv.split(X))


def test_score_leaves_missing_targets_out():
    from sklearn.metrics import accuracy_score, r2_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = X @ rng.normal(size=(3, 2)) + 0.5 * rng.normal(size=(60, 2))
    model = MeanRegularizedRegressor(0.01, 1.0).fit(X, Y)
    assert model.score(X, Y) == pytest.approx(r2_score(Y, model.predict(X)))
    Y_missing = Y.copy()
    Y_missing[:20, 0] = np.nan
    expected = np.mean(
        [
            r2_score(Y[20:, 0], model.predict(X)[20:, 0]),
            r2_score(Y[:, 1], model.predict(X)[:, 1]),
        ]
    )
    assert model.score(X, Y_missing) == pytest.approx(expected)
    assert np.isfinite(
        cross_val_score(MeanRegularizedRegressor(), X, Y_missing, cv=3)
    ).all()

    labels = (Y > 0).astype(float)
    clf = MeanRegularizedClassifier(0.01, 1.0).fit(X, labels)
    assert clf.score(X, labels) == pytest.approx(accuracy_score(labels, clf.predict(X)))
    labels[:30, 1] = np.nan
    pred = clf.predict(X)
    correct = np.r_[
        pred[:30, 0] == labels[:30, 0], np.all(pred[30:] == labels[30:], axis=1)
    ]
    assert clf.score(X, labels) == pytest.approx(correct.mean())
