"""Tasks in time: the fused sparse group lasso of disease-progression models."""

from ..penalties import FusedSparseGroupL21
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    strength,
)


class _FusedSparseGroup(MultiTaskLinearModel):
    r"""Multi-task {model} for tasks in time: fused sparse group lasso.

    {objective}
    Each task is a time point (the visits of a disease-progression study,
    say): the L2,1 term selects features for all time points jointly, the L1
    term lets a time point drop some of them, and the fused term keeps
    consecutive time points' weights equal unless the data say otherwise.
    This is MALSAR's ``Least_CFGLasso`` / ``Logistic_CFGLasso`` (Zhou, Liu,
    Narayan & Ye 2012), up to the scaling of its loss (see
    :ref:`coming_from_malsar`). The tasks are ordered as ``tasks_``: the
    sorted task ids (task-indexed layout; numbers sort numerically, strings
    alphabetically, so name time points ``"m06"``, ``"m12"``, ... or use
    numbers) or the columns of ``y`` (shared design).

    References
    ----------
    .. [1] J. Zhou, J. Liu, V. A. Narayan and J. Ye. Modeling disease
       progression via fused sparse group lasso. KDD 2012.
    .. [2] L. Condat. A direct algorithm for 1-D total variation denoising.
       IEEE Signal Processing Letters, 20(11):1054-1057, 2013.
    """

    _parameters = (
        strength(
            "alpha_sparse",
            1.0,
            r"""Strength of the L1 norm :math:`\alpha_s` (each task drops
            features of its own), >= 0.""",
            positional=True,
        ),
        strength(
            "alpha_fused",
            1.0,
            r"""Strength of the fused term :math:`\alpha_f` (consecutive tasks
            keep the same weights), >= 0.""",
            positional=True,
        ),
        strength(
            "alpha_group",
            1.0,
            r"""Strength of the L2,1 norm :math:`\alpha_g` (features selected
            for all tasks jointly), >= 0. ``alpha_sparse`` or ``alpha_group``
            must be positive: the fused term alone leaves the weights all
            tasks share unpenalised.""",
            positional=True,
        ),
    )
    _solvers = ("prox_newton", "fista", "cvxpy")
    _penalty_math = FusedSparseGroupL21.math
    # The L1 and fused terms only make zero optimal sooner: the L2,1 model's
    # alpha_max bounds the top of a path of alpha_group.
    _path = "alpha_group"

    def _penalty_for(self, data):
        # The penalty refuses alpha_sparse = alpha_group = 0, naming both.
        return FusedSparseGroupL21(
            self.alpha_sparse, self.alpha_fused, self.alpha_group
        )


class FusedSparseGroupRegressor(Regressor, _FusedSparseGroup):
    """
    See Also
    --------
    FusedSparseGroupClassifier : The same penalty with the logistic loss.
    TemporalGroupRegressor : Smooth (squared) changes between time points.
    SparseGroupRegressor : Without the fused term.

    Examples
    --------
    Five time points whose weights change once, between the second and the
    third: the fused term recovers the two plateaus, and the L1 and L2,1
    terms drop the two features that play no part.

    >>> import numpy as np
    >>> from skmtl import FusedSparseGroupRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> W = np.array([[1.0, 0, 0], [1, 0, 0], [2, 0, 0], [2, 0, 0], [2, 0, 0]])
    >>> Y = X @ W.T + 0.1 * rng.normal(size=(200, 5))
    >>> model = FusedSparseGroupRegressor(0.001, 0.02, 0.001).fit(X, Y)
    >>> np.round(model.coef_[:, 0], 2)
    array([1.01, 1.01, 1.99, 1.99, 1.99])
    >>> bool(np.all(model.coef_[:, 1:] == 0))
    True
    """


class FusedSparseGroupClassifier(Classifier, _FusedSparseGroup):
    """
    See Also
    --------
    FusedSparseGroupRegressor : The same penalty with the squared loss.
    TemporalGroupClassifier : Smooth (squared) changes between time points.
    """

    _example_args = "0.001, 0.01, 0.001, "
