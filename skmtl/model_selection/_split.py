import numpy as np
from sklearn.model_selection import StratifiedKFold

from .._task_data import get_task_ids


class TaskStratifiedKFold(StratifiedKFold):
    """K-fold cross-validation stratified on the task column of ``X``.

    With the task-indexed layout a plain ``KFold`` can leave a small task
    out of a training fold, and the model then meets an unknown task when it
    predicts the test fold. Stratifying on the task keeps each task's share
    of rows about the same in every fold, so every task with at least
    ``n_splits`` rows is in every training fold. Use it as ``cv=`` in
    ``GridSearchCV`` or ``cross_val_score``: the task ids are read from ``X``,
    so ``y`` is free to be a regression target.

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
        fold.
    shuffle : bool, default=False
        Shuffle each task's rows before splitting them into folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle; only used when ``shuffle=True``.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : The splitter this one applies
        to the task ids.

    Examples
    --------
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
        """Generate train/test indices, stratified on the task of each row.

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
            Test-set indices of the split.
        """
        _, strata = np.unique(get_task_ids(X, self.task_column), return_inverse=True)
        if self.stratify_target:
            if y is None:
                raise ValueError("stratify_target=True needs y in split(X, y).")
            _, classes = np.unique(np.asarray(y), return_inverse=True)
            strata = strata * (classes.max() + 1) + classes
        return super().split(X, strata)
