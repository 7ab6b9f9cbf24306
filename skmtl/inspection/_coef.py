from ._displays import CoefficientDisplay


def plot_coefficients(estimator, *, feature_names=None, ax=None, cmap="RdBu_r"):
    """Heatmap of ``coef_``: one row per feature, one column per task.

    A shortcut for ``CoefficientDisplay.from_estimator(...).ax_`` (see
    :class:`CoefficientDisplay`).

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
    display = CoefficientDisplay.from_estimator(
        estimator, feature_names=feature_names, ax=ax, cmap=cmap
    )
    return display.ax_
