"""Fit time of the joint feature learning models on the full School data.

Task-indexed School data (139 schools, 15362 rows, 27 features), in one run:

* ``L21Regressor`` (default solver) against the same objective solved by
  cvxpy (``solver="cvxpy"``, Clarabel), on standardised and on raw features;
* ``FeatureLearningRegressor`` likewise (cvxpy only on the scaling
  ``bench_school``'s inner CV prefers: one cvxpy fit takes minutes);
* a warm-started ``skmtl.l21_path`` of 30 alphas (``alpha_max`` down to
  ``1e-3 alpha_max``) against one cold ``L21Regressor`` fit at the smallest.

Every fit uses the estimator defaults (``tol=1e-6``: a duality gap of at most
1e-6 of the objective, for the cvxpy solutions too). Objectives are recomputed
here from ``coef_`` and ``intercept_`` with plain numpy. The alphas are those
``bench_school``'s inner CV chose (median over the splits) when ``run_all``
passes them, else the defaults below, near the same choice.

Run from the repository root::

    SKMTL_DATA_HOME=/path/to/shared/data python -m benchmarks.bench_joint_speed
"""

import argparse
import gc
import json
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from benchmarks._common import data_home, fmt_time, markdown_table, relative_difference
from skmtl import FeatureLearningRegressor, L21Regressor, l21_path
from skmtl.datasets import load_school
from skmtl.linear_model._path import _alpha_max
from skmtl.linear_model._path import alpha_grid as _alpha_grid
from skmtl.penalties import L21
from skmtl.solvers._fista import fista_path

TASK_COLUMN = "school"
# Near what bench_school's inner CV picks (alpha of the better variant per split).
ALPHAS = {
    ("l21", True): 0.03,
    ("l21", False): 0.01,
    ("feature_learning", True): 3e-4,
    ("feature_learning", False): 1e-4,
}
FL_CVXPY_SCALED = True  # the scaling timed with cvxpy for FeatureLearningRegressor
N_PATH = 30
PATH_EPS = 1e-3
REPEAT_FAST = 15
REPEAT = 3
REPEAT_BUDGET = 10.0  # seconds per measurement: fewer fits when they are slow
SLOW = 2.0  # a fit slower than this is timed once, without warm-up
DIAGNOSE_BELOW = 5.0  # path iterations are recounted (untimed) for fast paths only
SPEEDUP_GOAL = 100
PATH_GOAL = 5
ESTIMATORS = {"l21": L21Regressor, "feature_learning": FeatureLearningRegressor}
TITLES = {"l21": "L21Regressor", "feature_learning": "FeatureLearningRegressor"}


def load_data():
    school = load_school(data_home())
    raw = school.data
    scaled = raw.copy()
    names = school.feature_names
    scaled[names] = StandardScaler().fit_transform(raw[names])
    return {False: raw, True: scaled}, school.target.to_numpy(), names


def _time(fn, repeat, warmup):
    """Up to ``repeat`` timed calls (fewer past REPEAT_BUDGET), after ``warmup``.

    The warm-up call is timed too: when it is slower than SLOW seconds it is
    the one measurement (warm-up effects are then negligible).
    """
    result = None
    times = []
    for _ in range(warmup):
        start = time.perf_counter()
        result = fn()
        if time.perf_counter() - start > SLOW:
            return [time.perf_counter() - start], result
    while len(times) < repeat:
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
        if sum(times) + times[-1] > REPEAT_BUDGET:
            break
    return times, result


def _fit_recording(make, X, y):
    """A fit that also records whether it raised a ConvergenceWarning."""

    def fit():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = make().fit(X, y)
        model.converged_ = not any(
            issubclass(w.category, ConvergenceWarning) for w in caught
        )
        return model

    return fit


def objective(model, X, features, y, kind):
    """``1/(2n) sum (y - x.w_t - b_t)^2`` + the model's penalty, in numpy."""
    index = np.searchsorted(model.tasks_, X[TASK_COLUMN].to_numpy())
    z = np.einsum("ij,ij->i", features, model.coef_[index]) + model.intercept_[index]
    loss = 0.5 * np.mean((y - z) ** 2)
    W, alpha = model.coef_, model.alpha
    if kind == "l21":
        return float(loss + alpha * np.sum(np.linalg.norm(W, axis=0)))
    return float(loss + alpha * np.sum(np.linalg.svd(W, compute_uv=False)) ** 2)


def compare(kind, scaled, alpha, Xs, y, names, with_cvxpy, verbose):
    X = Xs[scaled]
    features = X[names].to_numpy()
    estimator = ESTIMATORS[kind]

    def make(solver):
        return lambda: estimator(alpha=alpha, task_column=TASK_COLUMN, solver=solver)

    out = {"model": kind, "scaled": scaled, "alpha": alpha}
    times, model = _time(_fit_recording(make("auto"), X, y), REPEAT_FAST, 1)
    out["auto"] = {
        "times": times,
        "median": float(np.median(times)),
        "objective": objective(model, X, features, y, kind),
        "n_iter": int(model.n_iter_),
        "dual_gap": float(model.dual_gap_),
        "converged": model.converged_,
    }
    if with_cvxpy:
        times, ref = _time(_fit_recording(make("cvxpy"), X, y), REPEAT, 0)
        out["cvxpy"] = {
            "times": times,
            "median": float(np.median(times)),
            "objective": objective(ref, X, features, y, kind),
            "n_iter": int(ref.n_iter_),
            "dual_gap": float(ref.dual_gap_),
            "converged": ref.converged_,
        }
        out["objective_rel_diff"] = relative_difference(
            out["auto"]["objective"], out["cvxpy"]["objective"]
        )
        out["speedup"] = out["cvxpy"]["median"] / out["auto"]["median"]
    if verbose:
        line = (
            f"{kind:16s} {'std' if scaled else 'raw'} alpha={alpha:.3g}: "
            f"skmtl {fmt_time(out['auto']['median'])} "
            f"({out['auto']['n_iter']} it)"
        )
        if with_cvxpy:
            line += (
                f", cvxpy {fmt_time(out['cvxpy']['median'])}, "
                f"speedup {out['speedup']:.0f}x, objectives "
                f"{out['objective_rel_diff']:.1e}"
            )
        print(line, flush=True)
    return out


def path_vs_cold(scaled, Xs, y, verbose):
    """``l21_path`` of N_PATH alphas vs one cold fit at its smallest alpha."""
    X = Xs[scaled]

    def path():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            result = l21_path(
                X, y, task_column=TASK_COLUMN, n_alphas=N_PATH, eps=PATH_EPS
            )
        return result, sum(issubclass(w.category, ConvergenceWarning) for w in caught)

    path_times, ((alphas, *_), path_warnings) = _time(path, REPEAT, 1)
    cold_make = _fit_recording(
        lambda: L21Regressor(alpha=alphas[-1], task_column=TASK_COLUMN), X, y
    )
    cold_times, cold = _time(cold_make, REPEAT, 1)
    # Diagnostics (untimed): iterations per alpha along the path.
    iters = None
    if np.median(path_times) < DIAGNOSE_BELOW:
        model = L21Regressor(task_column=TASK_COLUMN)
        data, datafit = model._prepare_fit(X, y, None)
        grid = _alpha_grid(_alpha_max(data, datafit, True), N_PATH, PATH_EPS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            iters = [
                int(r[2])
                for r in fista_path(
                    data,
                    datafit,
                    [L21(a) for a in grid],
                    fit_intercept=True,
                    tol=model.tol,
                    max_iter=model.max_iter,
                )
            ]
    out = {
        "scaled": scaled,
        "alphas": [float(alphas[0]), float(alphas[-1])],
        "path_times": path_times,
        "path_median": float(np.median(path_times)),
        "path_not_converged": int(path_warnings),
        "path_iterations": iters,
        "cold_times": cold_times,
        "cold_median": float(np.median(cold_times)),
        "cold_n_iter": int(cold.n_iter_),
        "cold_converged": cold.converged_,
    }
    out["ratio"] = out["path_median"] / out["cold_median"]
    if verbose:
        print(
            f"l21_path {'std' if scaled else 'raw'}: path "
            f"{fmt_time(out['path_median'])} ({iters and sum(iters)} it), cold "
            f"{fmt_time(out['cold_median'])} ({out['cold_n_iter']} it), ratio "
            f"{out['ratio']:.2f}",
            flush=True,
        )
    return out


def run(alphas=None, fl_cvxpy_scaled=FL_CVXPY_SCALED, verbose=True):
    """Run the benchmark; ``alphas`` maps (model, scaled) to alpha.

    ``fl_cvxpy_scaled``: the scaling on which FeatureLearningRegressor is also
    fitted with cvxpy (None: neither).
    """
    alphas = {**ALPHAS, **(alphas or {})}
    Xs, y, names = load_data()
    start = time.perf_counter()
    fits = []
    for kind in ("l21", "feature_learning"):
        for scaled in (True, False):
            with_cvxpy = kind == "l21" or scaled == fl_cvxpy_scaled
            fits.append(
                compare(
                    kind,
                    scaled,
                    alphas[(kind, scaled)],
                    Xs,
                    y,
                    names,
                    with_cvxpy,
                    verbose,
                )
            )
    paths = [path_vs_cold(scaled, Xs, y, verbose) for scaled in (True, False)]
    X = Xs[True]
    return {
        "shape": {
            "n_samples": len(y),
            "n_tasks": int(X[TASK_COLUMN].nunique()),
            "n_features": len(names),
        },
        "fits": fits,
        "paths": paths,
        "seconds": time.perf_counter() - start,
    }


def _yes(flag):
    return "**met**" if flag else "**not met**"


def report(results):
    shape = results["shape"]
    out = [
        "## Joint feature learning: fit time on School-size data",
        "",
        f"Full School data, task-indexed: {shape['n_tasks']} tasks, "
        f"{shape['n_samples']} rows, {shape['n_features']} features, standardised "
        "(over all rows, before timing) or raw. Estimator defaults (`tol=1e-6`, "
        "a duality-gap certificate relative to the objective, for the cvxpy "
        "solutions too; `max_iter=10_000`). Median wall time of n fits after "
        "one untimed warm-up fit (cvxpy: no warm-up; fewer fits when they take "
        "over 20 s together); the whole `fit` is timed. Objectives are "
        "recomputed with numpy from `coef_`/`intercept_`. alpha: the median "
        "over the splits of what `bench_school`'s inner CV chose for that "
        "scaling. *not converged*: the fit stopped at `max_iter` with a "
        "ConvergenceWarning. "
        f"Wall time of this benchmark: {results['seconds']:.0f} s.",
        "",
    ]
    rows = []
    for r in results["fits"]:
        auto = r["auto"]
        cells = [
            TITLES[r["model"]],
            "standardised" if r["scaled"] else "raw",
            f"{r['alpha']:.3g}",
            f"{fmt_time(auto['median'])} (n={len(auto['times'])})",
            str(auto["n_iter"]) + ("" if auto["converged"] else " **not converged**"),
        ]
        if "cvxpy" in r:
            c = r["cvxpy"]
            cells += [
                f"{fmt_time(c['median'])} (n={len(c['times'])})",
                f"**{r['speedup']:.0f}x**",
                f"{auto['objective']:.12g}",
                f"{c['objective']:.12g}",
                f"{r['objective_rel_diff']:.1e}",
            ]
        else:
            cells += ["not run", "", f"{auto['objective']:.12g}", "", ""]
        rows.append(cells)
    out.append(
        markdown_table(
            [
                "model",
                "features",
                "alpha",
                "skmtl (default solver)",
                "n_iter_",
                'solver="cvxpy"',
                "cvxpy / skmtl",
                "objective skmtl",
                "objective cvxpy",
                "rel. diff",
            ],
            rows,
        )
    )
    out += ["", "### Warm-started `l21_path` vs one cold fit", ""]
    prow = []
    for p in results["paths"]:
        prow.append(
            [
                "standardised" if p["scaled"] else "raw",
                f"{p['alphas'][0]:.3g} … {p['alphas'][1]:.3g}",
                f"{fmt_time(p['path_median'])} (n={len(p['path_times'])})",
                ("" if p["path_iterations"] is None else f"{sum(p['path_iterations'])}")
                + (
                    f" ({p['path_not_converged']} alphas not converged)"
                    if p["path_not_converged"]
                    else ""
                ),
                f"{fmt_time(p['cold_median'])} (n={len(p['cold_times'])})",
                f"{p['cold_n_iter']}"
                + ("" if p["cold_converged"] else " **not converged**"),
                f"**{p['ratio']:.2f}**",
            ]
        )
    out.append(
        markdown_table(
            [
                "features",
                f"{N_PATH} alphas",
                "path",
                "path iterations",
                "cold fit at the smallest alpha",
                "cold n_iter_",
                "path / cold",
            ],
            prow,
        )
    )
    counted = [p for p in results["paths"] if p["path_iterations"] is not None]
    if counted:
        out += [
            "",
            "FISTA iterations per alpha along the path (diagnostic, recounted "
            "untimed with the same solver calls; only for paths under "
            f"{DIAGNOSE_BELOW:g} s): "
            + "; ".join(
                f"{'standardised' if p['scaled'] else 'raw'}: "
                + ", ".join(map(str, p["path_iterations"]))
                for p in counted
            )
            + ".",
        ]
    goals = []
    for r in results["fits"]:
        if "cvxpy" not in r:
            continue
        label = (
            f"{TITLES[r['model']]} ({'standardised' if r['scaled'] else 'raw'}) "
            f"≥ {SPEEDUP_GOAL}x faster than cvxpy, objectives within 1e-6"
        )
        ok = r["speedup"] >= SPEEDUP_GOAL and r["objective_rel_diff"] <= 1e-6
        goals.append(
            [
                label,
                f"{r['speedup']:.0f}x, {r['objective_rel_diff']:.1e}",
                _yes(ok),
            ]
        )
    for p in results["paths"]:
        goals.append(
            [
                f"`l21_path` of {N_PATH} alphas ≤ {PATH_GOAL}x one cold fit "
                f"({'standardised' if p['scaled'] else 'raw'})",
                f"{p['ratio']:.2f}x",
                _yes(p["ratio"] <= PATH_GOAL),
            ]
        )
    out += ["", "### Goals", "", markdown_table(["goal", "measured", "status"], goals)]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--l21-alpha", type=float, nargs=2, metavar=("STD", "RAW"))
    parser.add_argument("--fl-alpha", type=float, nargs=2, metavar=("STD", "RAW"))
    parser.add_argument(
        "--fl-cvxpy-raw",
        action="store_true",
        help="time FeatureLearningRegressor's cvxpy fit on raw features instead",
    )
    parser.add_argument(
        "--no-fl-cvxpy",
        action="store_true",
        help="skip FeatureLearningRegressor's cvxpy fit (several minutes)",
    )
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    alphas = {}
    for kind, pair in (("l21", args.l21_alpha), ("feature_learning", args.fl_alpha)):
        if pair:
            alphas[(kind, True)], alphas[(kind, False)] = pair
    fl_cvxpy_scaled = None if args.no_fl_cvxpy else not args.fl_cvxpy_raw
    results = run(alphas, fl_cvxpy_scaled=fl_cvxpy_scaled)
    print()
    print(report(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
