r"""Newton steps on the support that proximal gradient has identified.

Proximal gradient finds the support of a sparse solution (its non-zero
features or entries) long before it reaches a tight duality gap: on
ill-conditioned data it then spends hundreds of iterations converging
linearly on a support that no longer changes. On that support the L1, L2,1
and sparse group penalties are twice differentiable, so Newton's method
converges quadratically there, and warm starts along a path or a CV grid
(whose support hardly moves between neighbouring strengths) need a couple
of Newton steps instead of a hundred gradient steps.

For the squared loss on per-task statistics (:class:`GramSmooth`) the
Hessian on the support is

.. math::

    \nabla^2 = \operatorname{blockdiag}_t\bigl(H_t + \operatorname{diag}(c_t)\bigr)
    - \sum_j d_j u_j u_j^\top,

per-task blocks (restricted to the support) plus one rank-one term per
group, :math:`u_j` the weights of feature :math:`j` in all tasks
(:meth:`~skmtl.penalties.L21.active_curvature`). The Woodbury identity
solves it with one small factorisation per task and one system of the size
of the number of groups, never the :math:`(Tp) \times (Tp)` matrix.

A Newton point is kept only if it lowers the objective (Armijo); it is
returned certified when its duality gap meets the target, and otherwise
proximal gradient resumes from it, so a wrong support costs a few steps,
never a wrong answer.
"""

import numpy as np

from ..penalties._base import provides
from ._smooth import GramSmooth

MAX_STEPS = 8  # Newton steps per attempt
MAX_FLOPS = 5e8  # per step: T factorisations of the support's size, cubed


class NewtonPolisher:
    """When proximal gradient tries Newton steps on what it has identified.

    At the first certificate check (a warm start's structure, its support
    or its rank, is usually the solution's), and whenever the structure has
    settled since the previous check, when proximal gradient has (probably)
    identified it. A failed attempt doubles the number of iterations before
    the next, starting from ``backoff``. Subclasses name the penalty
    ``capability`` they need and define ``_structure``, ``_settled``,
    ``_affordable`` and ``_newton``; they run on sufficient statistics only.
    """

    capability = None

    def __init__(self, smooth, penalty, W, tol, gap_target, backoff):
        self.smooth, self.penalty = smooth, penalty
        self.tol, self.gap_target = tol, gap_target
        self.enabled = isinstance(smooth, GramSmooth) and provides(
            penalty, self.capability
        )
        self.structure = self._structure(W) if self.enabled else None
        self.cold = self.enabled and not np.any(W)
        self.wait_until, self.backoff = 0, backoff

    def attempt(self, W, step, n_iter, max_iter):
        """``(certificate or None, W or a better point, Newton steps)``.

        Newton steps count as iterations: at most ``max_iter - n_iter``.
        """
        if not self.enabled:
            return None, W, 0
        previous, self.structure = self.structure, self._structure(W)
        if not (
            self.wait_until <= n_iter < max_iter
            and (n_iter == 1 or self._settled(previous, self.structure))
            and self._affordable(W, self.structure)
        ):
            return None, W, 0
        # The first attempt from zero polishes a structure found in one
        # iteration: right on some problems, and wrong on others, where
        # Newton crawls; it stops at the crawl (:func:`converging`).
        patient = not (n_iter == 1 and self.cold)
        certified, W_new, steps = self._newton(
            W, self.structure, step, max_iter - n_iter, patient
        )
        if certified is None:
            self.wait_until, self.backoff = n_iter + self.backoff, 2 * self.backoff
        return certified, W_new, steps


class SupportNewton(NewtonPolisher):
    """Newton steps on the support (:func:`newton_on_support`)."""

    capability = "active_newton"

    def _structure(self, W):
        return W != 0

    def _settled(self, previous, current):
        return _support_settled(previous, current)

    def _affordable(self, W, support):
        """Whether a Newton step on the support of ``W`` is cheap enough to try."""
        size = np.count_nonzero(np.any(support, axis=0))
        return 0 < size and W.shape[0] * size**3 <= MAX_FLOPS

    def _newton(self, W, support, step, budget, patient):
        return newton_on_support(
            self.smooth,
            self.penalty,
            W,
            step,
            self.tol,
            self.gap_target,
            budget,
            patient,
        )


def _support_settled(previous, current):
    """Whether a support changed in at most 1% of its entries.

    Entry-wise supports (lasso) keep flickering at a few entries near zero
    long after proximal gradient has found the rest; the proximal steps
    between Newton steps settle those.
    """
    changed = np.count_nonzero(previous != current)
    return changed <= 0.01 * np.count_nonzero(current)


def newton_on_support(
    smooth, penalty, W, step, tol, gap_target, max_steps=MAX_STEPS, patient=True
):
    """Newton steps on the support of ``W``, at most ``max_steps``.

    Each Newton step on the current support is followed by one proximal
    gradient step of length ``step`` (the proximal gradient solver's),
    which lets features that violate their optimality conditions enter the
    support; groups and entries that the Newton step would turn past zero
    leave it.

    Returns
    -------
    certified : Certificate or None
        The final point's certificate when its gap meets
        ``max(tol * primal, gap_target)``.
    W : ndarray
        The best point reached (``W`` itself when no step lowered the
        objective).
    n_steps : int
    """
    best = value = _objective(smooth, penalty, W)
    best_W = W
    n_steps = 0
    gaps = []
    for n_steps in range(1, min(max_steps, MAX_STEPS) + 1):
        curvature = penalty.active_curvature(W)
        gradient = smooth.state(W).Z - smooth.g
        direction = _direction(smooth, W, gradient, curvature)
        moved = (
            None
            if direction is None
            else _armijo(smooth, penalty, W, value, direction, curvature)
        )
        if moved is None:
            break
        W, value = moved
        certified = smooth.certify(penalty, W)
        if certified.gap <= max(tol * certified.primal, gap_target):
            return certified, W, n_steps
        best_W, best = (W, value) if value < best else (best_W, best)
        if not (converging(gaps, certified.gap) or patient):
            break
        # The proximal gradient step from the certificate's gradient.
        W = penalty.prox(W - step * certified.grad, step)
        value = _objective(smooth, penalty, W)
        best_W, best = (W, value) if value < best else (best_W, best)
    return None, best_W, n_steps


def converging(gaps, gap):
    """Whether Newton steps are closing the gap as they do near the solution.

    Appends ``gap`` to ``gaps``; False from the third step on when the last
    two steps have not halved it. On the right support (or rank) Newton
    converges quadratically, though the gap may rise at one step while a
    proximal step changes the support; on a wrong one it crawls (the lasso
    of School from a first iterate: 10% per step), and the remaining steps
    of an attempt would cost more than the proximal gradient iterations
    they replace.
    """
    gaps.append(gap)
    return len(gaps) < 3 or gaps[-1] <= 0.5 * gaps[-3]


def _objective(smooth, penalty, W):
    return smooth.state(W).value + penalty.value(W)


def _direction(smooth, W, loss_gradient, curvature):
    """The Newton direction on the support, and the objective's gradient there.

    Off the support the direction is zero. None when the system is
    singular to working precision.
    """
    mask = curvature.mask
    gradient = np.where(mask, loss_gradient, 0.0) + curvature.gradient
    try:
        system = _NewtonSystem(smooth, W, curvature)
    except np.linalg.LinAlgError:
        return None
    step = system.solve(gradient[:, system.columns])
    if not np.all(np.isfinite(step)):
        return None
    direction = np.zeros_like(W)
    direction[:, system.columns] = -step
    return direction, gradient


class _NewtonSystem:
    """The support's Newton matrix at one point, factorised.

    On the columns (features) of the support only: per-task inverses of
    the blocks (the identity on entries off the support) and the inverse of
    the Woodbury capacitance matrix of the rank-one group terms. Raises
    ``LinAlgError`` when singular.
    """

    def __init__(self, smooth, W, curvature):
        T = W.shape[0]
        self.columns = columns = np.flatnonzero(np.any(curvature.mask, axis=0))
        self.mask = mask = curvature.mask[:, columns]
        if smooth.shared:
            H = np.broadcast_to(
                smooth.H[np.ix_(columns, columns)], (T,) + (len(columns),) * 2
            )
        else:
            H = smooth.H[:, columns[:, None], columns]
        blocks = H * (mask[:, :, None] & mask[:, None, :])
        diagonal = np.broadcast_to(curvature.diagonal, curvature.mask.shape)
        index = np.arange(len(columns))
        blocks[:, index, index] += np.where(mask, diagonal[:, columns], 1.0)
        # A support may hold features collinear within a task (dummies and
        # the intercept) where the penalty adds no curvature (L1): a shift
        # of 1e-10 of the largest curvature keeps the blocks invertible,
        # and the certificate, not the step, decides when to stop.
        blocks[:, index, index] += 1e-10 * np.abs(blocks[:, index, index]).max()
        self.P_inv = np.linalg.inv(blocks)
        self.groups = groups = np.flatnonzero(curvature.group[columns] > 0)
        if groups.size:
            self.U = np.where(mask, W[:, columns], 0.0)[:, groups]
            self.P_inv_U = self.P_inv[:, :, groups] * self.U[:, None, :]
            capacitance = np.diag(1.0 / curvature.group[columns][groups]) - np.einsum(
                "tj,tjk->jk", self.U, self.P_inv_U[:, groups, :]
            )
            self.capacitance_inv = np.linalg.inv(capacitance)

    def solve(self, R):
        """The system's inverse times ``R`` (zero off the support)."""
        step = np.einsum("tij,tj->ti", self.P_inv, R * self.mask)
        if self.groups.size:
            projections = np.einsum("tj,tj->j", self.U, step[:, self.groups])
            step += self.P_inv_U @ (self.capacitance_inv @ projections)
        return step * self.mask


def _armijo(smooth, penalty, W, value, direction_and_gradient, curvature):
    """Longest step ``2^-k`` with a sufficient decrease of the objective.

    Entries that would cross zero where the penalty has a kink in each
    entry (``curvature.orthant``), and groups that would turn by more than
    a right angle, stop at zero instead, as in orthant-wise methods.
    Returns ``(W, value)`` or None when no step decreases.
    """
    direction, gradient = direction_and_gradient
    slope = float(np.sum(gradient * direction))
    if not slope < 0:
        return None
    groups = curvature.group > 0
    s = 1.0
    for _ in range(30):
        candidate = W + s * direction
        if curvature.orthant:
            candidate[np.sign(candidate) != np.sign(W)] = 0.0
        # A group turned past zero stops at zero, as an entry does.
        candidate[:, groups & (np.einsum("tj,tj->j", W, candidate) <= 0)] = 0.0
        new = _objective(smooth, penalty, candidate)
        if new <= value + 1e-4 * s * slope:
            return candidate, new
        s /= 2
    return None
