"""Working sets around scikit-learn's multi-task coordinate descent.

For the plainest case — shared design, every target observed, equal sample
weights, squared loss, L2,1 (+ ridge) penalty — the objective is exactly
scikit-learn's ``MultiTaskElasticNet``, whose Cython coordinate descent is
the fastest exact inner solver we have when features outnumber rows.
skmtl adds what it lacks: working sets ranked by the optimality violation
(so each inner solve sees only the features that matter) and skmtl's own
duality-gap certificate on all features.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskElasticNet

from ..penalties._base import provides
from ._certificate import penalty_dual_term, warn_if_not_certified
from ._smooth import Certificate
from ._working_set import run_working_sets

CD_REQUIREMENTS = (
    'solver="cd" needs the shared design (dense X) with every target observed, '
    "no sample weights (or equal ones), the squared loss and an L2,1 penalty "
    'with alpha > 0; use solver="fista".'
)


def cd_applies(data, datafit, penalty):
    """Whether the problem is one ``MultiTaskElasticNet`` solves."""
    return (
        data.shared_design
        and not data.sparse  # (its working sets slice dense columns)
        and datafit.quadratic
        and provides(penalty, "multitask_elastic_net")
        and penalty.alpha > 0
        and np.all(data.weight == data.weight.flat[0])
        # (and the loss normalised by their sum, as MultiTaskElasticNet's:
        # not so for a weighted least squares model of another loss)
        and np.isclose(data.weight[:, 0].sum(), data.sample_weight_sum, rtol=1e-12)
    )


def cd(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    """Minimise squared loss + L2,1 by working sets of coordinate descent.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    if not cd_applies(data, datafit, penalty):
        raise ValueError(CD_REQUIREMENTS)
    problem = _CenteredProblem(data, fit_intercept)
    certified, n_iter = _run(problem, penalty, W, b, tol, max_iter)
    _warn(certified, tol, max_iter)
    return certified.W, certified.b, n_iter, certified.gap, certified.primal


def cd_path(data, datafit, penalties, *, fit_intercept, tol, max_iter):
    """:func:`cd` for a sequence of penalties, warm-started, data centred once.

    ``datafit`` is the squared loss (``cd_applies``); the signature is that of
    every path in the solvers' registry.

    Yields
    ------
    ``(W, b, n_iter, gap, primal)`` per penalty
    """
    problem = _CenteredProblem(data, fit_intercept)
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    for penalty in penalties:
        certified, n_iter = _run(problem, penalty, W, b, tol, max_iter)
        _warn(certified, tol, max_iter)
        W, b = certified.W, certified.b
        yield W, b, n_iter, certified.gap, certified.primal


def _run(problem, penalty, W, b, tol, max_iter):
    def solve_restricted(columns, W_cols, b, inner_tol, certified, budget):
        W_cols, n_iter = problem.solve_restricted(
            penalty, W_cols, columns, inner_tol, certified.primal, budget
        )
        return W_cols, b, n_iter

    return run_working_sets(
        lambda W, b: problem.certify(penalty, W),
        solve_restricted,
        penalty,
        W,
        b,
        tol,
        max_iter,
    )


def _warn(certified, tol, max_iter):
    warn_if_not_certified(
        "Coordinate descent",
        f"after max_iter={max_iter} epochs",
        certified.gap,
        certified.primal,
        tol,
        stacklevel=4,
    )


class _CenteredProblem:
    """The data centred once; certificates and restricted solves on it."""

    def __init__(self, data, fit_intercept):
        X, Y = data.X, data.Y
        self.x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        self.y_mean = Y.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        self.X = np.array(X, order="F")  # the column layout coordinate descent reads
        self.X -= self.x_mean
        self.Y = Y - self.y_mean
        self.n = X.shape[0]

    def certify(self, penalty, W):
        """Objective, duality gap and gradient at ``W`` with exact intercepts."""
        used = np.flatnonzero(np.any(W != 0, axis=0))
        R = self.Y - self.X[:, used] @ W[:, used].T
        grad = -(R.T @ self.X) / self.n
        loss = 0.5 * np.sum(R * R) / self.n
        primal = loss + penalty.value(W)
        s, conjugate = penalty_dual_term(penalty, -grad, W)
        # Squared loss, theta = s R / n: F*(-theta) = -s <R, Y>/n + s^2 ||R||^2/(2n).
        dual = s * np.sum(R * self.Y) / self.n - s * s * loss
        dual -= conjugate
        b = self.y_mean - W @ self.x_mean
        return Certificate(W, b, primal, primal - dual, grad)

    def solve_restricted(self, penalty, W, columns, tol, primal, max_iter):
        """Coordinate descent on the features ``columns`` to a relative gap ``tol``."""
        total = penalty.alpha + penalty.l2
        model = MultiTaskElasticNet(
            alpha=total,
            l1_ratio=penalty.alpha / total,
            fit_intercept=False,
            warm_start=True,
            max_iter=max(max_iter, 1),
            # scikit-learn stops at gap <= tol * ||Y||_F^2 on n times our objective.
            tol=tol * primal * self.n / max(np.sum(self.Y**2), np.finfo(float).tiny),
        )
        model.coef_ = np.ascontiguousarray(W)
        X = self.X if len(columns) == self.X.shape[1] else self.X[:, columns]
        with warnings.catch_warnings():
            # skmtl's certificate decides about convergence, not this inner solve.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(np.asfortranarray(X), self.Y)
        return model.coef_, int(model.n_iter_)
