"""The lasso on every task's weights (MALSAR's Least_Lasso / Logistic_Lasso)."""

from ..penalties import L1
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    refuse_unpenalised,
    strength,
)


class _Lasso(MultiTaskLinearModel):
    r"""Multi-task {model} with an L1 penalty on all task weights.

    {objective}
    The penalty is separable: each task selects its own features, and the
    tasks share only ``alpha``, the data scaling and, on the shared design,
    the rows. This is the baseline of MALSAR (``Least_Lasso``,
    ``Logistic_Lasso``) and RMTL (``Regularization="Lasso"``), up to the
    scaling of their losses.

    References
    ----------
    .. [1] R. Tibshirani. Regression shrinkage and selection via the lasso.
       Journal of the Royal Statistical Society B, 58(1):267-288, 1996.
    .. [2] J. Zhou, J. Chen and J. Ye. MALSAR: Multi-tAsk Learning via
       StructurAl Regularization. Arizona State University, 2011.
    """

    _parameters = (
        strength(
            "alpha",
            1.0,
            """Strength of the L1 norm, > 0 (0 is refused: the model would be
            unpenalised). From the largest absolute entry of the loss gradient
            at ``coef_ = 0`` (with the best intercepts) on, all coefficients
            are zero.""",
            positional=True,
        ),
    )
    _solvers = ("prox_newton", "fista", "cvxpy")
    _penalty_math = L1.math
    _path = "alpha"
    _zero_norm = staticmethod(L1(1.0).dual_norm)

    def _penalty_for(self, data):
        refuse_unpenalised(self, "alpha")
        return L1(self.alpha)


class LassoRegressor(Regressor, _Lasso):
    """On the shared design with a complete ``y`` every task is scikit-learn's
    ``Lasso`` on its own column: the same ``alpha`` gives the same solution.
    Unlike it, tasks may have different rows (``task_column``) or missing
    targets (``NaN`` in ``y``).

    See Also
    --------
    LassoClassifier : The same penalty with the logistic loss.
    SparseGroupRegressor : Adds an L2,1 term that selects features jointly.
    L21Regressor : Selects features jointly for all tasks.

    Examples
    --------
    {sparse_problem}
    >>> from skmtl import LassoRegressor
    >>> model = LassoRegressor(alpha=0.3, task_column=0).fit(X, y)
    >>> model.coef_.shape
    (4, 10)
    >>> bool(np.all(model.coef_[:, 3:] == 0))  # uninformative features dropped
    True
    """


class LassoClassifier(Classifier, _Lasso):
    """
    See Also
    --------
    LassoRegressor : The same penalty with the squared loss.
    SparseGroupClassifier : Adds an L2,1 term that selects features jointly.
    L21Classifier : Selects features jointly for all tasks.
    """

    _example_args = "alpha=0.01, "
