"""Truncated Newton for a smooth loss and a quadratic coupling of the tasks.

Newton's method (:mod:`._newton`) forms and factorises T blocks of p x p;
with thousands of features (bag-of-words multi-label data, one-hot tabular
data) those blocks outgrow the data, and L-BFGS, which never forms them,
needs hundreds of passes to reach a tight duality gap on weakly regularised
logistic models. Truncated Newton keeps Newton's few outer steps and solves
each step's system by preconditioned conjugate gradients on Hessian-vector
products: one pass over the data each (``X v``, then ``X' (d * X v)``),
never a p x p matrix. It is scikit-learn's ``newton-cg`` for one task; here
all tasks move together and the penalty couples them.
"""

from functools import partial

import numpy as np

from ..penalties._base import provides
from ._certificate import duality_gap, refit_unpenalized, warn_if_not_certified
from ._conjugate_gradients import conjugate_gradients
from ._prox_newton import armijo
from ._smooth import Certificate

CG_MAX_ITER = 250  # conjugate-gradient iterations per Newton step


def newton_cg(data, datafit, penalty, W, b, *, fit_intercept, tol, max_iter):
    r"""Minimise ``datafit + penalty`` by Newton steps solved with conjugate gradients.

    The penalty is a task quadratic :math:`\frac12 \operatorname{tr}(W^\top M
    W)` (``penalty.task_quadratic``, with gradient :math:`M W`), so the
    Hessian of the objective applied to a direction :math:`(V, c)` is
    :math:`A^\top (d \odot A (V, c)) + M V`, :math:`d = F''(Z)` and
    :math:`A` the linear predictions. Conjugate gradients, preconditioned by
    the Hessian without the data's cross terms (:func:`_preconditioner`),
    solve each step to a residual that shrinks with the square root of the
    relative duality gap (superlinear convergence, :func:`_forcing`); an
    Armijo line search keeps the objective decreasing, and each step ends
    with exact intercepts and a duality-gap certificate. A cold start is
    certified first; a warm start (nonzero ``W``) takes its first step at
    once, its gap for the forcing estimated by the Newton decrement, so a path
    point costs one certificate per step. A step that no line search can use
    (round-off) ends the run, with the warning of a gap above ``tol``.

    Returns
    -------
    W, b, n_iter, gap, primal
    """
    # A warm start (a path's previous solution) is not certified first: at a
    # new penalty it never is, and its certificate (exact intercepts and a
    # dual point) would cost about a third of the step.
    certified = (
        None if np.any(W) else _certify(data, datafit, penalty, W, b, fit_intercept)
    )
    n_iter, estimated = 0, False
    while n_iter < max_iter and (
        certified is None or certified.gap > tol * certified.primal
    ):
        n_iter += 1
        if certified is not None:
            W, b = certified.W, certified.b
        Z = data.linear(W, b)
        GW, gb = data.adjoint(datafit.gradient(data, Z))
        D = datafit.hessian(data, Z)
        gradient = _stack(
            GW + penalty.gradient(W), gb if fit_intercept else np.zeros_like(gb)
        )
        precondition = _preconditioner(data, D, penalty, fit_intercept)
        if certified is None:
            certified = _estimated(
                data, datafit, penalty, W, b, Z, gradient, precondition
            )
            estimated = True
        step, _ = conjugate_gradients(
            partial(_hessian_product, data, D, penalty, fit_intercept),
            -gradient,
            precondition,
            partial(_within, _forcing(certified.gap / certified.primal, tol)),
            CG_MAX_ITER,
        )
        dW, db = step[:, :-1], step[:, -1]
        W_next, b_next = armijo(
            certified,
            W + dW,
            b + db,
            float(np.sum(GW * dW) + gb @ db),
            lambda W, b: datafit.value(data, data.linear(W, b)),
            penalty.value,
        )
        if W_next is W and b_next is b:
            break  # no step lowers the objective (round-off): the next would repeat
        certified = _certify(data, datafit, penalty, W_next, b_next, fit_intercept)
        estimated = False
    if certified is None or estimated:  # no step was taken: certify the start
        certified = _certify(data, datafit, penalty, W, b, fit_intercept)
    warn_if_not_certified(
        "Newton-CG",
        f"after {n_iter} Newton steps (max_iter={max_iter})",
        certified.gap,
        certified.primal,
        tol,
        stacklevel=3,
    )
    return certified.W, certified.b, n_iter, certified.gap, certified.primal


def _forcing(relative_gap, tol):
    """Relative residual for the step's conjugate gradients.

    The square root of the relative gap gives superlinear convergence; near
    the end a step only needs to take the gap below ``tol``, and since the gap
    falls about like the residual squared, ``0.3 sqrt(tol / gap)`` does that
    (one pass too few would cost a whole Newton step, one too many is cheap).
    """
    if relative_gap <= 0:
        return 0.5
    return min(0.5, max(np.sqrt(relative_gap), 0.3 * np.sqrt(tol / relative_gap)))


def _within(rtol, r, rz, rz_start):
    """CG's stop: the preconditioned residual norm at ``rtol`` of its start."""
    return rz <= rtol**2 * rz_start


def _certify(data, datafit, penalty, W, b, fit_intercept):
    """Exact intercepts (and free directions), objective and duality gap."""
    W, b = refit_unpenalized(data, datafit, penalty, W, b, fit_intercept)
    primal, gap = duality_gap(data, datafit, penalty, W, b)
    return Certificate(W, b, primal, gap, None)


def _estimated(data, datafit, penalty, W, b, Z, gradient, precondition):
    """A warm start's objective and, for the first step's forcing, its gap
    estimated by the preconditioned Newton decrement ``g' P^-1 g / 2``: a
    stand-in for the line search and the forcing only (its intercepts are
    the start's, not refitted), never returned."""
    primal = datafit.value(data, Z) + penalty.value(W)
    gap = 0.5 * float(np.sum(gradient * precondition(gradient)))
    return Certificate(W, b, primal, gap, None)


def _stack(VW, vb):
    """Weights and intercepts as one (T, p + 1) array, the intercept last."""
    return np.column_stack([VW, vb])


def _hessian_product(data, D, penalty, fit_intercept, V):
    """The objective's Hessian times ``V``; the penalty's part is its gradient
    at ``V`` (linear), which a mean-and-spread penalty computes without the
    cancellation of ``M V`` at a huge coupling."""
    VW, vb = V[:, :-1], V[:, -1]
    HW, hb = data.adjoint(D * data.linear(VW, vb))
    return _stack(HW + penalty.gradient(VW), hb if fit_intercept else np.zeros_like(hb))


def _preconditioner(data, D, penalty, fit_intercept):
    r"""``r -> P^{-1} r``, ``P`` the Hessian without the data's cross terms.

    Per feature :math:`j`, :math:`P_j = \operatorname{diag}_t(h_{tj}) + M`
    with :math:`h_{tj} = \sum_i d_i x_{ij}^2` over task :math:`t`'s rows,
    and :math:`\sum_i d_i` for the intercepts. For a penalty of a mean and a
    spread part (``mean_spread``: :math:`M = \lambda (I - J) + \mu J`,
    :math:`J = 11^\top / T`) :math:`P_j` is inverted exactly by the
    Sherman-Morrison formula, so however large the coupling (:math:`\lambda
    \gg \mu`) the conjugate gradients see a well-conditioned system;
    otherwise :math:`M` enters through its diagonal. Without intercepts their
    entries are zeroed, so no direction moves them.
    """
    totals, means, variances = data.weighted_moments(D)
    h = totals[:, None] * (variances + means**2)
    intercept = np.zeros_like(totals)
    if fit_intercept:
        np.divide(1.0, totals, out=intercept, where=totals > 0)
    if not provides(penalty, "mean_spread"):
        M = penalty.task_quadratic(data.n_tasks).matrix
        inverse = 1.0 / np.maximum(h + np.diag(M)[:, None], np.finfo(float).tiny)
        return lambda r: _stack(inverse * r[:, :-1], intercept * r[:, -1])
    mu, lam = penalty.curvatures
    inverse = 1.0 / (h + lam)
    # 1 + (mu - lam) / T * sum_t inverse_t, written without cancellation.
    denominator = np.mean((h + mu) * inverse, axis=0)
    scale = (mu - lam) / h.shape[0]

    def apply(r):
        z = inverse * r[:, :-1]
        correction = inverse * (scale * z.sum(axis=0) / denominator)
        return _stack(z - correction, intercept * r[:, -1])

    return apply
