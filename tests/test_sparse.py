"""Sparse ``X`` (CSR/CSC) in both layouts, never densified.

Oracles: the same fit on the dense array (every solver is tested against
cvxpy on dense data elsewhere), and the dense computations of the
``TaskData`` operations; peak memory (tracemalloc) for "never densified".
"""

import tracemalloc
import zlib

import numpy as np
import pytest
import scipy.sparse as sp

import skmtl
from skmtl._task_data import make_task_data, row_products, row_sums, split_task_column
from skmtl.penalties import L21

rng = np.random.default_rng(3)
N_TASKS = 3


def sparse_problem(loss, seed="", n=90, p=7, density=0.4):
    """Task-indexed rows (task ids in column 0), a shared design with missing
    targets, and sample weights; the same for the same ``seed`` (a test's
    parameters), whatever ran before."""
    rng = np.random.default_rng(zlib.crc32(f"{loss}{seed}".encode()))
    X = rng.normal(size=(n, p)) * (rng.random((n, p)) < density)
    X[:, 0] += 2.0 * (X[:, 0] != 0)  # an offset on the stored entries
    task = rng.permutation(np.arange(n) % N_TASKS)
    W = rng.normal(size=(N_TASKS, p))
    y = np.einsum("ij,ij->i", X, W[task]) + 0.3 * rng.normal(size=n)
    Y = X @ W.T + 0.3 * rng.normal(size=(n, N_TASKS))
    if loss == "logistic":
        y = (y > np.median(y)).astype(int)
        Y = (Y > np.median(Y, axis=0)).astype(float)
    Y[rng.random(Y.shape) < 0.2] = np.nan
    return np.column_stack([task, X]), y, X, Y, rng.uniform(0.3, 2.0, n)


def _linear_estimators():
    names = [
        name
        for name in skmtl.__all__
        if name.endswith(("Regressor", "Classifier"))
        and "Kernel" not in name
        and "Chain" not in name
    ]
    return sorted(names)


def _estimator(name, **params):
    cls = getattr(skmtl, name)
    defaults = cls().get_params() if name[:5] != "Graph" else {}
    strengths = {
        key: 0.003
        for key in defaults
        if (key.startswith("alpha") and key != "alpha_shared") or key == "beta"
    }
    if name.startswith("Graph"):
        params["graph"] = np.ones((N_TASKS, N_TASKS)) - np.eye(N_TASKS)
        strengths = {"alpha": 0.003}
    # (The clustered penalty's certificate reaches about 1e-8 of the objective.)
    tol = 1e-7 if name.startswith("Clustered") else 1e-10
    return cls(**strengths, tol=tol, max_iter=100_000, **params)


@pytest.mark.parametrize("name", _linear_estimators())
@pytest.mark.parametrize("layout", ["indexed", "shared"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_fit_equals_the_dense_fit(name, layout, fmt):
    loss = "logistic" if name.endswith("Classifier") else "squared"
    Xt, y, X, Y, sw = sparse_problem(loss, name + layout + fmt)
    if layout == "indexed":
        dense_X, target, params = Xt, y, {"task_column": 0}
    else:
        dense_X, target, params = X, Y, {}
    sparse_X = sp.csr_array(dense_X).asformat(fmt)
    dense = _estimator(name, **params).fit(dense_X, target, sample_weight=sw)
    sparse = _estimator(name, **params).fit(sparse_X, target, sample_weight=sw)
    assert np.abs(dense.coef_).max() > 0.1  # not the zero model
    scale = np.abs(dense.coef_).max()
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-6 * scale)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-6 * scale)
    scores = "predict" if loss == "squared" else "decision_function"
    np.testing.assert_allclose(
        getattr(sparse, scores)(sparse_X),
        getattr(dense, scores)(dense_X),
        atol=1e-6 * scale * np.abs(X).max() * X.shape[1],
    )


@pytest.mark.parametrize("layout", ["indexed", "shared"])
def test_task_data_operations_match_the_dense_ones(layout):
    Xt, y, X, Y, sw = sparse_problem("squared")
    if layout == "indexed":
        task = Xt[:, 0].astype(int)
        dense = make_task_data(X, y, task, sw)
        sparse = make_task_data(sp.csr_array(X), y, task, sw)
        D = rng.uniform(size=len(y))
    else:
        dense = make_task_data(X, Y, None, sw)
        sparse = make_task_data(sp.csr_array(X), Y, None, sw)
        D = rng.uniform(size=Y.shape)
    assert sparse.sparse and not dense.sparse
    W, b = rng.normal(size=(N_TASKS, X.shape[1])), rng.normal(size=N_TASKS)
    np.testing.assert_allclose(sparse.linear(W, b), dense.linear(W, b), atol=1e-12)
    for ours, reference in zip(sparse.adjoint(D), dense.adjoint(D), strict=True):
        np.testing.assert_allclose(ours, reference, atol=1e-12)
    for center in (False, True):
        for ours, reference in zip(
            sparse.weighted_gram(D, center), dense.weighted_gram(D, center), strict=True
        ):
            np.testing.assert_allclose(ours, reference, atol=1e-11)
    for ours, reference in zip(
        sparse.weighted_moments(D), dense.weighted_moments(D), strict=True
    ):
        np.testing.assert_allclose(ours, reference, atol=1e-12)
    columns = np.array([4, 1])
    np.testing.assert_allclose(
        sparse.restrict_features(columns).linear(W[:, columns], b),
        dense.restrict_features(columns).linear(W[:, columns], b),
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "empty", [[], [0], [3], [5], [4, 5], [0, 1, 2, 3, 4, 5]], ids=str
)
def test_row_sums_and_products_with_empty_rows(empty):
    """Empty rows anywhere, the last ones included (where ``reduceat`` cannot
    start a segment)."""
    A = rng.normal(size=(6, 4)) * (rng.random((6, 4)) < 0.7)
    A[empty] = 0.0
    X = sp.csr_array(A)
    X.eliminate_zeros()
    np.testing.assert_allclose(row_sums(X, X.data), A.sum(axis=1), atol=1e-15)
    W, index = rng.normal(size=(3, 4)), rng.integers(0, 3, 6)
    np.testing.assert_allclose(
        row_products(X, W, index), np.einsum("ij,ij->i", A, W[index]), atol=1e-15
    )


def test_duplicate_entries_count_as_their_sum():
    _, _, X, Y, _ = sparse_problem("squared")
    # Every entry stored twice, as two halves, in each row.
    indices = [np.tile(np.flatnonzero(row), 2) for row in X]
    data = [np.tile(row[row != 0] / 2, 2) for row in X]
    indptr = np.r_[0, np.cumsum([len(i) for i in indices])]
    duplicated = sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), indptr), shape=X.shape
    )
    assert not duplicated.has_canonical_format
    dense = make_task_data(X, Y, None)  # (no grouping of rows to copy them)
    ours = make_task_data(duplicated, Y, None)
    for a, b in zip(
        ours.weighted_moments(ours.weight),
        dense.weighted_moments(dense.weight),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, atol=1e-12)
    assert not duplicated.has_canonical_format  # the caller's matrix untouched


def test_the_task_column_of_a_sparse_matrix():
    Xt, y, X, _, _ = sparse_problem("squared")
    Xt[:, 0] += 10  # ids 10, 11, 12
    model = skmtl.MeanRegularizedRegressor(task_column=0).fit(sp.csr_array(Xt), y)
    np.testing.assert_array_equal(model.tasks_, [10, 11, 12])
    unseen = sp.csr_array(np.column_stack([np.full(2, 99), X[:2]]))
    with pytest.raises(ValueError, match="not seen in fit"):
        model.predict(unseen)
    Xt[0, 0] = 10.5
    with pytest.raises(ValueError, match="task column 0 of a sparse X must hold"):
        skmtl.MeanRegularizedRegressor(task_column=0).fit(sp.csr_array(Xt), y)


def test_unknown_task_predicted_by_the_shared_model_on_sparse_rows():
    Xt, y, X, _, _ = sparse_problem("squared")
    model = skmtl.MeanRegularizedRegressor(task_column=0, unknown_task="shared")
    model.fit(sp.csr_array(Xt), y)
    rows = sp.csr_array(np.column_stack([np.full(3, 7), X[:3]]))
    expected = X[:3] @ model.coef_.mean(axis=0) + model.intercept_.mean()
    np.testing.assert_allclose(model.predict(rows), expected, atol=1e-12)


def test_coordinate_descent_refuses_sparse_x():
    _, _, X, Y, _ = sparse_problem("squared")
    Y = np.nan_to_num(Y)
    with pytest.raises(ValueError, match=r"solver=\"cd\" needs .*dense X"):
        skmtl.L21Regressor(0.01, solver="cd").fit(sp.csr_array(X), Y)


def test_a_large_sparse_matrix_is_never_densified():
    """20,000 x 20,000 at 0.05% non-zeros (2.4 MB stored, 3.2 GB dense)."""
    n, p = 20_000, 20_000
    X = sp.random_array((n, p), density=5e-4, format="csr", rng=rng)
    task = np.arange(n) % 4
    coef = np.zeros((4, p))
    coef[:, :50] = rng.normal(size=(4, 50))
    y = X @ coef[0] + (task - 1.5) + 0.01 * rng.normal(size=n)
    Xt = sp.hstack([sp.csr_array(task[:, None].astype(float)), X], format="csr")
    tracemalloc.start()
    model = skmtl.MultiTaskLinearModel("squared", L21(1e-4), task_column=0).fit(Xt, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6  # bytes: 3% of the dense matrix
    # Certified (a ConvergenceWarning is an error here), and not the zero model.
    assert np.isfinite(model.dual_gap_)
    assert np.any(model.coef_[:, :50])
    assert model.predict(Xt[:5]).shape == (5,)


@pytest.mark.parametrize("name", ["L21RegressorCV", "MeanRegularizedClassifierCV"])
@pytest.mark.parametrize("layout", ["indexed", "shared"])
def test_cv_estimators_on_sparse_x_choose_as_on_dense_x(name, layout):
    loss = "logistic" if "Classifier" in name else "squared"
    Xt, y, X, Y, _ = sparse_problem(loss)
    if layout == "indexed":
        dense_X, target, params = Xt, y, {"task_column": 0}
    else:
        dense_X, target, params = X, np.nan_to_num(Y), {}
    cv = getattr(skmtl, name)(n_alphas=5, cv=3, tol=1e-10, **params)
    dense = cv.fit(dense_X, target).alpha_, cv.coef_
    sparse = cv.fit(sp.csr_array(dense_X), target).alpha_, cv.coef_
    assert sparse[0] == pytest.approx(dense[0], rel=1e-12)  # the same grid point
    np.testing.assert_allclose(sparse[1], dense[1], atol=1e-7)


def test_a_one_hot_pipeline_with_sparse_output_reaches_the_model_sparse():
    """A ColumnTransformer that one-hot encodes a category (sparse output) and
    passes the task column through hands the model a sparse matrix."""
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    local = np.random.default_rng(0)
    n = 300
    task = local.integers(0, 4, n)
    category = local.integers(0, 20, n)
    effect = local.normal(size=(4, 20))
    y = effect[task, category] + 0.1 * local.normal(size=n)
    X = np.column_stack([task, category])
    encode = ColumnTransformer(
        [
            ("task", "passthrough", [0]),
            ("category", OneHotEncoder(handle_unknown="ignore"), [1]),
        ],
        sparse_threshold=1.0,
    )
    assert sp.issparse(encode.fit_transform(X))
    pipeline = make_pipeline(encode, skmtl.MeanRegularizedRegressor(task_column=0))
    search = GridSearchCV(
        pipeline, {"meanregularizedregressor__alpha": [1e-4, 1e-2]}, cv=3
    ).fit(X, y)
    dense = make_pipeline(
        ColumnTransformer(
            [
                ("task", "passthrough", [0]),
                (
                    "category",
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    [1],
                ),
            ]
        ),
        skmtl.MeanRegularizedRegressor(task_column=0, **_chosen(search)),
    ).fit(X, y)
    np.testing.assert_allclose(
        search.best_estimator_[-1].coef_, dense[-1].coef_, atol=1e-10
    )
    assert search.best_score_ > 0.5


def _chosen(search):
    return {k.split("__")[1]: v for k, v in search.best_params_.items()}


def test_a_dataframe_of_sparse_columns_stays_sparse():
    """pandas sparse columns beside a named task column: the features reach
    the model as a sparse matrix, and the fit is the dense one."""
    pd = pytest.importorskip("pandas")
    Xt, y, X, _, _ = sparse_problem("squared")
    names = [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame.sparse.from_spmatrix(sp.csr_matrix(X), columns=names)
    frame.insert(0, "task", Xt[:, 0].astype(int))
    features, _ = split_task_column(frame, "task")
    assert sp.issparse(features)
    dense = pd.DataFrame(X, columns=names).assign(task=Xt[:, 0].astype(int))
    ours = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10).fit(frame, y)
    reference = skmtl.L21Regressor(0.01, task_column="task", tol=1e-10).fit(dense, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.predict(frame), reference.predict(dense), atol=1e-9)


def test_fista_on_word_counts_gives_the_intercepts_the_features_curvature():
    """Bag-of-words counts have variances near 1e-2, so an intercept variable
    in plain units is 100x stiffer than the features and held FISTA's step
    (one for both) 100x too short: 594 iterations here, 164 now."""
    from sklearn.datasets import make_multilabel_classification

    from skmtl import L21Classifier
    from skmtl.datafits import LogisticLoss
    from skmtl.linear_model import l21_alpha_max
    from skmtl.solvers import objective

    X, Y = make_multilabel_classification(
        n_samples=400, n_features=3000, n_classes=5, length=60, random_state=0
    )
    X = sp.csr_matrix(X, dtype=float)
    alpha = 0.1 * l21_alpha_max(X, Y, loss="logistic")
    model = L21Classifier(alpha, tol=1e-6, max_iter=20_000).fit(X, Y)
    assert model.n_iter_ <= 300
    # More features than rows: the optimum need not be unique; objectives are.
    dense = L21Classifier(alpha, tol=1e-10, solver="fista").fit(X.toarray(), Y)
    data = make_task_data(X.toarray(), Y.astype(float))
    values = [
        objective(data, LogisticLoss(), L21(alpha), m.coef_, m.intercept_)
        for m in (model, dense)
    ]
    assert abs(values[0] - values[1]) <= 1e-6 * values[1]  # both certified
