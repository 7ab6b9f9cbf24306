"""Preconditioned conjugate gradients for the truncated Newton steps."""

import numpy as np


def conjugate_gradients(hessian, rhs, precondition, converged, max_iter):
    """Preconditioned conjugate gradients for ``hessian(x) = rhs``.

    Parameters
    ----------
    hessian, precondition : callable
        ``d -> H d`` and ``r -> P^{-1} r`` on arrays shaped like ``rhs``.
    rhs : ndarray
    converged : callable
        ``(r, rz, rz_start) -> bool`` on the residual ``r``, its
        preconditioned norm ``rz = r . P^{-1} r`` and that of ``rhs``, after
        each iteration: the caller's forcing term.
    max_iter : int

    Returns
    -------
    x : ndarray
        The iterate where ``converged`` held, or the last one: at a direction
        of no positive curvature (a free direction of a singular Hessian, or
        a non-convex objective) the iterate before it, zero if it is the
        first; the caller's line search handles an inexact step.
    n_iter : int
    """
    x = np.zeros_like(rhs)
    r = rhs.copy()
    z = precondition(r)
    d = z.copy()
    rz = rz_start = float(np.sum(r * z))
    for k in range(1, max_iter + 1):
        Hd = hessian(d)
        curvature = float(np.sum(d * Hd))
        if not (curvature > 0 and rz > 0):
            return x, k
        a = rz / curvature
        x += a * d
        r -= a * Hd
        z = precondition(r)
        rz_next = float(np.sum(r * z))
        if converged(r, rz_next, rz_start):
            return x, k
        d = z + (rz_next / rz) * d
        rz = rz_next
    return x, max_iter
