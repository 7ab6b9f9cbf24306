"""School data: the structured multi-task models, accuracy and fit time.

The benchmark of issue [4/4]. For each model

* ``LassoRegressor``                 (``alpha``),
* ``TraceNormRegressor``             (``alpha``),
* ``SparseGroupRegressor``           (``alpha_group`` x ``alpha_sparse``),
* ``GraphRegularizedRegressor``      (``alpha`` x ``l1``) on a constructed
  school graph (below),
* ``TemporalGroupRegressor``         (``alpha_temporal`` x ``alpha_group``,
  ``alpha_l2=0``) on the schools ordered by ``fsm_pct`` (below),
* ``ClusteredRegressor``             (``n_clusters``; ``alpha``, ``beta`` fixed
  from split 1: its fits take seconds each),
* ``DirtyRegressor``                 (``alpha_group`` x ``alpha_sparse``),
* ``RobustFeatureLearningRegressor`` (``alpha_features`` x ``alpha_tasks``),
* ``RobustLowRankRegressor``         (``alpha_rank`` x ``alpha_tasks``),

1. **explained variance**: on each of the 10 standard 75/25 splits the
   hyperparameters are chosen by ``GridSearchCV`` on the training rows only
   (5-fold ``TaskStratifiedKFold`` on the school column, shuffled with
   ``random_state=0``, explained-variance scorer), on standardised features
   only (``bench_school``'s pipeline: a ``ColumnTransformer`` scales the 27
   features and passes ``school`` through); the refitted model is scored on
   the test rows, ``1 - Var(y - y_pred) / Var(y)`` over all test rows of the
   split. The grids are small (about 5 points in 1-D, 3 x 3 in 2-D, in half
   decades) and centred on the inner-CV optimum of split 1; a chosen value on
   a grid edge is reported, not probed further.
2. **fit time**: on the full School data (139 tasks, 15362 rows, standardised
   over all rows), each model at the median over the splits of the
   hyperparameters its inner CV chose: the default solver (median of up to
   15 fits after a warm-up) against ``solver="cvxpy"`` (Clarabel with the
   estimator's own settings; up to 3 fits, in a child process stopped after
   a wall-time cap or at a resident-memory limit), both at the default
   ``tol=1e-6``. Objectives are recomputed with plain numpy from ``coef_`` and
   ``intercept_`` (from ``shared_coef_`` and ``specific_coef_`` for the
   decomposition models: the objective in ``P, Q``); the clustered penalty
   has an inner minimum over a task matrix, so its value is taken from
   ``skmtl.penalties.ClusteredPenalty.value``. Goal: at least 50x faster than
   cvxpy with objectives within 1e-6 (relative).

School has no task graph and no time order, so both are constructed from the
school-level attributes, without the targets, from the rows the model is
fitted on (the training rows of the split; all rows for the timing): per
school the mean of ``fsm_pct``, ``vr1_pct`` and the school-gender and
denomination indicators, each standardised over the schools; the graph is the
symmetrised 5-nearest-neighbour graph in that space (Euclidean, weights 1).
The "time" order of ``TemporalGroupRegressor`` is the schools' mean
``fsm_pct`` (ties by school id): a pipeline step relabels the school column
with that rank (1..139) before the model, so that ``tasks_``, the sorted ids,
follow it (the CV folds are those of the other models).

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=/path/to/shared/data \\
        python -m benchmarks.bench_structured

About 26 minutes on the 2-core development machine: ~15 for the explained
variance (~90 s per split, most of it TemporalGroupRegressor and
ClusteredRegressor) and ~11 for the timing (almost all of it cvxpy on the two
trace-norm models, 3-5 minutes each, and ~70 s until the clustered model's
cvxpy fit reaches the memory limit). ``--models`` and ``--splits`` run a part,
``--no-speed`` skips the timing, ``--school-json`` adds ``bench_school``'s
models (its ``--json`` output) to the explained-variance table.
"""

import argparse
import importlib
import json
import multiprocessing
import resource
import time
import warnings
from functools import partial

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import explained_variance_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import skmtl
from benchmarks._common import data_home, fmt_time, markdown_table, relative_difference
from benchmarks.bench_joint_speed import REPEAT, REPEAT_FAST, _fit_recording, _time
from benchmarks.bench_school import MODEL_TITLES as SCHOOL_TITLES
from benchmarks.bench_school import make_estimator as school_pipeline
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import ClusteredPenalty

TASK_COLUMN = "school"
SCORING = "explained_variance"

MODELS = (
    "lasso",
    "trace_norm",
    "sparse_group",
    "graph",
    "temporal",
    "clustered",
    "dirty",
    "robust_feature_learning",
    "robust_low_rank",
)
CLASS_NAMES = {
    "lasso": "LassoRegressor",
    "trace_norm": "TraceNormRegressor",
    "sparse_group": "SparseGroupRegressor",
    "graph": "GraphRegularizedRegressor",
    "temporal": "TemporalGroupRegressor",
    "clustered": "ClusteredRegressor",
    "dirty": "DirtyRegressor",
    "robust_feature_learning": "RobustFeatureLearningRegressor",
    "robust_low_rank": "RobustLowRankRegressor",
}
DECOMPOSITION = ("dirty", "robust_feature_learning", "robust_low_rank")
# The strength of each decomposition model's task-specific part.
SPECIFIC = {
    "dirty": "alpha_sparse",
    "robust_feature_learning": "alpha_tasks",
    "robust_low_rank": "alpha_tasks",
}

# The grids, in half decades around the inner-CV optimum of split 1 (5-fold,
# standardised features), found with wider grids (scores of split 1 in the
# comments). Keys are the estimator's parameter names.
GRIDS = {
    # optimum 3e-3 (inner EV 0.316); 1e-1 and above: coef_ = 0 (0.093).
    "lasso": {"alpha": np.logspace(-3.5, -1.5, 5)},
    # optimum 0.1 (0.361); 0.03: 0.341, 0.3: 0.303.
    "trace_norm": {"alpha": np.logspace(-2, 0, 5)},
    # optimum (0.03, 1e-3) (0.335); alpha_sparse -> 0 is L21 (0.333).
    "sparse_group": {
        "alpha_group": np.array([0.01, 0.03, 0.1]),
        "alpha_sparse": np.array([3e-4, 1e-3, 3e-3]),
    },
    # optimum (0.01, 1e-3) (0.368); l1=0 gives 0.366 at alpha=0.01 and is 3-6x
    # slower to fit (L-BFGS instead of FISTA); large alpha is a plateau (0.362:
    # one weight vector per connected component of the graph).
    "graph": {
        "alpha": np.array([3e-3, 1e-2, 3e-2]),
        "l1": np.array([3e-4, 1e-3, 3e-3]),
    },
    # optimum alpha_temporal 0.3 (0.370); 10 and 100: 0.369, 0.368 and many
    # fits stop at max_iter. alpha_group: flat below 3e-3 (1e-3: +5e-5) and
    # 2-3x slower to fit there, so 3e-3 is the lower edge.
    "temporal": {
        "alpha_temporal": np.array([0.1, 0.3, 1.0]),
        "alpha_group": np.array([3e-3, 1e-2, 3e-2]),
    },
    # see CLUSTERED_NOTE
    "clustered": {
        "n_clusters": [1, 2, 5],
        "alpha": np.array([0.1]),
        "beta": np.array([1e-3]),
    },
    # optimum (0.03, 1e-2) (0.332): alpha_sparse >= alpha_group is the L21
    # model (specific part 0), the L21 optimum.
    "dirty": {
        "alpha_group": np.array([0.01, 0.03, 0.1]),
        "alpha_sparse": np.array([3e-3, 1e-2, 3e-2]),
    },
    # optimum (0.03, >= 0.03) (0.332): the specific part is 0 (the L21 model);
    # alpha_tasks = 0.01 (outlier tasks) scores 0.327.
    "robust_feature_learning": {
        "alpha_features": np.array([0.01, 0.03, 0.1]),
        "alpha_tasks": np.array([0.01, 0.03, 0.1]),
    },
    # optimum (0.1, 0.1) (0.361): alpha_tasks >= alpha_rank is the trace-norm
    # model (specific part 0); (0.1, 0.03): 0.357.
    "robust_low_rank": {
        "alpha_rank": np.array([0.03, 0.1, 0.3]),
        "alpha_tasks": np.array([0.01, 0.03, 0.1]),
    },
}
CLUSTERED_NOTE = (
    "`ClusteredRegressor` fits take 1-17 s each on a training fold (L-BFGS, "
    "thousands of iterations), so only `n_clusters` is tuned, at `alpha = 0.1`, "
    "`beta = 1e-3` fixed from split 1: there (inner EV) n_clusters = 2 beat 5 "
    "and 10 at every `(alpha, beta)` tried (alpha 0.03 to 1, beta 1e-4 to "
    "1e-2; e.g. 0.354 / 0.336 / 0.320 at `(0.1, 1e-3)`); `alpha` "
    "0.1 and 1 differ by < 1e-3 (alpha = 1 is 2-4x slower); `beta` matters "
    "most (1e-4: 0.326, 1e-2: 0.251 at k = 2), as the relaxed penalty is at "
    "most `beta (alpha + beta) T / (beta T + alpha k) ||W||^2`, `beta` bounds "
    "the pull toward the cluster means. n_clusters = 1 scores 0.359 at "
    "`beta = 1e-3` and 0.362 at `5e-4` (slower fits; not in the grid)"
)
# Parameters that are not tuned.
FIXED = {"temporal": {"alpha_l2": 0.0}}

# The constructed task graph and order.
GRAPH_ATTRIBUTES = [
    "fsm_pct",
    "vr1_pct",
    "school_mixed",
    "school_boys",
    "school_girls",
    "denomination_maintained",
    "denomination_church_of_england",
    "denomination_roman_catholic",
]
N_NEIGHBOURS = 5
ORDER_ATTRIBUTE = "fsm_pct"

# Timing.
SPEEDUP_GOAL = 50
OBJECTIVE_GOAL = 1e-6
CVXPY_CAP = 600.0  # seconds of wall time for a model's cvxpy fits
CVXPY_MEMORY_GB = 16.0  # resident-memory limit of the cvxpy child process
MIN_AVAILABLE_GB = 2.0  # and the memory it must leave to the machine


# -- the estimators ---------------------------------------------------------------


def _import_classes():
    """The estimator classes; a model whose class cannot be imported maps to a note."""
    classes, missing = {}, {}
    for model, name in CLASS_NAMES.items():
        cls = getattr(skmtl, name, None)
        if cls is None:
            try:
                module = importlib.import_module("skmtl.linear_model._decomposition")
                cls = getattr(module, name)
            except (ImportError, AttributeError) as exc:
                missing[model] = f"{name} cannot be imported ({exc!r})"
                continue
        classes[model] = cls
    return classes, missing


CLASSES, MISSING = _import_classes()


def school_attributes(X):
    """Per school (sorted ids) the mean of the school-level attributes."""
    return X.groupby(TASK_COLUMN)[GRAPH_ATTRIBUTES].mean().sort_index()


def school_graph(X, n_neighbours=N_NEIGHBOURS):
    """The symmetrised k-nearest-neighbour graph of the schools (weights 1).

    Rows and columns follow the sorted school ids (the models' ``tasks_``).
    Each attribute of :func:`school_attributes` is standardised over the
    schools; distances are Euclidean, ties go to the lower school id.
    """
    Z = school_attributes(X).to_numpy()
    sd = Z.std(axis=0)
    Z = (Z - Z.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    distance = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(distance, np.inf)
    T = len(Z)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :n_neighbours]
    A = np.zeros((T, T))
    A[np.repeat(np.arange(T), n_neighbours), nearest.ravel()] = 1.0
    return np.maximum(A, A.T)


def school_order(X):
    """School id -> rank (1..T) of its mean ``fsm_pct`` (ties by school id)."""
    rank = school_attributes(X)[ORDER_ATTRIBUTE].rank(method="first")
    return {int(k): int(v) for k, v in rank.items()}


def relabel_tasks(X, ranks):
    """``X`` with the school ids replaced by their rank (a pipeline step)."""
    X = X.copy()
    X[TASK_COLUMN] = X[TASK_COLUMN].map(ranks).astype(np.int64)
    return X


def task_context(X):
    """The constructed graph and order, from the rows ``X`` (no targets)."""
    return {"graph": school_graph(X), "ranks": school_order(X)}


def graph_summary(A):
    degrees = A.sum(axis=1)
    return {
        "n_tasks": len(A),
        "n_edges": int(A.sum() // 2),
        "degree_min": int(degrees.min()),
        "degree_max": int(degrees.max()),
        "components": int(connected_components(A, directed=False)[0]),
    }


def build_model(model, context, params=None, solver="auto"):
    """The bare estimator of ``model`` (task column ``school``)."""
    kwargs = dict(FIXED.get(model, {}))
    if model == "graph":
        kwargs["graph"] = context["graph"]
    kwargs.update(params or {})
    return CLASSES[model](task_column=TASK_COLUMN, solver=solver, **kwargs)


def make_estimator(model, feature_names, context):
    """``bench_school``'s standardising pipeline around the model.

    For the temporal model a first step relabels the schools by their rank in
    ``fsm_pct`` (the model's task order).
    """
    pipeline = school_pipeline(feature_names, scale=True)
    pipeline.set_params(model=build_model(model, context))
    if model == "temporal":
        relabel = FunctionTransformer(
            relabel_tasks, kw_args={"ranks": context["ranks"]}
        )
        pipeline = Pipeline([("relabel", relabel), *pipeline.steps])
    return pipeline


def _param_grid(model):
    return {f"model__{name}": list(values) for name, values in GRIDS[model].items()}


def _plain(value):
    value = value.item() if hasattr(value, "item") else value
    return value


# -- explained variance -------------------------------------------------------------


def _edges(model, best, specific_zero=False):
    """Chosen values on an edge of their grid (1-point axes excluded).

    Returns ``(notes, truncating)``: ``truncating`` is False when every edge
    is harmless: ``n_clusters = 1`` (the smallest possible) or, for a
    decomposition model whose specific part is 0, the upper edge of that
    part's strength (any larger value gives the same model).
    """
    notes, truncating = [], False
    for name, values in GRIDS[model].items():
        values = list(values)
        if len(values) < 2 or values[0] < best[name] < values[-1]:
            continue
        side = "lower" if best[name] == values[0] else "upper"
        if name == "n_clusters" and best[name] == 1:
            notes.append("n_clusters = 1 (the smallest)")
        elif side == "upper" and specific_zero and SPECIFIC.get(model) == name:
            notes.append(f"{name} at upper edge (specific part 0: a plateau)")
        else:
            notes.append(f"{name} at {side} edge")
            truncating = True
    return notes, truncating


def _structure(model, estimator):
    """A few words on the refitted model's structure."""
    W = estimator.coef_
    if model in DECOMPOSITION:
        Q = estimator.specific_coef_
        rows = int(np.sum(np.any(Q != 0, axis=1)))
        return {
            "specific_zero": bool(rows == 0),
            "text": "specific part 0"
            if rows == 0
            else f"specific part: {rows} tasks, {int(np.sum(Q != 0))} entries",
        }
    if model in ("trace_norm",):
        s = np.linalg.svd(W, compute_uv=False)
        return {"text": f"rank {int(np.sum(s > 1e-8 * s.max(initial=0)))}"}
    if model in ("lasso", "sparse_group", "graph"):
        return {"text": f"{100 * np.mean(W != 0):.0f}% of coef_ non-zero"}
    if model == "temporal":
        return {"text": f"{int(np.sum(np.any(W != 0, axis=0)))} features used"}
    if model == "clustered":
        sizes = np.bincount(estimator.task_clusters_)
        return {"text": "cluster sizes " + "/".join(map(str, sorted(sizes)[::-1]))}
    return {"text": ""}


def run_split(school, split_index, model, cv):
    train, test = school.splits[split_index]
    X_train, X_test = school.data.iloc[train], school.data.iloc[test]
    y_train, y_test = school.target.iloc[train], school.target.iloc[test]
    context = task_context(X_train)
    estimator = make_estimator(model, school.feature_names, context)
    search = GridSearchCV(estimator, _param_grid(model), cv=cv, scoring=SCORING)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        search.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    not_converged = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    best = {n: _plain(search.best_params_[f"model__{n}"]) for n in GRIDS[model]}
    fitted = search.best_estimator_.named_steps["model"]
    structure = _structure(model, fitted)
    edges, truncating = _edges(model, best, structure.get("specific_zero", False))
    n_candidates = int(np.prod([len(v) for v in GRIDS[model].values()]))
    return {
        "split": split_index + 1,
        "model": model,
        "params": best,
        "inner": float(search.best_score_),
        "test": float(explained_variance_score(y_test, search.predict(X_test))),
        "seconds": elapsed,
        "n_candidates": n_candidates,
        "fits": 5 * n_candidates + 1,
        "not_converged": int(not_converged),
        "edge": "; ".join(edges) or "interior",
        "edge_truncating": truncating,
        "structure": structure["text"],
    }


def chosen_params(rows, model):
    """Median over the splits of each chosen hyperparameter.

    ``n_clusters`` takes the lower median (an integer of the grid).
    """
    rs = [r for r in rows if r["model"] == model]
    if not rs:
        return None
    out = {}
    for name in GRIDS[model]:
        values = sorted(r["params"][name] for r in rs)
        if name == "n_clusters":
            out[name] = int(values[(len(values) - 1) // 2])
        else:
            out[name] = float(np.median(values))
    return out


# -- fit time ---------------------------------------------------------------------


def _column_norms(W):
    return np.sqrt(np.sum(W**2, axis=0))


def _row_norms(W):
    return np.sqrt(np.sum(W**2, axis=1))


def _nuclear(W):
    return np.sum(np.linalg.svd(W, compute_uv=False))


def penalty_value(model, estimator, context):
    """The model's penalty at the fitted weights, in numpy.

    Decomposition models: the penalty of (``shared_coef_``,
    ``specific_coef_``). Clustered: ``ClusteredPenalty.value`` (skmtl's own
    closed form of the inner minimum over the task matrix).
    """
    p = estimator.get_params()
    W = estimator.coef_
    if model == "lasso":
        return p["alpha"] * np.abs(W).sum()
    if model == "trace_norm":
        return p["alpha"] * _nuclear(W)
    if model == "sparse_group":
        return (
            p["alpha_group"] * _column_norms(W).sum()
            + p["alpha_sparse"] * np.abs(W).sum()
        )
    if model == "graph":
        A = np.array(context["graph"], dtype=float)
        np.fill_diagonal(A, 0.0)
        squared = np.sum((W[:, None, :] - W[None, :, :]) ** 2, axis=-1)
        return p["alpha"] * 0.5 * np.sum(A * squared) + p["l1"] * np.abs(W).sum()
    if model == "temporal":
        return (
            p["alpha_l2"] * np.sum(W**2)
            + p["alpha_temporal"] * np.sum(np.diff(W, axis=0) ** 2)
            + p["alpha_group"] * _column_norms(W).sum()
        )
    if model == "clustered":
        return ClusteredPenalty(p["alpha"], p["beta"], p["n_clusters"]).value(W)
    P, Q = estimator.shared_coef_, estimator.specific_coef_
    if model == "dirty":
        group = (
            _column_norms(P).sum()
            if p["group_norm"] == "l2"
            else np.abs(P).max(axis=0).sum()
        )
        return p["alpha_group"] * group + p["alpha_sparse"] * np.abs(Q).sum()
    if model == "robust_feature_learning":
        return (
            p["alpha_features"] * _column_norms(P).sum()
            + p["alpha_tasks"] * _row_norms(Q).sum()
        )
    if model == "robust_low_rank":
        return p["alpha_rank"] * _nuclear(P) + p["alpha_tasks"] * _row_norms(Q).sum()
    raise ValueError(model)


def objective(model, estimator, X, features, y, context):
    """``1/(2n) sum (y - x.w_t - b_t)^2`` + the penalty, in numpy."""
    index = np.searchsorted(estimator.tasks_, X[TASK_COLUMN].to_numpy())
    W = estimator.coef_
    if model in DECOMPOSITION:
        W = estimator.shared_coef_ + estimator.specific_coef_
    z = np.einsum("ij,ij->i", features, W[index]) + estimator.intercept_[index]
    loss = 0.5 * np.mean((y - z) ** 2)
    return float(loss + penalty_value(model, estimator, context))


def _fit_summary(model, times, estimator, X, features, y, context):
    return {
        "times": times,
        "median": float(np.median(times)),
        "objective": objective(model, estimator, X, features, y, context),
        "n_iter": int(estimator.n_iter_),
        "dual_gap": float(estimator.dual_gap_),
        "converged": bool(estimator.converged_),
    }


def _cvxpy_child(conn, model, params, context, X, features, y):
    """Fit with ``solver="cvxpy"`` (up to REPEAT fits) and send the summary."""
    try:
        fit = _fit_recording(
            partial(build_model, model, context, params, solver="cvxpy"), X, y
        )
        times, estimator = _time(fit, REPEAT, 0)
        summary = _fit_summary(model, times, estimator, X, features, y, context)
        summary["peak_rss_gb"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        )
        conn.send(summary)
    except BaseException as exc:  # report, do not hang the parent
        conn.send({"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
    finally:
        conn.close()


def _rss_gb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _meminfo_gb():
    info = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                key, value = line.split(":", 1)
                info[key] = int(value.split()[0]) / 2**20
    except (OSError, ValueError):
        pass
    return info


def memory_limit_gb():
    """CVXPY_MEMORY_GB, at most 75% of the machine's memory."""
    total = _meminfo_gb().get("MemTotal")
    return CVXPY_MEMORY_GB if total is None else min(CVXPY_MEMORY_GB, 0.75 * total)


def _cvxpy_capped(model, params, context, X, features, y, cap, memory_gb):
    """The cvxpy fits in a child process, stopped after ``cap`` seconds, when
    its resident memory exceeds ``memory_gb``, or when the machine has less
    than MIN_AVAILABLE_GB of memory left (other processes may be running)."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_cvxpy_child, args=(send, model, params, context, X, features, y)
    )
    start = time.perf_counter()
    child.start()
    send.close()
    result, peak = None, 0.0
    while result is None:
        elapsed = time.perf_counter() - start
        if receive.poll(0.5):
            try:
                result = receive.recv()
            except EOFError:
                result = {"error": f"cvxpy process died (exit code {child.exitcode})"}
            break
        rss = _rss_gb(child.pid)
        peak = max(peak, rss)
        available = _meminfo_gb().get("MemAvailable", np.inf)
        if rss > memory_gb or available < MIN_AVAILABLE_GB:
            why = (
                f"limit {memory_gb:.0f} GB"
                if rss > memory_gb
                else f"{available:.1f} GB left on the machine"
            )
            result = {
                "error": f"stopped at {rss:.1f} GB resident memory after "
                f"{elapsed:.0f} s ({why})",
                "stopped": "memory",
            }
        elif elapsed > cap:
            result = {"error": f"stopped after {cap:.0f} s", "stopped": "time"}
        elif not child.is_alive():
            result = {"error": f"cvxpy process died (exit code {child.exitcode})"}
    wall = time.perf_counter() - start
    if child.is_alive():
        child.terminate()
    child.join()
    receive.close()
    result["wall"] = wall
    result.setdefault("peak_rss_gb", peak)
    return result


def speed(chosen, models, cap=CVXPY_CAP, memory_gb=None, verbose=True):
    """Default solver vs cvxpy on the full School data at the given parameters."""
    import cvxpy  # noqa: F401  (imported here, not inside a timed fit)

    memory_gb = memory_limit_gb() if memory_gb is None else memory_gb

    school = load_school(data_home())
    names = school.feature_names
    context = task_context(school.data)
    scaled = school.data.copy()
    scaled[names] = StandardScaler().fit_transform(scaled[names])
    y = school.target.to_numpy()
    out = []
    for model in models:
        params = chosen.get(model)
        if params is None:
            continue
        X = scaled
        if model == "temporal":
            X = relabel_tasks(scaled, context["ranks"])
        features = X[names].to_numpy()
        fit = _fit_recording(partial(build_model, model, context, params), X, y)
        times, estimator = _time(fit, REPEAT_FAST, 1)
        row = {
            "model": model,
            "params": params,
            "auto": _fit_summary(model, times, estimator, X, features, y, context),
        }
        ref = _cvxpy_capped(model, params, context, X, features, y, cap, memory_gb)
        row["cvxpy"] = ref
        if "error" not in ref:
            row["speedup"] = ref["median"] / row["auto"]["median"]
            row["objective_rel_diff"] = relative_difference(
                row["auto"]["objective"], ref["objective"]
            )
        elif ref.get("stopped") == "time":
            row["speedup_lower_bound"] = ref["wall"] / row["auto"]["median"]
        out.append(row)
        if verbose:
            line = (
                f"{model:24s} {_fmt_params(params)}: skmtl "
                f"{fmt_time(row['auto']['median'])} ({row['auto']['n_iter']} it"
                f"{'' if row['auto']['converged'] else ', NOT CONVERGED'})"
            )
            if "speedup" in row:
                line += (
                    f", cvxpy {fmt_time(ref['median'])}, speedup "
                    f"{row['speedup']:.0f}x, objectives "
                    f"{row['objective_rel_diff']:.1e}"
                )
            else:
                line += f", cvxpy: {ref['error']} ({ref['wall']:.0f} s)"
            print(line, flush=True)
    return {
        "shape": {
            "n_samples": len(y),
            "n_tasks": int(school.data[TASK_COLUMN].nunique()),
            "n_features": len(names),
        },
        "graph": graph_summary(context["graph"]),
        "cap": cap,
        "memory_gb": memory_gb,
        "fits": out,
    }


# -- run and report ---------------------------------------------------------------


def run(splits=None, models=None, speed_test=True, cap=CVXPY_CAP, verbose=True):
    """Run the benchmark; returns a dict of plain results (JSON-serialisable)."""
    models = list(MODELS if models is None else models)
    skipped = {m: MISSING[m] for m in models if m in MISSING}
    for model, note in skipped.items():
        print(f"skipping {model}: {note}", flush=True)
    models = [m for m in models if m not in skipped]
    school = load_school(data_home())
    cv = TaskStratifiedKFold(
        n_splits=5, task_column=TASK_COLUMN, shuffle=True, random_state=0
    )
    splits = range(len(school.splits)) if splits is None else [s - 1 for s in splits]
    graphs = []
    rows = []
    start = time.perf_counter()
    for k in splits:
        train = school.splits[k][0]
        graphs.append(
            {"split": k + 1, **graph_summary(school_graph(school.data.iloc[train]))}
        )
        for model in models:
            row = run_split(school, k, model, cv)
            rows.append(row)
            if verbose:
                print(
                    f"split {row['split']:2d} {model:24s} "
                    f"{_fmt_params(row['params'])} inner={row['inner']:.4f} "
                    f"test={row['test']:.4f} ({row['seconds']:.1f} s, "
                    f"{row['not_converged']}/{row['fits']} not converged) "
                    f"[{row['edge']}] {row['structure']}",
                    flush=True,
                )
    ev_seconds = time.perf_counter() - start
    chosen = {m: chosen_params(rows, m) for m in models}
    timing = None
    if speed_test:
        timing = speed(chosen, models, cap=cap, verbose=verbose)
    return {
        "rows": rows,
        "chosen": chosen,
        "graphs": graphs,
        "speed": timing,
        "skipped": skipped,
        "ev_seconds": ev_seconds,
        "seconds": time.perf_counter() - start,
        "grids": {
            m: {name: [_plain(v) for v in values] for name, values in GRIDS[m].items()}
            for m in models
        },
    }


def _fmt_value(value):
    if isinstance(value, int | np.integer):
        return str(value)
    return f"{value:.3g}"


def _fmt_params(params):
    return ", ".join(f"{k}={_fmt_value(v)}" for k, v in params.items())


def _mean_sd(values):
    values = np.asarray(values)
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{100 * values.mean():.2f} ± {100 * sd:.2f}%"


def _fmt_grid(model):
    return " x ".join(
        f"`{name}` {{{', '.join(_fmt_value(_plain(v)) for v in values)}}}"
        for name, values in GRIDS[model].items()
    )


def _school_rows(school_results, splits):
    """Rows of bench_school's models: (title, test EVs by split, cells)."""
    out = []
    rows = [r for r in school_results["rows"] if r["split"] in splits]
    for model in SCHOOL_TITLES:
        rs = [r for r in rows if r["model"] == model]
        if not rs:
            continue
        params = f"alpha (std) {np.median([r['alpha_scaled'] for r in rs]):.2g}"
        pulls = [r["pull"] for r in rs if r.get("pull") is not None]
        if model == "mean_regularized" and pulls:
            params = (
                f"alpha {np.median([r['alpha'] for r in rs]):.2g}, alpha·(1 + "
                f"coupling) {np.median(pulls):.2g} (kept variant)"
            )
        out.append((model, rs, params))
    return out


def report(results, school_results=None):
    """Markdown section for RESULTS.md.

    ``school_results``: the dict ``bench_school.run`` returned; its models
    then join the explained-variance table (standardised-features variant,
    and their raw-or-standardised inner-CV choice).
    """
    rows = results["rows"]
    models = [m for m in MODELS if any(r["model"] == m for r in rows)]
    splits = sorted({r["split"] for r in rows})
    out = ["## School: structured multi-task models (issue [4/4])", ""]
    out.append(
        f"{len(splits)} standard splits; per split and model, `GridSearchCV` with "
        "`TaskStratifiedKFold(5, task_column='school', shuffle=True, "
        "random_state=0)` and the `explained_variance` scorer on the training rows "
        "only, on **standardised features only** (`bench_school`'s pipeline: the "
        "scaler leaves the `school` column alone). Test metric: `1 - Var(y - "
        "y_pred) / Var(y)` over all test rows of the split; mean ± sd (ddof=1) over "
        "the splits. *hyperparameters*: the median over the splits of the inner-CV "
        "choice; *grid search*: wall time of `GridSearchCV.fit` summed over the "
        "splits (5 folds x candidates + 1 refit); *not converged*: of those fits, "
        "the ones that ended with a ConvergenceWarning. Wall time of the "
        f"explained-variance part: {results['ev_seconds']:.0f} s; of the whole "
        f"benchmark: {results['seconds']:.0f} s."
    )
    out.append("")
    mr = {}
    if school_results:
        mr = {
            r["split"]: r
            for r in school_results["rows"]
            if r["model"] == "mean_regularized"
        }
    paired = bool(mr) and all(k in mr for k in splits)
    header = [
        "model",
        "test EV, standardised features",
        "mean inner EV",
        "hyperparameters (median)",
        "grid search",
        "fits not converged",
        "on a grid edge",
    ]
    if paired:
        header.insert(2, "vs MeanRegularized (paired, points)")
    table = []
    if school_results:
        for model, rs, params in _school_rows(school_results, splits):
            cells = [
                f"{SCHOOL_TITLES[model]} (bench_school; raw-or-std inner-CV choice: "
                f"{_mean_sd([r['test'] for r in rs])})",
                "**" + _mean_sd([r["test_scaled"] for r in rs]) + "**",
                f"{np.mean([r['inner_scaled'] for r in rs]):.4f}",
                params,
                f"{sum(r['seconds'] for r in rs):.0f} s (raw + std)",
                f"{sum(r['not_converged_scaled'] for r in rs)} / "
                f"{sum(r['fits_per_variant'] for r in rs)}",
                "see bench_school",
            ]
            if paired:
                diffs = [r["test_scaled"] - mr[r["split"]]["test_scaled"] for r in rs]
                same = model == "mean_regularized"
                cells.insert(2, "—" if same else _fmt_diff(diffs))
            table.append(cells)
    for model in models:
        rs = [r for r in rows if r["model"] == model]
        n_edges = sum(r["edge_truncating"] for r in rs)
        cells = [
            CLASS_NAMES[model],
            "**" + _mean_sd([r["test"] for r in rs]) + "**",
            f"{np.mean([r['inner'] for r in rs]):.4f}",
            _fmt_params(results["chosen"][model]),
            f"{sum(r['seconds'] for r in rs):.0f} s",
            f"{sum(r['not_converged'] for r in rs)} / {sum(r['fits'] for r in rs)}",
            f"{n_edges}/{len(rs)} splits",
        ]
        if paired:
            cells.insert(
                2, _fmt_diff([r["test"] - mr[r["split"]]["test_scaled"] for r in rs])
            )
        table.append(cells)
    out.append(markdown_table(header, table))
    if paired:
        out += [
            "",
            "*vs MeanRegularized*: test EV minus that of `bench_school`'s "
            "`MeanRegularizedRegressor` on standardised features, same split: mean "
            "(min, max) in percentage points and the number of splits where the "
            "model is better.",
        ]
    graph = results["graphs"][0]
    out += [
        "",
        "Constructed task structure (School has none): the graph of "
        "`GraphRegularizedRegressor` joins each school to its "
        f"{N_NEIGHBOURS} nearest schools (symmetrised, weights 1) in the "
        "standardised per-school means of "
        + ", ".join(f"`{a}`" for a in GRAPH_ATTRIBUTES)
        + " over the rows the model is fitted on (no targets): on split "
        f"{graph['split']}'s training rows {graph['n_edges']} edges, degrees "
        f"{graph['degree_min']} to {graph['degree_max']}, {graph['components']} "
        "connected components (the gender and denomination indicators dominate "
        "the distances; the graph term leaves one weight vector per component "
        "free). `TemporalGroupRegressor` orders the schools by their mean "
        f"`{ORDER_ATTRIBUTE}` (ties by school id): a pipeline step relabels the "
        "school column with that rank, so `tasks_` (the sorted ids) follow it; "
        "the chain term pulls together schools of similar deprivation, and "
        "`alpha_l2 = 0`.",
        "",
        "Grids (half decades around the inner-CV optimum of split 1): "
        + "; ".join(f"`{CLASS_NAMES[m]}` {_fmt_grid(m)}" for m in models if m in GRIDS)
        + ". "
        + (CLUSTERED_NOTE + ". " if "clustered" in models else "")
        + "A chosen value on an edge of its grid is listed per split below and not "
        "probed further; for the decomposition models an edge where the "
        "task-specific part is 0 is a plateau (any larger strength gives the same "
        "model).",
    ]
    notes = _degenerate_notes(rows)
    if notes:
        out += ["", *notes]
    if results.get("skipped"):
        out += [
            "",
            "Skipped: "
            + "; ".join(f"{m} ({note})" for m, note in results["skipped"].items())
            + ".",
        ]
    out += ["", "### Chosen hyperparameters per split", ""]
    per_split = [
        [
            r["split"],
            CLASS_NAMES[r["model"]],
            _fmt_params(r["params"]),
            f"{r['inner']:.4f}",
            f"{r['test']:.4f}",
            f"{r['seconds']:.1f} s",
            f"{r['not_converged']} / {r['fits']}",
            r["edge"],
            r["structure"],
        ]
        for r in sorted(rows, key=lambda r: (r["split"], MODELS.index(r["model"])))
    ]
    out.append(
        markdown_table(
            [
                "split",
                "model",
                "chosen",
                "inner EV",
                "test EV",
                "grid search",
                "not converged",
                "grid edge",
                "refitted model",
            ],
            per_split,
        )
    )
    if results.get("speed"):
        out += ["", _speed_report(results["speed"])]
    return "\n".join(out)


def _fmt_diff(diffs):
    return (
        f"{100 * np.mean(diffs):+.2f} ({100 * min(diffs):+.2f}, "
        f"{100 * max(diffs):+.2f}), better on {sum(d > 0 for d in diffs)}/"
        f"{len(diffs)}"
    )


def _degenerate_notes(rows):
    """Decomposition models whose specific part the inner CV switched off."""
    out = []
    for model in DECOMPOSITION:
        rs = [r for r in rows if r["model"] == model]
        zero = sum(r["structure"] == "specific part 0" for r in rs)
        if rs and zero:
            alone = {
                "dirty": "the L2,1 model",
                "robust_feature_learning": "the L2,1 model",
                "robust_low_rank": "the trace-norm model",
            }[model]
            out.append(
                f"- {CLASS_NAMES[model]}: on {zero}/{len(rs)} splits the refitted "
                f"model has a zero task-specific part, i.e. it is {alone} of its "
                "shared part's strength."
            )
    return out


def _yes(flag):
    return "**met**" if flag else "**not met**"


def _speed_report(timing):
    shape = timing["shape"]
    out = [
        "### Fit time against cvxpy on the full School data",
        "",
        f"Full School data, task-indexed: {shape['n_tasks']} tasks, "
        f"{shape['n_samples']} rows, {shape['n_features']} features standardised "
        "over all rows; graph and task order constructed from all rows as above "
        f"(graph: {timing['graph']['n_edges']} edges, "
        f"{timing['graph']['components']} components). Each model at the median "
        "over the splits of its inner-CV choice. Estimator defaults (`tol=1e-6`, "
        "a duality-gap certificate relative to the objective, for the cvxpy "
        'solutions too; `max_iter=10_000`); `solver="cvxpy"` is Clarabel with '
        "the estimator's own settings. Default solver: median of up to "
        f"{REPEAT_FAST} fits after one untimed warm-up (fewer past 10 s); cvxpy: "
        f"up to {REPEAT} fits without warm-up (one when slow), in a child process "
        f"stopped after {timing['cap']:.0f} s or when its resident memory exceeds "
        f"{timing['memory_gb']:.0f} GB or leaves less than {MIN_AVAILABLE_GB:g} GB "
        "available on the machine (*peak RSS*: of that process). The whole "
        "`fit` is timed. "
        "Objectives are recomputed with numpy from `coef_`/`intercept_` (from "
        "`shared_coef_` + `specific_coef_` and the two parts' penalties for the "
        "decomposition models); for `ClusteredRegressor` the penalty value is "
        "`skmtl.penalties.ClusteredPenalty.value` (its inner minimum over the task "
        "matrix has no plainer form), so that row checks skmtl's solver, not its "
        "penalty code.",
        "",
    ]
    rows, goals = [], []
    for r in timing["fits"]:
        auto, ref = r["auto"], r["cvxpy"]
        cells = [
            CLASS_NAMES[r["model"]],
            _fmt_params(r["params"]),
            f"{fmt_time(auto['median'])} (n={len(auto['times'])})",
            str(auto["n_iter"]) + ("" if auto["converged"] else " **not converged**"),
        ]
        if "speedup" in r:
            cells += [
                f"{fmt_time(ref['median'])} (n={len(ref['times'])})"
                + ("" if ref["converged"] else " **not converged**"),
                f"**{r['speedup']:.0f}x**",
                f"{auto['objective']:.12g}",
                f"{ref['objective']:.12g}",
                f"{r['objective_rel_diff']:.1e}",
                f"{ref['peak_rss_gb']:.1f} GB",
            ]
            ok = (
                r["speedup"] >= SPEEDUP_GOAL
                and r["objective_rel_diff"] <= OBJECTIVE_GOAL
            )
            goals.append(
                [
                    CLASS_NAMES[r["model"]],
                    f"{r['speedup']:.0f}x, {r['objective_rel_diff']:.1e}",
                    _yes(ok),
                ]
            )
        else:
            bound = r.get("speedup_lower_bound")
            cells += [
                f"{ref['error']}",
                f"> {bound:.0f}x" if bound else "",
                f"{auto['objective']:.12g}",
                "",
                "",
                f"{ref['peak_rss_gb']:.1f} GB",
            ]
            goals.append(
                [
                    CLASS_NAMES[r["model"]],
                    (f"> {bound:.0f}x, " if bound else "") + "objective not compared",
                    "**not verified** (cvxpy did not finish)",
                ]
            )
        rows.append(cells)
    out.append(
        markdown_table(
            [
                "model",
                "hyperparameters",
                "skmtl (default solver)",
                "n_iter_",
                'solver="cvxpy"',
                "cvxpy / skmtl",
                "objective skmtl",
                "objective cvxpy",
                "rel. diff",
                "cvxpy peak RSS",
            ],
            rows,
        )
    )
    out += [
        "",
        f"Goal per model: ≥ {SPEEDUP_GOAL}x faster than cvxpy with objectives "
        f"within {OBJECTIVE_GOAL:g} (relative).",
        "",
        markdown_table(["model", "measured", "status"], goals),
    ]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, nargs="*", help="split numbers 1..10")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=MODELS)
    parser.add_argument(
        "--no-speed", action="store_true", help="skip the fit-time comparison"
    )
    parser.add_argument(
        "--cvxpy-cap",
        type=float,
        default=CVXPY_CAP,
        help=f"seconds after which a model's cvxpy fits are stopped ({CVXPY_CAP:g})",
    )
    parser.add_argument(
        "--school-json",
        help="raw results of bench_school (--json) to list its models in the table",
    )
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    results = run(
        args.splits, args.models, speed_test=not args.no_speed, cap=args.cvxpy_cap
    )
    school_results = None
    if args.school_json:
        with open(args.school_json) as f:
            school_results = json.load(f)
    print()
    print(report(results, school_results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
