"""Working sets over features, shared by the solvers of feature-wise penalties."""

import numpy as np

FIRST_MAX = 100


def run_working_sets(certify, solve_restricted, penalty, W, b, tol, max_iter):
    """Solve growing restricted problems until the full one is certified.

    Each round certifies the current point on all features, ranks the
    features by how much they violate the optimality conditions
    (``penalty.feature_scores``; features in use come first), and solves the
    problem restricted to the top ones to a tolerance tied to the current
    gap. The set grows threefold per round and jumps to all features once it
    would hold half of them, so the last round is at worst the full problem;
    usually the support is found early and the rounds stay small.

    Parameters
    ----------
    certify : callable ``(W, b) -> Certificate``
        Exact intercepts, objective, duality gap and gradient on all features.
    solve_restricted : callable ``(columns, W_cols, b, tol, certified, max_iter)``
        Returns ``(W_cols, b, n_iter)`` for the problem on ``columns``, from
        the point ``certified`` (the Certificate of the full problem there:
        the features in use are all in ``columns``, so its objective is the
        restricted one's; its gap differs by the features left out).

    Returns
    -------
    certificate : Certificate
    n_iter : int
    """
    p = W.shape[1]
    size = max(10, 2 * int(np.count_nonzero(np.any(W != 0, axis=0))))
    n_iter = 0
    certified = certify(W, b)
    # At least one round: a start within tol (W = 0 just below alpha_max) still
    # lets the features that should enter do so.
    while n_iter == 0 or (certified.gap > tol * certified.primal and n_iter < max_iter):
        scores = penalty.feature_scores(certified.W, certified.grad)
        scores[np.any(certified.W != 0, axis=0)] = np.inf
        if n_iter == 0:
            # Start with the features that violate their optimality condition,
            # up to FIRST_MAX: fewer rounds on small problems.
            violating = int(np.count_nonzero(scores > 0))
            size = max(size, min(violating, FIRST_MAX))
        columns = np.sort(np.argsort(-scores, kind="stable")[:size])
        inner_tol = max(tol / 2, 0.3 * certified.gap / certified.primal)
        if len(columns) == p:  # the full problem: no later round to refine it
            inner_tol = tol / 2
        W_cols, b, inner_iter = solve_restricted(
            columns,
            certified.W[:, columns],
            certified.b,
            inner_tol,
            certified,
            max_iter - n_iter,
        )
        n_iter += max(inner_iter, 1)
        W = np.zeros_like(certified.W)
        W[:, columns] = W_cols
        certified = certify(W, b)
        size = p if 6 * size >= p else 3 * size
    return certified, n_iter
