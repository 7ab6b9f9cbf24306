"""The shared component under the clustered penalty (issue [7/10], item 1).

``bench_shared`` measured the families with a ``*CV`` estimator; the
clustered models have none, so here ``GridSearchCV`` (5-fold
``TaskStratifiedKFold`` on the training rows only) chooses ``alpha`` over
``ALPHAS`` at ``n_clusters=N_CLUSTERS`` and ``beta=BETA``, with and without
``shared_component=True``, next to the pooled model
(``MeanRegularizedRegressorCV`` with ``couplings=[inf]``), on the 10 School
splits of ``bench_shared`` (features standardised on the training rows).
Then the fit time of each at the alpha the shared model chose on split 1
(median of ``REPEAT``, alternating).

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data \
        python -m benchmarks.bench_shared_clustered

It writes the tables into ``benchmarks/RESULTS.md`` between the markers
``<!-- bench_shared_clustered -->`` and ``<!-- /bench_shared_clustered -->``.
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
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

N_CLUSTERS, BETA = 3, 1e-3
ALPHAS = np.logspace(-3, 0, 7)
REPEAT = 3
COMMAND = (
    "OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data "
    "python -m benchmarks.bench_shared_clustered"
)


def _models():
    def clustered(shared):
        return GridSearchCV(
            skmtl.ClusteredRegressor(
                N_CLUSTERS, beta=BETA, shared_component=shared, task_column="school"
            ),
            {"alpha": ALPHAS},
            cv=TaskStratifiedKFold(5, task_column="school"),
        )

    return {
        "pooled": skmtl.MeanRegularizedRegressorCV(
            couplings=[np.inf], task_column="school"
        ),
        "Clustered": clustered(False),
        "Clustered + shared": clustered(True),
    }


def run_school():
    scores, first = run_school_splits(_models)
    return scores, first["Clustered + shared"].best_params_["alpha"]


def school_table(scores):
    """Test EV per model, against the pooled model and, for a model named
    ``"<name> + shared"``, against ``"<name>"`` (its zero-centred variant)."""
    rows = []
    for name, values in scores.items():
        values = np.array(values)
        cells = [name, f"**{values.mean():.2f} ± {values.std():.2f}%**"]
        for reference in ("pooled", name.replace(" + shared", "")):
            diff = values - np.array(scores[reference])
            cells.append(
                "—"
                if reference == name
                else f"{diff.mean():+.2f} (better on {np.sum(diff > 0)}/10)"
            )
        rows.append(cells)
    header = [
        "model",
        "test EV, mean ± sd over 10 splits",
        "vs pooled (points)",
        "vs zero-centred (points)",
    ]
    return markdown_table(header, rows)


def fit_time_table(alpha):
    data = load_school(data_home())
    X, y, _, _ = school_split(data, 0)
    models = [
        skmtl.ClusteredRegressor(
            N_CLUSTERS, alpha, BETA, shared_component=shared, task_column="school"
        )
        for shared in (False, True)
    ]
    without, with_shared = alternating_median_times(
        [lambda m=m: m.fit(X, y) for m in models], REPEAT
    )
    row = [
        f"{alpha:.3g}",
        f"{without:.2f} s",
        f"{with_shared:.2f} s",
        f"{with_shared / without:.2f}",
    ]
    header = ["alpha", "without", "with shared", "ratio (goal ≤ 1.5)"]
    return markdown_table(header, [row])


def main():
    scores, alpha = run_school()
    text = "\n\n".join(
        [
            "## The shared component under the clustered penalty (issue [7/10])",
            f"Command: `{COMMAND}` (see the script's docstring for the protocol).",
            markdown_table(["", ""], machine_info()),
            f"### School: explained variance, alpha by inner 5-fold CV over "
            f"{len(ALPHAS)} values (n_clusters={N_CLUSTERS}, beta={BETA})",
            school_table(scores),
            "### Fit time on School split 1 at the alpha the shared model chose",
            fit_time_table(alpha),
        ]
    )
    print(text)
    write_section(text, "bench_shared_clustered")


if __name__ == "__main__":
    main()
