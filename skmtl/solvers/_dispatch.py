from typing import NamedTuple

import numpy as np

from ._cd import CD_REQUIREMENTS, cd, cd_applies, cd_path
from ._certificate import (
    check_free_directions_bounded,
    duality_gap,
    refit_intercept,
)
from ._cvxpy import cvxpy_solve
from ._fista import fista, fista_path
from ._lbfgs import lbfgs
from ._newton import newton
from ._prox_newton import prox_newton

# Newton and the closed form build and factorise T blocks of p x p; past these
# numbers of features the O(n p) iterations of L-BFGS win. Measured by
# benchmarks/bench_solvers.py (see benchmarks/RESULTS.md): the logistic
# crossover lies near 200 features for the task-indexed layout and near 50
# for the shared design, whose T blocks each sum over all n rows; the closed
# form needs a single step and stays ahead up to 1000 features or more.
NEWTON_MAX_FEATURES = {"task-indexed": 200, "shared design": 50}
CLOSED_FORM_MAX_FEATURES = 1000
# L2,1 on the plain shared design: coordinate descent on working sets beats
# FISTA on the Gram matrix once features are this many per row.
CD_MIN_FEATURES_PER_ROW = 0.25
# Solvers that hold per-task p x p matrices, and how many arrays of T of them
# they keep at once (curvature blocks, their inverses, a product). Past the
# memory budget a solver the user names refuses, and "auto" passes it over:
# at 200 tasks and 2000 features the closed form would take 19 GB.
GRAM_ARRAYS = {"closed_form": 3, "newton": 3, "prox_newton": 2}
MEMORY_BUDGET_BYTES = 4 * 2**30


class SolverResult(NamedTuple):
    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int
    dual_gap: float
    objective: float


def available_solvers(data, datafit, penalty):
    """Names of the solvers that apply to ``datafit + penalty``."""
    names = []
    if hasattr(penalty, "solve_newton_system") and hasattr(datafit, "hessian"):
        if datafit.quadratic:
            names.append("closed_form")
        names.append("newton")
    if hasattr(penalty, "gradient"):
        names.append("lbfgs")
    # A quadratic part joins the smooth part; the rest needs a prox.
    if hasattr(getattr(penalty, "penalty", penalty), "prox"):
        if not getattr(datafit, "quadratic", False) and hasattr(datafit, "hessian"):
            names.append("prox_newton")
        names.append("fista")
    if cd_applies(data, datafit, penalty):
        names.append("cd")
    names.append("cvxpy")
    return names


def gram_memory(solver, data):
    """Bytes of the per-task p x p arrays ``solver`` holds (0 when it holds none)."""
    return GRAM_ARRAYS.get(solver, 0) * data.n_tasks * data.n_features**2 * 8


def auto_solver(data, datafit, penalty):
    """The solver ``solver="auto"`` picks for this problem size and layout."""
    names = [
        name
        for name in available_solvers(data, datafit, penalty)
        if gram_memory(name, data) <= MEMORY_BUDGET_BYTES
    ]
    p = data.n_features
    layout = "shared design" if data.shared_design else "task-indexed"
    if "closed_form" in names and p <= CLOSED_FORM_MAX_FEATURES:
        return "closed_form"
    if "newton" in names and not datafit.quadratic and p <= NEWTON_MAX_FEATURES[layout]:
        return "newton"
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
            f"{type(penalty).__name__}; choose one of {['auto', *names]}."
        )
    elif gram_memory(solver, data) > MEMORY_BUDGET_BYTES:
        raise ValueError(
            f"solver={solver!r} would hold {GRAM_ARRAYS[solver]} arrays of "
            f"{data.n_tasks} x {data.n_features} x {data.n_features} floats "
            f"({gram_memory(solver, data) / 1e9:.1f} GB), above its memory "
            f"budget of {MEMORY_BUDGET_BYTES / 2**30:.0f} GiB. Use solver='auto', "
            "which picks a solver that works on the data (L-BFGS or FISTA)."
        )
    check_free_directions_bounded(data, datafit, penalty, fit_intercept)
    if data.n_features == 0:
        return SolverResult(*_intercepts_only(data, datafit, penalty, fit_intercept))
    if coef_init is None and solver != "cvxpy":
        # Zero weights optimal to the roundoff of the loss (constant targets):
        # the relative gap of an iterative solver would chase an objective
        # that is already zero, down to NaN in the denormals.
        start = _intercepts_only(data, datafit, penalty, fit_intercept)
        Z = data.linear(start[0], np.zeros(data.n_tasks))
        if start[3] <= np.finfo(float).eps * datafit.value(data, Z):
            return SolverResult(*start)
    T, p = data.n_tasks, data.n_features
    W = np.zeros((T, p)) if coef_init is None else np.array(coef_init, dtype=float)
    b = np.zeros(T)
    if fit_intercept and intercept_init is not None:
        b = np.array(intercept_init, dtype=float)
    method = {
        "closed_form": newton,
        "newton": newton,
        "lbfgs": lbfgs,
        "fista": fista,
        "prox_newton": prox_newton,
        "cd": cd,
        "cvxpy": cvxpy_solve,
    }
    return SolverResult(
        *method[solver](
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


def _intercepts_only(data, datafit, penalty, fit_intercept):
    """Zero weights and the best intercepts for them, with their certificate.

    The optimum when there are no features, in closed form.
    """
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    if fit_intercept:
        b = refit_intercept(data, datafit, W, b)
    primal, gap = duality_gap(data, datafit, penalty, W, b)
    return W, b, 0, gap, primal


def solve_path(
    data, datafit, penalties, *, fit_intercept=True, tol=1e-6, max_iter=10_000
):
    """Solve for a sequence of penalties, each warm-started from the previous.

    Uses the solver ``"auto"`` picks for the first penalty; FISTA and
    coordinate descent also build their data statistics once for the whole
    path.

    Yields
    ------
    SolverResult, one per penalty
    """
    solver = auto_solver(data, datafit, penalties[0])
    options = {"fit_intercept": fit_intercept, "tol": tol, "max_iter": max_iter}
    if solver == "fista":
        results = fista_path(data, datafit, penalties, **options)
    elif solver == "cd":
        results = cd_path(data, penalties, **options)
    else:
        results = _warm_path(data, datafit, penalties, solver, **options)
    for result in results:
        yield SolverResult(*result)


def _warm_path(data, datafit, penalties, solver, *, fit_intercept, tol, max_iter):
    W = b = None
    for penalty in penalties:
        result = solve(
            data,
            datafit,
            penalty,
            solver=solver,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            coef_init=W,
            intercept_init=b,
        )
        W, b = result.coef, result.intercept
        yield result
