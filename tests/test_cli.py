"""Tests for the command line, ``python -m skmtl`` (skmtl/_cli/)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import roc_auc_score
from sklearn.utils import _safe_indexing

from skmtl._cli import (
    Result,
    build_searches,
    choose_scoring,
    format_table,
    format_takeaway,
    load_csv,
    main,
    run_searches,
    split_data,
)
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


def _write_rare_class_csv(path, n_rows=100, n_positive=6):
    """Three tasks of ``n_rows`` rows, ``n_positive`` of them of class 1.

    Class 1 is given to the rows with the highest ``x0`` plus noise, so the
    features carry signal and the share of class 1 is known exactly.
    """
    rng = np.random.default_rng(0)
    frames = []
    for task in range(3):
        X = rng.normal(size=(n_rows, 3))
        latent = 2 * X[:, 0] + rng.normal(size=n_rows)
        y = np.zeros(n_rows, dtype=int)
        y[np.argsort(latent)[-n_positive:]] = 1
        frame = pd.DataFrame(X, columns=["x0", "x1", "x2"]).assign(churn=y)
        frames.append(frame.assign(store=f"store_{task}"))
    frame = pd.concat(frames, ignore_index=True)
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
    assert "The target is a number: regression." in header
    assert (
        "Scoring: r2 (R²: 1 is perfect, 0 is predicting the mean). Default for "
        "regression; --scoring chooses another." in header
    )
    assert "Note:" not in out
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
    assert "so this is regression (auto-detected)" in header
    assert "Scoring: r2 (R²" in header and "CV R²" in out
    # Many distinct values: no note about class labels.
    assert "Note:" not in out
    rows = _table_rows(out)
    assert rows["mean-regularized MTL"][0].split(", ")[1] in {
        "coupling=0",
        "coupling=10",
        "coupling=inf",
    }
    assert all(-1 < r[2] <= 1 for r in rows.values())
    assert "Takeaway:" in out


def _choices_and_scores(out):
    """Each row of the table but its refit time."""
    return {name: row[:3] for name, row in _table_rows(out).items()}


@pytest.mark.parametrize("form", ["parquet", "glob of CSV parts", "glob of mixed"])
def test_parquet_files_and_globs_give_the_report_of_the_csv(tmp_path, capsys, form):
    """The same rows as Parquet, or split over files matched by a glob, give
    the same table as the single CSV file (read in chunks, then checked)."""
    frame = _write_regression_csv(tmp_path / "scores.csv")
    argv = ["--task-column", "school", "--target", "score", *FAST_GRIDS, "--cv", "3"]
    assert main(["--data", str(tmp_path / "scores.csv"), *argv]) == 0
    expected = _choices_and_scores(capsys.readouterr().out)
    parts = np.array_split(np.arange(len(frame)), 3)
    if form == "parquet":
        data = tmp_path / "scores.parquet"
        frame.to_parquet(data, index=False)
    else:
        (tmp_path / "parts").mkdir()
        for k, rows in enumerate(parts):
            part = frame.iloc[rows]
            if form == "glob of mixed" and k == 1:
                part.to_parquet(tmp_path / "parts" / f"part-{k}.parquet", index=False)
            else:
                part.to_csv(tmp_path / "parts" / f"part-{k}.csv", index=False)
        data = tmp_path / "parts" / "part-*"
    assert main(["--data", str(data), *argv]) == 0
    out = capsys.readouterr().out
    assert f"Data: {data}, {len(frame)} rows in 4 tasks" in _flat(out)
    assert _choices_and_scores(out) == expected


def test_a_glob_without_files(tmp_path, capsys):
    message = _run_error(capsys, _csv_argv(str(tmp_path / "*.parquet")))
    assert "no such file" in message


def test_classification_csv_is_auto_detected(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    _write_classification_csv(path)
    argv = ["--data", str(path), "--task-column", "task", "--target", "label"]
    assert main([*argv, *FAST_GRIDS]) == 0
    out = capsys.readouterr().out
    header = _flat(out)
    assert "exactly 2 distinct values ('no', 'yes')" in header
    assert "binary classification (auto-detected)" in header
    # Balanced classes: accuracy, with the majority-class guess to compare to.
    assert re.search(
        r"Scoring: accuracy \(the fraction of rows classified right; always "
        r"predicting the majority class '(no|yes)' scores 0\.5\d\d\)\. Default "
        r"for classification when neither class is under 20% of the rows",
        header,
    ), header
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
    assert "--regression was given, so this is regression." in header
    assert "auto-detected" not in header and "Note:" not in header


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    for option in ["--data", "--task-column", "--target", "--test-size", "--cv"]:
        assert option in out
    for option in ["--random-state", "--classification", "--alphas", "--couplings"]:
        assert option in out
    assert "--scoring" in out and "roc_auc" in out and "under 20% of the rows" in out
    assert "index=False" in out  # the saved-index rule is documented
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


def test_infinite_numeric_task_id_is_an_error(regression_csv, capsys):
    path, frame = regression_csv
    frame["school"] = frame["school"].str[-1].astype(float)
    frame.loc[3, "school"] = np.inf
    frame.to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert (
        "1 row(s)" in message and "infinite values (by column: 'school': 1)" in message
    )


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
    assert (
        "--classification needs a binary target, but 'score' has 3 distinct values "
        "(0, 1, 2): the models are binary classifiers, one per task, so only two "
        "classes are supported; merge the classes into two, or drop "
        "--classification to model it as a number"
    ) in message


def test_non_numeric_target(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=np.array(["a", "b", "c"])[np.arange(len(frame)) % 3]).to_csv(
        path, index=False
    )
    message = _run_error(capsys, _csv_argv(path))
    assert "target 'score' is not numeric" in message


def test_header_only_csv_says_it_has_no_rows(regression_csv, capsys):
    path, frame = regression_csv
    frame.iloc[:0].to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert (
        f"{path} has no rows: it holds only a header row (columns ['school', 'x0',"
        in message
    )
    assert "not numeric" not in message


def test_constant_target_is_an_error(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=3).to_csv(path, index=False)
    message = _run_error(capsys, _csv_argv(path))
    assert "the target 'score' has the same value (3) in every row" in message


@pytest.mark.parametrize(
    "write",
    [
        # A saved index after filtering rows is not 0..n-1.
        pytest.param(lambda f, path: f.iloc[::2].to_csv(path), id="filtered-index"),
        # An unnamed column in the middle of the header.
        pytest.param(
            lambda f, path: f.rename(columns={"x1": ""}).to_csv(path, index=False),
            id="empty-header",
        ),
    ],
)
def test_unnamed_column_is_an_error(regression_csv, capsys, write):
    path, frame = regression_csv
    write(frame, path)
    message = _run_error(capsys, _csv_argv(path))
    assert re.search(
        rf"column\(s\) \['Unnamed: \d'\] of {re.escape(str(path))} have no name in "
        "the header row; every column other than the task column 'school' and "
        "the target 'score' is used as a feature, so name them in the header or "
        "remove them",
        message,
    ), message
    assert "write the CSV with index=False" in message


# --------------------------------------------------------------------------- #
# What the output says about the data and the scoring
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "first, note",
    [
        (
            0,
            "Note: column 'Unnamed: 0' looks like a saved pandas index (0..n-1) "
            "and was dropped; write the CSV with index=False.",
        ),
        (
            1,
            "Note: column 'Unnamed: 0' looks like saved row names (1..n, as R's "
            "write.csv writes them) and was dropped; write the CSV with "
            "row.names=FALSE.",
        ),
    ],
)
def test_saved_row_numbers_are_dropped_with_a_note(tmp_path, capsys, first, note):
    clean, indexed = tmp_path / "clean.csv", tmp_path / "indexed.csv"
    frame = _write_regression_csv(clean)
    frame.set_axis(np.arange(first, first + len(frame))).to_csv(indexed)
    assert pd.read_csv(indexed).columns[0] == "Unnamed: 0"
    argv = [*FAST_GRIDS, "--cv", "3"]
    assert main([*_csv_argv(indexed), *argv]) == 0
    out = capsys.readouterr().out
    assert note in _flat(out)
    assert "with 3 features" in _flat(out)
    # Dropped means the same models as on the file written without the index.
    assert main([*_csv_argv(clean), *argv]) == 0
    clean_rows = _table_rows(capsys.readouterr().out)
    indexed_rows = _table_rows(out)
    for name in ROW_NAMES:
        assert indexed_rows[name][:3] == clean_rows[name][:3]


def test_few_integer_target_values_are_regression_with_a_note(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=np.arange(len(frame)) % 3).to_csv(path, index=False)
    assert main([*_csv_argv(path), *FAST_GRIDS, "--cv", "3"]) == 0
    out = _flat(capsys.readouterr().out)
    assert (
        "The target is a number with 3 distinct values, so this is regression "
        "(auto-detected)." in out
    )
    assert (
        "Note: the target 'score' has only 3 distinct values (0, 1, 2), all "
        "integers, and is treated as a number (regression). If they are class "
        "labels: --classification exists, but the models are binary classifiers "
        "(one per task), so it takes exactly 2 classes, not 3; merge the classes "
        "into two first." in out
    )
    assert "Scoring: r2" in out


def test_binary_numeric_target_is_classification(regression_csv, capsys):
    path, frame = regression_csv
    frame.assign(score=(frame["score"] > 0).astype(int)).to_csv(path, index=False)
    assert main([*_csv_argv(path), *FAST_GRIDS, "--cv", "3"]) == 0
    out = _flat(capsys.readouterr().out)
    assert (
        "The target has exactly 2 distinct values (0, 1), so this is binary "
        "classification (auto-detected; pass --regression to model it as a "
        "number)." in out
    )
    assert "Note:" not in out


def test_rare_class_is_scored_by_roc_auc(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    _write_rare_class_csv(path)
    argv = _csv_argv(path, task="store", target="churn")
    assert main([*argv, *FAST_GRIDS, "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert (
        "Scoring: roc_auc (ROC AUC: how well the predicted probabilities rank the "
        "rows of one class above those of the other; 0.5 is chance, 1 is "
        "perfect). Default for this target: the minority class 1 is 6.0% of the "
        "rows, and accuracy would reward predicting the majority class (always "
        "predicting 0 scores 0.940 accuracy); --scoring chooses another."
    ) in _flat(out)
    assert "CV ROC AUC" in out and "test ROC AUC" in out
    assert "Takeaway:" in out and "(test ROC AUC " in out
    rows = _table_rows(out)
    assert all(0.5 < r[1] <= 1 and 0.5 < r[2] <= 1 for r in rows.values())


def test_scoring_tunes_and_scores_the_held_out_rows(tmp_path):
    path = tmp_path / "churn.csv"
    _write_rare_class_csv(path)
    dataset = load_csv(path, "store", "churn")
    scoring, _ = choose_scoring(dataset)
    assert scoring == "roc_auc"
    train, test = split_data(dataset, 0.25, 3, 0)
    searches = build_searches(dataset, [1e-3, 1e-1], [0.0, 10.0, np.inf], 3, 0, scoring)
    assert all(search.scoring == "roc_auc" for _, search in searches)
    X_test, y_test = _safe_indexing(dataset.X, test), dataset.y[test]
    results = run_searches(
        searches, _safe_indexing(dataset.X, train), dataset.y[train], X_test, y_test
    )
    for (_, search), result in zip(searches, results, strict=True):
        proba = search.best_estimator_.predict_proba(X_test)[:, 1]
        assert result.test_score == pytest.approx(roc_auc_score(y_test, proba))


@pytest.mark.filterwarnings("error", category=UndefinedMetricWarning)
def test_roc_auc_folds_hold_both_classes_at_the_smallest_sizes(tmp_path, capsys):
    # 4 rows of class 1 per task is the least that --cv 3 --test-size 0.25
    # accepts; every inner test fold must still hold both classes.
    path = tmp_path / "churn.csv"
    _write_rare_class_csv(path, n_rows=60, n_positive=4)
    argv = _csv_argv(path, task="store", target="churn")
    assert main([*argv, *FAST_GRIDS, "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert "Scoring: roc_auc" in out
    assert all(0 <= r[1] <= 1 and 0 <= r[2] <= 1 for r in _table_rows(out).values())


def test_held_out_rows_of_one_class_are_an_error(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    _write_rare_class_csv(path)
    argv = _csv_argv(path, task="store", target="churn")
    message = _run_error(capsys, [*argv, "--cv", "3", "--test-size", "0.02"])
    assert re.search(
        r"the \d+ held-out rows are all of class 0, so the test score could not "
        r"judge the other class; use a larger --test-size than 0\.02",
        message,
    ), message


@pytest.mark.parametrize(
    "scoring, kind, label",
    [
        ("balanced_accuracy", "classification", "balanced accuracy"),
        ("neg_log_loss", "classification", "neg. log loss"),
        ("explained_variance", "regression", "explained variance"),
        ("neg_mean_squared_error", "regression", "neg. MSE"),
    ],
)
def test_scoring_option(tmp_path, capsys, scoring, kind, label):
    path = tmp_path / "data.csv"
    if kind == "classification":
        _write_classification_csv(path)
        argv = _csv_argv(path, task="task", target="label")
    else:
        _write_regression_csv(path)
        argv = _csv_argv(path)
    assert main([*argv, *FAST_GRIDS, "--cv", "3", "--scoring", scoring]) == 0
    out = capsys.readouterr().out
    assert f"Scoring: {scoring} ({label}: " in _flat(out)
    assert "Chosen by --scoring." in _flat(out)
    assert f"CV {label}" in out and f"test {label}" in out
    if scoring.startswith("neg_"):
        assert all(r[1] <= 0 and r[2] <= 0 for r in _table_rows(out).values())


def test_scoring_that_does_not_fit_the_problem(tmp_path, capsys):
    path = tmp_path / "churn.csv"
    _write_rare_class_csv(path)
    cases = [
        (
            ["--scoring", "roc_auc"],
            "argument --scoring: roc_auc is a classification score, but the "
            "embedded example is regression; for regression choose one of r2, "
            "explained_variance, neg_mean_squared_error",
        ),
        (
            [*_csv_argv(path, task="store", target="churn"), "--scoring", "r2"],
            "argument --scoring: r2 is a regression score, but the target has "
            "exactly 2 distinct values (0, 1), so this is binary classification "
            "(auto-detected; pass --regression to model it as a number); for "
            "classification choose one of accuracy, balanced_accuracy, roc_auc, "
            "neg_log_loss",
        ),
        (
            [
                *_csv_argv(path, task="store", target="churn"),
                "--regression",
                "--scoring",
                "accuracy",
            ],
            "argument --scoring: accuracy is a classification score, but "
            "--regression was given, so this is regression;",
        ),
    ]
    for argv, expected in cases:
        with pytest.raises(SystemExit) as excinfo:
            main(argv)
        assert excinfo.value.code == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert expected in _flat(captured.err)


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
        (["--scoring", "f1"], "argument --scoring: invalid choice: 'f1'"),
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
    assert line.startswith(
        "Takeaway: independent models and mean-regularized MTL tie on the "
        "held-out rows (test accuracy 0.700), ahead of the pooled model (0.600); "
    )
    assert "chose coupling=0, i.e. independent models" in line
    line = format_takeaway(_results(0.5, 0.7, 0.7, coupling=np.inf), "R²")
    assert "chose coupling=inf, i.e. the pooled model" in line


def test_takeaway_equal_printed_scores_tie():
    # 0.7004 ahead of 0.6996 by 8e-4, yet both print as 0.700: no winner.
    line = format_takeaway(_results(0.5, 0.6996, 0.7004), "R²")
    assert line == (
        "Takeaway: mean-regularized MTL and the pooled model tie on the held-out "
        "rows (test R² 0.700), ahead of independent models (0.500)."
    )
    line = format_takeaway(_results(0.70049, 0.69951, 0.70001), "R²")
    assert line.startswith(
        "Takeaway: independent models, mean-regularized MTL and the pooled model "
        "tie on the held-out rows (test R² 0.700)."
    )
    assert "ahead" not in line and "best" not in line
    # "-0.000" and "0.000" are the same number.
    assert "tie" in format_takeaway(_results(-0.0001, 0.0001, -0.3), "R²")


def test_takeaway_win_visible_at_the_printed_precision():
    # 0.7006 and 0.7004 differ by 2e-4 but print as 0.701 and 0.700.
    line = format_takeaway(_results(0.5, 0.7004, 0.7006), "R²")
    assert line == (
        "Takeaway: mean-regularized MTL does best on the held-out rows (test R² "
        "0.701), ahead of the pooled model (0.700) and independent models (0.500)."
    )


def test_format_table_aligns_columns():
    lines = format_table(_results(0.5, 0.6, 0.7), "R²").splitlines()
    assert len(lines) == 5
    assert lines[0].split()[:2] == ["model", "hyperparameters"]
    assert "alpha=0.01, coupling=10" in lines[4]
    # Right-aligned numeric columns end at the same place.
    assert len({len(line) for line in lines[1:]}) == 1
