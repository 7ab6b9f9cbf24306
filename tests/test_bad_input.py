"""The bad-input matrix: every public estimator against bad or extreme input.

Each row feeds every estimator of ``tests/_estimators.py`` (the linear models,
the ``*CV`` estimators, ``MultiTaskLinearModel`` with both losses and, where
the input applies to them, the multi-label chains) one kind of input. The
answer is either a clear ``ValueError``/``TypeError``/warning whose message
is checked here (it names the parameter, column or task), or a correct
answer checked against an oracle: a limit whose solution is known in closed
form (zero weights, per-task means or log-odds, per-task least squares), or
the same fit on equivalent input.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmtl
from skmtl.model_selection import TaskStratifiedKFold
from skmtl.penalties import L21, MeanRegularization
from skmtl.solvers import _dispatch
from skmtl.solvers._fista import make_smooth, run_fista

from ._estimators import CHAINS, LINEAR, make_data

NAMES = sorted(LINEAR)
REGRESSORS = [n for n in NAMES if LINEAR[n][0] == "regressor"]
CLASSIFIERS = [n for n in NAMES if LINEAR[n][0] == "classifier"]
CHAIN_NAMES = sorted(CHAINS)
LAYOUTS = ["indexed", "shared"]
CV_MODELS = {name for name in LINEAR if name.split("-")[0].endswith("CV")}


def build(name, layout="indexed", n_tasks=4, **params):
    """``(kind, estimator)``; the task id is column 0 in the indexed layout."""
    kind, factory = LINEAR[name]
    if layout == "indexed":
        params = {"task_column": 0, **params}
    return kind, factory(n_tasks, **params)


def per_task(values, task, n_tasks):
    return np.array([values[task == t] for t in range(n_tasks)], dtype=object)


# -- X: non-finite, non-numeric, zero features, zero rows -------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_non_finite_X(name, layout, bad):
    kind, model = build(name, layout)
    X, y = make_data(kind, layout)
    X = X.astype(float)
    X[3, -1] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        model.fit(X, y)
    X[3, -1] = 0.0
    model.fit(X, y)
    X[0, -1] = bad
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        model.predict(X)


@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_non_finite_X_chains(name):
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        factory().fit(X, Y)


def _with_colour(X, layout):
    """X as a DataFrame with a column of strings, 'colour', at position 2."""
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    if layout == "indexed":
        frame = frame.rename(columns={"x0": "task"})
        frame["task"] = frame["task"].astype(int)
    frame.insert(2, "colour", np.where(np.arange(len(frame)) % 2, "red", "blue"))
    return frame


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_string_column_is_named(name, layout):
    """A column of strings: named with its position and the remedy."""
    column = "task" if layout == "indexed" else None
    kind, model = build(name, layout, task_column=column)
    X, y = make_data(kind, layout)
    frame = _with_colour(X, layout)
    message = re.escape("Column 'colour' (position 2) of X holds values that are")
    with pytest.raises(ValueError, match=message + ".*'blue'.*OneHotEncoder"):
        model.fit(frame, y)
    frame = frame.drop(columns="colour")
    model.fit(frame, y)
    frame["x2"] = frame["x2"].astype(object)
    frame.loc[4, "x2"] = "?"
    with pytest.raises(ValueError, match=r"Column 'x2' \(position \d\) .* '\?'"):
        model.predict(frame)


@pytest.mark.parametrize("name", NAMES)
def test_object_array_column_is_named(name):
    """An object array (no column names): the column is named by position."""
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    X = X.astype(object)
    X[5, 2] = "n/a"
    with pytest.raises(ValueError, match=r"Column 2 of X .* such as 'n/a'"):
        model.fit(X, y)


@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_string_column_is_named_chains(name):
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    with pytest.raises(ValueError, match="Column 'colour' \\(position 2\\)"):
        factory().fit(_with_colour(X, "shared"), Y)


@pytest.mark.parametrize("frame", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_zero_features_is_the_intercept_only_model(name, frame):
    """Only the task column: per-task weighted means, or log-odds, exactly.

    With no feature the objective is the loss of the intercepts alone, whose
    minimiser is the weighted mean of each task's targets (squared loss) or
    the log-odds of its weighted positive rate (logistic loss).
    """
    kind, model = build(name, task_column="task" if frame else 0)
    X, y = make_data(kind, "indexed")
    weight = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    task = X[:, 0].astype(int)
    X = pd.DataFrame({"task": task}) if frame else X[:, :1]
    model.fit(X, y, sample_weight=weight)
    means = np.array(
        [np.average(y[task == t], weights=weight[task == t]) for t in range(4)]
    )
    expected = means if kind == "regressor" else np.log(means / (1 - means))
    assert model.coef_.shape == (4, 0)
    assert_allclose(model.intercept_, expected, rtol=1e-10, atol=1e-12)
    if kind == "regressor":
        assert_allclose(model.predict(X), expected[task], rtol=1e-10)
    else:
        assert_array_equal(model.predict(X), (expected[task] > 0).astype(int))


@pytest.mark.parametrize("name", NAMES)
def test_zero_features_shared_design_is_refused(name):
    """Without a task column there is nothing left to fit: scikit-learn's message."""
    kind, model = build(name, "shared")
    _, y = make_data(kind, "shared")
    with pytest.raises(ValueError, match="0 feature\\(s\\)"):
        model.fit(np.empty((len(y), 0)), y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_zero_rows(name, layout):
    kind, model = build(name, layout)
    X, y = make_data(kind, layout)
    with pytest.raises(ValueError, match="0 sample\\(s\\)"):
        model.fit(X[:0], y[:0])


@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_zero_rows_chains(name):
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    with pytest.raises(ValueError, match="0 sample\\(s\\)"):
        factory().fit(X[:0], Y[:0])


@pytest.mark.parametrize("name", NAMES)
def test_float32_is_computed_in_float64(name):
    """float32 input gives the float64 fit of the same numbers (documented)."""
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    X32 = X.astype(np.float32)
    first = model.fit(X32, y)
    coef32 = first.coef_.copy()
    assert coef32.dtype == np.float64
    assert_array_equal(coef32, model.fit(X32.astype(np.float64), y).coef_)


# -- task ids -------------------------------------------------------------------


ID_KINDS = {
    "int": np.array([3, 7]),
    "string": np.array(["a", "b"]),
    "float": np.array([3.0, 7.0]),
    "float beyond int64": np.array([1e20, 2e20]),  # two tasks, not one overflow
    "bool": np.array([False, True]),
    "categorical": pd.Categorical(["a", "b"]),
    "nullable int": pd.array([3, 7], dtype="Int64"),
}


@pytest.mark.parametrize("ids", sorted(ID_KINDS))
@pytest.mark.parametrize("name", NAMES)
def test_task_id_types(name, ids):
    """Any id type of two tasks gives the model of the ids 0 and 1."""
    kind, model = build(name, n_tasks=2, task_column="task")
    X, y = make_data(kind, "indexed", n_tasks=2)
    code = X[:, 0].astype(int)
    frame = pd.DataFrame(X[:, 1:], columns=["x0", "x1", "x2"])
    frame.insert(0, "task", code)
    reference = model.fit(frame, y)
    coef, intercept = reference.coef_.copy(), reference.intercept_.copy()
    frame["task"] = pd.Series(ID_KINDS[ids]).take(code).to_numpy()
    model.fit(frame, y)
    assert len(model.tasks_) == 2
    assert_allclose(model.coef_, coef, rtol=1e-12, atol=1e-14)
    assert_allclose(model.intercept_, intercept, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_mixed_task_ids_are_refused(name):
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    X = X.astype(object)
    X[X[:, 0] == 1, 0] = "b"
    with pytest.raises(TypeError, match="task column 0 mixes types"):
        model.fit(X, y)


@pytest.mark.parametrize("unknown_task", ["error", "shared"])
@pytest.mark.parametrize("name", NAMES)
def test_predict_with_ids_of_another_type(name, unknown_task):
    """'3' for 3 at predict: a TypeError naming both kinds, never 'unknown'."""
    kind, model = build(name, unknown_task=unknown_task)
    X, y = make_data(kind, "indexed")
    model.fit(X, y)
    as_strings = X.astype(object)
    as_strings[:, 0] = [str(int(t)) for t in X[:, 0]]
    with pytest.raises(TypeError, match=r"holds string task ids .* fitted with number"):
        model.predict(as_strings)


@pytest.mark.parametrize("name", NAMES)
def test_scaled_task_column_warns(name):
    """StandardScaler before the model rescales the ids: a warning says how not to."""
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    with pytest.warns(UserWarning, match="non-integer numbers.*ColumnTransformer"):
        make_pipeline(StandardScaler(), model).fit(X, y)


# -- tasks and targets ----------------------------------------------------------


@pytest.mark.parametrize("name", REGRESSORS)
def test_task_of_one_row(name):
    """A task of one row fits; with enough strength the task is its target."""
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    keep = np.r_[np.flatnonzero(X[:, 0] != 3), np.flatnonzero(X[:, 0] == 3)[:1]]
    with warnings.catch_warnings():
        # The CV estimators' splitter warns that the task misses a fold.
        warnings.filterwarnings("ignore", "TaskStratifiedKFold", UserWarning)
        model.fit(X[keep], y[keep])
    assert_array_equal(model.tasks_, [0, 1, 2, 3])
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_task_of_one_row_or_one_class(name):
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    y = y.copy()
    y[X[:, 0] == 2] = 1
    with pytest.raises(
        ValueError, match=re.escape("Task(s) [2] have targets of only one class")
    ):
        model.fit(X, y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", REGRESSORS)
def test_constant_targets(name, layout):
    """Each task's targets constant: zero weights, the constants as intercepts.

    Exact: the loss is zero there and every penalty is zero at zero weights.
    """
    kind, model = build(name, layout)
    X, _ = make_data(kind, layout)
    constants = np.array([-2.0, 0.5, 3.0, 10.0])
    if layout == "indexed":
        y = constants[X[:, 0].astype(int)]
    else:
        y = np.tile(constants, (len(X), 1))
    model.fit(X, y)
    assert_allclose(model.coef_, 0.0, atol=1e-8)
    assert_allclose(model.intercept_, constants, rtol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_task_with_all_targets_missing(name):
    """Shared design: a column of y that is all NaN names the task."""
    kind, model = build(name, "shared")
    X, y = make_data(kind, "shared")
    y = y.astype(float)
    y[:, 2] = np.nan
    with pytest.raises(
        ValueError, match=r"Every task needs at least one observed target.*2"
    ):
        model.fit(X, y)


@pytest.mark.parametrize("name", NAMES)
def test_y_of_the_wrong_shape(name):
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="y must be 1-D"):
        model.fit(X, np.column_stack([y, y]))


@pytest.mark.parametrize("name", REGRESSORS)
def test_regressor_with_labels_for_y(name):
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    with pytest.raises(ValueError, match=r"needs numeric targets.*classifier"):
        model.fit(X, np.where(y > 0, "high", "low"))


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_with_continuous_y(name):
    kind, model = build(name)
    X, _ = make_data(kind, "indexed")
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        model.fit(X, np.linspace(0, 1, len(X)))


# -- sample_weight --------------------------------------------------------------


@pytest.mark.parametrize(
    "case, match",
    [
        ("negative", "sample_weight.*non-negative|negative"),
        ("zero", "sample_weight must not be all zero"),
        ("length", "sample_weight"),
        ("nan", "sample_weight contains NaN or infinity"),
        ("inf", "sample_weight contains NaN or infinity"),
    ],
)
@pytest.mark.parametrize("name", NAMES)
def test_bad_sample_weight(name, case, match):
    kind, model = build(name)
    X, y = make_data(kind, "indexed")
    weight = {
        "negative": np.r_[-1.0, np.ones(len(y) - 1)],
        "zero": np.zeros(len(y)),
        "length": np.ones(len(y) + 1),
        "nan": np.r_[np.nan, np.ones(len(y) - 1)],
        "inf": np.r_[np.inf, np.ones(len(y) - 1)],
    }[case]
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, sample_weight=weight)


@pytest.mark.parametrize(
    "case, match",
    [
        ("1-D", "2-D .*matrix"),
        ("short", "inconsistent numbers of samples: \\[48, 47\\]"),
        ("3-D", "dim 3"),
    ],
)
@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_y_of_the_wrong_shape_chains(name, case, match):
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    Y = {"1-D": Y[:, 0], "short": Y[:-1], "3-D": Y[:, :, None]}[case]
    with pytest.raises(ValueError, match=match):
        factory().fit(X, Y)


@pytest.mark.parametrize(
    "case, match",
    [
        ("negative", "Negative values in data passed to `sample_weight`"),
        ("zero", "at least one non-zero"),
        ("length", "sample_weight.shape == \\(49,\\), expected \\(48,\\)"),
        ("nan", "sample_weight contains NaN"),
    ],
)
@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_bad_sample_weight_chains(name, case, match):
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    weight = {
        "negative": np.r_[-1.0, np.ones(len(X) - 1)],
        "zero": np.zeros(len(X)),
        "length": np.ones(len(X) + 1),
        "nan": np.r_[np.nan, np.ones(len(X) - 1)],
    }[case]
    with pytest.raises(ValueError, match=match):
        factory().fit(X, Y, sample_weight=weight)


@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_zero_features_chains(name):
    """A chain's first link has no input at all: refused, naming the count."""
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    with pytest.raises(ValueError, match="0 feature\\(s\\)"):
        factory().fit(X[:, :0], Y)


@pytest.mark.parametrize("name", CHAIN_NAMES)
def test_float32_chains(name):
    """float32 features give the predictions of the same values in float64."""
    kind, factory = CHAINS[name]
    X, Y = make_data(kind, "shared")
    X32 = X.astype(np.float32)
    expected = factory().fit(X32.astype(np.float64), Y).predict(X32.astype(np.float64))
    assert_allclose(factory().fit(X32, Y).predict(X32), expected, rtol=1e-6)


def test_regressor_chain_with_labels_for_y():
    X, Y = make_data("regressor", "shared")
    labels = np.where(Y > 0, "yes", "no")
    with pytest.raises(
        ValueError, match=r"numeric targets; Y holds '.*ClassifierChain"
    ):
        CHAINS["RegressorChain"][1]().fit(X, labels)
    numbers = CHAINS["RegressorChain"][1]().fit(X, Y.astype(str))
    assert_allclose(
        numbers.predict(X), CHAINS["RegressorChain"][1]().fit(X, Y).predict(X)
    )


# -- extreme strengths ----------------------------------------------------------


def _strengths(model, value):
    """Every penalty strength of ``model`` set to ``value``.

    But a tiny ridge on the common part (``alpha_shared``) stays 0: with it
    and the penalty both tiny, the split between the common weights and the
    deviations is set by terms of 1e-10 (a direction of curvature 1e-10,
    which no first-order solver certifies to 1e-12); the weights are the
    same.
    """
    if type(model) is skmtl.MultiTaskLinearModel:
        return {"penalty": [MeanRegularization(value, 1.0), L21(value)]}
    names = ("l1", "l2", "beta")
    params = model.get_params()
    strengths = {
        key: value
        for key in params
        if (key.startswith("alpha") and key != "alphas") or key in names
    }
    if "alpha_shared" in strengths and value < 1:
        strengths["alpha_shared"] = 0.0
    if "alphas" in params:  # a CV estimator: a grid of one value
        strengths["alphas"] = [value]
    return strengths


@pytest.mark.parametrize("value", [1e12, 1e200, 1e300])
@pytest.mark.parametrize("name", NAMES)
def test_huge_strengths_give_the_intercept_only_model(name, value):
    """Strengths far above alpha_max: zero weights, per-task means/log-odds.

    Certified (a ConvergenceWarning is an error in this suite) and without
    NumPy overflow warnings up to 1e300.
    """
    kind, model = build(name)
    X, y = make_data(kind, "indexed", n_rows=40)
    model.set_params(**_strengths(model, value))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model.fit(X, y)
    task = X[:, 0].astype(int)
    means = np.array([y[task == t].mean() for t in range(4)])
    expected = means if kind == "regressor" else np.log(means / (1 - means))
    assert_allclose(model.coef_, 0.0, atol=1e-9)
    assert_allclose(model.intercept_, expected, rtol=1e-9)


# FISTA on the decomposition models cannot certify a norm penalty of 1e-10:
# the dual point must be scaled into a dual ball of that radius.
FISTA_DECOMPOSITIONS = {
    f"{model}{kind}"
    for model in ("Dirty", "RobustFeatureLearning", "RobustLowRank")
    for kind in ("Regressor", "Classifier")
}
TINY_STRENGTH_REGRESSORS = [
    n for n in REGRESSORS if n not in CV_MODELS | FISTA_DECOMPOSITIONS
]


@pytest.mark.parametrize("name", TINY_STRENGTH_REGRESSORS)
def test_tiny_strengths_give_least_squares_per_task(name):
    """Strengths of 1e-10: each task's own least squares (scikit-learn's).

    L-BFGS (the clustered penalty) certifies gaps down to about 1e-9 of the
    objective, the others to 1e-12.
    """
    tol, rtol = (1e-8, 1e-4) if name.startswith("Clustered") else (1e-12, 1e-6)
    kind, model = build(name, tol=tol)
    X, y = make_data(kind, "indexed", n_rows=40)
    model.set_params(**_strengths(model, 1e-10))
    model.fit(X, y)
    task = X[:, 0].astype(int)
    for t in range(4):
        ols = LinearRegression().fit(X[task == t, 1:], y[task == t])
        assert_allclose(model.coef_[t], ols.coef_, rtol=rtol, atol=rtol)
        assert_allclose(model.intercept_[t], ols.intercept_, rtol=rtol, atol=rtol)


TINY_STRENGTH_CLASSIFIERS = [
    n for n in CLASSIFIERS if n not in CV_MODELS | FISTA_DECOMPOSITIONS
]


@pytest.mark.parametrize("name", TINY_STRENGTH_CLASSIFIERS)
def test_tiny_strengths_give_logistic_regression_per_task(name):
    """Strengths of 1e-10: each task's unpenalised logistic regression.

    The tasks are not separable (40 rows each), so that model exists.
    The gaps reached (1e-10 of the objective, 1e-8 for L-BFGS) bound the
    distance to the optimum by about 1e-5.
    """
    tol = 1e-8 if name.startswith("Clustered") else 1e-10
    kind, model = build(name, tol=tol)
    X, y = make_data(kind, "indexed", n_rows=40)
    model.set_params(**_strengths(model, 1e-10))
    model.fit(X, y)
    task = X[:, 0].astype(int)
    for t in range(4):
        reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
        reference.fit(X[task == t, 1:], y[task == t])
        assert_allclose(model.coef_[t], reference.coef_[0], atol=1e-5)
        assert_allclose(model.intercept_[t], reference.intercept_[0], atol=1e-5)


@pytest.mark.parametrize("name", sorted(FISTA_DECOMPOSITIONS))
def test_tiny_strengths_that_cannot_be_certified_warn(name):
    """Never a silent answer: the gap reached is reported."""
    kind, model = build(name, tol=1e-12, max_iter=50)
    X, y = make_data(kind, "indexed", n_rows=40)
    model.set_params(**_strengths(model, 1e-10))
    with pytest.warns(ConvergenceWarning, match="duality gap of"):
        model.fit(X, y)


# -- task graphs and folds ------------------------------------------------------


def _graph_data(names=("a", "b", "c", "d"), sizes=(10, 10, 10, 1)):
    rng = np.random.default_rng(0)
    task = np.repeat(names, sizes)
    X = pd.DataFrame({"task": task, "x": rng.normal(size=len(task))})
    return X, X["x"].to_numpy() + rng.normal(size=len(task))


CHAIN_GRAPH = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0.0]])


def test_array_graph_of_other_tasks_is_refused():
    """A fit that sees 3 of the graph's 4 tasks: the message names them."""
    X, y = _graph_data()
    seen = X["task"] != "b"
    model = skmtl.GraphRegularizedRegressor(CHAIN_GRAPH, task_column="task")
    message = "graph has shape \\(4, 4\\), but fit sees 3 tasks, \\['a', 'c', 'd'\\]"
    with pytest.raises(ValueError, match=message + ".*DataFrame"):
        model.fit(X[seen], y[seen])


@pytest.mark.parametrize("laplacian", [False, True])
def test_frame_graph_takes_the_subgraph_of_the_tasks_seen(laplacian):
    """A DataFrame graph is cut to the tasks of each fit (a fold, say)."""
    X, y = _graph_data()
    names = ["a", "b", "c", "d"]
    graph = CHAIN_GRAPH
    if laplacian:
        graph = np.diag(graph.sum(axis=1)) - graph
    frame = pd.DataFrame(graph, index=names, columns=names)
    seen = (X["task"] != "b").to_numpy()
    model = skmtl.GraphRegularizedRegressor(frame, task_column="task")
    model.fit(X[seen], y[seen])
    sub = CHAIN_GRAPH[np.ix_([0, 2, 3], [0, 2, 3])]
    reference = skmtl.GraphRegularizedRegressor(sub, task_column="task")
    assert_allclose(model.coef_, reference.fit(X[seen], y[seen]).coef_, rtol=1e-12)
    # In cross-validation the single row of task d is tested on its own fold.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TaskStratifiedKFold", UserWarning)
        shared = skmtl.GraphRegularizedRegressor(
            frame, task_column="task", unknown_task="shared"
        )
        splitter = TaskStratifiedKFold(3, task_column="task")
        assert np.all(np.isfinite(cross_val_score(shared, X, y, cv=splitter)))


def test_frame_graph_must_name_every_task():
    X, y = _graph_data()
    frame = pd.DataFrame(CHAIN_GRAPH[:3, :3], index=list("abc"), columns=list("abc"))
    model = skmtl.GraphRegularizedRegressor(frame, task_column="task")
    with pytest.raises(
        ValueError, match=re.escape("Task(s) ['d'] seen in fit are not")
    ):
        model.fit(X, y)
    shuffled = pd.DataFrame(CHAIN_GRAPH, index=list("abcd"), columns=list("abdc"))
    with pytest.raises(ValueError, match="same task ids, in the same order"):
        skmtl.GraphRegularizedRegressor(shuffled, task_column="task").fit(X, y)


@pytest.mark.parametrize("name", sorted(CV_MODELS))
def test_cv_with_a_task_of_one_row(name):
    """The fold that holds a one-row task's row cannot score it: left out."""
    kind, model = build(name)
    X, y = make_data(kind, "indexed", n_rows=20)
    keep = np.r_[np.flatnonzero(X[:, 0] != 3), np.flatnonzero(X[:, 0] == 3)[:1]]
    if kind == "classifier":
        model.set_params(cv=[(np.arange(60), np.arange(60, 61))] * 2)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TaskStratifiedKFold", UserWarning)
        if kind == "classifier":
            # A single row has one class: the task cannot be fitted at all.
            with pytest.raises(ValueError, match="only one class"):
                model.fit(X[keep], y[keep])
            return
        model.fit(X[keep], y[keep])
    assert np.isfinite(model.alpha_)
    assert np.isnan(model.mse_path_).any(axis=0).sum() <= 1


# -- solver limits --------------------------------------------------------------


def test_named_solver_over_the_memory_budget_is_refused(monkeypatch):
    """A named Gram solver refuses with the size; "auto" passes it over."""
    monkeypatch.setattr(_dispatch, "MEMORY_BUDGET_BYTES", 1000)
    X, y = make_data("regressor", "indexed", n_features=6)
    model = skmtl.MeanRegularizedRegressor(task_column=0, solver="closed_form")
    with pytest.raises(
        ValueError, match="solver='closed_form' would hold 3 arrays of 4 x 6 x 6"
    ):
        model.fit(X, y)
    auto = model.set_params(solver="auto").fit(X, y)
    reference = skmtl.MeanRegularizedRegressor(task_column=0, tol=1e-12).fit(X, y)
    assert_allclose(auto.coef_, reference.coef_, rtol=1e-4)


def test_fista_stops_on_non_finite_values():
    """A NaN step is reported, never a backtracking loop that does not end."""
    from skmtl._task_data import make_task_data
    from skmtl.datafits import SquaredLoss

    X, y = make_data("regressor", "indexed")
    data = make_task_data(X[:, 1:], y, task_ids=X[:, 0])
    smooth = make_smooth(data, SquaredLoss(), True)
    smooth.lipschitz = lambda: np.nan
    W = np.zeros((data.n_tasks, data.n_features))
    with pytest.raises(FloatingPointError, match="non-finite"):
        run_fista(smooth, L21(0.1), W, np.zeros(data.n_tasks), 1e-6, 100)
