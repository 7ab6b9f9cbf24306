"""Classifier and regressor chains: scikit-learn's behaviour, written for skmtl."""

import time
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
)
from sklearn.model_selection import cross_val_predict
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from .._task_data import _is_number, non_numeric_columns_named

_CHAIN_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
# Other sparse formats (dok, lil, ...) are converted to CSR once on entry: the
# chain stacks columns onto X for every link, and dok cannot be checked for NaN.
_SPARSE_FORMATS = ("csr", "csc", "coo")


def _link_has(method):
    """``available_if`` condition: the link estimator has ``method``."""
    return available_if(lambda self: hasattr(self.estimator, method))


def _check_label_matrix(Y, name):
    """Return ``Y`` as a dense 2-D 0/1 label matrix, or raise a ValueError."""
    if sp.issparse(Y):
        Y = Y.toarray()
    Y = np.asarray(Y)
    values = np.unique(Y)
    if not np.isin(values, [0, 1]).all():
        kind = type_of_target(Y, input_name="Y")
        raise ValueError(
            f"{name} needs 0/1 labels in Y; found the values {values[:10].tolist()} "
            f"(target type {kind!r}). Only binary classification is supported, "
            "one 0/1 column per label; binarise a multi-class target first, "
            "e.g. with sklearn.preprocessing.MultiLabelBinarizer."
        )
    if Y.ndim != 2:
        raise ValueError(
            f"{name} needs a 2-D label matrix Y of shape (n_samples, n_labels), "
            f"one 0/1 class column per label; got an array of shape {Y.shape}. "
            "For a single label use Y.reshape(-1, 1)."
        )
    return Y


def _check_order(order, n_labels, random_state):
    """The chain order as an integer array: a permutation of ``range(n_labels)``."""
    if order is None:
        return np.arange(n_labels)
    if isinstance(order, str):  # "random": the only string the constraints allow
        return check_random_state(random_state).permutation(n_labels)
    order_array = np.asarray(order)
    if (
        order_array.ndim != 1
        or order_array.dtype.kind not in "iu"
        or sorted(order_array.tolist()) != list(range(n_labels))
    ):
        shown = order_array.tolist() if order_array.ndim else order
        raise ValueError(
            f"order must be a permutation of range({n_labels}), one entry per "
            f"column of Y; got order={shown!r}."
        )
    return order_array.astype(np.intp)


def _validate_chain_input(chain, X, y=None, *, reset=False):
    """``validate_data`` for a chain or an ensemble of chains.

    Sparse ``X`` is accepted, ``NaN`` passes when the link (``chain.estimator``)
    accepts it, and a non-numeric column is named. ``reset=True`` is ``fit``'s
    call: it checks ``y`` too, sets ``n_features_in_`` and returns ``(X, Y)``.
    """
    options = {
        "accept_sparse": _SPARSE_FORMATS,
        "ensure_all_finite": (
            "allow-nan" if get_tags(chain.estimator).input_tags.allow_nan else True
        ),
    }
    with non_numeric_columns_named(X):
        if reset:
            return validate_data(chain, X, y, multi_output=True, **options)
        return validate_data(chain, X, reset=False, **options)


def _link_fit_params(estimator, X, sample_weight):
    """``fit`` keyword arguments of every link: the checked sample weights."""
    if sample_weight is None:
        return {}
    if not has_fit_parameter(estimator, "sample_weight"):
        raise ValueError(
            f"sample_weight was given but the link "
            f"{type(estimator).__name__} does not accept it in fit."
        )
    # Negative weights are refused as in the linear models (a link may accept
    # them silently, or fail deep inside LAPACK).
    weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
    return {"sample_weight": weight}


def _link_output(link, X, method, label):
    """One link's response as a 1-D array (the probability column of label 1)."""
    output = getattr(link, method)(X)
    if method in ("predict_proba", "predict_log_proba"):
        if output.ndim != 2 or output.shape[1] < 2:
            raise ValueError(
                f"The link of label {label} returned {method} of shape "
                f"{output.shape}: it was fitted on a single class, so it has no "
                "probability of label 1 (scikit-learn's ClassifierChain fails "
                "here too). Give every label both classes, or use "
                "EnsembleClassifierChain, whose links fall back to a constant."
            )
        output = output[:, -1]
    return output


def _augment(X, chain_columns):
    """``X`` followed by the chain columns, sparse when ``X`` is."""
    if sp.issparse(X):
        return sp.hstack((X, chain_columns), format="csr")
    return np.hstack((X, chain_columns))


class _BaseChain(MetaEstimatorMixin, BaseEstimator):
    """Fit one link per label, each seeing ``X`` and the labels before it."""

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"])],
        "order": ["array-like", StrOptions({"random"}), None],
        "cv": ["cv_object"],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    }

    def __init__(
        self, estimator, *, order=None, cv=None, random_state=None, verbose=False
    ):
        self.estimator = estimator
        self.order = order
        self.cv = cv
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit the chain: one clone of ``estimator`` per column of ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_labels)
            Targets, one column per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, passed to the ``fit`` of every link
            (and of the cross-validated fits when ``cv`` is set).

        Returns
        -------
        self : object
            The fitted chain.
        """
        self._validate_params()
        X, Y = _validate_chain_input(self, X, y, reset=True)
        Y = self._check_targets(Y)
        fit_params = self._fit_params(X, sample_weight)
        self.order_ = _check_order(self.order, Y.shape[1], self.random_state)
        self.chain_method_ = self._resolve_chain_method()
        X_aug = self._training_inputs(X, Y)
        self.estimators_ = [
            self._fit_link(X_aug, X.shape[1], position, Y, fit_params)
            for position in range(Y.shape[1])
        ]
        return self

    def _fit_params(self, X, sample_weight):
        return _link_fit_params(self.estimator, X, sample_weight)

    def _training_inputs(self, X, Y):
        # Without cv the links see the true labels; with cv the chain columns
        # start at 0 and are filled link by link with out-of-fold predictions.
        if self.cv is None:
            chain_columns = Y[:, self.order_]
        else:
            chain_columns = np.zeros((X.shape[0], Y.shape[1]))
        if not sp.issparse(X):
            return np.hstack((X, chain_columns))
        X_aug = sp.hstack((X, chain_columns), format="lil")
        return X_aug.tocsr() if self.cv is None else X_aug

    def _fit_link(self, X_aug, n_features, position, Y, fit_params):
        start = time.perf_counter()
        y = Y[:, self.order_[position]]
        columns = n_features + position
        link = clone(self.estimator).fit(X_aug[:, :columns], y, **fit_params)
        if self.cv is not None and position < Y.shape[1] - 1:
            self._fill_out_of_fold(X_aug, columns, y, fit_params)
        if self.verbose:
            print(
                f"[Chain] ({position + 1} of {Y.shape[1]}) label "
                f"{self.order_[position]}: {time.perf_counter() - start:.1f}s"
            )
        return link

    def _fill_out_of_fold(self, X_aug, column, y, fit_params):
        predicted = cross_val_predict(
            self.estimator,
            X_aug[:, :column],
            y=y,
            cv=self.cv,
            method=self.chain_method_,
            params=fit_params,
        )
        if predicted.ndim > 1:  # predict_proba: keep the column of label 1
            predicted = predicted[:, 1]
        X_aug[:, column] = predicted[:, None] if sp.issparse(X_aug) else predicted

    def _chain_outputs(self, X, output_method):
        """Run ``X`` down the chain; ``output_method`` per link, label order."""
        check_is_fitted(self)
        X = _validate_chain_input(self, X)
        if sp.issparse(X):
            X = X.tocsr()
        chain_columns = np.zeros((X.shape[0], len(self.estimators_)))
        outputs = np.zeros_like(chain_columns)
        for position, (link, label) in enumerate(
            zip(self.estimators_, self.order_, strict=True)
        ):
            X_aug = _augment(X, chain_columns[:, :position])
            chain_columns[:, position] = _link_output(
                link, X_aug, self.chain_method_, label
            )
            outputs[:, position] = (
                chain_columns[:, position]
                if output_method == self.chain_method_
                else _link_output(link, X_aug, output_method, label)
            )
        return outputs[:, np.argsort(self.order_)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        link_tags = get_tags(self.estimator)
        tags.input_tags.sparse = link_tags.input_tags.sparse
        tags.input_tags.allow_nan = link_tags.input_tags.allow_nan
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        return tags


class ClassifierChain(ClassifierMixin, _BaseChain):
    r"""Binary classifiers arranged in a chain, one per label.

    Link :math:`j` of the chain predicts label :math:`\sigma_j` (where
    :math:`\sigma` is ``order_``) from the features and the labels earlier in
    the chain. Each link is a clone of ``estimator`` trained on its own loss
    (for ``LogisticRegression``: the regularised logistic loss of
    :math:`y_{\sigma_j}` given :math:`x, y_{\sigma_1}, \dots,
    y_{\sigma_{j-1}}`); at prediction the earlier labels are replaced by the
    earlier links' outputs, greedily, down the chain. This is the chain rule
    :math:`P(y \mid x) = \prod_j P(y_{\sigma_j} \mid x, y_{\sigma_{<j}})`
    followed by greedy inference, as proposed by Read et al. [1]_.

    Configured the same way, predictions, ``predict_proba`` and
    ``decision_function`` equal those of
    :class:`sklearn.multioutput.ClassifierChain`.

    Parameters
    ----------
    estimator : estimator object
        Binary classifier (``fit`` and ``predict``) cloned for every label.
    order : array-like of shape (n_labels,), "random" or None, default=None
        Chain order: a permutation of ``range(n_labels)``, ``order[j]`` being
        the column of ``Y`` predicted by link ``j``. ``None`` follows the
        columns of ``Y``; ``"random"`` draws a permutation from
        ``random_state``.
    cv : int, cross-validation generator, iterable or None, default=None
        ``None`` trains each link on the true earlier labels; otherwise the
        earlier labels are replaced by out-of-fold predictions
        (``cross_val_predict`` with this ``cv``), which matches what the links
        see at prediction time.
    chain_method : str or list of str, default="predict"
        The output of a link fed to the later links: ``"predict"`` (its 0/1
        prediction), ``"predict_proba"`` or ``"predict_log_proba"`` (its
        probability, or log-probability, of label 1) or
        ``"decision_function"``. A list gives preferences: the first method
        the link has is used.
    random_state : int, RandomState instance or None, default=None
        Draws the permutation when ``order="random"``.
    verbose : bool, default=False
        Print the progress after each link.

    Attributes
    ----------
    order_ : ndarray of shape (n_labels,)
        The chain order used.
    estimators_ : list of estimators
        The fitted links, in chain order.
    classes_ : list of ndarray
        ``classes_`` of every link, in chain order (as scikit-learn).
    chain_method_ : str
        The method of the links feeding the later links.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    EnsembleClassifierChain : Average of chains with random orders.
    RegressorChain : The same construction for regression.

    Notes
    -----
    ``predict_proba`` returns, for every label, the probability of 1 given by
    its link with the earlier labels set to the earlier links' outputs. These
    are chain-conditional values: neither the joint probability
    :math:`P(y \mid x)` nor the true marginals :math:`P(y_l = 1 \mid x)`.

    Whether a label with a single class in ``Y`` is accepted is up to the link
    (``LogisticRegression`` refuses it, a decision tree accepts it but then
    has no ``predict_proba`` for that label), as in scikit-learn.

    References
    ----------
    .. [1] J. Read, B. Pfahringer, G. Holmes and E. Frank, "Classifier chains
       for multi-label classification", Machine Learning 85(3):333-359, 2011.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmtl.multilabel import ClassifierChain
    >>> X, Y = make_multilabel_classification(
    ...     n_samples=40, n_classes=3, random_state=0
    ... )
    >>> chain = ClassifierChain(LogisticRegression(), order=[2, 0, 1]).fit(X, Y)
    >>> Y[:3]
    array([[0, 1, 0],
           [0, 1, 0],
           [1, 1, 1]])
    >>> chain.predict(X[:3])
    array([[0, 1, 0],
           [0, 1, 0],
           [0, 1, 0]])
    >>> chain.predict_proba(X[:3]).round(2)
    array([[0.16, 1.  , 0.  ],
           [0.01, 0.98, 0.07],
           [0.23, 0.9 , 0.41]])
    """

    _parameter_constraints: ClassVar[dict] = {
        **_BaseChain._parameter_constraints,
        "chain_method": [list, tuple, StrOptions(set(_CHAIN_METHODS))],
    }

    def __init__(
        self,
        estimator,
        *,
        order=None,
        cv=None,
        chain_method="predict",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            estimator, order=order, cv=cv, random_state=random_state, verbose=verbose
        )
        self.chain_method = chain_method

    def _check_targets(self, Y):
        return _check_label_matrix(Y, type(self).__name__)

    def _resolve_chain_method(self):
        methods = (
            [self.chain_method]
            if isinstance(self.chain_method, str)
            else list(self.chain_method)
        )
        unknown = [m for m in methods if m not in _CHAIN_METHODS]
        if unknown or not methods:
            raise ValueError(
                f"chain_method must be one of {_CHAIN_METHODS} or a list of them; "
                f"got {self.chain_method!r}."
            )
        for method in methods:
            if hasattr(self.estimator, method):
                return method
        raise ValueError(
            f"chain_method={self.chain_method!r}, but the link "
            f"{type(self.estimator).__name__} has none of these methods."
        )

    def fit(self, X, y, sample_weight=None):
        """Fit the chain: one clone of ``estimator`` per column of ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_labels)
            0/1 label matrix, one column per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, passed to the ``fit`` of every link
            (and of the cross-validated fits when ``cv`` is set).

        Returns
        -------
        self : object
            The fitted chain.
        """
        super().fit(X, y, sample_weight=sample_weight)
        self.classes_ = [link.classes_ for link in self.estimators_]
        return self

    def predict(self, X):
        """Predict the labels, greedily down the chain.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_labels)
            0/1 predictions (integers), columns in the order of ``Y``.
        """
        return self._chain_outputs(X, "predict").astype(int)

    @_link_has("predict_proba")
    def predict_proba(self, X):
        """Chain-conditional probability of label 1, per label.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            Probability that each label is 1 given ``X`` and the chain's
            earlier outputs (not a joint probability; see Notes).
        """
        return self._chain_outputs(X, "predict_proba")

    @_link_has("predict_proba")
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_labels)
            Log of the chain-conditional probability of label 1.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @_link_has("decision_function")
    def decision_function(self, X):
        """Decision value of every link, run down the chain.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        decision : ndarray of shape (n_samples, n_labels)
            Decision value of each label's link (positive for label 1).
        """
        return self._chain_outputs(X, "decision_function")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags


class RegressorChain(RegressorMixin, _BaseChain):
    r"""Regressors arranged in a chain, one per target.

    Link :math:`j` predicts target :math:`\sigma_j` (where :math:`\sigma` is
    ``order_``) from the features and the targets earlier in the chain; each
    link minimises its own loss (for ``Ridge``: squared error plus its
    penalty). At prediction the earlier targets are replaced by the earlier
    links' predictions (the construction of [1]_ for regression). Configured
    the same way, predictions equal those of
    :class:`sklearn.multioutput.RegressorChain`.

    Parameters
    ----------
    estimator : estimator object
        Regressor (``fit`` and ``predict``) cloned for every target.
    order : array-like of shape (n_targets,), "random" or None, default=None
        Chain order: a permutation of ``range(n_targets)``, ``order[j]`` being
        the column of ``Y`` predicted by link ``j``. ``None`` follows the
        columns of ``Y``; ``"random"`` draws a permutation from
        ``random_state``.
    cv : int, cross-validation generator, iterable or None, default=None
        ``None`` trains each link on the true earlier targets; otherwise on
        out-of-fold predictions of them (``cross_val_predict`` with this
        ``cv``).
    random_state : int, RandomState instance or None, default=None
        Draws the permutation when ``order="random"``.
    verbose : bool, default=False
        Print the progress after each link.

    Attributes
    ----------
    order_ : ndarray of shape (n_targets,)
        The chain order used.
    estimators_ : list of estimators
        The fitted links, in chain order.
    chain_method_ : str
        Always ``"predict"``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    ClassifierChain : The same construction for 0/1 labels.

    References
    ----------
    .. [1] J. Read, B. Pfahringer, G. Holmes and E. Frank, "Classifier chains
       for multi-label classification", Machine Learning 85(3):333-359, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skmtl.multilabel import RegressorChain
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 3))
    >>> Y = np.c_[X[:, 0], X[:, 0] + X[:, 1]]
    >>> chain = RegressorChain(Ridge(alpha=1e-6), order=[1, 0]).fit(X, Y)
    >>> np.abs(chain.predict(X) - Y).max() < 1e-5
    np.True_
    """

    def _check_targets(self, Y):
        if Y.ndim != 2:
            raise ValueError(
                f"RegressorChain needs a 2-D target matrix Y of shape (n_samples, "
                f"n_targets); got an array of shape {Y.shape}. For a single "
                "target use Y.reshape(-1, 1)."
            )
        Y = Y.toarray() if sp.issparse(Y) else Y
        if Y.dtype.kind in "OSU":
            try:
                return Y.astype(float)
            except ValueError:
                example = next(v for v in Y.ravel() if not _is_number(v))
                raise ValueError(
                    f"RegressorChain needs numeric targets; Y holds {str(example)!r}. "
                    "For class labels use ClassifierChain."
                ) from None
        return Y

    def _resolve_chain_method(self):
        return "predict"

    def predict(self, X):
        """Predict the targets, down the chain.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_targets)
            Predictions, columns in the order of ``Y``.
        """
        return self._chain_outputs(X, "predict")
