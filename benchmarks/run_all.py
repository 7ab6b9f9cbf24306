"""Run all benchmarks (issues [1/4] to [4/4]) and write RESULTS.md.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=/path/to/shared/data \
        python -m benchmarks.run_all --jobs 2

Two groups: ``bench_school`` first, then ``bench_speed`` (the
mean-regularized regressor) and ``bench_joint_speed`` (the L2,1 and feature
learning models) at the median hyperparameters it chose, and ``bench_l21``;
and the benchmarks that do not depend on those choices (``bench_solvers``,
``bench_logistic_path``, ``bench_chains``, ``bench_structured``). ``--jobs 2``
runs the two groups at once, one process per core. The raw numbers can also
be written as JSON (``--json``). The sections that benchmarks run on their
own keep in RESULTS.md (between their ``<!-- name -->`` markers) are kept,
after the ones written here.
"""

import argparse
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks import (
    bench_chains,
    bench_joint_speed,
    bench_l21,
    bench_logistic_path,
    bench_school,
    bench_solvers,
    bench_speed,
    bench_structured,
)
from benchmarks._common import data_home, load_average, machine_info, markdown_table

HERE = Path(__file__).resolve().parent


def school_group(splits):
    """bench_school, bench_speed at its choices, bench_l21, bench_joint_speed."""
    print("== bench_school", flush=True)
    school = bench_school.run(splits)
    chosen = bench_school.chosen_hyperparameters(school)
    speed_args = {}
    if chosen is not None:
        speed_args = {
            "regressor_alpha": chosen["alpha"],
            "regressor_coupling": chosen["pull"] / chosen["alpha"] - 1,
        }
        if chosen["independent_alpha"] is not None:
            speed_args["independent_alpha"] = chosen["independent_alpha"]
    print("== bench_speed", speed_args, flush=True)
    speed = bench_speed.run(**speed_args)
    # bench_l21 before bench_joint_speed: the latter's cvxpy fit of the
    # feature-learning model needs ~10 GB, as do the trace-norm fits of
    # bench_structured in the other process, which run earlier.
    print("== bench_l21", flush=True)
    l21 = bench_l21.run()
    alphas = bench_school.chosen_alphas(school)
    joint_args = {
        "alphas": {k: v for k, v in alphas.items() if isinstance(k, tuple)},
        "fl_cvxpy_scaled": alphas.get("feature_learning", True),
    }
    print("== bench_joint_speed", joint_args, flush=True)
    joint = bench_joint_speed.run(**joint_args)
    joint["alphas"] = {
        f"{model} {'scaled' if scaled else 'raw'}": value
        for (model, scaled), value in joint_args["alphas"].items()
    }
    return {"school": school, "speed": speed, "joint_speed": joint, "l21": l21}


def other_group(splits):
    """The benchmarks that do not depend on bench_school's choices."""
    print("== bench_solvers", flush=True)
    solvers = bench_solvers.run()
    print("== bench_logistic_path", flush=True)
    logistic_path = bench_logistic_path.run()
    print("== bench_chains", flush=True)
    chains = bench_chains.run()
    print("== bench_structured", flush=True)
    structured = bench_structured.run(splits)
    return {
        "solvers": solvers,
        "logistic_path": logistic_path,
        "chains": chains,
        "structured": structured,
    }


def _standalone_sections(path, written):
    """The sections the benchmarks run on their own wrote into ``path``
    (between ``<!-- name -->`` markers) that ``written`` does not hold: kept
    after it, so that a full run does not erase them."""
    if not path.exists():
        return []
    old = path.read_text()
    kept = []
    for name in re.findall(r"^<!-- ([\w-]+) -->$", old, flags=re.MULTILINE):
        start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
        if start in written or end not in old:
            continue
        kept += [old[old.index(start) : old.index(end) + len(end)], ""]
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--json", default=None, help="raw results (JSON)")
    parser.add_argument("--splits", type=int, nargs="*", help="School splits 1..10")
    parser.add_argument(
        "--jobs",
        type=int,
        choices=(1, 2),
        default=1,
        help="2: run the two groups of benchmarks in two processes at once",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    machine = machine_info()
    if args.jobs == 2:
        with ProcessPoolExecutor(2) as pool:
            first = pool.submit(school_group, args.splits)
            second = pool.submit(other_group, args.splits)
            results = {**first.result(), **second.result()}
    else:
        results = {**school_group(args.splits), **other_group(args.splits)}
    total = time.perf_counter() - start

    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = "SKMTL_DATA_HOME=/work/shared/data python -m benchmarks.run_all"
    if threads:
        command = f"OPENBLAS_NUM_THREADS={threads} " + command
    if args.splits:
        command += " --splits " + " ".join(map(str, args.splits))
    if args.jobs == 2:
        command += " --jobs 2"
    info = [*machine, ("load average at end", load_average())]
    info += [
        ("data", str(data_home())),
        ("command (from the repository root)", f"`{command}`"),
        ("total wall time", f"{total:.0f} s ({total / 60:.1f} min)"),
        (
            "processes",
            "2 at once (School group: bench_school, bench_speed, "
            "bench_joint_speed, bench_l21; the others in the second), one BLAS "
            "thread each"
            if args.jobs == 2
            else "1",
        ),
    ]
    text = [
        "# skmtl benchmarks",
        "",
        "Mean-regularized MTL (issue [1/4]), joint feature learning ([2/4]), "
        "multi-label chains ([3/4]) and the structured penalties ([4/4]). "
        "Written by `benchmarks/run_all.py` from one run; do not edit by hand. "
        "The machine is shared: the load average shows how busy it was.",
        "",
        markdown_table(["", ""], info),
        "",
        bench_school.report(results["school"]),
        "",
        bench_structured.report(results["structured"], results["school"]),
        "",
        bench_speed.report(results["speed"]),
        "",
        # (Between its markers: bench_solvers run alone replaces it.)
        "<!-- bench_solvers -->",
        bench_solvers.report(results["solvers"]),
        "<!-- /bench_solvers -->",
        "",
        bench_l21.report(results["l21"]),
        "",
        bench_joint_speed.report(results["joint_speed"]),
        "",
        bench_logistic_path.report(results["logistic_path"]),
        "",
        bench_chains.report(results["chains"]),
        "",
    ]
    output = Path(args.output)
    kept = _standalone_sections(output, "\n".join(text))
    output.write_text("\n".join(text + kept))
    print(f"wrote {args.output} ({total:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
