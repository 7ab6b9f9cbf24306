r"""Per-task sufficient statistics of the squared loss, additive over rows.

A squared-loss model sees its data only through, per task, a weighted
count, the means of the features and of the target, and the centred second
moments. :class:`TaskStatistics` holds them; statistics of two sets of
rows add up (``+``) exactly, so data of any length is read chunk by chunk
in ``O(T p^2)`` memory.

Fitting from statistics goes through a **small equivalent data set**
(:meth:`TaskStatistics._task_data`): per task, ``p + 2`` weighted rows
whose statistics are the given ones. Every squared-loss objective, gradient
and duality gap is a function of the statistics alone, so every solver,
penalty and certificate runs on those rows unchanged and reaches the
solution of the full data.
"""

import numbers

import numpy as np

from .._estimator import MultiTaskEstimator
from .._task_data import TaskData, _format_tasks, check_task_id_type
from ..solvers._dispatch import MEMORY_BUDGET_BYTES
from ..solvers._smooth import weighted_statistics

GRAM_BLOCK_FLOATS = 2**18  # Gram entries per block of a merge (2 MB)


class TaskStatistics:
    r"""Per-task sufficient statistics of the squared loss, added over chunks.

    For task :math:`t` with sample weights :math:`s_i` on its observed rows:

    .. math::

        n_t = \sum_i s_i, \quad
        \bar x_t = \frac{1}{n_t} \sum_i s_i x_i, \quad
        \bar y_t = \frac{1}{n_t} \sum_i s_i y_i,

        G_t = \sum_i s_i (x_i - \bar x_t)(x_i - \bar x_t)^\top, \quad
        c_t = \sum_i s_i (x_i - \bar x_t)(y_i - \bar y_t), \quad
        e_t = \sum_i s_i (y_i - \bar y_t)^2,

    and the sum of the sample weights over rows (the squared loss's
    normaliser). Every squared-loss model of :mod:`skmtl.linear_model`
    depends on its data through these only, so ``fit_statistics`` on the
    statistics of some rows gives the model ``fit`` gives on the rows. They
    take :math:`O(T p^2)` memory whatever the number of rows.

    The statistics of two sets of rows add up with ``+`` (and ``sum``): a
    task seen in one of them only is copied, the others are merged by the
    update of Chan, Golub & LeVeque (1979) for centred sums, so features
    with offsets large against their spread lose no digits. Build them
    with :meth:`from_data`, one chunk of rows at a time.

    Attributes
    ----------
    tasks : ndarray of shape (n_tasks,)
        Task labels: the sorted task ids (task-indexed layout) or the columns
        of ``y`` (shared design).
    weight_sums : ndarray of shape (n_tasks,)
        :math:`n_t`.
    x_mean : ndarray of shape (n_tasks, n_features)
        :math:`\bar x_t`.
    y_mean : ndarray of shape (n_tasks,)
        :math:`\bar y_t`.
    gram : ndarray of shape (n_tasks, n_features, n_features)
        :math:`G_t`.
    xy : ndarray of shape (n_tasks, n_features)
        :math:`c_t`.
    yy : ndarray of shape (n_tasks,)
        :math:`e_t`.
    n_samples : int
        Rows summarised.
    sample_weight_sum : float
        Sum of the sample weights of those rows.
    task_column : str, int or None
        The task column of ``X`` (None: the shared design).
    n_features_in_ : int
        Columns of ``X``, the task column included.
    feature_names_in_ : ndarray of str or None
        Column names of ``X`` when it was a DataFrame.

    See Also
    --------
    MeanRegularizedRegressor.fit_statistics : Fit a model on statistics.
    MeanRegularizedRegressor.partial_fit : Add a chunk and refit.

    Examples
    --------
    Two chunks of rows, added, give the model of all the rows:

    >>> import numpy as np
    >>> from skmtl import MeanRegularizedRegressor, TaskStatistics
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(
    ...     n_tasks=4, n_samples=50, n_features=5, random_state=0
    ... )
    >>> stats = sum(
    ...     TaskStatistics.from_data(X[rows], y[rows], task_column=0)
    ...     for rows in np.array_split(np.arange(len(y)), 2)
    ... )
    >>> stats.n_samples, stats.gram.shape
    (200, (4, 5, 5))
    >>> model = MeanRegularizedRegressor(0.1, task_column=0).fit_statistics(stats)
    >>> full = MeanRegularizedRegressor(0.1, task_column=0).fit(X, y)
    >>> bool(np.allclose(model.coef_, full.coef_))
    True
    """

    _ARRAYS = ("weight_sums", "x_mean", "y_mean", "gram", "xy", "yy")

    def __init__(self, tasks, arrays, n_samples, sample_weight_sum, columns):
        self.tasks = tasks
        for name, value in zip(self._ARRAYS, arrays, strict=True):
            setattr(self, name, value)
        self.n_samples = n_samples
        self.sample_weight_sum = sample_weight_sum
        self._columns = columns  # how X and y looked: see _input_columns
        self.task_column = columns["task_column"]
        self.n_features_in_ = columns["n_features_in_"]
        self.feature_names_in_ = columns["feature_names_in_"]

    @property
    def n_tasks(self):
        return len(self.tasks)

    @property
    def n_features(self):
        return self.x_mean.shape[1]

    @property
    def shared_design(self):
        return self._columns["shared_design"]

    def __repr__(self):
        layout = "shared design" if self.shared_design else "task-indexed"
        return (
            f"TaskStatistics({self.n_tasks} tasks, {self.n_features} features, "
            f"{self.n_samples} rows, {layout})"
        )

    # -- building -----------------------------------------------------------

    @classmethod
    def from_data(cls, X, y, sample_weight=None, *, task_column=None):
        """The statistics of the rows ``(X, y)``, validated as ``fit`` does.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_columns)
            Features; with ``task_column`` set, one column holds each row's
            task.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets: 1-D with ``task_column`` set; with the shared design one
            column per task, ``NaN`` marking a missing target. A task may
            have no target in a chunk.
        sample_weight : array-like of shape (n_samples,), default=None
        task_column : str or int, default=None
            As the estimators' ``task_column``.

        Returns
        -------
        TaskStatistics
        """
        reader = _Reader(task_column)
        data = reader._validate_fit_data(X, y, sample_weight, chunk=True)
        return cls._from_task_data(data, reader)

    @classmethod
    def _from_task_data(cls, data, reader, weights=None, targets=None, weight_sum=None):
        """The statistics of validated TaskData; ``reader`` validated it.

        ``weights`` and ``targets`` (observation arrays) replace the sample
        weights and targets: the statistics of another weighted least squares
        on the same rows, such as the quadratic model of another loss, whose
        squared loss is normalised by ``weight_sum`` (default: the rows' sum
        of sample weights) as its ``sample_weight_sum``.
        """
        needed = data.n_tasks * data.n_features**2 * 8
        if needed > MEMORY_BUDGET_BYTES:
            raise ValueError(
                f"The statistics of {data.n_tasks} tasks and {data.n_features} "
                f"features hold {data.n_tasks} Gram matrices of "
                f"{data.n_features} x {data.n_features} floats "
                f"({needed / 1e9:.1f} GB), above the memory budget of "
                f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB; fit on the rows instead."
            )
        gram, x_mean, totals, y_mean, xy, yy = weighted_statistics(
            data,
            data.weight if weights is None else weights,
            data.Y if targets is None else targets,
            center=True,
        )
        columns = {
            "task_column": reader.task_column,
            "n_features_in_": reader.n_features_in_,
            "feature_names_in_": getattr(reader, "feature_names_in_", None),
            "shared_design": data.shared_design,
            "single_target": reader._single_target,
        }
        arrays = (totals, x_mean, y_mean, gram, xy, yy)
        if weight_sum is None:
            weight_sum = data.sample_weight_sum
        return cls(data.tasks, arrays, data.n_samples, weight_sum, columns)

    # -- adding -------------------------------------------------------------

    def __add__(self, other):
        if not isinstance(other, TaskStatistics):
            return NotImplemented
        self._check_addable(other)
        tasks, mine, theirs = self._task_union(other)
        if mine is None:  # the same tasks: a copy, merged in place
            arrays = [getattr(self, name).copy() for name in self._ARRAYS]
        else:
            arrays = [
                _placed(getattr(self, name), mine, len(tasks)) for name in self._ARRAYS
            ]
        _chan_merge(arrays, theirs, [getattr(other, name) for name in self._ARRAYS])
        return TaskStatistics(
            tasks,
            arrays,
            self.n_samples + other.n_samples,
            self.sample_weight_sum + other.sample_weight_sum,
            self._columns,
        )

    def __iadd__(self, other):
        """``stats += chunk``: merged in place when ``chunk`` brings no new task
        (no copy of the Gram matrices per chunk), else as ``stats + chunk``."""
        if not isinstance(other, TaskStatistics):
            return NotImplemented
        self._check_addable(other)
        tasks, _, theirs = self._task_union(other)
        if len(tasks) != self.n_tasks:
            return self + other
        arrays = [getattr(self, name) for name in self._ARRAYS]
        _chan_merge(arrays, theirs, [getattr(other, name) for name in self._ARRAYS])
        self.n_samples += other.n_samples
        self.sample_weight_sum += other.sample_weight_sum
        return self

    def __radd__(self, other):
        # ``sum(chunks)`` starts from 0.
        if isinstance(other, numbers.Number) and other == 0:
            return self
        return NotImplemented

    def _check_addable(self, other):
        """Statistics of the same kind of data, else a ValueError naming what
        differs."""
        for key in ("task_column", "n_features_in_", "shared_design"):
            if self._columns[key] != other._columns[key]:
                raise ValueError(
                    f"Cannot add statistics of different data: {key} is "
                    f"{self._columns[key]!r} in one and {other._columns[key]!r} "
                    "in the other."
                )
        names = self.feature_names_in_, other.feature_names_in_
        if (names[0] is None) != (names[1] is None) or (
            names[0] is not None and list(names[0]) != list(names[1])
        ):
            raise ValueError(
                "Cannot add statistics of different data: the columns of X are "
                f"named {_names(names[0])} in one and {_names(names[1])} in the "
                "other."
            )
        if self.shared_design and not np.array_equal(self.tasks, other.tasks):
            raise ValueError(
                "Cannot add statistics of different data: the columns of y (the "
                f"tasks) are {_format_tasks(self.tasks)} in one and "
                f"{_format_tasks(other.tasks)} in the other."
            )

    def _task_union(self, other):
        """``(tasks, positions of self's, positions of other's)``; a position
        is None for "all, in order" (no indexing)."""
        if self.shared_design or np.array_equal(self.tasks, other.tasks):
            return self.tasks, None, slice(None)
        check_task_id_type(other.tasks, self.tasks, self.task_column)
        tasks = np.union1d(self.tasks, other.tasks)
        return (
            tasks,
            np.searchsorted(tasks, self.tasks),
            np.searchsorted(tasks, other.tasks),
        )

    # -- fitting --------------------------------------------------------------

    def _task_data(self):
        """A small data set with these statistics: TaskData to fit on.

        Per task ``m = p + 2`` rows of weight ``n_t / m``: the means plus
        deviations ``sqrt(m / n_t) Q R_t``, where ``R_t' R_t`` is the task's
        centred second-moment matrix of ``(x, y)`` and the ``p + 1``
        orthonormal columns of ``Q`` sum to zero (the deviations keep the
        means). Shared design: the blocks stacked, each observed in its own
        task's column only.
        """
        empty = self.weight_sums <= 0
        if np.any(empty):
            raise ValueError(
                "Every task needs at least one observed target with positive "
                f"sample weight; task(s) {_format_tasks(self.tasks[empty])} have "
                "none in these statistics."
            )
        T, p = self.n_tasks, self.n_features
        m = p + 2
        X, y = np.empty((T, m, p)), np.empty((T, m))
        basis = _zero_sum_basis(m)
        # By blocks of tasks: temporaries of a few MB (see _chan_merge).
        size = max(1, GRAM_BLOCK_FLOATS // (p + 1) ** 2)
        for start in range(0, T, size):
            block = slice(start, start + size)
            deviations = np.matmul(basis, self._root(block))
            deviations *= np.sqrt(m / self.weight_sums[block])[:, None, None]
            np.add(self.x_mean[block, None, :], deviations[:, :, :p], out=X[block])
            np.add(self.y_mean[block, None], deviations[:, :, p], out=y[block])
        X, y = X.reshape(T * m, p), y.reshape(T * m)
        weight = np.repeat(self.weight_sums / m, m)
        if not self.shared_design:
            task_index = np.repeat(np.arange(T), m)
            return _EquivalentRows(
                self, X, y, weight, self.tasks, task_index, self.sample_weight_sum
            )
        blocks = np.repeat(np.arange(T), m)[:, None] == np.arange(T)
        Y = np.where(blocks, y[:, None], 0.0)
        W = np.where(blocks, weight[:, None], 0.0)
        return _EquivalentRows(self, X, Y, W, self.tasks, None, self.sample_weight_sum)

    def _root(self, block):
        """``R_t`` with ``R_t' R_t = [[G_t, c_t], [c_t', e_t]]``, for the
        tasks of ``block``.

        From the matrix scaled to a unit diagonal, so that each entry is
        reproduced to a relative precision of its own scale (targets in
        other units than the features lose nothing): its Cholesky factor
        (backward stable, 25 times faster than an eigendecomposition), or,
        for a block holding a singular matrix (a task with fewer rows than
        features), the square root of its eigendecomposition.
        """
        gram = self.gram[block]
        k, p = gram.shape[:2]
        C = np.empty((k, p + 1, p + 1))
        C[:, :p, :p] = gram
        C[:, :p, p] = C[:, p, :p] = self.xy[block]
        C[:, p, p] = self.yy[block]
        scale = np.sqrt(np.einsum("tii->ti", C))
        scale[scale == 0] = 1.0
        C /= scale[:, :, None]
        C /= scale[:, None, :]
        try:
            root = np.linalg.cholesky(C).transpose(0, 2, 1)
        except np.linalg.LinAlgError:
            values, vectors = np.linalg.eigh(C)
            root = np.sqrt(np.maximum(values, 0.0))[:, :, None] * vectors.transpose(
                0, 2, 1
            )
        return root * scale[:, None, :]


class _EquivalentRows(TaskData):
    """The rows :meth:`TaskStatistics._task_data` builds, which also know
    the statistics they stand for.

    Their Gram matrices under weights constant within each task (the squared
    loss's) are read from the statistics instead of recomputed: exact, and no
    pass over the rows.
    """

    def __init__(self, statistics, *args):
        super().__init__(*args)
        self.statistics = statistics
        self.rows_per_task = statistics.n_features + 2

    def weighted_gram(self, D, center):
        stats = self.statistics
        # (A copy restricted to some features recomputes from its rows.)
        per_task = None
        if self.n_features == stats.n_features:
            per_task = self._per_task_value(D)
        if per_task is None:
            return super().weighted_gram(D, center)
        # Each task's rows share one weight, d_t, and their own centred
        # moments are the statistics scaled by m / n_t.
        m = self.rows_per_task
        factor = per_task * m / stats.weight_sums
        gram = stats.gram * factor[:, None, None]
        totals = per_task * m
        if not center:
            gram += (
                totals[:, None, None]
                * stats.x_mean[:, :, None]
                * stats.x_mean[:, None, :]
            )
            return gram, np.zeros_like(stats.x_mean), totals
        return gram, stats.x_mean.copy(), totals

    def _per_task_value(self, D):
        """The weight of each task's rows when ``D`` is constant on them, else None."""
        m = self.rows_per_task
        if self.shared_design:
            blocks = np.arange(self.n_samples) // m
            values = D[np.arange(self.n_samples), blocks]
            if np.count_nonzero(D) != np.count_nonzero(values):
                return None
        else:
            values = D
        values = values.reshape(self.n_tasks, m)
        if not np.all(values == values[:, :1]):
            return None
        return values[:, 0].copy()


class _Reader(MultiTaskEstimator):
    """Validates data as the regressors' ``fit`` does, for :meth:`from_data`."""

    def __init__(self, task_column=None):
        self.task_column = task_column
        self.unknown_task = "error"

    def _loss_name(self):
        return "squared"


def _placed(values, positions, n_tasks):
    """``values`` (one entry per task) at ``positions`` of ``n_tasks`` zeros."""
    out = np.zeros((n_tasks, *values.shape[1:]))
    out[positions] = values
    return out


def _chan_merge(arrays, positions, other):
    """Add the statistics ``other`` into ``arrays`` at ``positions``, in place.

    ``positions`` is an index array or a slice (all tasks, in order).
    """
    n, x_mean, y_mean, gram, xy, yy = arrays
    n_b, x_b, y_b, gram_b, xy_b, yy_b = other
    n_a = n[positions]
    total = n_a + n_b
    share = np.divide(n_b, total, out=np.zeros_like(total), where=total > 0)
    dx = x_b - x_mean[positions]
    dy = y_b - y_mean[positions]
    between = n_a * share  # n_a n_b / (n_a + n_b)
    n[positions] = total
    x_mean[positions] += share[:, None] * dx
    y_mean[positions] += share * dy
    scaled = between[:, None] * dx
    xy[positions] += xy_b + scaled * dy[:, None]
    yy[positions] += yy_b + between * dy**2
    if isinstance(positions, slice):
        positions = np.arange(len(n))[positions]
    # The Gram update by blocks of tasks: temporaries of a few MB, which the
    # allocator reuses (a temporary of all the Gram matrices would be new
    # memory at every merge, whose first touch costs more than the update).
    size = max(1, GRAM_BLOCK_FLOATS // max(gram.shape[1] ** 2, 1))
    for start in range(0, len(positions), size):
        block = slice(start, start + size)
        update = scaled[block, :, None] * dx[block, None, :]
        update += gram_b[block]
        at = positions[block]
        if at.size and at[-1] - at[0] == at.size - 1:  # consecutive: a view
            gram[at[0] : at[-1] + 1] += update
        else:
            gram[at] += update


def _zero_sum_basis(m):
    """``m - 1`` orthonormal columns of length ``m`` that each sum to zero."""
    ones = np.ones((m, 1)) / np.sqrt(m)
    q, _ = np.linalg.qr(np.hstack([ones, np.eye(m)[:, : m - 1]]))
    return q[:, 1:]


def _names(names):
    return "unnamed" if names is None else list(names)
