"""Any datafit with any penalty, or sum of penalties: the generic estimator."""

from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import StrOptions

from ..datafits import LogisticLoss, SquaredLoss
from ..penalties import QuadraticPlusPenalty, TaskQuadratic
from ..penalties._base import provides
from ._base import (
    _classification_score,
    _MultiTaskClassifierMixin,
    _MultiTaskLinearModel,
    _MultiTaskRegressorMixin,
    _regression_score,
)
from ._docs import CLASSES_ATTRIBUTE, FITTED_ATTRIBUTES, common_parameters, fill_doc

_DATAFITS = {"squared": SquaredLoss, "logistic": LogisticLoss}


class PenaltySum:
    """A sum of penalties that no proximal solver handles: cvxpy solves it.

    Its value is the sum of the values and its cvxpy form the sum of the
    forms; there is no conjugate, hence no duality-gap certificate.
    """

    def __init__(self, penalties):
        self.penalties = list(penalties)

    def value(self, W):
        return float(sum(penalty.value(W) for penalty in self.penalties))

    def as_cvxpy(self, W):
        return sum(penalty.as_cvxpy(W) for penalty in self.penalties)


def combine_penalties(penalties, n_tasks):
    """One penalty object for the solvers from a sum of penalties.

    The task-coupling quadratics (penalties that provide ``task_quadratic``:
    ``TaskQuadratic``, ``MeanRegularization``) add up into one; with at most
    one other penalty, which has a proximal operator, the sum is a
    :class:`QuadraticPlusPenalty` (proximal solvers, certified); anything
    else is a :class:`PenaltySum` for cvxpy.
    """
    if len(penalties) == 1:
        return penalties[0]
    coupling = [provides(penalty, "task_quadratic") for penalty in penalties]
    matrices = [
        penalty.task_quadratic(n_tasks).matrix
        for penalty, is_quadratic in zip(penalties, coupling, strict=True)
        if is_quadratic
    ]
    others = [p for p, q in zip(penalties, coupling, strict=True) if not q]
    if not matrices or len(others) > 1:
        return PenaltySum(penalties)
    quadratic = TaskQuadratic(sum(matrices))
    if not others:
        return quadratic
    if not provides(others[0], "prox"):
        return PenaltySum(penalties)
    return QuadraticPlusPenalty(quadratic, others[0])


def _is_classifier(estimator):
    return estimator._datafit_name() == "logistic"


class MultiTaskLinearModel(_MultiTaskLinearModel):
    r"""Linear multi-task model for any datafit and any penalty (or sum).

    Minimises, over the task weights :math:`W` (``coef_``) and the
    intercepts :math:`b`,

    .. math::

        F(W, b) + \sum_k \Omega_k(W),

    with :math:`F` the squared loss
    :math:`\frac{1}{2n}\sum_{(i,t) \text{ observed}} (y_{it} - x_i^\top w_t - b_t)^2`
    (``datafit="squared"``: a regressor) or the mean logistic loss over the
    observed targets (``datafit="logistic"``: a classifier), and
    :math:`\Omega_k` the penalties: objects of :mod:`skmtl.penalties`, or
    your own. A single penalty is solved as by the named estimators. In a
    sum, the task-coupling quadratics (:class:`~skmtl.penalties.TaskQuadratic`,
    :class:`~skmtl.penalties.MeanRegularization` with finite coupling) join
    the smooth part, and one more penalty with a proximal operator (L2,1,
    say) keeps the proximal solvers and their duality-gap certificate; any
    other sum, and any penalty that only has a cvxpy form (``value`` and
    ``as_cvxpy(W)`` methods), is solved by cvxpy, without a certificate
    (``dual_gap_`` is NaN). A penalty of your own reaches the fast solvers
    by subclassing :class:`~skmtl.penalties.BasePenalty` and declaring, in
    its ``capabilities``, what it provides (``"prox"``, ``"conjugate"``,
    ...): the solvers read the declaration, never the methods.

    Parameters
    ----------
    datafit : {"squared", "logistic"} or datafit object, default="squared"
        The loss: :class:`~skmtl.datafits.SquaredLoss` makes a regressor,
        :class:`~skmtl.datafits.LogisticLoss` a binary (per task) or
        multi-label classifier.

    penalty : penalty object or list of penalty objects
        The penalty, or penalties to add up.

    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MeanRegularizedRegressor, L21Regressor : Named models of one penalty.

    Examples
    --------
    Mean regularization and joint feature selection together:

    >>> import numpy as np
    >>> from skmtl import MultiTaskLinearModel
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.penalties import L21, MeanRegularization
    >>> X, y = make_multitask_regression(
    ...     n_tasks=5, n_samples=30, n_features=8, n_informative=3, random_state=0
    ... )
    >>> model = MultiTaskLinearModel(
    ...     "squared", [MeanRegularization(0.01, 10.0), L21(0.2)], task_column=0
    ... ).fit(X, y)
    >>> np.flatnonzero(np.any(model.coef_ != 0, axis=0))  # features in use
    array([0, 1, 2])
    """

    _parameter_constraints = {
        **_MultiTaskLinearModel._parameter_constraints,
        "datafit": [StrOptions(set(_DATAFITS)), SquaredLoss, LogisticLoss],
        "penalty": ["array-like", object],
        "solver": [
            StrOptions({"auto", "closed_form", "newton", "lbfgs", "fista"}),
            StrOptions({"prox_newton", "cd", "cvxpy"}),
        ],
    }

    def __init__(
        self,
        datafit="squared",
        penalty=None,
        *,
        fit_intercept=True,
        task_column=None,
        unknown_task="error",
        solver="auto",
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.datafit = datafit
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.unknown_task = unknown_task
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    # -- the model ----------------------------------------------------------

    def _datafit_name(self):
        if isinstance(self.datafit, str):
            return self.datafit
        return "logistic" if isinstance(self.datafit, LogisticLoss) else "squared"

    def _mixin(self):
        if _is_classifier(self):
            return _MultiTaskClassifierMixin
        return _MultiTaskRegressorMixin

    def _datafit(self):
        if isinstance(self.datafit, str):
            return _DATAFITS[self.datafit]()
        return self.datafit

    def _penalties(self):
        if self.penalty is None:
            raise ValueError(
                "penalty is None: give a penalty object (see skmtl.penalties) "
                "or a list of them."
            )
        penalties = (
            list(self.penalty)
            if isinstance(self.penalty, list | tuple)
            else [self.penalty]
        )
        for position, penalty in enumerate(penalties):
            if not (hasattr(penalty, "value") and hasattr(penalty, "as_cvxpy")):
                raise TypeError(
                    f"penalty {position} ({type(penalty).__name__}) is not a "
                    "penalty: it needs value(W) and as_cvxpy(W) methods."
                )
        if not penalties:
            raise ValueError("penalty is an empty list: give at least one penalty.")
        return penalties

    def _penalty_for(self, data):
        return combine_penalties(self._penalties(), data.n_tasks)

    # -- fit, predict and score follow the datafit --------------------------

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
            Features; with ``task_column`` set, one column holds each row's task.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets (class labels for the logistic loss); ``NaN`` marks a
            missing target of the shared design.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _encode_y(self, y):
        return self._mixin()._encode_y(self, y)

    def _check_task_data(self, data):
        if _is_classifier(self):
            _MultiTaskClassifierMixin._check_task_data(self, data)

    def predict(self, X):
        """Predictions (regression) or class labels (classification).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        """
        return self._mixin().predict(self, X)

    def score(self, X, y, sample_weight=None):
        """R² (regression) or accuracy (classification), missing targets left out.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        if _is_classifier(self):
            return _classification_score(self, X, y, sample_weight)
        return _regression_score(self, X, y, sample_weight)

    @available_if(_is_classifier)
    def decision_function(self, X):
        """Linear scores (log-odds); the logistic loss only.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        """
        return self._linear_predict(X)

    @available_if(_is_classifier)
    def predict_proba(self, X):
        """Class probabilities; the logistic loss only.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_columns)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2) or (n_samples, n_tasks)
        """
        return _MultiTaskClassifierMixin.predict_proba(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if _is_classifier(self):
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_class=False, multi_label=True)
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags


_SOLVERS = (
    '{"auto", "closed_form", "newton", "lbfgs", "fista", "prox_newton", "cd", "cvxpy"}',
    'Those that apply to the datafit and the (combined) penalty: "auto"\n'
    "        picks as the named estimators do; cvxpy is the only one for sums\n"
    "        that no proximal solver handles and for penalties with only a cvxpy\n"
    "        form.",
)

fill_doc(
    MultiTaskLinearModel,
    parameters=common_parameters(*_SOLVERS, tol="1e-6", max_iter="10_000"),
    attributes=CLASSES_ATTRIBUTE.replace(
        "classes_ : ndarray of shape (2,)",
        "classes_ : ndarray of shape (2,)\n        (logistic loss only)",
    )
    + FITTED_ATTRIBUTES,
)
