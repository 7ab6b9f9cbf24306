"""Dask collections: statistics reduced on the cluster, predictions per partition.

Dask is an optional dependency (``pip install "skmtl[dask]"``): nothing here
imports it before a Dask collection arrives. A squared-loss fit computes
:class:`~skmtl.TaskStatistics` per partition on the workers and adds them
up by a tree reduction (the rows never leave the workers; only statistics
of ``O(T p^2)`` floats travel), then solves on the client. Predictions are
computed partition by partition (``map_partitions`` / ``map_blocks``).
"""

import numpy as np


def is_dask_collection(value):
    """Whether ``value`` is a Dask collection (without importing Dask)."""
    module = type(value).__module__ or ""
    return module.split(".")[0] == "dask" and hasattr(value, "__dask_graph__")


def refuse_dask(estimator, what):
    """The error for a Dask collection where ``estimator`` needs memory."""
    raise TypeError(
        f"{type(estimator).__name__} {what} in memory, but got a Dask "
        "collection. Dask collections are fitted by the linear models (the "
        "regressors, the classifiers and MultiTaskLinearModel: statistics "
        "reduced on the cluster), not by the CV estimators or the kernel "
        "models; for this estimator, compute() the data first."
    )


def dask_statistics(X, y, sample_weight, task_column):
    """TaskStatistics of Dask ``X``, ``y`` (and weights), by a tree reduction."""
    from .linear_model._statistics import TaskStatistics

    def statistics(piece):
        X_part, y_part, weight_part = piece
        if len(X_part) == 0:
            return None  # an empty partition adds nothing
        return TaskStatistics.from_data(
            X_part, y_part, weight_part, task_column=task_column
        )

    total = tree_sum(statistics, dask_partitions(X, y, sample_weight))
    if total is None:
        raise ValueError("The Dask collections hold no rows.")
    return total


def tree_sum(function, pieces, *shared):
    """``sum(function(piece, *shared) for piece in pieces)``, on the cluster.

    ``function`` runs on the workers and returns an object that adds with
    ``+`` (or None, which adds nothing); the results are added pairwise, a
    tree of depth ``log2(len(pieces))``, so only those objects travel, never
    the rows. ``shared`` arguments enter the graph once, not once per piece.
    """
    import dask

    shared = [dask.delayed(value) for value in shared]
    parts = [dask.delayed(function)(piece, *shared) for piece in pieces]
    while len(parts) > 1:
        pairs = zip(parts[::2], parts[1::2], strict=False)
        reduced = [dask.delayed(_add)(a, b) for a, b in pairs]
        parts = reduced + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0].compute()


def _add(a, b):
    return b if a is None else a if b is None else a + b


def dask_partitions(X, y, sample_weight):
    """``(X, y, weight)`` per partition, as delayed objects, aligned by rows."""
    if not is_dask_collection(y):
        raise TypeError(
            "X is a Dask collection but y is not: give y as a Dask collection "
            "with the same partitions as X (df['target'] of the same DataFrame, "
            "or an array chunked along the same rows)."
        )
    if sample_weight is not None and not is_dask_collection(sample_weight):
        raise TypeError(
            "X is a Dask collection but sample_weight is not: give it as a Dask "
            "collection with the same partitions as X."
        )
    if hasattr(X, "map_partitions"):  # a DataFrame (an array has map_blocks)
        return _frame_partitions(X, y, sample_weight)
    rows = X.chunks[0]  # an array: blocks of rows, all columns in each
    pieces = [X.rechunk({0: rows, 1: -1}), _rechunk_rows(y, rows)]
    if sample_weight is not None:
        pieces.append(_rechunk_rows(sample_weight, rows))
    delayed = [np.ravel(piece.to_delayed()) for piece in pieces]
    if sample_weight is None:
        delayed.append([None] * len(delayed[0]))
    return list(zip(*delayed, strict=True))


def _frame_partitions(X, y, sample_weight):
    """``(X, y, weight)`` per partition of DataFrames, from one frame.

    The targets (and weights) join ``X`` as columns, so that each partition
    is read once and the three stay aligned whatever Dask's optimiser does
    with each of them alone (it may fuse the partitions of a single column).
    """
    import dask

    pieces = [X, y] + ([sample_weight] if sample_weight is not None else [])
    counts = [piece.npartitions for piece in pieces]
    if len(set(counts)) > 1:
        raise ValueError(
            "X, y (and sample_weight) must have the same partitions; got "
            f"{counts} partitions."
        )
    targets = y.to_frame() if y.ndim == 1 else y
    hidden = {f"__skmtl_y{k}__": targets[c] for k, c in enumerate(targets.columns)}
    if sample_weight is not None:
        hidden["__skmtl_weight__"] = sample_weight
    frame = X.assign(**hidden)
    layout = (list(X.columns), list(hidden), list(targets.columns), y.ndim == 1)
    return [dask.delayed(_split)(part, *layout) for part in frame.to_delayed()]


def _split(part, columns, hidden, names, series):
    """A partition of the joined frame back into ``(X, y, weight)``."""
    y = part[hidden[: len(names)]].set_axis(names, axis=1)
    weight = part[hidden[-1]] if len(hidden) > len(names) else None
    return part[columns], (y.iloc[:, 0] if series else y), weight


def _rechunk_rows(array, rows):
    if not is_dask_collection(array):
        raise TypeError("With a Dask array X, y and sample_weight must be Dask arrays.")
    if sum(rows) != array.shape[0]:
        raise ValueError(
            f"X has {sum(rows)} rows but a Dask array aligned with it has "
            f"{array.shape[0]}; they must match."
        )
    return array.rechunk({0: rows, **({1: -1} if array.ndim == 2 else {})})


def predict_by_partition(method, X, labels, dtype):
    """``method`` applied to each partition (DataFrame) or block of rows (array).

    ``labels`` is None for one value per row, else the names of the output
    columns; ``dtype`` that of the outputs.
    """
    import pandas as pd

    if hasattr(X, "map_partitions"):
        if labels is None:
            meta = pd.Series(dtype=dtype)
            return X.map_partitions(
                lambda part: pd.Series(method(part), index=part.index), meta=meta
            )
        meta = pd.DataFrame(columns=list(labels), dtype=dtype)
        return X.map_partitions(
            lambda part: pd.DataFrame(method(part), index=part.index, columns=labels),
            meta=meta,
        )
    X = X.rechunk({1: -1})
    if labels is None:
        return X.map_blocks(method, drop_axis=1, dtype=dtype)
    return X.map_blocks(method, chunks=(X.chunks[0], (len(labels),)), dtype=dtype)
