"""Task graphs as Laplacians: the quadratic of graph-regularized and temporal models."""

import numpy as np


def graph_laplacian(graph, n_tasks, name="graph"):
    r"""The Laplacian :math:`L = D - A` of a task graph, validated.

    See :func:`graph_adjacency` for what ``graph`` may be and the errors.
    """
    return laplacian_of(graph_adjacency(graph, n_tasks, name))


def laplacian_of(adjacency):
    """:math:`L = D - A` of an adjacency matrix with a zero diagonal."""
    return np.diag(adjacency.sum(axis=1)) - adjacency


def graph_adjacency(graph, n_tasks, name="graph"):
    r"""The adjacency matrix :math:`A` of a task graph, validated (zero diagonal).

    ``graph`` is either a symmetric non-negative adjacency matrix :math:`A`
    (its diagonal is ignored: a task does not differ from itself) or, when
    it has a negative entry off the diagonal, a graph Laplacian itself
    (symmetric, non-positive off the diagonal, rows summing to zero). Either
    way :math:`\sum_{s<t} A_{st} \|w_s - w_t\|^2 = \operatorname{tr}(W^\top L W)`.

    Raises
    ------
    ValueError
        Naming ``name`` and what is wrong: the shape against ``n_tasks``,
        non-finite entries, asymmetry, or entries of the wrong sign.
    """
    A = np.asarray(graph, dtype=float)
    if A.shape != (n_tasks, n_tasks):
        raise ValueError(
            f"{name} must be a square matrix with one row and column per task, "
            f"ordered as tasks_: expected shape ({n_tasks}, {n_tasks}), got "
            f"{A.shape}."
        )
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} has non-finite entries.")
    scale = max(np.abs(A).max(initial=0.0), np.finfo(float).tiny)
    if np.abs(A - A.T).max(initial=0.0) > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric.")
    off = A - np.diag(np.diag(A))
    if np.any(off < 0):
        if np.any(np.abs(A.sum(axis=1)) > 1e-8 * scale):
            raise ValueError(
                f"{name} has negative entries off the diagonal, so it is read as "
                "a graph Laplacian, but its rows do not sum to zero; an "
                "adjacency matrix must be non-negative."
            )
        adjacency = -off
        if np.any(adjacency < 0):
            raise ValueError(
                f"{name} is read as a graph Laplacian but has positive entries "
                "off the diagonal (negative edge weights)."
            )
    else:
        adjacency = off
    return adjacency


def chain_laplacian(n_tasks):
    r"""Laplacian of the chain :math:`0 - 1 - \dots - (T-1)`.

    :math:`\operatorname{tr}(W^\top L W) = \sum_t \|w_{t+1} - w_t\|^2`.
    """
    return laplacian_of(np.eye(n_tasks, k=1) + np.eye(n_tasks, k=-1))
