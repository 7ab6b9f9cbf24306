"""
========================================
Data larger than memory: chunks and Dask
========================================

*Mechanism: attribute selection, on data of any length.*

A squared-loss multi-task model sees its rows only through a few numbers per
task: each task's row count, feature and target means, and centred Gram
matrix and cross-products, :math:`O(T p^2)` floats whatever the number of
rows (see :ref:`beyond_memory`). These statistics add up over chunks of rows,
so a model fitted chunk by chunk, or partition by partition on Dask, is the
model fitted on all the rows at once. Here a generated data set is written
as Parquet files and fitted both ways with :class:`~skmtl.L21Regressor`; the
in-memory fit on all rows, possible only because the data are small, is the
reference.
"""

# %%
# A data set in Parquet files
# ---------------------------
# Twenty tasks (``task``), eight features, shuffled rows, four files.
import tempfile
from pathlib import Path

import dask
import dask.dataframe as dd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skmtl import L21Classifier, L21Regressor
from skmtl.datasets import make_multitask_regression
from skmtl.io import iter_chunks

X, y = make_multitask_regression(
    n_tasks=20,
    n_samples=10_000,
    n_features=8,
    n_informative=5,
    task_offset_std=1.0,
    as_frame=True,
    random_state=0,
)
frame = X.assign(y=y).sample(frac=1, random_state=0).reset_index(drop=True)
tmp = tempfile.TemporaryDirectory()
folder = Path(tmp.name)
for i, rows in enumerate(np.array_split(np.arange(len(frame)), 4)):
    frame.iloc[rows].to_parquet(folder / f"part-{i}.parquet", index=False)
on_disk = sum(path.stat().st_size for path in folder.glob("*.parquet"))
print(f"{len(frame)} rows in 4 files, {on_disk / 1e6:.1f} MB on disk")

# The reference: every row in memory. ``tol=1e-12`` solves both fits to
# round-off, so that what remains between them is the data they saw.
full_data = pd.read_parquet(folder)
full = L21Regressor(0.05, task_column="task", tol=1e-12).fit(
    full_data.drop(columns="y"), full_data["y"]
)

# %%
# Streaming: one chunk at a time
# ------------------------------
# :func:`skmtl.io.iter_chunks` reads the files 25,000 rows at a time and
# ``partial_fit`` adds each chunk's statistics to ``statistics_``, then
# refits from the last model: after each chunk the model is the fit on the
# rows seen so far. The statistics keep their size while the rows read grow.
model = L21Regressor(0.05, task_column="task", tol=1e-12)
distance, rows_seen, data_bytes = [], 0, 0
print("chunk   rows  data read  statistics  max |coef - full coef|")
for k, chunk in enumerate(iter_chunks(folder / "*.parquet", chunksize=25_000)):
    model.partial_fit(chunk.drop(columns="y"), chunk["y"])
    stats = model.statistics_
    arrays = stats.gram, stats.xy, stats.x_mean, stats.y_mean, stats.yy
    stats_bytes = sum(a.nbytes for a in arrays) + stats.weight_sums.nbytes
    rows_seen += len(chunk)
    data_bytes += chunk.memory_usage(deep=True).sum()
    distance.append(np.abs(model.coef_ - full.coef_).max())
    print(
        f"{k + 1:>5} {rows_seen:>6} {data_bytes / 1e6:>7.1f} MB "
        f"{stats_bytes / 1e3:>8.1f} kB  {distance[-1]:.1e}"
    )
print(f"statistics: {stats}")

# %%
# Dask: partitions where they live
# --------------------------------
# On a Dask DataFrame each partition's statistics are computed where the
# partition lives and added up; only statistics travel. The synchronous
# scheduler keeps this example light; a ``distributed.Client`` runs the same
# code on a cluster.
# (``filesystem="arrow"`` reads a folder of Parquet files with pyarrow.)
with dask.config.set(scheduler="synchronous"):
    data = dd.read_parquet(str(folder), filesystem="arrow")
    X_dask, y_dask = data.drop(columns="y"), data["y"]
    on_dask = L21Regressor(0.05, task_column="task", tol=1e-12).fit(X_dask, y_dask)
    print(
        f"Dask, {data.npartitions} partitions: max |coef - full coef| = "
        f"{np.abs(on_dask.coef_ - full.coef_).max():.1e}"
    )

    # A classifier on Dask: ``n_iter_`` counts its Newton steps, each one pass
    # over the partitions (the class labels take one more pass over ``y``).
    # It is compared with the same classifier fitted in memory, both at the
    # default ``tol=1e-6``.
    clf = L21Classifier(0.01, task_column="task").fit(X_dask, y_dask > 0)
clf_memory = L21Classifier(0.01, task_column="task").fit(
    full_data.drop(columns="y"), full_data["y"] > 0
)
print(
    f"L21Classifier on Dask: {clf.n_iter_} Newton steps; max |coef - in-memory "
    f"coef| = {np.abs(clf.coef_ - clf_memory.coef_).max():.1e}"
)
tmp.cleanup()

# %%
# Distance to the full fit, chunk by chunk
# ----------------------------------------
# The partial models approach the full one as rows come in, and after the
# last chunk the two are the same model. Before it, the distance is no solver
# error: each partial model is the exact fit on fewer rows.
fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(np.arange(1, len(distance) + 1), distance, "o-")
ax.set_xlabel("chunks seen (25,000 rows each)")
ax.set_ylabel("max |coef_ - coef_ of the full fit|")
ax.set_title("partial_fit reaches the in-memory fit at the last chunk")
ax.grid(True, which="both", alpha=0.3)
plt.tight_layout()
