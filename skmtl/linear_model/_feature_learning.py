"""Convex multi-task feature learning: the squared trace norm (Argyriou et al.)."""

import numpy as np

from ..penalties import SquaredTraceNorm
from ._base import (
    POSITIVE,
    Classifier,
    MultiTaskLinearModel,
    Regressor,
    strength,
)


class _FeatureLearning(MultiTaskLinearModel):
    r"""Multi-task {model} that learns a few shared feature directions.

    {objective}
    The penalty is the squared trace norm of :math:`W` (sum of singular
    values, squared). This is convex multi-task feature learning (Argyriou,
    Evgeniou & Pontil 2008): :math:`\|W\|_*^2 = \min_{D \succeq 0,\,
    \operatorname{tr} D \le 1} \sum_t w_t^\top D^{+} w_t`, so the tasks share a
    learned feature covariance :math:`D` whose eigenvectors
    (``components_``) are the learned features; a large ``alpha`` keeps few
    of them.

    Read more in the :ref:`User Guide <joint_feature_learning>`.

    References
    ----------
    .. [1] A. Argyriou, T. Evgeniou and M. Pontil. Convex multi-task feature
       learning. Machine Learning, 73(3):243-272, 2008.
    """

    _parameters = (
        strength(
            "alpha",
            1.0,
            """Strength of the squared trace norm, > 0. Larger values share
            fewer feature directions.""",
            positional=True,
            constraints=POSITIVE,
        ),
    )
    _solvers = ("prox_newton", "fista", "cvxpy")
    _penalty_math = SquaredTraceNorm.math
    _path = "alpha"
    _attributes = r"""
components_ : ndarray of shape (n_components, n_features)
    The shared feature directions: eigenvectors of the learned feature
    covariance :math:`D`, i.e. the right singular vectors of ``coef_``
    (of ``specific_coef_`` with ``shared_component=True``) with non-zero
    singular values, by decreasing weight.

component_weights_ : ndarray of shape (n_components,)
    Their eigenvalues in :math:`D` (the singular values of ``coef_``
    divided by their sum), so that
    ``D = components_.T @ np.diag(component_weights_) @ components_``.

task_covariance_ : ndarray of shape (n_tasks, n_tasks)
    The task covariance :math:`\Omega = (W W^\top)^{1/2} / \operatorname{tr}
    (W W^\top)^{1/2}` of multi-task relationship learning (Zhang & Yeung
    2010), whose penalty :math:`\operatorname{tr}(W^\top \Omega^{-1} W)`,
    minimised over :math:`\Omega` of trace 1, is also the squared trace
    norm: the two formulations share their optimum, and this is its
    :math:`\Omega`, with :math:`W` the penalised weights (``specific_coef_``
    with ``shared_component=True``, else ``coef_``). Rows and columns ordered
    as ``tasks_``; the identity divided by ``n_tasks`` when :math:`W` is
    zero.
"""

    def _penalty_for(self, data):
        return SquaredTraceNorm(self.alpha)

    def _set_derived_attributes(self):
        # W = U S V': the optimal D = (W'W)^(1/2) / tr(...) = V diag(S / sum S) V',
        # and the task covariance (W W')^(1/2) / tr(...) = U diag(S / sum S) U'.
        U, sigma, Vt = np.linalg.svd(self._penalised_coef(), full_matrices=False)
        kept = sigma > 1e-10 * max(sigma.max(initial=0.0), np.finfo(float).tiny)
        self.components_ = Vt[kept]
        total = sigma[kept].sum()
        self.component_weights_ = sigma[kept] / total if total > 0 else sigma[kept]
        n_tasks = U.shape[0]
        if total > 0:
            self.task_covariance_ = (U[:, kept] * self.component_weights_) @ U[
                :, kept
            ].T
        else:  # W = 0: every covariance is optimal; the tasks as unrelated
            self.task_covariance_ = np.eye(n_tasks) / n_tasks


class FeatureLearningRegressor(Regressor, _FeatureLearning):
    """
    See Also
    --------
    L21Regressor : Selects original features instead of learning directions.
    FeatureLearningClassifier : The same penalty with the logistic loss.

    Examples
    --------
    {low_rank_problem}
    >>> from skmtl import FeatureLearningRegressor
    >>> model = FeatureLearningRegressor(alpha=0.05, task_column=0).fit(X, y)
    >>> model.components_.shape[1]
    8
    """


class FeatureLearningClassifier(Classifier, _FeatureLearning):
    """
    See Also
    --------
    FeatureLearningRegressor : The same penalty with the squared loss.
    L21Classifier : Selects original features instead of learning directions.
    """

    _example_args = "alpha=0.01, "
