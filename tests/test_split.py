"""TaskStratifiedKFold: even spread of tasks and rare classes over the folds;
TaskStratifiedShuffleSplit: held-out parts that keep every task in training."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split

from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor
from skmtl.model_selection import TaskStratifiedKFold, TaskStratifiedShuffleSplit

SEEDS = [0, 1, 2]


def rare_positives(seed, n_tasks=29, n_rows=40, n_features=3):
    """Binary tasks of ``n_rows`` rows with 2 to 4 positives each.

    The task id is column 0 of X; the positives sit at random rows.
    """
    rng = np.random.default_rng(seed)
    tasks = np.repeat(np.arange(n_tasks), n_rows)
    y = np.zeros(n_tasks * n_rows, dtype=int)
    for t in range(n_tasks):
        positives = rng.choice(n_rows, rng.integers(2, 5), replace=False)
        y[t * n_rows + positives] = 1
    features = rng.normal(size=(len(y), n_features)) + y[:, None]
    return np.column_stack([tasks, features]), y


def folds_of(cv, X, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(cv.split(X, y))


def split_warnings(cv, X, y=None):
    """Messages of the warnings that ``cv.split(X, y)`` emits."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folds = list(cv.split(X, y))
    return folds, [str(w.message) for w in caught]


def assert_partition(folds, n_samples):
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(n_samples))
    for train, test in folds:
        assert len(test) > 0
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])), np.arange(n_samples)
        )


def assert_tasks_balanced(folds, tasks):
    """Every task's rows per test fold differ by at most one."""
    for task in np.unique(tasks):
        sizes = [np.sum(tasks[test] == task) for _, test in folds]
        assert max(sizes) - min(sizes) <= 1, (task, sizes)


# --- stratify_target=True: the rare positives (issue [5/10b]) ---------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_positives_are_spread_evenly_over_the_test_folds(seed, shuffle):
    X, y = rare_positives(seed)
    cv = TaskStratifiedKFold(
        5,
        task_column=0,
        stratify_target=True,
        shuffle=shuffle,
        random_state=seed if shuffle else None,
    )
    folds = folds_of(cv, X, y)
    n_positives = y.sum()
    low, high = math.floor(n_positives / 5) - 1, math.ceil(n_positives / 5) + 1
    per_fold = [int(y[test].sum()) for _, test in folds]
    assert all(low <= p <= high for p in per_fold), per_fold
    assert sum(per_fold) == n_positives


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_task_keeps_both_classes_in_every_training_fold(seed, shuffle):
    X, y = rare_positives(seed)
    cv = TaskStratifiedKFold(
        5,
        task_column=0,
        stratify_target=True,
        shuffle=shuffle,
        random_state=seed if shuffle else None,
    )
    folds = folds_of(cv, X, y)
    every_pair = set(zip(X[:, 0], y, strict=True))
    assert len(every_pair) == 2 * 29
    for train, _ in folds:
        assert set(zip(X[train, 0], y[train], strict=True)) == every_pair
    assert_partition(folds, len(y))
    assert_tasks_balanced(folds, X[:, 0])


@pytest.mark.parametrize("stratify_target", [False, True])
def test_folds_partition_the_rows_for_uneven_tasks(stratify_target):
    rng = np.random.default_rng(7)
    sizes = rng.integers(2, 30, size=15)
    tasks = np.repeat(np.arange(15), sizes)
    order = rng.permutation(len(tasks))  # rows not grouped by task
    tasks = tasks[order]
    y = (rng.random(len(tasks)) < 0.3).astype(int)
    X = np.column_stack([tasks, rng.normal(size=len(tasks))])
    cv = TaskStratifiedKFold(
        4, task_column=0, stratify_target=stratify_target, shuffle=True, random_state=3
    )
    folds = folds_of(cv, X, y)
    assert len(folds) == cv.get_n_splits() == 4
    assert_partition(folds, len(y))
    assert_tasks_balanced(folds, tasks)
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= (1 if not stratify_target else 2)


@pytest.mark.parametrize("scoring", ["neg_log_loss", "roc_auc"])
def test_grid_search_scores_every_fold_of_rare_positives(scoring):
    X, y = rare_positives(0, n_tasks=29, n_rows=20)
    cv = TaskStratifiedKFold(
        5, task_column=0, stratify_target=True, shuffle=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TaskStratifiedKFold", UserWarning)
        search = GridSearchCV(
            MeanRegularizedClassifier(task_column=0),
            {"coupling": [0.1, 10.0]},
            cv=cv,
            scoring=scoring,
            error_score="raise",
        ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_no_least_populated_class_warning_from_scikit_learn():
    X, y = rare_positives(0)
    cv = TaskStratifiedKFold(5, task_column=0, stratify_target=True)
    _, messages = split_warnings(cv, X, y)
    assert not any("least populated class in y" in m for m in messages)
    assert not any("number of members in each class" in m for m in messages)
    assert len(messages) == 1  # ours, naming the tasks
    assert "29 of 29 tasks" in messages[0]
    assert "and 19 more" in messages[0]


def test_warning_names_a_task_with_a_single_positive():
    X, y = rare_positives(1, n_tasks=6, n_rows=20)
    task_3 = np.flatnonzero(X[:, 0] == 3)
    y[task_3] = 0
    y[task_3[5]] = 1
    y[X[:, 0] != 3] = np.tile(np.r_[np.ones(5), np.zeros(15)], 5).astype(int)
    cv = TaskStratifiedKFold(5, task_column=0, stratify_target=True)
    folds, messages = split_warnings(cv, X, y)
    assert len(messages) == 1
    message = messages[0]
    assert "1 of 6 tasks have fewer than n_splits=5 rows of their least" in message
    assert "3 (1 row of class 1)" in message
    assert "Tasks [3] have a single row of a class" in message
    # the warning is right: one training fold has no positive of task 3
    lost = [train for train, _ in folds if not np.any(y[train][X[train, 0] == 3] == 1)]
    assert len(lost) == 1


def test_warning_names_a_task_with_fewer_rows_than_folds():
    rng = np.random.default_rng(0)
    tasks = np.r_[np.repeat(["big_a", "big_b"], 20), ["tiny"] * 3, ["one"]]
    X = np.column_stack([tasks, rng.normal(size=len(tasks)).astype(str)]).astype(object)
    cv = TaskStratifiedKFold(5, task_column=0)
    folds, messages = split_warnings(cv, X)
    assert len(messages) == 1
    message = messages[0]
    assert message.startswith(
        "TaskStratifiedKFold(n_splits=5): 2 of 4 tasks have fewer than "
        "n_splits=5 rows, so some test folds hold no row of the task: "
        "'tiny' (3 rows), 'one' (1 row)."
    )
    assert "Tasks ['one'] have a single row" in message
    assert_partition(folds, len(tasks))
    for train, _ in folds:  # 3 rows: never all in one test fold
        assert "tiny" in set(X[train, 0])


def test_no_warning_when_every_task_is_large_enough():
    X, y = rare_positives(0, n_tasks=3, n_rows=30)
    y[:] = np.tile(np.r_[np.ones(6), np.zeros(24)], 3).astype(int)
    for stratify_target in (False, True):
        cv = TaskStratifiedKFold(5, task_column=0, stratify_target=stratify_target)
        _, messages = split_warnings(cv, X, y)
        assert messages == []


def test_fewer_rows_than_folds_everywhere_gives_our_warning_not_an_error():
    # issue [5/10]: scikit-learn raised "n_splits=5 cannot be greater than the
    # number of members in each class"
    tasks = np.repeat(np.arange(4), 4)
    y = np.tile([0, 1, 0, 1], 4)
    X = np.column_stack([tasks, np.arange(16.0)])
    cv = TaskStratifiedKFold(5, task_column=0, stratify_target=True)
    folds, messages = split_warnings(cv, X, y)
    assert len(messages) == 1
    assert "4 of 4 tasks" in messages[0] and "(2 rows of class 0)" in messages[0]
    assert_partition(folds, 16)
    for train, _ in folds:
        assert set(zip(tasks[train], y[train], strict=True)) == set(
            zip(tasks, y, strict=True)
        )


# --- stratify_target=False: small tasks --------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
def test_small_tasks_are_spread_over_different_folds(shuffle):
    tasks = np.repeat(np.arange(10), 3)
    X = np.column_stack([tasks, np.arange(30.0)])
    cv = TaskStratifiedKFold(
        5, task_column=0, shuffle=shuffle, random_state=0 if shuffle else None
    )
    folds = folds_of(cv, X)
    assert [len(test) for _, test in folds] == [6] * 5
    for train, test in folds:
        assert len(set(tasks[test])) == 6  # six different tasks, one row each
        assert set(tasks[train]) == set(tasks)
    assert_tasks_balanced(folds, tasks)


# --- input handling -----------------------------------------------------------


def test_string_task_ids_and_a_dataframe_task_column_by_name():
    X, y = rare_positives(2, n_tasks=5, n_rows=20)
    names = np.array(["paris", "lyon", "nice", "lille", "brest"])
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(1, "city", names[X[:, 0].astype(int)])
    by_name = TaskStratifiedKFold(
        5, task_column="city", stratify_target=True, shuffle=True, random_state=0
    )
    by_position = TaskStratifiedKFold(
        5, task_column=0, stratify_target=True, shuffle=True, random_state=0
    )
    folds = folds_of(by_name, frame, pd.Series(y))
    expected = folds_of(by_position, X, y)
    for (train, test), (train_0, test_0) in zip(folds, expected, strict=True):
        np.testing.assert_array_equal(train, train_0)
        np.testing.assert_array_equal(test, test_0)
    for train, _ in folds:
        assert set(zip(frame["city"].iloc[train], y[train], strict=True)) == set(
            zip(frame["city"], y, strict=True)
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TaskStratifiedKFold", UserWarning)
        scores = cross_val_score(
            MeanRegularizedClassifier(task_column="city"), frame, y, cv=by_name
        )
    assert scores.shape == (5,)


def test_int_random_state_is_deterministic_and_seeds_differ():
    X, y = rare_positives(0)

    def tests(random_state):
        cv = TaskStratifiedKFold(
            5,
            task_column=0,
            stratify_target=True,
            shuffle=True,
            random_state=random_state,
        )
        return [test for _, test in folds_of(cv, X, y)]

    first, again, other = tests(0), tests(0), tests(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    unshuffled = TaskStratifiedKFold(5, task_column=0, stratify_target=True)
    first = [test for _, test in folds_of(unshuffled, X, y)]
    again = [test for _, test in folds_of(unshuffled, X, y)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_validation_errors():
    X, y = rare_positives(0, n_tasks=2, n_rows=10)
    cv = TaskStratifiedKFold(5, task_column=0, stratify_target=True)
    with pytest.raises(ValueError, match="stratify_target=True needs y"):
        next(cv.split(X))
    with pytest.raises(ValueError, match="needs 1-D class labels"):
        next(cv.split(X, np.column_stack([y, y])))
    with pytest.raises(ValueError, match="needs class labels in y; got a 'continuous'"):
        next(cv.split(X, y + 0.5))
    with pytest.raises(ValueError, match="y has NaN"):
        next(cv.split(X, np.where(y == 1, np.nan, 0.0)))
    with pytest.raises(
        ValueError, match=r"cannot make 5 non-empty test folds out of 3 rows"
    ):
        next(TaskStratifiedKFold(5, task_column=0).split(X[:3]))
    with pytest.raises(ValueError, match="at least one train/test split"):
        TaskStratifiedKFold(1, task_column=0)


def test_is_a_scikit_learn_splitter():
    cv = TaskStratifiedKFold(
        3, task_column="school", stratify_target=True, shuffle=True, random_state=0
    )
    assert cv.get_n_splits() == 3
    assert " ".join(repr(cv).split()) == (
        "TaskStratifiedKFold(n_splits=3, random_state=0, shuffle=True, "
        "stratify_target=True, task_column='school')"
    )
    params = {
        "n_splits": 3,
        "task_column": "school",
        "stratify_target": True,
        "shuffle": True,
        "random_state": 0,
    }
    assert all(getattr(cv, name) == value for name, value in params.items())
    with pytest.raises(ValueError, match="no effect since shuffle is False"):
        TaskStratifiedKFold(3, task_column=0, random_state=0)


# --- TaskStratifiedShuffleSplit ------------------------------------------------


def boundary_tasks():
    """98 rows: 10 tasks of 2 rows, 4 of 3 and one of 66, task id in column 0.

    With test_size=0.5 the training part holds 49 rows, exactly what a task
    of 2 rows needs to keep one there (2 * 49 == 98): the boundary of the
    guarantee, where 2 / 98 * 49 rounds below 1 in floating point.
    """
    sizes = [2] * 10 + [3] * 4 + [66]
    tasks = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(0)
    return np.column_stack([tasks, rng.normal(size=len(tasks))]), tasks


@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.5])
def test_shuffle_split_keeps_every_task_in_the_training_part(test_size):
    X, tasks = boundary_tasks()
    cv = TaskStratifiedShuffleSplit(
        50, task_column=0, test_size=test_size, random_state=0
    )
    n_test = math.ceil(test_size * len(tasks))
    for train, test in cv.split(X):
        assert set(tasks[train]) == set(tasks)
        assert len(test) == n_test
        assert len(np.intersect1d(train, test)) == 0
        assert len(train) + len(test) == len(tasks)
        # Each task's share of the test part is its share of the rows.
        for task in np.unique(tasks):
            expected = np.sum(tasks == task) * n_test / len(tasks)
            assert abs(np.sum(tasks[test] == task) - expected) < 1


@pytest.mark.parametrize("seed", SEEDS)
def test_shuffle_split_stratifies_on_the_class(seed):
    X, y = rare_positives(seed, n_tasks=10, n_rows=20)
    cv = TaskStratifiedShuffleSplit(
        20, task_column=0, stratify_target=True, test_size=0.3, random_state=seed
    )
    pairs = list(zip(X[:, 0], y, strict=True))
    every_pair = set(pairs)
    assert len(every_pair) == 20
    n_test = math.ceil(0.3 * len(y))
    for train, test in cv.split(X, y):
        assert set(zip(X[train, 0], y[train], strict=True)) == every_pair
        for task, label in every_pair:
            in_pair = (X[:, 0] == task) & (y == label)
            expected = in_pair.sum() * n_test / len(y)
            assert abs(in_pair[test].sum() - expected) < 1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.5])
def test_shuffle_split_is_train_test_split_stratified_on_the_task(seed, test_size):
    X, tasks = boundary_tasks()
    rows = np.arange(len(tasks))
    expected = train_test_split(
        rows, test_size=test_size, stratify=tasks, random_state=seed
    )
    cv = TaskStratifiedShuffleSplit(
        1, task_column=0, test_size=test_size, random_state=seed
    )
    for got, want in zip(next(cv.split(X)), expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_shuffle_split_reads_string_task_ids_by_name():
    X, y = rare_positives(2, n_tasks=5, n_rows=20)
    names = np.array(["paris", "lyon", "nice", "lille", "brest"])
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(1, "city", names[X[:, 0].astype(int)])
    cv = TaskStratifiedShuffleSplit(
        3, task_column="city", stratify_target=True, test_size=0.25, random_state=0
    )
    for train, _ in cv.split(frame, pd.Series(y)):
        assert set(zip(frame["city"].iloc[train], y[train], strict=True)) == set(
            zip(frame["city"], y, strict=True)
        )


def test_shuffle_split_names_the_tasks_that_are_too_small():
    X, _ = boundary_tasks()
    X_one = np.vstack([X, [[99.0, 0.0]]])
    cv = TaskStratifiedShuffleSplit(1, task_column=0, test_size=0.25)
    with pytest.raises(ValueError) as excinfo:
        next(cv.split(X_one))
    assert str(excinfo.value) == (
        "TaskStratifiedShuffleSplit: the training part holds 74 of the 99 rows, "
        "so a task needs at least 2 rows to keep one there; 1 of 16 tasks have "
        "fewer: 99 (1 row). Drop those tasks."
    )
    # 39 of the 98 rows in training: a task needs 3 rows, and a smaller
    # test_size is a remedy.
    cv = TaskStratifiedShuffleSplit(1, task_column=0, test_size=0.6)
    with pytest.raises(ValueError) as excinfo:
        next(cv.split(X))
    message = str(excinfo.value)
    assert "the training part holds 39 of the 98 rows" in message
    assert "at least 3 rows to keep one there; 10 of 15 tasks have fewer" in message
    assert "fewer: 0 (2 rows), 1 (2 rows), 2 (2 rows)" in message
    assert message.endswith(
        "Drop those tasks, or put more rows in the training part (a smaller "
        "test_size or a larger train_size)."
    )


def test_shuffle_split_names_a_task_with_a_single_row_of_a_class():
    X, y = rare_positives(0, n_tasks=4, n_rows=20)
    task_2 = np.flatnonzero(X[:, 0] == 2)
    y[task_2] = 0
    y[task_2[3]] = 1
    cv = TaskStratifiedShuffleSplit(
        1, task_column=0, stratify_target=True, test_size=0.25
    )
    with pytest.raises(ValueError, match="rows of each of its classes") as excinfo:
        next(cv.split(X, y))
    assert "1 of 4 tasks have fewer: 2 (1 row of class 1)." in str(excinfo.value)
    # Stratified on the task alone, the same rows split.
    cv = TaskStratifiedShuffleSplit(1, task_column=0, test_size=0.25)
    train, _ = next(cv.split(X, y))
    assert set(X[train, 0]) == {0, 1, 2, 3}


def test_shuffle_split_refuses_a_test_part_smaller_than_the_strata():
    X, _ = boundary_tasks()
    cv = TaskStratifiedShuffleSplit(1, task_column=0, test_size=0.1)
    with pytest.raises(ValueError) as excinfo:
        next(cv.split(X))
    assert str(excinfo.value) == (
        "TaskStratifiedShuffleSplit: the test part holds 10 rows, fewer than "
        "the 15 tasks it stratifies on; give a larger test_size."
    )
    Xy, y = rare_positives(0, n_tasks=10, n_rows=20)
    cv = TaskStratifiedShuffleSplit(
        1, task_column=0, stratify_target=True, test_size=15
    )
    with pytest.raises(ValueError, match=r"fewer than the 20 \(task, class\) pairs"):
        next(cv.split(Xy, y))


def test_shuffle_split_validation_errors():
    X, y = rare_positives(0, n_tasks=2, n_rows=10)
    cv = TaskStratifiedShuffleSplit(task_column=0, stratify_target=True)
    with pytest.raises(ValueError, match="stratify_target=True needs y"):
        next(cv.split(X))
    with pytest.raises(ValueError, match="needs class labels in y; got a 'continuous'"):
        next(cv.split(X, y + 0.5))
    with pytest.raises(ValueError, match=r"test_size=1\.5 should be either positive"):
        next(TaskStratifiedShuffleSplit(task_column=0, test_size=1.5).split(X))
    with pytest.raises(ValueError, match="task_column=5 is out of range"):
        next(TaskStratifiedShuffleSplit(task_column=5).split(X))


def test_shuffle_split_is_a_scikit_learn_splitter():
    cv = TaskStratifiedShuffleSplit(
        4, task_column=0, stratify_target=False, test_size=0.25, random_state=0
    )
    assert cv.get_n_splits() == 4
    assert " ".join(repr(cv).split()) == (
        "TaskStratifiedShuffleSplit(n_splits=4, random_state=0, "
        "stratify_target=False, task_column=0, test_size=0.25, train_size=None)"
    )
    X, tasks = boundary_tasks()
    y = X[:, 1] + tasks
    first = [test for _, test in cv.split(X)]
    again = [test for _, test in cv.split(X)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    scores = cross_val_score(MeanRegularizedRegressor(task_column=0), X, y, cv=cv)
    assert scores.shape == (4,) and np.isfinite(scores).all()
