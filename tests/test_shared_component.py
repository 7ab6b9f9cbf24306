"""A shared component under every structured penalty: ``coef_ = 1 w0' + V``.

The oracle is cvxpy with ``w0`` and ``V`` as variables and the penalty written
here, independently of skmtl; the limits are the pooled model (scikit-learn's
unpenalised fit on the features plus the task indicators) and the
independent models (one scikit-learn fit per task).
"""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmtl import (
    ClusteredClassifier,
    ClusteredRegressor,
    FeatureLearningClassifier,
    FeatureLearningRegressor,
    FusedSparseGroupClassifier,
    FusedSparseGroupRegressor,
    L21Classifier,
    L21Regressor,
    LassoClassifier,
    LassoRegressor,
    LassoRegressorCV,
    MultiTaskLinearModel,
    SparseGroupClassifier,
    SparseGroupRegressor,
    TraceNormClassifier,
    TraceNormRegressor,
    regularization_path,
)
from skmtl.penalties import L21, CommonWeights, SharedComponent

from ._oracles import _cvxpy_minimize, loss_value
from .test_clustered import cmtl_expression, inner_minimum
from .test_decomposition import MODELS as DECOMPOSITIONS
from .test_decomposition import make_model as make_decomposition_model
from .test_mean_regularized import make_problem


def _l21(V, a, l2=0.0):
    return a * cp.sum(cp.norm(V, 2, axis=0)) + 0.5 * l2 * cp.sum_squares(V)


def _fused(V, a_sparse, a_fused, a_group):
    return (
        a_sparse * cp.sum(cp.abs(V))
        + a_fused * cp.sum(cp.abs(V[1:] - V[:-1]))
        + a_group * cp.sum(cp.norm(V, 2, axis=0))
    )


def _clustered(V, k, alpha, beta):
    """The clustered penalty of ``V``, minimised over ``M`` inside the problem."""
    expression, _, constraints = cmtl_expression(V, alpha, beta, k)
    return expression + cp.transforms.indicator(constraints)


# name -> (regressor, classifier, strengths per loss, cvxpy penalty of V)
FAMILIES = {
    "l21": (
        L21Regressor,
        L21Classifier,
        {"squared": {"alpha": 0.3, "l2": 0.05}, "logistic": {"alpha": 0.01}},
        lambda V, s: _l21(V, s["alpha"], s.get("l2", 0.0)),
    ),
    "lasso": (
        LassoRegressor,
        LassoClassifier,
        {"squared": {"alpha": 0.1}, "logistic": {"alpha": 0.004}},
        lambda V, s: s["alpha"] * cp.sum(cp.abs(V)),
    ),
    "trace": (
        TraceNormRegressor,
        TraceNormClassifier,
        {"squared": {"alpha": 0.5}, "logistic": {"alpha": 0.02}},
        lambda V, s: s["alpha"] * cp.normNuc(V),
    ),
    "feature_learning": (
        FeatureLearningRegressor,
        FeatureLearningClassifier,
        {"squared": {"alpha": 0.05}, "logistic": {"alpha": 0.002}},
        lambda V, s: s["alpha"] * cp.square(cp.normNuc(V)),
    ),
    "sparse_group": (
        SparseGroupRegressor,
        SparseGroupClassifier,
        {
            "squared": {"alpha_group": 0.2, "alpha_sparse": 0.05},
            "logistic": {"alpha_group": 0.008, "alpha_sparse": 0.002},
        },
        lambda V, s: _l21(V, s["alpha_group"]) + s["alpha_sparse"] * cp.sum(cp.abs(V)),
    ),
    "fused": (
        FusedSparseGroupRegressor,
        FusedSparseGroupClassifier,
        {
            "squared": {"alpha_sparse": 0.05, "alpha_fused": 0.1, "alpha_group": 0.1},
            "logistic": {
                "alpha_sparse": 0.002,
                "alpha_fused": 0.004,
                "alpha_group": 0.004,
            },
        },
        lambda V, s: _fused(V, s["alpha_sparse"], s["alpha_fused"], s["alpha_group"]),
    ),
    "clustered": (
        ClusteredRegressor,
        ClusteredClassifier,
        {
            "squared": {"n_clusters": 2, "alpha": 0.5, "beta": 0.05},
            "logistic": {"n_clusters": 2, "alpha": 0.02, "beta": 0.002},
        },
        lambda V, s: _clustered(V, s["n_clusters"], s["alpha"], s["beta"]),
    ),
}
LOSSES = ["squared", "logistic"]
# The clustered penalty's certificate reaches about 1e-8 of the objective
# (see test_clustered), and its cvxpy reference (an SDP) a gap of 1e-9.
TOLS = {"clustered": 1e-7}
LOOSEST_GAPS = {"clustered": 1e-9}
LAYOUTS = [("shared", True, True), ("indexed", False, False)]


def make_model(name, loss, **params):
    regressor, classifier, strengths, _ = FAMILIES[name]
    model_class = regressor if loss == "squared" else classifier
    return model_class(**strengths[loss], **params)


def cvxpy_shared(name, loss, obs, alpha_shared, fit_intercept=True):
    """The cvxpy optimum over (w0, V, b): returns (w0, V, b, objective)."""
    _, _, strengths, penalty = FAMILIES[name]
    T, p = obs.n_tasks, obs.X.shape[1]
    w0, V = cp.Variable((1, p)), cp.Variable((T, p))
    value = penalty(V, strengths[loss]) + 0.5 * alpha_shared * cp.sum_squares(w0)
    _W, b = _cvxpy_minimize(
        obs,
        np.ones((T, 1)) @ w0 + V,
        value,
        loss,
        fit_intercept,
        loosest_gap=LOOSEST_GAPS.get(name, 1e-10),
    )
    objective = shared_objective(name, loss, obs, alpha_shared)
    w0, V = np.asarray(w0.value)[0], np.asarray(V.value)
    return w0, V, b, objective(w0, V, b)


def shared_objective(name, loss, obs, alpha_shared):
    """The objective of (w0, V, b), evaluated through cvxpy's numeric values."""
    _, _, strengths, penalty = FAMILIES[name]

    def objective(w0, V, b):
        if name == "clustered":  # a minimum over M: its own solve
            s = strengths[loss]
            value = inner_minimum(V, s["alpha"], s["beta"], s["n_clusters"])[0]
        else:
            value = penalty(cp.Constant(V), strengths[loss]).value
        return loss_value(obs, w0 + V, b, loss) + value + 0.5 * alpha_shared * w0 @ w0

    return objective


# -- the cvxpy oracle -------------------------------------------------------------


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout, missing, weights", LAYOUTS)
@pytest.mark.parametrize("alpha_shared", [0.0, 0.5])
def test_matches_cvxpy(name, loss, layout, missing, weights, alpha_shared):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    tol = TOLS.get(name, 1e-10)
    model = make_model(
        name,
        loss,
        shared_component=True,
        alpha_shared=alpha_shared,
        tol=tol,
        **kwargs,
    ).fit(X, y, sample_weight=sw)
    w0 = model.shared_coef_[0]
    np.testing.assert_array_equal(
        model.shared_coef_, np.broadcast_to(w0, model.coef_.shape)
    )
    np.testing.assert_array_equal(
        model.coef_, model.shared_coef_ + model.specific_coef_
    )
    *_, reference = cvxpy_shared(name, loss, obs, alpha_shared)
    ours = shared_objective(name, loss, obs, alpha_shared)(
        w0, model.specific_coef_, model.intercept_
    )
    assert abs(ours - reference) <= 1e-7 * reference
    assert -1e-12 * ours <= model.dual_gap_ <= tol * ours  # round-off: < 0
    # Both parts are active on these problems.
    assert np.any(w0 != 0) and np.any(model.specific_coef_ != 0)


@pytest.mark.parametrize("loss", LOSSES)
def test_no_intercept_matches_cvxpy(loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
    model = make_model(
        "l21", loss, shared_component=True, fit_intercept=False, tol=1e-10, **kwargs
    ).fit(X, y, sample_weight=sw)
    assert np.all(model.intercept_ == 0)
    *_, reference = cvxpy_shared("l21", loss, obs, 0.0, fit_intercept=False)
    ours = shared_objective("l21", loss, obs, 0.0)(
        model.shared_coef_[0], model.specific_coef_, model.intercept_
    )
    assert abs(ours - reference) <= 1e-7 * reference


@pytest.mark.parametrize("loss", LOSSES)
def test_early_stops_are_certified(loss):
    _kwargs, (X, y, sw), obs = make_problem(loss, "shared", missing=True, weights=True)
    *_, optimum = cvxpy_shared("trace", loss, obs, 0.0)
    objective = shared_objective("trace", loss, obs, 0.0)
    warned = 0
    for max_iter in [1, 2, 3, 25]:
        model = make_model(
            "trace", loss, shared_component=True, tol=1e-15, max_iter=max_iter
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y, sample_weight=sw)
        warned += any("duality gap" in str(w.message) for w in caught)
        ours = objective(model.shared_coef_[0], model.specific_coef_, model.intercept_)
        assert -1e-9 * optimum <= ours - optimum <= model.dual_gap_ + 1e-9 * optimum
    assert warned


# -- the limits ---------------------------------------------------------------------


def pooled_reference(obs, loss):
    """scikit-learn's unpenalised fit on the features and the task indicators:
    one weight vector for all tasks, one intercept per task."""
    design = np.hstack([obs.X[obs.rows], np.eye(obs.n_tasks)[obs.task]])
    if loss == "squared":
        model = LinearRegression(fit_intercept=False)
    else:
        model = LogisticRegression(
            C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000
        )
    model.fit(design, obs.y, sample_weight=obs.weight)
    coef = model.coef_.ravel()
    return coef[: obs.X.shape[1]], coef[obs.X.shape[1] :]


# The squared trace norm never makes V zero, and the fused family has no path.
PATH_FAMILIES = ["l21", "lasso", "trace", "sparse_group"]


@pytest.mark.parametrize("name", PATH_FAMILIES)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout, missing, weights", LAYOUTS)
def test_from_the_top_of_the_path_on_the_model_is_pooled(
    name, loss, layout, missing, weights
):
    """The path starts where the deviations become zero: the pooled model."""
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    model = make_model(name, loss, shared_component=True, tol=1e-10, **kwargs)
    alphas, coefs, intercepts, _ = regularization_path(
        model, X, y, n_alphas=2, eps=0.9, sample_weight=sw
    )
    w0, b = pooled_reference(obs, loss)
    atol = 1e-6 if loss == "squared" else 1e-5
    np.testing.assert_allclose(
        coefs[:, :, 0], np.broadcast_to(w0, coefs[:, :, 0].shape), atol=atol
    )
    np.testing.assert_allclose(intercepts[:, 0], b, atol=atol)
    # Just below the top, the tasks depart from the common weights.
    below = coefs[:, :, 1]
    assert np.abs(below - below.mean(axis=0)).max() > 1e-6
    # The fit at the top has its deviations exactly zero.
    top = model.set_params(**{model._path: alphas[0]}).fit(X, y, sample_weight=sw)
    assert np.all(top.specific_coef_ == 0)


@pytest.mark.parametrize("name", ["feature_learning", "fused"])
@pytest.mark.parametrize("loss", LOSSES)
def test_a_huge_strength_is_the_pooled_model(name, loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
    strengths = {k: 1e10 * v for k, v in FAMILIES[name][2][loss].items()}
    model = make_model(name, loss, shared_component=True, tol=1e-12, **kwargs)
    model.set_params(**strengths).fit(X, y, sample_weight=sw)
    w0, b = pooled_reference(obs, loss)
    atol = 1e-6 if loss == "squared" else 1e-5
    np.testing.assert_allclose(
        model.coef_, np.broadcast_to(w0, model.coef_.shape), atol=atol
    )
    np.testing.assert_allclose(model.intercept_, b, atol=atol)


def test_zero_strength_is_the_independent_models():
    """The distance to per-task least squares shrinks like alpha as alpha -> 0."""
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=True)
    independent = np.array(
        [
            LinearRegression()
            .fit(
                obs.X[obs.rows][obs.task == t],
                obs.y[obs.task == t],
                sample_weight=obs.weight[obs.task == t],
            )
            .coef_
            for t in range(obs.n_tasks)
        ]
    )
    distances = []
    for alpha in [1e-4, 1e-5]:
        model = L21Regressor(alpha, shared_component=True, tol=1e-12, max_iter=100_000)
        model.set_params(**kwargs).fit(X, y, sample_weight=sw)
        distances.append(np.abs(model.coef_ - independent).max())
    assert distances[1] < 0.2 * distances[0]
    assert distances[1] < 1e-2


# A huge ridge on the common part, and its limit inf (no common part).
HUGE_RIDGES = pytest.mark.parametrize(
    "alpha_shared", [1e10, np.inf], ids=["1e10", "inf"]
)


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("loss", LOSSES)
@HUGE_RIDGES
def test_a_huge_ridge_on_the_common_part_is_the_zero_centred_model(
    name, loss, alpha_shared
):
    kwargs, (X, y, _sw), _ = make_problem(loss, "indexed")
    tol = TOLS.get(name, 1e-12)
    centred = make_model(name, loss, tol=tol, **kwargs).fit(X, y)
    shared = make_model(
        name, loss, shared_component=True, alpha_shared=alpha_shared, tol=tol, **kwargs
    ).fit(X, y)
    assert np.abs(shared.shared_coef_).max() < 1e-8
    np.testing.assert_array_equal(
        shared.coef_, shared.specific_coef_ + shared.shared_coef_
    )
    # Coefficients within the square root of the certified relative gap.
    np.testing.assert_allclose(shared.coef_, centred.coef_, atol=max(1e-6, tol**0.5))


# -- the estimator ------------------------------------------------------------------


def test_generic_model_and_named_estimator_agree():
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    named = L21Regressor(0.3, shared_component=True, alpha_shared=0.2, **kwargs)
    generic = MultiTaskLinearModel(
        "squared", L21(0.3), shared_component=True, alpha_shared=0.2, **kwargs
    )
    penalty = MultiTaskLinearModel("squared", SharedComponent(L21(0.3), 0.2), **kwargs)
    fits = [m.set_params(tol=1e-12).fit(X, y) for m in (named, generic, penalty)]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, atol=1e-9)
        np.testing.assert_allclose(other.shared_coef_, fits[0].shared_coef_, atol=1e-9)


@pytest.mark.parametrize(
    "make, loss, dropped",
    [
        # Two parts; a refit without the shared component drops them.
        (lambda **kw: L21Classifier(0.01, **kw), "logistic", "shared_coef_"),
        # Three parts (a decomposition); the refit drops the common one.
        (
            lambda **kw: make_decomposition_model("rmtfl", "squared", **kw),
            "squared",
            "common_coef_",
        ),
    ],
    ids=["two parts", "three parts"],
)
def test_warm_start_continues_from_the_parts(make, loss, dropped):
    kwargs, (X, y, _sw), _ = make_problem(loss, "indexed")
    model = make(shared_component=True, tol=1e-10, **kwargs).fit(X, y)
    cold = model.n_iter_
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_ < cold
    model.set_params(shared_component=False, warm_start=False).fit(X, y)
    assert not hasattr(model, dropped)


def test_unknown_task_is_predicted_by_the_common_weights():
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    model = LassoRegressor(
        0.1, shared_component=True, unknown_task="shared", **kwargs
    ).fit(X, y)
    row = X[:1].copy()
    row[0, 2] = "marseille"
    features = np.delete(row, 2, axis=1).astype(float)[0]
    expected = features @ model.shared_coef_[0] + model.intercept_.mean()
    np.testing.assert_allclose(model.predict(row), [expected])


@pytest.mark.parametrize("cv", [False, True], ids=["single", "cv"])
def test_without_common_weights_an_unknown_task_is_the_mean_task(cv):
    # alpha_shared=inf is the zero-centred model, unseen tasks included.
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    kwargs = {**kwargs, "unknown_task": "shared"}
    row = X[:1].copy()
    row[0, 2] = "marseille"
    if cv:
        centred = LassoRegressorCV(n_alphas=3, cv=3, **kwargs).fit(X, y)
        model = LassoRegressorCV(
            n_alphas=3, cv=3, shared_component=True, alpha_shared=[np.inf], **kwargs
        ).fit(X, y)
    else:
        centred = LassoRegressor(0.1, **kwargs).fit(X, y)
        model = LassoRegressor(
            0.1, shared_component=True, alpha_shared=np.inf, **kwargs
        ).fit(X, y)
    assert np.all(model.shared_coef_ == 0)
    np.testing.assert_allclose(model.predict(row), centred.predict(row))


def test_solvers_without_a_lifted_form_are_refused():
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    model = MultiTaskLinearModel(
        "squared", L21(0.1), shared_component=True, solver="lbfgs", **kwargs
    )
    with pytest.raises(ValueError, match=r"solver='lbfgs'.*'fista'"):
        model.fit(X, y)


def test_separable_classes_need_a_ridge_on_the_common_weights():
    """Unpenalised common weights that separate the classes have no optimum."""
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, 0.0], [2.0, 1.0]] * 2)
    Y = np.column_stack([X[:, 0] > 0, X[:, 0] > 0]).astype(float)
    model = L21Classifier(0.01, shared_component=True)
    with pytest.raises(ValueError, match=r"common weights.*alpha_shared > 0"):
        model.fit(X, Y)
    model.set_params(alpha_shared=0.1).fit(X, Y)  # a ridge: an optimum
    assert model.dual_gap_ <= 1e-6 * 0.7


def test_feature_learning_describes_the_deviations():
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    model = FeatureLearningRegressor(0.05, shared_component=True, **kwargs).fit(X, y)
    _, sigma, Vt = np.linalg.svd(model.specific_coef_, full_matrices=False)
    kept = sigma > 1e-10 * sigma.max()
    np.testing.assert_allclose(np.abs(model.components_), np.abs(Vt[kept]), atol=1e-10)


def test_families_that_already_share_do_not_offer_it():
    from skmtl import MeanRegularizedRegressor

    assert "shared_component" not in MeanRegularizedRegressor().get_params()


# -- a third part: the decomposition models, coef_ = 1 w0' + P + Q ------------------


def decomposition_objective(name, loss, obs, alpha_shared):
    """F(1 w0' + P + Q, b) + g1(P) + g2(Q) + alpha_shared |w0|^2 / 2."""
    penalty, strengths = DECOMPOSITIONS[name][4], DECOMPOSITIONS[name][3][loss]

    def objective(w0, P, Q, b):
        value = loss_value(obs, w0 + P + Q, b, loss) + penalty(P, Q, *strengths)
        return value + 0.5 * alpha_shared * w0 @ w0

    return objective


def cvxpy_decomposition_shared(name, loss, obs, alpha_shared):
    """The cvxpy optimum over (w0, P, Q, b), as its objective's value."""
    T, p = obs.n_tasks, obs.X.shape[1]
    w0, P, Q = cp.Variable((1, p)), cp.Variable((T, p)), cp.Variable((T, p))
    strengths = DECOMPOSITIONS[name][3][loss]
    value = DECOMPOSITIONS[name][5](P, Q, *strengths)
    value = value + 0.5 * alpha_shared * cp.sum_squares(w0)
    _, b = _cvxpy_minimize(obs, np.ones((T, 1)) @ w0 + P + Q, value, loss, True)
    objective = decomposition_objective(name, loss, obs, alpha_shared)
    return objective(np.asarray(w0.value)[0], P.value, Q.value, b)


def make_decomposition(name, loss, **params):
    return make_decomposition_model(name, loss, shared_component=True, **params)


@pytest.mark.parametrize("name", list(DECOMPOSITIONS))
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout, missing, weights", LAYOUTS)
@pytest.mark.parametrize("alpha_shared", [0.0, 0.5])
def test_decompositions_match_cvxpy(name, loss, layout, missing, weights, alpha_shared):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    model = make_decomposition(
        name, loss, alpha_shared=alpha_shared, tol=1e-10, max_iter=100_000, **kwargs
    ).fit(X, y, sample_weight=sw)
    common = model.common_coef_
    w0 = common[0]
    np.testing.assert_array_equal(common, np.broadcast_to(w0, common.shape))
    np.testing.assert_array_equal(
        model.coef_, model.shared_coef_ + model.specific_coef_
    )
    ours = decomposition_objective(name, loss, obs, alpha_shared)(
        w0, model.shared_coef_ - common, model.specific_coef_, model.intercept_
    )
    reference = cvxpy_decomposition_shared(name, loss, obs, alpha_shared)
    assert abs(ours - reference) <= 1e-7 * reference
    assert -1e-12 * ours <= model.dual_gap_ <= 1e-10 * ours
    assert np.any(w0 != 0)


@pytest.mark.parametrize("name", list(DECOMPOSITIONS))
@pytest.mark.parametrize("loss", LOSSES)
@HUGE_RIDGES
def test_decompositions_with_a_huge_common_ridge_are_zero_centred(
    name, loss, alpha_shared
):
    kwargs, (X, y, _sw), _ = make_problem(loss, "indexed")
    centred = make_decomposition_model(name, loss, tol=1e-12, **kwargs).fit(X, y)
    shared = make_decomposition(
        name, loss, alpha_shared=alpha_shared, tol=1e-12, max_iter=100_000, **kwargs
    ).fit(X, y)
    assert np.abs(shared.common_coef_).max() < 1e-8
    np.testing.assert_allclose(shared.coef_, centred.coef_, atol=1e-6)
    np.testing.assert_allclose(shared.shared_coef_, centred.shared_coef_, atol=1e-6)


@pytest.mark.parametrize("name", list(DECOMPOSITIONS))
@pytest.mark.parametrize("loss", LOSSES)
def test_decompositions_at_huge_strengths_are_the_pooled_model(name, loss):
    kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
    strengths = [1e10 * a for a in DECOMPOSITIONS[name][3][loss]]
    model = make_decomposition_model(
        name, loss, strengths, shared_component=True, tol=1e-12, **kwargs
    ).fit(X, y, sample_weight=sw)
    w0, b = pooled_reference(obs, loss)
    atol = 1e-6 if loss == "squared" else 1e-5
    np.testing.assert_allclose(
        model.coef_, np.broadcast_to(w0, model.coef_.shape), atol=atol
    )
    np.testing.assert_allclose(model.intercept_, b, atol=atol)
    np.testing.assert_array_equal(model.shared_coef_, model.common_coef_)


def test_decomposition_unknown_task_is_predicted_by_the_shared_part():
    kwargs, (X, y, _sw), _ = make_problem("squared", "indexed")
    model = make_decomposition("dirty_l2", "squared", unknown_task="shared", **kwargs)
    model.fit(X, y)
    row = X[:1].copy()
    row[0, 2] = "marseille"
    features = np.delete(row, 2, axis=1).astype(float)[0]
    expected = features @ model.shared_coef_.mean(axis=0) + model.intercept_.mean()
    np.testing.assert_allclose(model.predict(row), [expected])


# -- the penalties ------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_common_weights_prox_against_cvxpy(alpha):
    rng = np.random.default_rng(0)
    Z, step = rng.normal(size=(4, 3)), 0.6
    w0 = cp.Variable((1, 3))
    P = np.ones((4, 1)) @ w0
    cp.Problem(
        cp.Minimize(
            cp.sum_squares(P - Z) / (2 * step) + 0.5 * alpha * cp.sum_squares(w0)
        )
    ).solve()
    np.testing.assert_allclose(CommonWeights(alpha).prox(Z, step), P.value, atol=1e-7)


def test_common_weights_conjugate_and_value():
    V = np.array([[1.0, -2.0], [-1.0, 3.0]])  # column sums 0 and 1
    assert CommonWeights(0.0).conjugate(V) == np.inf
    V[1, 1] = 2.0
    assert CommonWeights(0.0).conjugate(V) == 0.0
    # Fenchel-Young is tight at the ridge's gradient: g*(V) = <V, P> - g(P).
    P = np.ones((2, 1)) @ np.array([[0.5, -1.5]])
    V = np.vstack([[1.0, 0.0], 0.7 * P[0] - [1.0, 0.0]])  # sum of rows = 0.7 w0
    g = CommonWeights(0.7)
    np.testing.assert_allclose(g.conjugate(V), np.sum(V * P) - g.value(P))
    assert CommonWeights(0.0).value(np.eye(2)) == np.inf


@pytest.mark.parametrize("alpha", [np.inf, -1.0, np.nan])
def test_common_weights_need_a_finite_ridge(alpha):
    # An infinite ridge is no common part: the estimators drop the part for
    # alpha_shared=inf instead of solving with infinite entries.
    with pytest.raises(ValueError, match="finite and >= 0"):
        SharedComponent(L21(1.0), alpha)


def test_shared_component_value_is_the_infimal_convolution():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 3)) + 2.0
    w0 = cp.Variable((1, 3))
    V = W - np.ones((4, 1)) @ w0
    expected = cp.Problem(
        cp.Minimize(_l21(V, 0.5) + 0.5 * 0.3 * cp.sum_squares(w0))
    ).solve()
    penalty = SharedComponent(L21(0.5), 0.3)
    assert abs(penalty.value(W) - expected) <= 1e-7 * expected
    # The shared rows of W cost nothing beyond their ridge.
    assert SharedComponent(L21(0.5)).value(np.ones((4, 3))) == pytest.approx(
        0.0, abs=1e-8
    )


@pytest.mark.parametrize("loss", LOSSES)
def test_the_path_matches_single_fits(loss):
    """Warm-started along the path (statistics built once): the same fits."""
    kwargs, (X, y, sw), _ = make_problem(loss, "indexed", weights=True)
    model = make_model("l21", loss, shared_component=True, tol=1e-10, **kwargs)
    alphas, coefs, intercepts, _ = regularization_path(
        model, X, y, n_alphas=4, eps=0.05, sample_weight=sw
    )
    for k, alpha in enumerate(alphas):
        single = model.set_params(alpha=alpha).fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(coefs[:, :, k], single.coef_, atol=1e-5)
        np.testing.assert_allclose(intercepts[:, k], single.intercept_, atol=1e-5)
