"""Tests for the command line, ``python -m skmtl`` (skmtl/_cli.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skmtl._cli import Result, format_table, format_takeaway, main
from skmtl.datasets import make_multitask_classification, make_multitask_regression

ROOT = Path(__file__).resolve().parents[1]
ROW_NAMES = [
    "independent (coupling=0)",
    "pooled (coupling=inf)",
    "mean-regularized MTL",
]
# Small grids keep the CSV runs fast; the default grids run in the default test.
FAST_GRIDS = ["--alphas", "1e-3,1e-1", "--couplings", "0,10,inf"]


def _table_rows(out):
    """``{model: (hyperparameters, cv, test, fit_ms)}`` parsed from the table."""
    rows = {}
    for name in ROW_NAMES:
        match = re.search(
            rf"^{re.escape(name)}\s+(\S.*?)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(\d+\.\d)$",
            out,
            flags=re.MULTILINE,
        )
        assert match, f"no table row for {name!r} in:\n{out}"
        params, cv, test, fit = match.groups()
        rows[name] = (params, float(cv), float(test), float(fit))
    return rows


def _flat(text):
    """The output with its line wrapping undone."""
    return " ".join(text.split())


def _write_regression_csv(path):
    X, y = make_multitask_regression(
        n_tasks=4,
        n_samples=[20, 25, 30, 35],
        n_features=3,
        relatedness=0.8,
        as_frame=True,
        random_state=0,
    )
    frame = X.assign(score=y)
    frame["task"] = frame["task"].map(lambda t: f"school_{t}")
    frame = frame.rename(columns={"task": "school"})
    frame.to_csv(path, index=False)
    return frame


def _write_classification_csv(path):
    X, y = make_multitask_classification(
        n_tasks=3,
        n_samples=50,
        n_features=3,
        relatedness=0.8,
        as_frame=True,
        random_state=0,
    )
    frame = X.assign(label=np.where(y == 1, "yes", "no"))
    frame["task"] = frame["task"].map(lambda t: f"store_{t}")
    frame.to_csv(path, index=False)
    return frame


def _run_error(capsys, argv):
    """Run ``main(argv)``, expect status 2 and return the one-line message."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("python -m skmtl: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


# --------------------------------------------------------------------------- #
# Successful runs
# --------------------------------------------------------------------------- #


def test_default_run_mtl_beats_both_baselines(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    header = _flat(out)
    assert "embedded example" in header
    assert "30 tasks" in header and "15 features" in header
    assert "scored by R²" in header
    rows = _table_rows(out)
    independent, pooled, mtl = (rows[name] for name in ROW_NAMES)
    assert re.fullmatch(r"alpha=\S+", independent[0])
    assert re.fullmatch(r"alpha=\S+, coupling=\S+", mtl[0])
    # The embedded example is chosen so that sharing helps on held-out rows.
    assert mtl[2] > independent[2]
    assert mtl[2] > pooled[2]
    assert "Takeaway: mean-regularized MTL does best" in out


def test_regression_csv_with_string_task_ids(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    frame = _write_regression_csv(path)
    argv = ["--data", str(path), "--task-column", "school", "--target", "score"]
    assert main([*argv, *FAST_GRIDS, "--cv", "3"]) == 0
    out = capsys.readouterr().out
    header = _flat(out)
    assert f"{len(frame)} rows in 4 tasks (column 'school', 20 to 35 rows" in header
    assert "3 features" in header
    assert "Regression" in header and "R²" in header
    rows = _table_rows(out)
    assert rows["mean-regularized MTL"][0].split(", ")[1] in {
        "coupling=0",
        "coupling=10",
        "coupling=inf",
    }
    assert all(-1 < r[2] <= 1 for r in rows.values())
    assert "Takeaway:" in out


def test_classification_csv_is_auto_detected(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    _write_classification_csv(path)
    argv = ["--data", str(path), "--task-column", "task", "--target", "label"]
    assert main([*argv, *FAST_GRIDS]) == 0
    out = capsys.readouterr().out
    header = _flat(out)
    assert "exactly 2 distinct values ('no', 'yes')" in header
    assert "binary classification (auto-detected)" in header
    assert "CV accuracy" in out and "test accuracy" in out
    rows = _table_rows(out)
    assert all(0 <= r[1] <= 1 and 0 <= r[2] <= 1 for r in rows.values())


def test_regression_flag_overrides_detection(tmp_path, capsys):
    path = tmp_path / "binary.csv"
    frame = _write_regression_csv(path)
    frame.assign(score=(frame["score"] > 0).astype(int)).to_csv(path, index=False)
    argv = ["--data", str(path), "--task-column", "school", "--target", "score"]
    assert main([*argv, *FAST_GRIDS, "--cv", "3", "--regression"]) == 0
    header = _flat(capsys.readouterr().out)
    assert "Regression" in header and "auto-detected" not in header


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    for option in ["--data", "--task-column", "--target", "--test-size", "--cv"]:
        assert option in out
    for option in ["--random-state", "--classification", "--alphas", "--couplings"]:
        assert option in out
    assert "python -m skmtl --data" in out


def test_help_subprocess():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(ROOT), env.get("PYTHONPATH")] if p
    )
    result = subprocess.run(
        [sys.executable, "-m", "skmtl", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m skmtl")
    assert "--task-column" in result.stdout


# --------------------------------------------------------------------------- #
# Errors in the data: status 2, one line on stderr
# --------------------------------------------------------------------------- #


@pytest.fixture
def regression_csv(tmp_path):
    path = tmp_path / "scores.csv"
    return path, _write_regression_csv(path)


def _csv_argv(path, task="school", target="score"):
    return ["--data", str(path), "--task-column", task, "--target", target]


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.csv"
    message = _run_error(capsys, _csv_argv(path))
    assert f"cannot read {path}: no such file" in message


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert "the file is empty" in _run_error(capsys, _csv_argv(path))


def test_unknown_column(regression_csv, capsys):
    path, _ = regression_csv
    message = _run_error(capsys, _csv_argv(path, task="schol"))
    assert "column(s) ['schol'] not found" in message
    assert "'school'" in message  # the columns that exist are listed


def test_non_numeric_feature(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(city="Paris", kind="a").to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert "feature column(s) ['city', 'kind'] are not numeric" in message


def test_missing_values_are_an_error(regression_csv, capsys):
    path, frame = regression_csv
    frame.loc[[1, 5, 9], "x1"] = np.nan
    frame.loc[[5, 7], "score"] = np.nan
    frame.to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert "4 row(s)" in message
    assert "missing values (by column: 'x1': 3, 'score': 2)" in message


def test_infinite_values_are_an_error(regression_csv, capsys):
    path, frame = regression_csv
    frame.loc[3, "x0"] = np.inf
    frame.to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert "1 row(s)" in message and "infinite values (by column: 'x0': 1)" in message


def test_task_with_too_few_rows(regression_csv, capsys):
    path, frame = regression_csv
    frame[frame["school"] != "school_0"].pipe(
        lambda f: pd.concat([f, frame[frame["school"] == "school_0"].head(4)])
    ).to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert "too few rows in task(s) 'school_0': 4 rows" in message
    assert "--cv 5" in message


def test_too_many_folds_for_the_example(capsys):
    message = _run_error(capsys, ["--cv", "8"])
    assert "too few rows in task(s)" in message


def test_classification_task_with_one_class(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    frame = _write_classification_csv(path)
    frame.loc[frame["task"] == "store_1", "label"] = "no"
    frame.to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path, task="task", target="label"))
    assert "'store_1': 0 rows of class 'yes'" in message


def test_classification_flag_needs_binary_target(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=np.arange(len(frame)) % 3).to_csv(path, index=False)
    message = _run_error(capsys, [*_csv_argv(path), "--classification"])
    assert "needs a binary target" in message and "3 distinct values" in message


def test_non_numeric_target(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=np.array(["a", "b", "c"])[np.arange(len(frame)) % 3]).to_csv(
        path, index=False
    )
    message = _run_error(capsys, _csv_argv(path))
    assert "target 'score' is not numeric" in message


# --------------------------------------------------------------------------- #
# Errors in the arguments: argparse exits with status 2
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--data", "x.csv", "--task-column", "t"], "--data needs --target"),
        (["--target", "y"], "--target need(s) --data"),
        (["--data", "x.csv", "--task-column", "y", "--target", "y"], "different"),
        (["--cv", "1"], "must be at least 2"),
        (["--test-size", "1.5"], "between 0 and 1"),
        (["--alphas", "0,1"], "must be > 0"),
        (["--couplings", "1,x"], "comma-separated numbers"),
    ],
)
def test_argument_errors(capsys, argv, expected):
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    assert expected in capsys.readouterr().err


# --------------------------------------------------------------------------- #
# Output helpers
# --------------------------------------------------------------------------- #


def _results(independent, pooled, mtl, coupling=10.0):
    return [
        Result("independent (coupling=0)", "independent models", {"alpha": 0.1},
               0.5, independent, 1.0),
        Result("pooled (coupling=inf)", "the pooled model", {"alpha": 0.1},
               0.5, pooled, 1.0),
        Result("mean-regularized MTL", "mean-regularized MTL",
               {"alpha": 0.01, "coupling": coupling}, 0.6, mtl, 2.0),
    ]  # fmt: skip


def test_takeaway_names_the_winner():
    line = format_takeaway(_results(0.5, 0.6, 0.7), "R²")
    assert line == (
        "Takeaway: mean-regularized MTL does best on the held-out rows (test R² "
        "0.700), ahead of the pooled model (0.600) and independent models (0.500)."
    )
    assert "pooled model does best" in format_takeaway(_results(0.5, 0.8, 0.7), "R²")
    assert "independent models do best" in format_takeaway(
        _results(0.9, 0.8, 0.7), "R²"
    )


def test_takeaway_ties_and_limit_couplings():
    line = format_takeaway(_results(0.7, 0.6, 0.7, coupling=0.0), "accuracy")
    assert "tie on the held-out rows" in line
    assert "chose coupling=0, i.e. independent models" in line
    line = format_takeaway(_results(0.5, 0.7, 0.7, coupling=np.inf), "R²")
    assert "chose coupling=inf, i.e. the pooled model" in line


def test_format_table_aligns_columns():
    lines = format_table(_results(0.5, 0.6, 0.7), "R²").splitlines()
    assert len(lines) == 5
    assert lines[0].split()[:2] == ["model", "hyperparameters"]
    assert "alpha=0.01, coupling=10" in lines[4]
    # Right-aligned numeric columns end at the same place.
    assert len({len(line) for line in lines[1:]}) == 1
