"""MeanRegularizedRegressor / MeanRegularizedClassifier against their oracles."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge

from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor
from skmtl._task_data import make_task_data
from skmtl.datafits import LogisticLoss
from skmtl.penalties import MeanRegularization
from skmtl.solvers import duality_gap, refit_intercept
from skmtl.solvers._dispatch import auto_solver
from skmtl.solvers._newton_cg import newton_cg

from ._oracles import Observations, cvxpy_solve, objective

INF = float("inf")


def make_problem(loss, layout, *, missing=False, weights=False, seed=0):
    """A small random problem; returns (estimator kwargs, fit args, Observations)."""
    rng = np.random.default_rng(seed)
    T, p = 4, 5
    if layout == "shared":
        n = 40
        X = rng.normal(size=(n, p)) + rng.normal(size=p)
        W = rng.normal(size=(T, p)) + rng.normal(size=p)
        Y = X @ W.T + rng.normal(size=T) + rng.normal(size=(n, T))
        if loss == "logistic":
            Y = (Y > np.median(Y, axis=0)).astype(float)
        if missing:
            Y[rng.random((n, T)) < 0.25] = np.nan
        sw = rng.uniform(0.2, 3.0, n) if weights else None
        return {}, (X, Y, sw), Observations.shared(X, Y, sw)
    sizes = [7, 12, 20, 9]
    task = np.repeat(np.array(["paris", "lyon", "nice", "lille"]), sizes)
    n = len(task)
    X = rng.normal(size=(n, p)) + rng.normal(size=p)
    W = rng.normal(size=(T, p)) + rng.normal(size=p)
    _, t = np.unique(task, return_inverse=True)
    y = np.einsum("ij,ij->i", X, W[t]) + rng.normal(size=n)
    if loss == "logistic":
        y = (y > np.median(y)).astype(float)
        for k in range(T):  # every task needs both classes
            y[np.flatnonzero(t == k)[:2]] = [0.0, 1.0]
    order = rng.permutation(n)  # rows need not be grouped by task
    X, task, y = X[order], task[order], y[order]
    sw = rng.uniform(0.2, 3.0, n) if weights else None
    Xt = np.column_stack([X[:, :2], task, X[:, 2:]]).astype(object)
    return {"task_column": 2}, (Xt, y, sw), Observations.indexed(X, y, task, sw)


ESTIMATORS = {
    "squared": MeanRegularizedRegressor,
    "logistic": MeanRegularizedClassifier,
}


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize(
    "layout, missing", [("shared", False), ("shared", True), ("indexed", False)]
)
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("coupling", [0.0, 1.7, INF])
def test_objective_matches_cvxpy(loss, layout, missing, weights, coupling):
    kwargs, (X, y, sw), obs = make_problem(
        loss, layout, missing=missing, weights=weights
    )
    alpha = 0.05
    model = ESTIMATORS[loss](alpha, coupling, tol=1e-12, **kwargs)
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve(obs, alpha, coupling, loss)
    ours = objective(obs, model.coef_, model.intercept_, alpha, coupling, loss)
    reference = objective(obs, W_ref, b_ref, alpha, coupling, loss)
    assert ours <= reference * (1 + 1e-8)
    assert reference <= ours * (1 + 1e-8)
    np.testing.assert_allclose(model.coef_, W_ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, b_ref, rtol=1e-4, atol=1e-5)
    assert abs(model.dual_gap_) <= 1e-12 * ours + 1e-15  # round-off may make it < 0


@pytest.mark.parametrize("loss", ["squared", "logistic"])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
@pytest.mark.parametrize("coupling", [0.0, 3.0, INF])
def test_solvers_agree(loss, layout, coupling):
    kwargs, (X, y, sw), obs = make_problem(loss, layout, missing=True, weights=True)
    objectives = {}
    default = "closed_form" if loss == "squared" else "newton"
    solvers = [default, "lbfgs", "cvxpy"]
    if loss == "logistic" and coupling < INF:  # (pooled: a constraint)
        solvers.append("newton_cg")
    for solver in solvers:
        model = ESTIMATORS[loss](0.1, coupling, solver=solver, tol=1e-10, **kwargs)
        model.fit(X, y, sample_weight=sw)
        objectives[solver] = objective(
            obs, model.coef_, model.intercept_, 0.1, coupling, loss
        )
        assert model.dual_gap_ <= 1e-9 * objectives[solver]
    best = min(objectives.values())
    for value in objectives.values():
        assert value <= best * (1 + 1e-9)


@pytest.mark.parametrize("layout", ["shared", "indexed"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("coupling", [0.0, 1.7, 1e12])
def test_newton_cg_matches_cvxpy(layout, fit_intercept, coupling):
    """Truncated Newton, with missing targets and weights, against the oracle."""
    kwargs, (X, y, sw), obs = make_problem(
        "logistic", layout, missing=True, weights=True
    )
    model = MeanRegularizedClassifier(
        0.05,
        coupling,
        solver="newton_cg",
        fit_intercept=fit_intercept,
        tol=1e-12,
        **kwargs,
    )
    model.fit(X, y, sample_weight=sw)
    W_ref, b_ref = cvxpy_solve(obs, 0.05, coupling, "logistic", fit_intercept)
    ours = objective(obs, model.coef_, model.intercept_, 0.05, coupling, "logistic")
    reference = objective(obs, W_ref, b_ref, 0.05, coupling, "logistic")
    assert ours <= reference * (1 + 1e-8)
    assert reference <= ours * (1 + 1e-8)
    assert abs(model.dual_gap_) <= 1e-12 * ours + 1e-15
    if not fit_intercept:
        assert np.all(model.intercept_ == 0)


def test_newton_cg_on_sparse_bag_of_words_equals_lbfgs():
    """The case it is for: many sparse count features, weak regularisation.
    "auto" picks it; it certifies the same optimum as L-BFGS."""
    from scipy import sparse
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(
        n_samples=200, n_features=400, n_classes=5, length=30, random_state=0
    )
    X = sparse.csr_matrix(X, dtype=float)
    alpha, coupling = 1e-3, 2.0
    fits = {
        solver: MeanRegularizedClassifier(alpha, coupling, solver=solver, tol=1e-10)
        for solver in ["newton_cg", "lbfgs"]
    }

    def value(model):
        Z = X @ model.coef_.T + model.intercept_
        W = model.coef_
        spread = W - W.mean(axis=0)
        penalty = alpha * (np.sum(W**2) + coupling * np.sum(spread**2))
        return np.mean(np.logaddexp(0.0, np.where(Y > 0, -Z, Z))) + penalty

    values = {k: value(m.fit(X, Y)) for k, m in fits.items()}
    assert abs(values["newton_cg"] - values["lbfgs"]) <= 2e-10 * values["lbfgs"]
    np.testing.assert_allclose(fits["newton_cg"].coef_, fits["lbfgs"].coef_, atol=1e-4)
    data = make_task_data(X, Y.astype(float))
    penalty = MeanRegularization(alpha, coupling)
    assert auto_solver(data, LogisticLoss(), penalty) == "newton_cg"


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_cg_warm_starts_step_at_once_and_stay_certified(fit_intercept):
    """A warm start takes its first step uncertified (its gap estimated); what
    it returns is certified all the same: from the optimum, from a point near
    it with wrong intercepts, and when max_iter stops it after one step (the
    warning's gap is then the true duality gap, not the estimate)."""
    _, (X, y, sw), _ = make_problem("logistic", "shared", missing=True, weights=True)
    data = make_task_data(X, y, sample_weight=sw)
    datafit, penalty = LogisticLoss(), MeanRegularization(0.05, 1.7)
    options = {"fit_intercept": fit_intercept, "tol": 1e-12, "max_iter": 50}
    T, p = data.n_tasks, data.n_features
    W, b, _, gap, primal = newton_cg(
        data, datafit, penalty, np.zeros((T, p)), np.zeros(T), **options
    )
    assert gap <= 1e-12 * primal
    rng = np.random.default_rng(1)
    starts = [(W, b), (W * (1 + 0.05 * rng.normal(size=W.shape)), b + 0.3)]
    for W0, b0 in starts:
        b0 = b0 if fit_intercept else np.zeros(T)
        W1, b1, n1, gap1, primal1 = newton_cg(data, datafit, penalty, W0, b0, **options)
        assert n1 >= 1 and gap1 <= 1e-12 * primal1
        np.testing.assert_allclose(primal1, primal, rtol=1e-12)
        # Strong convexity (2 alpha in W) bounds each distance to the optimum.
        radius = np.sqrt(2 * gap / 0.1) + np.sqrt(2 * gap1 / 0.1)
        assert np.linalg.norm(W1 - W) <= radius
    far = (W + rng.normal(size=W.shape), b if fit_intercept else np.zeros(T))
    options.update(max_iter=1, tol=1e-15)
    with pytest.warns(ConvergenceWarning, match="after 1 Newton steps"):
        W1, b1, n1, gap1, primal1 = newton_cg(data, datafit, penalty, *far, **options)
    if fit_intercept:
        np.testing.assert_array_equal(b1, refit_intercept(data, datafit, W1, b1))
    expected = duality_gap(data, datafit, penalty, W1, b1)
    np.testing.assert_allclose((primal1, gap1), expected, rtol=1e-12)


def test_newton_cg_at_extreme_couplings():
    """Up to coupling=1e300 it certifies the L-BFGS optimum (the penalty's
    Hessian products and the preconditioner split the mean from the spread,
    with no cancellation); where the curvature overflows, or the model is
    pooled, it does not apply."""
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    for coupling in [1e100, 1e300]:
        fits = [
            MeanRegularizedClassifier(
                0.1, coupling, solver=solver, tol=1e-12, **kwargs
            ).fit(X, y)
            for solver in ("newton_cg", "lbfgs")
        ]
        # (Both within 1e-12 of the optimum, whose curvature is >= 2 alpha.)
        np.testing.assert_allclose(fits[0].coef_, fits[1].coef_, atol=1e-5)
        assert fits[0].dual_gap_ <= 1e-12
    for coupling in [1e308, INF]:  # 2 alpha (1 + coupling) overflows
        model = MeanRegularizedClassifier(10.0, coupling, solver="newton_cg", **kwargs)
        with pytest.raises(ValueError, match="solver='newton_cg' does not apply"):
            model.fit(X, y)


def test_no_intercept_matches_cvxpy():
    for loss in ["squared", "logistic"]:
        kwargs, (X, y, sw), obs = make_problem(loss, "indexed", weights=True)
        model = ESTIMATORS[loss](0.05, 2.0, fit_intercept=False, tol=1e-12, **kwargs)
        model.fit(X, y, sample_weight=sw)
        assert np.all(model.intercept_ == 0)
        W_ref, b_ref = cvxpy_solve(obs, 0.05, 2.0, loss, fit_intercept=False)
        ours = objective(obs, model.coef_, model.intercept_, 0.05, 2.0, loss)
        reference = objective(obs, W_ref, b_ref, 0.05, 2.0, loss)
        assert abs(ours - reference) <= 1e-8 * reference


# -- limits -------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [False, True])
def test_coupling_zero_is_ridge_per_task(fit_intercept, weights):
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=weights)
    alpha = 0.3
    model = MeanRegularizedRegressor(alpha, 0.0, fit_intercept=fit_intercept, **kwargs)
    model.fit(X, y, sample_weight=sw)
    total_weight = obs.row_weight_sum  # n_samples for unit weights
    for t, Xt, yt, st in obs.per_task():
        ridge = Ridge(alpha=2 * total_weight * alpha, fit_intercept=fit_intercept)
        ridge.fit(Xt, yt, sample_weight=st if weights else None)
        np.testing.assert_allclose(model.coef_[t], ridge.coef_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(model.intercept_[t], ridge.intercept_, atol=1e-10)


def test_coupling_zero_shared_design_is_ridge_per_column():
    _, (X, Y, _), _ = make_problem("squared", "shared", missing=True)
    model = MeanRegularizedRegressor(0.2, 0.0).fit(X, Y)
    for t in range(Y.shape[1]):
        rows = ~np.isnan(Y[:, t])
        ridge = Ridge(alpha=2 * len(X) * 0.2).fit(X[rows], Y[rows, t])
        np.testing.assert_allclose(model.coef_[t], ridge.coef_, rtol=1e-10, atol=1e-12)


def test_coupling_zero_classifier_is_logistic_regression_per_task():
    kwargs, (X, y, _), obs = make_problem("logistic", "indexed")
    alpha = 0.02
    model = MeanRegularizedClassifier(alpha, 0.0, tol=1e-14, **kwargs).fit(X, y)
    n_obs = len(obs.y)
    for t, Xt, yt, _ in obs.per_task():
        # sklearn: C * sum(log-loss) + ||w||^2 / 2  <=>  ours * m / (2 alpha m)
        reference = LogisticRegression(
            C=1 / (2 * alpha * n_obs), solver="newton-cholesky", tol=1e-14, max_iter=100
        )
        reference.fit(Xt, yt)
        np.testing.assert_allclose(
            model.coef_[t], reference.coef_[0], rtol=1e-6, atol=1e-8
        )
        np.testing.assert_allclose(
            model.intercept_[t], reference.intercept_[0], atol=1e-7
        )


@pytest.mark.parametrize("weights", [False, True])
def test_coupling_inf_is_pooled_ridge_with_task_intercepts(weights):
    kwargs, (X, y, sw), obs = make_problem("squared", "indexed", weights=weights)
    alpha, T = 0.3, obs.n_tasks
    model = MeanRegularizedRegressor(alpha, INF, **kwargs).fit(X, y, sample_weight=sw)
    # Oracle: task intercepts are unpenalised, so centre X and y per task
    # (weighted means) and fit one ridge without intercept (Frisch-Waugh).
    Xc, yc, means = np.empty_like(obs.X), np.empty_like(obs.y), []
    for t in range(T):
        rows = obs.task == t
        w = obs.weight[rows]
        x_mean = w @ obs.X[rows] / w.sum()
        y_mean = w @ obs.y[rows] / w.sum()
        Xc[rows], yc[rows] = obs.X[rows] - x_mean, obs.y[rows] - y_mean
        means.append((x_mean, y_mean))
    ridge = Ridge(alpha=2 * obs.row_weight_sum * alpha * T, fit_intercept=False)
    ridge.fit(Xc, yc, sample_weight=obs.weight)
    np.testing.assert_allclose(model.coef_, np.tile(ridge.coef_, (T, 1)), rtol=1e-10)
    intercepts = [y_mean - x_mean @ ridge.coef_ for x_mean, y_mean in means]
    np.testing.assert_allclose(model.intercept_, intercepts, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "loss, solver, slack",
    [
        # Distances may grow by the solver's own accuracy from one coupling
        # to the next: round-off for the exact solves, the 1e-8 duality gap
        # for L-BFGS, Clarabel's tolerance for cvxpy.
        ("squared", "closed_form", 1e-12),
        ("squared", "lbfgs", 1e-7),
        ("squared", "cvxpy", 1e-5),
        ("logistic", "newton", 1e-12),
        ("logistic", "lbfgs", 1e-7),
        ("logistic", "cvxpy", 1e-5),
    ],
)
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_large_coupling_approaches_pooled_model(loss, solver, slack, layout):
    """Up to coupling=1e300 the fit moves monotonically to the coupling=inf fit,
    certified, without a warning (numpy overflow included): the solvers work
    on the mean of the task weights and their spread separately."""
    kwargs, (X, y, _), _ = make_problem(loss, layout)
    model = ESTIMATORS[loss](0.1, INF, solver=solver, **kwargs)
    pooled = model.fit(X, y).coef_
    previous = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for coupling in 10.0 ** np.array([0, 2, 4, 6, 8, 10, 12, 14, 16, 20, 50, 300]):
            model.set_params(coupling=coupling).fit(X, y)
            distance = np.abs(model.coef_ - pooled).max()
            assert distance <= previous + slack, coupling
            assert -1e-12 <= model.dual_gap_ <= model.tol * 10, coupling  # round-off
            previous = distance
    assert previous <= slack
    if slack < 1e-7:  # exact solves: the deviations vanish like 1/coupling
        model.set_params(coupling=1e8).fit(X, y)
        assert np.abs(model.coef_ - pooled).max() < 1e-6


def test_shared_design_equals_stacked_task_indexed_layout():
    """Shared design (normalised by n rows) = stacked rows (n T rows), alpha / T."""
    _, (X, Y, _), _ = make_problem("squared", "shared")
    n, T = Y.shape
    shared = MeanRegularizedRegressor(0.2, 1.5).fit(X, Y)
    X_stacked = np.column_stack([np.repeat(np.arange(T), n), np.tile(X, (T, 1))])
    stacked = MeanRegularizedRegressor(0.2 / T, 1.5, task_column=0)
    stacked.fit(X_stacked, Y.T.ravel())
    np.testing.assert_allclose(shared.coef_, stacked.coef_, rtol=1e-10)
    np.testing.assert_allclose(shared.intercept_, stacked.intercept_, rtol=1e-10)
    np.testing.assert_allclose(
        shared.predict(X), stacked.predict(X_stacked).reshape(T, n).T, rtol=1e-10
    )


def test_missing_targets_are_left_out_of_the_loss():
    """A NaN entry equals dropping that (row, task) pair from the task-indexed data."""
    _, (X, Y, _), _ = make_problem("logistic", "shared", missing=True)
    shared = MeanRegularizedClassifier(0.05, 2.0, tol=1e-12).fit(X, Y)
    rows, task = np.nonzero(~np.isnan(Y))
    indexed = MeanRegularizedClassifier(0.05, 2.0, task_column=0, tol=1e-12)
    indexed.fit(np.column_stack([task, X[rows]]), Y[rows, task])
    np.testing.assert_allclose(shared.coef_, indexed.coef_, rtol=1e-8, atol=1e-10)


def test_integer_sample_weights_equal_repeated_rows():
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    counts = np.random.default_rng(1).integers(0, 3, len(y))
    counts[:8] = 1  # keep both classes in every task
    weighted = MeanRegularizedClassifier(0.05, 1.0, tol=1e-12, **kwargs)
    weighted.fit(X, y, sample_weight=counts)
    repeated = MeanRegularizedClassifier(0.05, 1.0, tol=1e-12, **kwargs)
    repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8, atol=1e-10)


# -- predictions ---------------------------------------------------------------


def test_predict_uses_each_rows_task():
    kwargs, (X, y, _), obs = make_problem("squared", "indexed")
    model = MeanRegularizedRegressor(0.1, 1.0, **kwargs).fit(X, y)
    expected = (
        np.einsum("ij,ij->i", obs.X, model.coef_[obs.task]) + model.intercept_[obs.task]
    )
    np.testing.assert_allclose(model.predict(X), expected)
    assert list(model.tasks_) == ["lille", "lyon", "nice", "paris"]


def test_unknown_task_error_and_shared():
    kwargs, (X, y, _), _ = make_problem("squared", "indexed")
    model = MeanRegularizedRegressor(0.1, 1.0, **kwargs).fit(X, y)
    X_new = X[:3].copy()
    X_new[:, 2] = ["rome", "paris", "oslo"]
    with pytest.raises(
        ValueError, match=r"task id\(s\) \['oslo', 'rome'\].*not seen in fit"
    ):
        model.predict(X_new)
    model.set_params(unknown_task="shared")
    pred = model.predict(X_new)
    features = X_new[:, [0, 1, 3, 4, 5]].astype(float)
    mean_prediction = features @ model.coef_.mean(axis=0) + model.intercept_.mean()
    np.testing.assert_allclose(pred[[0, 2]], mean_prediction[[0, 2]])
    np.testing.assert_allclose(pred[1], model.predict(X_new[1:2])[0])


def test_classifier_outputs_are_consistent():
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    labels = np.where(y > 0, "spam", "ham")
    clf = MeanRegularizedClassifier(0.05, 1.0, **kwargs).fit(X, labels)
    assert list(clf.classes_) == ["ham", "spam"]
    proba = clf.predict_proba(X)
    scores = clf.decision_function(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)))
    np.testing.assert_array_equal(clf.predict(X), np.where(scores > 0, "spam", "ham"))


def test_multilabel_classifier_on_shared_design():
    _, (X, Y, _), _ = make_problem("logistic", "shared", missing=True)
    clf = MeanRegularizedClassifier(0.05, 1.0).fit(X, Y)
    assert list(clf.classes_) == [0, 1]
    pred, proba = clf.predict(X), clf.predict_proba(X)
    assert pred.shape == proba.shape == Y.shape
    assert pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))


def test_single_target_shared_design_predicts_1d():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=30)
    model = MeanRegularizedRegressor(1e-3).fit(X, y)
    assert model.predict(X).shape == (30,)
    assert model.coef_.shape == (1, 3)
    two_d = MeanRegularizedRegressor(1e-3).fit(X, y[:, None])
    assert two_d.predict(X).shape == (30, 1)


def test_dataframe_y_names_the_tasks():
    pd = pytest.importorskip("pandas")
    _, (X, Y, _), _ = make_problem("squared", "shared")
    Y = pd.DataFrame(Y, columns=["math", "reading", "science", "art"])
    model = MeanRegularizedRegressor().fit(X, Y)
    assert list(model.tasks_) == ["math", "reading", "science", "art"]


def test_warm_start_reuses_the_previous_solution():
    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    clf = MeanRegularizedClassifier(
        0.05, 1.0, solver="lbfgs", tol=1e-12, warm_start=True, **kwargs
    )
    cold_iterations = clf.fit(X, y).n_iter_
    coef = clf.coef_.copy()
    assert clf.fit(X, y).n_iter_ < cold_iterations
    np.testing.assert_allclose(clf.coef_, coef, rtol=1e-4, atol=1e-6)


def test_max_iter_reached_warns_with_the_gap():
    from sklearn.exceptions import ConvergenceWarning

    kwargs, (X, y, _), _ = make_problem("logistic", "indexed")
    clf = MeanRegularizedClassifier(0.05, 1.0, solver="lbfgs", max_iter=2, **kwargs)
    with pytest.warns(ConvergenceWarning, match=r"duality gap of .* of the objective"):
        clf.fit(X, y)
    assert clf.dual_gap_ > 0
