"""Regularization paths: a family's solutions along a grid of its main strength."""

import numpy as np
from sklearn.base import clone

from ..penalties import L21, CommonWeights
from ..solvers import refit_intercept, solve_path
from ..solvers._decomposition import gradient_at_common_fit
from ._l21 import L21Classifier, L21Regressor


def loss_gradient_at_zero(data, datafit, fit_intercept):
    """Gradient of the loss in ``W`` at ``W = 0`` with the best intercepts."""
    W = np.zeros((data.n_tasks, data.n_features))
    b = np.zeros(data.n_tasks)
    if fit_intercept:
        b = refit_intercept(data, datafit, W, b)
    gradient, _ = data.adjoint(datafit.gradient(data, data.linear(W, b)))
    return gradient


def _unpenalised_gradients(estimator, data, datafit, fit_intercept):
    """Loss gradients where the penalized weights are zero: at zero weights,
    or at the pooled model under a shared component, for each value of
    ``alpha_shared`` (a CV estimator may search several)."""
    if not (estimator._shares and estimator.shared_component):
        return [loss_gradient_at_zero(data, datafit, fit_intercept)]
    return [
        loss_gradient_at_zero(data, datafit, fit_intercept)
        if alpha_shared == np.inf  # no common weights
        else gradient_at_common_fit(
            data, datafit, CommonWeights(alpha_shared), fit_intercept
        )
        for alpha_shared in np.atleast_1d(estimator.alpha_shared)
    ]


def alpha_grid(alpha_max, n_alphas, eps):
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``."""
    if alpha_max <= 0:
        return np.full(n_alphas, np.finfo(float).eps)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


def path_alphas(estimator, data, datafit, alphas, n_alphas, eps):
    """The grid of ``estimator``'s path parameter, decreasing.

    ``alphas`` sorted, else ``n_alphas`` values from the strength at which
    the penalised weights become zero (the penalty's ``_zero_norm`` of the
    loss gradient at zero weights, or at the pooled model under a shared
    component; the largest over the values of ``alpha_shared`` a CV
    estimator searches) down to ``eps`` times it.
    """
    if alphas is not None:
        alphas = np.sort(np.asarray(alphas, dtype=float))[::-1]
        if alphas.size == 0 or np.any(alphas < 0):
            raise ValueError("alphas must be a non-empty array of non-negative values.")
        return alphas

    def largest(fit_intercept):
        gradients = _unpenalised_gradients(estimator, data, datafit, fit_intercept)
        return max(estimator._zero_norm(gradient) for gradient in gradients)

    alpha_max = largest(estimator.fit_intercept)
    # Targets that the intercepts fit alone (constant in each task) leave a
    # gradient of round-off: a grid there would be all but unpenalised and
    # its certificates meaningless. Start from the gradient without
    # intercepts instead (zero weights stay optimal all along).
    without = largest(False)
    if alpha_max <= 1e-10 * without:
        alpha_max = without
    return alpha_grid(alpha_max, n_alphas, eps)


def regularization_path(
    estimator, X, y, *, alphas=None, n_alphas=100, eps=1e-3, sample_weight=None
):
    """Solutions of a named estimator along a decreasing grid of its main strength.

    The strength is the family's path parameter (``alpha``, or
    ``alpha_group`` for the sparse group models); the other parameters are
    the estimator's. Each solution starts from the previous one (warm start)
    and the data statistics are built once, so a path of many values costs
    a few cold fits. Each fit stops at a duality gap of ``tol`` times its
    objective.

    Parameters
    ----------
    estimator : estimator of :mod:`skmtl.linear_model`
        A named estimator (not fitted; its path parameter is ignored).
    X : array-like or DataFrame of shape (n_samples, n_columns)
        Features (with the task column when ``task_column`` is set).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, in the layout of the estimator.
    alphas : array-like, default=None
        The values, sorted in decreasing order here. None: ``n_alphas``
        values on a log scale from the smallest value that makes all the
        weights zero (for a smooth penalty, the largest column norm of the
        loss gradient at zero weights) down to ``eps`` times it.
    n_alphas : int, default=100
        Number of values when ``alphas`` is None.
    eps : float, default=1e-3
        Ratio of the smallest to the largest value when ``alphas`` is None.
    sample_weight : array-like of shape (n_samples,), default=None
        As in the estimator's ``fit``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    coefs : ndarray of shape (n_tasks, n_features, n_alphas)
        ``coef_`` for each value.
    intercepts : ndarray of shape (n_tasks, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import LassoRegressor, regularization_path
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(40, 6)), rng.normal(size=(40, 2))
    >>> alphas, coefs, _, gaps = regularization_path(LassoRegressor(), X, Y, n_alphas=5)
    >>> coefs.shape
    (2, 6, 5)
    >>> bool(np.all(coefs[:, :, 0] == 0))  # the largest alpha: all zero
    True
    """
    if estimator._path is None:
        raise TypeError(
            f"{type(estimator).__name__} has no path parameter: give a named "
            "estimator of skmtl.linear_model."
        )
    estimator = clone(estimator)  # set_params below must not touch the caller's
    estimator._validate_params()
    data, datafit = estimator._prepare_fit(X, y, sample_weight)
    alphas = path_alphas(estimator, data, datafit, alphas, n_alphas, eps)
    penalties = [
        estimator.set_params(**{estimator._path: alpha})._model_penalty(data)
        for alpha in alphas
    ]
    results = list(
        solve_path(
            data,
            datafit,
            penalties,
            fit_intercept=estimator.fit_intercept,
            tol=estimator.tol,
            max_iter=estimator.max_iter,
        )
    )
    coefs = np.stack([r[0] for r in results], axis=-1)
    intercepts = np.stack([r[1] for r in results], axis=-1)
    return alphas, coefs, intercepts, np.array([r[3] for r in results])


def _template(loss, task_column, fit_intercept):
    if loss not in ("squared", "logistic"):
        raise ValueError(f"loss must be 'squared' or 'logistic'; got {loss!r}.")
    model = L21Regressor if loss == "squared" else L21Classifier
    return model(task_column=task_column, fit_intercept=fit_intercept)


def _alpha_max(data, datafit, fit_intercept):
    return L21(0.0).dual_norm(loss_gradient_at_zero(data, datafit, fit_intercept))


def l21_alpha_max(
    X, y, *, loss="squared", task_column=None, fit_intercept=True, sample_weight=None
):
    r"""Smallest ``alpha`` for which the L2,1 models have all coefficients zero.

    With :math:`G = \nabla_W F` the gradient of the loss at :math:`W = 0`
    (and the best intercepts), :math:`\alpha_{\max} = \max_j \|G_{:, j}\|_2`:
    for :math:`\alpha \ge \alpha_{\max}` zero is optimal, and below it the
    feature attaining the maximum enters the model. The ``l2`` term does not
    change it.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_columns)
        Features (with the task column when ``task_column`` is set).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, in the layout of the estimators.
    loss : {"squared", "logistic"}, default="squared"
        That of ``L21Regressor`` or of ``L21Classifier``.
    task_column : int, str or None, default=None
        As in the estimators.
    fit_intercept : bool, default=True
        As in the estimators.
    sample_weight : array-like of shape (n_samples,), default=None
        As in the estimators' ``fit``.

    Returns
    -------
    alpha_max : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import L21Regressor, l21_alpha_max
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 5)), rng.normal(size=(50, 3))
    >>> alpha_max = l21_alpha_max(X, Y)
    >>> bool(np.all(L21Regressor(alpha=alpha_max).fit(X, Y).coef_ == 0))
    True
    >>> bool(np.any(L21Regressor(alpha=0.99 * alpha_max).fit(X, Y).coef_ != 0))
    True
    """
    model = _template(loss, task_column, fit_intercept)
    data, datafit = model._prepare_fit(X, y, sample_weight)
    return _alpha_max(data, datafit, fit_intercept)


def l21_path(
    X,
    y,
    *,
    loss="squared",
    alphas=None,
    n_alphas=100,
    eps=1e-3,
    l2=0.0,
    task_column=None,
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=10_000,
):
    """Solutions of the L2,1 model along a decreasing sequence of ``alpha``.

    Each solution starts from the previous one (warm start) and the data
    statistics are built once, so a path of many alphas costs a few cold
    fits. Each fit stops at a duality gap of ``tol`` times its objective.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_columns)
        Features (with the task column when ``task_column`` is set).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, in the layout of the estimators.
    loss : {"squared", "logistic"}, default="squared"
        That of ``L21Regressor`` or of ``L21Classifier``.
    alphas : array-like, default=None
        The alphas, sorted in decreasing order here. None: ``n_alphas`` values
        spaced evenly on a log scale from ``l21_alpha_max`` down to
        ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of alphas when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    l2 : float, default=0.0
        Ridge strength, as in the estimators.
    task_column, fit_intercept, tol, max_iter : see :class:`L21Regressor`
        As in the estimators.
    sample_weight : array-like of shape (n_samples,), default=None
        As in the estimators' ``fit``.

    Returns
    -------
    alphas, coefs, intercepts, dual_gaps : ndarray
        As :func:`regularization_path`, of which this is the L2,1 case.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl import l21_path
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(40, 6)), rng.normal(size=(40, 2))
    >>> alphas, coefs, intercepts, gaps = l21_path(X, Y, n_alphas=5, l2=0.1)
    >>> bool(np.all(coefs[:, :, 0] == 0)), coefs.shape  # at alpha_max
    (True, (2, 6, 5))
    """
    model = _template(loss, task_column, fit_intercept)
    model.set_params(l2=l2, tol=tol, max_iter=max_iter)
    return regularization_path(
        model,
        X,
        y,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        sample_weight=sample_weight,
    )
