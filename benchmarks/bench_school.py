"""School data: explained variance of the multi-task models with honest inner CV.

For each of the 10 standard 75/25 splits of the School data and each model

* independent ridge per task  (``coupling=0``, ``alpha`` tuned),
* pooled ridge                (``coupling=inf``: one weight vector, per-task
  intercepts; ``alpha`` tuned),
* mean-regularized MTL        (``alpha`` and ``coupling`` tuned),
* ``L21Regressor``            (joint feature selection; ``alpha`` tuned),
* ``FeatureLearningRegressor`` (squared trace norm; ``alpha`` tuned),

the hyperparameters are chosen by ``GridSearchCV`` on the training rows only
(5-fold ``TaskStratifiedKFold`` on the school column, explained-variance
scorer), once on the raw features and once on standardised features (a
``ColumnTransformer`` that passes the school column through); the variant with
the better inner-CV score is kept. The test rows are used only to score the
refitted model: ``1 - Var(y - y_pred) / Var(y)`` over all test rows of the
split (scikit-learn's ``explained_variance_score``).

The grid of the mean-regularized model is log-spaced in ``alpha`` and in the
strength of the pull toward the mean, ``alpha * (1 + coupling)``: the penalty is
``alpha * T * ||w_mean||^2 + alpha * (1 + coupling) * sum_t ||w_t - w_mean||^2``,
and on School the inner CV wants the first term near 0 and the second one
finite, i.e. ``coupling`` in the thousands to millions -- a plain grid over
``coupling`` misses that region (see RESULTS.md).

Run from the repository root::

    SKMTL_DATA_HOME=/path/to/shared/data python -m benchmarks.bench_school
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import explained_variance_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks._common import data_home, markdown_table
from skmtl import FeatureLearningRegressor, L21Regressor, MeanRegularizedRegressor
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

TASK_COLUMN = "school"
SCORING = "explained_variance"

# Independent and pooled ridge: alpha on half decades.
RIDGE_ALPHAS = np.logspace(-8, 0, 17)
# Mean-regularized: alpha (the penalty of the mean weights) every two decades,
# the pull toward the mean, alpha * (1 + coupling), on half decades.
MR_ALPHAS = np.logspace(-8, -2, 4)
MR_PULLS = np.logspace(-4, 2, 13)
# Joint feature learning: alpha on half decades around the inner-CV optima of
# both variants (split 1-2 with 9-11 point grids: L21 raw ~1e-2, standardised
# ~3e-2 to 1e-1; feature learning raw ~1e-4, standardised ~3e-4 to 1e-3). The
# grids are kept short (every model runs on 10 splits x 2 scalings x 5
# folds); the edge check flags a choice on an edge.
L21_ALPHAS = np.logspace(-2.5, -0.5, 5)
FL_ALPHAS = np.logspace(-4.5, -2.5, 5)

MODELS = ("independent", "pooled", "mean_regularized", "l21", "feature_learning")
MODEL_TITLES = {
    "independent": "independent ridge (coupling=0)",
    "pooled": "pooled ridge (coupling=inf)",
    "mean_regularized": "MeanRegularizedRegressor",
    "l21": "L21Regressor",
    "feature_learning": "FeatureLearningRegressor",
}
# Models tuned over alpha alone, and their grids.
ALPHA_ONLY = {"l21": L21_ALPHAS, "feature_learning": FL_ALPHAS}
ESTIMATORS = {
    "l21": L21Regressor,
    "feature_learning": FeatureLearningRegressor,
}
# Measured elsewhere with scikit-learn on these splits, lambda picked on the
# test rows (optimistic), and the published kernel methods.
REFERENCE = {
    "independent": "35.1% (λ on test)",
    "pooled": "34.3% (λ on test)",
    "mean_regularized": "38.1% (λ on test); kernels 34.4%, 37.1%",
    "l21": "",
    "feature_learning": "",
}
GOAL = 0.38


def make_estimator(feature_names, scale, model="mean_regularized"):
    """The model's estimator in a Pipeline, optionally scaling the features.

    The ridge and mean-regularized models are ``MeanRegularizedRegressor``.
    The scaler never touches the task column: a ColumnTransformer with pandas
    output scales the named feature columns and passes ``school`` through.
    """
    model = ESTIMATORS.get(model, MeanRegularizedRegressor)(task_column=TASK_COLUMN)
    if not scale:
        return Pipeline([("model", model)])
    scaler = ColumnTransformer(
        [("scale", StandardScaler(), list(feature_names))],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline([("scale", scaler), ("model", model)])


def grid_points(model):
    """The grid as a list of (alpha, coupling, alpha index, pull index) points.

    For ridge models the pull index is None; for the models tuned over alpha
    alone the coupling is None too. Points are in the order of
    ``GridSearchCV``'s ``cv_results_``.
    """
    if model in ALPHA_ONLY:
        return [(a, None, i, None) for i, a in enumerate(ALPHA_ONLY[model])]
    if model == "independent":
        return [(a, 0.0, i, None) for i, a in enumerate(RIDGE_ALPHAS)]
    if model == "pooled":
        return [(a, float("inf"), i, None) for i, a in enumerate(RIDGE_ALPHAS)]
    return [
        (a, d / a - 1.0, i, j)
        for i, a in enumerate(MR_ALPHAS)
        for j, d in enumerate(MR_PULLS)
        if d > 1.001 * a
    ]


def _as_param_grid(points):
    if points[0][1] is None:
        return {"model__alpha": [alpha for alpha, _, _, _ in points]}
    return [
        {"model__alpha": [alpha], "model__coupling": [coupling]}
        for alpha, coupling, _, _ in points
    ]


def _edge_check(model, point, search, estimator, X, y, cv):
    """Flag chosen values on a grid edge; probe one step beyond a lower alpha edge.

    Returns a short text: "interior", or which edge with the inner-CV score
    change when alpha is divided by 100 beyond the lower edge (keeping the pull
    toward the mean fixed).
    """
    alpha, coupling, i, j = point
    alphas = ALPHA_ONLY.get(
        model, MR_ALPHAS if model == "mean_regularized" else RIDGE_ALPHAS
    )
    notes = []
    if i == len(alphas) - 1:
        notes.append("alpha at upper edge")
    if j is not None and j in (0, len(MR_PULLS) - 1):
        notes.append("pull at " + ("lower" if j == 0 else "upper") + " edge")
    if i == 0:
        beyond = alpha / 100
        coupling_beyond = (
            coupling
            if model != "mean_regularized"
            else alpha * (1 + coupling) / beyond - 1
        )
        probe = estimator.set_params(model__alpha=beyond)
        if coupling is not None:
            probe.set_params(model__coupling=coupling_beyond)
        score = cross_val_score(probe, X, y, cv=cv, scoring=SCORING).mean()
        delta = score - search.best_score_
        kind = "plateau" if delta < 1e-4 else "EDGE"
        notes.append(
            f"alpha at lower edge, {kind}: alpha/100 changes inner EV {delta:+.1e}"
        )
    return "; ".join(notes) or "interior"


def run_split(school, split_index, model, cv):
    train, test = school.splits[split_index]
    X_train, X_test = school.data.iloc[train], school.data.iloc[test]
    y_train, y_test = school.target.iloc[train], school.target.iloc[test]
    points = grid_points(model)
    variants = {}
    for scale in (False, True):
        estimator = make_estimator(school.feature_names, scale, model)
        search = GridSearchCV(estimator, _as_param_grid(points), cv=cv, scoring=SCORING)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            search.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        not_converged = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        point = points[search.best_index_]
        variants[scale] = {
            "search": search,
            "point": point,
            "inner": float(search.best_score_),
            "test": float(explained_variance_score(y_test, search.predict(X_test))),
            "seconds": elapsed,
            "n_candidates": len(points),
            "not_converged": not_converged,
        }
    scale = variants[True]["inner"] > variants[False]["inner"]
    chosen = variants[scale]
    alpha, coupling, _, _ = chosen["point"]
    edge = _edge_check(
        model,
        chosen["point"],
        chosen["search"],
        make_estimator(school.feature_names, scale, model),
        X_train,
        y_train,
        cv,
    )
    return {
        "split": split_index + 1,
        "model": model,
        "scaled": bool(scale),
        "alpha": float(alpha),
        "coupling": None if coupling is None else float(coupling),
        "pull": float(alpha * (1 + coupling))
        if coupling is not None and np.isfinite(coupling)
        else None,
        "inner": chosen["inner"],
        "test": chosen["test"],
        "edge": edge,
        "alpha_raw": float(variants[False]["point"][0]),
        "alpha_scaled": float(variants[True]["point"][0]),
        "inner_raw": variants[False]["inner"],
        "inner_scaled": variants[True]["inner"],
        "test_raw": variants[False]["test"],
        "test_scaled": variants[True]["test"],
        "seconds": variants[False]["seconds"] + variants[True]["seconds"],
        "n_candidates": 2 * len(points),
        # Fits (of the 5 x candidates + 1 refit per variant) that stopped at
        # max_iter with a ConvergenceWarning.
        "fits_per_variant": 5 * len(points) + 1,
        "not_converged_raw": variants[False]["not_converged"],
        "not_converged_scaled": variants[True]["not_converged"],
    }


def naive_grid_check(school, cv, split=1):
    """The product grid a user would try first, on one split, for comparison.

    ``alpha = logspace(-6, 0, 7)`` x ``coupling = logspace(-2, 4, 7)`` on
    standardised features: the inner-CV optimum lies at alpha -> 0 with
    ``alpha * coupling`` fixed, outside this grid.
    """
    train, test = school.splits[split - 1]
    X_train, X_test = school.data.iloc[train], school.data.iloc[test]
    y_train, y_test = school.target.iloc[train], school.target.iloc[test]
    alphas, couplings = np.logspace(-6, 0, 7), np.logspace(-2, 4, 7)
    search = GridSearchCV(
        make_estimator(school.feature_names, scale=True),
        {"model__alpha": alphas, "model__coupling": couplings},
        cv=cv,
        scoring=SCORING,
    ).fit(X_train, y_train)
    best = search.best_params_
    return {
        "split": split,
        "alpha": float(best["model__alpha"]),
        "coupling": float(best["model__coupling"]),
        "alpha_edge": bool(best["model__alpha"] in (alphas[0], alphas[-1])),
        "coupling_edge": bool(best["model__coupling"] in (couplings[0], couplings[-1])),
        "inner": float(search.best_score_),
        "test": float(explained_variance_score(y_test, search.predict(X_test))),
    }


def run(splits=None, models=MODELS, verbose=True):
    """Run the benchmark; returns a dict of plain results (JSON-serialisable)."""
    school = load_school(data_home())
    cv = TaskStratifiedKFold(
        n_splits=5, task_column=TASK_COLUMN, shuffle=True, random_state=0
    )
    splits = range(len(school.splits)) if splits is None else [s - 1 for s in splits]
    rows = []
    start = time.perf_counter()
    for k in splits:
        for model in models:
            row = run_split(school, k, model, cv)
            rows.append(row)
            if verbose:
                print(
                    f"split {row['split']:2d} {model:17s} "
                    f"scaled={row['scaled']!s:5s} alpha={row['alpha']:.1e} "
                    f"coupling={_fmt_coupling(row['coupling'])} "
                    f"inner={row['inner']:.4f} (raw {row['inner_raw']:.4f}, "
                    f"std {row['inner_scaled']:.4f}) test={row['test']:.4f} "
                    f"({row['seconds']:.1f} s) [{row['edge']}]"
                    + (
                        f" not converged: raw {row['not_converged_raw']}, "
                        f"std {row['not_converged_scaled']}"
                        if row["not_converged_raw"] or row["not_converged_scaled"]
                        else ""
                    ),
                    flush=True,
                )
    naive = None
    if "mean_regularized" in models:
        naive = naive_grid_check(school, cv, split=splits[0] + 1)
        if verbose:
            print("naive alpha x coupling grid:", naive, flush=True)
    return {
        "rows": rows,
        "naive_grid": naive,
        "seconds": time.perf_counter() - start,
        "grids": {
            "ridge_alphas": RIDGE_ALPHAS.tolist(),
            "mr_alphas": MR_ALPHAS.tolist(),
            "mr_pulls": MR_PULLS.tolist(),
            "l21_alphas": L21_ALPHAS.tolist(),
            "fl_alphas": FL_ALPHAS.tolist(),
        },
    }


def _joint_summary(rows):
    """Paired differences and convergence counts of the joint models."""
    out = []
    by_split = {(r["split"], r["model"]): r for r in rows}
    splits = sorted({r["split"] for r in rows})
    for model in ALPHA_ONLY:
        rs = [r for r in rows if r["model"] == model]
        if not rs:
            continue
        if not out:
            out.append("")
        line = f"- {MODEL_TITLES[model]}:"
        diffs = [
            by_split[(k, model)]["test"] - by_split[(k, "mean_regularized")]["test"]
            for k in splits
            if (k, model) in by_split and (k, "mean_regularized") in by_split
        ]
        if diffs:
            line += (
                f" minus mean-regularized = {100 * np.mean(diffs):+.2f} points on "
                f"average (min {100 * min(diffs):+.2f}, max "
                f"{100 * max(diffs):+.2f}), better on "
                f"{sum(d > 0 for d in diffs)}/{len(diffs)} splits;"
            )
        total = sum(r["fits_per_variant"] for r in rs)
        raw = sum(r["not_converged_raw"] for r in rs)
        std = sum(r["not_converged_scaled"] for r in rs)
        line += (
            f" inner-CV fits stopped at `max_iter` (ConvergenceWarning): {raw} of "
            f"{total} on raw features, {std} of {total} on standardised ones; "
            f"grid search time {sum(r['seconds'] for r in rs):.0f} s over "
            f"{len(rs)} splits."
        )
        out.append(line)
    return out


def _mean_sd(values):
    values = np.asarray(values)
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{100 * values.mean():.2f} ± {100 * sd:.2f}%"


def _fmt_coupling(c):
    if c is None:
        return ""
    if c == 0:
        return "0"
    if np.isinf(c):
        return "inf"
    return f"{c:.3g}"


def chosen_hyperparameters(results):
    """Median chosen (alpha, coupling) of the mean-regularized model, and scaling."""
    rows = [r for r in results["rows"] if r["model"] == "mean_regularized"]
    if not rows:
        return None
    return {
        "alpha": float(np.median([r["alpha"] for r in rows])),
        "pull": float(np.median([r["pull"] for r in rows])),
        "scaled": sum(r["scaled"] for r in rows) * 2 >= len(rows),
        "independent_alpha": float(
            np.median(
                [r["alpha"] for r in results["rows"] if r["model"] == "independent"]
            )
        )
        if any(r["model"] == "independent" for r in results["rows"])
        else None,
    }


def chosen_alphas(results):
    """Median alpha the inner CV chose per joint model and scaling.

    Maps ``(model, scaled)`` to the median over the splits of the best alpha
    of that variant (whichever variant was kept), and ``model`` to whether
    the standardised variant was kept on most splits.
    """
    out = {}
    for model in ALPHA_ONLY:
        rows = [r for r in results["rows"] if r["model"] == model]
        if not rows:
            continue
        out[(model, True)] = float(np.median([r["alpha_scaled"] for r in rows]))
        out[(model, False)] = float(np.median([r["alpha_raw"] for r in rows]))
        out[model] = sum(r["scaled"] for r in rows) * 2 >= len(rows)
    return out


def report(results):
    """Markdown section for RESULTS.md."""
    rows = results["rows"]
    models = [m for m in MODELS if any(r["model"] == m for r in rows)]
    n_splits = len({r["split"] for r in rows})
    out = ["## School: explained variance, hyperparameters by inner CV", ""]
    out.append(
        f"{n_splits} standard splits; per split and model, `GridSearchCV` with "
        "`TaskStratifiedKFold(5, task_column='school', shuffle=True, random_state=0)` "
        "and the `explained_variance` scorer on the training rows only, run on raw "
        "and on standardised features; the variant with the better inner-CV score "
        "is kept (column *scaled*). Test metric: `1 - Var(y - y_pred) / Var(y)` "
        "over all test rows of the split; mean ± sd (ddof=1) over the splits. "
        f"Wall time of this benchmark: {results['seconds']:.0f} s."
    )
    out.append("")
    table = []
    for m in models:
        rs = [r for r in rows if r["model"] == m]
        table.append(
            [
                MODEL_TITLES[m],
                "**" + _mean_sd([r["test"] for r in rs]) + "**",
                _mean_sd([r["test_raw"] for r in rs]),
                _mean_sd([r["test_scaled"] for r in rs]),
                f"{sum(r['scaled'] for r in rs)}/{len(rs)}",
                f"{np.mean([r['inner_raw'] for r in rs]):.4f} / "
                f"{np.mean([r['inner_scaled'] for r in rs]):.4f}",
                REFERENCE[m] or "—",
            ]
        )
    out.append(
        markdown_table(
            [
                "model",
                "test EV (inner-CV choice)",
                "raw features only",
                "standardised only",
                "scaled chosen",
                "mean inner EV raw / std",
                "reference",
            ],
            table,
        )
    )
    mr = [r["test"] for r in rows if r["model"] == "mean_regularized"]
    if mr:
        met = np.mean(mr) >= GOAL
        out += [
            "",
            "Goal for MeanRegularizedRegressor with honest inner CV: "
            f"≥ {100 * GOAL:.0f}% — **{'met' if met else 'not met'}** "
            f"({100 * np.mean(mr):.2f}%).",
        ]
        by_split = {(r["split"], r["model"]): r["test"] for r in rows}
        out.append("")
        for other in ("independent", "pooled"):
            diffs = [
                by_split[(k, "mean_regularized")] - by_split[(k, other)]
                for k in sorted({r["split"] for r in rows})
                if (k, other) in by_split
            ]
            if diffs:
                out.append(
                    f"- Paired with {other}: mean-regularized minus {other} = "
                    f"{100 * np.mean(diffs):+.2f} points on average (min "
                    f"{100 * min(diffs):+.2f}, max {100 * max(diffs):+.2f}), "
                    f"better on {sum(d > 0 for d in diffs)}/{len(diffs)} splits."
                )
    out += _joint_summary(rows)
    edges = [r for r in rows if "EDGE" in r["edge"] or "upper" in r["edge"]]
    pulls = [r for r in rows if "pull at" in r["edge"]]
    out += [
        "",
        "Grid-edge check: "
        + (
            "no chosen value is on an upper edge or on a lower edge where the score "
            "still moves"
            if not edges and not pulls
            else f"{len(edges) + len(pulls)} chosen value(s) on a grid edge (see table)"
        )
        + ". A chosen `alpha` on the lower edge is probed at `alpha / 100` "
        "(same pull toward the mean); *plateau* means the inner-CV score gains "
        "less than 1e-4 there (or drops), i.e. going further toward alpha -> 0 "
        "does not help and the edge is not truncating the search.",
        "",
        "Grids: ridge models `alpha = logspace(-8, 0, 17)`; mean-regularized "
        "`alpha = logspace(-8, -2, 4)` x pull toward the mean "
        "`alpha * (1 + coupling) = logspace(-4, 2, 13)` (points with coupling > 0), "
        "i.e. `coupling = pull / alpha - 1`; `L21Regressor` `alpha = "
        "logspace(-2.5, -0.5, 5)`; `FeatureLearningRegressor` `alpha = "
        "logspace(-4.5, -2.5, 5)` (half decades around the inner-CV optima of "
        "both variants; the edge check above flags a choice on an edge).",
    ]
    naive = results.get("naive_grid")
    if naive:
        same = next(
            r
            for r in rows
            if r["split"] == naive["split"] and r["model"] == "mean_regularized"
        )
        edges = [
            name
            for name, flag in (
                ("alpha", naive["alpha_edge"]),
                ("coupling", naive["coupling_edge"]),
            )
            if flag
        ]
        out += [
            "",
            f"Coupling parametrisation (split {naive['split']}, standardised "
            "features): the plain product grid `alpha = logspace(-6, 0, 7)` x "
            f"`coupling = logspace(-2, 4, 7)` picks alpha={naive['alpha']:.0e}, "
            f"coupling={naive['coupling']:.0e} "
            f"({'on the ' + ' and '.join(edges) + ' edge' if edges else 'interior'}), "
            f"inner EV {naive['inner']:.4f}, test EV {naive['test']:.4f}; the grid "
            f"above gets inner EV {same['inner_scaled']:.4f}, test EV "
            f"{same['test_scaled']:.4f} on the same split.",
        ]
    out += [
        "",
        "### Chosen hyperparameters per split",
        "",
    ]
    per_split = []
    for r in rows:
        pull = f"{r['pull']:.2g}" if r["model"] == "mean_regularized" else ""
        per_split.append(
            [
                r["split"],
                r["model"],
                "yes" if r["scaled"] else "no",
                f"{r['alpha']:.0e}",
                _fmt_coupling(r["coupling"]),
                pull,
                f"{r['inner']:.4f}",
                f"{r['test']:.4f}",
                r["edge"],
                f"{r.get('not_converged_raw', 0)} / {r.get('not_converged_scaled', 0)}",
            ]
        )
    out.append(
        markdown_table(
            [
                "split",
                "model",
                "scaled",
                "alpha",
                "coupling",
                "alpha·(1+coupling)",
                "inner EV",
                "test EV",
                "grid edge",
                "fits not converged raw / std",
            ],
            per_split,
        )
    )
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, nargs="*", help="split numbers 1..10")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=MODELS)
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    results = run(args.splits, args.models)
    print()
    print(report(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
