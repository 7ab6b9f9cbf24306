"""The experiment of ``python -m skmtl``: scoring, split, pipelines and searches.

The rows are split once into training and held-out rows, stratified on the
task (and the class) by :class:`~skmtl.model_selection.TaskStratifiedShuffleSplit`;
each compared model is then tuned by ``GridSearchCV`` on the training rows
with :class:`~skmtl.model_selection.TaskStratifiedKFold` and scored on the
held-out rows.
"""

import math
from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .._task_data import _show_value
from ..linear_model import MeanRegularizedClassifier, MeanRegularizedRegressor
from ..model_selection import TaskStratifiedKFold, TaskStratifiedShuffleSplit
from ..model_selection._split import _count_strata, _sorted_codes
from ._data import _SHOWN, CLIError, _one_line

# Below this share of rows for the minority class, accuracy mostly measures
# the majority-class guess, so the default scoring of classification turns
# to ROC AUC.
RARE_CLASS_SHARE = 0.2


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


def scorings_of(kind):
    """``"r2, explained_variance, ..."``: the scorings of ``kind``."""
    return ", ".join(name for name, s in SCORINGS.items() if s.kind == kind)


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
# Scoring
# --------------------------------------------------------------------------- #


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
            f"; always predicting the majority class {majority} scores {1 - share:.3f}"
        )
    return scoring, f"Scoring: {scoring} ({meaning}). {why}."


def _default_classification_scoring(y):
    """Return the default scoring for a binary target and a sentence why."""
    minority, share, majority = _class_balance(y)
    if share < RARE_CLASS_SHARE:
        return "roc_auc", (
            f"Default for this target: the minority class {minority} is "
            f"{share:.1%} of the rows, and accuracy would reward predicting the "
            f"majority class (always predicting {majority} scores "
            f"{1 - share:.3f} accuracy)"
        )
    return "accuracy", (
        "Default for classification when neither class is under "
        f"{RARE_CLASS_SHARE:.0%} of the rows (the minority class {minority} "
        f"is {share:.1%})"
    )


def _class_balance(y):
    """Return the minority class, its share of rows and the majority class.

    The classes are returned as their ``repr``, ready for a message.
    """
    classes, counts = np.unique(y, return_counts=True)
    order = np.argsort(counts, kind="stable")
    minority, majority = classes[order[0]], classes[order[-1]]
    share = counts[order[0]] / counts.sum()
    return _show_value(minority), float(share), _show_value(majority)


# --------------------------------------------------------------------------- #
# Train/test split
# --------------------------------------------------------------------------- #


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
        Row indices, in the order of the rows.

    Raises
    ------
    CLIError
        Some task (or class of a task) has too few rows for the split and
        the inner folds, or the held-out rows are all of one class.
    """
    all_rows = np.arange(len(dataset.y))
    needed_in_all = _rows_needed(test_size, n_splits)
    splitter = TaskStratifiedShuffleSplit(
        1,
        task_column=dataset.task_column,
        stratify_target=dataset.classification,
        test_size=test_size,
        random_state=random_state,
    )
    try:
        _check_task_sizes(dataset, all_rows, needed_in_all, test_size, n_splits)
        train, test = next(splitter.split(dataset.X, dataset.y))
    except ValueError as exc:
        # From the splitter, or from counting the classes of a target that
        # holds two values but no class labels (0.5 and 1.5, say).
        raise CLIError(
            f"cannot split the rows with --test-size {test_size:g}: {_one_line(exc)}"
        ) from None
    _check_task_sizes(dataset, train, n_splits, test_size, n_splits)
    if dataset.classification:
        _check_test_classes(dataset.y[test], test_size)
    # The shuffled inner folds depend on the order of each task's rows: in
    # the file's order, they depend only on which rows are held out.
    return np.sort(train), np.sort(test)


def _rows_needed(test_size, n_splits):
    """Rows a task (or class) needs so that ``n_splits`` stay for training."""
    return math.ceil(n_splits / (1 - test_size))


def _check_task_sizes(dataset, rows, needed, test_size, n_splits):
    """Raise a CLIError naming the tasks (and classes) with too few rows.

    Among ``rows``, every task -- every class of every task, for
    classification -- needs ``needed`` rows.
    """
    tasks, _, classes, _, counts = _count_strata(
        dataset.task_ids[rows],
        dataset.y[rows],
        dataset.classification,
        _sorted_codes,
    )
    short = []
    for t, c in zip(*np.nonzero(counts < needed), strict=True):
        of_class = (
            f" of class {_show_value(classes[c])}" if dataset.classification else ""
        )
        short.append(f"{_show_value(tasks[t])}: {counts[t, c]} rows{of_class}")
    if short:
        unit = "rows of each class" if dataset.classification else "rows"
        more = f" and {len(short) - _SHOWN} more" if len(short) > _SHOWN else ""
        total = _rows_needed(test_size, n_splits)
        raise CLIError(
            f"too few rows in task(s) {', '.join(short[:_SHOWN])}{more}. With "
            f"--test-size {test_size:g} and --cv {n_splits} every task needs "
            f"about {total} {unit} so that {n_splits} remain for training; use "
            "a smaller --cv or --test-size, or drop those tasks"
        )


def _check_test_classes(y_test, test_size):
    # Every task and class has n_splits training rows, so the stratified
    # inner folds all test both classes; only a small held-out set can miss
    # one, and then ROC AUC is undefined and the other scores say nothing
    # about the missing class.
    classes, counts = np.unique(y_test, return_counts=True)
    if len(classes) < 2:
        raise CLIError(
            f"the {counts[0]} held-out rows are all of class "
            f"{_show_value(classes[0])}, so the test score could not judge "
            f"the other class; use a larger --test-size than {test_size:g}"
        )


# --------------------------------------------------------------------------- #
# Models
# --------------------------------------------------------------------------- #


@dataclass
class _ModelSpec:
    name: str
    short_name: str
    couplings: tuple
    shown: tuple


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
