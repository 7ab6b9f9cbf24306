import numpy as np
from sklearn.utils.validation import check_is_fitted


def plot_coefficients(estimator, *, feature_names=None, ax=None, cmap="RdBu_r"):
    """Heatmap of ``coef_``: one row per feature, one column per task.

    A feature that no task uses is an empty row, so joint feature selection
    (the L2,1 models) shows as whole rows of zeros, and shared patterns as
    rows of one colour. The colour scale is symmetric around zero.

    Parameters
    ----------
    estimator : fitted skmtl estimator
        Anything with ``coef_`` of shape (n_tasks, n_features) and ``tasks_``.
    feature_names : list of str, default=None
        Row labels. None: the estimator's ``feature_names_in_`` without the
        task column when it has them, else ``x0, x1, ...``.
    ax : matplotlib Axes, default=None
        Where to draw; None creates a figure.
    cmap : str, default="RdBu_r"
        A diverging matplotlib colormap.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmtl import L21Regressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.inspection import plot_coefficients
    >>> X, Y = make_multitask_regression(
    ...     n_tasks=5, n_samples=60, n_features=12, n_informative=4,
    ...     shared_design=True, random_state=0,
    ... )
    >>> ax = plot_coefficients(L21Regressor(alpha=0.2).fit(X, Y))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('task', 'feature')
    """
    import matplotlib.pyplot as plt

    check_is_fitted(estimator, "coef_")
    coef = np.asarray(estimator.coef_)
    if feature_names is None:
        feature_names = _feature_names(estimator, coef.shape[1])
    if len(feature_names) != coef.shape[1]:
        raise ValueError(
            f"feature_names has {len(feature_names)} names for "
            f"{coef.shape[1]} features."
        )
    if ax is None:
        height = min(0.25 * coef.shape[1] + 1.5, 12)
        _, ax = plt.subplots(figsize=(max(0.5 * coef.shape[0] + 2, 4), height))
    limit = max(np.abs(coef).max(initial=0.0), np.finfo(float).tiny)
    image = ax.imshow(coef.T, aspect="auto", cmap=cmap, vmin=-limit, vmax=limit)
    tasks = getattr(estimator, "tasks_", np.arange(coef.shape[0]))
    ax.set_xticks(np.arange(coef.shape[0]), [str(t) for t in tasks], rotation=90)
    ax.set_yticks(np.arange(coef.shape[1]), feature_names)
    ax.set_xlabel("task")
    ax.set_ylabel("feature")
    ax.figure.colorbar(image, ax=ax, label="coefficient")
    return ax


def _feature_names(estimator, n_features):
    names = getattr(estimator, "feature_names_in_", None)
    task_column = getattr(estimator, "task_column", None)
    if names is not None:
        names = list(names)
        if isinstance(task_column, str) and task_column in names:
            names.remove(task_column)
        elif task_column is not None and not isinstance(task_column, str):
            del names[task_column]  # an int position, as in fit
        if len(names) == n_features:
            return names
    return [f"x{j}" for j in range(n_features)]
