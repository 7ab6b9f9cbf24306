"""Multi-task kernel ridge regression (issue [7/10], item 3).

Two measurements, side by side in one run:

* **School** (the 10 standard 75/25 splits, features standardised on the
  training rows): explained variance on the test rows of
  ``MultiTaskKernelRidge`` (RBF kernel, ``task_kernel="mean"``) against
  scikit-learn's ``KernelRidge`` (RBF kernel) on the features plus a one-hot
  encoding of the school, and the linear ``MeanRegularizedRegressorCV`` for
  reference. Hyperparameters by 3-fold inner cross-validation on the
  training rows only (``GridSearchCV`` over ``GRID``; the linear model's own
  CV); the fit time of each kernel model at its chosen hyperparameters on
  split 1 (median of ``REPEAT``).
* **Rows**: the exact model against its Nyström approximation
  (``n_components=N_COMPONENTS``) on synthetic task-indexed data of growing
  size (20 tasks of one smooth function plus a task offset): fit time and
  test R².

Run from the repository root::

    SKMTL_DATA_HOME=../shared/data python -m benchmarks.bench_kernel

It prints the tables and writes them into ``benchmarks/RESULTS.md`` between
the markers ``<!-- bench_kernel -->`` and ``<!-- /bench_kernel -->``.
"""

import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics import explained_variance_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import skmtl
from benchmarks._common import data_home, machine_info, markdown_table, write_section
from benchmarks.bench_shared import school_split
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

GAMMAS = [0.002, 0.01]
# The same alphas for both: KernelRidge's alpha is 2 n alpha of the
# multi-task model (n = 2/3 of the 11 472 training rows in the inner CV).
ALPHAS = [1e-7, 1e-6, 1e-5]
COUPLINGS = [100.0, np.inf]
N_INNER = 7_648
REPEAT = 3
SIZES = [2_500, 5_000, 10_000, 20_000]
N_COMPONENTS = 500
COMMAND = "SKMTL_DATA_HOME=../shared/data python -m benchmarks.bench_kernel"


def _kernel_models():
    multi_task = GridSearchCV(
        skmtl.MultiTaskKernelRidge(kernel="rbf", task_column="school"),
        {"alpha": ALPHAS, "coupling": COUPLINGS, "gamma": GAMMAS},
        cv=TaskStratifiedKFold(3, task_column="school"),
    )
    one_hot = ColumnTransformer(
        [("school", OneHotEncoder(handle_unknown="ignore"), ["school"])],
        remainder="passthrough",
        sparse_threshold=0,
    )
    pooled = GridSearchCV(
        make_pipeline(one_hot, KernelRidge(kernel="rbf")),
        {
            "kernelridge__alpha": [2 * N_INNER * a for a in ALPHAS],
            "kernelridge__gamma": GAMMAS,
        },
        cv=KFold(3),
    )
    linear = skmtl.MeanRegularizedRegressorCV(task_column="school")
    return {
        "MultiTaskKernelRidge (RBF)": multi_task,
        "KernelRidge (RBF) on features + school one-hot": pooled,
        "MeanRegularizedRegressorCV (linear)": linear,
    }


def run_school_splits(make_models):
    """Test EV (%) of fresh ``make_models()`` on each School split, and the
    models as fitted on split 1; the models are fitted on the training rows."""
    data = load_school(data_home())
    scores = {name: [] for name in make_models()}
    first = {}
    for k in range(len(data.splits)):
        X, y, X_test, y_test = school_split(data, k)
        for name, model in make_models().items():
            start = time.perf_counter()
            model.fit(X, y)
            score = 100 * explained_variance_score(y_test, model.predict(X_test))
            scores[name].append(score)
            first.setdefault(name, model)
            seconds = time.perf_counter() - start
            print(f"split {k + 1} {name}: {score:.2f}% ({seconds:.0f} s)", flush=True)
    return scores, first


def run_school():
    scores, first = run_school_splits(_kernel_models)
    chosen = {
        name: model.best_estimator_
        for name, model in first.items()
        if hasattr(model, "best_estimator_")
    }
    return scores, chosen


def school_table(scores):
    rows = [
        [name, f"**{np.mean(values):.2f} ± {np.std(values):.2f}%**"]
        for name, values in scores.items()
    ]
    return markdown_table(["model", "test EV, mean ± sd over 10 splits"], rows)


def fit_time_table(chosen):
    data = load_school(data_home())
    X, y, _, _ = school_split(data, 0)
    rows = []
    for name, model in chosen.items():
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
        params = {
            key.split("__")[-1]: value
            for key, value in model.get_params().items()
            if key.split("__")[-1] in ("alpha", "coupling", "gamma")
        }
        shown = ", ".join(f"{key}={value:.3g}" for key, value in sorted(params.items()))
        rows.append([name, shown, f"{np.median(times):.1f} s"])
    return markdown_table(["model (split 1)", "chosen", "fit time (median)"], rows)


def _synthetic(n, seed):
    rng = np.random.default_rng(seed)
    tasks = rng.integers(0, 20, n)
    features = rng.normal(size=(n, 5))
    y = np.sin(2 * features[:, 0]) * features[:, 1] + features[:, 2] ** 2 / 2
    y += 0.2 * tasks / 20 + 0.3 * rng.normal(size=n)
    return np.column_stack([tasks, features]), y


def rows_table(verbose=True):
    X_test, y_test = _synthetic(5_000, seed=1)
    rows = []
    for n in SIZES:
        X, y = _synthetic(n, seed=0)
        cells = [f"{n:,}"]
        for n_components in (None, N_COMPONENTS):
            model = skmtl.MultiTaskKernelRidge(
                1e-5,
                10.0,
                kernel="rbf",
                gamma=0.2,
                n_components=n_components,
                random_state=0,
                task_column=0,
            )
            start = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - start
            score = r2_score(y_test, model.predict(X_test))
            cells += [f"{seconds:.1f} s", f"{score:.4f}"]
            if verbose:
                print(
                    f"{n} rows, n_components={n_components}: {seconds:.1f} s, "
                    f"R² {score:.4f}",
                    flush=True,
                )
        rows.append(cells)
    header = [
        "training rows",
        "exact: fit",
        "exact: test R²",
        f"Nyström ({N_COMPONENTS}): fit",
        f"Nyström ({N_COMPONENTS}): test R²",
    ]
    return markdown_table(header, rows)


def main():
    scores, chosen = run_school()
    times = fit_time_table(chosen)
    rows = rows_table()
    info = markdown_table(["", ""], machine_info())
    text = "\n\n".join(
        [
            "## Multi-task kernel ridge regression (issue [7/10])",
            "### School: multi-task kernel ridge against KernelRidge with the "
            "school one-hot (hyperparameters by 3-fold inner CV on the training "
            "rows)",
            school_table(scores),
            "### Fit time on School split 1 (11 472 rows) at the chosen "
            "hyperparameters",
            times,
            "### Exact against Nyström on synthetic task-indexed data "
            "(20 tasks, 5 features, RBF, test on 5 000 rows)",
            rows,
            f"Command: `{COMMAND}`",
            info,
        ]
    )
    print(text)
    write_section(text, "bench_kernel")


if __name__ == "__main__":
    main()
