"""MultiTaskLinearModel: any datafit with any penalty or sum of penalties."""

import pickle

import cvxpy as cp
import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV

from skmtl import (
    L21Regressor,
    MeanRegularizedClassifier,
    MeanRegularizedRegressor,
    MultiTaskLinearModel,
)
from skmtl.datafits import LogisticLoss
from skmtl.penalties import L21, MeanRegularization, TaskQuadratic

from ._oracles import _cvxpy_minimize, l21_value, loss_value, penalty_value
from .test_mean_regularized import make_problem


class WeightedAbs:
    """A user-written penalty known only by its value and cvxpy form."""

    def __init__(self, weights):
        self.weights = np.asarray(weights, dtype=float)

    def value(self, W):
        return float(np.sum(self.weights * np.abs(W)))

    def as_cvxpy(self, W):
        return cp.sum(cp.multiply(self.weights, cp.abs(W)))


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize(
    "layout, missing, weights", [("shared", True, True), ("indexed", False, True)]
)
def test_mean_regularization_plus_l21_matches_cvxpy(loss, layout, missing, weights):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha, coupling, group = 0.02, 5.0, (0.02 if loss == "logistic" else 0.1)
    model = MultiTaskLinearModel(
        loss,
        [MeanRegularization(alpha, coupling), L21(group)],
        tol=1e-10,
        **kwargs,
    ).fit(X, y, sample_weight=sw)
    T, p = obs.n_tasks, obs.X.shape[1]
    W = cp.Variable((T, p))
    spread = W - np.ones((T, 1)) @ cp.reshape(cp.sum(W, axis=0) / T, (1, p), order="C")
    penalty = alpha * (cp.sum_squares(W) + coupling * cp.sum_squares(spread))
    penalty += group * cp.sum(cp.norm(W, 2, axis=0))
    W_ref, b_ref = _cvxpy_minimize(obs, W, penalty, loss, True)

    def objective(W, b):
        return (
            loss_value(obs, W, b, loss)
            + penalty_value(W, alpha, coupling)
            + l21_value(W, group)
        )

    ours, reference = objective(model.coef_, model.intercept_), objective(W_ref, b_ref)
    assert ours <= reference * (1 + 1e-6)
    assert reference <= ours * (1 + 1e-6)
    assert model.dual_gap_ <= 1e-10 * ours + 1e-14


def test_a_single_penalty_is_solved_as_by_the_named_estimator():
    kwargs, (X, y, sw), _ = make_problem("squared", "indexed", weights=True)
    generic = MultiTaskLinearModel("squared", L21(0.1), tol=1e-10, **kwargs)
    named = L21Regressor(0.1, tol=1e-10, **kwargs)
    np.testing.assert_allclose(
        generic.fit(X, y, sample_weight=sw).coef_,
        named.fit(X, y, sample_weight=sw).coef_,
        atol=1e-8,
    )
    kwargs, (X, y, sw), _ = make_problem("logistic", "shared", missing=True)
    generic = MultiTaskLinearModel(
        "logistic", MeanRegularization(0.1, 2.0), tol=1e-10, **kwargs
    )
    named = MeanRegularizedClassifier(0.1, 2.0, tol=1e-10, **kwargs)
    np.testing.assert_allclose(
        generic.fit(X, y).predict_proba(X), named.fit(X, y).predict_proba(X), atol=1e-6
    )


def test_a_sum_of_quadratics_is_one_quadratic():
    """Mean regularization written as a TaskQuadratic plus a ridge: the same
    model as MeanRegularizedRegressor with the summed strengths."""
    kwargs, (X, y, _), obs = make_problem("squared", "indexed")
    T = obs.n_tasks
    ridge = TaskQuadratic(2 * 0.3 * np.eye(T))  # 0.3 sum ||w_t||^2
    generic = MultiTaskLinearModel(
        "squared", [MeanRegularization(0.2, 4.0), ridge], tol=1e-10, **kwargs
    ).fit(X, y)
    # alpha (|W|^2 + c spread) + 0.3 |W|^2 = 0.5 (|W|^2 + 1.6 spread)
    named = MeanRegularizedRegressor(0.5, 1.6, **kwargs).fit(X, y)
    np.testing.assert_allclose(generic.coef_, named.coef_, atol=1e-7)


def test_a_penalty_with_only_a_cvxpy_form_goes_through_cvxpy():
    kwargs, (X, y, _), obs = make_problem("squared", "shared")
    weights = np.linspace(0.05, 0.3, obs.X.shape[1])
    model = MultiTaskLinearModel("squared", WeightedAbs(weights), **kwargs).fit(X, y)
    assert np.isnan(model.dual_gap_)
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    W_ref, b_ref = _cvxpy_minimize(
        obs, W, WeightedAbs(weights).as_cvxpy(W), "squared", True
    )

    def objective(W, b):
        return loss_value(obs, W, b, "squared") + WeightedAbs(weights).value(W)

    assert objective(model.coef_, model.intercept_) == pytest.approx(
        objective(W_ref, b_ref), rel=1e-6
    )
    # Summed with a proximable penalty it is still cvxpy's.
    both = MultiTaskLinearModel("squared", [WeightedAbs(weights), L21(0.1)]).fit(X, y)
    assert np.isnan(both.dual_gap_)
    with pytest.raises(ValueError, match="solver='fista' does not apply"):
        MultiTaskLinearModel(
            "squared", [WeightedAbs(weights), L21(0.1)], solver="fista"
        ).fit(X, y)


def test_estimator_type_follows_the_datafit():
    regressor = MultiTaskLinearModel("squared", L21(0.1))
    classifier = MultiTaskLinearModel(LogisticLoss(), L21(0.1))
    assert is_regressor(regressor) and not is_classifier(regressor)
    assert is_classifier(classifier) and not is_regressor(classifier)
    assert not hasattr(regressor, "predict_proba")
    assert hasattr(classifier, "predict_proba")
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    fitted = clone(classifier).set_params(**kwargs).fit(X, y)
    assert set(fitted.predict(X)) <= set(fitted.classes_)
    assert 0.5 < fitted.score(X, y) <= 1.0


def test_errors():
    _, (X, y, _), _ = make_problem("squared", "shared")
    with pytest.raises(ValueError, match="penalty is None"):
        MultiTaskLinearModel("squared").fit(X, y)
    with pytest.raises(TypeError, match=r"penalty 1 \(str\) is not a penalty"):
        MultiTaskLinearModel("squared", [L21(0.1), "l21"]).fit(X, y)
    with pytest.raises(ValueError, match="coupling=inf"):
        MultiTaskLinearModel(
            "squared", [MeanRegularization(0.1, float("inf")), L21(0.1)]
        ).fit(X, y)
    with pytest.raises(ValueError, match="datafit"):
        MultiTaskLinearModel("hinge", L21(0.1)).fit(X, y)


def test_grid_search_over_penalties_and_pickle():
    pd = pytest.importorskip("pandas")
    _, (X, y, _), _ = make_problem("squared", "indexed")
    frame = pd.DataFrame(X, columns=["a", "b", "city", "c", "d", "e"])
    for name in ["a", "b", "c", "d", "e"]:
        frame[name] = frame[name].astype(float)
    model = MultiTaskLinearModel("squared", L21(0.1), task_column="city")
    search = GridSearchCV(
        model,
        {"penalty": [L21(0.01), [MeanRegularization(0.01, 10.0), L21(0.05)]]},
        cv=3,
    ).fit(frame, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(restored.predict(frame), search.predict(frame))


def test_a_refit_with_another_penalty_drops_the_parts_of_a_decomposition():
    """``shared_coef_`` predicts unseen tasks: a stale one would be wrong."""
    from skmtl.datasets import make_multitask_regression
    from skmtl.penalties import L1, Decomposition

    X, y = make_multitask_regression(n_tasks=4, n_samples=30, random_state=0)
    model = MultiTaskLinearModel(
        "squared", Decomposition(L21(0.1), L1(0.1)), task_column=0
    ).fit(X, y)
    assert hasattr(model, "shared_coef_") and hasattr(model, "specific_coef_")
    model.set_params(penalty=L21(0.1), unknown_task="shared").fit(X, y)
    assert not hasattr(model, "shared_coef_") and not hasattr(model, "specific_coef_")
    unseen = X[:1].copy()
    unseen[0, 0] = 999
    expected = unseen[0, 1:] @ model.coef_.mean(axis=0) + model.intercept_.mean()
    np.testing.assert_allclose(model.predict(unseen), [expected])
