"""The two data layouts of skmtl, turned once into one internal object.

Every estimator accepts either

* the **shared design** (``task_column=None``): ``X`` is (n_samples, n_features)
  and ``y`` is (n_samples, n_tasks); every task sees every row and ``NaN`` in
  ``y`` marks a missing target, left out of the loss; or
* the **task-indexed** layout (``task_column`` set): each row belongs to the
  task named in one column of ``X`` and ``y`` is 1-D.

:func:`split_task_column` and :func:`make_task_data` validate the input and
build a :class:`TaskData`; datafits and solvers only ever see that object.
"""

import numbers
import warnings
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

__all__ = [
    "TaskData",
    "check_task_id_type",
    "get_task_ids",
    "make_task_data",
    "map_tasks",
    "non_numeric_columns_named",
    "split_task_column",
]

# Entries of X per chunk of tasks in the batched Gram products (8 bytes each).
_CHUNK_ENTRIES = 2**17


class TaskData:
    """Features, targets and task membership in the form solvers read.

    Values that live on the observations (targets, weights, predictions,
    gradients) are "observation arrays": (n_samples, n_tasks) for the shared
    design, with weight 0 where a target is missing, and (n_samples,) for the
    task-indexed layout, whose rows are stored grouped by task.

    Parameters
    ----------
    X : ndarray or scipy sparse CSR array of shape (n_samples, n_features)
        Float features, without any task column. A sparse ``X`` stays sparse:
        products with it cost its number of non-zeros, and its per-task Gram
        matrices are built by sparse products.
    Y : ndarray
        Observation array of targets; entries with zero weight are ignored.
    weight : ndarray
        Observation array of sample weights, 0 where a target is missing.
    tasks : ndarray of shape (n_tasks,)
        Task labels in model order.
    task_index : ndarray of shape (n_samples,) or None
        Position in ``tasks`` of each row's task (task-indexed layout, rows
        sorted by task), or None for the shared design.
    sample_weight_sum : float
        Sum of the sample weights over rows: the normaliser of the squared
        loss (``n_samples`` for unit weights).
    """

    def __init__(self, X, Y, weight, tasks, task_index, sample_weight_sum):
        self.X = X
        self.Y = Y
        self.weight = weight
        self.tasks = tasks
        self.task_index = task_index
        self.sample_weight_sum = float(sample_weight_sum)
        if task_index is not None:
            self._starts = np.flatnonzero(np.r_[True, np.diff(task_index) != 0])
            self._stops = np.r_[self._starts[1:], len(task_index)]

    def cached(self, key, compute):
        """``compute()``, computed once per TaskData (for derived arrays)."""
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @property
    def shared_design(self):
        return self.task_index is None

    @property
    def sparse(self):
        return sp.issparse(self.X)

    @property
    def n_stored(self):
        """Stored entries of ``X``: what a pass over the data costs."""
        return self.X.nnz if self.sparse else self.X.size

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_tasks(self):
        return len(self.tasks)

    def restrict_features(self, columns):
        """The same observations with only the feature ``columns`` of ``X``."""
        if np.array_equal(columns, np.arange(self.n_features)):
            return self  # (a working set grown to every feature: no copy)
        restricted = TaskData.__new__(TaskData)
        restricted.__dict__.update(self.__dict__)
        restricted._cache = dict(self.__dict__.get("_cache", {}))
        restricted._cache.pop("entry_positions", None)  # other columns, entries
        # (np.take copies the columns straight into a C-ordered array, ten
        # times faster than X[:, columns] made contiguous after.)
        X = self.X
        restricted.X = X[:, columns] if self.sparse else np.take(X, columns, axis=1)
        return restricted

    def task_rows(self):
        """Yield ``(t, rows)`` where ``rows`` selects task t's observations."""
        if self.shared_design:
            for t in range(self.n_tasks):
                yield t, (slice(None), t)
        else:
            for t, (start, stop) in enumerate(
                zip(self._starts, self._stops, strict=True)
            ):
                yield t, slice(start, stop)

    def expand(self, b):
        """Observation array holding ``b[t]`` on every observation of task t."""
        if self.shared_design:
            return np.broadcast_to(b, self.Y.shape)
        return b[self.task_index]

    def _size_groups(self):
        """The tasks grouped by their number of rows, for batched products.

        A list of ``(tasks, rows)``: the positions of the tasks of one size
        ``s`` and the (k, s) indices of their rows; ``rows`` is None when the
        group is every row in order (``X`` reshaped, without a copy).
        """

        def groups():
            counts = self._stops - self._starts
            if np.all(counts == counts[0]):
                return [(np.arange(self.n_tasks), None)]
            return [
                (tasks, self._starts[tasks][:, None] + np.arange(size))
                for size in np.unique(counts)
                for tasks in [np.flatnonzero(counts == size)]
            ]

        return self.cached("size_groups", groups)

    def _chunked_size_groups(self):
        """:meth:`_size_groups` cut into chunks of about a megabyte of ``X``.

        The temporaries of a chunk (centred or weighted rows) stay in cache
        for the product that reads them: on tall data the Gram matrices then
        cost one read of ``X`` instead of a copy of it written and read again.
        """
        for tasks, rows in self._size_groups():
            size = self.n_samples // self.n_tasks if rows is None else rows.shape[1]
            step = max(1, _CHUNK_ENTRIES // max(size * self.n_features, 1))
            for start in range(0, len(tasks), step):
                part = slice(start, start + step)
                # (Equal sizes: tasks is every task in order, so a slice.)
                yield tasks[part], part if rows is None else rows[part]

    def _blocks(self, A, rows):
        """``A`` (rows first) as (k, s, ...) blocks of one size group.

        ``rows`` is None (every task has the same size: ``A`` reshaped, no
        copy), a slice of tasks of such data, or the (k, s) row indices.
        """
        if rows is None or isinstance(rows, slice):
            size = self.n_samples // self.n_tasks
            blocks = A.reshape(self.n_tasks, size, *A.shape[1:])
            return blocks if rows is None else blocks[rows]
        return A[rows]

    def linear(self, W, b):
        """Linear predictions ``x_i . w_t + b_t`` as an observation array."""
        if self.shared_design:
            return self.X @ W.T + b
        if self.sparse:
            products = self.X.data * np.take(W, self._entry_positions())
            return row_sums(self.X, products) + b[self.task_index]
        groups = self._size_groups()
        if len(groups) == 1 and groups[0][1] is None:
            # Tasks of one size: one batched product on X reshaped, no copy.
            scores = np.matmul(self._blocks(self.X, None), W[:, :, None])
            return (scores[:, :, 0] + b[:, None]).ravel()
        # Tasks of many sizes (School: 139 tasks, 100 sizes): row by row, a
        # chunk at a time, so that the gathered weights stay small.
        Z = np.empty(self.n_samples)
        step = max(1, _CHUNK_ENTRIES // max(self.n_features, 1))
        for start in range(0, self.n_samples, step):
            rows = slice(start, start + step)
            task = self.task_index[rows]
            Z[rows] = row_products(self.X[rows], W, task) + b[task]
        return Z

    def _row_sums(self, G):
        """(T, n) sparse matrix holding ``G`` on each task's rows: its product
        with ``X`` sums ``G_i x_i`` per task without an (n, p) temporary.

        The sparsity pattern is built once: a solver calls this on every
        gradient, and building a scipy matrix costs more than the product on
        small data. Use the result before the next call, which refills it.
        """

        def pattern():
            indptr = np.r_[self._starts, self.n_samples]
            return sp.csr_matrix(
                (np.zeros(self.n_samples), np.arange(self.n_samples), indptr),
                shape=(self.n_tasks, self.n_samples),
            )

        sums = self.cached("row_sums", pattern)
        sums.data = np.ascontiguousarray(G, dtype=float).reshape(self.n_samples)
        return sums

    def _entry_positions(self):
        """Position in a (T, p) array of each stored entry of a sparse
        task-indexed ``X``: ``t p + j`` for entry ``(i, j)`` of a row of
        task ``t`` (flat indices, the fastest gather and scatter)."""

        def positions():
            tasks = per_entry(self.X, self.task_index).astype(np.int64)
            return tasks * self.n_features + self.X.indices

        return self.cached("entry_positions", positions)

    def _task_products(self, G, *arrays):
        """``sum_i G_i a_i`` over the rows ``a_i`` of each array (``X`` or a
        function of its entries with the same sparsity) for each task: a
        (T, p) array per array."""
        if self.shared_design:
            return [(A.T @ G).T if self.sparse else G.T @ A for A in arrays]
        if not self.sparse:
            sums = self._row_sums(G)  # built once for all the arrays
            return [sums @ A for A in arrays]
        T, p = self.n_tasks, self.n_features
        positions = self._entry_positions()
        weights = per_entry(self.X, G)
        return [
            np.bincount(positions, weights * A.data, T * p).reshape(T, p)
            for A in arrays
        ]

    def adjoint(self, G):
        """Adjoint of :meth:`linear`: ``(sum_i G_i x_i, sum_i G_i)`` per task."""
        return self._task_products(G, self.X)[0], self.task_sums(G)

    def task_sums(self, V):
        """Sum of an observation array over each task's observations."""
        if self.shared_design:
            return V.sum(axis=0)
        return np.add.reduceat(V, self._starts)

    def weighted_moments(self, D):
        """Per-task ``D``-weighted totals, feature means and feature variances.

        Returns ``(totals (T,), means (T, p), variances (T, p))``; the cheap
        O(n p) summary that preconditioners use instead of full Gram matrices.
        """
        totals = self.task_sums(D)
        first = self._task_products(D, self.X)[0]
        second = self._task_square_sums(D)
        safe = np.maximum(totals, np.finfo(float).tiny)[:, None]
        means = first / safe
        return totals, means, np.maximum(second / safe - means**2, 0.0)

    def _task_square_sums(self, D):
        """``sum_i D_i x_i**2`` (squared entries) per task, a (T, p) array.

        A dense ``X`` is squared a chunk of rows at a time: ``X**2`` whole
        would be a temporary as large as the data (a wide fit's peak).
        """
        if self.sparse:
            return self._task_products(D, self.X.power(2))[0]
        out = np.zeros((self.n_tasks, self.n_features))
        if not self.shared_design:  # a few tasks at a time, as the Gram matrices
            for tasks, rows in self._chunked_size_groups():
                blocks = self._blocks(self.X, rows)
                weights = self._blocks(D, rows)[:, None, :]
                out[tasks] = np.matmul(weights, blocks * blocks)[:, 0]
            return out
        step = max(1, _CHUNK_ENTRIES // max(self.n_features, 1))
        for start in range(0, self.n_samples, step):
            X = self.X[start : start + step]
            out += D[start : start + step].T @ (X * X)
        return out

    def weighted_gram(self, D, center):
        """Per-task Gram matrices ``X_t' diag(D_t) X_t``.

        With ``center=True`` the features are first centred on the
        ``D``-weighted mean of the task: the Gram matrix is then the Schur
        complement that eliminates an unpenalised intercept, computed without
        the cancellation of ``X'DX - (X'd)(d'X)/sum(d)``.

        Returns
        -------
        gram : ndarray of shape (n_tasks, n_features, n_features)
        means : ndarray of shape (n_tasks, n_features)
            Weighted feature means (zeros when ``center=False``).
        totals : ndarray of shape (n_tasks,)
            ``sum(D_t)``.
        """
        if self.sparse:
            return self._sparse_weighted_gram(D, center)
        T, p = self.n_tasks, self.n_features
        gram = np.empty((T, p, p))
        means = np.zeros((T, p))
        totals = self.task_sums(D)
        if not self.shared_design:
            if center:
                safe = np.maximum(totals, np.finfo(float).tiny)[:, None]
                means = (self._row_sums(D) @ self.X) / safe
            # Equal weights (unit sample weights): no weighted copy of X.
            equal = D.size > 0 and np.all(D == D[0])
            for tasks, rows in self._chunked_size_groups():  # batched BLAS
                blocks = self._blocks(self.X, rows)
                if center:
                    blocks = blocks - means[tasks][:, None, :]
                if equal:
                    gram[tasks] = np.matmul(blocks.transpose(0, 2, 1), blocks)
                    gram[tasks] *= D[0]
                    continue
                weighted = self._blocks(D, rows)[:, :, None] * blocks
                gram[tasks] = np.matmul(blocks.transpose(0, 2, 1), weighted)
            return gram, means, totals
        # Complete shared-design data with task-independent weights (squared
        # loss) has one Gram matrix for all tasks.
        if np.all(D == D[:, :1]):
            rows = [(slice(None), 0)]
        else:
            rows = [r for _, r in self.task_rows()]
        for t, r in enumerate(rows):
            d = D[r]
            Xt = self.X
            if center:
                means[t] = d @ Xt / max(totals[t], np.finfo(float).tiny)
                Xt = Xt - means[t]
            if d.size and np.all(d == d[0]):
                # Equal weights: Xt'Xt is a symmetric rank-k update (half the
                # flops of a general product; it dominates tall problems).
                gram[t] = d[0] * (Xt.T @ Xt)
            else:
                gram[t] = Xt.T @ (d[:, None] * Xt)
        if len(rows) == 1 and T > 1:
            gram[1:] = gram[0]
            means[1:] = means[0]
        return gram, means, totals

    def _sparse_weighted_gram(self, D, center):
        """:meth:`weighted_gram` by sparse products.

        Centring would fill the matrix in: the centred Gram matrix is
        ``X'DX - s m m'`` (``s = sum(D)``, ``m`` the weighted means) instead,
        exact for the sparse features such data has (a feature with a large
        offset loses digits to the cancellation).
        """
        T, p = self.n_tasks, self.n_features
        gram = np.empty((T, p, p))
        totals = self.task_sums(D)
        safe = np.maximum(totals, np.finfo(float).tiny)[:, None]
        means = self._task_products(D, self.X)[0] / safe if center else np.zeros((T, p))
        if not self.shared_design:
            # One product for all tasks: entry (i, j) of a row of task t moved
            # to column t p + j makes X_shifted' D X the stacked X_t' D_t X_t.
            shifted = sp.csr_array(
                (self.X.data, self._entry_positions(), self.X.indptr),
                shape=(self.n_samples, T * p),
            )
            weighted = self.X.multiply(D[:, None]).tocsr()
            gram[:] = (shifted.T @ weighted).toarray().reshape(T, p, p)
        elif np.all(D == D[:, :1]):  # one Gram matrix for all tasks
            gram[:] = (self.X.T @ self.X.multiply(D[:, :1]).tocsr()).toarray()
        else:
            for t in range(T):
                weighted = self.X.multiply(D[:, t : t + 1]).tocsr()
                gram[t] = (self.X.T @ weighted).toarray()
        gram -= totals[:, None, None] * means[:, :, None] * means[:, None, :]
        return gram, means, totals

    def observed_design(self):
        """Sparse design of the observations with positive weight.

        Returns ``(A, B, mask)``: ``A @ W.ravel() + B @ b`` gives the linear
        predictions of the observations selected by the boolean observation
        array ``mask`` (row-major order). Used by the cvxpy reference solver.
        """
        mask = self.weight > 0
        T, p = self.n_tasks, self.n_features
        if self.shared_design:
            rows, task = np.nonzero(mask)
        else:
            rows = np.flatnonzero(mask)
            task = self.task_index[rows]
        m = len(rows)
        cols = task[:, None] * p + np.arange(p)
        X = self.X[rows]
        X = X.toarray() if self.sparse else X  # (the reference solver only)
        A = sp.csr_matrix(
            (X.ravel(), cols.ravel(), np.arange(0, m * p + 1, p)),
            shape=(m, T * p),
        )
        B = sp.csr_matrix((np.ones(m), task, np.arange(m + 1)), shape=(m, T))
        return A, B, mask


def per_entry(X, values):
    """``values`` (one per row of a CSR ``X``) repeated for each stored entry
    of its row."""
    return np.repeat(values, np.diff(X.indptr))


def row_sums(X, values):
    """The sum over each row of a CSR ``X`` of ``values``, one per stored entry."""
    starts, stops = X.indptr[:-1], X.indptr[1:]
    sums = np.zeros(X.shape[0])
    # reduceat needs indices below len(values): the rows that start there are
    # the empty rows at the end, whose sums stay zero.
    k = np.searchsorted(starts, len(values))
    if k:
        sums[:k] = np.add.reduceat(values, starts[:k])
    sums[starts == stops] = 0.0  # (reduceat gives an empty row one entry)
    return sums


def row_products(X, W, index):
    """``x_i . W[index[i]]`` for every row of ``X``, dense or CSR.

    For a sparse ``X`` entry by entry (``x_ij W[index[i], j]`` summed per
    row): the rows of ``W`` are never gathered into a dense (n_samples,
    n_features) array.
    """
    if not sp.issparse(X):
        return np.einsum("ij,ij->i", X, W[index])
    positions = per_entry(X, index).astype(np.int64) * W.shape[1] + X.indices
    return row_sums(X, X.data * np.take(W, positions))


def split_task_column(X, task_column):
    """Separate the task column from the features.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_columns)
    task_column : int or str
        Position of the task column (int, as in scikit-learn's
        ``ColumnTransformer``) or its name (str, DataFrame only).

    Returns
    -------
    features : ndarray of shape (n_samples, n_columns - 1), float64
    task_ids : ndarray of shape (n_samples,)
    """
    task_ids, features = _take_task_column(X, task_column)
    if features.shape[1] == 0:  # check_array cannot infer a dtype from no columns
        return np.empty((len(task_ids), 0)), task_ids
    features = check_array(
        features,
        accept_sparse="csr",
        dtype=np.float64,
        ensure_min_features=0,
        input_name="X",
    )
    return features, task_ids


@contextmanager
def non_numeric_columns_named(X, task_column=None):
    """Re-raise a failed float conversion of ``X`` naming the column at fault.

    NumPy's own message ("could not convert string to float") names neither
    the column nor the remedy. Other errors pass through unchanged.
    """
    try:
        yield
    except ValueError as error:
        message = None
        if "could not convert" in str(error):
            message = _explain_non_numeric(X, task_column)
        if message is None:
            raise
        raise ValueError(message) from error


def _explain_non_numeric(X, task_column):
    """Name the first feature column of ``X`` that does not hold numbers.

    Returns None when every column converts.
    """
    is_frame = hasattr(X, "columns") and hasattr(X, "iloc")
    if not is_frame:
        X = np.asarray(X, dtype=object)
        if X.ndim != 2:
            return None
    skip = None
    if task_column is not None:
        skip = _task_column_position(X, task_column, is_frame)
    for j in range(X.shape[1]):
        if j == skip:
            continue
        column = X.iloc[:, j].to_numpy() if is_frame else X[:, j]
        try:
            np.asarray(column, dtype=np.float64)
        except (TypeError, ValueError):
            value = next(v for v in column if not _is_number(v))
            name = f"{X.columns[j]!r} (position {j})" if is_frame else f"{j}"
            keep = (
                " that passes the task column through unchanged (the user "
                "guide's 'Data layouts' page has an example)"
                if task_column is not None
                else ""
            )
            return (
                f"Column {name} of X holds values that are not numbers, such "
                f"as {value!r}. The features must be numeric: encode this "
                f"column first, for example with OneHotEncoder in a "
                f"ColumnTransformer{keep}."
            )
    return None


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def get_task_ids(X, task_column):
    """The validated task id of each row of ``X`` (see :func:`split_task_column`)."""
    return _take_task_column(X, task_column)[0]


def _take_task_column(X, task_column):
    """Return ``(task_ids, other_columns)`` with the other columns unconverted."""
    if sp.issparse(X):
        return _take_sparse_task_column(X, task_column)
    is_frame = hasattr(X, "columns") and hasattr(X, "iloc")
    if not is_frame and not isinstance(X, np.ndarray):
        X = np.asarray(X, dtype=object)  # keeps string ids beside float features
    position = _task_column_position(X, task_column, is_frame)
    if is_frame:
        column = X.iloc[:, position]
        if column.isna().any():
            raise ValueError(f"The task column {task_column!r} has missing values.")
        task_ids = column.to_numpy()
        if task_ids.dtype.kind not in "iub":  # strings, categories, nullable ints
            task_ids = column.to_numpy(dtype=object)
        rest = X.drop(columns=X.columns[position])
    else:
        task_ids = X[:, position]
        # A view where the task column is an edge one: the one copy of the
        # features is then the grouping of the rows by task.
        if position in (0, X.shape[1] - 1):
            rest = X[:, 1:] if position == 0 else X[:, :-1]
        else:
            rest = np.delete(X, position, axis=1)
    return _check_task_ids(task_ids, task_column), rest


def _take_sparse_task_column(X, task_column):
    """:func:`_take_task_column` of a scipy sparse matrix: integer task ids
    stored as its values (an implicit zero is task 0)."""
    position = _task_column_position(X, task_column, is_frame=False)
    X = X.tocsr()  # (no copy when it already is)
    ids = X[:, [position]].toarray().ravel()
    if not np.all(np.isfinite(ids)) or np.any(ids != np.round(ids)):
        raise ValueError(
            f"The task column {task_column} of a sparse X must hold integer task "
            "ids (sparse matrices hold numbers only)."
        )
    keep = np.delete(np.arange(X.shape[1]), position)
    return _check_task_ids(ids.astype(np.int64), task_column), X[:, keep].tocsr()


def _task_column_position(X, task_column, is_frame):
    if isinstance(task_column, str):
        if not is_frame:
            raise ValueError(
                f"task_column={task_column!r} is a column name, but X has no "
                "column names. Pass a pandas DataFrame, or give the task "
                "column's integer position."
            )
        if task_column not in X.columns:
            raise ValueError(
                f"task_column={task_column!r} is not a column of X; "
                f"X has columns {list(X.columns)}."
            )
        position = X.columns.get_loc(task_column)
        if not isinstance(position, numbers.Integral):
            raise ValueError(f"task_column={task_column!r} names several columns.")
        return position
    if not isinstance(task_column, numbers.Integral) or isinstance(task_column, bool):
        raise TypeError(
            "task_column must be None, an int (position) or a str (DataFrame "
            f"column name); got {task_column!r} of type {type(task_column).__name__}."
        )
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D with a task column; got an array of shape {X.shape}."
        )
    n_columns = X.shape[1]
    if not -n_columns <= task_column < n_columns:
        raise ValueError(
            f"task_column={task_column!r} is out of range for X with "
            f"{n_columns} columns."
        )
    return int(task_column) % n_columns


def _check_task_ids(task_ids, task_column):
    task_ids = np.asarray(task_ids)
    if task_ids.dtype == object:
        kinds = {type(v) for v in task_ids}
        if type(None) in kinds or (
            float in kinds and any(isinstance(v, float) and v != v for v in task_ids)
        ):
            raise ValueError(f"The task column {task_column!r} has missing values.")
        if all(issubclass(k, str) for k in kinds):
            task_ids = task_ids.astype(str)
        elif all(issubclass(k, bool | np.bool_) for k in kinds):
            task_ids = task_ids.astype(bool)
        elif all(
            issubclass(k, numbers.Real) and not issubclass(k, bool | np.bool_)
            for k in kinds
        ):
            task_ids = task_ids.astype(np.float64)
        else:
            raise TypeError(
                f"The task column {task_column!r} mixes types "
                f"({sorted(k.__name__ for k in kinds)}); task ids must be all "
                "numbers, all strings or all booleans."
            )
    if task_ids.dtype.kind == "f":
        if not np.all(np.isfinite(task_ids)):
            raise ValueError(f"The task column {task_column!r} has missing values.")
        integral = task_ids == np.round(task_ids)
        if not np.all(integral):
            _warn_scaled_task_column(task_ids[~integral], task_column)
        elif (
            -(2.0**63) <= task_ids.min(initial=0) and task_ids.max(initial=0) < 2.0**63
        ):
            task_ids = task_ids.astype(np.int64)  # exact (beyond int64: kept)
    return task_ids


def _warn_scaled_task_column(examples, task_column):
    shown = ", ".join(f"{v:.6g}" for v in np.unique(examples)[:3])
    warnings.warn(
        f"The task column {task_column!r} holds non-integer numbers ({shown}, "
        "...): task ids are labels, and these look like a column that was "
        "scaled or transformed with the features. Each distinct value is used "
        "as its own task. Keep the task column out of the scaler, e.g. "
        "ColumnTransformer([('scale', StandardScaler(), feature_columns)], "
        "remainder='passthrough') in the Pipeline (see 'Worked example: a "
        "pipeline on a DataFrame' in the user guide).",
        UserWarning,
        stacklevel=5,
    )


def _task_id_kind(task_ids):
    """ "number", "string" or "boolean": the kind of a validated id array."""
    kind = np.asarray(task_ids).dtype.kind
    if kind == "b":
        return "boolean"
    return "string" if kind in "USO" else "number"


def check_task_id_type(task_ids, tasks, task_column):
    """Refuse task ids of another kind than the fitted ones (no silent misses).

    A model fitted with numeric ids meets ``"3"`` for ``3`` when a CSV was
    read differently, say: every row would look like an unknown task.
    """
    seen, fitted = _task_id_kind(task_ids), _task_id_kind(tasks)
    if len(task_ids) and seen != fitted:
        raise TypeError(
            f"The task column {task_column!r} of X holds {seen} task ids "
            f"(e.g. {_format_tasks(np.unique(task_ids), 3)}), but the model was "
            f"fitted with {fitted} task ids ({_format_tasks(tasks, 3)}). Pass "
            f"the task ids as {fitted}s, as in fit."
        )


def map_tasks(task_ids, tasks):
    """Position of each task id in the sorted array ``tasks`` (-1: unknown)."""
    if len(task_ids) == 0:
        return np.zeros(0, dtype=np.intp)
    integers = task_ids.dtype.kind in "iu" and tasks.dtype.kind in "iu"
    span = int(tasks[-1]) - int(tasks[0]) if integers and len(tasks) else -1
    if 0 <= span <= 4 * len(task_ids):
        # Small integer ids: a lookup table, O(n) instead of a binary search.
        lookup = np.full(span + 1, -1, dtype=np.intp)
        lookup[tasks.astype(np.int64) - int(tasks[0])] = np.arange(len(tasks))
        offset = task_ids.astype(np.int64) - int(tasks[0])
        inside = (offset >= 0) & (offset < len(lookup))
        return np.where(inside, lookup[np.where(inside, offset, 0)], -1)
    try:
        pos = np.searchsorted(tasks, task_ids)
    except TypeError:  # e.g. string ids against numeric tasks
        return np.full(len(task_ids), -1, dtype=np.intp)
    pos = np.minimum(pos, len(tasks) - 1)
    known = tasks[pos] == task_ids
    return np.where(known, pos, -1)


def make_task_data(
    X, y, task_ids=None, sample_weight=None, tasks=None, *, allow_empty_tasks=False
):
    """Build :class:`TaskData` from validated features and targets.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64, finite
    y : ndarray of float64
        Shared design: (n_samples, n_tasks) with ``NaN`` for missing targets.
        Task-indexed: (n_samples,), finite.
    task_ids : ndarray of shape (n_samples,) or None
        Task of each row (task-indexed layout), or None for the shared design.
    sample_weight : array-like of shape (n_samples,) or None
    tasks : array-like of shape (n_tasks,), default=None
        Labels of the shared-design tasks (columns of ``y``); defaults to
        ``0, ..., n_tasks - 1``. Ignored for the task-indexed layout, whose
        tasks are the sorted unique ids.
    allow_empty_tasks : bool, default=False
        Accept tasks without an observed target of positive weight (a chunk
        of a larger data set); by default they are an error.
    """
    n = X.shape[0]
    if sp.issparse(X) and not X.has_canonical_format:
        # Duplicate entries would be squared one by one in the moments.
        X = X.copy()
        X.sum_duplicates()
    sample_weight = _check_sample_weight(sample_weight, n, allow_empty_tasks)
    if task_ids is None:
        observed = ~np.isnan(y)
        tasks = np.arange(y.shape[1]) if tasks is None else np.asarray(tasks)
        weight = observed * sample_weight[:, None]
        Y = np.where(observed, y, 0.0)
        data = TaskData(X, Y, weight, tasks, None, sample_weight.sum())
    else:
        order, tasks, task_index = _group_by_task(task_ids)
        if order is not None:
            X = _gather_rows(X, order)
            y, sample_weight = y[order], sample_weight[order]
        data = TaskData(
            X if sp.issparse(X) else np.ascontiguousarray(X),
            y,
            sample_weight,
            tasks,
            task_index,
            sample_weight.sum(),
        )
    empty = data.task_sums(data.weight) <= 0
    if np.any(empty) and not allow_empty_tasks:
        raise ValueError(
            "Every task needs at least one observed target with positive "
            f"sample weight; task(s) {_format_tasks(data.tasks[empty])} have none."
        )
    return data


def _gather_rows(X, order):
    """``X[order]``: the one copy of the features, grouped by task.

    Fancy indexing gathers the rows of a C-ordered ``X`` (or of a view of its
    columns, the features beside a task column) straight into the copy;
    ``np.take`` would first make the view contiguous, a second copy. For an
    F-ordered ``X``, as pandas gives, ``np.take`` is three times faster.
    """
    if sp.issparse(X) or not X.flags.f_contiguous:
        return X[order]
    return np.take(X, order, axis=0)


def _group_by_task(task_ids):
    """One stable sort of the rows by task id.

    Returns ``(order, tasks, task_index)``: the permutation that groups the
    rows (None when they already are), the sorted unique ids, and the
    position in ``tasks`` of each grouped row's task.
    """
    codes = task_ids
    if task_ids.dtype.kind in "iu" and len(task_ids):
        low, high = int(task_ids.min()), int(task_ids.max())
        if high - low < 2**15:  # small integer codes: numpy's radix sort
            codes = (task_ids - low).astype(np.int16)
    order = np.argsort(codes, kind="stable")
    grouped = task_ids[order]
    first = np.r_[True, grouped[1:] != grouped[:-1]]
    task_index = np.cumsum(first) - 1
    if np.all(order[1:] > order[:-1]):  # already grouped: no copy of X
        order = None
    return order, grouped[first], task_index


def _check_sample_weight(sample_weight, n_samples, allow_all_zero=False):
    if sample_weight is None:
        return np.ones(n_samples)
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, float(sample_weight))
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not (allow_all_zero or np.any(sample_weight > 0)):
        raise ValueError("sample_weight must not be all zero.")
    return sample_weight


def _format_tasks(tasks, limit=10):
    """``"['a', 'b'] and 3 more"``: task ids (or any labels) for a message."""
    shown = ", ".join(_show_value(t) for t in tasks[:limit])
    more = f" and {len(tasks) - limit} more" if len(tasks) > limit else ""
    return f"[{shown}]{more}"


def _show_value(value):
    """``repr`` of a task id or label as the user wrote it.

    NumPy scalars are turned into Python ones first: ``'a'``, not
    ``np.str_('a')``.
    """
    return repr(value.item() if hasattr(value, "item") else value)
