"""What a fit costs against what its data costs (issue [8/10]).

Generated task-indexed data (``make_tall``: ``n_tasks`` tasks of ``n_rows``
rows, ``n_features`` standard normal features, the task id in column 0, rows
in random task order), one row of the table per shape:

* the **Gram pass**: the per-task Gram matrices by one batched numpy product
  on rows already grouped by task, the floor of any fit that forms them;
* scikit-learn's pooled ``Ridge`` on the same rows (without the task column);
* ``MeanRegularizedRegressor``, ``L21Regressor`` and
  ``MeanRegularizedClassifier`` (targets thresholded at their median) with
  the task column.

Times are the best of ``REPEAT`` (``REPEAT_WIDE`` for the wide shape, whose
fits take tens of seconds); peak memory is what ``tracemalloc`` traces during
one more fit (numpy's allocations included), next to the size of ``X``.
Goals of the issue: tall fits at most 2x the Gram pass and 1.5x the pooled
``Ridge``; wide fits at most 3x the pooled ``Ridge`` with peak memory at most
2x the data.

With ``--sparse`` it measures the issue's sparse case instead: a
``SPARSE_SHAPE`` CSR matrix (``SPARSE_DENSITY`` non-zeros, standard normal
values; ``SPARSE_TASKS`` tasks of random rows, the task id as a column of
the matrix), the pooled ``Ridge`` on the same sparse features against
``MeanRegularizedRegressor`` and ``L21Regressor`` (``alpha`` a tenth of its
``alpha_max``), each fitted once (time and tracemalloc peak), next to the
stored size of ``X`` and its dense size.

With ``--multilabel`` it measures the issue's text-like multi-label case:
``make_multilabel_classification(sparse=True)`` with ``MULTILABEL_SHAPE``
(0.5 % non-zero word counts), a shared design of ``MULTILABEL_LABELS``
labels, ``MeanRegularizedClassifier`` (coupling 0, which is one logistic
regression per label, and 1; ``alpha = 1 / (2 C n T)``, the strength of
``C=1`` in scikit-learn's sum of losses) with its default solver (truncated
Newton), and with ``solver="lbfgs"``, and ``L21Classifier`` at a tenth of its
``alpha_max`` (default ``tol``, 1e-6), against scikit-learn's one-vs-rest
``LogisticRegression(C=1)`` (lbfgs) at its default ``tol`` and at
``tol=1e-8``; each fitted once. At coupling 0 both solve the same problem:
the table gives the largest coefficient difference.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_cost [--sparse | --multilabel]

It writes the table into ``benchmarks/RESULTS.md`` between the markers
``<!-- bench_cost -->`` and ``<!-- /bench_cost -->`` (``bench_cost_sparse``
with ``--sparse``, ``bench_cost_multilabel`` with ``--multilabel``).
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.multiclass import OneVsRestClassifier

import skmtl
from benchmarks._common import machine_info, markdown_table, write_section
from skmtl._task_data import row_products

SHAPES = [(1_000, 100, 20), (10_000, 100, 20), (200, 50, 2_000)]
REPEAT, REPEAT_WIDE = 3, 1
SPARSE_SHAPE, SPARSE_DENSITY, SPARSE_TASKS = (200_000, 50_000), 1e-3, 20
MULTILABEL_SHAPE, MULTILABEL_LABELS = (5_000, 20_000), 50
COMMAND = "OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_cost"


def make_tall(n_tasks, n_rows, n_features, seed=0):
    """``(X, y, features, tasks)``: task id in column 0, rows shuffled."""
    rng = np.random.default_rng(seed)
    tasks = np.repeat(np.arange(n_tasks), n_rows)
    rng.shuffle(tasks)
    features = rng.normal(size=(len(tasks), n_features))
    weights = rng.normal(size=n_features) + 0.3 * rng.normal(size=(n_tasks, n_features))
    y = np.einsum("ij,ij->i", features, weights[tasks]) + rng.normal(size=len(tasks))
    return np.column_stack([tasks, features]), y, features, tasks


def _candidates(X, y, features, tasks, shape):
    n_tasks, n_rows, n_features = shape
    grouped = np.ascontiguousarray(features[np.argsort(tasks, kind="stable")])
    blocks = grouped.reshape(n_tasks, n_rows, n_features)
    labels = (y > np.median(y)).astype(int)
    return {
        "Gram pass": lambda: np.matmul(blocks.transpose(0, 2, 1), blocks),
        "pooled Ridge": lambda: Ridge(1.0).fit(features, y),
        "MeanRegularizedRegressor": lambda: skmtl.MeanRegularizedRegressor(
            0.01, 1.0, task_column=0
        ).fit(X, y),
        "L21Regressor": lambda: skmtl.L21Regressor(0.01, task_column=0).fit(X, y),
        "MeanRegularizedClassifier": lambda: skmtl.MeanRegularizedClassifier(
            0.01, 1.0, task_column=0
        ).fit(X, labels),
    }


def _best_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _peak_memory(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(shape, verbose=True):
    X, y, features, tasks = make_tall(*shape)
    repeat = REPEAT_WIDE if shape[2] > shape[1] else REPEAT
    results = {}
    for name, function in _candidates(X, y, features, tasks, shape).items():
        seconds = _best_time(function, repeat)
        peak = _peak_memory(function)
        results[name] = (seconds, peak)
        if verbose:
            print(f"{shape} {name}: {seconds:.3f} s, {peak / 1e6:.0f} MB", flush=True)
    return results, features.nbytes


def table(measured):
    header = ["data (tasks x rows x features)", "X"]
    names = list(next(iter(measured.values()))[0])
    header += [*names, "MR / Gram pass", "MR / Ridge"]
    rows = []
    for (T, n, p), (results, nbytes) in measured.items():
        cells = [f"{T:,} x {n} x {p:,}", f"{nbytes / 1e6:.0f} MB"]
        cells += [f"{s:.3f} s, {m / 1e6:.0f} MB" for s, m in results.values()]
        mr = results["MeanRegularizedRegressor"][0]
        cells += [
            f"{mr / results['Gram pass'][0]:.1f}x",
            f"{mr / results['pooled Ridge'][0]:.1f}x",
        ]
        rows.append(cells)
    return markdown_table(header, rows)


def make_sparse(seed=0):
    """``(X, y, features)``: CSR features with the task id in column 0."""
    rng = np.random.default_rng(seed)
    n, p = SPARSE_SHAPE
    features = sp.random_array(
        (n, p),
        density=SPARSE_DENSITY,
        format="csr",
        rng=rng,
        data_sampler=rng.standard_normal,
    )
    tasks = rng.integers(0, SPARSE_TASKS, n)
    weights = np.zeros((SPARSE_TASKS, p))
    weights[:, :100] = 1.0 + rng.normal(size=(SPARSE_TASKS, 100))
    y = row_products(features, weights, tasks) + rng.normal(size=n)
    X = sp.hstack([sp.csr_array(tasks[:, None].astype(float)), features], "csr")
    return X, y, features


def sparse_table():
    X, y, features = make_sparse()
    alpha = skmtl.l21_alpha_max(X, y, task_column=0) / 10
    candidates = {
        "pooled Ridge": lambda: Ridge(1.0).fit(features, y),
        "MeanRegularizedRegressor": lambda: skmtl.MeanRegularizedRegressor(
            0.01, 1.0, task_column=0
        ).fit(X, y),
        f"L21Regressor (alpha={alpha:.2g})": lambda: skmtl.L21Regressor(
            alpha, task_column=0
        ).fit(X, y),
    }
    stored = sum(a.nbytes for a in (features.data, features.indices, features.indptr))
    rows = []
    for name, function in candidates.items():
        tracemalloc.start()
        start = time.perf_counter()
        function()
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"sparse {name}: {seconds:.2f} s, {peak / 1e6:.0f} MB", flush=True)
        rows.append([name, f"{seconds:.2f} s", f"{peak / 1e6:.0f} MB"])
    n, p = SPARSE_SHAPE
    return "\n\n".join(
        [
            "## Sparse X: what a fit costs against its data (issue [8/10])",
            f"Command: `{COMMAND} --sparse`. CSR X of {n:,} x {p:,} with "
            f"{features.nnz:,} non-zeros ({stored / 1e6:.0f} MB stored, "
            f"{n * p * 8 / 1e9:.0f} GB dense), {SPARSE_TASKS} tasks. One fit "
            "each, timed with tracemalloc on (which slows allocations).",
            markdown_table(["model", "fit time", "peak memory (tracemalloc)"], rows),
            markdown_table(["", ""], machine_info()),
        ]
    )


def multilabel_table():
    n, p = MULTILABEL_SHAPE
    X, Y = make_multilabel_classification(
        n_samples=n,
        n_features=p,
        n_classes=MULTILABEL_LABELS,
        n_labels=3,
        length=100,
        sparse=True,
        random_state=0,
    )
    X = X.tocsr().astype(float)
    alpha = 1 / (2 * n * MULTILABEL_LABELS)

    def ovr(tol):
        return OneVsRestClassifier(LogisticRegression(tol=tol, max_iter=10_000))

    candidates = {
        "one-vs-rest LogisticRegression (tol=1e-4, its default)": ovr(1e-4),
        "one-vs-rest LogisticRegression (tol=1e-8)": ovr(1e-8),
    }
    for coupling in (0.0, 1.0):
        for solver in ("auto", "lbfgs"):
            name = f"MeanRegularizedClassifier (coupling={coupling:g}, {solver})"
            candidates[name] = skmtl.MeanRegularizedClassifier(
                alpha, coupling, solver=solver, tol=1e-8
            )
    alpha_l21 = 0.1 * skmtl.l21_alpha_max(X, Y, loss="logistic")
    candidates[f"L21Classifier (alpha={alpha_l21:.2g}, a tenth of alpha_max)"] = (
        skmtl.L21Classifier(alpha_l21)
    )
    times, fits = {}, {}
    for name, model in candidates.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            fits[name] = model.fit(X, Y)
            times[name] = time.perf_counter() - start
        stopped = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        note = "; ConvergenceWarning" if stopped else ""
        print(f"multilabel {name}: {times[name]:.2f} s{note}", flush=True)
        times[name] = (times[name], note)
    baseline = times["one-vs-rest LogisticRegression (tol=1e-4, its default)"][0]
    reference = np.vstack(
        [e.coef_ for e in fits["one-vs-rest LogisticRegression (tol=1e-8)"].estimators_]
    )
    rows = []
    for name, (seconds, note) in times.items():
        coef = getattr(fits[name], "coef_", None)
        same = (
            f"{np.abs(coef - reference).max():.1e}"
            if coef is not None and "coupling=0" in name
            else ""
        )
        steps = getattr(fits[name], "n_iter_", "")
        rows.append(
            [name, f"{seconds:.2f} s{note}", f"{seconds / baseline:.1f}x", steps, same]
        )
    header = [
        "model",
        "fit time",
        "/ one-vs-rest (default tol)",
        "n_iter_",
        "max |coef - one-vs-rest at tol=1e-8|",
    ]
    return "\n\n".join(
        [
            "## Sparse multi-label classification (issue [8/10])",
            f"Command: `{COMMAND} --multilabel`. "
            f"`make_multilabel_classification(n_samples={n}, n_features={p}, "
            f"n_classes={MULTILABEL_LABELS}, n_labels=3, length=100, "
            f"sparse=True, random_state=0)`: CSR word counts, {X.nnz:,} "
            f"non-zeros ({X.nnz / (n * p):.2%}). alpha = {alpha:.1e} "
            "(C=1); the mean-regularized fits stop at a duality gap of 1e-8 "
            "of the objective, L2,1 at 1e-6 (its default). One fit each.",
            markdown_table(header, rows),
            markdown_table(["", ""], machine_info()),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sparse", action="store_true")
    parser.add_argument("--multilabel", action="store_true")
    arguments = parser.parse_args()
    for flag, table_of, section in [
        (arguments.sparse, sparse_table, "bench_cost_sparse"),
        (arguments.multilabel, multilabel_table, "bench_cost_multilabel"),
    ]:
        if flag:
            text = table_of()
            print(text)
            write_section(text, section)
            return
    measured = {shape: measure(shape) for shape in SHAPES}
    text = "\n\n".join(
        [
            "## What a fit costs against its data (issue [8/10])",
            f"Command: `{COMMAND}`. Each cell: best time of "
            f"{REPEAT} fits ({REPEAT_WIDE} for the wide shape), and the peak "
            "memory traced by tracemalloc during one more fit. Sparse X: "
            "section `bench_cost_sparse`.",
            table(measured),
            markdown_table(["", ""], machine_info()),
        ]
    )
    print(text)
    write_section(text, "bench_cost")


if __name__ == "__main__":
    main()
