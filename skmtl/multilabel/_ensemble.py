"""Ensembles of classifier chains (ECC, Read et al. 2011)."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
)
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _num_samples,
    check_is_fitted,
)

from ._chain import (
    ClassifierChain,
    _check_label_matrix,
    _check_order,
    _link_fit_params,
    _link_has,
    _validate_chain_input,
)


class _SingleClassFallback(ClassifierMixin, BaseEstimator):
    """A link that becomes a constant when its rows hold a single class.

    A subsample may leave a label with one class only; most classifiers then
    refuse to fit. This link predicts that class with probability 1 instead.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None):
        values = np.unique(y)
        if len(values) == 1:
            self.constant_, self.estimator_ = values[0], None
            self.classes_ = np.array([0, 1])
            return self
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.constant_ = None
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        if self.estimator_ is None:
            return np.full(_num_samples(X), self.constant_)
        return self.estimator_.predict(X)

    @_link_has("predict_proba")
    def predict_proba(self, X):
        if self.estimator_ is None:
            proba = np.zeros((_num_samples(X), 2))
            proba[:, int(self.constant_)] = 1.0
            return proba
        return self.estimator_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = get_tags(self.estimator).input_tags
        return tags


def _fit_chain(chain, X, Y, fit_params):
    return chain.fit(X, Y, **fit_params)


class EnsembleClassifierChain(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    r"""Ensemble of classifier chains with random orders and row subsamples.

    Each of the ``n_chains`` members is a :class:`ClassifierChain` on its own
    label order (random, or the given ``order`` for all) trained on its own
    rows: ``max_samples`` rows drawn without replacement, or with replacement
    when ``bootstrap=True``. The ensemble averages the chains' probabilities
    of label 1 and thresholds them:

    .. math::

        \hat p_l(x) = \frac{1}{K} \sum_{k=1}^{K} p^{(k)}_l(x), \qquad
        \hat y_l = [\hat p_l(x) \ge t],

    with :math:`p^{(k)}_l` the chain-conditional probability of chain
    :math:`k` (its ``predict_proba``) and :math:`t` the ``threshold``.
    Averaging over orders removes the dependence of a single chain on its
    order. With links that have no ``predict_proba``, :math:`p^{(k)}_l` is the
    chain's 0/1 prediction, so :math:`\hat p_l` is the fraction of votes
    (the rule of the original ECC [1]_).

    Parameters
    ----------
    estimator : estimator object
        Binary classifier (``fit`` and ``predict``) cloned for every link.
    n_chains : int, default=10
        Number of chains.
    order : "random", array-like of shape (n_labels,) or None, default="random"
        ``"random"``: a fresh permutation for every chain. A permutation of
        ``range(n_labels)``: the same order for every chain. ``None``: the
        column order of ``Y`` for every chain.
    max_samples : int or float, default=1.0
        Rows per chain: a fraction of ``n_samples`` in (0, 1] (at least one
        row) or a count.
    bootstrap : bool, default=False
        Draw the rows with replacement.
    threshold : float, default=0.5
        ``predict`` is 1 where the averaged probability is at least this.
    n_jobs : int or None, default=None
        Chains fitted (and evaluated) in parallel with joblib; results do not
        depend on it.
    random_state : int, RandomState instance or None, default=None
        Draws one seed per chain, which fixes the chain's order and rows. The
        link's own ``random_state`` is left alone: fix it for a reproducible
        ensemble of randomised links.

    Attributes
    ----------
    estimators_ : list of ClassifierChain
        The fitted chains.
    orders_ : ndarray of shape (n_chains, n_labels)
        The order of every chain.
    estimators_samples_ : list of ndarray
        The (sorted) training rows of every chain, repeated rows included.
    classes_ : list of ndarray
        The classes of every label, in the order of the columns of ``Y``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    ClassifierChain : A single chain.

    Notes
    -----
    A chain's subsample can hold a single class of some label. Its link for
    that label is then a constant: it predicts that class with probability 1
    (and the other with 0), so the ensemble never fails on a rare label. The
    links of the chains are then wrapped, ``chain.estimators_[j].estimator_``
    being the fitted link (``None`` for a constant).

    References
    ----------
    .. [1] J. Read, B. Pfahringer, G. Holmes and E. Frank, "Classifier chains
       for multi-label classification", Machine Learning 85(3):333-359, 2011.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmtl.multilabel import EnsembleClassifierChain
    >>> X, Y = make_multilabel_classification(
    ...     n_samples=60, n_classes=3, random_state=0
    ... )
    >>> ecc = EnsembleClassifierChain(
    ...     LogisticRegression(), n_chains=5, max_samples=0.8, random_state=0
    ... ).fit(X, Y)
    >>> ecc.orders_.shape
    (5, 3)
    >>> ecc.orders_[:2]
    array([[2, 1, 0],
           [0, 2, 1]])
    >>> ecc.predict_proba(X[:3]).round(2)
    array([[0.03, 1.  , 0.  ],
           [0.04, 0.96, 0.03],
           [0.55, 0.94, 0.52]])
    >>> ecc.predict(X[:3])
    array([[0, 1, 0],
           [0, 1, 0],
           [1, 1, 1]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_chains": [Interval(Integral, 1, None, closed="left")],
        "order": ["array-like", StrOptions({"random"}), None],
        "max_samples": [
            Interval(RealNotInt, 0, 1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "bootstrap": ["boolean"],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        *,
        n_chains=10,
        order="random",
        max_samples=1.0,
        bootstrap=False,
        threshold=0.5,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_chains = n_chains
        self.order = order
        self.max_samples = max_samples
        self.bootstrap = bootstrap
        self.threshold = threshold
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit ``n_chains`` chains, each on its order and rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_labels)
            0/1 label matrix, one column per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, passed, restricted to each chain's
            rows, to every link's ``fit``.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_params()
        X, Y = _validate_chain_input(self, X, y, reset=True)
        Y = _check_label_matrix(Y, type(self).__name__)
        sample_weight = self._check_weight(sample_weight, X)
        if sp.issparse(X):
            X = X.tocsr()  # rows are drawn from it
        seeds = check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=self.n_chains
        )
        plans = [self._draw(seed, *Y.shape) for seed in seeds]
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_chain)(
                ClassifierChain(_SingleClassFallback(self.estimator), order=order),
                X[rows],
                Y[rows],
                {} if sample_weight is None else {"sample_weight": sample_weight[rows]},
            )
            for order, rows in plans
        )
        self.orders_ = np.array([order for order, _ in plans])
        self.estimators_samples_ = [rows for _, rows in plans]
        self.classes_ = [np.unique(column) for column in Y.T]
        return self

    def _check_weight(self, sample_weight, X):
        return _link_fit_params(self.estimator, X, sample_weight).get("sample_weight")

    def _draw(self, seed, n_samples, n_labels):
        """One chain's order and sorted training rows, from its own seed."""
        rng = np.random.RandomState(seed)
        if isinstance(self.order, str):
            order = rng.permutation(n_labels)
        else:
            order = _check_order(self.order, n_labels, None)
        n_rows = self._n_rows(n_samples)
        if self.bootstrap:
            rows = rng.randint(n_samples, size=n_rows)
        else:
            rows = rng.choice(n_samples, n_rows, replace=False)
        return order, np.sort(rows)

    def _n_rows(self, n_samples):
        if isinstance(self.max_samples, Integral):
            if self.max_samples > n_samples and not self.bootstrap:
                raise ValueError(
                    f"max_samples={self.max_samples} is more than the "
                    f"{n_samples} rows of X; lower it or set bootstrap=True."
                )
            return int(self.max_samples)
        return max(1, int(self.max_samples * n_samples))

    def _mean_output(self, X, method):
        check_is_fitted(self)
        X = _validate_chain_input(self, X)
        outputs = Parallel(n_jobs=self.n_jobs)(
            delayed(getattr(chain, method))(X) for chain in self.estimators_
        )
        return np.mean(outputs, axis=0)

    @_link_has("predict_proba")
    def predict_proba(self, X):
        """Mean over the chains of their probability of label 1.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            Averaged chain-conditional probability of each label being 1,
            columns in the order of ``Y``.
        """
        return self._mean_output(X, "predict_proba")

    def predict(self, X):
        """Threshold the averaged probabilities (or votes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_labels)
            0/1 predictions (integers): 1 where the mean over the chains of
            ``predict_proba`` (of ``predict`` for links without it) is at
            least ``threshold``.
        """
        method = (
            "predict_proba" if hasattr(self.estimator, "predict_proba") else "predict"
        )
        return (self._mean_output(X, method) >= self.threshold).astype(int)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        link_tags = get_tags(self.estimator)
        tags.input_tags.sparse = link_tags.input_tags.sparse
        tags.input_tags.allow_nan = link_tags.input_tags.allow_nan
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags
