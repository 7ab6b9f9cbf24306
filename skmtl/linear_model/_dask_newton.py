"""Proximal Newton for the logistic loss on Dask collections.

Each Newton step is one pass over the partitions, on the workers: at the
current point every partition adds up the statistics of the loss's
second-order model (a weighted least squares, as :class:`TaskStatistics`
of weights ``F''`` and working targets ``z - F'/F''``), its loss and
gradient per task, and the pieces of a duality-gap certificate. The client
solves the model plus the penalty on those statistics (the registry's
squared-loss solvers, intercepts eliminated exactly) and checks the step
with an Armijo test on the loss the next pass brings. Only statistics of
``O(T p^2)`` floats travel; the rows stay on the workers.

The certificate is the one of the in-memory solvers (:func:`dual_objective`)
at a dual point that needs no exact intercepts: in each task the positive
or the negative part of the gradient is shrunk until the parts cancel, which
keeps every entry in the logistic conjugate's domain. The conjugate at that
point needs the rows again, so the certificate of a point arrives with the
next pass (the one that evaluates the step from it).
"""

import contextlib
import warnings
from functools import partial
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._dask import dask_partitions, tree_sum
from .._estimator import _encode_classification_y, check_both_classes
from .._task_data import map_tasks
from ..datafits import LogisticLoss, SquaredLoss
from ..penalties._base import provides
from ..solvers._certificate import (
    _free_directions,
    objective,
    penalty_dual_term,
    warn_if_not_certified,
)
from ..solvers._dispatch import SolverResult, solve
from ..solvers._prox_newton import armijo
from ..solvers._smooth import Certificate
from ._statistics import TaskStatistics, _placed, _Reader

# The solver names that mean proximal Newton on Dask collections.
NEWTON_SOLVERS = ("auto", "prox_newton", "newton")


class _Point(NamedTuple):
    """Where a pass evaluates: weights and intercepts of ``tasks``, and the
    dual point of the previous step (``previous``) whose conjugate it adds."""

    tasks: np.ndarray
    W: np.ndarray
    b: np.ndarray
    previous: tuple | None  # (W, b, shrink_positive, shrink_negative, scale)


class _SummedLoss(LogisticLoss):
    """The logistic loss *summed* over the rows with their sample weights.

    A partition's loss, gradient, curvature and conjugate then add up over
    partitions (the fit divides by the total weight once); a partition
    whose rows all have zero weight adds zeros, where the weighted mean of
    :class:`LogisticLoss` would divide by zero.
    """

    def scaled_weight(self, data):
        return data.weight


class _Pass:
    """What a pass over some rows gives at a point; adds up with ``+``.

    ``model``: the :class:`TaskStatistics` of the Newton model. Per task,
    summed over the rows (see :class:`_SummedLoss`): ``loss``, the
    gradient's sum ``g_sum`` and its negative part's ``g_negative`` (``-sum
    min(G, 0)``), ``gw = X' G`` and ``gw_negative = X' min(G, 0)``, the
    weights ``ones`` and ``zeros`` of each class. ``conjugate``: the loss's
    conjugate at the previous point's dual point.
    """

    FIELDS = ("loss", "g_sum", "g_negative", "gw", "gw_negative", "ones", "zeros")

    def __init__(self, model, conjugate, **fields):
        self.model, self.conjugate = model, conjugate
        vars(self).update(fields)

    def __add__(self, other):
        tasks, mine, theirs = self.model._task_union(other.model)
        fields = {}
        for name in self.FIELDS:
            ours = getattr(self, name)
            ours = ours.copy() if mine is None else _placed(ours, mine, len(tasks))
            ours[theirs] += getattr(other, name)
            fields[name] = ours
        return _Pass(
            self.model + other.model, self.conjugate + other.conjugate, **fields
        )

    @classmethod
    def from_rows(cls, piece, task_column, classes, point):
        """The pass over one partition ``(X, y, sample_weight)``."""
        X, y, weight = piece
        if len(X) == 0:
            return None  # an empty partition adds nothing
        reader = _Reader(task_column)
        data = reader._validate_fit_data(X, _encoded(y, classes), weight, chunk=True)
        loss = _SummedLoss()
        W, b = _at(point, data.tasks, data.n_features)
        Z = data.linear(W, b)
        G, D = loss.gradient(data, Z), loss.hessian(data, Z)
        targets = Z - np.divide(G, D, out=np.zeros_like(G), where=D > 0)
        model = TaskStatistics._from_task_data(
            data, reader, D, targets, data.weight.sum()
        )
        negative = np.minimum(G, 0.0)
        conjugate = 0.0
        if point is not None and point.previous is not None:
            W, b, shrink_positive, shrink_negative, s = point.previous
            index = map_tasks(data.tasks, point.tasks)
            G_previous = loss.gradient(data, data.linear(W[index], b[index]))
            shrink = np.where(
                G_previous > 0,
                data.expand(shrink_positive[index]),
                data.expand(shrink_negative[index]),
            )
            conjugate = loss.conjugate(data, s * shrink * G_previous)
        return cls(
            model,
            conjugate,
            loss=data.task_sums(loss.loss(data, Z)),
            g_sum=data.task_sums(G),
            g_negative=-data.task_sums(negative),
            gw=data.adjoint(G)[0],
            gw_negative=data.adjoint(negative)[0],
            ones=data.task_sums(data.weight * data.Y),
            zeros=data.task_sums(data.weight * (1 - data.Y)),
        )


def _at(point, tasks, n_features):
    """The point's weights and intercepts for ``tasks`` (zero at the start)."""
    if point is None:
        return np.zeros((len(tasks), n_features)), np.zeros(len(tasks))
    index = map_tasks(tasks, point.tasks)
    return point.W[index], point.b[index]


def _encoded(y, classes):
    """Partition targets as 0/1 floats: labels by ``classes``, or a
    multi-label frame checked (its column names are the tasks)."""
    if classes is None:
        _encode_classification_y(np.asarray(y, dtype=float))
        return y
    return (np.asarray(y) == classes[1]).astype(np.float64)


def _classes(y):
    """The class labels of a 1-D Dask ``y`` (one pass over ``y`` alone), or
    None for a 2-D multi-label ``y``."""
    import dask

    if y.ndim == 2:
        return None
    if hasattr(y, "unique"):  # a Dask Series
        labels = y.unique()
    else:
        import dask.array as da

        labels = da.unique(y)
    (labels,) = dask.compute(labels)
    return _encode_classification_y(np.asarray(labels))[1]


def check_distributable(estimator, penalty):
    """Refuse, naming why, a classifier proximal Newton cannot fit on Dask."""
    name = type(estimator).__name__
    if estimator.solver not in NEWTON_SOLVERS:
        raise ValueError(
            f"On Dask collections {name} fits by distributed proximal Newton: "
            f"solver must be one of {list(NEWTON_SOLVERS)}, got "
            f"{estimator.solver!r}."
        )
    advice = "Fit it in memory: compute() the data first."
    if provides(penalty, "decomposition"):
        why = "a penalty of several parts (a decomposition or a shared component)"
    elif not (provides(penalty, "conjugate") or provides(penalty, "dual_term")):
        why = "a penalty without a conjugate (no duality-gap certificate)"
    else:
        free, what, ridge = _free_directions(penalty, 1)
        if free is None or free.shape[1] == 0:
            return
        why = (
            f"a penalty that leaves some directions unpenalised ({what}), "
            "along which its certificate needs exact weights"
        )
        advice = f"{ridge} Or {advice[0].lower()}{advice[1:]}"
    raise TypeError(
        f"{name} has {why}: the distributed proximal Newton does not fit it. {advice}"
    )


def fit_logistic(estimator, X, y, sample_weight):
    """Fit ``estimator`` (a logistic model) on Dask collections.

    Returns
    -------
    result : SolverResult
    model : TaskStatistics
        Of the first pass (for the columns and tasks of the data).
    classes : ndarray or None
    n_passes : int
        Passes over the partitions (``y`` alone for the class labels counts).
    """
    pieces = dask_partitions(X, y, sample_weight)
    classes = _classes(y)
    n_passes = int(classes is not None)

    def run(point):
        nonlocal n_passes
        n_passes += 1
        result = tree_sum(
            _Pass.from_rows, pieces, estimator.task_column, classes, point
        )
        if result is None:
            raise ValueError("The Dask collections hold no rows.")
        return result

    first = run(None)
    check_both_classes(first.model.tasks, first.ones > 0, first.zeros > 0)
    # At zero the model's weights are a quarter of the sample weights: its
    # rows have the data's per-task means and Grams (a penalty built from
    # them, such as a task graph of feature means, sees the data's).
    penalty = estimator._model_penalty(first.model._task_data())
    check_distributable(estimator, penalty)
    result = _prox_newton(first, run, penalty, estimator)
    return result, first.model, classes, n_passes


class _Certified(Exception):
    """Raised inside the line search when a pass certified a point."""


class _Passes:
    """Trial points evaluated by passes, and the best point they certified.

    The pass at a trial point brings the dual objective of the current
    point's dual point, a lower bound on the optimum: it certifies the
    current point, and the trial point too (quadratic convergence makes that
    one far more accurate) unless its objective is higher beyond round-off.
    """

    def __init__(self, run, penalty, tasks, weight_sum, tol):
        self.run, self.penalty, self.tasks = run, penalty, tasks
        self.weight_sum, self.tol = weight_sum, tol
        self.best = None  # (W, b, primal, gap)
        self.trial = None  # the last trial's pass

    def evaluate(self, current, dual_point, penalty_conjugate, W_try, b_try):
        """The loss at ``(W_try, b_try)``; raises :class:`_Certified`."""
        W, b, primal = current.W, current.b, current.primal
        S = self.weight_sum
        self.trial = self.run(_Point(self.tasks, W_try, b_try, (W, b, *dual_point)))
        dual = -self.trial.conjugate / S - penalty_conjugate
        loss = self.trial.loss.sum() / S
        value = loss + self.penalty.value(W_try)
        if value <= primal + 64 * np.finfo(float).eps * abs(primal):
            self.best = (W_try, b_try, value, value - dual)
        else:
            self.best = (W, b, primal, primal - dual)
        if self.best[3] <= self.tol * self.best[2]:
            raise _Certified
        return loss


def _prox_newton(first, run, penalty, estimator):
    """Proximal Newton steps, one pass each (see the module docstring)."""
    fit_intercept, tol = estimator.fit_intercept, estimator.tol
    model = first.model
    passes = _Passes(run, penalty, model.tasks, model.sample_weight_sum, tol)
    W, b = np.zeros((model.n_tasks, model.n_features)), np.zeros(model.n_tasks)
    here, n_iter = first, 0
    while n_iter < estimator.max_iter:
        primal = here.loss.sum() / passes.weight_sum + penalty.value(W)
        current = Certificate(W, b, primal, None, None)
        evaluate = partial(
            passes.evaluate, current, *_dual_point(here, W, penalty, fit_intercept)
        )
        inner = _solve_model(
            here.model._task_data(), penalty, current, tol, fit_intercept
        )
        slope = np.sum(here.gw * (inner.coef - W)) + here.g_sum @ (inner.intercept - b)
        passes.trial = None
        try:
            W_new, b_new = armijo(
                current,
                inner.coef,
                inner.intercept,
                slope / passes.weight_sum,
                evaluate,
                penalty.value,
            )
            if passes.trial is None:  # the model's minimiser, taken unchecked
                evaluate(W_new, b_new)
        except _Certified:
            n_iter += passes.best[0] is not W
            break
        if W_new is W:  # no step decreases the objective: round-off
            break
        n_iter += 1
        W, b, here = W_new, b_new, passes.trial
    else:  # max_iter steps: certify the last point
        with contextlib.suppress(_Certified):
            evaluate = partial(
                passes.evaluate,
                Certificate(W, b, np.inf, None, None),
                *_dual_point(here, W, penalty, fit_intercept),
            )
            evaluate(W, b)
    W, b, primal, gap = passes.best
    warn_if_not_certified(
        "Distributed proximal Newton",
        f"after {n_iter} Newton steps",
        gap,
        primal,
        tol,
        stacklevel=5,
        advice="Increase max_iter (each Newton step is one pass over the data).",
    )
    return SolverResult(W, b, n_iter, gap, primal)


def _dual_point(here, W, penalty, fit_intercept):
    """``((shrink_positive, shrink_negative, scale), Omega^*)`` at the point
    of the pass ``here``.

    With intercepts the dual point must sum to zero in each task: the larger
    of the gradient's positive and negative parts is shrunk to the other's
    size, which keeps each entry between zero and its value.
    """
    S = here.model.sample_weight_sum
    negative = here.g_negative
    positive = here.g_sum + negative
    ones = np.ones_like(positive)
    shrink_positive, shrink_negative = ones, ones
    if fit_intercept:
        tiny = np.finfo(float).tiny
        shrink_positive = np.where(
            positive > negative, negative / np.maximum(positive, tiny), 1.0
        )
        shrink_negative = np.where(
            negative > positive, positive / np.maximum(negative, tiny), 1.0
        )
    gw = (
        shrink_positive[:, None] * (here.gw - here.gw_negative)
        + shrink_negative[:, None] * here.gw_negative
    ) / S
    scale, conjugate = penalty_dual_term(penalty, -gw, W)
    return (shrink_positive, shrink_negative, scale), conjugate


def _solve_model(model, penalty, current, tol, fit_intercept):
    """The Newton model plus the penalty, solved on its statistics to an
    absolute gap of a tenth of ``tol`` times the current objective.

    As tight as the fit's own tolerance from the first step: a solve on
    statistics costs little against a pass over the rows, and exact steps
    converge quadratically. (A target from the last certified gap, as in
    memory, lags a step behind here and doubled the steps on bench_scale's
    data.)
    """
    loss = SquaredLoss()
    # The solvers stop at a gap relative to the objective, which is at most
    # its value at the start.
    start = objective(model, loss, penalty, current.W, current.b)
    target = 0.1 * tol * current.primal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return solve(
            model,
            loss,
            penalty,
            fit_intercept=fit_intercept,
            tol=min(target / max(start, np.finfo(float).tiny), 1e-2),
            max_iter=10_000,
            coef_init=current.W,
            intercept_init=current.b,
        )
