"""Run all benchmarks (issues [1/4] to [3/4]) and write RESULTS.md.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 SKMTL_DATA_HOME=/path/to/shared/data \
        python -m benchmarks.run_all

``bench_school`` runs first; ``bench_speed`` then times the mean-regularized
regressor, and ``bench_joint_speed`` the L2,1 and feature learning models, at
the median hyperparameters it chose. The raw numbers can also be written as
JSON (``--json``).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import (
    bench_chains,
    bench_joint_speed,
    bench_l21,
    bench_logistic_path,
    bench_school,
    bench_solvers,
    bench_speed,
)
from benchmarks._common import data_home, load_average, machine_info, markdown_table

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--json", default=None, help="raw results (JSON)")
    parser.add_argument("--splits", type=int, nargs="*", help="School splits 1..10")
    args = parser.parse_args()

    start = time.perf_counter()
    machine = machine_info()
    print("== bench_school", flush=True)
    school = bench_school.run(args.splits)
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
    print("== bench_solvers", flush=True)
    solvers = bench_solvers.run()
    print("== bench_l21", flush=True)
    l21 = bench_l21.run()
    alphas = bench_school.chosen_alphas(school)
    joint_args = {
        "alphas": {k: v for k, v in alphas.items() if isinstance(k, tuple)},
        "fl_cvxpy_scaled": alphas.get("feature_learning", True),
    }
    print("== bench_joint_speed", joint_args, flush=True)
    joint = bench_joint_speed.run(**joint_args)
    print("== bench_logistic_path", flush=True)
    logistic_path = bench_logistic_path.run()
    print("== bench_chains", flush=True)
    chains = bench_chains.run()
    total = time.perf_counter() - start

    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = "SKMTL_DATA_HOME=/work/shared/data python -m benchmarks.run_all"
    if threads:
        command = f"OPENBLAS_NUM_THREADS={threads} " + command
    if args.splits:
        command += " --splits " + " ".join(map(str, args.splits))
    info = [*machine, ("load average at end", load_average())]
    info += [
        ("data", str(data_home())),
        ("command (from the repository root)", f"`{command}`"),
        ("total wall time", f"{total:.0f} s ({total / 60:.1f} min)"),
    ]
    text = [
        "# skmtl benchmarks: mean-regularized MTL (issue [1/4]), joint "
        "feature learning (issue [2/4]) and multi-label chains (issue [3/4])",
        "",
        "Written by `benchmarks/run_all.py` from one run; do not edit by hand. "
        "The machine is shared: the load average shows how busy it was.",
        "",
        markdown_table(["", ""], info),
        "",
        bench_school.report(school),
        "",
        bench_speed.report(speed),
        "",
        bench_solvers.report(solvers),
        "",
        bench_l21.report(l21),
        "",
        bench_joint_speed.report(joint),
        "",
        bench_logistic_path.report(logistic_path),
        "",
        bench_chains.report(chains),
        "",
    ]
    Path(args.output).write_text("\n".join(text))
    print(f"wrote {args.output} ({total:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "school": school,
                    "speed": speed,
                    "solvers": solvers,
                    "l21": l21,
                    "logistic_path": logistic_path,
                    "chains": chains,
                    "joint_speed": {
                        **joint,
                        "alphas": {
                            f"{model} {'scaled' if scaled else 'raw'}": value
                            for (model, scaled), value in joint_args["alphas"].items()
                        },
                    },
                },
                f,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
