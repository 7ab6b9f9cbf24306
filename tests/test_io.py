"""skmtl.io.iter_chunks: CSV and Parquet files, globs, in chunks of rows.

The oracle is the file read whole by pandas: the chunks, concatenated, are
those rows; a model fitted chunk by chunk is the model of all rows.
"""

import numpy as np
import pandas as pd
import pytest

from skmtl import L21Regressor, TaskStatistics
from skmtl.io import iter_chunks


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = 503
    return pd.DataFrame(
        {
            "store": rng.choice(["a", "b", "c"], n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "sales": rng.normal(size=n),
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_chunks_are_the_rows_of_the_file(tmp_path, frame, suffix):
    path = tmp_path / f"sales{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    chunks = list(iter_chunks(path, chunksize=100))
    assert [len(c) for c in chunks] == [100] * 5 + [3]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), frame)


def test_a_glob_reads_every_file_in_name_order(tmp_path, frame):
    parts = np.array_split(np.arange(len(frame)), 3)
    frame.iloc[parts[0]].to_parquet(tmp_path / "part-0.parquet", index=False)
    frame.iloc[parts[1]].to_csv(tmp_path / "part-1.csv", index=False)
    frame.iloc[parts[2]].to_parquet(tmp_path / "part-2.parquet", index=False)
    chunks = list(iter_chunks(tmp_path / "part-*", chunksize=1000))
    assert len(chunks) == 3  # a chunk never spans two files
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), frame)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_columns_selects_columns(tmp_path, frame, suffix):
    path = tmp_path / f"sales{suffix}"
    getattr(frame, "to_parquet" if suffix == ".parquet" else "to_csv")(
        path, index=False
    )
    chunk = next(iter_chunks(path, columns=["store", "sales"]))
    assert list(chunk.columns) == ["store", "sales"]
    with pytest.raises(ValueError, match="price"):
        next(iter_chunks(path, columns=["store", "price"]))


def test_partial_fit_over_the_chunks_of_a_file_is_the_fit_of_the_file(tmp_path, frame):
    path = tmp_path / "sales.parquet"
    frame.to_parquet(path, index=False)
    model = L21Regressor(0.01, task_column="store", tol=1e-12)
    stats = None
    for chunk in iter_chunks(path, chunksize=64):
        X, y = chunk.drop(columns="sales"), chunk["sales"]
        model.partial_fit(X, y)
        part = TaskStatistics.from_data(X, y, task_column="store")
        stats = part if stats is None else stats + part
    full = L21Regressor(0.01, task_column="store", tol=1e-12).fit(
        frame.drop(columns="sales"), frame["sales"]
    )
    np.testing.assert_allclose(model.coef_, full.coef_, atol=1e-8)
    np.testing.assert_array_equal(model.tasks_, ["a", "b", "c"])
    assert stats.n_samples == len(frame)


def test_bad_paths_and_chunk_sizes(tmp_path, frame):
    with pytest.raises(FileNotFoundError, match="No file matches"):
        next(iter_chunks(tmp_path / "*.parquet"))
    with pytest.raises(FileNotFoundError, match="No file matches"):
        next(iter_chunks(tmp_path / "missing.csv"))
    (tmp_path / "sales.xlsx").write_text("")
    with pytest.raises(ValueError, match="neither a CSV nor a Parquet"):
        next(iter_chunks(tmp_path / "sales.xlsx"))
    frame.to_csv(tmp_path / "sales.csv", index=False)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="chunksize must be a positive"):
            next(iter_chunks(tmp_path / "sales.csv", chunksize=bad))


def test_the_optional_libraries_are_imported_only_when_used():
    """Dask, distributed and tqdm stay optional: importing skmtl (and
    skmtl.io) loads none of them. (pyarrow is not checked: pandas imports it
    when it is installed.)"""
    import subprocess
    import sys

    code = (
        "import sys, skmtl, skmtl.io; "
        "print(sorted(m for m in ('dask', 'distributed', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
