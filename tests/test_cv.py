"""The ``*CV`` estimators: the choice of GridSearchCV, at the cost of one path."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skmtl import (
    FeatureLearningClassifierCV,
    FeatureLearningRegressorCV,
    GraphRegularizedClassifierCV,
    GraphRegularizedRegressorCV,
    L21ClassifierCV,
    L21RegressorCV,
    LassoClassifierCV,
    LassoRegressorCV,
    MeanRegularizedClassifierCV,
    MeanRegularizedRegressorCV,
    SparseGroupClassifierCV,
    SparseGroupRegressorCV,
    TraceNormClassifierCV,
    TraceNormRegressorCV,
)
from skmtl.datasets import make_multitask_classification, make_multitask_regression
from skmtl.model_selection import TaskStratifiedKFold

CHAIN = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])

CV_ESTIMATORS = [
    L21RegressorCV(),
    LassoRegressorCV(),
    TraceNormRegressorCV(),
    SparseGroupRegressorCV(alpha_sparse=0.01),
    FeatureLearningRegressorCV(),
    MeanRegularizedRegressorCV(couplings=[0.0, 10.0, np.inf]),
    GraphRegularizedRegressorCV(CHAIN),
    L21ClassifierCV(),
    LassoClassifierCV(),
    TraceNormClassifierCV(),
    SparseGroupClassifierCV(alpha_sparse=0.001),
    FeatureLearningClassifierCV(),
    MeanRegularizedClassifierCV(couplings=[0.0, 10.0]),
    GraphRegularizedClassifierCV(CHAIN),
]


def _problem(classifier):
    make = make_multitask_classification if classifier else make_multitask_regression
    return make(n_tasks=4, n_samples=30, n_features=5, relatedness=0.8, random_state=0)


@pytest.mark.parametrize("estimator", CV_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_same_choice_as_grid_search_and_refit_is_a_plain_fit(estimator):
    classifier = "Classifier" in type(estimator).__name__
    X, y = _problem(classifier)
    folds = list(
        TaskStratifiedKFold(
            3, task_column=0, stratify_target=classifier, shuffle=True, random_state=0
        ).split(X, y)
    )
    model = clone(estimator).set_params(
        task_column=0, n_alphas=6, eps=1e-2, cv=folds, tol=1e-10
    )
    model.fit(X, y)
    single = model._single_class()(
        **{k: v for k, v in model.get_params().items() if k in single_parameters(model)}
    )
    grid = {model._path: list(model.alphas_)}
    for name, values, *_ in model._grids:
        grid[name] = list(model.get_params()[values])
    search = GridSearchCV(
        single,
        grid,
        cv=folds,
        scoring="neg_log_loss" if classifier else "neg_mean_squared_error",
        refit=False,
    ).fit(X, y)
    chosen = {model._path: model.alpha_}
    for name, *_ in model._grids:
        chosen[name] = getattr(model, f"{name}_")
    assert chosen == search.best_params_
    path = model.log_loss_path_ if classifier else model.mse_path_
    scores = -search.cv_results_["mean_test_score"]
    # A gap of 1e-10 of the objective pins the weights, hence the validation
    # losses, to about its square root where the penalty is flat (a graph
    # leaves the mean weights of a component free).
    assert np.nanmean(path, axis=-1).min() == pytest.approx(scores.min(), rel=1e-5)
    plain = clone(single).set_params(**chosen).fit(X, y)
    np.testing.assert_allclose(model.coef_, plain.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, plain.intercept_, rtol=1e-6)
    assert model.predict(X[:5]).shape == plain.predict(X[:5]).shape


def single_parameters(model):
    return {p.name for p in model._single_class()._declared}


def test_cv_parameters_are_those_of_the_single_estimator_but_the_searched_ones():
    names = set(MeanRegularizedRegressorCV().get_params())
    assert {"alphas", "n_alphas", "eps", "couplings", "cv", "n_jobs"} <= names
    assert not {"alpha", "coupling", "solver", "warm_start"} & names
    assert GraphRegularizedRegressorCV(CHAIN).graph is CHAIN


def test_bad_alphas_are_refused():
    X, y = _problem(False)
    with pytest.raises(ValueError, match="non-negative"):
        LassoRegressorCV(alphas=[0.1, -1.0], task_column=0).fit(X, y)
