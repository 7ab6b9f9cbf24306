"""Where the exact solvers stop being the right default: the ``auto`` thresholds.

Comparisons on generated data (``skmtl.datasets``), both layouts, a range
of ``n_features``, and for the classifier on School (exam score above the
median, 27 features, singular per-task blocks); every fit stopped by the
same duality-gap rule (``tol`` relative to the objective):

* ``MeanRegularizedClassifier(solver="newton")`` vs ``solver="newton_cg"``
  (truncated Newton) on ``make_multitask_classification`` data, with
  ``solver="lbfgs"`` beside them;
* ``MeanRegularizedRegressor(solver="closed_form")`` vs ``solver="lbfgs"`` on
  ``make_multitask_regression`` data.

``solver="auto"`` picks the exact solver up to a number of features set in
``skmtl/solvers/_dispatch.py`` (``NEWTON_MAX_FEATURES`` per layout and
alternative for the logistic loss, ``CLOSED_FORM_MAX_FEATURES_PER_ROW``, in
features per row of a task, for the squared loss) and the iterative one
beyond (truncated Newton, L-BFGS). The *auto* column is what
``skmtl.solvers._dispatch.auto_solver`` returns for the same data, built as
the estimators build it; the report puts the measured crossovers next to
those constants.

Newton and the closed form build T p x p blocks (O(N p^2)) and invert them
(O(T p^3)) per step; truncated Newton and L-BFGS cost O(N p) per
Hessian product or iteration, L-BFGS needing many more of them, the more
the worse the problem is conditioned.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.bench_solvers
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from benchmarks._common import (
    data_home,
    fmt_time,
    markdown_table,
    relative_difference,
    write_section,
)
from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor
from skmtl._task_data import make_task_data, split_task_column
from skmtl.datafits import LogisticLoss, SquaredLoss
from skmtl.datasets import (
    load_school,
    make_multitask_classification,
    make_multitask_regression,
)
from skmtl.penalties import MeanRegularization
from skmtl.solvers import _dispatch

TOL = 1e-8
MAX_ITER = 5000
# Repeat a fit (median of up to REPEAT) only while the total stays short.
REPEAT = 3
REPEAT_BUDGET = 4.0  # seconds
# "Agrees" below: at every measured point, the solver auto picks is at most
# SLACK times slower than the faster of the two.
SLACK = 1.5

CLASSIFIER = "MeanRegularizedClassifier"
# The pooled classifier (coupling=inf), which truncated Newton does not take:
# Newton against L-BFGS.
POOLED = "MeanRegularizedClassifier, pooled"
REGRESSOR = "MeanRegularizedRegressor"
ESTIMATORS = {
    CLASSIFIER: {
        "class": MeanRegularizedClassifier,
        "make_data": make_multitask_classification,
        "datafit": LogisticLoss,
        "exact": "newton",
        "iterative": "newton_cg",
        "also": ("lbfgs",),
    },
    POOLED: {
        "class": MeanRegularizedClassifier,
        "make_data": make_multitask_classification,
        "datafit": LogisticLoss,
        "exact": "newton",
        "iterative": "lbfgs",
        "also": (),
    },
    REGRESSOR: {
        "class": MeanRegularizedRegressor,
        "make_data": make_multitask_regression,
        "datafit": SquaredLoss,
        "exact": "closed_form",
        "iterative": "lbfgs",
        "also": (),
    },
}

# (estimator, layout, n_tasks, rows per task (task-indexed) or rows (shared
#  design), alpha, coupling, features). Left out because they are slow and far
# from the crossover: the classifier at p = 1000 (Newton alone takes 4-6 s);
# the regressor at p = 2000 where L-BFGS needs 15-25 s (10 tasks of 1000 rows;
# alpha=1e-5, coupling=100 task-indexed, where the closed form is 5x faster).
P_CLF = (10, 20, 30, 50, 100, 200, 500)
P_REG = (20, 50, 100, 200, 500, 1000, 2000)
P_POOLED = (20, 50, 100, 200, 300, 500, 1000)
CASES = [
    (CLASSIFIER, "task-indexed", 10, 200, 1e-3, 1.0, P_CLF),
    (CLASSIFIER, "task-indexed", 10, 1000, 1e-3, 1.0, P_CLF),
    (CLASSIFIER, "task-indexed", 50, 100, 1e-3, 1.0, P_CLF[:-1]),
    (CLASSIFIER, "shared design", 10, 500, 1e-3, 1.0, P_CLF),
    (CLASSIFIER, "task-indexed", 10, 200, 1e-5, 100.0, P_CLF),
    (CLASSIFIER, "shared design", 10, 500, 1e-5, 100.0, P_CLF[:-1]),
    (CLASSIFIER, "task-indexed", 139, None, 1e-4, 1.0, (27,)),  # School
    (POOLED, "task-indexed", 139, None, 1e-4, np.inf, (27,)),  # School
    (POOLED, "task-indexed", 10, 200, 1e-3, np.inf, P_POOLED),
    (POOLED, "task-indexed", 50, 100, 1e-3, np.inf, P_POOLED),
    (POOLED, "shared design", 10, 500, 1e-3, np.inf, P_POOLED),
    (REGRESSOR, "task-indexed", 10, 200, 1e-3, 1.0, P_REG),
    (REGRESSOR, "task-indexed", 10, 1000, 1e-3, 1.0, P_REG[:-1]),
    (REGRESSOR, "task-indexed", 50, 100, 1e-3, 1.0, P_REG[:-1]),
    (REGRESSOR, "shared design", 10, 500, 1e-3, 1.0, P_REG),
    (REGRESSOR, "task-indexed", 10, 200, 1e-5, 100.0, P_REG[:-1]),
    (REGRESSOR, "shared design", 10, 500, 1e-5, 100.0, P_REG),
]


def _time_fit(make, X, y):
    """Median time of up to REPEAT fits, fewer when a fit is slow; last model."""
    times = []
    model = None
    while len(times) < REPEAT:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model = make().fit(X, y)
            times.append(time.perf_counter() - start)
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        if sum(times) + times[-1] > REPEAT_BUDGET:
            break
    return float(np.median(times)), len(times), model, converged


def _linear(model, X, task_column):
    """``x . w_t + b_t`` from coef_/intercept_: (n,) or (n, n_tasks)."""
    if task_column is None:
        return X @ model.coef_.T + model.intercept_
    index = np.searchsorted(model.tasks_, X[:, task_column])
    features = np.delete(X, task_column, axis=1)
    return np.einsum("ij,ij->i", features, model.coef_[index]) + model.intercept_[index]


def objective(estimator, model, X, y, task_column, alpha, coupling):
    """Loss + mean-regularization penalty, recomputed with plain numpy.

    Classifier: mean logistic loss over the observed targets. Regressor:
    ``1/(2 n) sum (y - x w_t - b_t)^2`` with n the number of rows of X.
    """
    Z = _linear(model, X, task_column)
    Y = np.asarray(y, dtype=float)
    if estimator != REGRESSOR:
        signed = np.where(Y > 0, Z, -Z)
        loss = float(np.mean(np.logaddexp(0.0, -signed)))
    else:
        loss = float(np.sum((Y - Z) ** 2) / (2 * X.shape[0]))
    W = model.coef_
    # (Pooled: equal rows, the spread is a constraint and adds nothing.)
    spread = 0.0 if np.isinf(coupling) else coupling * np.sum((W - W.mean(0)) ** 2)
    penalty = alpha * (np.sum(W**2) + spread)
    return loss + float(penalty)


def auto_choice(estimator, X, y, task_column, alpha, coupling):
    """What ``solver="auto"`` picks: ``_dispatch.auto_solver`` on this data."""
    if task_column is None:
        features, task_ids = X, None
        Y = np.asarray(y, dtype=float)
    else:
        features, task_ids = split_task_column(X, task_column)
        Y = np.asarray(y, dtype=float)
    data = make_task_data(features, Y, task_ids)
    datafit = ESTIMATORS[estimator]["datafit"]()
    return _dispatch.auto_solver(data, datafit, MeanRegularization(alpha, coupling))


def school_classification():
    """School as a classification: exam score above the median, the
    standardised features beside the school id (column 0). Its one-hot
    school-level features are constant within each school: the per-task
    blocks are singular, which costs conjugate gradients more iterations
    than the generated data."""
    data = load_school(data_home())
    features = [c for c in data.data.columns if c != "school"]
    X = np.column_stack(
        [
            data.data["school"].to_numpy(dtype=float),
            StandardScaler().fit_transform(data.data[features]),
        ]
    )
    y = (data.target > np.median(data.target)).astype(int).to_numpy()
    return X, y


def run_case(estimator, layout, n_tasks, n_rows, alpha, coupling, n_features):
    """One point; ``n_rows=None`` is School (``school_classification``)."""
    spec = ESTIMATORS[estimator]
    shared = layout == "shared design"
    if n_rows is None:
        X, y = school_classification()
    else:
        X, y = spec["make_data"](
            n_tasks=n_tasks,
            n_samples=n_rows,
            n_features=n_features,
            n_informative=min(n_features, 20),
            shared_design=shared,
            random_state=0,
        )
    task_column = None if shared else 0
    exact = spec["exact"]
    row = {
        "estimator": estimator,
        "layout": layout,
        "n_tasks": n_tasks,
        "n_rows": int(X.shape[0]),
        "n_features": n_features,
        "alpha": alpha,
        "coupling": coupling,
        "exact_solver": exact,
        "iterative_solver": spec["iterative"],
        "auto": auto_choice(estimator, X, y, task_column, alpha, coupling),
    }
    objectives = {}
    solvers = [("exact", exact), ("iterative", spec["iterative"])]
    for key, solver in solvers + [(name, name) for name in spec["also"]]:

        def make(solver=solver):
            return spec["class"](
                alpha=alpha,
                coupling=coupling,
                task_column=task_column,
                solver=solver,
                tol=TOL,
                max_iter=MAX_ITER,
            )

        if n_features <= 100:  # warm-up on small cases
            make().fit(X, y)
        seconds, repeats, model, converged = _time_fit(make, X, y)
        objectives[key] = objective(
            estimator, model, X, y, task_column, alpha, coupling
        )
        row[key] = {
            "seconds": seconds,
            "repeats": repeats,
            "n_iter": int(model.n_iter_),
            "rel_gap": float(model.dual_gap_ / objectives[key]),
            "converged": converged,
        }
    row["objective_rel_diff"] = max(
        relative_difference(objectives["exact"], value) for value in objectives.values()
    )
    row["ratio"] = row["exact"]["seconds"] / row["iterative"]["seconds"]
    return row


CONSTANT_FIELDS = ("estimator", "layout", "name", "value", "solver")


def constants():
    """The thresholds of ``_dispatch.py``: per estimator and layout, the
    constant's name and value and the solver it chooses between (with the
    exact one)."""
    out = []
    for layout in ("task-indexed", "shared design"):
        for other, limits in _dispatch.NEWTON_MAX_FEATURES.items():
            name = f"NEWTON_MAX_FEATURES[{other!r}][{layout!r}]"
            estimator = CLASSIFIER if other == "newton_cg" else POOLED
            out.append((estimator, layout, name, limits[layout], other))
        name = "CLOSED_FORM_MAX_FEATURES_PER_ROW"
        value = _dispatch.CLOSED_FORM_MAX_FEATURES_PER_ROW
        out.append((REGRESSOR, layout, name, value, "lbfgs"))
    return out


def run(cases=CASES, verbose=True):
    start = time.perf_counter()
    rows = []
    for estimator, layout, n_tasks, n_rows, alpha, coupling, features in cases:
        for p in features:
            row = run_case(estimator, layout, n_tasks, n_rows, alpha, coupling, p)
            rows.append(row)
            if verbose:
                ex, it = row["exact"], row["iterative"]
                print(
                    f"{estimator.removeprefix('MeanRegularized'):10s} "
                    f"{layout:13s} T={n_tasks:3d} "
                    f"N={row['n_rows']:5d} alpha={alpha:g} c={coupling:g} "
                    f"p={p:5d} {row['exact_solver']} {fmt_time(ex['seconds']):>9s} "
                    f"({ex['n_iter']} it) {row['iterative_solver']} "
                    f"{fmt_time(it['seconds']):>9s} ({it['n_iter']} it) "
                    f"ratio {row['ratio']:.2f} auto {row['auto']} "
                    f"obj diff {row['objective_rel_diff']:.1e}",
                    flush=True,
                )
    return {
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "constants": [dict(zip(CONSTANT_FIELDS, c, strict=True)) for c in constants()],
    }


def _case_key(r):
    keys = ("estimator", "layout", "n_tasks", "n_rows", "alpha", "coupling")
    return tuple(r[k] for k in keys)


def crossovers(rows, other="iterative"):
    """Per case: the p where the exact solver is faster and where ``other``
    (a solver entry of the rows) is."""
    found = {}
    for r in rows:
        entry = found.setdefault(_case_key(r), {"exact_wins": [], "other_wins": []})
        faster = r["exact"]["seconds"] <= r[other]["seconds"]
        entry["exact_wins" if faster else "other_wins"].append(r["n_features"])
    return found


def _per_row(estimator):
    """Whether the estimator's threshold counts features per row of a task."""
    return estimator == REGRESSOR


def _limit(r, threshold):
    """The largest p for which ``threshold`` picks the exact solver in row ``r``:
    per row of a task (all rows on the shared design) for the regressor."""
    if not _per_row(r["estimator"]):
        return threshold
    rows = r["n_rows"] if r["layout"] == "shared design" else r["n_rows"] / r["n_tasks"]
    return threshold * rows


def regret(rows, threshold, other="iterative"):
    """Time of the solver a threshold picks over the faster one, per row.

    ``threshold``: exact solver for ``p <= _limit(row, threshold)``,
    ``other`` beyond.
    """
    return [
        r["exact" if r["n_features"] <= _limit(r, threshold) else other]["seconds"]
        / min(r["exact"]["seconds"], r[other]["seconds"])
        for r in rows
    ]


PER_ROW_CANDIDATES = (0.5, 1, 2, 4, 8, 16)


def threshold_summary(rows, other="iterative"):
    """Worst and geometric-mean regret of every candidate threshold of the grid.

    Candidates: 0 (always ``other``) and every measured p (the exact solver
    up to it), or for a threshold per row ``PER_ROW_CANDIDATES``. Returns
    (candidate, worst, geometric mean) tuples.
    """
    if _per_row(rows[0]["estimator"]):
        candidates = [0, *PER_ROW_CANDIDATES]
    else:
        candidates = [0, *sorted({r["n_features"] for r in rows})]
    out = []
    for c in candidates:
        values = np.array(regret(rows, c, other))
        out.append((c, float(values.max()), float(np.exp(np.mean(np.log(values))))))
    return out


def _fmt_thresholds(values, candidates):
    """``a-b`` for a run of consecutive candidates, else the list."""
    values = sorted(values)
    if len(values) == 1:
        return str(values[0])
    first, last = candidates.index(values[0]), candidates.index(values[-1])
    if candidates[first : last + 1] == values:
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))


def _entry(row, solver):
    """The key of ``solver``'s entry in a row: exact, iterative or its name."""
    for key in ("exact", "iterative"):
        if row[f"{key}_solver"] == solver:
            return key
    return solver


def _solver_keys(r):
    """The row's solver entries: exact, iterative, then those measured beside."""
    also = ESTIMATORS[r["estimator"]]["also"]
    return ["exact", "iterative", *also]


def _case_table(rows):
    table = []
    for r in rows:
        fits = [r[key] for key in _solver_keys(r)]
        flag = "" if all(f["converged"] for f in fits) else " (not converged)"
        table.append(
            [
                r["layout"],
                r["n_tasks"],
                r["n_rows"],
                f"{r['alpha']:g} / {r['coupling']:g}",
                r["n_features"],
                *(
                    f"{fmt_time(f['seconds'])} ({f['n_iter']} it, n={f['repeats']})"
                    for f in fits
                ),
                f"**{r['ratio']:.2f}**",
                r["auto"],
                f"{r['objective_rel_diff']:.0e}{flag}",
            ]
        )
    return table


def verdicts(results):
    """Per (estimator, layout): measured crossovers, constant, agreement."""
    rows = results["rows"]
    out = []
    for item in results["constants"]:
        estimator, layout, value = item["estimator"], item["layout"], item["value"]
        sub = [r for r in rows if r["estimator"] == estimator and r["layout"] == layout]
        if not sub:
            continue
        other = _entry(sub[0], item["solver"])
        cases = crossovers(sub, other)
        # Per case: largest p up to which the exact solver wins at every p,
        # and the first p where the other solver wins (None: never).
        last_exact, first_other = [], []
        for entry in cases.values():
            first = min(entry["other_wins"], default=None)
            first_other.append(first)
            below = [p for p in entry["exact_wins"] if first is None or p < first]
            last_exact.append(max(below, default=0))
        summary = threshold_summary(sub, other)
        candidates = [c for c, _, _ in summary]
        regrets = regret(sub, value, other)  # the constant's choice
        worst_auto = max(regrets)
        worst_row = sub[int(np.argmax(regrets))]
        best_worst = min(s[1] for s in summary)
        supported = [c for c, worst, _ in summary if worst <= SLACK]
        best = [c for c, worst, _ in summary if worst == best_worst]
        out.append(
            {
                "estimator": estimator,
                "layout": layout,
                "constant": value,
                "name": item["name"],
                "solver": item["solver"],
                "n_cases": len(cases),
                "last_exact": last_exact,
                "first_other": first_other,
                "auto_worst": worst_auto,
                "auto_worst_at": (
                    f"p={worst_row['n_features']}, {worst_row['n_tasks']} tasks, "
                    f"{worst_row['n_rows']} rows, {worst_row['alpha']:g} / "
                    f"{worst_row['coupling']:g}"
                ),
                "auto_geomean": float(np.exp(np.mean(np.log(regrets)))),
                "supported": supported,
                "best": best,
                "candidates": candidates,
                "best_worst": best_worst,
                "agrees": worst_auto <= SLACK,
            }
        )
    return out


def report(results):
    out = [
        '## Exact solver vs iterative: the `solver="auto"` thresholds',
        "",
        '`MeanRegularizedClassifier(solver="newton")` against '
        '`solver="newton_cg"` (truncated Newton; `solver="lbfgs"` beside '
        'them) and `MeanRegularizedRegressor(solver="closed_form")` against '
        '`solver="lbfgs"` on `make_multitask_classification` / '
        "`make_multitask_regression(n_tasks, n_samples, n_features, "
        "n_informative=min(p, 20), shared_design=..., random_state=0)`, and "
        "for the classifier School (139 tasks, 15,362 rows: exam score above "
        "the median, the 27 standardised features, whose one-hot school-level "
        "columns are constant within a task), "
        f"tol={TOL:g} (duality gap relative to the objective, the same rule for "
        f"every solver), max_iter={MAX_ITER}. Median of up to {REPEAT} fits "
        "(fewer when a fit is slow: n). The objective column is the largest "
        "difference from the exact solver's solution, recomputed with numpy "
        "from `coef_`/`intercept_` (mean "
        "logistic loss, or `1/(2n) sum (y - x w_t - b_t)^2`, plus the penalty). "
        '*auto* is what `solver="auto"` picks for that data: '
        "`skmtl.solvers._dispatch.auto_solver` on the `TaskData` the estimator "
        "builds, with "
        "`NEWTON_MAX_FEATURES = "
        f"{_dispatch.NEWTON_MAX_FEATURES}` and "
        "`CLOSED_FORM_MAX_FEATURES_PER_ROW = "
        f"{_dispatch.CLOSED_FORM_MAX_FEATURES_PER_ROW}` (features per row of "
        "a task; all rows on the shared design). "
        f"Wall time of this benchmark: {results['seconds']:.0f} s.",
    ]
    sections = [
        (CLASSIFIER, f"`{CLASSIFIER}`: Newton vs truncated Newton, logistic loss"),
        (POOLED, f"`{CLASSIFIER}` pooled (coupling=inf): Newton vs L-BFGS"),
        (REGRESSOR, f"`{REGRESSOR}`: closed form vs L-BFGS, squared loss"),
    ]
    for estimator, title in sections:
        rows = [r for r in results["rows"] if r["estimator"] == estimator]
        if not rows:
            continue
        names = [rows[0][f"{key}_solver"] for key in ("exact", "iterative")]
        exact, iterative = names
        names += list(ESTIMATORS[estimator]["also"])
        out += [
            "",
            f"### {title}",
            "",
            markdown_table(
                [
                    "layout",
                    "tasks",
                    "rows",
                    "alpha / coupling",
                    "features",
                    *names,
                    f"{exact} / {iterative} time",
                    "auto",
                    "objective rel. diff",
                ],
                _case_table(rows),
            ),
            "",
            f"Crossover ({exact} / {iterative} > 1: {iterative} is faster):",
            "",
        ]
        for key, entry in crossovers(rows).items():
            _, layout, n_tasks, n_rows, alpha, coupling = key
            first = min(entry["other_wins"], default=None)
            out.append(
                f"- {layout}, {n_tasks} tasks, {n_rows} rows, alpha={alpha:g}, "
                f"coupling={coupling:g}: {exact} faster at p in "
                f"{sorted(entry['exact_wins']) or 'none'}"
                + (f"; {iterative} faster at p in {sorted(entry['other_wins'])}")
                * bool(first)
                + "."
            )
    out += [
        "",
        "### Measured crossovers vs the constants in `skmtl/solvers/_dispatch.py`",
        "",
        "Each constant chooses between the exact solver and one other: for the "
        "classifier, truncated Newton where it applies, L-BFGS for the "
        "penalties it does not take (measured on the pooled model); for the "
        "regressor, L-BFGS. *exact wins up to*: per case, the "
        "largest p up to which the exact solver is faster at every grid point; "
        "*other wins from*: the first p where the other solver is faster (— : "
        "never, up to the largest p measured). *pick / best*: time of the "
        "solver the constant picks over the faster of the two, worst case and "
        "geometric mean over the points of that estimator and layout. The "
        "constant **agrees** with the data when its pick is never more than "
        f"{SLACK:g}x slower than the faster solver. *Data supports*: the "
        "thresholds of the grid (exact solver for p <= threshold; 0: always "
        f"the other) that keep every point within {SLACK:g}x; if none does, "
        "the threshold with the smallest worst case. Values between two grid points "
        "are not resolved: with the classifier's grid, 200 stands for any value "
        "in [200, 500). The regressor's threshold counts features per row of a "
        f"task (candidates {', '.join(map(str, PER_ROW_CANDIDATES))}).",
        "",
    ]
    table = []
    for v in verdicts(results):
        if v["supported"]:
            supported = _fmt_thresholds(v["supported"], v["candidates"])
        else:
            supported = (
                f"none within {SLACK:g}x; best "
                f"{_fmt_thresholds(v['best'], v['candidates'])} "
                f"(worst {v['best_worst']:.2f}x)"
            )
        table.append(
            [
                f"`{v['estimator']}`",
                v["layout"],
                v["n_cases"],
                ", ".join(str(p) if p else "none" for p in v["last_exact"]),
                v["solver"],
                ", ".join("—" if p is None else str(p) for p in v["first_other"]),
                f"`{v['name']}` = {v['constant']}",
                f"{v['auto_worst']:.2f}x ({v['auto_worst_at']}) / "
                f"{v['auto_geomean']:.2f}x",
                supported,
                "**yes**" if v["agrees"] else "**no**",
            ]
        )
    out.append(
        markdown_table(
            [
                "estimator",
                "layout",
                "cases",
                "exact wins up to p =",
                "other",
                "other wins from p =",
                "constant",
                "pick / best (worst / geo. mean)",
                "data supports",
                "agrees",
            ],
            table,
        )
    )
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument(
        "--estimator",
        choices=list(ESTIMATORS),
        help="run the cases of one estimator only",
    )
    args = parser.parse_args()
    cases = [c for c in CASES if args.estimator in (None, c[0])]
    results = run(cases)
    print()
    print(report(results))
    if args.estimator is None:  # a partial run does not replace the section
        write_section(report(results), "bench_solvers")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
