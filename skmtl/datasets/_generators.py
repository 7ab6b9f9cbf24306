"""Random multi-task regression and classification problems with known truth."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._base import import_pandas

TASK_COLUMN = "task"
TARGET_NAME = "y"


def _check_int(value, name, low):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


def _check_real(value, name, low, high=None):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    upper = np.inf if high is None else high
    if not (low <= value <= upper):  # also rejects NaN
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {bound}, got {value}.")
    return value


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}.")
    return bool(value)


def _check_task_sizes(n_samples, n_tasks, shared_design):
    """Rows per task (task-indexed layout) or the number of rows (shared design)."""
    if isinstance(n_samples, numbers.Integral) and not isinstance(n_samples, bool):
        n_samples = _check_int(n_samples, "n_samples", 1)
        return n_samples if shared_design else np.full(n_tasks, n_samples)
    if shared_design:
        raise TypeError(
            "n_samples must be an int (the number of rows shared by all tasks) "
            f"when shared_design=True, got {type(n_samples).__name__}."
        )
    if isinstance(n_samples, (str, bytes, bool)) or not hasattr(n_samples, "__len__"):
        raise TypeError(
            "n_samples must be an int or an array-like of n_tasks ints, got "
            f"{type(n_samples).__name__}."
        )
    sizes = np.asarray(n_samples)
    if sizes.dtype.kind not in "iu":
        raise TypeError(f"n_samples must hold ints, got dtype {sizes.dtype}.")
    if sizes.shape != (n_tasks,):
        raise ValueError(
            f"n_samples must be an int or have one entry per task "
            f"(n_tasks={n_tasks}), got shape {sizes.shape}."
        )
    if sizes.min() < 1:
        raise ValueError(
            f"n_samples entries must be >= 1 (every task needs a row), got "
            f"min {sizes.min()}."
        )
    return sizes.astype(np.int64)


def _make_multitask(
    kind,
    n_tasks,
    n_samples,
    n_features,
    n_informative,
    relatedness,
    noise,
    task_offset_std,
    shared_design,
    as_frame,
    coef,
    random_state,
):
    n_tasks = _check_int(n_tasks, "n_tasks", 1)
    n_features = _check_int(n_features, "n_features", 1)
    if n_informative is None:
        n_informative = n_features
    n_informative = _check_int(n_informative, "n_informative", 0)
    if n_informative > n_features:
        raise ValueError(
            f"n_informative must be <= n_features={n_features}, got {n_informative}."
        )
    relatedness = _check_real(relatedness, "relatedness", 0.0, 1.0)
    noise = _check_real(noise, "noise", 0.0)
    task_offset_std = _check_real(task_offset_std, "task_offset_std", 0.0)
    shared_design = _check_bool(shared_design, "shared_design")
    as_frame = _check_bool(as_frame, "as_frame")
    coef = _check_bool(coef, "coef")
    sizes = _check_task_sizes(n_samples, n_tasks, shared_design)
    rng = check_random_state(random_state)

    # The truth is drawn first, so the same random_state gives the same tasks
    # whatever the layout and task sizes.
    w_shared = rng.standard_normal(n_informative)
    w_own = rng.standard_normal((n_tasks, n_informative))
    W = np.zeros((n_tasks, n_features))
    W[:, :n_informative] = (
        np.sqrt(relatedness) * w_shared + np.sqrt(1.0 - relatedness) * w_own
    )
    intercept = task_offset_std * rng.standard_normal(n_tasks)

    if shared_design:
        X = rng.standard_normal((sizes, n_features))
        score = X @ W.T + intercept
    else:
        task = np.repeat(np.arange(n_tasks), sizes)
        X = rng.standard_normal((task.size, n_features))
        score = np.einsum("ij,ij->i", X, W[task]) + intercept[task]

    if kind == "regression":
        y = score + noise * rng.standard_normal(score.shape)
    else:
        # Standard logistic noise: noise=1 is exactly a logistic model.
        y = (score + noise * rng.logistic(size=score.shape) > 0).astype(np.int64)

    feature_names = [f"x{j}" for j in range(n_features)]
    if as_frame:
        pd = import_pandas("as_frame=True")
    if shared_design:
        if as_frame:
            X = pd.DataFrame(X, columns=feature_names)
            y = pd.DataFrame(y, columns=[f"task_{t}" for t in range(n_tasks)])
    elif as_frame:
        X = pd.DataFrame(X, columns=feature_names)
        X.insert(0, TASK_COLUMN, task)
        y = pd.Series(y, name=TARGET_NAME)
    else:
        X = np.column_stack([task.astype(np.float64), X])

    if coef:
        return X, y, W
    return X, y


def make_multitask_regression(
    n_tasks=10,
    n_samples=100,
    n_features=20,
    *,
    n_informative=None,
    relatedness=0.5,
    noise=1.0,
    task_offset_std=0.0,
    shared_design=False,
    as_frame=False,
    coef=False,
    random_state=None,
):
    r"""Generate related linear regression tasks.

    Each task ``t`` has true weights ``w_t`` and intercept ``b_t``; the features
    are i.i.d. standard normal and

    .. math:: y = X w_t + b_t + \mathrm{noise} \cdot \varepsilon,
              \qquad \varepsilon \sim N(0, 1).

    ``relatedness`` sets how similar the tasks' weights are, which is what
    multi-task models exploit.

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks.

    n_samples : int or array-like of shape (n_tasks,), default=100
        Task-indexed layout: rows per task, an int (equal sizes) or one int
        per task (unequal sizes, each >= 1). Shared design: the number of
        rows (an int), shared by all tasks.

    n_features : int, default=20
        Number of features.

    n_informative : int, default=None
        Number of leading features with a non-zero true weight; the others
        have weight 0 in every task. None means all ``n_features``.

    relatedness : float in [0, 1], default=0.5
        Correlation ``r`` between the weights of two tasks on the informative
        features: ``w_t = sqrt(r) * w_shared + sqrt(1 - r) * v_t`` with
        ``w_shared`` and ``v_t`` i.i.d. standard normal. ``r=1`` gives identical
        tasks, ``r=0`` unrelated ones.

    noise : float >= 0, default=1.0
        Standard deviation of the Gaussian noise added to the targets; 0 gives
        ``y = X w_t + b_t`` exactly.

    task_offset_std : float >= 0, default=0.0
        Standard deviation of the per-task intercept
        ``b_t ~ N(0, task_offset_std**2)``.

    shared_design : bool, default=False
        If False, the task-indexed layout: each row belongs to one task, whose
        id (0..n_tasks-1) is column 0 of ``X``. If True, the shared design:
        every task sees the same rows and ``y`` has one column per task.

    as_frame : bool, default=False
        If True, return pandas objects (see Returns).

    coef : bool, default=False
        If True, also return the true weights.

    random_state : int, RandomState instance or None, default=None
        Seed of the random draws. Pass an int for reproducible output. The
        true weights are drawn first, so the same seed gives the same weights
        whatever ``n_samples`` and the layout.

    Returns
    -------
    X : ndarray or DataFrame
        Task-indexed layout: shape (N, 1 + n_features) with
        ``N = sum(n_samples)``, the task id (as float) in column 0 and the
        features in columns 1.. (fit with ``task_column=0``); with
        ``as_frame=True``, a DataFrame with an int column ``"task"`` then
        ``"x0"``, ``"x1"``, ... (fit with ``task_column="task"``). Rows are
        grouped by task, in task order. Shared design: shape
        (n_samples, n_features); with ``as_frame=True`` columns ``"x0"``, ... .

    y : ndarray, Series or DataFrame
        Task-indexed layout: shape (N,), a Series named ``"y"`` with
        ``as_frame=True``. Shared design: shape (n_samples, n_tasks), a
        DataFrame with columns ``"task_0"``, ... with ``as_frame=True``.
        Real targets (float64).

    coef : ndarray of shape (n_tasks, n_features)
        The true weights ``w_t`` (row t for task t), returned only when
        ``coef=True``. The per-task intercepts ``b_t`` are not returned.

    See Also
    --------
    make_multitask_classification : The same tasks with binary labels.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(n_tasks=3, n_samples=50, n_features=5,
    ...                                  random_state=0)
    >>> X.shape, y.shape
    ((150, 6), (150,))

    Unequal task sizes, two informative features, and the true weights:

    >>> X, y, coef = make_multitask_regression(
    ...     n_tasks=3, n_samples=[10, 20, 30], n_features=5, n_informative=2,
    ...     coef=True, random_state=0)
    >>> X.shape, coef.shape, bool((coef[:, 2:] == 0).all())
    ((60, 6), (3, 5), True)

    The shared design, as pandas objects:

    >>> X, y = make_multitask_regression(n_tasks=3, n_samples=50, n_features=5,
    ...                                  shared_design=True, as_frame=True,
    ...                                  random_state=0)
    >>> X.shape, list(y.columns)
    ((50, 5), ['task_0', 'task_1', 'task_2'])
    """
    return _make_multitask(
        "regression",
        n_tasks,
        n_samples,
        n_features,
        n_informative,
        relatedness,
        noise,
        task_offset_std,
        shared_design,
        as_frame,
        coef,
        random_state,
    )


def make_multitask_classification(
    n_tasks=10,
    n_samples=100,
    n_features=20,
    *,
    n_informative=None,
    relatedness=0.5,
    noise=1.0,
    task_offset_std=0.0,
    shared_design=False,
    as_frame=False,
    coef=False,
    random_state=None,
):
    r"""Generate related binary classification tasks.

    Each task ``t`` has true weights ``w_t`` and intercept ``b_t``; the features
    are i.i.d. standard normal and

    .. math:: y = 1[X w_t + b_t + \mathrm{noise} \cdot \varepsilon > 0],
              \qquad \varepsilon \sim \mathrm{Logistic}(0, 1),

    so that with ``noise=1``, ``P(y = 1 | x) = sigmoid(x w_t + b_t)``: exactly a
    logistic regression model per task. ``relatedness`` sets how similar the
    tasks' weights are.

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks.

    n_samples : int or array-like of shape (n_tasks,), default=100
        Task-indexed layout: rows per task, an int (equal sizes) or one int
        per task (unequal sizes, each >= 1). Shared design: the number of
        rows (an int), shared by all tasks.

    n_features : int, default=20
        Number of features.

    n_informative : int, default=None
        Number of leading features with a non-zero true weight; the others
        have weight 0 in every task. None means all ``n_features``.

    relatedness : float in [0, 1], default=0.5
        Correlation ``r`` between the weights of two tasks on the informative
        features: ``w_t = sqrt(r) * w_shared + sqrt(1 - r) * v_t`` with
        ``w_shared`` and ``v_t`` i.i.d. standard normal. ``r=1`` gives identical
        tasks, ``r=0`` unrelated ones.

    noise : float >= 0, default=1.0
        Scale of the standard logistic noise added to the score before
        thresholding at 0: 1 is a logistic model, 0 gives classes separated by
        the true hyperplane, larger values flip more labels.

    task_offset_std : float >= 0, default=0.0
        Standard deviation of the per-task intercept
        ``b_t ~ N(0, task_offset_std**2)``.

    shared_design : bool, default=False
        If False, the task-indexed layout: each row belongs to one task, whose
        id (0..n_tasks-1) is column 0 of ``X``. If True, the shared design:
        every task sees the same rows and ``y`` has one column per task.

    as_frame : bool, default=False
        If True, return pandas objects (see Returns).

    coef : bool, default=False
        If True, also return the true weights.

    random_state : int, RandomState instance or None, default=None
        Seed of the random draws. Pass an int for reproducible output. The
        true weights are drawn first, so the same seed gives the same weights
        whatever ``n_samples`` and the layout.

    Returns
    -------
    X : ndarray or DataFrame
        Task-indexed layout: shape (N, 1 + n_features) with
        ``N = sum(n_samples)``, the task id (as float) in column 0 and the
        features in columns 1.. (fit with ``task_column=0``); with
        ``as_frame=True``, a DataFrame with an int column ``"task"`` then
        ``"x0"``, ``"x1"``, ... (fit with ``task_column="task"``). Rows are
        grouped by task, in task order. Shared design: shape
        (n_samples, n_features); with ``as_frame=True`` columns ``"x0"``, ... .

    y : ndarray, Series or DataFrame
        Task-indexed layout: shape (N,), a Series named ``"y"`` with
        ``as_frame=True``. Shared design: shape (n_samples, n_tasks), a
        DataFrame with columns ``"task_0"``, ... with ``as_frame=True``.
        Labels 0 or 1 (int64).

    coef : ndarray of shape (n_tasks, n_features)
        The true weights ``w_t`` (row t for task t), returned only when
        ``coef=True``. The per-task intercepts ``b_t`` are not returned.

    See Also
    --------
    make_multitask_regression : The same tasks with real targets.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(n_tasks=4, n_samples=30,
    ...                                      n_features=3, random_state=0)
    >>> X.shape, y.shape, np.unique(y).tolist()
    ((120, 4), (120,), [0, 1])
    >>> X, y = make_multitask_classification(n_tasks=4, n_samples=30,
    ...                                      n_features=3, as_frame=True,
    ...                                      random_state=0)
    >>> list(X.columns), y.name
    (['task', 'x0', 'x1', 'x2'], 'y')
    """
    return _make_multitask(
        "classification",
        n_tasks,
        n_samples,
        n_features,
        n_informative,
        relatedness,
        noise,
        task_offset_std,
        shared_design,
        as_frame,
        coef,
        random_state,
    )
