import inspect
import warnings

import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.model_selection._split import _BaseKFold, _validate_shuffle_split
from sklearn.utils import check_random_state, indexable
from sklearn.utils.multiclass import type_of_target

from .._docstring import fill
from .._task_data import _format_tasks, _show_value, get_task_ids

_SHOWN = 10  # task ids listed in a warning


# The parameters and yields of both splitters' ``split``, filled into their
# docstrings at ``{split}``.
_SPLIT = """Generate train/test indices, stratified on the task of each row.

Parameters
----------
X : array-like or DataFrame of shape (n_samples, n_columns)
    Data holding the task column.
y : array-like of shape (n_samples,), default=None
    Class labels; used only when ``stratify_target=True``.
groups : object
    Ignored.

Yields
------
train : ndarray
    Training-set indices of the split.
test : ndarray
    Test-set indices of the split."""


class TaskStratifiedKFold(_BaseKFold):
    """K-fold cross-validation stratified on the task column of ``X``.

    With the task-indexed layout a plain ``KFold`` can leave a small task
    out of a training fold, and the model then meets an unknown task when it
    predicts the test fold. Stratifying on the task keeps each task's share
    of rows about the same in every fold, so every task with at least 2 rows
    is in every training fold. Use it as ``cv=`` in ``GridSearchCV`` or
    ``cross_val_score``: the task ids are read from ``X``, so ``y`` is free
    to be a regression target.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    task_column : int or str
        Position or DataFrame name of the task column, as given to the
        estimator.
    stratify_target : bool, default=False
        Stratify on the pair (task, class of ``y``) instead of the task: for
        classifiers, which need both classes of every task in every training
        fold. ``y`` must then be 1-D class labels.
    shuffle : bool, default=False
        Shuffle each task's rows (of each class) before splitting them into
        folds. Without it, the rows go to the folds in their order in ``X``.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle; only used when ``shuffle=True``.

    See Also
    --------
    TaskStratifiedShuffleSplit : Random train/test splits stratified on the
        task.
    sklearn.model_selection.StratifiedKFold : Stratification on the class
        alone.

    Notes
    -----
    Each stratum -- the rows of one task, or with ``stratify_target=True``
    the rows of one class within one task -- is split as evenly as possible:
    a stratum of ``k`` rows puts ``k // n_splits`` or one more row in every
    test fold. The rows left over after that even share (all of them for a
    stratum smaller than ``n_splits``) go to the folds in a rotation that
    goes on from one stratum to the next, instead of starting again at the
    first fold for every stratum, so that

    * the test folds' sizes differ by at most one row with
      ``stratify_target=False``: ten tasks of 3 rows make five test folds of
      6 rows, each of them with rows of six different tasks;
    * with ``stratify_target=True``, the rows of the rarest class (say the
      few positives of each task) are spread the same way: each test fold
      holds ``P // n_splits`` or one more of the ``P`` rows of that class,
      however few each task has; within each task the test folds' sizes
      still differ by at most one row;
    * a stratum of 2 rows or more is in every training fold, so every task
      with 2 rows or more of each class keeps all its classes in every
      training fold.

    A stratum with fewer rows than ``n_splits`` misses some test folds, and
    a stratum of a single row is missing from the training set of the fold
    that tests that row. ``split`` warns about both, naming the tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.model_selection import TaskStratifiedKFold
    >>> X, y = make_multitask_regression(n_tasks=4, n_samples=20, random_state=0)
    >>> cv = TaskStratifiedKFold(5, task_column=0, shuffle=True, random_state=0)
    >>> search = GridSearchCV(
    ...     MeanRegularizedRegressor(task_column=0),
    ...     {"coupling": [0.0, 1.0, float("inf")]},
    ...     cv=cv,
    ... )
    >>> search.fit(X, y).best_params_["coupling"] in (0.0, 1.0, float("inf"))
    True

    With ``stratify_target=True`` the few positives of each of 6 tasks are
    spread over the test folds (3 or 4 of the 17 in each), and every task
    keeps both classes in every training fold. Each task has fewer positives
    than folds, so some of its test folds have none, and ``split`` says so:

    >>> import warnings
    >>> tasks = np.repeat(np.arange(6), 10)
    >>> y = np.zeros(60, dtype=int)
    >>> for task, n_positive in enumerate([2, 3, 4, 2, 3, 3]):
    ...     y[10 * task : 10 * task + n_positive] = 1
    >>> X = np.column_stack([tasks, np.arange(60.0)])
    >>> cv = TaskStratifiedKFold(
    ...     5, task_column=0, stratify_target=True, shuffle=True, random_state=0
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     folds = list(cv.split(X, y))
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    TaskStratifiedKFold(n_splits=5, stratify_target=True): 6 of 6 tasks have
    fewer than n_splits=5 rows of their least populated class, so some test
    folds hold no row of that class for the task: 0 (2 rows of class 1),
    1 (3 rows of class 1), 2 (4 rows of class 1), 3 (2 rows of class 1),
    4 (3 rows of class 1), 5 (3 rows of class 1).
    >>> [int(y[test].sum()) for _, test in folds]
    [4, 4, 3, 3, 3]
    >>> all(len(set(zip(tasks[train], y[train]))) == 12 for train, _ in folds)
    True
    """

    def __init__(
        self,
        n_splits=5,
        *,
        task_column,
        stratify_target=False,
        shuffle=False,
        random_state=None,
    ):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.task_column = task_column
        self.stratify_target = stratify_target

    def split(self, X, y=None, groups=None):
        """{split}

        Warns
        -----
        UserWarning
            When some task has fewer rows (of its least populated class, with
            ``stratify_target=True``) than ``n_splits``; the message names
            those tasks.
        """
        X, y, groups = indexable(X, y, groups)
        indices = None
        for test in self._iter_test_masks(X, y, groups):
            if indices is None:
                indices = np.arange(len(test))
            yield indices[~test], indices[test]

    def _iter_test_masks(self, X, y=None, groups=None):
        test_folds = self._make_test_folds(X, y)
        for fold in range(self.n_splits):
            yield test_folds == fold

    def _make_test_folds(self, X, y):
        """Test fold of every row, see the Notes of the class docstring."""
        task_ids = get_task_ids(X, self.task_column)
        n_samples, n_splits = len(task_ids), self.n_splits
        if n_splits > n_samples:
            raise ValueError(
                f"TaskStratifiedKFold(n_splits={n_splits}) cannot make {n_splits} "
                f"non-empty test folds out of {n_samples} rows; lower n_splits."
            )
        tasks, task_code, classes, class_code, counts = _count_strata(
            task_ids, y, self.stratify_target, _codes_by_appearance
        )
        n_tasks, n_classes = counts.shape
        self._warn_small_strata(tasks, classes, counts)

        # The rows of each stratum (task, class), in their order in X.
        stratum = task_code * n_classes + class_code
        rows = np.argsort(stratum, kind="stable")
        ends = np.cumsum(counts.ravel())
        starts = ends - counts.ravel()

        rng = check_random_state(self.random_state)
        rarest_first = np.argsort(counts.sum(axis=0), kind="stable")
        class_in_fold = np.zeros((n_classes, n_splits), dtype=np.intp)
        fold_size = np.zeros(n_splits, dtype=np.intp)
        test_folds = np.empty(n_samples, dtype=np.intp)
        for t in range(n_tasks):
            task_in_fold = np.zeros(n_splits, dtype=np.intp)
            for c in rarest_first:
                n_rows = counts[t, c]
                if n_rows == 0:
                    continue
                per_fold = np.full(n_splits, n_rows // n_splits)
                # The leftover rows go to the folds with the fewest rows of
                # this task, then of this class, then in all; ties go to the
                # first fold. Without the task and class keys (one task, one
                # class) this is a round-robin that goes on across strata.
                leftover = n_rows % n_splits
                if leftover:
                    order = np.lexsort((fold_size, class_in_fold[c], task_in_fold))
                    per_fold[order[:leftover]] += 1
                task_in_fold += per_fold
                class_in_fold[c] += per_fold
                fold_size += per_fold
                folds = np.repeat(np.arange(n_splits), per_fold)
                if self.shuffle:
                    rng.shuffle(folds)
                s = t * n_classes + c
                test_folds[rows[starts[s] : ends[s]]] = folds
        return test_folds

    def _warn_small_strata(self, tasks, classes, counts):
        """Warn, naming them, about tasks that some test folds miss."""
        n_splits = self.n_splits
        small, listed = _small_tasks(
            tasks, classes, counts, n_splits, self.stratify_target
        )
        if len(small) == 0:
            return
        if self.stratify_target:
            what = "rows of their least populated class"
            missing = "that class for the task"
        else:
            what, missing = "rows", "the task"
        message = (
            f"TaskStratifiedKFold(n_splits={n_splits}"
            f"{', stratify_target=True' if self.stratify_target else ''}): "
            f"{len(small)} of {len(tasks)} tasks have fewer than n_splits={n_splits} "
            f"{what}, so some test folds hold no row of {missing}: {listed}."
        )
        lost_task = np.flatnonzero(counts.sum(axis=1) == 1)
        lost_class = np.setdiff1d(np.flatnonzero((counts == 1).any(axis=1)), lost_task)
        if len(lost_class):
            message += (
                f" Tasks {_format_tasks(tasks[lost_class], _SHOWN)} have a "
                "single row of a class: the training set of the fold that "
                "tests that row has no row of that class for the task."
            )
        if len(lost_task):
            message += (
                f" Tasks {_format_tasks(tasks[lost_task], _SHOWN)} have a "
                "single row: the training set of the fold that tests it has "
                "no row of the task, which is then unknown to the model "
                "fitted there."
            )
        warnings.warn(message, UserWarning, stacklevel=5)


class TaskStratifiedShuffleSplit(StratifiedShuffleSplit):
    """Random train/test splits stratified on the task column of ``X``.

    The held-out counterpart of :class:`TaskStratifiedKFold`: every split
    holds out about ``test_size`` of the rows of each task and keeps every
    task in the training part, so the model fitted there knows every task it
    meets in the test part. With ``n_splits=1`` it is a task-stratified
    train/test split; as ``cv=`` it gives repeated random hold-out scores.
    The task ids are read from ``X``, so ``y`` is free to be a regression
    target.

    Parameters
    ----------
    n_splits : int, default=10
        Number of random splits.
    task_column : int or str
        Position or DataFrame name of the task column, as given to the
        estimator.
    stratify_target : bool, default=False
        Stratify on the pair (task, class of ``y``) instead of the task: for
        classifiers, which need every class of a task in its training part.
        ``y`` must then be 1-D class labels.
    test_size : float or int, default=None
        Fraction (float) or number (int) of the rows in the test part. If
        None, the complement of ``train_size``, or 0.1 if that is None too.
    train_size : float or int, default=None
        Fraction or number of the rows in the training part. If None, the
        complement of ``test_size``.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws.

    See Also
    --------
    TaskStratifiedKFold : K-fold cross-validation stratified on the task.
    sklearn.model_selection.StratifiedShuffleSplit : Stratification on the
        class alone.
    sklearn.model_selection.train_test_split : With ``stratify=`` the task
        ids, the same rows as the first split of this splitter with
        ``stratify_target=False``, without its checks.

    Notes
    -----
    Each split is :class:`~sklearn.model_selection.StratifiedShuffleSplit`'s
    with the stratum of each row -- its task, or with ``stratify_target=True``
    the pair (task, class) -- as the class to stratify on. The strata are
    numbered in sorted order, so that with ``stratify_target=False`` and an
    int ``random_state`` the first split is the one that
    ``train_test_split(..., stratify=task_ids, random_state=random_state)``
    draws.

    A stratum of ``k`` rows puts at least ``floor(k * n_train / n_samples)``
    rows in a training part of ``n_train`` rows. Every task is therefore in
    every training part when each stratum has at least
    ``ceil(n_samples / n_train)`` rows: 2 while the training part holds half
    of the rows or more. ``split`` raises a ``ValueError`` naming the tasks
    with fewer rows, and one when the test part has fewer rows than there
    are strata, which ``StratifiedShuffleSplit`` cannot stratify.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.model_selection import TaskStratifiedShuffleSplit
    >>> X, y = make_multitask_regression(
    ...     n_tasks=3, n_samples=[4, 8, 20], random_state=0
    ... )
    >>> cv = TaskStratifiedShuffleSplit(
    ...     1, task_column=0, test_size=0.25, random_state=0
    ... )
    >>> train, test = next(cv.split(X, y))
    >>> len(train), len(test)
    (24, 8)
    >>> [int(np.sum(X[test, 0] == task)) for task in range(3)]
    [1, 2, 5]

    A task of a single row cannot be in both parts, so it is refused by name:

    >>> X_one = np.vstack([X, [[3.0, *X[0, 1:]]]])
    >>> next(cv.split(X_one))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
        ...
    ValueError: TaskStratifiedShuffleSplit: the training part holds 24 of the
    33 rows, so a task needs at least 2 rows to keep one there; 1 of 4 tasks
    have fewer: 3 (1 row). Drop those tasks.
    """

    def __init__(
        self,
        n_splits=10,
        *,
        task_column,
        stratify_target=False,
        test_size=None,
        train_size=None,
        random_state=None,
    ):
        super().__init__(
            n_splits=n_splits,
            test_size=test_size,
            train_size=train_size,
            random_state=random_state,
        )
        self.task_column = task_column
        self.stratify_target = stratify_target

    def split(self, X, y=None, groups=None):
        """{split}

        Raises
        ------
        ValueError
            When some task has too few rows (of one of its classes, with
            ``stratify_target=True``) to be sure of a row in the training
            part, or the test part is too small to hold a row of every
            stratum; the message names the tasks.
        """
        X, y, groups = indexable(X, y, groups)
        task_ids = get_task_ids(X, self.task_column)
        tasks, task_code, classes, class_code, counts = _count_strata(
            task_ids, y, self.stratify_target, _sorted_codes
        )
        self._check_strata(tasks, classes, counts)
        strata = task_code * len(classes) + class_code
        yield from super().split(X, strata, groups)

    def _check_strata(self, tasks, classes, counts):
        """Refuse the strata that a split could leave out of the training part."""
        n_samples = int(counts.sum())
        n_train, n_test = _validate_shuffle_split(
            n_samples,
            self.test_size,
            self.train_size,
            default_test_size=self._default_test_size,
        )
        # k * n_train >= n_samples rows give the stratum a training row (see
        # the Notes); the integer form avoids the rounding of k / n_samples.
        minimum = -(-n_samples // n_train)
        small, listed = _small_tasks(
            tasks, classes, counts, minimum, self.stratify_target
        )
        if len(small):
            of_class = " of each of its classes" if self.stratify_target else ""
            # Below 2 rows a task is too small for any test_size.
            larger = (
                ", or put more rows in the training part (a smaller test_size "
                "or a larger train_size)"
                if minimum > 2
                else ""
            )
            raise ValueError(
                f"TaskStratifiedShuffleSplit: the training part holds {n_train} "
                f"of the {n_samples} rows, so a task needs at least {minimum} "
                f"rows{of_class} to keep one there; {len(small)} of {len(tasks)} "
                f"tasks have fewer: {listed}. Drop those tasks{larger}."
            )
        n_strata = np.count_nonzero(counts)
        if n_test < n_strata:
            strata = "(task, class) pairs" if self.stratify_target else "tasks"
            raise ValueError(
                f"TaskStratifiedShuffleSplit: the test part holds {n_test} rows, "
                f"fewer than the {n_strata} {strata} it stratifies on; give a "
                "larger test_size."
            )


def _small_tasks(tasks, classes, counts, minimum, stratify_target):
    """The tasks with fewer than ``minimum`` rows, and a listing of them.

    With ``stratify_target=True`` a task is judged by its least populated
    class (among the classes it has).

    Returns
    -------
    small : ndarray of int
        Positions in ``tasks`` of the small tasks.
    listed : str
        ``"3 (1 row), 7 (2 rows)"``, or ``"3 (1 row of class 1)"`` with
        ``stratify_target=True``; at most ``_SHOWN`` tasks, then "and N more".
    """
    present = np.where(counts > 0, counts, np.iinfo(counts.dtype).max)
    least = present.argmin(axis=1)  # each task's least populated class
    n_least = present.min(axis=1)
    small = np.flatnonzero(n_least < minimum)
    shown = []
    for t in small[:_SHOWN]:
        of_class = (
            f" of class {_show_value(classes[least[t]])}" if stratify_target else ""
        )
        shown.append(f"{_show_value(tasks[t])} ({_rows(n_least[t])}{of_class})")
    more = f" and {len(small) - _SHOWN} more" if len(small) > _SHOWN else ""
    return small, ", ".join(shown) + more


def _count_strata(task_ids, y, stratify_target, encode):
    """Code every row's stratum: its task, and its class of ``y`` if asked.

    Parameters
    ----------
    task_ids : ndarray of shape (n_samples,)
    y : array-like of shape (n_samples,) or None
        Class labels; only read when ``stratify_target=True``.
    stratify_target : bool
    encode : callable
        ``values -> (uniques, codes)``; the order of ``uniques`` is the order
        in which the strata are visited.

    Returns
    -------
    tasks, task_code, classes, class_code : ndarray
        ``classes`` is a single dummy class when ``stratify_target=False``.
    counts : ndarray of shape (n_tasks, n_classes)
        Rows of each (task, class) pair.
    """
    tasks, task_code = encode(task_ids)
    if stratify_target:
        classes, class_code = encode(_check_classes(y))
    else:
        classes, class_code = np.zeros(1), np.zeros(len(task_ids), dtype=np.intp)
    counts = np.zeros((len(tasks), len(classes)), dtype=np.intp)
    np.add.at(counts, (task_code, class_code), 1)
    return tasks, task_code, classes, class_code, counts


def _sorted_codes(values):
    """Sorted unique values and the code of each value, as ``np.unique``."""
    uniques, inverse = np.unique(values, return_inverse=True)
    return uniques, inverse.ravel()


def _codes_by_appearance(values):
    """Unique values and the code of each value, by order of first appearance."""
    uniques, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[inverse.ravel()]


def _check_classes(y):
    if y is None:
        raise ValueError("stratify_target=True needs y in split(X, y).")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            "stratify_target=True needs 1-D class labels in y; got y of shape "
            f"{y.shape}."
        )
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError("stratify_target=True needs class labels in y; y has NaN.")
    target_type = type_of_target(y, input_name="y")
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            "stratify_target=True needs class labels in y; got a "
            f"{target_type!r} target."
        )
    return y


def _rows(n):
    return f"{n} row" if n == 1 else f"{n} rows"


for _splitter in (TaskStratifiedKFold, TaskStratifiedShuffleSplit):
    _splitter.split.__doc__ = fill(
        inspect.cleandoc(_splitter.split.__doc__), split=_SPLIT
    )
