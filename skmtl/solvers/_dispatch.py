from typing import NamedTuple

import numpy as np

from ._cvxpy import cvxpy_solve
from ._lbfgs import lbfgs
from ._newton import newton

# Newton forms T p x p blocks and factorises them; past this many features
# the O(n p) iterations of L-BFGS win (see benchmarks/bench_solvers.py).
NEWTON_MAX_FEATURES = 500


class SolverResult(NamedTuple):
    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int
    dual_gap: float
    objective: float


def available_solvers(datafit, penalty):
    """Names of the solvers that apply to ``datafit + penalty``."""
    names = []
    if hasattr(penalty, "solve_newton_system") and hasattr(datafit, "hessian"):
        if datafit.quadratic:
            names.append("closed_form")
        names.append("newton")
    if hasattr(penalty, "gradient"):
        names.append("lbfgs")
    names.append("cvxpy")
    return names


def _auto(datafit, penalty, n_features):
    names = available_solvers(datafit, penalty)
    if "closed_form" in names:
        return "closed_form"
    if "newton" in names and (
        n_features <= NEWTON_MAX_FEATURES or "lbfgs" not in names
    ):
        return "newton"
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
    names = available_solvers(datafit, penalty)
    if solver == "auto":
        solver = _auto(datafit, penalty, data.n_features)
    elif solver not in names:
        raise ValueError(
            f"solver={solver!r} does not apply to {type(datafit).__name__} with "
            f"{type(penalty).__name__}; choose one of {['auto', *names]}."
        )
    T, p = data.n_tasks, data.n_features
    W = np.zeros((T, p)) if coef_init is None else np.array(coef_init, dtype=float)
    b = np.zeros(T)
    if fit_intercept and intercept_init is not None:
        b = np.array(intercept_init, dtype=float)
    method = {
        "closed_form": newton,
        "newton": newton,
        "lbfgs": lbfgs,
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
