"""The reference solver: any datafit + penalty written in cvxpy."""

import warnings

import numpy as np

from ..penalties._base import cvxpy_coef, provides
from ._certificate import duality_gap, refit_unpenalized, warn_if_not_certified


def minimize_with_cvxpy(
    data, datafit, W_expr, penalty_expr, fit_intercept, tol, max_iter
):
    """Minimise ``datafit(X W' + b) + penalty_expr`` with Clarabel.

    ``W_expr`` is the (n_tasks, n_features) cvxpy expression of the weights
    (a variable, or built from the penalty's own variables). Returns the
    solved problem and the intercepts (zeros without ``fit_intercept``).
    """
    import cvxpy as cp

    A, B, mask = data.observed_design()
    z = A @ cp.vec(W_expr, order="C")
    T = W_expr.shape[0]
    intercept = cp.Variable(T) if fit_intercept else None
    if fit_intercept:
        z = z + B @ intercept
    loss = datafit.as_cvxpy(z, data.Y[mask], datafit.scaled_weight(data)[mask])
    problem = cp.Problem(cp.Minimize(loss + penalty_expr))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
        problem.solve(
            solver=cp.CLARABEL,
            max_iter=max(max_iter, 50),
            tol_gap_abs=tol,
            tol_gap_rel=tol,
            tol_feas=tol,
            tol_ktratio=min(tol, 1e-6),
        )
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(
            f"cvxpy could not solve the problem: status {problem.status}."
        )
    if not fit_intercept:
        return problem, np.zeros(T)
    return problem, np.asarray(intercept.value, dtype=float)


def cvxpy_solve(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Solve the problem exactly with cvxpy (Clarabel interior point).

    The reference for tests and the fallback for penalties that only have a
    cvxpy form; never the fast path. The intercepts of the cvxpy solution are
    then made exact by a 1-D Newton step so that the duality gap of the
    result can be reported.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    T, p = W.shape
    W_expr, penalty_expr = cvxpy_coef(penalty, T, p)
    problem, b = minimize_with_cvxpy(
        data, datafit, W_expr, penalty_expr, fit_intercept, tol, max_iter
    )
    W = np.asarray(W_expr.value, dtype=float).reshape(T, p)
    if not _certifiable(penalty):
        # A penalty known by its cvxpy form only: Clarabel's own tolerance
        # is all there is.
        return W, b, problem.solver_stats.num_iters, np.nan, problem.value
    W, b = refit_unpenalized(data, datafit, penalty, W, b, fit_intercept)
    primal, gap = duality_gap(data, datafit, penalty, W, b)
    # Clarabel's status is advisory; the duality gap is the certificate.
    warn_if_not_certified(
        "cvxpy (Clarabel)",
        f"with status {problem.status!r}",
        gap,
        primal,
        tol,
        stacklevel=3,
        advice="",
    )
    return W, b, problem.solver_stats.num_iters, gap, primal


def _certifiable(penalty):
    """Whether the duality gap can be computed: the conjugate is known."""
    return provides(penalty, "dual_term") or provides(penalty, "conjugate")
