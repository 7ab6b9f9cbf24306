"""Tests for skmtl.datasets: the School loader and the multi-task generators."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.io

from skmtl.datasets import (
    get_data_home,
    load_school,
    make_multitask_classification,
    make_multitask_regression,
)

N_ROWS, N_SCHOOLS, N_FEATURES = 15362, 139, 27


# --------------------------------------------------------------------------- #
# get_data_home
# --------------------------------------------------------------------------- #


def test_get_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMTL_DATA_HOME", str(tmp_path / "from_env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home(str(tmp_path / "arg")) == tmp_path / "arg"
    assert get_data_home() == tmp_path / "from_env"

    monkeypatch.delenv("SKMTL_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / "skmtl_data"
    # Nothing is created.
    assert not (tmp_path / "skmtl_data").exists()
    assert not (tmp_path / "from_env").exists()


# --------------------------------------------------------------------------- #
# load_school on the real files
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def school(data_home):
    return load_school(data_home=data_home)


def test_school_shapes_and_types(school):
    assert school.data.shape == (N_ROWS, 1 + N_FEATURES)
    assert list(school.data.columns) == ["school", *school.feature_names]
    assert len(school.feature_names) == N_FEATURES
    assert len(set(school.feature_names)) == N_FEATURES
    assert school.task_column == "school"
    assert school.target_names == ["exam_score"]
    assert school.data["school"].dtype == np.int64
    assert (school.data[school.feature_names].dtypes == np.float64).all()
    assert school.data["school"].nunique() == N_SCHOOLS
    assert set(school.data["school"]) == set(range(1, N_SCHOOLS + 1))

    assert isinstance(school.target, pd.Series)
    assert school.target.name == "exam_score"
    assert school.target.dtype == np.float64
    assert school.target.shape == (N_ROWS,)

    assert list(school.frame.columns) == [*list(school.data.columns), "exam_score"]
    pd.testing.assert_frame_equal(school.frame[school.data.columns], school.data)
    pd.testing.assert_series_equal(school.frame["exam_score"], school.target)

    assert "Goldstein" in school.DESCR
    assert "75/25" in school.DESCR
    assert "explained variance" in school.DESCR


def test_school_matches_mat_file(school, data_home):
    mat = scipy.io.loadmat(data_home / "mtl" / "school" / "school_b.mat")
    np.testing.assert_array_equal(school.target.to_numpy(), mat["y"].ravel())
    np.testing.assert_array_equal(
        school.data[school.feature_names].to_numpy(), mat["x"][:-1].T
    )
    # The school id changes exactly at the task start rows.
    starts = mat["task_indexes"].ravel().astype(np.int64) - 1
    school_id = school.data["school"].to_numpy()
    changes = np.flatnonzero(np.diff(school_id)) + 1
    np.testing.assert_array_equal(np.r_[0, changes], starts)
    np.testing.assert_array_equal(school_id[starts], np.arange(1, N_SCHOOLS + 1))


@pytest.mark.parametrize(
    "prefix",
    ["year_", "gender_", "ethnic_", "school_", "denomination_"],
)
def test_school_indicator_groups_are_one_hot(school, prefix):
    columns = [name for name in school.feature_names if name.startswith(prefix)]
    assert len(columns) >= 2
    np.testing.assert_array_equal(school.data[columns].sum(axis=1), 1.0)


def test_school_school_level_attributes_constant_per_school(school):
    per_school = school.frame.groupby("school")
    for prefix in ("school_", "denomination_"):
        columns = [name for name in school.feature_names if name.startswith(prefix)]
        assert (per_school[columns].nunique() == 1).all().all()


def test_school_splits(school):
    assert len(school.splits) == 10
    all_rows = np.arange(N_ROWS)
    school_id = school.data["school"].to_numpy()
    for train, test in school.splits:
        assert train.dtype == np.int64 and test.dtype == np.int64
        assert train.ndim == 1 and test.ndim == 1
        assert np.intersect1d(train, test).size == 0
        np.testing.assert_array_equal(np.union1d(train, test), all_rows)
        assert train.size + test.size == N_ROWS
        assert 0.74 < train.size / N_ROWS < 0.76
        assert np.unique(school_id[train]).size == N_SCHOOLS
    # The 10 splits are different random splits.
    assert len({tuple(np.sort(test)) for _, test in school.splits}) == 10


def test_school_splits_match_files(school, data_home):
    for k, (train, test) in enumerate(school.splits, start=1):
        mat = scipy.io.loadmat(data_home / "mtl" / "school" / f"school_{k}_indexes.mat")
        np.testing.assert_array_equal(train, mat["tr"].ravel().astype(np.int64) - 1)
        np.testing.assert_array_equal(test, mat["tst"].ravel().astype(np.int64) - 1)


@pytest.mark.parametrize("k", [1, 7, 10])
def test_school_split_fields(data_home, school, k):
    bunch = load_school(data_home=data_home, split=k)
    train, test = school.splits[k - 1]
    np.testing.assert_array_equal(bunch.train_index, train)
    np.testing.assert_array_equal(bunch.test_index, test)
    pd.testing.assert_frame_equal(bunch.X_train, school.data.iloc[train])
    pd.testing.assert_frame_equal(bunch.X_test, school.data.iloc[test])
    pd.testing.assert_series_equal(bunch.y_train, school.target.iloc[train])
    pd.testing.assert_series_equal(bunch.y_test, school.target.iloc[test])
    assert len(bunch.X_train) + len(bunch.X_test) == N_ROWS


def test_school_without_split_has_no_split_fields(school):
    for key in ("train_index", "test_index", "X_train", "X_test", "y_train"):
        assert key not in school


def test_school_reads_env_var(data_home, monkeypatch):
    monkeypatch.setenv("SKMTL_DATA_HOME", str(data_home))
    assert load_school().data.shape == (N_ROWS, 1 + N_FEATURES)


# --------------------------------------------------------------------------- #
# load_school errors (no real data needed)
# --------------------------------------------------------------------------- #


def _write_fake_school(home, n_per_task=(4, 6, 5)):
    """A small valid data set in the School file format (1-based indices)."""
    folder = home / "mtl" / "school"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    n = sum(n_per_task)
    x = rng.integers(0, 2, size=(28, n)).astype(np.uint8)
    x[-1] = 1
    y = rng.integers(1, 70, size=(n, 1)).astype(np.uint8)
    starts = np.cumsum([0, *n_per_task[:-1]]) + 1
    scipy.io.savemat(
        folder / "school_b.mat",
        {"x": x, "y": y, "task_indexes": starts.reshape(-1, 1).astype(np.uint16)},
    )
    for k in range(1, 11):
        rows = rng.permutation(n) + 1
        scipy.io.savemat(
            folder / f"school_{k}_indexes.mat",
            {
                "tr": rows[: n - 3].reshape(1, -1).astype(np.uint16),
                "tst": rows[n - 3 :].reshape(1, -1).astype(np.uint16),
            },
        )
    return folder


def test_fake_school_loads(tmp_path):
    _write_fake_school(tmp_path)
    bunch = load_school(data_home=tmp_path, split=2)
    assert bunch.data.shape == (15, 28)
    assert bunch.data["school"].tolist() == [1] * 4 + [2] * 6 + [3] * 5
    assert bunch.X_train.shape == (12, 28)
    assert bunch.y_test.shape == (3,)


def test_missing_folder(tmp_path):
    expected = tmp_path / "mtl" / "school" / "school_b.mat"
    with pytest.raises(FileNotFoundError, match=re.escape(str(expected))) as info:
        load_school(data_home=tmp_path)
    message = str(info.value)
    assert "SKMTL_DATA_HOME" in message
    assert "~/skmtl_data" in message
    assert "school_10_indexes.mat" in message
    assert "data_home argument" in message


def test_missing_folder_via_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMTL_DATA_HOME", str(tmp_path))
    expected = tmp_path / "mtl" / "school" / "school_b.mat"
    with pytest.raises(FileNotFoundError, match=re.escape(str(expected))):
        load_school()


def test_missing_split_file(tmp_path):
    folder = _write_fake_school(tmp_path)
    (folder / "school_7_indexes.mat").unlink()
    expected = folder / "school_7_indexes.mat"
    with pytest.raises(FileNotFoundError, match=re.escape(str(expected))):
        load_school(data_home=tmp_path)


@pytest.mark.parametrize("split", [0, 11, -1, 1.0, "1", True, np.float64(2)])
def test_bad_split(split, tmp_path):
    # The split is checked before any file is read.
    with pytest.raises(ValueError, match=r"split must be None or an int in 1\.\.10"):
        load_school(data_home=tmp_path, split=split)


def test_numpy_int_split(tmp_path):
    _write_fake_school(tmp_path)
    assert load_school(data_home=tmp_path, split=np.int64(3)).X_test.shape[0] == 3


def _corrupt(folder, filename, **changes):
    path = folder / filename
    mat = {k: v for k, v in scipy.io.loadmat(path).items() if not k.startswith("__")}
    for key, value in changes.items():
        if value is None:
            del mat[key]
        else:
            mat[key] = value
    scipy.io.savemat(path, mat)
    return path


@pytest.mark.parametrize(
    "filename, changes, match",
    [
        ("school_b.mat", {"x": np.ones((27, 15), np.uint8)}, "'x' should have shape"),
        ("school_b.mat", {"y": np.ones((14, 1), np.uint8)}, "'y' should have 15"),
        ("school_b.mat", {"task_indexes": None}, "no variable"),
        (
            "school_b.mat",
            {"task_indexes": np.array([[1], [11], [5]], np.uint16)},
            "increase strictly",
        ),
        (
            "school_b.mat",
            {"task_indexes": np.array([[2], [5], [11]], np.uint16)},
            "start at 1",
        ),
        (
            "school_b.mat",
            {"task_indexes": np.array([[1], [5], [16]], np.uint16)},
            "outside 1..15",
        ),
        (
            "school_3_indexes.mat",
            {"tr": np.array([[0, 1, 2]], np.uint16)},
            "'tr' holds row indices outside",
        ),
        (
            "school_3_indexes.mat",
            {"tst": np.array([[14, 16]], np.uint16)},
            "'tst' holds row indices outside",
        ),
        (
            "school_3_indexes.mat",
            {"tr": np.array([[1, 2, 3]], np.uint16), "tst": np.array([[3, 4]])},
            "share row indices",
        ),
        (
            "school_3_indexes.mat",
            {"tr": np.array([[1, 2, 2]], np.uint16)},
            "repeats a row index",
        ),
        ("school_3_indexes.mat", {"tst": None}, "no variable"),
    ],
)
def test_inconsistent_files(tmp_path, filename, changes, match):
    folder = _write_fake_school(tmp_path)
    path = _corrupt(folder, filename, **changes)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + match):
        load_school(data_home=tmp_path)


def test_unreadable_file(tmp_path):
    folder = _write_fake_school(tmp_path)
    path = folder / "school_b.mat"
    path.write_bytes(b"not a mat file")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        load_school(data_home=tmp_path)


# --------------------------------------------------------------------------- #
# Generators
# --------------------------------------------------------------------------- #

GENERATORS = [make_multitask_regression, make_multitask_classification]


@pytest.mark.parametrize("make", GENERATORS)
def test_task_indexed_shapes(make):
    X, y, coef = make(n_tasks=4, n_samples=25, n_features=6, coef=True, random_state=0)
    assert X.shape == (100, 7)
    assert y.shape == (100,)
    assert coef.shape == (4, 6)
    np.testing.assert_array_equal(X[:, 0], np.repeat(np.arange(4), 25))


@pytest.mark.parametrize("make", GENERATORS)
def test_task_indexed_frame(make):
    X, y = make(n_tasks=3, n_samples=10, n_features=2, as_frame=True, random_state=0)
    assert list(X.columns) == ["task", "x0", "x1"]
    assert X["task"].dtype == np.int64
    assert X["task"].tolist() == [0] * 10 + [1] * 10 + [2] * 10
    assert (X[["x0", "x1"]].dtypes == np.float64).all()
    assert isinstance(y, pd.Series) and y.name == "y" and len(y) == 30
    X_np, y_np = make(n_tasks=3, n_samples=10, n_features=2, random_state=0)
    np.testing.assert_array_equal(X.to_numpy(dtype=float), X_np)
    np.testing.assert_array_equal(y.to_numpy(), y_np)


@pytest.mark.parametrize("make", GENERATORS)
def test_shared_design_shapes(make):
    X, y, coef = make(
        n_tasks=4,
        n_samples=30,
        n_features=5,
        shared_design=True,
        coef=True,
        random_state=0,
    )
    assert X.shape == (30, 5)
    assert y.shape == (30, 4)
    assert coef.shape == (4, 5)

    X, y = make(
        n_tasks=4,
        n_samples=30,
        n_features=5,
        shared_design=True,
        as_frame=True,
        random_state=0,
    )
    assert isinstance(X, pd.DataFrame) and list(X.columns) == [
        f"x{j}" for j in range(5)
    ]
    assert isinstance(y, pd.DataFrame)
    assert list(y.columns) == ["task_0", "task_1", "task_2", "task_3"]


@pytest.mark.parametrize("make", GENERATORS)
def test_unequal_task_sizes(make):
    sizes = [3, 1, 10, 5]
    X, y = make(n_tasks=4, n_samples=sizes, n_features=2, random_state=0)
    assert X.shape == (19, 3) and y.shape == (19,)
    np.testing.assert_array_equal(np.bincount(X[:, 0].astype(int)), sizes)
    X, _ = make(n_tasks=4, n_samples=np.array(sizes), n_features=2, random_state=0)
    assert X.shape == (19, 3)


@pytest.mark.parametrize("make", GENERATORS)
def test_relatedness_limits(make):
    _, _, coef = make(
        n_tasks=5, n_features=8, relatedness=1.0, coef=True, random_state=0
    )
    np.testing.assert_array_equal(coef, np.broadcast_to(coef[0], coef.shape))
    _, _, coef = make(
        n_tasks=5, n_features=8, relatedness=0.0, coef=True, random_state=0
    )
    for s in range(5):
        for t in range(s + 1, 5):
            assert not np.allclose(coef[s], coef[t])


def test_relatedness_gives_correlated_tasks():
    # Across many tasks the correlation between two tasks' weights is r.
    _, _, coef = make_multitask_regression(
        n_tasks=400,
        n_samples=1,
        n_features=500,
        relatedness=0.7,
        coef=True,
        random_state=0,
    )
    corr = np.corrcoef(coef)[np.triu_indices(400, k=1)].mean()
    assert abs(corr - 0.7) < 0.05
    assert abs(coef.var() - 1.0) < 0.05


@pytest.mark.parametrize("make", GENERATORS)
def test_n_informative(make):
    _, _, coef = make(
        n_tasks=3, n_features=10, n_informative=4, coef=True, random_state=1
    )
    assert np.all(coef[:, 4:] == 0)
    assert np.all(coef[:, :4] != 0)
    _, _, coef = make(
        n_tasks=3, n_features=10, n_informative=0, coef=True, random_state=1
    )
    assert np.all(coef == 0)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("shared_design", [False, True])
def test_determinism(make, shared_design):
    kwargs = {
        "n_tasks": 3,
        "n_samples": 20,
        "n_features": 4,
        "shared_design": shared_design,
        "task_offset_std": 1.0,
        "coef": True,
    }
    first = make(**kwargs, random_state=42)
    second = make(**kwargs, random_state=42)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    rng_result = make(**kwargs, random_state=np.random.RandomState(42))
    for a, b in zip(first, rng_result, strict=True):
        np.testing.assert_array_equal(a, b)
    other = make(**kwargs, random_state=43)
    assert not np.array_equal(first[1], other[1])


def test_same_seed_same_truth_across_layouts():
    kwargs = {"n_tasks": 3, "n_features": 4, "coef": True, "random_state": 0}
    _, _, coef_a = make_multitask_regression(n_samples=5, **kwargs)
    _, _, coef_b = make_multitask_regression(n_samples=[1, 2, 3], **kwargs)
    _, _, coef_c = make_multitask_regression(n_samples=9, shared_design=True, **kwargs)
    np.testing.assert_array_equal(coef_a, coef_b)
    np.testing.assert_array_equal(coef_a, coef_c)


@pytest.mark.parametrize("shared_design", [False, True])
def test_classification_labels(shared_design):
    X, y = make_multitask_classification(
        n_tasks=6,
        n_samples=200,
        n_features=5,
        shared_design=shared_design,
        random_state=0,
    )
    assert y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    if shared_design:
        for t in range(6):
            assert set(np.unique(y[:, t])) == {0, 1}
    else:
        task = X[:, 0].astype(int)
        for t in range(6):
            assert set(np.unique(y[task == t])) == {0, 1}


def test_classification_noise_zero_is_separable():
    X, y, coef = make_multitask_classification(
        n_tasks=3, n_samples=50, n_features=4, noise=0.0, coef=True, random_state=0
    )
    task = X[:, 0].astype(int)
    score = np.einsum("ij,ij->i", X[:, 1:], coef[task])
    np.testing.assert_array_equal(y, (score > 0).astype(int))


def test_classification_noise_one_is_logistic():
    # One task, one feature: the frequency of y=1 matches sigmoid(x w).
    X, y, coef = make_multitask_classification(
        n_tasks=1,
        n_samples=200_000,
        n_features=1,
        noise=1.0,
        coef=True,
        random_state=0,
    )
    score = X[:, 1] * coef[0, 0]
    mask = np.abs(score - 0.5) < 0.05
    assert abs(y[mask].mean() - 1 / (1 + np.exp(-0.5))) < 0.02


@pytest.mark.parametrize("task_offset_std", [0.0, 2.0])
def test_regression_noise_zero_is_exact(task_offset_std):
    X, y, coef = make_multitask_regression(
        n_tasks=4,
        n_samples=[5, 6, 7, 8],
        n_features=3,
        noise=0.0,
        task_offset_std=task_offset_std,
        coef=True,
        random_state=0,
    )
    task = X[:, 0].astype(int)
    residual = y - np.einsum("ij,ij->i", X[:, 1:], coef[task])
    # What is left is the per-task intercept: constant within each task.
    offsets = np.array([residual[task == t][0] for t in range(4)])
    np.testing.assert_allclose(residual, offsets[task], atol=1e-12)
    if task_offset_std == 0:
        np.testing.assert_allclose(offsets, 0.0, atol=1e-12)
    else:
        assert np.ptp(offsets) > 0


def test_regression_noise_zero_shared_design():
    X, y, coef = make_multitask_regression(
        n_tasks=3,
        n_samples=20,
        n_features=4,
        noise=0.0,
        shared_design=True,
        coef=True,
        random_state=0,
    )
    np.testing.assert_allclose(y, X @ coef.T, atol=1e-12)


def test_regression_noise_level():
    X, y, coef = make_multitask_regression(
        n_tasks=2,
        n_samples=20_000,
        n_features=3,
        noise=0.5,
        coef=True,
        random_state=0,
    )
    task = X[:, 0].astype(int)
    residual = y - np.einsum("ij,ij->i", X[:, 1:], coef[task])
    assert abs(residual.std() - 0.5) < 0.01


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_tasks": 0}, ValueError, "n_tasks must be >= 1"),
        ({"n_tasks": 2.0}, TypeError, "n_tasks must be an int"),
        ({"n_tasks": True}, TypeError, "n_tasks must be an int"),
        ({"n_features": 0}, ValueError, "n_features must be >= 1"),
        ({"n_features": "3"}, TypeError, "n_features must be an int"),
        ({"n_samples": 0}, ValueError, "n_samples must be >= 1"),
        ({"n_samples": 10.0}, TypeError, "n_samples must be an int or an array"),
        ({"n_samples": "10"}, TypeError, "n_samples must be an int or an array"),
        ({"n_tasks": 3, "n_samples": [5, 5]}, ValueError, "one entry per task"),
        ({"n_tasks": 2, "n_samples": [[5, 5]]}, ValueError, "one entry per task"),
        ({"n_tasks": 3, "n_samples": [5, 0, 5]}, ValueError, "entries must be >= 1"),
        (
            {"n_tasks": 2, "n_samples": [5.0, 5.0]},
            TypeError,
            "n_samples must hold ints",
        ),
        (
            {"n_tasks": 2, "n_samples": [5, 5], "shared_design": True},
            TypeError,
            "n_samples must be an int .* when shared_design=True",
        ),
        ({"n_features": 3, "n_informative": 4}, ValueError, "n_informative must be <="),
        ({"n_informative": -1}, ValueError, "n_informative must be >= 0"),
        ({"n_informative": 2.5}, TypeError, "n_informative must be an int"),
        ({"relatedness": 1.5}, ValueError, r"relatedness must be in \[0.0, 1.0\]"),
        ({"relatedness": -0.1}, ValueError, r"relatedness must be in \[0.0, 1.0\]"),
        ({"relatedness": float("nan")}, ValueError, "relatedness must be in"),
        ({"relatedness": "high"}, TypeError, "relatedness must be a real number"),
        ({"noise": -1.0}, ValueError, "noise must be >= 0"),
        ({"noise": None}, TypeError, "noise must be a real number"),
        ({"task_offset_std": -0.5}, ValueError, "task_offset_std must be >= 0"),
        ({"shared_design": 1}, TypeError, "shared_design must be a bool"),
        ({"as_frame": "yes"}, TypeError, "as_frame must be a bool"),
        ({"coef": None}, TypeError, "coef must be a bool"),
        ({"random_state": "seed"}, ValueError, "cannot be used to seed"),
    ],
)
def test_generator_parameter_errors(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)
