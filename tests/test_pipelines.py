"""Every estimator of issue [4/4], and the multi-task kernel models, in a
Pipeline (scaling that leaves the task column alone) inside GridSearchCV, on a
task-indexed frame with string ids."""

import pickle

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmtl import (
    ClusteredRegressor,
    DirtyRegressor,
    FusedSparseGroupClassifierCV,
    FusedSparseGroupRegressorCV,
    GraphRegularizedRegressor,
    LassoClassifier,
    LassoRegressor,
    MultiTaskKernelClassifier,
    MultiTaskKernelRidge,
    MultiTaskLinearModel,
    RobustFeatureLearningRegressor,
    RobustLowRankRegressor,
    SparseGroupRegressor,
    TemporalGroupRegressor,
    TemporalGroupRegressorCV,
    TraceNormRegressor,
)
from skmtl.datasets import make_multitask_classification
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import L21, MeanRegularization

from .test_mean_regularized import make_problem

FEATURES = ["a", "b", "c", "d", "e"]
CHAIN = np.eye(4, k=1) + np.eye(4, k=-1)  # the 4 tasks of make_problem

CASES = [
    (LassoRegressor(), "alpha", [0.01, 0.1]),
    (TraceNormRegressor(), "alpha", [0.01, 0.1]),
    (SparseGroupRegressor(), "alpha_group", [0.01, 0.1]),
    (GraphRegularizedRegressor(CHAIN), "alpha", [0.01, 0.1]),
    (TemporalGroupRegressor(), "alpha_temporal", [0.01, 0.1]),
    (ClusteredRegressor(n_clusters=2, beta=0.01), "alpha", [0.01, 0.1]),
    (DirtyRegressor(), "alpha_group", [0.05, 0.1]),
    (RobustFeatureLearningRegressor(), "alpha_tasks", [0.05, 0.1]),
    (RobustLowRankRegressor(), "alpha_tasks", [0.05, 0.1]),
    (
        MultiTaskLinearModel("squared", L21(0.1)),
        "penalty",
        [L21(0.01), [MeanRegularization(0.01, 5.0), L21(0.05)]],
    ),
    (LassoClassifier(), "alpha", [0.001, 0.01]),
    # The CV estimators added with the temporal and fused families, one with
    # a shared component whose alpha_shared it searches (inf included).
    (TemporalGroupRegressorCV(n_alphas=3, cv=2), "alpha_temporal", [0.01, 0.1]),
    (
        FusedSparseGroupRegressorCV(
            alpha_sparse=0.01,
            shared_component=True,
            alpha_shared=[0.1, np.inf],
            n_alphas=3,
            cv=2,
        ),
        "alpha_fused",
        [0.01, 0.1],
    ),
    (
        FusedSparseGroupClassifierCV(alpha_sparse=1e-3, n_alphas=3, cv=2),
        "alpha_fused",
        [1e-3, 1e-2],
    ),
    (MultiTaskKernelRidge(kernel="rbf"), "coupling", [0.0, 10.0]),
    (MultiTaskKernelClassifier(kernel="rbf"), "coupling", [0.0, 10.0]),
]


@pytest.mark.parametrize(
    "model, name, values", CASES, ids=[type(c[0]).__name__ for c in CASES]
)
def test_pipeline_grid_search_and_pickle(model, name, values):
    pd = pytest.importorskip("pandas")
    loss = "logistic" if "Classifier" in type(model).__name__ else "squared"
    if loss == "squared":
        _, (X, y, _), _ = make_problem(loss, "indexed")
        frame = pd.DataFrame(X, columns=["a", "b", "city", "c", "d", "e"])
    else:  # tasks with enough rows of both classes for stratified folds
        X, y = make_multitask_classification(
            n_tasks=4, n_samples=40, n_features=5, random_state=0
        )
        cities = np.array(["lille", "lyon", "nice", "paris"])
        frame = pd.DataFrame(X[:, 1:], columns=FEATURES)
        frame.insert(2, "city", cities[X[:, 0].astype(int)])
    frame[FEATURES] = frame[FEATURES].astype(float)
    scaler = ColumnTransformer(
        [("scale", StandardScaler(), FEATURES)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    cv = TaskStratifiedKFold(
        3,
        task_column="city",
        stratify_target=loss == "logistic",
        shuffle=True,
        random_state=0,
    )
    pipe = Pipeline(
        [("scale", scaler), ("model", model.set_params(task_column="city"))]
    )
    search = GridSearchCV(
        pipe, {f"model__{name}": values}, cv=cv, error_score="raise"
    ).fit(frame, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    fitted = search.best_estimator_["model"]
    assert list(fitted.tasks_) == ["lille", "lyon", "nice", "paris"]
    if hasattr(fitted, "dual_coef_"):  # a kernel model: one column per task
        assert fitted.X_fit_.shape[1] == 5
        assert fitted.dual_coef_.shape == (fitted.X_fit_.shape[0], 4)
    else:
        assert fitted.coef_.shape == (4, 5)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(frame), search.predict(frame))
