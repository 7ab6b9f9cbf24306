r"""Task kernels: how strongly the tasks of a multi-task kernel model share.

A task kernel :math:`B` is a positive semi-definite (n_tasks, n_tasks)
matrix; the multi-task kernel is :math:`k(x, x') B_{st}`. Its inverse is
the task-coupling quadratic of the matching linear model: with a linear
:math:`k`, the squared norm of :math:`x \mapsto x^\top w_t` is
:math:`\operatorname{tr}(W^\top B^{-1} W)`.
"""

import numpy as np


def mean_task_kernel(n_tasks, coupling):
    r""":math:`B = (I + \lambda (I - \frac{1}{T} 1 1^\top))^{-1}`.

    The inverse of mean regularization's quadratic
    :math:`\sum_t \|w_t\|^2 + \lambda \sum_t \|w_t - \bar w\|^2`: the
    identity for ``coupling=0`` (independent tasks) and
    :math:`\frac{1}{T} 1 1^\top` for ``coupling=inf`` (one pooled function).
    It is Evgeniou, Micchelli and Pontil's
    :math:`(1 - \mu) \delta_{st} + \mu / T` with :math:`\mu = \lambda / (1 + \lambda)`.
    """
    specific = 1.0 / (1.0 + coupling)  # 0 when coupling is inf
    return specific * np.eye(n_tasks) + (1.0 - specific) / n_tasks


def graph_task_kernel(laplacian, coupling):
    r""":math:`B = (I + \lambda L)^{-1}`, the inverse of graph regularization.

    ``coupling=inf`` gives the limit: the projection that averages the tasks
    of each connected component of the graph.
    """
    curvature, basis = np.linalg.eigh(laplacian)
    connected = curvature <= 1e-10 * max(curvature[-1], 1.0)
    with np.errstate(invalid="ignore"):  # inf * 0 on the connected directions
        spectrum = np.where(connected, 1.0, 1.0 / (1.0 + coupling * curvature))
    return (basis * spectrum) @ basis.T


def check_task_kernel(matrix, n_tasks):
    """A user's task kernel, validated: symmetric and positive semi-definite.

    Raises
    ------
    ValueError
        Naming ``task_kernel`` and what is wrong: the shape against
        ``n_tasks``, non-finite entries, asymmetry, or a negative eigenvalue.
    """
    B = np.asarray(matrix, dtype=float)
    if B.shape != (n_tasks, n_tasks):
        raise ValueError(
            "task_kernel must be a square matrix with one row and column per "
            f"task, ordered as tasks_: expected shape ({n_tasks}, {n_tasks}), "
            f"got {B.shape}."
        )
    if not np.all(np.isfinite(B)):
        raise ValueError("task_kernel has non-finite entries.")
    scale = max(np.abs(B).max(initial=0.0), np.finfo(float).tiny)
    if np.abs(B - B.T).max(initial=0.0) > 1e-10 * scale:
        raise ValueError("task_kernel must be symmetric.")
    smallest = np.linalg.eigvalsh(B)[0]
    if smallest < -1e-10 * scale:
        raise ValueError(
            "task_kernel must be positive semi-definite; its smallest "
            f"eigenvalue is {smallest:.3g}."
        )
    if not np.any(B):
        raise ValueError("task_kernel is zero: the model would predict nothing.")
    return (B + B.T) / 2
