"""The command line of ``python -m skmtl``.

It answers one question on grouped data: do the tasks gain from being learned
together? Three models are tuned by cross-validation on the training rows and
scored on held-out rows:

* independent models, one per task (``MeanRegularized*(coupling=0)``);
* one pooled model with per-task intercepts (``coupling=inf``);
* mean-regularized multi-task learning (``alpha`` and ``coupling`` tuned).

The data is either an embedded generated example or a user's CSV file with one
row per observation, a task column, a target column and numeric features.
"""

import argparse
import math
import re
import sys
import textwrap
from dataclasses import dataclass, field

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ._task_data import get_task_ids
from .datasets import make_multitask_regression
from .linear_model import MeanRegularizedClassifier, MeanRegularizedRegressor
from .model_selection import TaskStratifiedKFold

PROG = "python -m skmtl"

DEFAULT_ALPHAS = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
DEFAULT_COUPLINGS = (0.0, 0.1, 1.0, 10.0, 100.0, 1000.0, np.inf)

# The embedded example: related tasks of unequal sizes, some of them smaller
# than the number of features, with their own offsets. Independent models
# overfit the small tasks, a pooled model misses what differs between tasks;
# pulling the task weights toward their mean does better than both.
EXAMPLE_SEED = 0
EXAMPLE_PARAMS = {
    "n_tasks": 30,
    "n_features": 15,
    "relatedness": 0.8,
    "noise": 1.0,
    "task_offset_std": 1.0,
}
EXAMPLE_TASK_SIZES = (8, 60)

# Below this share of rows for the minority class, accuracy mostly measures
# the majority-class guess, so the default scoring of classification turns
# to ROC AUC.
RARE_CLASS_SHARE = 0.2
# A numeric target with at most this many distinct integer values may hold
# class labels rather than quantities; the output says how it was treated.
FEW_DISTINCT_VALUES = 10


@dataclass(frozen=True)
class _Scoring:
    kind: str
    label: str
    meaning: str


# The --scoring choices: scikit-learn scorer names. Every score is computed
# over the rows of all tasks together, and higher is better.
SCORINGS = {
    "r2": _Scoring("regression", "R²", "1 is perfect, 0 is predicting the mean"),
    "explained_variance": _Scoring(
        "regression",
        "explained variance",
        "like R² but blind to a constant offset of the predictions; 1 is perfect",
    ),
    "neg_mean_squared_error": _Scoring(
        "regression",
        "neg. MSE",
        "minus the mean squared error; higher is better, 0 is perfect",
    ),
    "accuracy": _Scoring(
        "classification", "accuracy", "the fraction of rows classified right"
    ),
    "balanced_accuracy": _Scoring(
        "classification",
        "balanced accuracy",
        "the mean of the recalls of the two classes; 0.5 is chance, 1 is perfect",
    ),
    "roc_auc": _Scoring(
        "classification",
        "ROC AUC",
        "how well the predicted probabilities rank the rows of one class above "
        "those of the other; 0.5 is chance, 1 is perfect",
    ),
    "neg_log_loss": _Scoring(
        "classification",
        "neg. log loss",
        "minus the mean log loss of the predicted probabilities; higher is "
        "better, 0 is perfect",
    ),
}

DESCRIPTION = f"""\
Compare three linear models on grouped data, where each row belongs to one
task (a school, a store, a patient group...):

  independent   one model per task (mean-regularized, coupling=0)
  pooled        one model for all tasks, with per-task intercepts (coupling=inf)
  MTL           mean-regularized multi-task learning: each task's weights are
                pulled toward the mean of all tasks' weights; alpha and
                coupling tuned together (the coupling grid includes 0 and inf)

The rows are split into training and held-out test rows, stratified on the
task (and on the class, for classification) so every task is in the training
rows. Each model's hyperparameters are tuned by GridSearchCV on the training
rows with a k-fold TaskStratifiedKFold; features are standardised inside the
pipeline (the task column passes through). The table shows, for each model,
the chosen hyperparameters, the mean inner-CV score of that choice, the score
on the held-out rows and the time to refit the chosen model on all training
rows. One scoring (--scoring) picks the hyperparameters and scores the
held-out rows, computed over the rows of all tasks together. By default
regression is scored by R² (1 is perfect, 0 is predicting the mean) and
classification by accuracy, or by ROC AUC when the minority class is under
{RARE_CLASS_SHARE:.0%} of the rows (there accuracy rewards always predicting the
majority class). The output says which scoring was used and why.

Without --data, an embedded example runs: 30 related regression tasks with 8
to 60 rows each and 15 features, generated by
skmtl.datasets.make_multitask_regression with a fixed seed.

With --data, the CSV file has one row per observation and a header row; the
task column may hold strings or integers, the target column is a number
(regression) or one of two labels (binary classification), and every other
column is a numeric feature. Rows with missing values are an error, never
dropped silently. A target with exactly two distinct values is treated as
classification unless --regression is given; a numeric target with more
values is regression (the models are binary classifiers, one per task, so a
target with three or more classes cannot be classified). An unnamed first
column holding exactly the row numbers 0..n-1 (a pandas index saved by
to_csv without index=False), or 1..n (R row names), is dropped with a note;
any other column with an empty header is an error."""

EPILOG = """\
examples:
  python -m skmtl
      run the embedded example
  python -m skmtl --data scores.csv --task-column school --target score
      your data: one row per pupil, the school is the task
  python -m skmtl --data churn.csv --task-column store --target churned \\
      --cv 3 --alphas 1e-4,1e-3,1e-2 --couplings 0,1,10,100,inf
  python -m skmtl --data churn.csv --task-column store --target churned \\
      --scoring balanced_accuracy

Errors in the data (missing file or column, non-numeric feature, missing
values, tasks too small for the split) exit with status 2."""


class CLIError(Exception):
    """A problem with the user's input, reported in one line with status 2."""


@dataclass
class Dataset:
    """Data ready for the comparison.

    Attributes
    ----------
    X : ndarray or DataFrame of shape (n_samples, n_columns)
        Features and the task column.
    y : ndarray of shape (n_samples,)
        Targets.
    task_column : int or str
        Position (ndarray) or name (DataFrame) of the task column in ``X``.
    feature_columns : list of int or list of str
        The other columns of ``X``.
    classification : bool
        Whether the target is a binary class label.
    kind_reason : str
        Clause saying why this is classification or regression, e.g.
        ``"--regression was given, so this is regression"``.
    description : str
        Sentences saying what the data is, for the header.
    notes : list of str
        Things the user should know about how the data was read, each
        printed on its own.
    """

    X: object
    y: np.ndarray
    task_column: object
    feature_columns: list
    classification: bool
    kind_reason: str
    description: str
    notes: list = field(default_factory=list)

    @property
    def task_ids(self):
        """The task id of each row."""
        return get_task_ids(self.X, self.task_column)


@dataclass
class Result:
    """The outcome of tuning one model.

    Attributes
    ----------
    name : str
        Row label in the table.
    short_name : str
        Name used in the takeaway sentence.
    params : dict
        Chosen hyperparameters to show.
    cv_score : float
        Mean inner-CV score of the chosen setting.
    test_score : float
        Score of the refitted model on the held-out rows.
    fit_ms : float
        Time to refit the chosen model on all training rows, in ms.
    """

    name: str
    short_name: str
    params: dict
    cv_score: float
    test_score: float
    fit_ms: float


# --------------------------------------------------------------------------- #
# Arguments
# --------------------------------------------------------------------------- #


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _n_splits(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {value}")
    return value


def _grid(minimum_text, allow_zero, allow_inf):
    """Parser of a comma-separated grid of non-negative numbers."""

    def parse(text):
        try:
            values = [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, got {text!r}"
            ) from None
        if not values:
            raise argparse.ArgumentTypeError("the grid is empty")
        for v in values:
            if (
                math.isnan(v)
                or v < 0
                or (v == 0 and not allow_zero)
                or (math.isinf(v) and not allow_inf)
            ):
                raise argparse.ArgumentTypeError(
                    f"every value must be {minimum_text}, got {v:g}"
                )
        return tuple(sorted(set(values)))

    return parse


def build_parser():
    """Return the argument parser of ``python -m skmtl``.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data (default: the embedded example)")
    data.add_argument(
        "--data", metavar="FILE.csv", help="CSV file, one row per observation."
    )
    data.add_argument(
        "--task-column",
        metavar="COL",
        help="name of the column holding each row's task (strings or integers).",
    )
    data.add_argument("--target", metavar="COL", help="name of the column to predict.")
    kind = data.add_mutually_exclusive_group()
    kind.add_argument(
        "--classification",
        action="store_true",
        help="binary classification (MeanRegularizedClassifier); the target "
        "must have exactly two distinct values. Default: auto-detected, a "
        "target with exactly two distinct values is classification.",
    )
    kind.add_argument(
        "--regression",
        action="store_true",
        help="regression (MeanRegularizedRegressor) even if the target has two "
        "distinct values.",
    )
    evaluation = parser.add_argument_group("evaluation")
    evaluation.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        metavar="FRACTION",
        help="fraction of the rows held out for testing (default: %(default)s).",
    )
    evaluation.add_argument(
        "--cv",
        type=_n_splits,
        default=5,
        metavar="K",
        help="number of inner cross-validation folds (default: %(default)s).",
    )
    evaluation.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the train/test split and of the fold shuffling "
        "(default: %(default)s).",
    )
    evaluation.add_argument(
        "--scoring",
        choices=list(SCORINGS),
        metavar="NAME",
        help="score that tunes the hyperparameters and scores the held-out rows. "
        f"Classification: {_scorings_of('classification')}; regression: "
        f"{_scorings_of('regression')}. Default: r2 for regression; for "
        "classification roc_auc when the minority class is under "
        # argparse %-formats help strings: "%%" prints "%".
        f"{100 * RARE_CLASS_SHARE:.0f}%% of the rows, else accuracy.",
    )
    grids = parser.add_argument_group("hyperparameter grids")
    grids.add_argument(
        "--alphas",
        type=_grid("> 0 and finite", allow_zero=False, allow_inf=False),
        default=DEFAULT_ALPHAS,
        metavar="A,B,...",
        help="penalty strengths tried for every model (default: "
        f"{_format_values(DEFAULT_ALPHAS)}).",
    )
    grids.add_argument(
        "--couplings",
        type=_grid(">= 0 (inf allowed)", allow_zero=True, allow_inf=True),
        default=DEFAULT_COUPLINGS,
        metavar="C,D,...",
        help="couplings tried for the MTL model; 'inf' is allowed (default: "
        f"{_format_values(DEFAULT_COUPLINGS)}). The independent (0) and "
        "pooled (inf) models are always shown as their own rows.",
    )
    return parser


def _scorings_of(kind):
    return ", ".join(name for name, s in SCORINGS.items() if s.kind == kind)


def _check_scoring(parser, scoring, dataset):
    """Exit with an argparse error if ``scoring`` does not fit the problem."""
    if scoring is None:
        return
    kind = "classification" if dataset.classification else "regression"
    if SCORINGS[scoring].kind != kind:
        parser.error(
            f"argument --scoring: {scoring} is a {SCORINGS[scoring].kind} score, "
            f"but {dataset.kind_reason}; for {kind} choose one of "
            f"{_scorings_of(kind)}"
        )


def _check_arguments(parser, args):
    if args.data is None:
        given = [
            option
            for option, value in [
                ("--task-column", args.task_column),
                ("--target", args.target),
                ("--classification", args.classification),
                ("--regression", args.regression),
            ]
            if value
        ]
        if given:
            parser.error(f"{', '.join(given)} need(s) --data")
    else:
        missing = [
            option
            for option, value in [
                ("--task-column", args.task_column),
                ("--target", args.target),
            ]
            if value is None
        ]
        if missing:
            parser.error(f"--data needs {' and '.join(missing)}")
        if args.task_column == args.target:
            parser.error("--task-column and --target must be different columns")


# --------------------------------------------------------------------------- #
# Data
# --------------------------------------------------------------------------- #


def load_example():
    """The embedded example: generated regression tasks of unequal sizes.

    Returns
    -------
    dataset : Dataset
        A NumPy dataset (pandas is not needed) with the task in column 0.
    """
    rng = np.random.default_rng(EXAMPLE_SEED)
    low, high = EXAMPLE_TASK_SIZES
    sizes = rng.integers(low, high + 1, size=EXAMPLE_PARAMS["n_tasks"])
    X, y = make_multitask_regression(
        n_samples=sizes, random_state=EXAMPLE_SEED, **EXAMPLE_PARAMS
    )
    call = ", ".join(f"{k}={v}" for k, v in EXAMPLE_PARAMS.items())
    n_small = int(np.sum(sizes < EXAMPLE_PARAMS["n_features"]))
    description = (
        f"Data: the embedded example, {len(y):,} rows in "
        f"{EXAMPLE_PARAMS['n_tasks']} tasks ({_size_range(sizes)} "
        f"rows each) with {EXAMPLE_PARAMS['n_features']} features, generated by "
        f"make_multitask_regression({call}, random_state={EXAMPLE_SEED}): "
        f"related linear tasks with their own offsets, {n_small} of them with "
        "fewer rows than features. The target is a number: regression."
    )
    return Dataset(
        X=X,
        y=y,
        task_column=0,
        feature_columns=list(range(1, X.shape[1])),
        classification=False,
        kind_reason="the embedded example is regression",
        description=description,
    )


def _size_range(sizes):
    low, high = int(min(sizes)), int(max(sizes))
    return f"{low}" if low == high else f"{low} to {high}"


def _import_pandas():
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is in the test extras
        raise CLIError("--data needs pandas: pip install pandas") from None
    return pandas


def _quote_list(names, limit=8):
    shown = ", ".join(repr(_python_scalar(n)) for n in list(names)[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"[{shown}]{more}"


def _python_scalar(value):
    return value.item() if hasattr(value, "item") else value


def _one_line(text):
    return " ".join(str(text).split())


def _read_csv(path):
    pd = _import_pandas()
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise CLIError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"cannot read {path}: it is a directory") from None
    except pd.errors.EmptyDataError:
        raise CLIError(f"cannot read {path}: the file is empty") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CLIError(f"cannot read {path} as CSV: {_one_line(exc)}") from None


def _check_has_rows(frame, path):
    # A header-only file reads as columns of dtype object, which the column
    # checks would misreport as "not numeric".
    if len(frame) == 0:
        raise CLIError(
            f"{path} has no rows: it holds only a header row (columns "
            f"{_quote_list(frame.columns, limit=20)})"
        )


def _is_unnamed(column):
    # pandas names a column with an empty header "Unnamed: <position>".
    return isinstance(column, str) and re.fullmatch(r"Unnamed: \d+", column)


def _row_numbers_kind(values):
    """Say which row numbering ``values`` is, or return None."""
    pd = _import_pandas()
    if not pd.api.types.is_integer_dtype(values):
        return None
    values = values.to_numpy()
    if np.array_equal(values, np.arange(len(values))):
        return "a saved pandas index (0..n-1)", "write the CSV with index=False"
    if np.array_equal(values, np.arange(1, len(values) + 1)):
        return (
            "saved row names (1..n, as R's write.csv writes them)",
            "write the CSV with row.names=FALSE",
        )
    return None


def _drop_saved_index(frame, path, task_column, target):
    """Drop a leading unnamed column of row numbers; refuse other unnamed columns.

    Every column but the task and the target is a feature, so a saved index
    would silently become one. An unnamed column that is not the row numbers
    may be a real feature, so the user has to name it.

    Returns
    -------
    frame : DataFrame
    notes : list of str
    """
    notes = []
    first = frame.columns[0]
    if _is_unnamed(first) and first not in (task_column, target):
        row_numbers = _row_numbers_kind(frame[first])
        if row_numbers is not None:
            what, fix = row_numbers
            frame = frame.drop(columns=first)
            notes.append(f"column {first!r} looks like {what} and was dropped; {fix}.")
    unnamed = [
        c for c in frame.columns if _is_unnamed(c) and c not in (task_column, target)
    ]
    if unnamed:
        raise CLIError(
            f"column(s) {_quote_list(unnamed)} of {path} have no name in the "
            "header row; every column other than the task column "
            f"{task_column!r} and the target {target!r} is used as a feature, so "
            "name them in the header or remove them (a saved pandas index: "
            "write the CSV with index=False; only an unnamed first column holding "
            "exactly the row numbers 0..n-1 or 1..n is dropped automatically)"
        )
    return frame, notes


def _check_columns(frame, path, task_column, target):
    """Return the feature columns, after checking names, types and values."""
    missing = [c for c in (task_column, target) if c not in frame.columns]
    if missing:
        raise CLIError(
            f"column(s) {_quote_list(missing)} not found in {path}; its columns "
            f"are {_quote_list(frame.columns, limit=20)}"
        )
    features = [c for c in frame.columns if c not in (task_column, target)]
    if not features:
        raise CLIError(
            f"{path} has no feature columns: every column other than the task "
            f"column {task_column!r} and the target {target!r} is a feature"
        )
    pd = _import_pandas()
    non_numeric = [c for c in features if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise CLIError(
            f"feature column(s) {_quote_list(non_numeric)} are not numeric; every "
            f"column other than the task column {task_column!r} and the target "
            f"{target!r} is used as a feature, so drop or encode those first"
        )
    used = [task_column, *features, target]
    missing_values = frame[used].isna()
    n_rows = int(missing_values.any(axis=1).sum())
    if n_rows:
        counts = missing_values.sum()
        where = ", ".join(f"{c!r}: {counts[c]}" for c in used if counts[c])
        raise CLIError(
            f"{n_rows} row(s) of {path} have missing values (by column: {where}); "
            "rows are never dropped silently, so remove or fill them first"
        )
    numeric = [
        c for c in (*features, target) if pd.api.types.is_numeric_dtype(frame[c])
    ]
    infinite = np.isinf(frame[numeric].to_numpy(dtype=np.float64))
    if infinite.any():
        counts = infinite.sum(axis=0)
        where = ", ".join(
            f"{c!r}: {n}" for c, n in zip(numeric, counts, strict=True) if n
        )
        raise CLIError(
            f"{int(infinite.any(axis=1).sum())} row(s) of {path} have infinite "
            f"values (by column: {where}); remove or fix them first"
        )
    return features


def _format_labels(distinct, limit=8):
    shown = ", ".join(repr(_python_scalar(v)) for v in sorted(distinct)[:limit])
    return shown + (", ..." if len(distinct) > limit else "")


def _few_integer_values(values, distinct):
    """Whether a numeric target looks like it could hold class labels."""
    return 2 < len(distinct) <= FEW_DISTINCT_VALUES and bool(
        np.all(np.mod(values.to_numpy(dtype=np.float64), 1) == 0)
    )


def _target_kind(frame, target, classification, regression):
    """Decide between classification and regression.

    Returns
    -------
    is_classification : bool
    reason : str
        Clause saying what was decided and why.
    notes : list of str
        Anything the user should know about the decision.
    """
    pd = _import_pandas()
    values = frame[target]
    distinct = values.unique()
    numeric = pd.api.types.is_numeric_dtype(values)
    if len(distinct) < 2:
        raise CLIError(
            f"the target {target!r} has the same value "
            f"({_python_scalar(distinct[0])!r}) in every row: there is nothing "
            "to predict"
        )
    if classification:
        if len(distinct) != 2:
            fix = (
                ", or drop --classification to model it as a number" if numeric else ""
            )
            raise CLIError(
                f"--classification needs a binary target, but {target!r} has "
                f"{len(distinct)} distinct values ({_format_labels(distinct)}): "
                "the models are binary classifiers, one per task, so only two "
                f"classes are supported; merge the classes into two{fix}"
            )
        return True, "--classification was given, so this is binary classification", []
    if regression:
        return False, "--regression was given, so this is regression", []
    if len(distinct) == 2:
        hint = "; pass --regression to model it as a number" if numeric else ""
        return (
            True,
            f"the target has exactly 2 distinct values ({_format_labels(distinct)}), "
            f"so this is binary classification (auto-detected{hint})",
            [],
        )
    if not numeric:
        raise CLIError(
            f"the target {target!r} is not numeric and has {len(distinct)} "
            "distinct values: it is neither a regression target nor a binary "
            "class label"
        )
    notes = []
    if _few_integer_values(values, distinct):
        notes.append(
            f"the target {target!r} has only {len(distinct)} distinct values "
            f"({_format_labels(distinct)}), all integers, and is treated as a "
            "number (regression). If they are class labels: --classification "
            "exists, but the models are binary classifiers (one per task), so "
            f"it takes exactly 2 classes, not {len(distinct)}; merge the "
            "classes into two first."
        )
    return (
        False,
        f"the target is a number with {len(distinct):,} distinct values, so this "
        "is regression (auto-detected)",
        notes,
    )


def load_csv(path, task_column, target, classification=False, regression=False):
    """Read and check a user's CSV file.

    An unnamed first column holding the row numbers (a saved index) is
    dropped, with a note in ``dataset.notes``.

    Parameters
    ----------
    path : str
        CSV file with a header row, one row per observation.
    task_column : str
        Name of the column holding each row's task.
    target : str
        Name of the column to predict.
    classification, regression : bool, default=False
        Force the kind of problem; when both are False, a target with exactly
        two distinct values is classification.

    Returns
    -------
    dataset : Dataset
        ``X`` is a DataFrame with the task column and the features.

    Raises
    ------
    CLIError
        The file cannot be read or has no rows, a column is missing or has no
        name, a feature is not numeric, values are missing or infinite, or the
        target does not fit the problem.
    """
    frame = _read_csv(path)
    _check_has_rows(frame, path)
    frame, notes = _drop_saved_index(frame, path, task_column, target)
    features = _check_columns(frame, path, task_column, target)
    is_classification, reason, target_notes = _target_kind(
        frame, target, classification, regression
    )
    y = frame[target].to_numpy()
    if not is_classification:
        y = y.astype(np.float64)
    tasks = frame[task_column]
    sizes = tasks.value_counts()
    description = (
        f"Data: {path}, {len(frame):,} rows in {len(sizes)} tasks (column "
        f"{task_column!r}, {_size_range(sizes)} rows each) with "
        f"{len(features)} features, target {target!r}. {reason[0].upper()}"
        f"{reason[1:]}."
    )
    return Dataset(
        X=frame[[task_column, *features]],
        y=y,
        task_column=task_column,
        feature_columns=features,
        classification=is_classification,
        kind_reason=reason,
        description=description,
        notes=[*notes, *target_notes],
    )


# --------------------------------------------------------------------------- #
# Train/test split
# --------------------------------------------------------------------------- #


def _strata(task_ids, y, classification):
    """Stratification labels: the task, or the task and class together."""
    _, task_index = np.unique(task_ids, return_inverse=True)
    if not classification:
        return task_index
    _, class_index = np.unique(y, return_inverse=True)
    return task_index * 2 + class_index


def _take(X, rows):
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]


def _check_task_sizes(dataset, rows, needed, test_size, n_splits):
    """Raise a CLIError naming the tasks (and classes) with too few rows."""
    tasks, task_index = np.unique(dataset.task_ids, return_inverse=True)
    if dataset.classification:
        classes, class_index = np.unique(dataset.y, return_inverse=True)
    else:
        classes, class_index = [None], np.zeros(len(dataset.y), dtype=np.intp)
    n_classes = len(classes)
    counts = np.bincount(
        task_index[rows] * n_classes + class_index[rows],
        minlength=len(tasks) * n_classes,
    ).reshape(len(tasks), n_classes)
    short = []
    for t, c in zip(*np.nonzero(counts < needed), strict=True):
        label = classes[c]
        of_class = "" if label is None else f" of class {_python_scalar(label)!r}"
        short.append(f"{_python_scalar(tasks[t])!r}: {counts[t, c]} rows{of_class}")
    if short:
        unit = "rows of each class" if dataset.classification else "rows"
        more = f" and {len(short) - 8} more" if len(short) > 8 else ""
        total = math.ceil(n_splits / (1 - test_size))
        raise CLIError(
            f"too few rows in task(s) {', '.join(short[:8])}{more}. With "
            f"--test-size {test_size:g} and --cv {n_splits} every task needs "
            f"about {total} {unit} so that {n_splits} remain for training; use "
            "a smaller --cv or --test-size, or drop those tasks"
        )


def split_data(dataset, test_size, n_splits, random_state):
    """Split the rows into training and test rows, stratified on the task.

    For classification the split is stratified on the task and the class
    together, so that every task keeps both classes in its training rows.

    Parameters
    ----------
    dataset : Dataset
    test_size : float
        Fraction of the rows held out.
    n_splits : int
        Number of inner CV folds: every task (and class) needs that many
        training rows.
    random_state : int
        Seed of the split.

    Returns
    -------
    train, test : ndarray of int
        Row indices.
    """
    all_rows = np.arange(len(dataset.y))
    needed_in_all = math.ceil(n_splits / (1 - test_size))
    _check_task_sizes(dataset, all_rows, needed_in_all, test_size, n_splits)
    strata = _strata(dataset.task_ids, dataset.y, dataset.classification)
    try:
        train, test = train_test_split(
            all_rows, test_size=test_size, stratify=strata, random_state=random_state
        )
    except ValueError as exc:
        raise CLIError(
            f"cannot split the rows with --test-size {test_size:g}: {_one_line(exc)}"
        ) from None
    _check_task_sizes(dataset, train, n_splits, test_size, n_splits)
    if dataset.classification:
        _check_test_classes(dataset.y[test], test_size)
    return np.sort(train), np.sort(test)


def _check_test_classes(y_test, test_size):
    # Every task and class has n_splits training rows, so the stratified
    # inner folds all test both classes; only a small held-out set can miss
    # one, and then ROC AUC is undefined and the other scores say nothing
    # about the missing class.
    classes, counts = np.unique(y_test, return_counts=True)
    if len(classes) < 2:
        raise CLIError(
            f"the {counts[0]} held-out rows are all of class "
            f"{_python_scalar(classes[0])!r}, so the test score could not judge "
            f"the other class; use a larger --test-size than {test_size:g}"
        )


# --------------------------------------------------------------------------- #
# Models
# --------------------------------------------------------------------------- #


def make_pipeline(dataset):
    """Feature scaling followed by a mean-regularized model.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    pipeline : Pipeline
        Steps ``"scale"`` (standardises the features, passes the task column
        through) and ``"model"``.
    """
    if hasattr(dataset.X, "columns"):
        scale = ColumnTransformer(
            [("features", StandardScaler(), dataset.feature_columns)],
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        model_task_column = dataset.task_column
    else:
        scale = ColumnTransformer(
            [("features", StandardScaler(), dataset.feature_columns)],
            remainder="passthrough",
        )
        # The passed-through columns come after the transformed ones.
        model_task_column = -1
    model_class = (
        MeanRegularizedClassifier
        if dataset.classification
        else MeanRegularizedRegressor
    )
    return Pipeline(
        [("scale", scale), ("model", model_class(task_column=model_task_column))]
    )


@dataclass
class _ModelSpec:
    name: str
    short_name: str
    couplings: tuple
    shown: tuple


def build_searches(dataset, alphas, couplings, n_splits, random_state, scoring):
    """One GridSearchCV per compared model.

    Parameters
    ----------
    dataset : Dataset
    alphas : sequence of float
        Penalty strengths tried by every model.
    couplings : sequence of float
        Couplings tried by the multi-task model.
    n_splits : int
        Number of inner CV folds.
    random_state : int
        Seed of the fold shuffling.
    scoring : str
        A key of ``SCORINGS``; it also scores the held-out rows through
        ``GridSearchCV.score``.

    Returns
    -------
    searches : list of (_ModelSpec, GridSearchCV)
    """
    cv = TaskStratifiedKFold(
        n_splits,
        task_column=dataset.task_column,
        stratify_target=dataset.classification,
        shuffle=True,
        random_state=random_state,
    )
    specs = [
        _ModelSpec(
            "independent (coupling=0)", "independent models", (0.0,), ("alpha",)
        ),
        _ModelSpec("pooled (coupling=inf)", "the pooled model", (np.inf,), ("alpha",)),
        _ModelSpec(
            "mean-regularized MTL",
            "mean-regularized MTL",
            tuple(couplings),
            ("alpha", "coupling"),
        ),
    ]
    searches = []
    for spec in specs:
        grid = {"model__alpha": list(alphas), "model__coupling": list(spec.couplings)}
        search = GridSearchCV(
            make_pipeline(dataset), grid, scoring=scoring, cv=cv, error_score="raise"
        )
        searches.append((spec, search))
    return searches


def run_searches(searches, X_train, y_train, X_test, y_test):
    """Tune every model on the training rows and score it on the test rows.

    Parameters
    ----------
    searches : list of (_ModelSpec, GridSearchCV)
    X_train, y_train : training rows
    X_test, y_test : held-out rows

    Returns
    -------
    results : list of Result
    """
    results = []
    for spec, search in searches:
        try:
            search.fit(X_train, y_train)
            # The search's own scorer, so the held-out rows are scored as the
            # hyperparameters were chosen.
            test_score = float(search.score(X_test, y_test))
        except ValueError as exc:
            raise CLIError(
                f"fitting the {spec.short_name} failed: {_one_line(exc)}"
            ) from None
        params = {name: search.best_params_[f"model__{name}"] for name in spec.shown}
        results.append(
            Result(
                name=spec.name,
                short_name=spec.short_name,
                params=params,
                cv_score=float(search.best_score_),
                test_score=test_score,
                fit_ms=1000 * search.refit_time_,
            )
        )
    return results


# --------------------------------------------------------------------------- #
# Output
# --------------------------------------------------------------------------- #


def _format_values(values):
    return ",".join(f"{v:g}" for v in values)


def _wrap(text):
    return textwrap.fill(text, width=88, break_on_hyphens=False)


def _class_balance(y):
    """Return the minority class, its share of rows and the majority class."""
    classes, counts = np.unique(y, return_counts=True)
    order = np.argsort(counts, kind="stable")
    minority, majority = classes[order[0]], classes[order[-1]]
    share = counts[order[0]] / counts.sum()
    return _python_scalar(minority), float(share), _python_scalar(majority)


def _default_classification_scoring(y):
    """Return the default scoring for a binary target and a sentence why."""
    minority, share, majority = _class_balance(y)
    if share < RARE_CLASS_SHARE:
        return "roc_auc", (
            f"Default for this target: the minority class {minority!r} is "
            f"{share:.1%} of the rows, and accuracy would reward predicting the "
            f"majority class (always predicting {majority!r} scores "
            f"{1 - share:.3f} accuracy)"
        )
    return "accuracy", (
        "Default for classification when neither class is under "
        f"{RARE_CLASS_SHARE:.0%} of the rows (the minority class {minority!r} "
        f"is {share:.1%})"
    )


def choose_scoring(dataset, requested=None):
    """Pick the scoring and say why.

    Parameters
    ----------
    dataset : Dataset
    requested : str, default=None
        The ``--scoring`` choice, already checked to fit the problem; ``None``
        picks the default.

    Returns
    -------
    scoring : str
        A key of ``SCORINGS``.
    explanation : str
        Sentences for the output: the scoring, what its numbers mean and why
        it was used.
    """
    if requested is not None:
        scoring, why = requested, "Chosen by --scoring"
    elif dataset.classification:
        scoring, why = _default_classification_scoring(dataset.y)
        why += "; --scoring chooses another"
    else:
        scoring, why = "r2", "Default for regression; --scoring chooses another"
    info = SCORINGS[scoring]
    meaning = info.meaning if info.label == scoring else f"{info.label}: {info.meaning}"
    if scoring == "accuracy":
        # Accuracy means little without the score of the majority-class guess.
        _, share, majority = _class_balance(dataset.y)
        meaning += (
            f"; always predicting the majority class {majority!r} scores "
            f"{1 - share:.3f}"
        )
    return scoring, f"Scoring: {scoring} ({meaning}). {why}."


def format_header(dataset, n_train, n_test, test_size, n_splits, random_state):
    """The paragraph above the table: the data, the split and the protocol.

    Returns
    -------
    header : str
    """
    strata, folds = "task", "shuffled"
    if dataset.classification:
        strata, folds = "task and class", "also stratified on the class, shuffled"
    text = (
        f"{dataset.description} {n_train:,} rows train the models and {n_test:,} "
        f"held-out rows ({test_size:.0%}) test them; the split is stratified on "
        f"the {strata}, so every task is in the training rows. Each model is "
        f"tuned by GridSearchCV on the training rows with {n_splits}-fold "
        f"TaskStratifiedKFold ({folds}, random_state={random_state}), features "
        "standardised inside the pipeline. CV: mean inner-CV score of the "
        "chosen setting; test: score on the held-out rows; fit: refit of the "
        "chosen model on all training rows."
    )
    return _wrap(text)


def format_table(results, score_name):
    """The comparison table, one row per model.

    Parameters
    ----------
    results : list of Result
    score_name : str

    Returns
    -------
    table : str
    """
    header = [
        "model",
        "hyperparameters",
        f"CV {score_name}",
        f"test {score_name}",
        "fit (ms)",
    ]
    rows = [
        [
            r.name,
            ", ".join(f"{k}={v:g}" for k, v in r.params.items()),
            f"{r.cv_score:.3f}",
            f"{r.test_score:.3f}",
            f"{r.fit_ms:.1f}",
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = [False, False, True, True, True]

    def line(cells):
        padded = [
            c.rjust(w) if r else c.ljust(w)
            for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _printed(score):
    # The value shown in the table; float() makes "-0.000" equal "0.000".
    return float(f"{score:.3f}")


def _join(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def format_takeaway(results, score_name):
    """One line saying which model does best on the held-out rows.

    A model wins only if its score is ahead at the printed precision (3
    decimals); models whose printed scores are equal tie.

    Parameters
    ----------
    results : list of Result
        The independent, pooled and MTL results, in that order.
    score_name : str

    Returns
    -------
    takeaway : str
    """
    ranked = sorted(results, key=lambda r: r.test_score, reverse=True)
    best = _printed(ranked[0].test_score)
    top = [r for r in ranked if _printed(r.test_score) == best]
    behind = [r for r in ranked if _printed(r.test_score) != best]
    score = f"(test {score_name} {best:.3f})"
    if len(top) > 1:
        sentence = (
            f"Takeaway: {_join([r.short_name for r in top])} tie on the held-out "
            f"rows {score}"
        )
    else:
        verb = "do" if top[0].short_name.endswith("models") else "does"
        sentence = (
            f"Takeaway: {top[0].short_name} {verb} best on the held-out rows {score}"
        )
    if behind:
        others = [f"{r.short_name} ({r.test_score:.3f})" for r in behind]
        sentence += f", ahead of {_join(others)}"
    mtl = results[-1]
    coupling = mtl.params.get("coupling")
    if coupling == 0:
        sentence += "; the tuned MTL chose coupling=0, i.e. independent models"
    elif coupling == np.inf:
        sentence += "; the tuned MTL chose coupling=inf, i.e. the pooled model"
    return sentence + "."


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #


def main(argv=None):
    """Run ``python -m skmtl``.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments without the program name; ``None`` reads
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on an error in the input (after printing one line on
        stderr). Errors in the arguments themselves, and ``--help``, exit
        through ``SystemExit`` as argparse does.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_arguments(parser, args)
    try:
        if args.data is None:
            dataset = load_example()
        else:
            dataset = load_csv(
                args.data,
                args.task_column,
                args.target,
                classification=args.classification,
                regression=args.regression,
            )
        # Whether a scoring fits is known only once the target is read.
        _check_scoring(parser, args.scoring, dataset)
        scoring, scoring_text = choose_scoring(dataset, args.scoring)
        train, test = split_data(dataset, args.test_size, args.cv, args.random_state)
        searches = build_searches(
            dataset, args.alphas, args.couplings, args.cv, args.random_state, scoring
        )
        results = run_searches(
            searches,
            _take(dataset.X, train),
            dataset.y[train],
            _take(dataset.X, test),
            dataset.y[test],
        )
    except CLIError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    header = format_header(
        dataset, len(train), len(test), args.test_size, args.cv, args.random_state
    )
    print(header)
    print()
    for note in dataset.notes:
        print(_wrap(f"Note: {note}"))
    print(_wrap(scoring_text))
    print()
    score_name = SCORINGS[scoring].label
    print(format_table(results, score_name))
    print()
    print(format_takeaway(results, score_name))
    return 0
