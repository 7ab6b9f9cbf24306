"""Data larger than memory: streaming chunks and a Dask cluster ([9/10]).

Generated task-indexed data written to Parquet (``DATASETS``: ``n_tasks``
tasks of ``n_rows`` rows, 20 standard normal features, the task id in column
``task``, rows in random task order, one file per million rows), then, each
measured in its own child process (wall time and peak resident memory of
every process):

* **I/O floor**: one Dask pass (LocalCluster, 2 worker processes) that reads
  the files and sums the features per partition;
* **compute floor**: one pass in this process that reads each file with
  pyarrow and forms the per-task Gram matrices of its rows with numpy
  (sort by task, batched products), the goals' reference; and the same
  pass adding each file's Gram matrices into those of the whole data set,
  which an exact one-pass fit must also do (with many tasks of few rows per
  file these sums are larger than the file);
* **streaming**: ``TaskStatistics`` of the chunks of
  ``skmtl.io.iter_chunks`` (one per file), added, then ``fit_statistics``
  of ``MeanRegularizedRegressor`` and ``L21Regressor``;
* **Dask**: the same models' ``fit`` on ``dask.dataframe.read_parquet``
  (statistics per partition, tree reduction on 2 worker processes);
* **anchors**, on the first data set only: scikit-learn's ``Ridge`` on the
  rows in memory and dask-glm's ``LinearRegression`` on the cluster, both
  the pooled model (a strictly smaller problem than the multi-task ones).

Both skmtl routes read the data once. With ``--logistic a`` it measures
instead ``MeanRegularizedClassifier`` and ``L21Classifier`` on ``y > 0``
through Dask (distributed proximal Newton: passes counted) against the
same floors and dask-glm's pooled ``LogisticRegression`` (section
``bench_scale_logistic``). Run from the repository root::

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_scale [--datasets a,b,c]
    OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_scale --logistic a

It writes the table into ``benchmarks/RESULTS.md`` between the markers
``<!-- bench_scale -->`` and ``<!-- /bench_scale -->`` (a run of some data
sets only, ``--datasets b``, between ``<!-- bench_scale_b -->`` and its
end). The files go to ``$SKMTL_SCALE_DIR`` (default ``/tmp/skmtl_scale``)
and are kept for the next run.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks._common import machine_info, markdown_table, write_section

N_FEATURES = 20
ROWS_PER_FILE = 1_000_000
DATASETS = {
    "a": (10_000, 2_000),
    "b": (100_000, 200),
    "c": (10_000, 10_000),
    "small": (1_000, 200),  # a quick check of the script
}
DATASETS_TASKS = {name: n_tasks for name, (n_tasks, _) in DATASETS.items()}
MODELS = {
    "MeanRegularizedRegressor": ("MeanRegularizedRegressor", {"alpha": 1e-3}),
    "L21Regressor": ("L21Regressor", {"alpha": 1e-3}),
}
COMMAND = "OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_scale"


def scale_dir():
    return Path(os.environ.get("SKMTL_SCALE_DIR", "/tmp/skmtl_scale"))


def write_dataset(name):
    """Write data set ``name`` as Parquet files (once); return its directory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_tasks, n_rows = DATASETS[name]
    directory = scale_dir() / name
    done = directory / "_complete"
    if done.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=N_FEATURES) + 0.3 * rng.normal(size=(n_tasks, N_FEATURES))
    total = n_tasks * n_rows
    tasks = np.repeat(np.arange(n_tasks, dtype=np.int64), n_rows)
    rng.shuffle(tasks)
    for k, start in enumerate(range(0, total, ROWS_PER_FILE)):
        task = tasks[start : start + ROWS_PER_FILE]
        X = rng.normal(size=(len(task), N_FEATURES))
        y = np.einsum("ij,ij->i", X, weights[task]) + rng.normal(size=len(task))
        columns = {"task": task, **{f"x{j}": X[:, j] for j in range(N_FEATURES)}}
        pq.write_table(
            pa.table({**columns, "y": y}), directory / f"part-{k:04d}.parquet"
        )
    done.touch()
    return directory


# -- the measurements, each run in a child process ---------------------------


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_compute_floor(directory, accumulate=False):
    """Per-task Gram matrices of each file; with ``accumulate``, added up over
    the files into the Gram matrices of the whole data set (what an exact
    one-pass fit must hold)."""
    import pyarrow.parquet as pq

    total = None
    start = time.perf_counter()
    for file in sorted(directory.glob("*.parquet")):
        table = pq.read_table(file)
        task = table.column("task").to_numpy()
        X = np.column_stack(
            [table.column(f"x{j}").to_numpy() for j in range(N_FEATURES)]
        )
        order = np.argsort(task, kind="stable")
        X, task = X[order], task[order]
        ids, starts, counts = np.unique(task, return_index=True, return_counts=True)
        if accumulate and total is None:
            total = np.zeros((DATASETS_TASKS[directory.name], N_FEATURES, N_FEATURES))
        for size in np.unique(counts):
            first = starts[counts == size]
            blocks = X[first[:, None] + np.arange(size)]
            grams = np.matmul(blocks.transpose(0, 2, 1), blocks)
            if accumulate:  # (task ids are unique within a group: no add.at)
                total[ids[counts == size]] += grams
    return {"seconds": time.perf_counter() - start, "peak_mb": [_peak_mb()]}


def measure_compute_floor_total(directory):
    return measure_compute_floor(directory, accumulate=True)


def measure_streaming(directory):
    import skmtl
    from skmtl.io import iter_chunks

    start = time.perf_counter()
    statistics = 0
    for chunk in iter_chunks(directory / "*.parquet", chunksize=ROWS_PER_FILE):
        statistics += skmtl.TaskStatistics.from_data(
            chunk.drop(columns="y"), chunk["y"], task_column="task"
        )
    result = {"statistics": time.perf_counter() - start}
    for name, (cls, params) in MODELS.items():
        model = getattr(skmtl, cls)(task_column="task", **params)
        start = time.perf_counter()
        model.fit_statistics(statistics)
        result[name] = time.perf_counter() - start
    result["peak_mb"] = [_peak_mb()]
    return result


def _cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(cluster)
    client.run(lambda: __import__("skmtl") and None)  # imports before timing
    return cluster, client


def _cluster_peaks(client):
    peaks = client.run(_peak_mb)
    return [_peak_mb(), *peaks.values()]


def measure_io_floor(directory):
    import dask.dataframe as dd

    cluster, client = _cluster()
    with cluster, client:
        frame = dd.read_parquet(str(directory / "*.parquet"))
        start = time.perf_counter()
        frame.drop(columns=["task", "y"]).sum().compute()
        return {
            "seconds": time.perf_counter() - start,
            "peak_mb": _cluster_peaks(client),
        }


def measure_dask(directory):
    import dask.dataframe as dd

    import skmtl

    cluster, client = _cluster()
    result = {}
    with cluster, client:
        for name, (cls, params) in MODELS.items():
            frame = dd.read_parquet(str(directory / "*.parquet"))
            model = getattr(skmtl, cls)(task_column="task", **params)
            start = time.perf_counter()
            model.fit(frame.drop(columns="y"), frame["y"])
            result[name] = time.perf_counter() - start
        result["peak_mb"] = _cluster_peaks(client)
    return result


def measure_ridge(directory):
    import pandas as pd
    from sklearn.linear_model import Ridge

    start = time.perf_counter()
    frame = pd.read_parquet(directory)
    X = frame[[f"x{j}" for j in range(N_FEATURES)]].to_numpy()
    Ridge(1.0).fit(X, frame["y"].to_numpy())
    return {"seconds": time.perf_counter() - start, "peak_mb": [_peak_mb()]}


def measure_dask_glm(directory, logistic=False):
    """dask-glm's pooled linear (or, on ``y > 0``, logistic) regression, with
    its defaults: ADMM, an L2 penalty."""
    import dask.dataframe as dd
    from dask_glm.estimators import LinearRegression, LogisticRegression

    cluster, client = _cluster()
    with cluster, client:
        frame = dd.read_parquet(str(directory / "*.parquet"))
        features = [f"x{j}" for j in range(N_FEATURES)]
        start = time.perf_counter()
        # One array for X and y: Dask fuses the partitions of a lone column.
        if logistic:
            columns = frame[features].assign(label=frame["y"] > 0).astype(float)
        else:
            columns = frame[[*features, "y"]]
        data = columns.to_dask_array(lengths=True)
        model = LogisticRegression() if logistic else LinearRegression()
        model.fit(data[:, :-1], data[:, -1])
        return {
            "seconds": time.perf_counter() - start,
            "peak_mb": _cluster_peaks(client),
        }


CLASSIFIERS = {
    "MeanRegularizedClassifier": ("MeanRegularizedClassifier", {"alpha": 1e-3}),
    "L21Classifier": ("L21Classifier", {"alpha": 1e-3}),
}


def measure_dask_logistic(directory):
    """The classifiers on ``y > 0``: distributed proximal Newton, one pass per
    Newton step (and one over the labels alone)."""
    import dask.dataframe as dd

    import skmtl

    cluster, client = _cluster()
    result = {}
    with cluster, client:
        for name, (cls, params) in CLASSIFIERS.items():
            frame = dd.read_parquet(str(directory / "*.parquet"))
            model = getattr(skmtl, cls)(task_column="task", **params)
            start = time.perf_counter()
            model.fit(frame.drop(columns="y"), frame["y"] > 0)
            result[name] = {
                "seconds": time.perf_counter() - start,
                "passes": model._n_passes,
                "newton_steps": model.n_iter_,
                "gap": model.dual_gap_,
            }
        result["peak_mb"] = _cluster_peaks(client)
    return result


MEASUREMENTS = {
    "io_floor": measure_io_floor,
    "compute_floor": measure_compute_floor,
    "compute_floor_total": measure_compute_floor_total,
    "streaming": measure_streaming,
    "dask": measure_dask,
    "ridge": measure_ridge,
    "dask_glm": measure_dask_glm,
    "dask_logistic": measure_dask_logistic,
    "dask_glm_logistic": partial(measure_dask_glm, logistic=True),
}
LOGISTIC = ("io_floor", "compute_floor", "dask_logistic", "dask_glm_logistic")
ANCHORS = ("ridge", "dask_glm")  # measured on the first data set only


def run_child(measurement, directory):
    """Run one measurement in a fresh process; its JSON result."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_scale",
            "--child",
            measurement,
            str(directory),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# -- the table ------------------------------------------------------------------


def _seconds(value):
    return f"{value:.1f} s" if value >= 1 else f"{value * 1e3:.0f} ms"


def _memory(peaks):
    return " / ".join(f"{p / 1024:.2f}" for p in peaks) + " GB"


def _label(name):
    n_tasks, n_rows = DATASETS[name]
    return f"({name}) {n_tasks:,} x {n_rows:,} x {N_FEATURES}"


def _row(label, what, seconds, floor, passes, peaks, *extra):
    """A row: time, its ratio to ``floor`` (None: no ratio), passes, the
    ``extra`` columns, then the peak memory."""
    ratio = "" if floor is None else f"{seconds / floor:.2f}x"
    return [label, what, _seconds(seconds), ratio, passes, *extra, _memory(peaks)]


def _floor_rows(label, results, *extra):
    """The rows of the floors (``extra``: empty cells of the other columns)."""
    floor = results["compute_floor"]["seconds"]
    io = results["io_floor"]
    rows = [
        _row(
            label,
            "I/O floor (Dask, 2 workers)",
            io["seconds"],
            None,
            "1",
            io["peak_mb"],
            *extra,
        ),
        _row(
            label,
            "compute floor (numpy Gram pass)",
            floor,
            floor,
            "1",
            results["compute_floor"]["peak_mb"],
            *extra,
        ),
    ]
    if "compute_floor_total" in results:
        summed = results["compute_floor_total"]
        what = "compute floor, Gram matrices added up over the files"
        rows.append(
            _row(label, what, summed["seconds"], floor, "1", summed["peak_mb"], *extra)
        )
    return rows


def rows_of(name, results):
    label, floor = _label(name), results["compute_floor"]["seconds"]
    rows = _floor_rows(label, results)
    streaming, dask = results["streaming"], results["dask"]
    for model in MODELS:
        total = streaming["statistics"] + streaming[model]
        what = (
            f"{model}, streaming (statistics {_seconds(streaming['statistics'])}"
            f" + fit {_seconds(streaming[model])})"
        )
        rows.append(_row(label, what, total, floor, "1", streaming["peak_mb"]))
        what = f"{model}, Dask (2 workers)"
        rows.append(_row(label, what, dask[model], floor, "1", dask["peak_mb"]))
    anchors = {
        "ridge": "scikit-learn Ridge in memory (pooled)",
        "dask_glm": "dask-glm LinearRegression (pooled, ADMM, 2 workers)",
    }
    for key, what in anchors.items():
        if key in results:
            anchor = results[key]
            rows.append(
                _row(label, what, anchor["seconds"], None, "", anchor["peak_mb"])
            )
    return rows


def logistic_rows(name, results):
    label, floor = _label(name), results["compute_floor"]["seconds"]
    rows = _floor_rows(label, results, "")
    fits = results["dask_logistic"]
    for model in CLASSIFIERS:
        fit = fits[model]
        passes = f"{fit['passes']} ({fit['newton_steps']} Newton steps)"
        what, gap = f"{model}, Dask (2 workers)", f"{fit['gap']:.1e}"
        rows.append(
            _row(label, what, fit["seconds"], floor, passes, fits["peak_mb"], gap)
        )
    glm = results["dask_glm_logistic"]
    what = "dask-glm LogisticRegression (pooled, ADMM, 2 workers)"
    rows.append(_row(label, what, glm["seconds"], floor, "", glm["peak_mb"], ""))
    return rows


def main_logistic(name):
    directory = write_dataset(name)
    results = {}
    for measurement in LOGISTIC:
        results[measurement] = run_child(measurement, directory)
        print(name, measurement, results[measurement], flush=True)
    header = [
        "data (tasks x rows x features)",
        "what",
        "time",
        "/ compute floor",
        "passes",
        "duality gap",
        "peak memory (client / workers)",
    ]
    text = "\n\n".join(
        [
            "## Logistic loss on Dask: distributed proximal Newton (issue [9/10])",
            f"Command: `{COMMAND} --logistic {name}`. The classifiers fit "
            "`y > 0` of the generated data set (tol=1e-6, the default); each "
            "Newton step is one pass over the Parquet files, plus one over the "
            "labels alone for the classes. Each measurement in a fresh "
            "process; peak memory is the resident set of each process (client "
            "first).",
            markdown_table(header, logistic_rows(name, results)),
            markdown_table(["", ""], _machine()),
        ]
    )
    print(text)
    write_section(text, "bench_scale_logistic")


def _machine():
    import dask
    import distributed
    import pyarrow

    versions = f"{dask.__version__} / {distributed.__version__} / {pyarrow.__version__}"
    return [*machine_info(), ("dask / distributed / pyarrow", versions)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", default="a,b,c")
    parser.add_argument("--child", nargs=2, metavar=("MEASUREMENT", "DIRECTORY"))
    parser.add_argument("--logistic", metavar="DATASET")
    args = parser.parse_args()
    if args.child:
        measurement, directory = args.child
        print(json.dumps(MEASUREMENTS[measurement](Path(directory))))
        return
    if args.logistic:
        main_logistic(args.logistic)
        return
    names = args.datasets.split(",")
    table_rows = []
    for name in names:
        directory = write_dataset(name)
        results = {}
        for measurement in MEASUREMENTS:
            if measurement in ("dask_logistic", "dask_glm_logistic"):
                continue  # (--logistic)
            if measurement in ANCHORS and name != names[0]:
                continue
            results[measurement] = run_child(measurement, directory)
            print(name, measurement, results[measurement], flush=True)
        table_rows += rows_of(name, results)
    header = [
        "data (tasks x rows x features)",
        "what",
        "time",
        "/ compute floor",
        "passes",
        "peak memory (client / workers)",
    ]
    text = "\n\n".join(
        [
            "## Data larger than memory: streaming and Dask (issue [9/10])",
            f"Command: `{COMMAND} --datasets {args.datasets}`. Parquet files of "
            f"{ROWS_PER_FILE:,} rows; each measurement in a fresh process; peak "
            "memory is the resident set of each process (client first).",
            markdown_table(header, table_rows),
            markdown_table(["", ""], _machine()),
        ]
    )
    print(text)
    # A run of some of the data sets gets a section of its own.
    marker = "bench_scale"
    if args.datasets != "a,b,c":
        marker += "_" + args.datasets.replace(",", "_")
    write_section(text, marker)


if __name__ == "__main__":
    main()
