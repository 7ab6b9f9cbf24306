"""Bad input gets a clear error naming the parameter, column or task."""

import numpy as np
import pytest

from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(12, 3))
Y = rng.normal(size=(12, 2))
X_TASK = np.column_stack([np.repeat([10, 20, 30], 4), X])
y_task = rng.normal(size=12)
labels = np.tile([0, 1], 6)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X(bad):
    for model, Xb in [
        (MeanRegularizedRegressor(), X.copy()),
        (MeanRegularizedRegressor(task_column=0), X_TASK.copy()),
    ]:
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match=r"Input X contains (NaN|infinity)"):
            model.fit(Xb, Y if model.task_column is None else y_task)


def test_task_column_not_there():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X_TASK, columns=["school", "a", "b", "c"])
    with pytest.raises(ValueError, match=r"task_column='shop' is not a column of X"):
        MeanRegularizedRegressor(task_column="shop").fit(frame, y_task)
    with pytest.raises(ValueError, match=r"task_column=7 is out of range.*4 columns"):
        MeanRegularizedRegressor(task_column=7).fit(X_TASK, y_task)
    with pytest.raises(
        ValueError, match=r"task_column='school' is a column name.*no column"
    ):
        MeanRegularizedRegressor(task_column="school").fit(X_TASK, y_task)


def test_task_column_with_missing_or_mixed_ids():
    X_obj = X_TASK.astype(object)
    X_obj[2, 0] = None
    with pytest.raises(ValueError, match="task column 0 has missing values"):
        MeanRegularizedRegressor(task_column=0).fit(X_obj, y_task)
    X_obj[2, 0] = "ten"
    with pytest.raises(TypeError, match="task column 0 mixes types"):
        MeanRegularizedRegressor(task_column=0).fit(X_obj, y_task)


def test_integral_float_task_ids_become_int64_only_where_exact():
    """-2**63 <= id < 2**63 converts exactly; beyond, the floats stay labels
    (a cast would overflow them all to one integer, merging their tasks)."""
    from skmtl._task_data import _check_task_ids

    inside = _check_task_ids(np.array([-(2.0**63), 3.0]), 0)
    assert inside.dtype == np.int64
    np.testing.assert_array_equal(inside, [np.iinfo(np.int64).min, 3])
    beyond = _check_task_ids(np.array([2.0**63, 3.0, 2.0**64]), 0)
    assert beyond.dtype == np.float64 and len(np.unique(beyond)) == 3


def test_task_without_observed_targets_is_named():
    Y_missing = Y.copy()
    Y_missing[:, 1] = np.nan
    with pytest.raises(ValueError, match=r"task\(s\) \[1\] have none"):
        MeanRegularizedRegressor().fit(X, Y_missing)
    weights = np.r_[np.zeros(4), np.ones(8)]
    with pytest.raises(ValueError, match=r"task\(s\) \[10\] have none"):
        MeanRegularizedRegressor(task_column=0).fit(
            X_TASK, y_task, sample_weight=weights
        )


def test_y_shape_must_fit_the_layout():
    with pytest.raises(
        ValueError, match=r"With task_column set, y must be 1-D.*\(12, 2\)"
    ):
        MeanRegularizedRegressor(task_column=0).fit(X_TASK, Y)
    with pytest.raises(ValueError, match="X has 12 rows but y has 11"):
        MeanRegularizedRegressor().fit(X, Y[:11])
    with pytest.raises(ValueError, match="X has 12 rows but y has 11"):
        MeanRegularizedRegressor(task_column=0).fit(X_TASK, y_task[:11])


def test_nan_target_in_task_indexed_layout():
    y_nan = y_task.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN\. With task_column set"):
        MeanRegularizedRegressor(task_column=0).fit(X_TASK, y_nan)


def test_classifier_task_with_one_class_is_named():
    y_bad = labels.copy()
    y_bad[4:8] = 1  # task 20 sees only class 1
    with pytest.raises(
        ValueError, match=r"Task\(s\) \[20\] have targets of only one class"
    ):
        MeanRegularizedClassifier(task_column=0).fit(X_TASK, y_bad)
    Y_bad = np.column_stack([labels, np.r_[np.ones(11), np.nan]])
    with pytest.raises(
        ValueError, match=r"Task\(s\) \[1\] have targets of only one class"
    ):
        MeanRegularizedClassifier().fit(X, Y_bad)


def test_classifier_label_errors():
    with pytest.raises(ValueError, match="only one class"):
        MeanRegularizedClassifier().fit(X, np.ones(12))
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        MeanRegularizedClassifier().fit(X, np.arange(12) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        MeanRegularizedClassifier().fit(X, y_task)
    with pytest.raises(ValueError, match=r"multi-label target.*column 1 holds \[2.\]"):
        MeanRegularizedClassifier().fit(X, np.column_stack([labels, 2 * labels]))


def test_sample_weight_errors():
    model = MeanRegularizedRegressor()
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        model.fit(X, Y, sample_weight=-np.ones(12))
    with pytest.raises(
        ValueError, match=r"sample_weight.shape == \(3,\), expected \(12,\)"
    ):
        model.fit(X, Y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="sample_weight must not be all zero"):
        model.fit(X, Y, sample_weight=np.zeros(12))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": 0.0}, "'alpha' parameter .* must be a float in the range"),
        ({"coupling": -1.0}, "'coupling' parameter .* must be a float in the range"),
        ({"unknown_task": "ignore"}, "'unknown_task' parameter .* must be a str among"),
        ({"solver": "newton"}, "'solver' parameter of MeanRegularizedRegressor"),
        ({"task_column": 1.5}, "'task_column' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
    ],
)
def test_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MeanRegularizedRegressor(**params).fit(X, Y)


def test_predict_checks_features():
    model = MeanRegularizedRegressor(task_column=0).fit(X_TASK, y_task)
    with pytest.raises(
        ValueError, match="X has 3 features, but MeanRegularizedRegressor"
    ):
        model.predict(X)
    with pytest.raises(ValueError, match=r"task id\(s\) \[99\] that were not seen"):
        model.predict(np.column_stack([np.full(2, 99), X[:2]]))


def test_sparse_X_is_refused_by_the_kernel_models():
    """The linear models keep sparse X sparse (tests/test_sparse.py); the
    kernel models, whose kernel matrices are dense, refuse it."""
    sp = pytest.importorskip("scipy.sparse")
    from skmtl import MultiTaskKernelRidge

    with pytest.raises(TypeError, match=r"needs dense X.*X\.toarray\(\)"):
        MultiTaskKernelRidge().fit(sp.csr_matrix(X), Y)
    with pytest.raises(TypeError, match=r"needs dense X"):
        MultiTaskKernelRidge(task_column=0).fit(sp.csr_matrix(X_TASK), y_task)
