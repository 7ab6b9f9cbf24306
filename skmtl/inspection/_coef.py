from ._displays import CoefficientDisplay


def plot_coefficients(estimator, *, feature_names=None, ax=None, cmap="RdBu_r"):
    """Heatmap of ``coef_``: ``CoefficientDisplay.from_estimator(...).ax_``.

    Parameters
    ----------
    estimator, feature_names, ax, cmap
        As :meth:`CoefficientDisplay.from_estimator`.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> from skmtl import MeanRegularizedRegressor
    >>> from skmtl.inspection import plot_coefficients
    >>> from skmtl.datasets import make_multitask_regression
    >>> X, y = make_multitask_regression(n_tasks=4, random_state=0)
    >>> plot_coefficients(MeanRegularizedRegressor(0.1, task_column=0).fit(X, y))
    <Axes: xlabel='task', ylabel='feature'>
    """
    display = CoefficientDisplay.from_estimator(
        estimator, feature_names=feature_names, ax=ax, cmap=cmap
    )
    return display.ax_
