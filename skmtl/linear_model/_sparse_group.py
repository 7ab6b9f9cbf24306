"""The sparse group lasso over features (MALSAR's Least_CFGLasso with rho2 = 0)."""

from ..penalties import SparseGroupL21
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    refuse_unpenalised,
    strength,
)


class _SparseGroup(MultiTaskLinearModel):
    r"""Multi-task {model} that selects features jointly, then per task.

    {objective}
    :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks. The L2,1
    term (``alpha_group``) removes features from all tasks at once; the L1
    term (``alpha_sparse``) lets each task drop some of the features that
    remain: the sparse group lasso with one group per feature (Simon et al.
    2013). MALSAR's ``Least_CFGLasso`` / ``Logistic_CFGLasso`` with
    ``rho2=0`` is this model (see :ref:`coming_from_malsar` for the
    scaling); it interpolates between the L2,1 model (``alpha_sparse=0``)
    and the lasso (``alpha_group=0``).

    References
    ----------
    .. [1] N. Simon, J. Friedman, T. Hastie and R. Tibshirani. A sparse-group
       lasso. Journal of Computational and Graphical Statistics,
       22(2):231-245, 2013.
    """

    _parameters = (
        strength(
            "alpha_group",
            1.0,
            "Strength of the L2,1 norm (joint selection of features), >= 0.",
            positional=True,
        ),
        strength(
            "alpha_sparse",
            1.0,
            """Strength of the L1 norm (selection within each task), >= 0. At
            least one of the two must be positive: ``alpha_sparse=0`` is the
            L2,1 model, ``alpha_group=0`` the lasso.""",
            positional=True,
        ),
    )
    _solvers = ("prox_newton", "fista", "cvxpy")
    _penalty_math = SparseGroupL21.math
    _path = "alpha_group"

    def _penalty_for(self, data):
        refuse_unpenalised(self, "alpha_group", "alpha_sparse")
        return SparseGroupL21(self.alpha_group, self.alpha_sparse)


class SparseGroupRegressor(Regressor, _SparseGroup):
    """
    See Also
    --------
    SparseGroupClassifier : The same penalty with the logistic loss.
    L21Regressor : The L2,1 term alone.
    LassoRegressor : The L1 term alone.

    Examples
    --------
    {sparse_problem}
    >>> from skmtl import SparseGroupRegressor
    >>> model = SparseGroupRegressor(0.2, 0.05, task_column=0).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """


class SparseGroupClassifier(Classifier, _SparseGroup):
    """
    See Also
    --------
    SparseGroupRegressor : The same penalty with the squared loss.
    L21Classifier : The L2,1 term alone.
    LassoClassifier : The L1 term alone.
    """

    _example_args = "alpha_group=0.01, alpha_sparse=0.005, "
