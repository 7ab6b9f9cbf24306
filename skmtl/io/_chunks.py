"""CSV and Parquet files (or a glob of them) as a stream of DataFrames."""

import glob
import numbers
from pathlib import Path

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")
PARQUET_SUFFIXES = (".parquet", ".pq")


def iter_chunks(path, *, chunksize=100_000, columns=None):
    """Yield the rows of CSV or Parquet files as DataFrames of ``chunksize`` rows.

    A file is never loaded whole: CSV files are read by
    :func:`pandas.read_csv` with ``chunksize``, Parquet files batch by batch
    by :meth:`pyarrow.parquet.ParquetFile.iter_batches`. A glob pattern
    reads every matching file, in sorted order of their names; a chunk
    holds rows of one file only (the last chunk of a file may be shorter).

    Parameters
    ----------
    path : str or path-like
        A file (``.csv``, optionally compressed as ``.csv.gz``, ``.bz2``,
        ``.zip`` or ``.xz``, or ``.parquet``/``.pq``), or a glob pattern such
        as ``"sales/*.parquet"``.
    chunksize : int, default=100_000
        Rows per chunk.
    columns : list of str, default=None
        The columns to read (all by default), in the files' order.

    Yields
    ------
    chunk : pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        When no file matches ``path``.
    ValueError
        For a file of another type, a bad ``chunksize``, or a column in
        ``columns`` that a file lacks.
    ImportError
        For Parquet files without pyarrow (``pip install "skmtl[io]"``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.io import iter_chunks
    >>> frame = pd.DataFrame(
    ...     {
    ...         "store": [0, 0, 1, 1, 0, 1],
    ...         "x": [1.0, 2, 3, 4, 5, 6],
    ...         "y": [1.0, 3, 2, 5, 4, 7],
    ...     }
    ... )
    >>> tmp = Path(tempfile.mkdtemp())
    >>> frame.to_csv(tmp / "sales.csv", index=False)
    >>> model = MeanRegularizedRegressor(0.1, task_column="store")
    >>> for chunk in iter_chunks(tmp / "sales.csv", chunksize=4):
    ...     model = model.partial_fit(chunk[["store", "x"]], chunk["y"])
    >>> model.statistics_.n_samples
    6
    """
    if (
        not isinstance(chunksize, numbers.Integral)
        or isinstance(chunksize, bool)
        or chunksize < 1
    ):
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}.")
    for file in _files(path):
        reader = _read_parquet if file.name.endswith(PARQUET_SUFFIXES) else _read_csv
        yield from reader(file, chunksize, columns)


def _files(path):
    """The files ``path`` names: itself, or the sorted matches of a glob."""
    pattern = str(path)
    files = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    files = [Path(f) for f in files if Path(f).is_file()]
    if not files:
        raise FileNotFoundError(f"No file matches {pattern!r}.")
    for file in files:
        if not file.name.endswith(CSV_SUFFIXES + PARQUET_SUFFIXES):
            raise ValueError(
                f"{str(file)!r} is neither a CSV nor a Parquet file; the file "
                f"names must end with one of {list(CSV_SUFFIXES + PARQUET_SUFFIXES)}."
            )
    return files


def _read_csv(file, chunksize, columns):
    import pandas as pd

    try:
        reader = pd.read_csv(file, chunksize=chunksize, usecols=columns)
    except ValueError as error:  # usecols naming a missing column
        raise ValueError(f"{str(file)!r}: {error}") from error
    with reader:
        yield from reader


def _read_parquet(file, chunksize, columns):
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ImportError(
            f"Reading the Parquet file {str(file)!r} needs pyarrow: "
            'pip install "skmtl[io]".'
        ) from error
    parquet = pq.ParquetFile(file)
    missing = sorted(set(columns or ()) - set(parquet.schema_arrow.names))
    if missing:
        raise ValueError(
            f"{str(file)!r} has no column(s) {missing}; its columns are "
            f"{parquet.schema_arrow.names}."
        )
    for batch in parquet.iter_batches(batch_size=chunksize, columns=columns):
        yield batch.to_pandas()
