"""Solvers for ``datafit + penalty`` problems.

``newton`` (the closed form for the squared loss) and ``lbfgs`` for smooth
penalties, ``cvxpy`` as the exact reference for anything with a cvxpy form.
Every solver returns a duality-gap certificate.
"""

from ._certificate import duality_gap, objective, refit_intercept
from ._dispatch import SolverResult, available_solvers, solve, solve_path

__all__ = [
    "SolverResult",
    "available_solvers",
    "duality_gap",
    "objective",
    "refit_intercept",
    "solve",
    "solve_path",
]
