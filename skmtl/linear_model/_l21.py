"""Joint feature selection with the L2,1 norm (MALSAR's Least_L21 / Logistic_L21)."""

from ..penalties import L21
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    refuse_unpenalised,
    strength,
)


class _L21(MultiTaskLinearModel):
    r"""Multi-task {model} that selects features jointly for all tasks.

    {objective}
    :math:`W_{:, j}` holds feature :math:`j`'s weights in all tasks: a
    feature is used by all tasks or by none.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    References
    ----------
    .. [1] G. Obozinski, B. Taskar and M. I. Jordan. Joint covariate selection
       and joint subspace selection for multiple classification problems.
       Statistics and Computing, 2010.
    .. [2] J. Liu, S. Ji and J. Ye. Multi-task feature learning via efficient
       L2,1-norm minimization. UAI 2009.
    """

    _parameters = (
        strength(
            "alpha",
            1.0,
            """Strength of the L2,1 norm, >= 0 (> 0 unless ``l2 > 0``). From
            ``l21_alpha_max(X, y)`` on, all coefficients are zero.""",
            positional=True,
        ),
        strength(
            "l2",
            0.0,
            """Strength of the ridge term ``(l2 / 2) ||W||_F^2``, >= 0 (an
            elastic net over groups).""",
        ),
    )
    _solvers = ("prox_newton", "fista", "cd", "cvxpy")
    _penalty_math = L21.math
    _path = "alpha"

    def _penalty_for(self, data):
        refuse_unpenalised(self, "alpha", "l2")
        return L21(self.alpha, self.l2)


class L21Regressor(Regressor, _L21):
    """On the shared design with a complete ``y`` and ``l2=0`` this is
    scikit-learn's ``MultiTaskLasso`` objective: the same ``alpha`` gives the
    same solution. Unlike it, tasks may have different rows (``task_column``)
    or missing targets (``NaN`` in ``y``).

    See Also
    --------
    L21RegressorCV : Chooses ``alpha`` by cross-validation along a path.
    l21_alpha_max : The smallest ``alpha`` with all coefficients zero.
    L21Classifier : The same penalty with the logistic loss.

    Examples
    --------
    {sparse_problem}
    >>> from skmtl import L21Regressor
    >>> model = L21Regressor(alpha=0.3, task_column=0).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """


class L21Classifier(Classifier, _L21):
    """On a multi-label ``y`` the L2,1 norm selects the features shared by all
    labels.

    See Also
    --------
    L21ClassifierCV : Chooses ``alpha`` by cross-validation along a path.
    L21Regressor : The same penalty with the squared loss.
    """

    _example_args = "alpha=0.01, "
