import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..penalties._base import provides
from ._cd import CD_REQUIREMENTS, cd, cd_applies, cd_path
from ._certificate import (
    check_free_directions_bounded,
    intercepts_only,
    objective,
    zero_weights_if_optimal,
)
from ._common import common_lbfgs, common_prox_newton
from ._cvxpy import cvxpy_solve
from ._decomposition import lifted_cvxpy, lifted_fista, lifted_fista_path
from ._fista import fista, fista_path, secant_prediction
from ._lbfgs import lbfgs
from ._newton import closed_form, closed_form_path, newton
from ._newton_cg import newton_cg
from ._prox_newton import prox_newton

# Newton and the closed form build and factorise T blocks of p x p; past these
# numbers of features the O(n p) passes of truncated Newton or L-BFGS win.
# Measured by benchmarks/bench_solvers.py (see benchmarks/RESULTS.md), per
# iterative solver Newton gives way to: truncated Newton from a few dozen
# features (each of its Hessian products is one pass; Newton's blocks cost
# about p; School's singular blocks, 27 features, still favour Newton 3x),
# and L-BFGS (for the penalties truncated Newton does not take, measured on
# the pooled model) from 100-200 task-indexed features and 20-100 on the
# shared design, whose T blocks each sum over all n rows.
NEWTON_MAX_FEATURES = {
    "newton_cg": {"task-indexed": 30, "shared design": 10},
    "lbfgs": {"task-indexed": 100, "shared design": 20},
}
# The closed form needs a single step, but its T p x p blocks cost T p^3 to
# invert against L-BFGS's passes of n p each: measured by the same
# benchmark, it is the better choice while the features are at most 4 times
# the rows of a task (all n rows on the shared design). At 1000 features it
# is 13x slower than L-BFGS over 50 tasks of 100 rows, within 1.4x over 10
# tasks of 1000. Between 2 and 4 features per row neither wins reliably:
# the closed form up to 2.3x slower (10 tasks of 200 rows, 500 features),
# L-BFGS up to 2x slower on an ill-conditioned fit (alpha 1e-5, coupling
# 100) that takes it 640 iterations.
CLOSED_FORM_MAX_FEATURES_PER_ROW = 4
# L2,1 on the plain shared design: coordinate descent on working sets beats
# FISTA on the Gram matrix once features are this many per row.
CD_MIN_FEATURES_PER_ROW = 0.25
# Solvers that hold per-task p x p matrices keep this many arrays of T of
# them at once (curvature blocks, their inverses, a product). Past the
# memory budget a solver the user names refuses, and "auto" passes it over:
# at 200 tasks and 2000 features the closed form would take 19 GB.
MEMORY_BUDGET_BYTES = 4 * 2**30


class SolverResult(NamedTuple):
    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int
    dual_gap: float
    objective: float
    parts: tuple | None = None  # (P, Q) of a decomposition penalty, coef = P + Q


class _Solver(NamedTuple):
    """An entry of the registry: the solver and what it requires."""

    function: Callable
    applies: Callable  # (data, datafit, penalty) -> bool, from declared capabilities
    requires: str  # what ``applies`` checks, for the error message
    path: Callable | None = None  # a warm-started path sharing data statistics
    gram_arrays: int = 0  # arrays of T p x p matrices it holds
    lifted: Callable | None = None  # the same method for a decomposition W = P + Q
    lifted_path: Callable | None = None  # and its path
    # The losses of the named estimators that offer it (the generic model
    # offers every solver), and its line in their ``solver`` documentation.
    losses: frozenset = frozenset({"squared", "logistic"})
    doc: str = ""


def _parts_have_prox(penalty):
    """A decomposition whose parts have proximal operators (lifted FISTA)."""
    return provides(penalty, "decomposition") and all(
        provides(part, "prox") for part in penalty.parts()
    )


def _common_part_and_prox(penalty):
    """Such a decomposition whose shared part is common weights (``w0``)."""
    return _parts_have_prox(penalty) and provides(penalty.shared, "common_rows")


def _common_part_and_smooth(penalty):
    """A decomposition of common weights (``w0``) and a smooth penalty."""
    return (
        provides(penalty, "decomposition")
        and provides(penalty.shared, "common_rows")
        and provides(penalty.specific, "gradient")
    )


def _finite_task_quadratic(penalty):
    """A quadratic coupling of the tasks with a finite curvature.

    A pooled mean regularization (an infinite coupling) is a constraint, not
    a quadratic.
    """
    if provides(penalty, "mean_spread"):
        return bool(np.isfinite(penalty.curvatures[1]))
    return provides(penalty, "task_quadratic")


def _proximal_part(penalty):
    """The part of the penalty a proximal solver applies the prox of.

    A task quadratic in a sum (``QuadraticPlusPenalty``) joins the smooth part.
    """
    return penalty.penalty if provides(penalty, "quadratic_plus_prox") else penalty


# The registry, in the order ``available_solvers`` lists the names. Which of
# the applicable solvers "auto" picks is decided by ``auto_solver`` from the
# measured crossovers above.
SOLVERS = {
    "closed_form": _Solver(
        closed_form,
        lambda data, datafit, penalty: (
            datafit.quadratic and provides(penalty, "newton_system")
        ),
        "the squared loss and a quadratic penalty",
        path=closed_form_path,
        gram_arrays=3,
        losses=frozenset({"squared"}),
        doc=(
            "one Newton step, exact for the squared loss and a quadratic penalty "
            "(per-task p x p systems)."
        ),
    ),
    "newton": _Solver(
        newton,
        lambda data, datafit, penalty: provides(penalty, "newton_system"),
        "a quadratic penalty",
        gram_arrays=3,
        losses=frozenset({"logistic"}),
        doc="Newton's method with a line search (per-task p x p systems).",
    ),
    "newton_cg": _Solver(
        newton_cg,
        lambda data, datafit, penalty: (
            not datafit.quadratic and _finite_task_quadratic(penalty)
        ),
        "a loss that is not quadratic and a quadratic coupling of the tasks "
        "with a finite coupling",
        losses=frozenset({"logistic"}),
        doc=(
            "truncated Newton: each step solved by conjugate gradients on "
            "Hessian-vector products (never a p x p matrix)."
        ),
    ),
    "lbfgs": _Solver(
        lbfgs,
        lambda data, datafit, penalty: (
            provides(penalty, "gradient") or _common_part_and_smooth(penalty)
        ),
        "a smooth penalty",
        lifted=common_lbfgs,
        doc="L-BFGS on the smooth objective, stopped by the duality gap.",
    ),
    "prox_newton": _Solver(
        prox_newton,
        lambda data, datafit, penalty: (
            not datafit.quadratic
            and (
                provides(_proximal_part(penalty), "prox")
                or _common_part_and_prox(penalty)
            )
        ),
        "a loss that is not quadratic and a penalty with a proximal operator",
        gram_arrays=2,
        lifted=common_prox_newton,
        losses=frozenset({"logistic"}),
        doc=(
            "proximal Newton steps (weighted least-squares models solved by FISTA on "
            "their sufficient statistics) on working sets."
        ),
    ),
    "fista": _Solver(
        fista,
        lambda data, datafit, penalty: (
            provides(_proximal_part(penalty), "prox") or _parts_have_prox(penalty)
        ),
        "a penalty with a proximal operator, or a decomposition of two",
        path=fista_path,
        lifted=lifted_fista,
        lifted_path=lifted_fista_path,
        doc=(
            "accelerated proximal gradient with adaptive restart and working sets "
            "over features, on per-task sufficient statistics when they are cheaper "
            "than the data (on the stacked parts for a decomposition)."
        ),
    ),
    "cd": _Solver(
        cd,
        cd_applies,
        CD_REQUIREMENTS,
        path=cd_path,
        losses=frozenset({"squared"}),
        doc=(
            "working sets around scikit-learn's multi-task coordinate descent; only "
            "for the shared design with every target observed and no sample weights."
        ),
    ),
    "cvxpy": _Solver(
        cvxpy_solve,
        lambda data, datafit, penalty: True,
        "a penalty with a cvxpy form",
        lifted=lifted_cvxpy,
        doc="the exact reference solver (slow).",
    ),
}


def available_solvers(data, datafit, penalty):
    """Names of the solvers that apply to ``datafit + penalty``."""
    return [
        name for name, entry in SOLVERS.items() if entry.applies(data, datafit, penalty)
    ]


def gram_memory(solver, data):
    """Bytes of the per-task p x p arrays ``solver`` holds (0 when it holds none)."""
    arrays = SOLVERS[solver].gram_arrays
    return arrays * data.n_tasks * data.n_features**2 * 8


def auto_solver(data, datafit, penalty):
    """The solver ``solver="auto"`` picks for this problem size and layout."""
    names = [
        name
        for name in available_solvers(data, datafit, penalty)
        if gram_memory(name, data) <= MEMORY_BUDGET_BYTES
    ]
    p = data.n_features
    layout = "shared design" if data.shared_design else "task-indexed"
    rows = data.n_samples if data.shared_design else data.n_samples / data.n_tasks
    if "closed_form" in names and p <= CLOSED_FORM_MAX_FEATURES_PER_ROW * rows:
        return "closed_form"
    if "newton" in names and not datafit.quadratic:
        alternative = "newton_cg" if "newton_cg" in names else "lbfgs"
        if p <= NEWTON_MAX_FEATURES[alternative][layout]:
            return "newton"
    # Truncated Newton is ahead of L-BFGS on every dense problem of
    # bench_solvers, and certified a weak-ridge bag-of-words fit in seconds
    # where L-BFGS stopped at max_iter after two minutes (bench_cost
    # --multilabel).
    if "newton_cg" in names:
        return "newton_cg"
    if "lbfgs" in names:
        return "lbfgs"
    if "cd" in names and p >= CD_MIN_FEATURES_PER_ROW * data.n_samples:
        return "cd"
    # Proximal Newton forms per-task Gram matrices each step: worth it when
    # they are smaller than the data, else FISTA's passes over the data win.
    tasks_per_gram = 1 if data.shared_design else data.n_tasks
    if "prox_newton" in names and p * tasks_per_gram <= data.n_samples:
        return "prox_newton"
    if "fista" in names:
        return "fista"
    return names[0]


def solve(
    data,
    datafit,
    penalty,
    *,
    solver="auto",
    fit_intercept=True,
    tol=1e-8,
    max_iter=100,
    coef_init=None,
    intercept_init=None,
):
    """Minimise ``datafit(X W' + b) + penalty(W)`` over ``W`` (and ``b``).

    Parameters
    ----------
    data : TaskData
    datafit, penalty : objects from :mod:`skmtl.datafits`, :mod:`skmtl.penalties`
    solver : {"auto", "closed_form", "newton", "lbfgs", "cvxpy"}
        ``"closed_form"`` needs a quadratic datafit and a quadratic penalty;
        it is Newton's method, which is exact after one step there.
    coef_init, intercept_init : ndarray, optional
        Starting point (warm start).

    Returns
    -------
    SolverResult
    """
    names = available_solvers(data, datafit, penalty)
    if solver == "auto":
        solver = auto_solver(data, datafit, penalty)
    elif solver == "cd" and "cd" not in names:
        raise ValueError(CD_REQUIREMENTS)
    elif solver not in names:
        raise ValueError(
            f"solver={solver!r} does not apply to {type(datafit).__name__} with "
            f"{type(penalty).__name__}: it needs {SOLVERS[solver].requires}; "
            f"choose one of {['auto', *names]}."
        )
    elif gram_memory(solver, data) > MEMORY_BUDGET_BYTES:
        raise ValueError(
            f"solver={solver!r} would hold {SOLVERS[solver].gram_arrays} arrays of "
            f"{data.n_tasks} x {data.n_features} x {data.n_features} floats "
            f"({gram_memory(solver, data) / 1e9:.1f} GB), above its memory "
            f"budget of {MEMORY_BUDGET_BYTES / 2**30:.0f} GiB. Use solver='auto', "
            "which picks a solver that works on the data (L-BFGS or FISTA)."
        )
    check_free_directions_bounded(data, datafit, penalty, fit_intercept)
    if data.n_features == 0:
        return SolverResult(*intercepts_only(data, datafit, penalty, fit_intercept))
    cold = coef_init is None or not np.any(np.asarray(coef_init, dtype=float))
    if cold and solver not in ("cvxpy", "closed_form"):
        # (A zero start, as on a path after zero weights, is a cold start. The
        # closed form checks zero weights only if its solve is not certified.)
        zero = zero_weights_if_optimal(data, datafit, penalty, fit_intercept)
        if zero is not None:
            return SolverResult(*zero)
    T, p = data.n_tasks, data.n_features
    W = np.zeros((T, p)) if coef_init is None else np.array(coef_init, dtype=float)
    b = np.zeros(T)
    if fit_intercept and intercept_init is not None:
        b = np.array(intercept_init, dtype=float)
    entry = SOLVERS[solver]
    function = entry.lifted if provides(penalty, "decomposition") else entry.function
    return SolverResult(
        *function(
            data,
            datafit,
            penalty,
            W,
            b,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
    )


def solve_path(
    data, datafit, penalties, *, fit_intercept=True, tol=1e-6, max_iter=10_000
):
    """Solve for a sequence of penalties, each warm-started from the previous.

    Uses the solver ``"auto"`` picks for the first penalty (and ``"auto"``'s
    choice for a penalty it does not apply to); FISTA and coordinate descent
    also build their data statistics once for the whole path. A penalty in
    other variables than the previous one's (a decomposition after a plain
    penalty, say) starts a new path, cold.

    Yields
    ------
    SolverResult, one per penalty
    """
    options = {"fit_intercept": fit_intercept, "tol": tol, "max_iter": max_iter}
    for _, run in itertools.groupby(penalties, key=_n_parts):
        run = list(run)
        solver = auto_solver(data, datafit, run[0])
        entry = SOLVERS[solver]
        path = entry.lifted_path if provides(run[0], "decomposition") else entry.path
        if path is not None:
            results = path(data, datafit, run, **options)
        else:
            results = _warm_path(data, datafit, run, solver, **options)
        for result in results:
            yield SolverResult(*result)


def _n_parts(penalty):
    """The number of weight matrices a solver fits for ``penalty``."""
    return len(penalty.parts()) if provides(penalty, "decomposition") else 1


def _warm_path(data, datafit, penalties, solver, *, fit_intercept, tol, max_iter):
    W = b = before = None  # the last solution, and the one before it
    for penalty in penalties:
        start = (W, b)
        if before is not None:
            start = _secant_start(data, datafit, penalty, before, W, b)
        # A penalty the path's solver does not take (a CV grid's pooled
        # coupling after finite ones, for truncated Newton) gets its own.
        applies = SOLVERS[solver].applies(data, datafit, penalty)
        # (A decomposition starts from the previous parts, stacked.)
        result = solve(
            data,
            datafit,
            penalty,
            solver=solver if applies else "auto",
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            coef_init=start[0],
            intercept_init=start[1],
        )
        plain = result.parts is None and W is not None and W.ndim == 2
        before = (W, b) if plain else None
        W = result.coef if result.parts is None else np.stack(result.parts)
        b = result.intercept
        yield result


def _secant_start(data, datafit, penalty, previous, W, b):
    """``(W, b)``, or their secant prediction (:func:`secant_prediction`, the
    intercepts extrapolated too) when it lowers the objective at ``penalty``.

    On emotions it saves 10-20% of the proximal Newton steps of the
    classifiers' paths.
    """
    predicted = secant_prediction(previous[0], W), 2 * b - previous[1]
    if objective(data, datafit, penalty, *predicted) < objective(
        data, datafit, penalty, W, b
    ):
        return predicted
    return W, b
