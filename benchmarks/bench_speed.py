"""Fit time on the full School data (139 tasks, 15362 rows, 27 features).

Side by side, in one run:

* ``MeanRegularizedRegressor`` with its default solver (closed form) against
  the same objective solved by cvxpy (``solver="cvxpy"``, Clarabel), with the
  objectives compared;
* the ``coupling=0`` special case against a loop of per-task scikit-learn
  ``Ridge(alpha=2 * n_samples * alpha)`` fits, with the coefficients compared;
* ``MeanRegularizedClassifier`` on a binarised target (exam score above the
  median) with ``solver="newton"``, ``"lbfgs"`` and ``"cvxpy"``, objectives
  compared.

The features are standardised once, before any timing (``bench_school``'s inner
CV prefers standardised features for the mean-regularized model). Objectives
are recomputed here from ``coef_`` and ``intercept_`` with plain numpy, not
with skmtl's own code. Times are medians of several fits after one untimed
warm-up fit.

Run from the repository root::

    SKMTL_DATA_HOME=/path/to/shared/data python -m benchmarks.bench_speed
"""

import argparse
import json
import time

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler

from benchmarks._common import (
    data_home,
    fmt_time,
    markdown_table,
    relative_difference,
    time_calls,
)
from skmtl import MeanRegularizedClassifier, MeanRegularizedRegressor
from skmtl.datasets import load_school

TASK_COLUMN = "school"
# Near what bench_school's inner CV chooses for the mean-regularized model on
# standardised features (alpha on the flat part, alpha * (1 + coupling) ~ 0.03)
# and for independent ridge (alpha ~ 1e-4).
REGRESSOR_ALPHA = 1e-6
REGRESSOR_COUPLING = 3.16e4
INDEPENDENT_ALPHA = 1e-4
# Chosen by a 5-fold TaskStratifiedKFold grid search (log loss) on the training
# rows of split 1: the same shape of optimum, alpha * (1 + coupling) = 1e-2.
CLASSIFIER_ALPHA = 1e-6
CLASSIFIER_COUPLING = 1e4

REPEAT_FAST = 15
REPEAT_MEDIUM = 5
REPEAT_CVXPY = 3


def load_data():
    school = load_school(data_home())
    X = school.data.copy()
    X[school.feature_names] = StandardScaler().fit_transform(X[school.feature_names])
    y = school.target.to_numpy()
    return X, y, school.feature_names


def mean_penalty(W, alpha, coupling):
    spread = W - W.mean(axis=0)
    return alpha * (np.sum(W**2) + coupling * np.sum(spread**2))


def _rows_coef(model, X):
    """Per-row weights and intercepts of a fitted task-indexed model."""
    index = np.searchsorted(model.tasks_, X[TASK_COLUMN].to_numpy())
    return model.coef_[index], model.intercept_[index]


def regression_objective(model, X, features, y, alpha, coupling):
    """Squared loss ``1/(2n) sum (y - x.w_t - b_t)^2`` + the penalty."""
    W_rows, b_rows = _rows_coef(model, X)
    z = np.einsum("ij,ij->i", features, W_rows) + b_rows
    return 0.5 * np.mean((y - z) ** 2) + mean_penalty(model.coef_, alpha, coupling)


def logistic_objective(model, X, features, y01, alpha, coupling):
    """Mean logistic loss + the mean-regularization penalty."""
    W_rows, b_rows = _rows_coef(model, X)
    z = np.einsum("ij,ij->i", features, W_rows) + b_rows
    signed = np.where(y01 > 0, z, -z)
    return np.mean(np.logaddexp(0.0, -signed)) + mean_penalty(
        model.coef_, alpha, coupling
    )


def _fit(make, X, y):
    def fit():
        return make().fit(X, y)

    return fit


def ridge_loop(features, y, groups, alpha, n_samples):
    """Per-task scikit-learn Ridge fits: the coupling=0 case."""
    coef = np.empty((len(groups), features.shape[1]))
    intercept = np.empty(len(groups))
    for t, rows in enumerate(groups):
        ridge = Ridge(alpha=2 * n_samples * alpha).fit(features[rows], y[rows])
        coef[t], intercept[t] = ridge.coef_, ridge.intercept_
    return coef, intercept


def run(
    regressor_alpha=REGRESSOR_ALPHA,
    regressor_coupling=REGRESSOR_COUPLING,
    independent_alpha=INDEPENDENT_ALPHA,
    verbose=True,
):
    X, y, feature_names = load_data()
    features = X[feature_names].to_numpy()
    X_numpy = X.to_numpy()  # school id in column 0
    n, p = features.shape
    tasks = np.unique(X[TASK_COLUMN])
    shape = {"n_samples": n, "n_tasks": len(tasks), "n_features": p}
    start = time.perf_counter()
    timings = {}

    def record(name, fn, repeat, warmup=1):
        times, result = time_calls(fn, repeat, warmup)
        timings[name] = {"median": float(np.median(times)), "times": times}
        if verbose:
            print(f"{name:40s} {fmt_time(np.median(times)):>10s}", flush=True)
        return result

    # -- regressor: closed form vs cvxpy ------------------------------------
    a, c = regressor_alpha, regressor_coupling

    def regressor(solver, task_column=TASK_COLUMN, coupling=c, alpha=a):
        return lambda: MeanRegularizedRegressor(
            alpha=alpha, coupling=coupling, task_column=task_column, solver=solver
        )

    fast = record("reg auto (DataFrame)", _fit(regressor("auto"), X, y), REPEAT_FAST)
    record("reg auto (ndarray)", _fit(regressor("auto", 0), X_numpy, y), REPEAT_FAST)
    ref = record("reg cvxpy", _fit(regressor("cvxpy"), X, y), REPEAT_CVXPY, warmup=0)
    obj_fast = regression_objective(fast, X, features, y, a, c)
    obj_ref = regression_objective(ref, X, features, y, a, c)
    regression = {
        "alpha": a,
        "coupling": c,
        "objective_auto": obj_fast,
        "objective_cvxpy": obj_ref,
        "objective_rel_diff": relative_difference(obj_fast, obj_ref),
        "coef_rel_diff": float(
            np.abs(fast.coef_ - ref.coef_).max() / np.abs(ref.coef_).max()
        ),
        "dual_gap_auto": float(fast.dual_gap_),
        "dual_gap_cvxpy": float(ref.dual_gap_),
    }

    # -- coupling = 0 vs a loop of scikit-learn Ridge -----------------------
    ai = independent_alpha
    task_of_row = X[TASK_COLUMN].to_numpy()
    order = np.argsort(task_of_row, kind="stable")
    bounds = np.searchsorted(task_of_row[order], tasks)
    groups = np.split(order, bounds[1:])
    independent = record(
        "reg coupling=0 (DataFrame)",
        _fit(regressor("auto", coupling=0.0, alpha=ai), X, y),
        REPEAT_FAST,
    )
    coef_loop, intercept_loop = record(
        "Ridge loop (139 fits)",
        lambda: ridge_loop(features, y, groups, ai, n),
        REPEAT_MEDIUM,
    )
    ridge = {
        "alpha": ai,
        "coef_rel_diff": float(
            np.abs(independent.coef_ - coef_loop).max() / np.abs(coef_loop).max()
        ),
        "intercept_rel_diff": float(
            np.abs(independent.intercept_ - intercept_loop).max()
            / np.abs(intercept_loop).max()
        ),
    }

    # -- classifier: newton vs lbfgs vs cvxpy -------------------------------
    y01 = (y > np.median(y)).astype(int)
    ca, cc = CLASSIFIER_ALPHA, CLASSIFIER_COUPLING

    def classifier(solver):
        return lambda: MeanRegularizedClassifier(
            alpha=ca, coupling=cc, task_column=TASK_COLUMN, solver=solver
        )

    classifiers = {}
    for solver, repeat in (
        ("newton", REPEAT_MEDIUM),
        ("lbfgs", REPEAT_MEDIUM),
        ("cvxpy", REPEAT_CVXPY),
    ):
        warmup = 0 if solver == "cvxpy" else 1
        classifiers[solver] = record(
            f"clf {solver}", _fit(classifier(solver), X, y01), repeat, warmup
        )
    objectives = {
        s: logistic_objective(m, X, features, y01, ca, cc)
        for s, m in classifiers.items()
    }
    classification = {
        "alpha": ca,
        "coupling": cc,
        "positive_rate": float(y01.mean()),
        "solvers": {
            s: {
                "objective": objectives[s],
                "rel_diff_vs_cvxpy": relative_difference(
                    objectives[s], objectives["cvxpy"]
                ),
                "n_iter": int(m.n_iter_),
                "dual_gap": float(m.dual_gap_),
            }
            for s, m in classifiers.items()
        },
    }
    return {
        "shape": shape,
        "timings": timings,
        "regression": regression,
        "ridge": ridge,
        "classification": classification,
        "seconds": time.perf_counter() - start,
    }


def _ok(condition):
    return "yes" if condition else "**NO**"


def report(results):
    t = {k: v["median"] for k, v in results["timings"].items()}
    n = {k: len(v["times"]) for k, v in results["timings"].items()}
    reg, ridge, clf = results["regression"], results["ridge"], results["classification"]
    shape = results["shape"]
    out = [
        "## Fit time on School-size data",
        "",
        f"Full School data, task-indexed: {shape['n_tasks']} tasks, "
        f"{shape['n_samples']} rows, {shape['n_features']} standardised features. "
        "Median wall time of n fits (after one untimed warm-up fit, except cvxpy); "
        "the estimator's whole `fit` is timed (validation included). Objectives "
        "are recomputed from `coef_`/`intercept_` with plain numpy. "
        f"Wall time of this benchmark: {results['seconds']:.0f} s.",
        "",
        f"### MeanRegularizedRegressor (alpha={reg['alpha']:g}, "
        f"coupling={reg['coupling']:g})",
        "",
    ]
    base = t["reg auto (DataFrame)"]
    rows = [
        [
            "`MeanRegularizedRegressor()` default (closed form), DataFrame X",
            fmt_time(base),
            n["reg auto (DataFrame)"],
            "1",
            f"{reg['objective_auto']:.12g}",
            f"{reg['dual_gap_auto']:.1e}",
        ],
        [
            "same, ndarray X (`task_column=0`)",
            fmt_time(t["reg auto (ndarray)"]),
            n["reg auto (ndarray)"],
            f"{t['reg auto (ndarray)'] / base:.2f}",
            "",
            "",
        ],
        [
            '`solver="cvxpy"` (Clarabel)',
            fmt_time(t["reg cvxpy"]),
            n["reg cvxpy"],
            f"{t['reg cvxpy'] / base:.0f}",
            f"{reg['objective_cvxpy']:.12g}",
            f"{reg['dual_gap_cvxpy']:.1e}",
        ],
    ]
    out.append(
        markdown_table(
            ["fit", "median", "n", "time / default", "objective", "dual_gap_"], rows
        )
    )
    speedup = t["reg cvxpy"] / base
    out += [
        "",
        f"Objective relative difference default vs cvxpy: "
        f"{reg['objective_rel_diff']:.1e} (goal ≤ 1e-8: "
        f"{_ok(reg['objective_rel_diff'] <= 1e-8)}); coefficients: max |ΔW| / max |W| "
        f"= {reg['coef_rel_diff']:.1e}.",
        "",
        f"### coupling=0 vs a loop of scikit-learn `Ridge` (alpha={ridge['alpha']:g})",
        "",
    ]
    ind, loop = t["reg coupling=0 (DataFrame)"], t["Ridge loop (139 fits)"]
    out.append(
        markdown_table(
            ["fit", "median", "n", "time / coupling=0"],
            [
                [
                    "`MeanRegularizedRegressor(coupling=0)`",
                    fmt_time(ind),
                    n["reg coupling=0 (DataFrame)"],
                    "1",
                ],
                [
                    f"{shape['n_tasks']} x `Ridge(alpha=2 * n_samples * alpha)` "
                    "(ndarray slices)",
                    fmt_time(loop),
                    n["Ridge loop (139 fits)"],
                    f"{loop / ind:.1f}",
                ],
            ],
        )
    )
    out += [
        "",
        f"Same coefficients: max |ΔW| / max |W| = {ridge['coef_rel_diff']:.1e}, "
        f"intercepts {ridge['intercept_rel_diff']:.1e} (goal ≤ 1e-8: "
        f"{_ok(max(ridge['coef_rel_diff'], ridge['intercept_rel_diff']) <= 1e-8)}).",
        "",
        f"### MeanRegularizedClassifier (alpha={clf['alpha']:g}, "
        f"coupling={clf['coupling']:g}), target: score above the median "
        f"({100 * clf['positive_rate']:.1f}% positive)",
        "",
    ]
    newton = t["clf newton"]
    rows = []
    for solver in ("newton", "lbfgs", "cvxpy"):
        s = clf["solvers"][solver]
        rows.append(
            [
                f'`solver="{solver}"`' + (" (default)" if solver == "newton" else ""),
                fmt_time(t[f"clf {solver}"]),
                n[f"clf {solver}"],
                f"{t[f'clf {solver}'] / newton:.1f}",
                s["n_iter"],
                f"{s['objective']:.12g}",
                f"{s['rel_diff_vs_cvxpy']:.1e}",
                f"{s['dual_gap']:.1e}",
            ]
        )
    out.append(
        markdown_table(
            [
                "solver",
                "median",
                "n",
                "time / newton",
                "n_iter_",
                "objective",
                "rel. diff vs cvxpy",
                "dual_gap_",
            ],
            rows,
        )
    )
    clf_speedup = t["clf cvxpy"] / newton
    worst = max(s["rel_diff_vs_cvxpy"] for s in clf["solvers"].values())
    out += [
        "",
        "### Goals",
        "",
        markdown_table(
            ["goal", "measured", "met"],
            [
                [
                    "regressor ≥ 100x faster than cvxpy",
                    f"{speedup:.0f}x",
                    _ok(speedup >= 100),
                ],
                [
                    "classifier (newton) ≥ 100x faster than cvxpy",
                    f"{clf_speedup:.0f}x",
                    _ok(clf_speedup >= 100),
                ],
                ["regressor fit well under 50 ms", fmt_time(base), _ok(base < 0.025)],
                [
                    "objectives agree to 1e-8 relative",
                    f"regressor {reg['objective_rel_diff']:.1e}, "
                    f"classifier ≤ {worst:.1e}",
                    _ok(reg["objective_rel_diff"] <= 1e-8 and worst <= 1e-8),
                ],
                [
                    "coupling=0 = Ridge loop to 1e-8",
                    f"{max(ridge['coef_rel_diff'], ridge['intercept_rel_diff']):.1e}",
                    _ok(
                        max(ridge["coef_rel_diff"], ridge["intercept_rel_diff"]) <= 1e-8
                    ),
                ],
            ],
        ),
        "",
        "(*well under 50 ms* is read as at most half of it, 25 ms.)",
    ]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alpha", type=float, default=REGRESSOR_ALPHA)
    parser.add_argument("--coupling", type=float, default=REGRESSOR_COUPLING)
    parser.add_argument("--independent-alpha", type=float, default=INDEPENDENT_ALPHA)
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    results = run(args.alpha, args.coupling, args.independent_alpha)
    print()
    print(report(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
