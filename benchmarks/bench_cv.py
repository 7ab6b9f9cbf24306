"""The ``*CV`` estimators against ``GridSearchCV`` over the same grid and folds.

Issue [6/10]: every family has a CV estimator that fits one warm-started
path per fold. Measured side by side in one run, on

* School (task-indexed, the training rows of split 1, standardised): the
  squared-loss families (the temporal family chains the schools in the
  order of their ids: a test of the path machinery, not a model of School;
  the fused family's regressor is left out, its grid search would take a
  quarter of an hour);
* emotions (MULAN, shared design, 6 labels, standardised features): the
  classifiers;

each CV estimator and ``GridSearchCV`` over the single-strength estimator
with the CV estimator's grid (``alphas_``, and ``couplings``) at two sizes
(8 values, and the CV estimator's default), the same
folds (``TaskStratifiedKFold(5, shuffle=True, random_state=0)`` on School,
``KFold(5)`` on emotions), the same validation loss as the score and a refit
on all rows; both single-process (the 8-value grids timed as the best of
``REPEAT`` runs). Then, per family, a 30-value path on all
those rows against one cold fit at the path's smallest strength (best of
``REPEAT`` each: a cold fit of a classifier takes 10-60 ms), with the
solver's iterations of both (FISTA iterations, or Newton steps for the
classifiers): a path takes at least one per value, so where a cold fit
takes a few Newton steps their ratio bounds the time ratio from below.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data python -m benchmarks.bench_cv

It prints the tables and writes them into ``benchmarks/RESULTS.md`` between
the markers ``<!-- bench_cv -->`` and ``<!-- /bench_cv -->``.
"""

import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

import skmtl
from benchmarks._common import (
    data_home,
    fmt_time,
    machine_info,
    markdown_table,
    write_section,
)
from skmtl.datasets import load_mulan, load_school
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.solvers import solve_path

# Grid sizes of the path parameter: a small grid, then the CV estimator's
# default (100 values for the regressors, 30 for the classifiers), where
# close values make the warm starts pay.
N_ALPHAS = (8, None)
N_PATH = 30
REPEAT = 3
COUPLINGS = [0.0, 10.0, float("inf")]
GOALS = {"regressor": 5.0, "classifier": 2.0}
HERE = Path(__file__).resolve().parent


def school():
    data = load_school(data_home())
    train, _ = data.splits[0]
    X, y = data.data.iloc[train].copy(), data.target.iloc[train].to_numpy()
    features = [c for c in X.columns if c != "school"]
    X[features] = StandardScaler().fit_transform(X[features])
    folds = list(
        TaskStratifiedKFold(
            5, task_column="school", shuffle=True, random_state=0
        ).split(X, y)
    )
    return X, y, folds


def emotions():
    data = load_mulan("emotions", subset="train", data_home=data_home())
    X = StandardScaler().fit_transform(data.data)
    Y = np.asarray(data.target, dtype=float)
    return X, Y, list(KFold(5).split(X, Y))


def _neg_log_loss(estimator, X, Y):
    """Minus the mean log-loss over all (row, label) entries: the CV's loss."""
    scores = estimator.decision_function(X)
    return -float(np.mean(np.logaddexp(0.0, -np.where(Y > 0, scores, -scores))))


def _chain(n):
    return np.eye(n, k=1) + np.eye(n, k=-1)


def cases():
    """(name, kind, CV estimator) for every family with a CV estimator."""
    regressors = [
        skmtl.MeanRegularizedRegressorCV(couplings=COUPLINGS),
        skmtl.L21RegressorCV(),
        skmtl.LassoRegressorCV(),
        skmtl.TraceNormRegressorCV(),
        skmtl.FeatureLearningRegressorCV(),
        skmtl.SparseGroupRegressorCV(alpha_sparse=1e-3),
        skmtl.TemporalGroupRegressorCV(alpha_temporal=1e-3),
        # (FusedSparseGroupRegressorCV is left out: a cold fit on School takes
        # ~2 s, so GridSearchCV over 100 values would take ~15 minutes.)
    ]
    classifiers = [
        skmtl.MeanRegularizedClassifierCV(couplings=COUPLINGS),
        skmtl.L21ClassifierCV(),
        skmtl.LassoClassifierCV(),
        skmtl.TraceNormClassifierCV(),
        skmtl.FeatureLearningClassifierCV(),
        skmtl.SparseGroupClassifierCV(alpha_sparse=1e-3),
        skmtl.GraphRegularizedClassifierCV(_chain(6), l2=1e-3),
        skmtl.TemporalGroupClassifierCV(alpha_temporal=1e-3),
        skmtl.FusedSparseGroupClassifierCV(alpha_sparse=1e-3, alpha_fused=1e-3),
    ]
    return [("regressor", e) for e in regressors] + [
        ("classifier", e) for e in classifiers
    ]


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _best_of(fn, repeat=REPEAT):
    """(best time, last result) of ``repeat`` calls."""
    runs = [_timed(fn) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[-1][1]


def compare(kind, estimator, X, y, folds, n_alphas):
    """CV estimator against GridSearchCV: times, choices, agreement."""
    extra = {"task_column": "school"} if kind == "regressor" else {}
    if n_alphas is not None:
        extra["n_alphas"] = n_alphas
    model = clone(estimator).set_params(cv=folds, **extra)
    # The small grids run in about a second: best of REPEAT, as the paths.
    repeat = REPEAT if n_alphas is not None else 1
    cv_time, model = _best_of(lambda: clone(model).fit(X, y), repeat)
    single = model._single_model(**{model._path: model.alpha_})
    grid = {model._path: list(model.alphas_), **dict(model._searched_grids())}
    scoring = "neg_mean_squared_error" if kind == "regressor" else _neg_log_loss
    search = GridSearchCV(single, grid, cv=folds, scoring=scoring, refit=True)
    grid_time, search = _best_of(lambda: clone(search).fit(X, y), repeat)
    chosen = {model._path: model.alpha_}
    for name, _ in model._searched_grids():
        chosen[name] = getattr(model, f"{name}_")
    return {
        "name": type(estimator).__name__,
        "kind": kind,
        "points": int(np.prod([len(v) for v in grid.values()])),
        "cv_time": cv_time,
        "grid_time": grid_time,
        "same_choice": chosen == search.best_params_,
        "coef_difference": float(
            np.max(np.abs(model.coef_ - search.best_estimator_.coef_))
        ),
    }


def path_against_cold_fit(kind, estimator, X, y):
    """A 30-value path on all rows against one cold fit at its smallest value."""
    extra = {"task_column": "school"} if kind == "regressor" else {}
    model = clone(estimator).set_params(n_alphas=N_PATH, **extra)
    model._validate_params()
    data, datafit = model._prepare_fit(X, y, None)
    alphas = model._alphas(data, datafit)
    point = {name: values[0] for name, values in model._searched_grids()}
    single = model._single_model(**point)
    penalties = [
        single.set_params(**{model._path: a})._penalty_for(data) for a in alphas
    ]
    options = {"fit_intercept": True, "tol": model.tol, "max_iter": model.max_iter}
    path_time, path = _best_of(
        lambda: list(solve_path(data, datafit, penalties, **options))
    )
    cold = model._single_model(**point, **{model._path: alphas[-1]})
    cold_time, cold = _best_of(lambda: clone(cold).fit(X, y))
    return {
        "path_time": path_time,
        "cold_time": cold_time,
        "path_iter": sum(result.n_iter for result in path),
        "cold_iter": cold.n_iter_,
    }


def run(verbose=True):
    datasets = {"regressor": school(), "classifier": emotions()}
    results = []
    for kind, estimator in cases():
        X, y, folds = datasets[kind]
        path = path_against_cold_fit(kind, estimator, X, y)
        for n_alphas in N_ALPHAS:
            entry = {**compare(kind, estimator, X, y, folds, n_alphas), **path}
            if verbose:
                print(entry, flush=True)
            results.append(entry)
    return results


def report(results):
    rows = []
    for r in results:
        ratio = r["grid_time"] / r["cv_time"]
        goal = GOALS[r["kind"]]
        path_ratio = r["path_time"] / r["cold_time"]
        rows.append(
            [
                r["name"],
                r["points"],
                fmt_time(r["cv_time"]),
                fmt_time(r["grid_time"]),
                f"**{ratio:.1f}x** ({_met(ratio >= goal)}, ≥ {goal:g}x)",
                "yes" if r["same_choice"] else "**no**",
                f"{r['coef_difference']:.1e}",
                f"{path_ratio:.1f}x ({_met(path_ratio <= 5)}, ≤ 5x)",
                fmt_time(r["cold_time"]),
                f"{r['path_iter']} / {r['cold_iter']}",
            ]
        )
    header = [
        "estimator",
        "grid points",
        "CV estimator",
        "GridSearchCV",
        "speed-up",
        "same choice",
        "max |coef difference|",
        f"{N_PATH}-value path / cold fit at its smallest strength",
        "that cold fit",
        "iterations: path / cold fit",
    ]
    info = dict(machine_info())
    load = info["load average at start (1, 5, 15 min)"]
    return "\n".join(
        [
            "## CV estimators against GridSearchCV ([6/10])",
            "",
            "School split 1 training rows (task-indexed, standardised) for the "
            "regressors, "
            "emotions (shared design, 6 labels) for the classifiers; "
            "8 values of the path parameter, then the CV estimator's default "
            "grid (100 values for the regressors, 30 for the classifiers); x "
            f"couplings {COUPLINGS} for the mean-regularized models; 5 folds, "
            "the same folds and loss "
            "for both, refit included, one process. "
            f"Measured {info['date']} (load average {load}) with "
            "`OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data python -m "
            "benchmarks.bench_cv`.",
            "",
            markdown_table(header, rows),
            "",
            "The path and the cold fit, and both fits of the 8-value grids, "
            f"are each the best of {REPEAT} runs (the default grids: one run). "
            "*iterations*: the solver's iterations (proximal Newton or Newton "
            "steps for the classifiers, FISTA iterations or Newton steps for "
            "the regressors) summed over the path's values, and of the cold "
            "fit. A path takes at least one per value and each is certified, "
            "so where a cold fit takes 6-8 Newton steps, as the classifiers' "
            f"do, {N_PATH} values cost at least about {N_PATH}/7 cold steps "
            "whatever the warm start: the time ratio cannot fall much below "
            "the iteration ratio.",
        ]
    )


def _met(condition):
    return "met" if condition else "not met"


def main():
    text = report(run())
    print(text)
    write_section(text, "bench_cv")


if __name__ == "__main__":
    main()
