r"""Newton steps on the factors of a low-rank solution (the trace norms).

Proximal gradient finds the rank of a trace-norm solution long before it
reaches a tight duality gap; on ill-conditioned data (School at small
strengths) it then needs hundreds of iterations on a rank that no longer
changes. On matrices of rank at most :math:`r` the trace norm is a smooth
function of factors (Srebro, Rennie & Jaakkola 2005):

.. math::

    \|W\|_* = \min_{L R^\top = W} s(L, R), \qquad
    s(L, R) = \tfrac12 \left(\|L\|_F^2 + \|R\|_F^2\right),
    \qquad L \in \mathbb{R}^{T \times r},\ R \in \mathbb{R}^{p \times r},

attained at the balanced factors :math:`L = U S^{1/2}`, :math:`R = V S^{1/2}`
of the SVD; so a penalty :math:`\psi(\|W\|_*)` with :math:`\psi` increasing
(:math:`\alpha s` for the trace norm, :math:`\alpha s^2` for its square,
``penalty.factored``) is :math:`\min \psi(s(L, R))`. Truncated Newton on
:math:`F(L, R) = f(L R^\top) + \psi(s(L, R))` from the balanced factors of
the current point converges quadratically once the rank is right: a warm
start along a path needs two or three Newton steps.

:math:`F` is not convex; a point it reaches is the trace-norm solution only
when the duality gap of the convex problem says so, which is how every
attempt ends. A wrong rank (too small: the gap stays open) hands the last
point back to proximal gradient if it lowered the objective (the line
search makes it the best point reached), and proximal gradient changes the
rank.

The Newton systems are solved by conjugate gradients, preconditioned by the
blocks :math:`R^\top H_t R + c I` (one per task, for the rows of
:math:`L`) and :math:`\sum_t L_{ta}^2 H_t + c I` (one per factor
:math:`a`, for the columns of :math:`R`), :math:`c = \psi'(s)`: the
curvature of the data, which makes proximal gradient slow, is what they
remove.
"""

from typing import NamedTuple

import numpy as np

from ._active_newton import NewtonPolisher, converging
from ._conjugate_gradients import conjugate_gradients

MAX_STEPS = 10  # Newton steps per attempt
MAX_CG = 500  # conjugate-gradient iterations per Newton step
MAX_FLOPS = 5e8  # per step: the preconditioner's factorisations


class FactoredNewton(NewtonPolisher):
    """Newton steps on the factors of the point's rank (:func:`newton_on_factors`).

    The rank counts as numpy's ``matrix_rank`` does: the directions a
    proximal step dropped leave singular values of round-off.
    """

    capability = "low_rank_factors"

    def _structure(self, W):
        U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
        cutoff = max(W.shape) * np.finfo(float).eps * sigma[:1].sum()
        return _Rank(int(np.count_nonzero(sigma > cutoff)), U, sigma, Vt)

    def _settled(self, previous, current):
        return previous.rank == current.rank

    def _affordable(self, W, structure):
        """Whether the preconditioner of a Newton step is cheap enough."""
        (T, p), rank = W.shape, structure.rank
        return 0 < rank and rank * p**3 + T * rank**3 <= MAX_FLOPS

    def _newton(self, W, structure, step, budget, patient):
        rank, U, sigma, Vt = structure
        root = np.sqrt(sigma[:rank])
        certified, W_new, steps = newton_on_factors(
            self.smooth,
            self.penalty,
            U[:, :rank] * root,
            Vt[:rank].T * root,
            step,
            self.tol,
            self.gap_target,
            budget,
            patient,
        )
        return certified, (W if W_new is None else W_new), steps


class _Rank(NamedTuple):
    rank: int
    U: np.ndarray
    sigma: np.ndarray
    Vt: np.ndarray


def newton_on_factors(
    smooth, penalty, L, R, step, tol, gap_target, max_steps=MAX_STEPS, patient=True
):
    """Truncated Newton steps on ``F(L, R)``, at most ``max_steps``.

    Each Newton point is certified after one proximal gradient step of
    length ``step`` (the proximal gradient solver's): factors of a surplus
    rank shrink towards zero without reaching it, and that step sets them to
    zero, so a certified point has the solution's rank.

    The preconditioner is built once, at the starting factors (it stays
    positive definite, and the factors move little within an attempt).

    Returns
    -------
    certified : Certificate or None
        The certificate of ``L R'`` when its gap meets
        ``max(tol * primal, gap_target)``.
    W : ndarray or None
        The certified point; else ``L R'`` at the last step, when it lowers
        the trace-norm objective below that of the start; else None.
    n_steps : int
    """
    model = _Factored(smooth, penalty.factored, L.shape[0], R.shape[0])
    z = np.concatenate([L.ravel(), R.ravel()])
    precondition = model.preconditioner(z)
    start = value = model.objective(z)
    n_steps = 0
    gaps = []
    for n_steps in range(1, min(max_steps, MAX_STEPS) + 1):
        G, gradient = model.gradient(z)
        direction = _newton_direction(
            model.hessian_product(z, G), precondition, gradient
        )
        moved = _armijo(model, z, value, gradient, direction)
        if moved is None:
            break
        z, value = moved
        W = model.product(z)
        G = smooth.state(W).Z - smooth.g
        certified = smooth.certify(penalty, penalty.prox(W - step * G, step))
        if certified.gap <= max(tol * certified.primal, gap_target):
            return certified, certified.W, n_steps
        if not (converging(gaps, certified.gap) or patient):
            break
    return None, (model.product(z) if value < start else None), n_steps


class _Factored:
    """``F(L, R)`` on the stacked vector ``z = (vec L, vec R)``: its value,
    gradient, Hessian products and preconditioner, from the ``H_t``."""

    def __init__(self, smooth, factored, n_tasks, n_features):
        self.smooth, self.factored = smooth, factored
        self.n_tasks, self.n_features = n_tasks, n_features

    def factors(self, z):
        """Views ``(L, R)`` of ``z``."""
        rank = len(z) // (self.n_tasks + self.n_features)
        split = self.n_tasks * rank
        return z[:split].reshape(-1, rank), z[split:].reshape(-1, rank)

    def product(self, z):
        L, R = self.factors(z)
        return L @ R.T

    def objective(self, z):
        """``F(L, R)``: at balanced factors, the trace-norm objective of ``L R'``."""
        return self.smooth.state(self.product(z)).value + self.factored(z @ z / 2)[0]

    def gradient(self, z):
        """The loss gradient ``G`` at ``L R'``, and that of ``F`` (stacked)."""
        L, R = self.factors(z)
        G = self.smooth.state(L @ R.T).Z - self.smooth.g
        slope = self.factored(z @ z / 2)[1]
        return G, np.concatenate([(G @ R).ravel(), (G.T @ L).ravel()]) + slope * z

    def hessian_product(self, z, G):
        """``d -> Hessian of F at z times d``, with ``G`` the loss gradient there.

        (``F`` is unchanged by rotations of the factors, ``L Q`` and ``R Q``:
        the gradient is orthogonal to their directions, and the Hessian is
        singular along them only at a stationary point. Away from one it may
        have no positive curvature there, where conjugate gradients stop.)
        """
        L, R = self.factors(z)
        _, slope, curvature = self.factored(z @ z / 2)
        times_H = self.smooth.times_H

        def product(d):
            dL, dR = self.factors(d)
            dG = times_H(dL @ R.T + L @ dR.T)
            return (
                np.concatenate(
                    [(dG @ R + G @ dR).ravel(), (dG.T @ L + G.T @ dL).ravel()]
                )
                + slope * d
                + (curvature * (z @ d)) * z
            )

        return product

    def preconditioner(self, z):
        """The inverse of the blocks ``R' H_t R + c I`` (rows of ``L``)
        and ``sum_t L_ta^2 H_t + c I`` (columns of ``R``), as ``d -> P d``,
        with ``c = psi'(s)`` (the penalty's rank-one curvature left out)."""
        L, R = self.factors(z)
        smooth, alpha = self.smooth, self.factored(z @ z / 2)[1]
        H = smooth.blocks
        rows = np.linalg.inv(
            np.matmul(R.T, np.matmul(H, R)) + alpha * np.eye(R.shape[1])
        )
        weights = L * L
        if smooth.shared:
            columns = weights.sum(axis=0)[:, None, None] * H
        else:
            columns = (weights.T @ H.reshape(len(H), -1)).reshape(-1, *H.shape[1:])
        columns = np.linalg.inv(columns + alpha * np.eye(R.shape[0]))

        def precondition(d):
            dL, dR = self.factors(d)
            return np.concatenate(
                [
                    np.matmul(rows, dL[:, :, None]).ravel(),
                    np.matmul(columns, dR.T[:, :, None])[:, :, 0].T.ravel(),
                ]
            )

        return precondition


def _newton_direction(hessian_product, precondition, gradient):
    """An approximate solution ``d`` of ``Hessian d = -gradient``.

    Preconditioned CG to the forcing tolerance ``min(0.1, sqrt|g|) |g|``.
    ``F`` is not convex: CG stops at a direction of non-positive curvature,
    keeping the iterate reached, or the preconditioned gradient if that
    happens at once.
    """
    norm = np.sqrt(gradient @ gradient)
    forcing = min(0.1, np.sqrt(norm)) * norm
    direction, _ = conjugate_gradients(
        hessian_product,
        -gradient,
        precondition,
        lambda r, rz, rz_start: np.sqrt(r @ r) <= forcing,
        MAX_CG,
    )
    return direction if np.any(direction) else precondition(-gradient)


def _armijo(model, z, value, gradient, direction):
    """Longest step ``2^-k`` with a sufficient decrease of ``F``, or None.

    A full step whose predicted decrease is below the round-off of ``F``
    is taken as it is: near the optimum the decrease cannot be measured,
    and the duality gap, not ``F``, says whether the point is better.
    """
    slope = gradient @ direction
    if not slope < 0:
        return None
    if -slope <= 1e-13 * abs(value):
        candidate = z + direction
        return candidate, model.objective(candidate)
    s = 1.0
    for _ in range(30):
        candidate = z + s * direction
        new = model.objective(candidate)
        if new <= value + 1e-4 * s * slope:
            return candidate, new
        s /= 2
    return None
