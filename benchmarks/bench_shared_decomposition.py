"""The shared component under the decomposition penalties (issue [7/10], item 1).

The decomposition models (``W = P + Q``: dirty, robust feature learning,
robust low rank) have no ``*CV`` estimator, so ``GridSearchCV`` (5-fold
``TaskStratifiedKFold`` on the training rows only) chooses their two
strengths over ``GRIDS``, with and without ``shared_component=True``
(``W = 1 w0' + P + Q``), next to the pooled model
(``MeanRegularizedRegressorCV`` with ``couplings=[inf]``), on the 10 School
splits of ``bench_shared`` (features standardised on the training rows).
Then the fit time of each at the strengths the shared model chose on split 1
(median of ``REPEAT``, alternating).

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data \\
        python -m benchmarks.bench_shared_decomposition

It writes the tables into ``benchmarks/RESULTS.md`` between the markers
``<!-- bench_shared_decomposition -->`` and
``<!-- /bench_shared_decomposition -->``.
"""

import numpy as np
from sklearn.model_selection import GridSearchCV

import skmtl
from benchmarks._common import (
    alternating_median_times,
    data_home,
    machine_info,
    markdown_table,
    write_section,
)
from benchmarks.bench_kernel import run_school_splits
from benchmarks.bench_shared import school_split
from benchmarks.bench_shared_clustered import school_table
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

STRENGTHS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
# name -> (estimator, its two strengths), each over STRENGTHS.
FAMILIES = {
    "Dirty": (skmtl.DirtyRegressor, ("alpha_group", "alpha_sparse")),
    "RobustFeatureLearning": (
        skmtl.RobustFeatureLearningRegressor,
        ("alpha_features", "alpha_tasks"),
    ),
    "RobustLowRank": (skmtl.RobustLowRankRegressor, ("alpha_rank", "alpha_tasks")),
}
REPEAT = 3
COMMAND = (
    "OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data "
    "python -m benchmarks.bench_shared_decomposition"
)


def _models():
    models = {
        "pooled": skmtl.MeanRegularizedRegressorCV(
            couplings=[np.inf], task_column="school"
        )
    }
    for name, (cls, strengths) in FAMILIES.items():
        for shared in (False, True):
            models[f"{name} + shared" if shared else name] = GridSearchCV(
                cls(shared_component=shared, task_column="school"),
                dict.fromkeys(strengths, STRENGTHS),
                cv=TaskStratifiedKFold(5, task_column="school"),
            )
    return models


def fit_time_table(first):
    data = load_school(data_home())
    X, y, _, _ = school_split(data, 0)
    rows = []
    for name, (cls, _) in FAMILIES.items():
        chosen = first[f"{name} + shared"].best_params_
        models = [
            cls(**chosen, shared_component=shared, task_column="school")
            for shared in (False, True)
        ]
        without, with_shared = alternating_median_times(
            [lambda m=m: m.fit(X, y) for m in models], REPEAT
        )
        rows.append(
            [
                name,
                ", ".join(f"{k}={v:g}" for k, v in chosen.items()),
                f"{without:.3f} s ({models[0].n_iter_} it.)",
                f"{with_shared:.3f} s ({models[1].n_iter_} it.)",
                f"{with_shared / without:.2f}",
            ]
        )
    header = ["family", "strengths", "without", "with shared", "ratio (goal ≤ 1.5)"]
    return markdown_table(header, rows)


def main():
    scores, first = run_school_splits(_models)
    text = "\n\n".join(
        [
            "## The shared component under the decomposition penalties (issue [7/10])",
            f"Command: `{COMMAND}` (see the script's docstring for the protocol).",
            markdown_table(["", ""], machine_info()),
            "### School: explained variance, both strengths by inner 5-fold CV "
            f"over {STRENGTHS} each",
            school_table(scores),
            "### Fit time on School split 1 at the strengths the shared model chose",
            fit_time_table(first),
        ]
    )
    print(text)
    write_section(text, "bench_shared_decomposition")


if __name__ == "__main__":
    main()
