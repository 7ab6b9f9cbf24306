"""Per-task scores and scorers averaged over tasks ([10/10] item 3).

The oracle is scikit-learn's metric applied by hand to each task's rows
(task-indexed) or observed column (shared design).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    log_loss,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import GridSearchCV

import skmtl
from skmtl.metrics import make_task_scorer, per_task_scores
from skmtl.model_selection import TaskStratifiedKFold

from ._estimators import make_data


def _indexed(kind="regressor", seed=0):
    X, y = make_data(kind, "indexed", n_tasks=5, n_rows=30, seed=seed)
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(0, "school", [f"s{int(t)}" for t in X[:, 0]])
    if kind == "classifier":
        y = np.where(y > 0, "pass", "fail")
    return frame, y


def _by_hand(metric, tasks, y, pred, weight=None):
    """``metric`` on each task's rows."""
    scores = []
    for task in np.unique(tasks):
        rows = tasks == task
        w = None if weight is None else weight[rows]
        scores.append(metric(y[rows], pred[rows], sample_weight=w))
    return np.array(scores)


def test_regression_scores_per_task_are_the_metric_on_each_tasks_rows():
    X, y = _indexed()
    weight = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    model = skmtl.MeanRegularizedRegressor(0.1, task_column="school").fit(X, y)
    table = per_task_scores(model, X, y, sample_weight=weight)
    expected = _by_hand(r2_score, X["school"].to_numpy(), y, model.predict(X), weight)
    assert list(table.columns) == ["task", "n_rows", "score"]
    np.testing.assert_array_equal(table["task"], model.tasks_)
    np.testing.assert_array_equal(table["n_rows"], 30)
    np.testing.assert_allclose(table["score"], expected, rtol=1e-12)
    scorer = make_task_scorer(r2_score)
    assert scorer(model, X, y, sample_weight=weight) == pytest.approx(expected.mean())
    by_rows = make_task_scorer(r2_score, average="rows")
    sizes = X["school"].value_counts().sort_index().to_numpy()
    assert by_rows(model, X, y, weight) == pytest.approx(
        np.average(expected, weights=sizes)
    )


def test_shared_design_scores_each_column_over_its_observed_rows():
    X, Y = make_data("regressor", "shared", n_tasks=3, n_rows=40)
    Y[::4, 1] = np.nan
    model = skmtl.L21Regressor(0.01).fit(X, Y)
    table = per_task_scores(model, X, Y, scoring="neg_mean_squared_error")
    pred = model.predict(X)
    for t in range(3):
        rows = ~np.isnan(Y[:, t])
        mse = np.mean((Y[rows, t] - pred[rows, t]) ** 2)
        assert table["score"][t] == pytest.approx(-mse, rel=1e-12)
        assert table["n_rows"][t] == rows.sum()


def test_classifier_auc_from_scores_or_probabilities_and_accuracy():
    X, y = _indexed("classifier")
    model = skmtl.L21Classifier(0.01, task_column="school").fit(X, y)
    tasks = X["school"].to_numpy()
    positive = (y == "pass").astype(int)
    expected = _by_hand(roc_auc_score, tasks, positive, model.decision_function(X))
    by_score = per_task_scores(model, X, y, scoring="roc_auc")["score"]
    np.testing.assert_allclose(by_score, expected, rtol=1e-12)
    on_proba = make_task_scorer(roc_auc_score, response_method="predict_proba")
    assert on_proba(model, X, y) == pytest.approx(expected.mean())
    accuracy = _by_hand(accuracy_score, tasks, y, model.predict(X))
    np.testing.assert_allclose(per_task_scores(model, X, y)["score"], accuracy)


@pytest.mark.parametrize(
    ("scoring", "metric", "response"),
    [
        ("f1", f1_score, "predict"),
        ("average_precision", average_precision_score, "decision_function"),
        ("neg_log_loss", log_loss, "predict_proba"),
        ("neg_brier_score", brier_score_loss, "predict_proba"),
    ],
)
def test_string_labels_are_scored_with_classes_1_positive(scoring, metric, response):
    """Metrics that need a positive class get ``classes_[1]`` as 1."""
    X, y = _indexed("classifier")
    model = skmtl.L21Classifier(0.01, task_column="school").fit(X, y)
    positive = (y == model.classes_[1]).astype(float)
    pred = getattr(model, response)(X)
    if response == "predict":
        pred = (pred == model.classes_[1]).astype(float)
    elif response == "predict_proba":
        pred = pred[:, 1]
    sign = -1 if scoring.startswith("neg_") else 1
    expected = sign * _by_hand(metric, X["school"].to_numpy(), positive, pred)
    table = per_task_scores(model, X, y, scoring=scoring)
    np.testing.assert_allclose(table["score"], expected, rtol=1e-12)


def test_a_metric_error_other_than_one_class_is_raised():
    X, y = _indexed("classifier")
    model = skmtl.L21Classifier(0.01, task_column="school").fit(X, y)
    bad = make_task_scorer(log_loss, response_method="predict_proba", labels=[3, 4])
    with pytest.raises(ValueError):
        bad(model, X, y)


def test_multilabel_log_loss_per_label_with_missing_labels():
    X, Y = make_data("classifier", "shared", n_tasks=3, n_rows=60)
    Y = Y.astype(float)
    Y[::5, 2] = np.nan
    model = skmtl.LassoClassifier(0.01).fit(X, Y)
    table = per_task_scores(model, X, Y, scoring="neg_log_loss")
    proba = model.predict_proba(X)
    for t in range(3):
        rows = ~np.isnan(Y[:, t])
        expected = log_loss(Y[rows, t], proba[rows, t], labels=[0, 1])
        assert table["score"][t] == pytest.approx(-expected, rel=1e-12)


def test_undefined_tasks_are_nan_and_left_out_of_the_average():
    X, y = _indexed("classifier")
    model = skmtl.L21Classifier(0.01, task_column="school").fit(X, y)
    # Held-out rows where one school has a single class: its AUC is undefined.
    y_test = y.copy()
    y_test[X["school"].to_numpy() == "s2"] = "pass"
    table = per_task_scores(model, X, y_test, scoring="roc_auc")
    undefined = table["task"] == "s2"
    assert np.isnan(table["score"][undefined]).all()
    assert np.isfinite(table["score"][~undefined]).all()
    scorer = make_task_scorer(roc_auc_score, response_method="decision_function")
    assert scorer(model, X, y_test) == pytest.approx(table["score"][~undefined].mean())
    one_class = np.full(len(y), "pass")
    with pytest.warns(UserWarning, match="could not score any task"):
        assert np.isnan(scorer(model, X, one_class))


def test_unseen_tasks_are_scored_with_the_shared_model():
    X, y = _indexed()
    model = skmtl.MeanRegularizedRegressor(0.1, task_column="school")
    model.set_params(unknown_task="shared").fit(X, y)
    new = X.assign(school=np.where(X["school"] == "s0", "new", X["school"]))
    table = per_task_scores(model, new, y)
    assert table["task"].iloc[-1] == "new"
    rows = new["school"].to_numpy() == "new"
    expected = r2_score(y[rows], model.predict(new)[rows])
    assert table["score"].iloc[-1] == pytest.approx(expected)


@pytest.mark.filterwarnings("ignore:L21RegressorCV chose:UserWarning")
def test_task_scorer_in_grid_search_and_in_a_cv_estimator():
    """The scorer drives GridSearchCV (each mean test score is the mean over
    folds of the per-task average, recomputed by hand) and the CV estimators,
    which then choose what GridSearchCV chooses over the same folds."""
    X, y = _indexed()
    scorer = make_task_scorer(r2_score)
    folds = list(TaskStratifiedKFold(3, task_column="school").split(X, y))
    grid = {"alpha": [1e-3, 1e-2, 1e-1]}
    model = skmtl.L21Regressor(task_column="school", tol=1e-10)
    search = GridSearchCV(model, grid, scoring=scorer, cv=folds).fit(X, y)
    for k, alpha in enumerate(grid["alpha"]):
        by_hand = []
        for train, test in folds:
            fitted = clone(model).set_params(alpha=alpha)
            fitted.fit(X.iloc[train], y[train])
            tasks = X["school"].to_numpy()[test]
            pred = fitted.predict(X.iloc[test])
            by_hand.append(_by_hand(r2_score, tasks, y[test], pred).mean())
        assert search.cv_results_["mean_test_score"][k] == pytest.approx(
            np.mean(by_hand), rel=1e-9
        )
    cv = skmtl.L21RegressorCV(
        alphas=grid["alpha"], cv=folds, scoring=scorer, task_column="school", tol=1e-10
    )
    cv.fit(X, y)
    assert cv.alpha_ == search.best_params_["alpha"]


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(TypeError, match="score_func must be a metric"):
        make_task_scorer("r2")
    with pytest.raises(ValueError, match="response_method must be one of"):
        make_task_scorer(r2_score, response_method="transform")
    with pytest.raises(ValueError, match="average must be one of"):
        make_task_scorer(r2_score, average="macro")
    X, y = _indexed()
    model = skmtl.MeanRegularizedRegressor(0.1, task_column="school")
    with pytest.raises(NotFittedError):
        per_task_scores(model, X, y)
    model.fit(X, y)
    with pytest.raises(ValueError, match="scoring must be None"):
        per_task_scores(model, X, y, scoring="r2_per_task")
    with pytest.raises(ValueError, match="needs predict_proba"):
        per_task_scores(model, X, y, scoring="neg_log_loss")
    with pytest.raises(ValueError, match="rows but y has"):
        per_task_scores(model, X, y[:-1])
