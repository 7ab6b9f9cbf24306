"""Low-rank task weights by the trace norm (MALSAR's Least_Trace / Logistic_Trace)."""

from ..penalties import NuclearNorm
from ._base import (
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    refuse_unpenalised,
    strength,
)


class _TraceNorm(MultiTaskLinearModel):
    r"""Multi-task {model} whose task weights share a low-rank subspace.

    {objective}
    :math:`\|W\|_* = \sum_k \sigma_k(W)` is the trace (nuclear) norm, the sum
    of the singular values of :math:`W`, a convex surrogate of the rank: the
    task weights are combinations of a few directions shared by all tasks
    (Ji & Ye 2009; Pong et al. 2010). This is MALSAR's ``Least_Trace`` /
    ``Logistic_Trace`` and RMTL's ``Regularization="Trace"``, up to the
    scaling of their losses. Unlike the feature-learning models (the squared
    trace norm) the penalty is not squared: singular values are
    soft-thresholded one by one, and a large ``alpha`` gives ``coef_ = 0``.

    References
    ----------
    .. [1] S. Ji and J. Ye. An accelerated gradient method for trace norm
       minimization. ICML 2009.
    .. [2] T. K. Pong, P. Tseng, S. Ji and J. Ye. Trace norm regularization:
       reformulations, algorithms, and multi-task learning. SIAM Journal on
       Optimization, 20(6):3465-3489, 2010.
    """

    _parameters = (
        strength(
            "alpha",
            1.0,
            """Strength of the trace norm, > 0 (0 is refused: the model would be
            unpenalised). Larger values give ``coef_`` of lower rank; from the
            spectral norm of the loss gradient at ``coef_ = 0`` (with the best
            intercepts) on, all coefficients are zero.""",
            positional=True,
        ),
    )
    _solvers = ("prox_newton", "fista", "cvxpy")
    _penalty_math = NuclearNorm.math
    _path = "alpha"
    _zero_norm = staticmethod(NuclearNorm(1.0).dual_norm)

    def _penalty_for(self, data):
        refuse_unpenalised(self, "alpha")
        return NuclearNorm(self.alpha)


class TraceNormRegressor(Regressor, _TraceNorm):
    """
    See Also
    --------
    TraceNormClassifier : The same penalty with the logistic loss.
    FeatureLearningRegressor : The squared trace norm.

    Examples
    --------
    {low_rank_problem}
    >>> import numpy as np
    >>> from skmtl import TraceNormRegressor
    >>> model = TraceNormRegressor(alpha=0.2, task_column=0).fit(X, y)
    >>> int(np.linalg.matrix_rank(model.coef_))  # 6 tasks, 2 shared directions
    2
    """


class TraceNormClassifier(Classifier, _TraceNorm):
    """
    See Also
    --------
    TraceNormRegressor : The same penalty with the squared loss.
    FeatureLearningClassifier : The squared trace norm.
    """

    _example_args = "alpha=0.01, "
