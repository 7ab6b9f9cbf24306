"""Fit times of every named estimator, this tree against an earlier commit.

Issue [6/10] redesigned the estimator layer (one generic model, declarative
families); no fit may be slower than before by more than 10%. Side by side
in one run: the earlier commit is checked out into a temporary git worktree,
and each estimator's fit is timed by a child process on that tree and on this
one, alternately, best of ``REPEAT`` fits after a warm-up, one BLAS thread.

Data: School (139 tasks, 15362 rows, 27 features, standardised) for the
regressors; emotions (MULAN, 6 labels, 391 rows, 72 features, standardised,
shared design) for the classifiers.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared/data \\
        python -m benchmarks.bench_redesign --base 9fa1f25

It prints the table and writes it into ``benchmarks/RESULTS.md`` between the
markers ``<!-- bench_redesign -->`` and ``<!-- /bench_redesign -->``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import data_home, fmt_time, markdown_table, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPEAT = 5
SLOWER_AT_MOST = 1.10

# (estimator, constructor arguments): strengths as fractions of ``S``, the
# L2,1 model's alpha_max on the data (``l21_alpha_max``, in both trees), so
# that the solutions are neither all zero nor all dense.
REGRESSORS = [
    ("MeanRegularizedRegressor", "alpha=0.01, coupling=10.0"),
    ("L21Regressor", "alpha=S / 20"),
    ("LassoRegressor", "alpha=S / 50"),
    ("TraceNormRegressor", "alpha=S / 20"),
    ("FeatureLearningRegressor", "alpha=0.05"),
    ("SparseGroupRegressor", "alpha_group=S / 20, alpha_sparse=S / 100"),
    ("ClusteredRegressor", "n_clusters=3, alpha=0.1, beta=0.1"),
    ("DirtyRegressor", "alpha_group=S / 20, alpha_sparse=S / 30"),
    ("RobustFeatureLearningRegressor", "alpha_features=S / 20, alpha_tasks=S / 10"),
    ("RobustLowRankRegressor", "alpha_rank=S / 20, alpha_tasks=S / 10"),
    ("FusedSparseGroupRegressor", "S / 100, S / 100, S / 20"),
]
CLASSIFIERS = [
    ("MeanRegularizedClassifier", "alpha=0.01, coupling=10.0"),
    ("L21Classifier", "alpha=S / 10"),
    ("LassoClassifier", "alpha=S / 20"),
    ("TraceNormClassifier", "alpha=S / 10"),
    ("FeatureLearningClassifier", "alpha=0.01"),
    ("SparseGroupClassifier", "alpha_group=S / 10, alpha_sparse=S / 50"),
    ("TemporalGroupClassifier", "0.0, 0.01, S / 10"),
    ("ClusteredClassifier", "n_clusters=2, alpha=0.01, beta=0.01"),
    ("DirtyClassifier", "alpha_group=S / 10, alpha_sparse=S / 15"),
]

# The child: fits each estimator on the tree it imports skmtl from.
CHILD = r"""
import json, sys, time, warnings
import numpy as np
from sklearn.preprocessing import StandardScaler
import skmtl
from skmtl.datasets import load_mulan, load_school

home, cases = sys.argv[1], json.loads(sys.argv[2])
school = load_school(home)
X_school = school.data.copy()
features = [c for c in X_school.columns if c != "school"]
X_school[features] = StandardScaler().fit_transform(X_school[features])
y_school = school.target.to_numpy()
emotions = load_mulan("emotions", subset="train", data_home=home)
X_emotions = StandardScaler().fit_transform(emotions.data)
Y_emotions = np.asarray(emotions.target, dtype=float)
scales = {
    "Regressor": skmtl.l21_alpha_max(X_school, y_school, task_column="school"),
    "Classifier": skmtl.l21_alpha_max(X_emotions, Y_emotions, loss="logistic"),
}
times = {}
for name, args, repeat in cases:
    kind = "Regressor" if name.endswith("Regressor") else "Classifier"
    estimator = eval(f"skmtl.{name}({args})", {"skmtl": skmtl, "S": scales[kind]})
    if kind == "Regressor":
        estimator.set_params(task_column="school")
        X, y = X_school, y_school
    else:
        X, y = X_emotions, Y_emotions
    best = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(repeat + 1):
            start = time.perf_counter()
            estimator.fit(X, y)
            if k:
                best = min(best, time.perf_counter() - start)
    times[name] = best
print(json.dumps(times))
"""


def child_times(tree, cases, home):
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(home).resolve()), json.dumps(cases)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        cwd=tree,
    )
    if out.returncode:
        raise RuntimeError(f"the child on {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(base, home):
    cases = [[name, args, REPEAT] for name, args in REGRESSORS + CLASSIFIERS]
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(old_tree), base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            results = {name: {} for name, *_ in cases}
            for name, args, repeat in cases:  # alternate the trees per estimator
                for label, tree in (("base", old_tree), ("new", ROOT)):
                    times = child_times(tree, [[name, args, repeat]], home)
                    results[name][label] = times[name]
                print(name, results[name], flush=True)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old_tree)],
                cwd=ROOT,
                check=False,
            )
    return results


def report(results, base):
    rows = []
    for name, times in results.items():
        ratio = times["new"] / times["base"]
        verdict = "ok" if ratio <= SLOWER_AT_MOST else "**slower**"
        rows.append(
            [
                name,
                fmt_time(times["base"]),
                fmt_time(times["new"]),
                f"{ratio:.2f}",
                verdict,
            ]
        )
    header = ["estimator", f"before ({base})", "after", "after / before", "≤ 1.10"]
    return "\n".join(
        [
            "## Fit times before and after the redesign ([6/10])",
            "",
            "Every named estimator, fitted by a child process on the earlier commit "
            "(a git worktree) and on this tree, alternately; best of "
            f"{REPEAT} fits after a warm-up. School (standardised, task-indexed) for "
            "the regressors, emotions (standardised, shared design) for the "
            "classifiers. Command: `OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=../shared"
            f"/data python -m benchmarks.bench_redesign --base {base}`.",
            "",
            markdown_table(header, rows),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the earlier commit")
    args = parser.parse_args()
    text = report(run(args.base, data_home()), args.base)
    print(text)
    write_section(text, "bench_redesign")


if __name__ == "__main__":
    main()
