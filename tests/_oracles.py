"""Independent references for the tests: plain numpy objectives and cvxpy solves.

Nothing here imports skmtl: the oracles restate the objectives of the issue
from the raw data, observation by observation.
"""

import warnings

import cvxpy as cp
import numpy as np

# Clarabel is tried at each duality-gap tolerance, tightest first, with a few
# settings in turn: the reference is the first solve that Clarabel itself
# calls OPTIMAL. "optimal_inaccurate" is never accepted: a reference that may
# be inexact is not an oracle, and which settings reach OPTIMAL depends on the
# machine and the versions installed. (Clarabel often stalls short of a tight
# feasibility tolerance on the epigraph variables of these conic forms, or
# with its default equilibration on exponential cones, while another setting
# reaches the optimum to the digit.)
GAP_TOLERANCES = (1e-12, 1e-11, 1e-10, 1e-9)
CLARABEL_SETTINGS = (
    {"tol_feas": 1e-9},
    {"tol_feas": 1e-8},
    {"tol_feas": 1e-8, "equilibrate_enable": False},
    {"tol_feas": 1e-8, "static_regularization_constant": 1e-7},
    {"tol_feas": 1e-8, "max_step_fraction": 0.9},
    {"tol_feas": 1e-6},
)


def solve_reference(problem, loosest_gap=1e-10):
    """Solve ``problem`` with Clarabel until it reports ``OPTIMAL``.

    Returns the gap tolerance that was reached; fails the calling test, with
    every status seen, when no attempt down to ``loosest_gap`` reaches an
    optimal status. A test that needs a looser reference says so (and its
    assertions must hold at that accuracy).
    """
    seen = []
    for gap in GAP_TOLERANCES:
        if gap > loosest_gap:
            break
        for settings in CLARABEL_SETTINGS:
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", "Solution may be inaccurate", UserWarning
                )
                problem.solve(
                    solver=cp.CLARABEL,
                    tol_gap_abs=gap,
                    tol_gap_rel=gap,
                    max_iter=400,
                    warm_start=False,  # each attempt from scratch
                    **settings,
                )
            if problem.status == cp.OPTIMAL:
                return gap
            seen.append(f"gap {gap:g} {settings}: {problem.status}")
    raise AssertionError(
        "The cvxpy reference never reached an optimal status: " + "; ".join(seen)
    )


class Observations:
    """The observed targets of a problem as flat arrays, one entry per target.

    ``rows`` index the rows of ``X``; ``task`` is the task position of each
    observation; ``weight`` the row's sample weight; ``row_weight_sum`` the sum
    of the sample weights over all rows of ``X``.
    """

    def __init__(self, X, rows, task, y, weight, n_tasks, row_weight_sum):
        self.X, self.rows, self.task, self.y = X, rows, task, y
        self.weight, self.n_tasks, self.row_weight_sum = weight, n_tasks, row_weight_sum

    @classmethod
    def shared(cls, X, Y, sample_weight=None):
        """Shared design: ``Y`` (n, T), NaN = missing."""
        sw = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
        rows, task = np.nonzero(~np.isnan(Y))
        return cls(X, rows, task, Y[rows, task], sw[rows], Y.shape[1], sw.sum())

    @classmethod
    def indexed(cls, X, y, task_ids, sample_weight=None):
        """Task-indexed: ``task_ids`` per row, tasks ordered as ``np.unique``."""
        sw = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
        tasks, task = np.unique(task_ids, return_inverse=True)
        rows = np.arange(len(X))
        return cls(X, rows, task, np.asarray(y, float), sw, len(tasks), sw.sum())

    def per_task(self):
        for t in range(self.n_tasks):
            sel = (self.task == t) & (self.weight > 0)
            yield t, self.X[self.rows[sel]], self.y[sel], self.weight[sel]


def penalty_value(W, alpha, coupling):
    mean = W.mean(axis=0)
    if np.isinf(coupling):
        assert np.allclose(W, mean, rtol=0, atol=1e-9 * (1 + np.abs(W).max()))
        return alpha * W.shape[0] * mean @ mean
    return alpha * (np.sum(W**2) + coupling * np.sum((W - mean) ** 2))


def loss_value(obs, W, b, loss):
    z = np.einsum("ij,ij->i", obs.X[obs.rows], W[obs.task]) + b[obs.task]
    if loss == "squared":
        return np.sum(obs.weight * (obs.y - z) ** 2) / (2 * obs.row_weight_sum)
    signed = np.where(obs.y > 0, z, -z)
    return np.sum(obs.weight * np.logaddexp(0, -signed)) / obs.weight.sum()


def objective(obs, W, b, alpha, coupling, loss):
    """The mean-regularized objective of the issue, evaluated directly."""
    return loss_value(obs, W, b, loss) + penalty_value(W, alpha, coupling)


def cvxpy_solve(obs, alpha, coupling, loss, fit_intercept=True):
    """Solve the mean-regularized objective with cvxpy; returns (W, b)."""
    T, p = obs.n_tasks, obs.X.shape[1]
    if np.isinf(coupling):
        w = cp.Variable((1, p))
        return _cvxpy_minimize(
            obs, np.ones((T, 1)) @ w, alpha * T * cp.sum_squares(w), loss, fit_intercept
        )
    W = cp.Variable((T, p))
    mean = cp.sum(W, axis=0) / T
    spread = W - np.ones((T, 1)) @ cp.reshape(mean, (1, p), order="C")
    penalty = alpha * (cp.sum_squares(W) + coupling * cp.sum_squares(spread))
    return _cvxpy_minimize(obs, W, penalty, loss, fit_intercept)


def l21_value(W, alpha, l2=0.0):
    return alpha * np.linalg.norm(W, axis=0).sum() + 0.5 * l2 * np.sum(W**2)


def squared_trace_value(W, alpha):
    return alpha * np.linalg.svd(W, compute_uv=False).sum() ** 2


def cvxpy_solve_l21(obs, alpha, l2, loss, fit_intercept=True):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    penalty = alpha * cp.sum(cp.norm(W, 2, axis=0)) + 0.5 * l2 * cp.sum_squares(W)
    return _cvxpy_minimize(obs, W, penalty, loss, fit_intercept)


def cvxpy_solve_squared_trace(obs, alpha, loss, fit_intercept=True):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    return _cvxpy_minimize(
        obs, W, alpha * cp.square(cp.normNuc(W)), loss, fit_intercept
    )


def _cvxpy_minimize(obs, W, penalty, loss, fit_intercept, loosest_gap=1e-10):
    """Minimise the loss of the issue plus ``penalty``, task by task; (W, b)."""
    T = obs.n_tasks
    b = cp.Variable(T) if fit_intercept else np.zeros(T)
    terms = []
    for t, Xt, yt, st in obs.per_task():
        z = Xt @ W[t] + b[t]
        if loss == "squared":
            terms.append(cp.sum(cp.multiply(st, cp.square(yt - z))))
        else:
            terms.append(
                cp.sum(cp.multiply(st, cp.logistic(-cp.multiply(2 * yt - 1, z))))
            )
    scale = 2 * obs.row_weight_sum if loss == "squared" else obs.weight.sum()
    problem = cp.Problem(cp.Minimize(cp.sum(cp.hstack(terms)) / scale + penalty))
    solve_reference(problem, loosest_gap)
    b_value = np.asarray(b.value) if fit_intercept else b
    return np.asarray(W.value), b_value


def l1_value(W, alpha):
    return alpha * np.abs(W).sum()


def nuclear_value(W, alpha):
    return alpha * np.linalg.svd(W, compute_uv=False).sum()


def sparse_group_value(W, alpha_group, alpha_sparse):
    return (
        alpha_group * np.linalg.norm(W, axis=0).sum() + alpha_sparse * np.abs(W).sum()
    )


def cvxpy_solve_l1(obs, alpha, loss, fit_intercept=True):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    return _cvxpy_minimize(obs, W, alpha * cp.sum(cp.abs(W)), loss, fit_intercept)


def cvxpy_solve_nuclear(obs, alpha, loss, fit_intercept=True):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    return _cvxpy_minimize(obs, W, alpha * cp.normNuc(W), loss, fit_intercept)


def cvxpy_solve_sparse_group(obs, alpha_group, alpha_sparse, loss, fit_intercept=True):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    penalty = alpha_group * cp.sum(cp.norm(W, 2, axis=0)) + alpha_sparse * cp.sum(
        cp.abs(W)
    )
    return _cvxpy_minimize(obs, W, penalty, loss, fit_intercept)


def fused_sparse_group_value(W, alpha_sparse, alpha_fused, alpha_group):
    """L1 + fused L1 between consecutive tasks (rows) + L2,1 over features."""
    return (
        alpha_sparse * np.abs(W).sum()
        + alpha_fused * np.abs(np.diff(W, axis=0)).sum()
        + alpha_group * np.linalg.norm(W, axis=0).sum()
    )


def cvxpy_fused_sparse_group(W, alpha_sparse, alpha_fused, alpha_group):
    """The fused sparse group penalty of the cvxpy expression ``W``."""
    penalty = alpha_sparse * cp.sum(cp.abs(W)) + alpha_group * cp.sum(
        cp.norm(W, 2, axis=0)
    )
    if W.shape[0] > 1:
        penalty += alpha_fused * cp.sum(cp.abs(W[1:] - W[:-1]))
    return penalty


def cvxpy_solve_fused_sparse_group(
    obs, alpha_sparse, alpha_fused, alpha_group, loss, fit_intercept=True
):
    W = cp.Variable((obs.n_tasks, obs.X.shape[1]))
    penalty = cvxpy_fused_sparse_group(W, alpha_sparse, alpha_fused, alpha_group)
    return _cvxpy_minimize(obs, W, penalty, loss, fit_intercept)
