"""MultiTaskKernelRidge and MultiTaskKernelClassifier against independent oracles.

* the optimality conditions of the representer form, solved as one dense
  linear system over every observed target (no Kronecker structure, no
  Cholesky, no Schur complement);
* the linear models whose penalty is the inverse task kernel
  (``MeanRegularizedRegressor`` in closed form, ``GraphRegularizedRegressor``
  at a tight duality gap);
* scikit-learn's ``KernelRidge`` in the limits of the coupling;
* for the classifier, cvxpy on the same objective written with a square
  root of the kernel matrix, and the optimality conditions themselves.
"""

import cvxpy as cp
import numpy as np
import pytest
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

import skmtl.kernel_ridge._kernel_ridge as kernel_ridge_module
from skmtl import (
    GraphRegularizedRegressor,
    MeanRegularizedClassifier,
    MeanRegularizedRegressor,
    MultiTaskKernelClassifier,
    MultiTaskKernelRidge,
)
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties._graph import laplacian_of

N_TASKS, N_FEATURES, GAMMA = 3, 4, 0.3
CHAIN = np.eye(N_TASKS, k=1) + np.eye(N_TASKS, k=-1)


def _problem(layout, *, missing=False, weights=False, seed=0, n=24):
    """Related tasks: ``(X, y, sample_weight, features, tasks)``.

    ``features`` and ``tasks`` (None for the shared design) are the fitted
    features and each row's task position, for the oracles.
    """
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, N_FEATURES))
    common = rng.normal(size=N_FEATURES)
    W = common + 0.5 * rng.normal(size=(N_TASKS, N_FEATURES))
    sample_weight = rng.uniform(0.5, 2.0, n) if weights else None
    if layout == "shared":
        y = np.sin(features @ W.T) + 0.1 * rng.normal(size=(n, N_TASKS))
        if missing:
            y[rng.random(y.shape) < 0.25] = np.nan
        return features, y, sample_weight, features, None
    tasks = np.sort(rng.integers(0, N_TASKS, n))
    tasks[:N_TASKS] = np.arange(N_TASKS)  # every task has rows
    tasks.sort()
    y = np.sin(np.einsum("ij,ij->i", features, W[tasks])) + 0.1 * rng.normal(size=n)
    X = np.column_stack([tasks, features])
    return X, y, sample_weight, features, tasks


def _observed(y, tasks, sample_weight):
    """Rows, task positions, targets and weights of the observed targets."""
    n = len(y)
    weight = np.ones(n) if sample_weight is None else sample_weight
    if tasks is not None:
        return np.arange(n), tasks, y, weight
    rows, columns = np.nonzero(~np.isnan(y))
    return rows, columns, y[rows, columns], weight[rows]


def _kkt_predictions(model, X_fit, y, sample_weight, tasks, X_new):
    r"""Predictions of every task on ``X_new`` from the optimality conditions.

    With :math:`f = \sum_o a_o K(\cdot, o)` over the observed targets
    :math:`o`, the objective :math:`\frac{1}{2n}\|y - K a - E b\|_W^2 +
    \alpha a^\top K a` is minimal where :math:`W (y - K a - E b) = 2 n
    \alpha a` and :math:`E^\top W (y - K a - E b) = 0`: one dense system.
    """
    rows, columns, target, weight = _observed(y, tasks, sample_weight)
    B = model.task_kernel_
    K = rbf_kernel(X_fit[rows], X_fit[rows], gamma=GAMMA) * B[np.ix_(columns, columns)]
    m, n_total = len(rows), (len(y) if sample_weight is None else sample_weight.sum())
    E = np.zeros((m, N_TASKS))
    E[np.arange(m), columns] = 1.0
    ridge = 2 * n_total * model.alpha
    if model.fit_intercept:
        system = np.block(
            [
                [weight[:, None] * K + ridge * np.eye(m), weight[:, None] * E],
                [E.T @ (weight[:, None] * K), E.T @ (weight[:, None] * E)],
            ]
        )
        solution = np.linalg.solve(
            system, np.r_[weight * target, E.T @ (weight * target)]
        )
        a, b = solution[:m], solution[m:]
    else:
        a = np.linalg.solve(weight[:, None] * K + ridge * np.eye(m), weight * target)
        b = np.zeros(N_TASKS)
    kernel = rbf_kernel(X_new, X_fit[rows], gamma=GAMMA)
    return kernel @ (a[:, None] * B[columns]) + b


def _task_kernels():
    rng = np.random.default_rng(5)
    root = rng.normal(size=(N_TASKS, N_TASKS))
    return {
        "mean": {"task_kernel": "mean", "coupling": 2.0},
        "mean-pooled": {"task_kernel": "mean", "coupling": np.inf},
        "graph": {"task_kernel": "graph", "graph": CHAIN, "coupling": 3.0},
        "matrix": {"task_kernel": root @ root.T},
        "matrix-rank-one": {
            "task_kernel": np.outer([1.0, 2.0, -1.0], [1.0, 2.0, -1.0])
        },
    }


@pytest.mark.parametrize("task_kernel", list(_task_kernels()))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "layout, missing, weights",
    [
        ("shared", False, False),  # the Kronecker solve
        ("shared", True, False),
        ("shared", False, True),
        ("indexed", False, False),
        ("indexed", False, True),
    ],
)
def test_matches_the_dense_optimality_conditions(
    task_kernel, fit_intercept, layout, missing, weights
):
    X, y, sample_weight, features, tasks = _problem(
        layout, missing=missing, weights=weights
    )
    model = MultiTaskKernelRidge(
        alpha=1e-3,
        kernel="rbf",
        gamma=GAMMA,
        fit_intercept=fit_intercept,
        task_column=None if tasks is None else 0,
        **_task_kernels()[task_kernel],
    ).fit(X, y, sample_weight=sample_weight)
    X_new = np.random.default_rng(1).normal(size=(7, N_FEATURES))
    expected = _kkt_predictions(model, features, y, sample_weight, tasks, X_new)
    if tasks is None:
        np.testing.assert_allclose(model.predict(X_new), expected, atol=1e-9)
    else:
        for t in range(N_TASKS):
            X_task = np.column_stack([np.full(len(X_new), t), X_new])
            np.testing.assert_allclose(model.predict(X_task), expected[:, t], atol=1e-9)


def _predict_every_task(model, X_new, layout):
    if layout == "shared":
        return model.predict(X_new)
    return np.column_stack(
        [
            model.predict(np.column_stack([np.full(len(X_new), t), X_new]))
            for t in range(N_TASKS)
        ]
    )


@pytest.mark.parametrize("coupling", [0.0, 1.0, np.inf])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_linear_kernel_is_mean_regularized(coupling, fit_intercept, layout):
    X, y, sample_weight, _, tasks = _problem(layout, missing=True, weights=True)
    params = {
        "alpha": 0.01,
        "coupling": coupling,
        "fit_intercept": fit_intercept,
        "task_column": None if tasks is None else 0,
    }
    model = MultiTaskKernelRidge(**params).fit(X, y, sample_weight=sample_weight)
    linear = MeanRegularizedRegressor(**params, tol=1e-12).fit(
        X, y, sample_weight=sample_weight
    )
    X_new = np.random.default_rng(2).normal(size=(6, N_FEATURES))
    np.testing.assert_allclose(
        _predict_every_task(model, X_new, layout),
        _predict_every_task(linear, X_new, layout),
        atol=1e-9,
    )
    np.testing.assert_allclose(model.intercept_, linear.intercept_, atol=1e-9)


@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_linear_kernel_is_graph_regularized(layout):
    r""":math:`B^{-1} = I + \lambda L` is GraphRegularized's
    :math:`\alpha \lambda \sum A_{st}\|w_s - w_t\|^2 + \alpha \|W\|_F^2`."""
    X, y, _, _, tasks = _problem(layout)
    alpha, coupling = 0.01, 3.0
    column = None if tasks is None else 0
    model = MultiTaskKernelRidge(
        alpha, coupling, task_kernel="graph", graph=CHAIN, task_column=column
    ).fit(X, y)
    linear = GraphRegularizedRegressor(
        CHAIN,
        alpha=alpha * coupling,
        l2=2 * alpha,
        task_column=column,
        tol=1e-14,
        max_iter=100_000,
    ).fit(X, y)
    X_new = np.random.default_rng(3).normal(size=(6, N_FEATURES))
    np.testing.assert_allclose(
        _predict_every_task(model, X_new, layout),
        _predict_every_task(linear, X_new, layout),
        atol=1e-7,
    )
    np.testing.assert_array_equal(model.graph_, CHAIN)


@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_coupling_zero_is_kernel_ridge_per_task(layout):
    X, y, _, features, tasks = _problem(layout)
    alpha = 1e-3
    model = MultiTaskKernelRidge(
        alpha,
        0.0,
        kernel="rbf",
        gamma=GAMMA,
        fit_intercept=False,
        task_column=None if tasks is None else 0,
    ).fit(X, y)
    X_new = np.random.default_rng(4).normal(size=(5, N_FEATURES))
    predicted = _predict_every_task(model, X_new, layout)
    for t in range(N_TASKS):
        rows = slice(None) if tasks is None else tasks == t
        target = y[:, t] if tasks is None else y[rows]
        reference = KernelRidge(
            alpha=2 * len(y) * alpha, kernel="rbf", gamma=GAMMA
        ).fit(features[rows], target)
        np.testing.assert_allclose(predicted[:, t], reference.predict(X_new), atol=1e-9)


def test_infinite_coupling_is_one_pooled_kernel_ridge():
    r""":math:`B = \frac{1}{T} 1 1^\top`: one function, the kernel divided by T."""
    X, y, _, features, _ = _problem("indexed")
    alpha = 1e-3
    model = MultiTaskKernelRidge(
        alpha, np.inf, kernel="rbf", gamma=GAMMA, fit_intercept=False, task_column=0
    ).fit(X, y)
    pooled = KernelRidge(
        alpha=2 * len(y) * alpha * N_TASKS, kernel="rbf", gamma=GAMMA
    ).fit(features, y)
    X_new = np.random.default_rng(6).normal(size=(5, N_FEATURES))
    predicted = _predict_every_task(model, X_new, "indexed")
    for t in range(N_TASKS):
        np.testing.assert_allclose(predicted[:, t], pooled.predict(X_new), atol=1e-9)


def test_graph_coupling_inf_pools_each_connected_component():
    X, y, _, _, _ = _problem("indexed", n=30)
    graph = np.zeros((N_TASKS, N_TASKS))
    graph[0, 1] = graph[1, 0] = 1.0  # tasks 0 and 1 joined, task 2 alone
    model = MultiTaskKernelRidge(
        task_kernel="graph", graph=graph, coupling=np.inf, task_column=0
    ).fit(X, y)
    expected = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(model.task_kernel_, expected, atol=1e-12)


def test_knn_graph_is_built_from_the_training_rows():
    """Each task's feature means over the rows of this fit, 1 neighbour."""
    X, y, _, features, tasks = _problem("indexed", n=40)
    model = MultiTaskKernelRidge(task_kernel="graph", n_neighbors=1, task_column=0)
    fold = np.arange(len(y)) % 2 == 0
    model.fit(X[fold], y[fold])
    means = np.array([features[fold & (tasks == t)].mean(axis=0) for t in range(3)])
    scaled = (means - means.mean(axis=0)) / means.std(axis=0)
    distance = np.linalg.norm(scaled[:, None] - scaled[None], axis=2)
    np.fill_diagonal(distance, np.inf)
    nearest = np.zeros((N_TASKS, N_TASKS))
    nearest[np.arange(N_TASKS), distance.argmin(axis=1)] = 1.0
    np.testing.assert_array_equal(model.graph_, np.maximum(nearest, nearest.T))
    np.testing.assert_allclose(
        model.task_kernel_, np.linalg.inv(np.eye(N_TASKS) + laplacian_of(model.graph_))
    )


@pytest.mark.parametrize("task_kernel", ["mean", "graph"])
@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_full_rank_nystroem_is_the_exact_kernel(task_kernel, layout):
    """With as many components as rows the approximation is exact."""
    X, y, _, _, tasks = _problem(layout, missing=True)
    params = {
        "alpha": 1e-2,
        "coupling": 2.0,
        "task_kernel": task_kernel,
        "graph": CHAIN if task_kernel == "graph" else "knn",
        "kernel": "rbf",
        "gamma": GAMMA,
        "task_column": None if tasks is None else 0,
    }
    exact = MultiTaskKernelRidge(**params).fit(X, y)
    # The graph kernel's Nyström model is solved iteratively: to a tight gap.
    nystroem = MultiTaskKernelRidge(
        **params, n_components=len(y), random_state=0, tol=1e-14
    ).fit(X, y)
    X_new = np.random.default_rng(7).normal(size=(6, N_FEATURES))
    np.testing.assert_allclose(
        _predict_every_task(nystroem, X_new, layout),
        _predict_every_task(exact, X_new, layout),
        atol=1e-6,
    )
    assert nystroem.coef_.shape == (N_TASKS, len(y))
    assert not hasattr(nystroem, "dual_coef_")


def test_nystroem_refuses_a_singular_task_kernel():
    X, y, _, _, _ = _problem("indexed")
    model = MultiTaskKernelRidge(
        task_kernel="graph", graph=CHAIN, coupling=np.inf, n_components=5, task_column=0
    )
    with pytest.raises(ValueError, match="task kernel must be invertible"):
        model.fit(X, y)


def test_unknown_task_is_predicted_by_the_mean_of_the_tasks():
    X, y, _, _, _ = _problem("indexed")
    model = MultiTaskKernelRidge(kernel="rbf", task_column=0).fit(X, y)
    X_new = np.column_stack([[7, 0], np.ones((2, N_FEATURES))])
    with pytest.raises(ValueError, match=r"task id\(s\) \[?7"):
        model.predict(X_new)
    model.set_params(unknown_task="shared")
    every = _predict_every_task(model, X_new[:, 1:], "indexed")
    np.testing.assert_allclose(model.predict(X_new), [every[0].mean(), every[1, 0]])


def test_predictions_in_blocks_are_the_same(monkeypatch):
    X, y, _, _, _ = _problem("shared")
    model = MultiTaskKernelRidge(kernel="rbf").fit(X, y)
    whole = model.predict(X)
    monkeypatch.setattr(kernel_ridge_module, "_PREDICT_BLOCK_ENTRIES", 50)
    np.testing.assert_allclose(model.predict(X), whole, rtol=1e-13)


def test_one_dimensional_y_on_the_shared_design():
    X, y, _, _, _ = _problem("shared")
    model = MultiTaskKernelRidge(kernel="rbf", alpha=1e-3).fit(X, y[:, 0])
    assert model.predict(X).shape == (len(y),)
    reference = MultiTaskKernelRidge(kernel="rbf", alpha=1e-3).fit(X, y[:, :1])
    np.testing.assert_allclose(model.predict(X), reference.predict(X)[:, 0])


def test_grid_search_tunes_the_coupling_on_related_tasks():
    """Six tasks of one function, 12 rows each: sharing beats independence."""
    rng = np.random.default_rng(3)
    tasks = np.repeat(np.arange(6), 12)
    features = rng.normal(size=(len(tasks), 2))
    y = np.sin(2 * features[:, 0]) * features[:, 1] + 0.3 * tasks
    y += 0.1 * rng.normal(size=len(y))
    X = np.column_stack([tasks, features])
    search = GridSearchCV(
        MultiTaskKernelRidge(kernel="rbf", task_column=0),
        {"alpha": [1e-4, 1e-3, 1e-2], "coupling": [0.0, 1.0, 100.0, np.inf]},
        cv=TaskStratifiedKFold(3, task_column=0),
    ).fit(X, y)
    independent = search.cv_results_["param_coupling"] == 0.0
    best_independent = search.cv_results_["mean_test_score"][independent].max()
    assert search.best_params_["coupling"] > 0
    assert search.best_score_ > best_independent + 0.05


@pytest.mark.parametrize(
    "params, message",
    [
        ({"task_kernel": np.eye(2)}, r"expected shape \(3, 3\)"),
        ({"task_kernel": np.triu(np.ones((3, 3)))}, "must be symmetric"),
        ({"task_kernel": -np.eye(3)}, "positive semi-definite"),
        ({"task_kernel": np.zeros((3, 3))}, "task_kernel is zero"),
        ({"task_kernel": np.full((3, 3), np.nan)}, "non-finite"),
        ({"graph": CHAIN}, "used with task_kernel='graph' only"),
        ({"task_kernel": "graph", "graph": np.eye(2)}, "graph has shape"),
        ({"task_kernel": np.eye(3), "coupling": 5.0}, "no effect with an array"),
    ],
)
def test_bad_task_kernels_are_named(params, message):
    X, y, _, _, _ = _problem("indexed")
    with pytest.raises(ValueError, match=message):
        MultiTaskKernelRidge(task_column=0, **params).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [{"alpha": 0.0}, {"coupling": -1.0}, {"kernel": "nope"}, {"n_components": 0}],
)
def test_bad_parameters_are_named(params):
    X, y, _, _, _ = _problem("indexed")
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=name):
        MultiTaskKernelRidge(task_column=0, **params).fit(X, y)


def test_a_task_column_alone_is_refused():
    X, y, _, _, _ = _problem("indexed")
    with pytest.raises(ValueError, match="no feature columns"):
        MultiTaskKernelRidge(task_column=0).fit(X[:, :1], y)


def test_missing_targets_in_the_task_indexed_layout_are_refused():
    X, y, _, _, _ = _problem("indexed")
    y[3] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        MultiTaskKernelRidge(task_column=0).fit(X, y)


# -- the classifier ------------------------------------------------------------


def _classification(layout, *, missing=False, weights=False, seed=0, n=30):
    """Binary targets from the regression problem: ``(X, y, sample_weight)``."""
    X, y, sample_weight, _, _ = _problem(
        layout, missing=missing, weights=weights, seed=seed, n=n
    )
    labels = np.where(np.isnan(y), np.nan, (y > np.nanmedian(y)).astype(float))
    return X, labels, sample_weight


@pytest.mark.parametrize("coupling", [0.0, 1.0, np.inf])
@pytest.mark.parametrize(
    "layout, missing", [("shared", False), ("shared", True), ("indexed", False)]
)
def test_linear_kernel_classifier_is_mean_regularized(coupling, layout, missing):
    X, y, sample_weight = _classification(layout, missing=missing, weights=True)
    params = {
        "alpha": 0.01,
        "coupling": coupling,
        "task_column": 0 if layout == "indexed" else None,
    }
    model = MultiTaskKernelClassifier(**params).fit(X, y, sample_weight=sample_weight)
    linear = MeanRegularizedClassifier(**params, tol=1e-14).fit(
        X, y, sample_weight=sample_weight
    )
    np.testing.assert_allclose(
        model.decision_function(X), linear.decision_function(X), atol=1e-6
    )


def _targets_and_scores(model, X, y):
    """The observed targets and the model's log-odds at them, in fit's order."""
    scores = model.decision_function(X)
    if y.ndim == 1:
        return np.arange(len(y)), X[:, 0].astype(int), y, scores
    rows, tasks = np.nonzero(~np.isnan(y))
    return rows, tasks, y[rows, tasks], scores[rows, tasks]


@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_kernel_classifier_matches_cvxpy(layout):
    """The same objective written with a square root of the kernel matrix:
    :math:`f = L c + E b`, :math:`\\|f\\|_{\\mathcal{H}}^2 = \\|c\\|^2`."""
    X, y, _ = _classification(layout, missing=True)
    alpha = 1e-3
    model = MultiTaskKernelClassifier(
        alpha,
        2.0,
        kernel="rbf",
        gamma=GAMMA,
        task_column=0 if layout == "indexed" else None,
    ).fit(X, y)
    rows, tasks, target, scores = _targets_and_scores(model, X, y)
    features = X[:, 1:] if layout == "indexed" else X
    K = (
        rbf_kernel(features[rows], gamma=GAMMA)
        * model.task_kernel_[np.ix_(tasks, tasks)]
    )
    spectrum, basis = np.linalg.eigh(K)
    root = basis * np.sqrt(np.clip(spectrum, 0, None))
    E = np.eye(N_TASKS)[tasks]
    c, b = cp.Variable(len(rows)), cp.Variable(N_TASKS)
    f = root @ c + E @ b
    loss = cp.sum(cp.logistic(f) - cp.multiply(target, f)) / len(rows)
    problem = cp.Problem(cp.Minimize(loss + alpha * cp.sum_squares(c)))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12)
    assert problem.status == cp.OPTIMAL
    ours = np.mean(np.logaddexp(0, scores) - target * scores)
    dual = model.dual_coef_[rows, tasks]
    ours += alpha * dual @ K @ dual
    assert ours <= problem.value + 1e-9
    np.testing.assert_allclose(scores, f.value, atol=1e-4)


@pytest.mark.parametrize("layout", ["shared", "indexed"])
def test_kernel_classifier_meets_the_optimality_conditions(layout):
    r""":math:`g + 2 \alpha a = 0` and :math:`E^\top g = 0`, with :math:`g` the
    loss gradient in the log-odds."""
    X, y, sample_weight = _classification(layout, missing=True, weights=True)
    alpha = 1e-4
    model = MultiTaskKernelClassifier(
        alpha, 5.0, kernel="rbf", task_column=0 if layout == "indexed" else None
    ).fit(X, y, sample_weight=sample_weight)
    rows, tasks, target, scores = _targets_and_scores(model, X, y)
    weight = sample_weight[rows]
    g = weight * (expit(scores) - target) / weight.sum()
    np.testing.assert_allclose(
        g + 2 * alpha * model.dual_coef_[rows, tasks], 0, atol=1e-12
    )
    np.testing.assert_allclose(np.bincount(tasks, g, minlength=N_TASKS), 0, atol=1e-12)


def test_kernel_classifier_warns_when_newton_stops_early():
    X, y, _ = _classification("indexed")
    with pytest.warns(ConvergenceWarning, match="decrement"):
        MultiTaskKernelClassifier(1e-3, kernel="rbf", max_iter=1, task_column=0).fit(
            X, y
        )


def test_kernel_classifier_labels_and_probabilities():
    X, y, _ = _classification("indexed")
    labels = np.where(y == 1, "yes", "no")
    model = MultiTaskKernelClassifier(1e-3, kernel="rbf", task_column=0).fit(X, labels)
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        model.predict(X), np.where(proba[:, 1] > 0.5, "yes", "no")
    )
    assert model.score(X, labels) > 0.8


def test_kernel_classifier_needs_both_classes_in_every_task():
    X, y, _ = _classification("indexed")
    y[X[:, 0] == 1] = 0.0
    with pytest.raises(ValueError, match=r"Task\(s\) \[?1.*only one class"):
        MultiTaskKernelClassifier(task_column=0).fit(X, y)


def test_full_rank_nystroem_classifier_is_the_exact_kernel():
    X, y, _ = _classification("indexed")
    params = {"alpha": 1e-2, "kernel": "rbf", "gamma": GAMMA, "task_column": 0}
    exact = MultiTaskKernelClassifier(**params).fit(X, y)
    nystroem = MultiTaskKernelClassifier(
        **params, n_components=len(y), random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(
        nystroem.decision_function(X), exact.decision_function(X), atol=1e-5
    )


def test_the_blocked_cholesky_is_the_same_solve(monkeypatch):
    """Large kernel matrices are factorised in blocks (see ``_cholesky``)."""
    X, y, sample_weight, _, _ = _problem("indexed", weights=True)
    params = {"alpha": 1e-3, "kernel": "rbf", "gamma": GAMMA, "task_column": 0}
    whole = MultiTaskKernelRidge(**params).fit(X, y, sample_weight=sample_weight)
    monkeypatch.setattr(kernel_ridge_module, "_CHOLESKY_BLOCK", 7)
    blocked = MultiTaskKernelRidge(**params).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(blocked.dual_coef_, whole.dual_coef_, rtol=1e-10)
    np.testing.assert_allclose(blocked.intercept_, whole.intercept_, rtol=1e-10)
