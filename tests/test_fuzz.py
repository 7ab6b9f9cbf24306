"""Property-based fuzzing of every public estimator.

Hypothesis draws whole problems (:func:`specs`, built by :func:`build`): the
layout (task-indexed with a task id column, or a shared design with a 2-D
``y`` whose ``NaN`` entries are missing targets), 1 to 200 tasks, 1 to 50 rows
per task, 0 to 6 features (some of them collinear or constant), sample
weights (none, positive, or with zeros), integer or string task ids in a
NumPy array or a DataFrame, regression or classification targets, with or
without intercepts. Problems that no model can fit (a task without any
observed target of positive weight, a classification task with one class)
are generated on purpose, and then ``fit`` must raise the documented error.

Every estimator of ``tests/_estimators.py`` must then satisfy:

* ``fit`` raises no error but the documented ones (:data:`DOCUMENTED_ERRORS`);
  any other exception (IndexError, a bare NumPy or LAPACK message, ...) fails;
* certified: when ``fit`` raised no ``ConvergenceWarning``, ``dual_gap_`` is at
  most ``tol`` times the objective, which the test computes itself from the
  data, and so is a duality gap the test recomputes at the fitted weights;
* row order is irrelevant: fitting the rows in another order gives the same
  model;
* task names are irrelevant: renaming the tasks (other integers, strings,
  another order) permutes the rows of ``coef_`` the same way;
* weights are what rows count for: every row twice with half its weight gives
  the same model;
* predictions are finite.

"The same model" is checked to the accuracy the certificates guarantee,
never to an arbitrary constant. With the suboptimality bound :math:`S` of a
fit (its duality gap, recomputed here), two fits of equivalent problems have
objectives within :math:`\\max(S_1, S_2)` of each other, and, when the
penalty is :math:`\\mu`-strongly convex in ``coef_`` (a ridge part), their
``coef_`` lie within :math:`\\sqrt{2 S_1 / \\mu} + \\sqrt{2 S_2 / \\mu}` in
Frobenius norm (the objective minimised over the intercepts is then
:math:`\\mu`-strongly convex in ``coef_``). Where the solution need not be
unique (lasso, L2,1, trace norm with more features than rows, ...) only the
objectives are compared. Floating-point evaluation of the objective and of
the gap gets a round-off allowance of :data:`ROUNDOFF` times the size of the
loss's terms.

The multi-label chains take the shared design only and have no objective:
they must fit random label matrices without any but the documented errors
and predict finite values (0/1 labels, probabilities in [0, 1]).

The number of examples comes from the Hypothesis profile (``tests/conftest.py``):
``HYPOTHESIS_PROFILE=ci`` (the default: derandomized, a few examples per
test, the module in under 3 minutes) or ``HYPOTHESIS_PROFILE=dev`` (many more
random examples, for local runs).
"""

import re
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, example, given, note
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skmtl.penalties import L21, MeanRegularization, QuadraticPlusPenalty, TaskQuadratic
from skmtl.penalties._decomposition import Decomposition
from skmtl.solvers._certificate import duality_gap, objective, refit_intercept

from ._estimators import CHAINS, LINEAR

# Errors ``fit`` may raise, by a fragment of their message: the refusals of
# problems that have no model. expected_error says which one a problem must
# raise; a problem that has a model must fit, and any other exception fails.
DOCUMENTED_ERRORS = (
    # A classifier's y with a single class, or a task with a single class.
    "The targets have only one class",
    "have targets of only one class",
    # A task with no observed target of positive sample weight.
    "Every task needs at least one observed target",
    "sample_weight must not be all zero",
    # The shared design without features: scikit-learn's estimator checks
    # require this refusal and message (with a task column, zero features
    # make an intercept-only model).
    "0 feature(s)",
)
# The cross-validated estimators fit on folds: a fold may lack what the whole
# problem has, and these errors of a fold's fit or prediction are accepted
# from them (fitted_or_expected_error, refit).
CV_FOLD_ERRORS = (
    *DOCUMENTED_ERRORS,
    "non-empty test folds",
    # Every task of a single row: no fold can score a held-out row.
    "No fold of the cross-validation has a test row",
    # scikit-learn's KFold and StratifiedKFold (shared design).
    "Cannot have number of splits",
    "cannot be greater than the number of members in each class",
)
# The chains' links are scikit-learn estimators: a label column with one
# class is refused by the link (scikit-learn's message) or by the chain.
CHAIN_ERRORS = (
    "needs samples of at least 2 classes",
    "it was fitted on a single class",
)
# Relative round-off allowance on objectives and gaps, times the size of the
# loss's terms (the loss at zero weights plus the objective): some 5000 eps.
ROUNDOFF = 1e-12

CV_MODELS = {name for name in LINEAR if name.split("-")[0].endswith("CV")}
# Models whose penalty depends on the order of the tasks (tasks_ order): the
# graph follows a relabelling, the temporal chain and the fused term are only
# invariant under an order-preserving or an order-reversing one.
TEMPORAL = {
    "TemporalGroupRegressor",
    "TemporalGroupClassifier",
    "TemporalGroupRegressorCV",
    "TemporalGroupClassifierCV",
    "FusedSparseGroupRegressor",
    "FusedSparseGroupClassifier",
    "FusedSparseGroupRegressorCV",
    "FusedSparseGroupClassifierCV",
}
GRAPH = {
    f"GraphRegularized{kind}{cv}"
    for kind in ("Regressor", "Classifier")
    for cv in ("", "CV")
}
# A tight tolerance where the solver reaches it cheaply.
TOL = {
    "MeanRegularizedRegressor": 1e-10,
    "MeanRegularizedClassifier": 1e-10,
}


# -- problems ----------------------------------------------------------------------


def task_counts():
    """1 to 200 tasks, mostly few (the examples stay fast, all are reachable)."""
    return st.one_of(st.integers(1, 4), st.integers(1, 20), st.integers(1, 200))


def specs():
    """The description of a random problem; :func:`build` makes the arrays.

    The kind (regression or classification) is the estimator's, added by
    :func:`problem_for`.
    """
    return st.fixed_dictionaries(
        {
            "layout": st.sampled_from(["indexed", "shared"]),
            "n_tasks": task_counts(),
            "max_rows": st.one_of(st.integers(1, 6), st.integers(1, 50)),
            "sizes": st.sampled_from(["uniform", "equal", "skewed"]),
            "n_features": st.integers(0, 6),
            "features": st.sampled_from(["normal", "scaled", "collinear", "constant"]),
            "missing": st.sampled_from([0.0, 0.2, 0.6, 0.95]),
            "weights": st.sampled_from(["none", "positive", "zeros"]),
            "ids": st.sampled_from(["int", "string", "frame"]),
            "task_column": st.sampled_from([0, -1]),
            "labels": st.sampled_from([(0, 1), (-1, 1), ("no", "yes")]),
            # Mostly problems with a model; the others must raise.
            "valid": st.sampled_from([True, True, True, False]),
            "fit_intercept": st.sampled_from([True, True, False]),
            "one_d": st.booleans(),
            "seed": st.integers(0, 2**32 - 1),
        }
    )


@dataclass
class Problem:
    """A fit problem and what the test needs to know about it.

    ``X``, ``y``, ``sample_weight`` go to ``fit`` as they are. ``task_of``
    gives the task (0 .. n_tasks - 1, the order the problem was drawn in)
    of each row (task-indexed) and ``names`` the id of each task; for the
    shared design the tasks are the columns of ``y`` and ``names`` holds
    each task's column. ``expected_error`` is the documented error the
    problem must raise, or None.
    """

    spec: dict
    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    task_column: object
    n_tasks: int
    task_of: np.ndarray | None
    names: np.ndarray | None
    features: np.ndarray = field(repr=False)
    expected_error: str | None = None

    @property
    def indexed(self):
        return self.task_column is not None

    def fit_args(self):
        return self.X, self.y, self.sample_weight


def build(spec):
    """The arrays of the problem ``spec`` (a draw of :func:`specs`)."""
    rng = np.random.default_rng(spec["seed"])
    kind, T, p = spec["kind"], spec["n_tasks"], spec["n_features"]
    classify = kind == "classifier"
    indexed = spec["layout"] == "indexed"
    valid = spec["valid"]
    if indexed:
        sizes = _sizes(rng, spec["sizes"], T, spec["max_rows"])
        if valid and classify:
            sizes = np.maximum(sizes, 2)
        task_of = np.repeat(np.arange(T), sizes)[rng.permutation(sizes.sum())]
        n = len(task_of)
    else:
        # Each task sees every row; a valid classification task needs two.
        n = max(spec["max_rows"], 2 if valid and classify else 1)
        task_of = None
    features = _features(rng, spec["features"], n, p)
    W = rng.normal(size=(T, p)) + rng.normal(size=p)
    b = rng.normal(size=T)
    if indexed:
        scores = np.einsum("ij,ij->i", features, W[task_of]) + b[task_of]
    else:
        scores = features @ W.T + b
    noise = rng.normal(size=scores.shape)
    if classify:
        Y = (rng.random(scores.shape) < expit(scores + noise)).astype(float)
    else:
        Y = 3 * scores + noise + 1
    weight = None
    if spec["weights"] != "none":
        weight = rng.uniform(0.1, 5.0, size=n)
        if spec["weights"] == "zeros":
            weight[rng.random(n) < 0.3] = 0.0
    if not indexed and spec["missing"] > 0:
        Y[rng.random(Y.shape) < spec["missing"]] = np.nan
    if valid:
        _make_valid(rng, Y, weight, task_of, T, classify)
    problem = _assemble(spec, rng, features, Y, weight, task_of)
    problem.expected_error = expected_error(problem, Y)
    return problem


def _sizes(rng, how, T, max_rows):
    if how == "equal":
        return np.full(T, max_rows)
    if how == "uniform":
        return rng.integers(1, max_rows + 1, size=T)
    # Skewed: most tasks small, a few of max_rows.
    return np.minimum(max_rows, rng.geometric(1 / (1 + max_rows / 8), size=T))


def _features(rng, how, n, p):
    X = rng.normal(size=(n, p))
    if how == "scaled":
        X = X * np.exp(rng.uniform(-1.5, 1.5, size=p)) + rng.normal(size=p)
    elif how == "collinear" and p >= 2:
        X[:, -1] = X[:, 0] * rng.normal() + X[:, 1 % (p - 1)]
    elif how == "constant" and p >= 1:
        X[:, rng.integers(p)] = rng.normal()
    return X


def _make_valid(rng, Y, weight, task_of, T, classify):
    """Every task gets an observed target of positive weight (both classes)."""
    needed = 2 if classify else 1
    for t in range(T):
        rows = np.flatnonzero(task_of == t) if task_of is not None else None
        if rows is None:
            rows = rng.permutation(len(Y))[:needed]
            Y[rows, t] = [0.0, 1.0][:needed] if classify else rng.normal(size=needed)
        else:
            rows = rows[:needed]
            if classify:
                Y[rows] = [0.0, 1.0]
        if weight is not None:
            weight[rows] = np.maximum(weight[rows], 0.5)


def _assemble(spec, rng, features, Y, weight, task_of):
    """The estimator's input: the task column, the labels, the container."""
    T = spec["n_tasks"]
    classify = spec["kind"] == "classifier"
    if task_of is None:
        y = Y
        if T == 1 and spec["one_d"] and not (classify and np.isnan(Y).any()):
            y = Y[:, 0]
        columns = np.arange(T)
        return Problem(spec, features, y, weight, None, T, None, columns, features)
    names = task_names(rng, spec["ids"], T)
    y = Y
    if classify:
        y = np.asarray(spec["labels"], dtype=object)[Y.astype(int)]
        if not isinstance(spec["labels"][0], str):
            y = y.astype(int)
    position = spec["task_column"] % (features.shape[1] + 1)
    X = with_task_column(features, names[task_of], position, spec["ids"])
    column = "task" if spec["ids"] == "frame" else position
    return Problem(spec, X, y, weight, column, T, task_of, names, features)


def task_names(rng, how, T, order=None):
    """``T`` distinct task ids; ``order[t]`` is task t's rank among them.

    Integers (possibly negative, not contiguous) or strings of different
    lengths; a random order unless ``order`` is given.
    """
    if how == "int":
        values = np.sort(rng.choice(10 * T + 10, size=T, replace=False)) - 3 * T
    else:
        values = np.sort([f"s{v}" for v in rng.choice(10**6, size=T, replace=False)])
    if order is None:
        order = rng.permutation(T)
    return values[order]


def with_task_column(features, ids, position, how):
    """``features`` with the task ids inserted as column ``position``."""
    if how == "frame":
        frame = pd.DataFrame(
            features, columns=[f"f{j}" for j in range(features.shape[1])]
        )
        frame.insert(position, "task", ids)
        return frame
    dtype = float if ids.dtype.kind in "iu" else object
    columns = list(features.T.astype(dtype))
    columns.insert(position, np.asarray(ids, dtype=dtype))
    return np.column_stack(columns)


def expected_error(problem, Y):
    """The documented error this problem must raise, computed independently."""
    classify = problem.spec["kind"] == "classifier"
    weight = problem.sample_weight
    if not problem.indexed and problem.features.shape[1] == 0:
        return "0 feature(s)"
    if classify and np.ndim(problem.y) == 1 and len(np.unique(problem.y)) == 1:
        return "The targets have only one class"
    if weight is not None and not np.any(weight > 0):
        return "sample_weight must not be all zero"
    w = np.ones(len(Y)) if weight is None else weight
    if problem.indexed:
        tasks = problem.task_of
        observed = w > 0
        per_task = [Y[observed & (tasks == t)] for t in range(problem.n_tasks)]
    else:
        Y2 = Y.reshape(len(Y), -1)
        per_task = [
            Y2[(w > 0) & ~np.isnan(Y2[:, t]), t] for t in range(problem.n_tasks)
        ]
    if any(len(values) == 0 for values in per_task):
        return "Every task needs at least one observed target"
    if classify and any(len(np.unique(values)) < 2 for values in per_task):
        return "have targets of only one class"
    return None


# -- transformations of a problem ------------------------------------------------


def take_rows(problem, rows, weight=None):
    """The problem with the rows ``rows`` (and the given sample weights)."""
    X = problem.X.iloc[rows] if hasattr(problem.X, "iloc") else problem.X[rows]
    if weight is None and problem.sample_weight is not None:
        weight = problem.sample_weight[rows]
    return replace(
        problem,
        X=X,
        y=problem.y[rows],
        sample_weight=weight,
        task_of=None if problem.task_of is None else problem.task_of[rows],
        features=problem.features[rows],
    )


def permuted_rows(problem, rng):
    """The same rows in a random order."""
    return take_rows(problem, rng.permutation(len(problem.y)))


def duplicated_rows(problem):
    """Every row twice, each with half its weight (the same objective)."""
    n = len(problem.y)
    weight = np.ones(n) if problem.sample_weight is None else problem.sample_weight
    return take_rows(
        problem, np.r_[np.arange(n), np.arange(n)], np.r_[weight, weight] / 2
    )


def relabelled(problem, rng, rank):
    """The tasks renamed so that task t comes at position ``rank[t]`` of ``tasks_``.

    Task-indexed: new ids sorted into that order, strings for integer ids
    and integers for string ids (or ids in a DataFrame). Shared design: the
    columns of ``y`` permuted.
    """
    if not problem.indexed:
        y = problem.y.reshape(len(problem.y), -1)
        moved = np.empty_like(y)
        moved[:, rank] = y
        return replace(problem, y=moved.reshape(problem.y.shape), names=rank)
    how = "string" if problem.spec["ids"] == "int" else "int"
    names = task_names(rng, how, problem.n_tasks, rank)
    if hasattr(problem.X, "iloc"):
        X = problem.X.copy()
        X["task"] = names[problem.task_of]
    else:
        position = problem.spec["task_column"] % (problem.features.shape[1] + 1)
        X = with_task_column(problem.features, names[problem.task_of], position, how)
    return replace(problem, X=X, names=names)


def positions(problem, estimator):
    """Row of ``coef_`` of each task of the problem (task t -> tasks_ index)."""
    if not problem.indexed:  # the names are the columns of y
        return problem.names
    return np.searchsorted(estimator.tasks_, problem.names)


# -- fitting and certificates ----------------------------------------------------


def make(name, problem, **params):
    """The registry's estimator ``name`` for this problem (tight ``tol``)."""
    _, factory = LINEAR[name]
    estimator = factory(problem.n_tasks, task_column=problem.task_column)
    params.setdefault("tol", TOL.get(name, estimator.tol))
    params.setdefault("fit_intercept", problem.spec["fit_intercept"])
    return estimator.set_params(**params)


def fit(estimator, problem, allowed=()):
    """Fit; return ``(estimator, convergence warnings)``, or ``(None, error)``.

    Only errors whose message holds a fragment of ``allowed`` are caught;
    any other exception propagates and fails the test.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator.fit(*problem.fit_args())
        except (ValueError, TypeError) as error:
            if not any(fragment in str(error) for fragment in allowed):
                raise
            return None, error
    converged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    return estimator, converged


class SplitPenalty:
    """A decomposition's penalty at its fitted split, for :func:`duality_gap`.

    Its value is :math:`g_1(P) + g_2(Q)` (what the model minimises), its
    conjugate that of the infimal convolution :math:`g_1^* + g_2^*`.
    """

    def __init__(self, decomposition, shared, specific):
        self.decomposition = decomposition
        self.split_value = decomposition.split_value(shared, specific)

    def value(self, W):
        return self.split_value

    def dual_scale(self, V):
        return self.decomposition.dual_scale(V)

    def conjugate(self, V):
        return self.decomposition.conjugate(V)


def penalty_of(estimator, data):
    """The penalty the fitted ``estimator`` minimised, from its parameters."""
    penalty = estimator._model_penalty(data)
    if isinstance(penalty, Decomposition):
        return SplitPenalty(penalty, estimator.shared_coef_, estimator.specific_coef_)
    return penalty


def strong_convexity(penalty):
    """A modulus ``mu`` with ``penalty - mu/2 ||W||_F^2`` convex (0: none known)."""
    if isinstance(penalty, TaskQuadratic):  # tr(W'MW)/2: Hessian M
        return max(np.linalg.eigvalsh(penalty.matrix)[0], 0.0)
    if isinstance(penalty, QuadraticPlusPenalty):
        return strong_convexity(penalty.quadratic)
    if isinstance(penalty, MeanRegularization) and not penalty.pooled:
        # alpha (||W||^2 + c ||W - mean||^2): Hessian >= 2 alpha.
        return 2 * penalty.alpha
    if isinstance(penalty, L21):  # + l2/2 ||W||^2
        return penalty.l2
    return 0.0


@dataclass
class Certificate:
    """What the test computes itself about a fitted model on its problem.

    ``value``: the objective at ``coef_``, ``intercept_``; ``bound``: an
    upper bound on its suboptimality (a duality gap); ``scale``: the size of
    the terms, for round-off; ``mu``: the strong-convexity modulus in
    ``coef_``; ``value_at`` evaluates the objective at other weights
    ``(W, b)`` (and, for the decompositions, at another split).
    """

    value: float
    bound: float
    scale: float
    mu: float
    value_at: object


def certify(estimator, problem):
    """The objective and a suboptimality bound of ``estimator``, from the data.

    The duality gap is recomputed at the fitted weights after making the
    intercepts exactly optimal for them (which the dual point needs); the
    bound adds back what that refit gained, so it bounds the suboptimality
    of the returned ``(coef_, intercept_)``.
    """
    data, datafit = clone(estimator)._prepare_fit(*problem.fit_args())
    penalty = penalty_of(estimator, data)
    W, b = estimator.coef_, estimator.intercept_
    value = objective(data, datafit, penalty, W, b)
    refit = refit_intercept(data, datafit, W, b) if estimator.fit_intercept else b
    primal, gap = duality_gap(data, datafit, penalty, W, refit)
    zero = datafit.value(data, data.linear(np.zeros_like(W), np.zeros_like(b)))

    def value_at(W, b, split=None):
        at = penalty
        if split is not None:
            at = SplitPenalty(penalty.decomposition, *split)
        return objective(data, datafit, at, W, b)

    return Certificate(
        value=value,
        bound=(value - primal) + gap,
        scale=abs(value) + abs(zero),
        mu=strong_convexity(penalty),
        value_at=value_at,
    )


def split_of(estimator, rows=None):
    """``(shared_coef_, specific_coef_)`` of a decomposition (reordered), or None."""
    if not hasattr(estimator, "shared_coef_"):
        return None
    index = slice(None) if rows is None else rows
    return estimator.shared_coef_[index], estimator.specific_coef_[index]


def assert_same_model(name, first, second, rows_first, rows_second, problem):
    """Two fits of equivalent problems agree to what their certificates allow.

    ``rows_*[t]`` is task t's row of each ``coef_``. Both objectives are
    evaluated on the first problem: each is within its bound of the common
    minimum. With a strongly convex penalty the weights are compared too.
    """
    (model, cert), (other, other_cert) = first, second
    W = model.coef_[rows_first]
    W_other = np.zeros_like(model.coef_)
    b_other = np.zeros_like(model.intercept_)
    W_other[rows_first] = other.coef_[rows_second]
    b_other[rows_first] = other.intercept_[rows_second]
    split = split_of(other, rows_second)
    if split is not None:
        P, Q = np.zeros_like(W_other), np.zeros_like(W_other)
        P[rows_first], Q[rows_first] = split
        split = (P, Q)
    value_other = cert.value_at(W_other, b_other, split)
    roundoff = ROUNDOFF * (cert.scale + other_cert.scale)
    bound = max(cert.bound, other_cert.bound) + roundoff
    note(f"objectives {cert.value!r} and {value_other!r}, bound {bound:.3e}")
    assert abs(cert.value - value_other) <= bound, (
        f"{name}: objectives {cert.value} and {value_other} differ by "
        f"{abs(cert.value - value_other):.3e} > {bound:.3e} (max gap + round-off)"
    )
    mu = cert.mu
    if mu > 0:
        slack = np.sqrt(2 * (cert.bound + roundoff) / mu) + np.sqrt(
            2 * (other_cert.bound + roundoff) / mu
        )
        distance = np.linalg.norm(W - other.coef_[rows_second])
        assert distance <= slack, (
            f"{name}: coef_ differ by {distance:.3e} in Frobenius norm, more "
            f"than sqrt(2 gap / mu) of both fits = {slack:.3e} (mu={mu:.3e})"
        )


def assert_finite_predictions(estimator, problem):
    """``predict`` (and the scores of a classifier) are finite, of the right shape."""
    X = problem.X
    n = len(problem.y)
    shape = (n,) if np.ndim(problem.y) == 1 else (n, problem.n_tasks)
    predictions = estimator.predict(X)
    assert predictions.shape == shape
    if hasattr(estimator, "decision_function"):
        scores = estimator.decision_function(X)
        assert np.all(np.isfinite(scores))
        proba = estimator.predict_proba(X)
        assert np.all((proba >= 0) & (proba <= 1))
        assert set(np.unique(predictions)) <= set(estimator.classes_)
    else:
        assert np.all(np.isfinite(predictions))


# -- the properties ------------------------------------------------------------------

KINDS = {name: kind for name, (kind, _) in LINEAR.items()}
NAMES = sorted(LINEAR)

# Problems Hypothesis might take a while to reach: the extremes of the ranges.
LARGE = {
    "layout": "indexed",
    "n_tasks": 200,
    "max_rows": 50,
    "sizes": "skewed",
    "n_features": 6,
    "features": "normal",
    "missing": 0.0,
    "weights": "positive",
    "ids": "string",
    "task_column": -1,
    "labels": ("no", "yes"),
    "valid": True,
    "fit_intercept": True,
    "one_d": False,
    "seed": 0,
}
WIDE_SHARED = {
    **LARGE,
    "layout": "shared",
    "n_tasks": 200,
    "max_rows": 3,
    "missing": 0.2,
    "ids": "int",
}


def problem_for(name, spec):
    spec = {**spec, "kind": KINDS[name]}
    problem = build(spec)
    note(f"spec: {spec}")
    return problem


def fitted_or_expected_error(name, problem):
    """Fit ``name``; check the documented error of an invalid problem.

    Returns the estimator and its ConvergenceWarnings, or ``(None, None)``
    when the problem is one the model refuses (as it must).
    """
    if problem.expected_error is not None:
        assert problem.expected_error in DOCUMENTED_ERRORS
        with pytest.raises(ValueError, match=re.escape(problem.expected_error)):
            make(name, problem).fit(*problem.fit_args())
        event("documented error")
        return None, None
    allowed = ()
    if name in CV_MODELS:
        # Its folds may miss a class of a task, or a whole task of one row
        # (tested on the fold that trains without it): see the report.
        allowed = CV_FOLD_ERRORS
    estimator, warned = fit(make(name, problem), problem, allowed)
    if estimator is None:
        event(f"CV fold error: {str(warned)[:40]}")
        return None, None
    return estimator, warned


def refit(name, estimator, problem, **params):
    """Fit ``name`` on an equivalent ``problem``; None when that cannot compare.

    The cross-validated models get the first fit's grid of ``alpha``; their
    folds, which follow the order and the number of rows, may fail (the
    errors of :data:`CV_FOLD_ERRORS`) or pick another ``alpha``, and then
    there is nothing to compare.
    """
    allowed = ()
    if name in CV_MODELS:
        params["alphas"] = estimator.alphas_
        allowed = CV_FOLD_ERRORS
    other, _ = fit(make(name, problem, **params), problem, allowed)
    if name in CV_MODELS and (other is None or other.alpha_ != estimator.alpha_):
        event("CV: fold error or another alpha")
        return None
    return other


@pytest.mark.parametrize("name", NAMES)
@given(spec=specs())
@example(spec=LARGE)
@example(spec=WIDE_SHARED)
def test_fit_is_certified(name, spec):
    """Documented errors only; no ConvergenceWarning => gap <= tol * objective.

    The objective and a duality gap are recomputed here from the data at the
    fitted weights; both the estimator's ``dual_gap_`` and the recomputed
    bound must meet the tolerance. Predictions are finite.
    """
    problem = problem_for(name, spec)
    estimator, warned = fitted_or_expected_error(name, problem)
    if estimator is None:
        return
    assert_finite_predictions(estimator, problem)
    cert = certify(estimator, problem)
    note(
        f"objective {cert.value!r}, dual_gap_ {estimator.dual_gap_!r}, bound {cert.bound!r}"
    )
    assert np.isfinite(cert.value)
    if warned:
        event("ConvergenceWarning")
        return
    allowed = estimator.tol * cert.value + ROUNDOFF * cert.scale
    assert estimator.dual_gap_ <= allowed, (
        f"{name}: dual_gap_={estimator.dual_gap_:.3e} > tol * objective = "
        f"{estimator.tol * cert.value:.3e}, without a ConvergenceWarning"
    )
    assert cert.bound <= allowed, (
        f"{name}: the duality gap recomputed at the fitted weights is "
        f"{cert.bound:.3e} > tol * objective = {estimator.tol * cert.value:.3e}, "
        "without a ConvergenceWarning"
    )


@pytest.mark.parametrize("name", NAMES)
@given(spec=specs(), order_seed=st.integers(0, 2**32 - 1))
def test_row_order_and_duplication_do_not_matter(name, spec, order_seed):
    """Permuted rows, and every row twice at half weight, give the same model."""
    problem = problem_for(name, spec)
    estimator, _ = fitted_or_expected_error(name, problem)
    if estimator is None:
        return
    cert = certify(estimator, problem)
    rows = positions(problem, estimator)
    rng = np.random.default_rng(order_seed)
    for change, other_problem in [
        ("permuted", permuted_rows(problem, rng)),
        ("duplicated", duplicated_rows(problem)),
    ]:
        other = refit(name, estimator, other_problem)
        if other is None:
            continue
        note(change)
        assert_same_model(
            f"{name} ({change})",
            (estimator, cert),
            (other, certify(other, other_problem)),
            rows,
            positions(other_problem, other),
            problem,
        )


@pytest.mark.parametrize("name", NAMES)
@given(spec=specs(), relabel_seed=st.integers(0, 2**32 - 1))
def test_task_relabelling_permutes_coef(name, spec, relabel_seed):
    """Renamed (and reordered) tasks permute the rows of ``coef_`` alike.

    The task graph is permuted with the tasks. The temporal models smooth
    along the order of ``tasks_``, so they get only renamings that keep or
    reverse that order (the chain of tasks is the same chain reversed).
    """
    problem = problem_for(name, spec)
    estimator, _ = fitted_or_expected_error(name, problem)
    if estimator is None:
        return
    rng = np.random.default_rng(relabel_seed)
    T = problem.n_tasks
    old = positions(problem, estimator)
    if name in TEMPORAL:
        rank = old if rng.random() < 0.5 else T - 1 - old
    else:
        rank = rng.permutation(T)
    other_problem = relabelled(problem, rng, rank)
    params = {}
    if name in GRAPH:
        # graph[rank[s], rank[t]] in the new order = old graph[old[s], old[t]].
        graph = np.asarray(estimator.graph)
        new_graph = np.empty_like(graph)
        new_graph[np.ix_(rank, rank)] = graph[np.ix_(old, old)]
        params["graph"] = new_graph
    other = refit(name, estimator, other_problem, **params)
    if other is None:
        return
    new = positions(other_problem, other)
    np.testing.assert_array_equal(new, rank)
    assert_same_model(
        f"{name} (relabelled)",
        (estimator, certify(estimator, problem)),
        (other, certify(other, other_problem)),
        old,
        new,
        problem,
    )


def chain_spec():
    return st.fixed_dictionaries(
        {
            "n_labels": task_counts(),
            "n_rows": st.integers(1, 50),
            "n_features": st.integers(1, 6),
            "features": st.sampled_from(["normal", "scaled", "collinear", "constant"]),
            "weights": st.sampled_from(["none", "positive"]),
            "seed": st.integers(0, 2**32 - 1),
        }
    )


@pytest.mark.parametrize("name", sorted(CHAINS))
@given(spec=chain_spec())
def test_chain_fits_and_predicts_finite(name, spec):
    """The chains fit random label matrices and predict finite values.

    A label column with one class may be refused (by the link or by the
    chain, with the message of :data:`CHAIN_ERRORS`); nothing else may fail.
    """
    kind, factory = CHAINS[name]
    rng = np.random.default_rng(spec["seed"])
    n, L, p = spec["n_rows"], spec["n_labels"], spec["n_features"]
    X = _features(rng, spec["features"], n, p)
    scores = X @ rng.normal(size=(p, L)) + rng.normal(size=L)
    if kind == "classifier":
        Y = (rng.random((n, L)) < expit(scores)).astype(int)
    else:
        Y = scores + rng.normal(size=(n, L))
    weight = rng.uniform(0.1, 5.0, n) if spec["weights"] == "positive" else None
    estimator = factory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the links' lbfgs
        try:
            estimator.fit(X, Y, sample_weight=weight)
        except ValueError as error:
            if kind == "classifier" and any(f in str(error) for f in CHAIN_ERRORS):
                event("one-class label refused")
                return
            raise
        predictions = estimator.predict(X)
    assert predictions.shape == (n, L)
    assert np.all(np.isfinite(predictions))
    if kind == "classifier":
        assert set(np.unique(predictions)) <= {0, 1}
        proba = estimator.predict_proba(X)
        assert np.all((proba >= 0) & (proba <= 1))


# -- bugs the fuzzing found, pinned -----------------------------------------------


def test_frame_of_the_task_column_only():
    """Zero features beside the task column of a DataFrame: intercepts only.

    check_array cannot infer a dtype from a frame without columns (NumPy's
    'at least one array or dtype is required'); a NumPy array fitted.
    """
    from skmtl import MeanRegularizedRegressor

    X = pd.DataFrame({"task": [0, 0, 1, 1]})
    model = MeanRegularizedRegressor(task_column="task").fit(X, [1.0, 2.0, 3.0, 5.0])
    np.testing.assert_allclose(model.intercept_, [1.5, 4.0])


@pytest.mark.parametrize(
    "name",
    ["DirtyClassifier", "RobustFeatureLearningClassifier", "RobustLowRankClassifier"],
)
def test_decomposition_classifier_without_features(name):
    """Zero features beside the task column: the per-task log-odds, at once.

    FISTA on the decomposition estimated its step from a mean over zero
    features (NaN) and backtracked forever; the decomposition solver now
    returns the intercept-only model, as the other families do.
    """
    X = np.array([[0], [0], [0], [1], [1], [1]])
    y = np.array([0, 1, 1, 0, 0, 1])
    model = LINEAR[name][1](2, task_column=0).fit(X, y)
    assert model.coef_.shape == model.shared_coef_.shape == (2, 0)
    np.testing.assert_allclose(model.intercept_, [np.log(2), -np.log(2)])
    assert model.dual_gap_ <= 1e-12


def test_beam_marginals_stay_probabilities():
    """Beam-search marginals of a label in every candidate are 1, not 1 + 2e-16.

    The candidates' weights sum to 1 only up to round-off.
    """
    from skmtl.multilabel import _inference

    rng = np.random.default_rng(1)
    weights = _inference.normalize_log_weights(rng.normal(size=(1, 15)))
    proba = _inference.marginals(np.ones((15, 2), dtype=np.uint8), weights)
    assert np.all((proba >= 0.0) & (proba <= 1.0))
