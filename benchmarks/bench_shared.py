"""A shared component under the structured penalties (issue [7/10], item 1).

Three measurements, side by side in one run:

* **School** (the 10 standard 75/25 splits, features standardised on the
  training rows, the school column passed through): explained variance on
  the test rows of the pooled model (``MeanRegularizedRegressorCV`` with
  ``couplings=[inf]``: one weight vector, per-school intercepts, ridge
  strength tuned) and of every structured family's ``*CV`` estimator with
  and without ``shared_component=True``. Hyperparameters by the estimators'
  own inner cross-validation on the training rows only (5-fold
  ``TaskStratifiedKFold``, ``N_ALPHAS`` values from the data's ``alpha_max``
  down to ``1e-3`` of it).
* **Fit time** (School split 1): one fit of each family with the shared
  component against one without, at the strength the shared model chose,
  median of ``REPEAT`` runs each, alternating.
* **Multi-label classification** (``MULAN_SETS`` of the shared data): each
  label is a binary task on a shared design with ``N_TRAIN`` training rows
  drawn at random (``N_SPLITS`` draws), the rest for testing; labels with
  fewer than ``MIN_CLASS`` rows of either class among the training rows are
  left out of that draw. Mean AUC over the labels of the test rows for
  independent logistic regressions (``couplings=[0]``), the pooled model
  (``couplings=[inf]``), the mean-regularized model, the graph model
  (``graph="knn"``) and the structured models with and without the shared
  component (the ridge on the common weights searched over ``ALPHA_SHARED``,
  ``inf`` included: no common weights), all tuned by their inner 3-fold CV
  over ``N_ALPHAS_CLASSIFIER`` values.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data \
        python -m benchmarks.bench_shared

It prints the tables and writes them into ``benchmarks/RESULTS.md`` between
the markers ``<!-- bench_shared -->`` and ``<!-- /bench_shared -->``.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import explained_variance_score, roc_auc_score
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

import skmtl
from benchmarks._common import (
    alternating_median_times,
    data_home,
    machine_info,
    markdown_table,
    write_section,
)
from skmtl.datasets import load_mulan, load_school

N_ALPHAS = 20
REPEAT = 3
# The classification comparison on every MULAN set of the shared data, with
# 10 values per path.
N_TRAIN, N_SPLITS, MIN_CLASS, N_ALPHAS_CLASSIFIER = 50, 3, 5, 10
# The ridge on the classifiers' common weights, searched by the inner CV with
# the path: never 0 (unpenalised, they have no optimum where the labels are
# separable along them; flags: every draw), and inf (no common weights, the
# zero-centred model) so that the shared component can be switched off
# where the labels share little.
ALPHA_SHARED = [1e-3, 1e-2, 1e-1, 1.0, np.inf]
MULAN_SETS = ("emotions", "flags", "scene", "yeast")
POOLED_SCHOOL = 37.78  # pooled ridge with raw-or-standardised choice (bench_school)


def _families(loss):
    """(name, CV class, extra parameters) of the structured families."""
    suffix = "RegressorCV" if loss == "squared" else "ClassifierCV"
    return [
        ("L21", getattr(skmtl, "L21" + suffix), {}),
        ("Lasso", getattr(skmtl, "Lasso" + suffix), {}),
        ("TraceNorm", getattr(skmtl, "TraceNorm" + suffix), {}),
        ("FeatureLearning", getattr(skmtl, "FeatureLearning" + suffix), {}),
        (
            "SparseGroup",
            getattr(skmtl, "SparseGroup" + suffix),
            {"alpha_sparse": 1e-3},
        ),
    ]


def _fit(model, X, y):
    """Fit, counting ConvergenceWarnings instead of raising them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    return model, sum(issubclass(w.category, ConvergenceWarning) for w in caught)


# -- School -----------------------------------------------------------------------


def school_split(data, k):
    train, test = data.splits[k]
    X, y = data.data.iloc[train].copy(), data.target.iloc[train].to_numpy()
    X_test, y_test = data.data.iloc[test].copy(), data.target.iloc[test].to_numpy()
    features = [c for c in X.columns if c != "school"]
    scaler = StandardScaler().fit(X[features])
    X[features] = scaler.transform(X[features])
    X_test[features] = scaler.transform(X_test[features])
    return X, y, X_test, y_test


def school_models():
    models = [
        ("pooled", skmtl.MeanRegularizedRegressorCV(couplings=[np.inf])),
    ]
    for name, cls, extra in _families("squared"):
        for shared in (False, True):
            label = f"{name} + shared" if shared else name
            models.append((label, cls(shared_component=shared, **extra)))
    return models


def run_school(verbose=True):
    data = load_school(data_home())
    scores, warned, chosen = {}, {}, {}
    for k in range(len(data.splits)):
        X, y, X_test, y_test = school_split(data, k)
        for label, model in school_models():
            model.set_params(task_column="school", n_alphas=N_ALPHAS)
            start = time.perf_counter()
            model, n_warn = _fit(model, X, y)
            seconds = time.perf_counter() - start
            score = 100 * explained_variance_score(y_test, model.predict(X_test))
            scores.setdefault(label, []).append(score)
            warned[label] = warned.get(label, 0) + n_warn
            chosen.setdefault(label, []).append(model.alpha_)
            if verbose:
                print(f"split {k + 1} {label}: {score:.2f}% ({seconds:.1f} s)")
    return scores, warned, chosen


def school_table(scores, warned):
    pooled = np.array(scores["pooled"])
    rows = []
    for label, values in scores.items():
        values = np.array(values)
        base = label.replace(" + shared", "")
        versus_centred = ""
        if label.endswith("+ shared"):
            diff = values - np.array(scores[base])
            versus_centred = f"{diff.mean():+.2f} (better on {np.sum(diff > 0)}/10)"
        diff = values - pooled
        rows.append(
            [
                label,
                f"**{values.mean():.2f} ± {values.std():.2f}%**",
                f"{diff.mean():+.2f} (better on {np.sum(diff > 0)}/10)"
                if label != "pooled"
                else "—",
                versus_centred or "—",
                f"{warned[label]}",
            ]
        )
    return markdown_table(
        [
            "model (*CV estimator)",
            "test EV, mean ± sd over 10 splits",
            "vs pooled (points)",
            "vs its zero-centred variant (points)",
            "ConvergenceWarnings",
        ],
        rows,
    )


# -- fit time ----------------------------------------------------------------------


def run_fit_times(chosen):
    data = load_school(data_home())
    X, y, _, _ = school_split(data, 0)
    rows = []
    for name, cls, extra in _families("squared"):
        single = cls._single_class()
        alpha = chosen[f"{name} + shared"][0]
        models = [
            single(
                alpha if single._path == "alpha" else 1.0,
                task_column="school",
                shared_component=shared,
                **extra,
            ).set_params(**{single._path: alpha})
            for shared in (False, True)
        ]
        without, with_shared = alternating_median_times(
            [lambda m=m: _fit(m, X, y) for m in models], REPEAT
        )
        ratio = with_shared / without
        rows.append(
            [
                name,
                f"{alpha:.3g}",
                f"{without:.2f} s ({models[0].n_iter_} it.)",
                f"{with_shared:.2f} s ({models[1].n_iter_} it.)",
                f"{ratio:.2f}x",
                "met" if ratio <= 1.5 else "**not met**",
            ]
        )
    return markdown_table(
        [
            "family (squared loss)",
            "alpha",
            "fit without",
            "fit with shared component",
            "ratio",
            "goal <= 1.5x",
        ],
        rows,
    )


# -- multi-label classification ----------------------------------------------------


def mulan_models():
    cv = KFold(3, shuffle=True, random_state=0)
    models = [
        ("independent", skmtl.MeanRegularizedClassifierCV(couplings=[0.0])),
        ("pooled", skmtl.MeanRegularizedClassifierCV(couplings=[np.inf])),
        ("mean-regularized", skmtl.MeanRegularizedClassifierCV()),
        ("graph (knn)", skmtl.GraphRegularizedClassifierCV("knn", l2=1e-3)),
    ]
    for name, cls, extra in _families("logistic"):
        if name in ("Lasso", "SparseGroup"):
            continue
        models.append((name, cls(**extra)))
        shared = cls(shared_component=True, alpha_shared=ALPHA_SHARED, **extra)
        models.append((f"{name} + shared", shared))
    return [
        (label, model.set_params(cv=cv, n_alphas=N_ALPHAS_CLASSIFIER))
        for label, model in models
    ]


def run_mulan(verbose=True):
    results = {}
    for dataset in MULAN_SETS:
        full = load_mulan(dataset, data_home=data_home())
        X_all = np.asarray(full.data, dtype=float)
        Y_all = np.asarray(full.target, dtype=float)
        rng = np.random.default_rng(0)
        for split in range(N_SPLITS):
            train = rng.choice(len(X_all), N_TRAIN, replace=False)
            test = np.setdiff1d(np.arange(len(X_all)), train)
            counts = Y_all[train].sum(axis=0)
            labels = np.flatnonzero(
                (counts >= MIN_CLASS) & (N_TRAIN - counts >= MIN_CLASS)
            )
            test_ok = labels[
                np.ptp(Y_all[np.ix_(test, labels)], axis=0) > 0
            ]  # AUC needs both classes among the test rows
            scaler = StandardScaler().fit(X_all[train])
            X, X_test = scaler.transform(X_all[train]), scaler.transform(X_all[test])
            Y, Y_test = Y_all[np.ix_(train, test_ok)], Y_all[np.ix_(test, test_ok)]
            for label, model in mulan_models():
                try:
                    model, _ = _fit(model, X, Y)
                except ValueError as error:  # a fold without both classes
                    print(f"{dataset} {split} {label}: {error}")
                    continue
                scores = model.decision_function(X_test)
                auc = np.mean(
                    [
                        roc_auc_score(Y_test[:, j], scores[:, j])
                        for j in range(Y.shape[1])
                    ]
                )
                results.setdefault((dataset, label), []).append(auc)
                if verbose:
                    print(f"{dataset} split {split + 1} {label}: AUC {auc:.3f}")
    return results


def mulan_table(results):
    labels = [label for label, _ in mulan_models()]
    rows = []
    for label in labels:
        cells = [label]
        for dataset in MULAN_SETS:
            values = results.get((dataset, label), [])
            cells.append(
                f"{np.mean(values):.3f} ± {np.std(values):.3f} ({len(values)})"
                if values
                else "—"
            )
        rows.append(cells)
    return markdown_table(
        ["model", *(f"{d}: mean AUC (splits)" for d in MULAN_SETS)], rows
    )


def main():
    info = markdown_table(["", ""], machine_info())
    scores, warned, chosen = run_school()
    school = school_table(scores, warned)
    times = run_fit_times(chosen)
    mulan = mulan_table(run_mulan())
    text = "\n\n".join(
        [
            "## A shared component under the structured penalties (issue [7/10])",
            "Command: `OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data "
            "python -m benchmarks.bench_shared` (see the script's docstring for "
            "the protocol).",
            info,
            "### School: explained variance, hyperparameters by inner CV",
            school,
            f"Pooled ridge of bench_school (raw-or-standardised choice): "
            f"{POOLED_SCHOOL}%; goal for the best model: ≥ 39.0%.",
            "### Fit time with the shared component (School split 1)",
            times,
            f"### Multi-label classification, {N_TRAIN} training rows per draw",
            mulan,
        ]
    )
    print(text)
    write_section(text, "bench_shared")


if __name__ == "__main__":
    main()
