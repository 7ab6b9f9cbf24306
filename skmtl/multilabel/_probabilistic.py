"""Probabilistic classifier chains with loss-aware inference."""

from numbers import Integral
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn import config_context, get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, validate_data

from .._task_data import non_numeric_columns_named
from . import _inference
from ._chain import _check_order, _link_fit_params

MAX_EXHAUSTIVE_LABELS = 15
"""Most labels ``inference="exhaustive"`` accepts: it enumerates ``2**L`` vectors."""

AUTO_EXHAUSTIVE_MAX_LABELS = 10
"""``inference="auto"`` is exhaustive up to this many labels, beam search beyond."""

# Expanded rows held at once, times their width, times this many float64 copies
# (the augmented input and the link's own temporaries), fit in working_memory.
_TEMPORARY_COPIES = 4


class _ConstantLink:
    """The link of a label with one class in training: ``P(y = value) = 1``."""

    classes_ = np.array([0, 1])

    def __init__(self, value):
        self.value = int(value)

    def predict_proba(self, X):
        proba = np.zeros((X.shape[0], 2))
        proba[:, self.value] = 1.0
        return proba

    def predict(self, X):
        return np.full(X.shape[0], self.value)


def _augment(X, prefixes):
    """``[X, prefixes]`` as one design: dense, or CSR when ``X`` is sparse."""
    prefixes = prefixes.astype(np.float64, copy=False)
    if sp.issparse(X):
        return sp.hstack([X, sp.csr_matrix(prefixes)], format="csr")
    return np.hstack([X, prefixes])


class _LinkProba:
    """``link_proba(k, rows, prefixes)``: ``P(y_k = 1 | X[rows], prefixes)``.

    Exhaustive, beam and greedy search ask for rows ``tile(arange(n), w)``
    (``w`` copies of the block, prefix-major), so a dense ``X`` is expanded
    once into ``n_copies`` copies with room for every label column; a call
    then only writes its prefix columns and hands a view of the first
    ``rows.size`` rows to the link. Other rows (Monte Carlo) are built per call.
    """

    def __init__(self, estimators, X, n_labels, n_copies):
        self.estimators = estimators
        self.X = X
        self.n_labels = n_labels
        self.n_copies = n_copies
        self._design = None

    def __call__(self, k, rows, prefixes):
        # Links are fit on 0/1 targets with both classes: column 1 is P(y=1).
        design = self._design_for(rows, prefixes)
        return self.estimators[k].predict_proba(design)[:, 1]

    def _design_for(self, rows, prefixes):
        n_rows, n_features = self.X.shape
        tiled = rows.size <= n_rows * self.n_copies and np.array_equal(
            rows, np.arange(rows.size) % n_rows
        )
        if sp.issparse(self.X) or not tiled:
            return _augment(self.X[rows], prefixes)
        if self._design is None:
            # Column-major: the views handed to the links are then (nearly)
            # F-contiguous, which BLAS reads fastest, and prefix writes are
            # contiguous.
            shape = (n_rows * self.n_copies, n_features + self.n_labels)
            self._design = np.empty(shape, order="F")
            self._design[:, :n_features] = np.tile(self.X, (self.n_copies, 1))
        n_columns = n_features + prefixes.shape[1]
        design = self._design[: rows.size, :n_columns]
        design[:, n_features:] = prefixes
        return design


def _fit_link(estimator, design, n_columns, y, fit_params):
    if np.all(y == y[0]):
        return _ConstantLink(y[0])
    return clone(estimator).fit(design[:, :n_columns], y, **fit_params)


def _check_binary_matrix(Y, name):
    """``Y`` as a dense 2-D uint8 array of 0/1, or a clear ``ValueError``."""
    Y = Y.toarray() if sp.issparse(Y) else np.asarray(Y)
    target_type = type_of_target(Y, input_name=name, raise_unknown=True)
    if target_type.startswith("continuous"):
        raise ValueError(
            f"{name} must be a binary indicator matrix of 0 and 1; got a "
            f"continuous target ({target_type})."
        )
    if not np.isin(Y, [0, 1]).all():
        values = np.unique(Y.astype(object).ravel())[:5]
        raise ValueError(
            f"Only binary classification is supported for each label: {name} must "
            f"be a binary indicator matrix of 0 and 1; found values such as "
            f"{list(values)}."
        )
    if Y.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D binary indicator matrix (n_samples, n_labels); "
            f"got an array of shape {Y.shape}. For binary classification of a "
            "single label, pass a column: y.reshape(-1, 1)."
        )
    return Y.astype(np.uint8)


class ProbabilisticClassifierChain(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    r"""Probabilistic classifier chain with loss-aware (Bayes-optimal) inference.

    A probabilistic classifier chain (PCC) estimates the joint distribution of
    ``L`` binary labels by the chain rule. With the labels taken in the order
    ``order`` (:math:`y_1, \dots, y_L` below),

    .. math::

        P(y \mid x) = \prod_{k=1}^{L} P(y_k \mid x, y_1, \dots, y_{k-1}),

    and link :math:`k` is a clone of ``estimator`` fit on the features
    ``[X, y_1, ..., y_{k-1}]`` (the *true* previous labels) to predict
    :math:`y_k`. Given the true labels the links are independent, so they
    are fit in parallel (``n_jobs``).

    Prediction searches the *probability tree*: the root is the empty
    prefix, a node at depth :math:`k` is a prefix :math:`(y_1, \dots, y_k)`
    with probability :math:`\prod_{j \le k} P(y_j \mid x, y_{<j})`, and its
    two children extend it by :math:`y_{k+1} = 0` or :math:`1`; the
    :math:`2^L` leaves carry the joint distribution. ``loss`` then picks the
    prediction :math:`h` minimising the expected loss under that distribution
    (Dembczyński, Cheng & Hüllermeier, 2010):

    - ``"subset"`` (subset 0/1 loss, i.e. maximises subset accuracy): the
      joint mode :math:`\arg\max_y P(y \mid x)`;
    - ``"hamming"`` (Hamming loss): the thresholded marginals
      :math:`h_l = [P(y_l = 1 \mid x) \ge 1/2]`;
    - ``"f1"`` (maximises the expected instance-wise F1,
      :math:`F(y, h) = 2 \sum_l y_l h_l / (|y| + |h|)`, and
      :math:`F = 1` when :math:`y = h = 0`): the general F-measure
      maximiser GFM (Dembczyński et al., 2011). With
      :math:`\Delta_{ls} = P(y_l = 1, |y| = s \mid x)`, the best prediction
      of size :math:`k \ge 1` takes the :math:`k` largest of
      :math:`E_{lk} = \sum_{s=1}^{L} \Delta_{ls} \, 2 / (s + k)` and scores
      their sum; the empty prediction scores :math:`P(y = 0 \mid x)`; the
      best of these :math:`L + 1` candidates is Bayes optimal.

    ``inference`` chooses how the tree is searched, and so what each loss
    sees:

    - ``"exhaustive"``: every leaf, by a breadth expansion of the tree (link
      :math:`k` is called once on all :math:`n \cdot 2^{k-1}` (row, prefix)
      pairs, rows processed in blocks that fit in scikit-learn's
      ``working_memory``). All three decisions and ``predict_proba`` are
      exact. Refused beyond ``MAX_EXHAUSTIVE_LABELS = 15`` labels.
    - ``"beam"``: beam search (Kumar et al., 2013) keeping the
      ``beam_width`` most probable prefixes per row at each depth. The final
      candidates, with their exact joint probabilities renormalised to sum
      to 1, stand for the distribution: ``"subset"`` returns the most
      probable candidate (the true mode whenever it survives the beam),
      ``"hamming"`` thresholds the candidates' renormalised marginals and
      ``"f1"`` runs GFM on them, both approximations. With
      ``beam_width >= 2**L`` it is exhaustive.
    - ``"monte_carlo"``: ancestral sampling of ``n_samples`` label vectors
      per row (seeded by ``random_state``). ``"subset"`` returns the most
      frequent draw, ``"hamming"`` thresholds the sample means, ``"f1"`` runs
      GFM on the empirical :math:`P(y = 0)` and :math:`\Delta`: consistent
      estimates, approximations for finite ``n_samples``.
    - ``"greedy"``: feed the more probable value (1 when
      :math:`p \ge 1/2`) down the chain, as scikit-learn's
      :class:`~sklearn.multioutput.ClassifierChain` does (with ``cv=None``
      both train on the true labels, so the predictions coincide, up to a
      link probability of exactly 1/2, which a link's ``predict`` may send
      either way). One path,
      so every ``loss`` returns it, and ``predict_proba`` returns the link
      probabilities along it, not marginals.
    - ``"auto"``: ``"exhaustive"`` up to ``AUTO_EXHAUSTIVE_MAX_LABELS = 10``
      labels, ``"beam"`` beyond.

    Parameters
    ----------
    estimator : estimator object
        Binary classifier with ``fit`` and ``predict_proba``, cloned once per
        label. A label with a single class in the training data gets a
        constant link instead (probability 1 for the observed value), so the
        chain can be fit on folds where a rare label is absent.

    order : array-like of shape (n_labels,), "random" or None, default=None
        Chain order: ``order[k]`` is the column of ``Y`` predicted by link
        ``k``. ``None`` is ``0, 1, ..., L - 1``; ``"random"`` draws a
        permutation from ``random_state``.

    inference : {"auto", "exhaustive", "beam", "monte_carlo", "greedy"}, default="auto"
        How the probability tree is searched (see above).

    beam_width : int, default=10
        Prefixes kept per row by ``inference="beam"``. Cost grows linearly:
        each link is evaluated on ``n_samples_X * beam_width`` rows.

    n_samples : int, default=1000
        Label vectors drawn per row by ``inference="monte_carlo"``; marginal
        estimates have standard error at most ``0.5 / sqrt(n_samples)``. The
        draws share the tree: a link is evaluated once per distinct prefix
        they reach, so a peaked distribution costs far less than
        ``n_samples`` evaluations per row and label.

    loss : {"subset", "hamming", "f1"}, default="subset"
        The loss whose Bayes-optimal prediction ``predict`` returns. Note
        that scikit-learn's ``f1_score(average="samples")`` (the scorer
        ``"f1_samples"``) scores a row with neither true nor predicted labels
        0 by default, where GFM counts it 1; ``zero_division=1`` matches.

    random_state : int, RandomState instance or None, default=None
        Draws the order for ``order="random"`` (in ``fit``) and the samples of
        ``inference="monte_carlo"`` (in ``predict``/``predict_proba``; an int
        makes repeated calls identical).

    n_jobs : int or None, default=None
        Links fit in parallel with joblib; ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context, ``-1`` uses all processors.
        Prediction is sequential along the chain.

    Attributes
    ----------
    order_ : ndarray of shape (n_labels,)
        The chain order used.

    estimators_ : list of n_labels estimators
        The fitted links, in chain order: ``estimators_[k]`` predicts column
        ``order_[k]`` from ``[X, Y[:, order_[:k]]]``. Its ``predict_proba``
        column 1 is :math:`P(y_{order_k} = 1 \mid x, \text{prefix})`.

    classes_ : list of n_labels ndarrays
        ``[0, 1]`` for every label, in the original label order.

    inference_ : str
        The inference ``inference`` resolved to at ``fit`` (``"auto"`` becomes
        ``"exhaustive"`` or ``"beam"``); ``predict`` resolves it again, so a
        later ``set_params(inference=...)`` takes effect without refitting.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features, when ``X`` is a DataFrame with string names.

    See Also
    --------
    sklearn.multioutput.ClassifierChain : Greedy chain (``inference="greedy"``).

    References
    ----------
    .. [1] K. Dembczyński, W. Cheng and E. Hüllermeier, "Bayes optimal
       multilabel classification via probabilistic classifier chains",
       ICML 2010.
    .. [2] A. Kumar, S. Vembu, A. K. Menon and C. Elkan, "Beam search
       algorithms for multilabel learning", Machine Learning 92(1),
       65-89, 2013.
    .. [3] K. Dembczyński, W. Waegeman, W. Cheng and E. Hüllermeier, "An exact
       algorithm for F-measure maximization", NIPS 24, 1404-1412, 2011.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmtl.multilabel import ProbabilisticClassifierChain
    >>> X, Y = make_multilabel_classification(
    ...     n_samples=200, n_features=6, n_classes=4, random_state=0
    ... )
    >>> chain = ProbabilisticClassifierChain(LogisticRegression()).fit(X, Y)

    With 4 labels the inference is exhaustive, so the marginals are exact:

    >>> chain.predict_proba(X[:1]).round(2)
    array([[0.27, 0.64, 0.35, 0.56]])

    The empty set is the single most probable vector, the marginals point at
    labels 1 and 3 (counting from 0), and the expected F1 is largest when
    label 2 is added too:

    >>> chain.predict_joint_proba(X[:1], [[0, 0, 0, 0]]).round(2)
    array([0.23])
    >>> for loss in ["subset", "hamming", "f1"]:
    ...     print(loss, chain.set_params(loss=loss).predict(X[:1]))
    subset [[0 0 0 0]]
    hamming [[0 1 0 1]]
    f1 [[0 1 1 1]]
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "order": ["array-like", StrOptions({"random"}), None],
        "inference": [
            StrOptions({"auto", "exhaustive", "beam", "monte_carlo", "greedy"})
        ],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions({"subset", "hamming", "f1"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        *,
        order=None,
        inference="auto",
        beam_width=10,
        n_samples=1000,
        loss="subset",
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.order = order
        self.inference = inference
        self.beam_width = beam_width
        self.n_samples = n_samples
        self.loss = loss
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- fit ----------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fit one link per label on the features and the true previous labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : {array-like, sparse matrix} of shape (n_samples, n_labels)
            Binary indicator matrix of the labels (0/1).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, passed to every link's ``fit``.

        Returns
        -------
        self : object
            The fitted chain.
        """
        self._validate_params()
        with non_numeric_columns_named(X):
            X, y = validate_data(self, X, y, multi_output=True, accept_sparse="csr")
        Y = _check_binary_matrix(y, "y")
        fit_params = _link_fit_params(self.estimator, X, sample_weight)
        n_labels = Y.shape[1]
        self.inference_ = self._resolve_inference(n_labels)
        self.order_ = _check_order(self.order, n_labels, self.random_state)
        design = _augment(X, Y[:, self.order_])
        n_features = X.shape[1]
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_link)(
                self.estimator, design, n_features + k, Y[:, label], fit_params
            )
            for k, label in enumerate(self.order_)
        )
        self.classes_ = [np.array([0, 1]) for _ in range(n_labels)]
        return self

    def _resolve_inference(self, n_labels):
        inference = self.inference
        if inference == "auto":
            exhaustive = n_labels <= AUTO_EXHAUSTIVE_MAX_LABELS
            inference = "exhaustive" if exhaustive else "beam"
        if inference == "exhaustive" and n_labels > MAX_EXHAUSTIVE_LABELS:
            raise ValueError(
                f"inference='exhaustive' enumerates 2**n_labels label vectors and "
                f"is limited to {MAX_EXHAUSTIVE_LABELS} labels; Y has {n_labels}. "
                "Use inference='beam' (or 'monte_carlo') instead."
            )
        return inference

    # -- the chain as link probabilities ------------------------------------

    def _link_proba(self, X, n_copies=1):
        """``link_proba(k, rows, prefixes)`` of :mod:`._inference` over rows of X."""
        return _LinkProba(self.estimators_, X, len(self.order_), n_copies)

    def _validate_X(self, X):
        check_is_fitted(self)
        with non_numeric_columns_named(X):
            return validate_data(self, X, accept_sparse="csr", reset=False)

    def _to_original_order(self, Y_chain):
        Y = np.empty_like(Y_chain)
        Y[:, self.order_] = Y_chain
        return Y

    def predict_joint_proba(self, X, Y):
        """Exact probability of the given label vectors, one per row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        Y : array-like of shape (n_samples, n_labels)
            One 0/1 label vector per row, in the original label order.

        Returns
        -------
        proba : ndarray of shape (n_samples,)
            :math:`P(y = Y_i \\mid x_i)`, the product of the link
            probabilities along the chain.
        """
        X = self._validate_X(X)
        Y = _check_binary_matrix(Y, "Y")
        expected = (X.shape[0], len(self.order_))
        if Y.shape != expected:
            raise ValueError(
                f"Y must have shape (n_samples, n_labels) = {expected}, one label "
                f"vector per row of X; got {Y.shape}."
            )
        with config_context(assume_finite=True):
            return _inference.joint_proba(self._link_proba(X), Y[:, self.order_])

    # -- inference ----------------------------------------------------------

    def predict(self, X):
        """Bayes-optimal label vectors for ``loss`` under the chosen inference.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_labels)
            0/1 predictions (int), in the original label order.
        """
        return self._infer(X, want_labels=True).astype(int)

    def predict_proba(self, X):
        """Marginal probabilities ``P(y_l = 1 | x)`` from the chosen inference.

        Exact for ``"exhaustive"``, estimated for ``"beam"`` (renormalised
        over the candidates) and ``"monte_carlo"`` (sample means); for
        ``"greedy"`` the link probabilities along the greedy path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            In the original label order.
        """
        return self._infer(X, want_labels=False)

    def _infer(self, X, want_labels):
        """Labels (``want_labels``) or marginals per row, in the original order."""
        X = self._validate_X(X)
        n_labels = len(self.order_)
        inference = self._resolve_inference(n_labels)
        rng = check_random_state(self.random_state)
        search = getattr(self, f"_search_{inference}")
        n_branches = self._n_branches(inference)
        # Monte Carlo asks for the distinct nodes reached, not tiled copies;
        # the exhaustive search's last link sees half of the 2**L vectors.
        n_copies = {"monte_carlo": 1, "exhaustive": max(1, n_branches // 2)}.get(
            inference, n_branches
        )
        parts = []
        # X is validated and the prefixes are 0/1: the links need not re-check.
        with config_context(assume_finite=True):
            for block in self._row_blocks(X, n_branches):
                Xb = X[block]
                link_proba = self._link_proba(Xb, n_copies)
                result = search(link_proba, Xb.shape[0], n_labels, rng)
                parts.append(self._decide(result, want_labels, inference == "greedy"))
        return self._to_original_order(np.concatenate(parts))

    def _n_branches(self, inference):
        """Label vectors held per row at the widest depth of the search."""
        return {
            "exhaustive": 2 ** len(self.order_),
            "beam": min(self.beam_width, 2 ** len(self.order_)),
            "monte_carlo": self.n_samples,
            "greedy": 1,
        }[inference]

    def _row_blocks(self, X, n_branches):
        """Slices of rows whose expanded designs fit in ``working_memory``."""
        n_labels = len(self.order_)
        width = (X.nnz / max(X.shape[0], 1) * 1.5) if sp.issparse(X) else X.shape[1]
        row_bytes = n_branches * (width + n_labels) * 8 * _TEMPORARY_COPIES
        budget = get_config()["working_memory"] * 2**20
        step = max(1, int(budget // row_bytes))
        return [slice(i, i + step) for i in range(0, X.shape[0], step)]

    # Each search returns (candidates, weights) for the decision rules; greedy
    # returns (labels, link_probas): it has already decided.

    def _search_exhaustive(self, link_proba, n_rows, n_labels, rng):
        weights = _inference.exhaustive(link_proba, n_rows, n_labels)
        return _inference.all_label_vectors(n_labels), weights

    def _search_beam(self, link_proba, n_rows, n_labels, rng):
        candidates, log_proba = _inference.beam_search(
            link_proba, n_rows, n_labels, self.beam_width
        )
        return candidates, _inference.normalize_log_weights(log_proba)

    def _search_monte_carlo(self, link_proba, n_rows, n_labels, rng):
        return _inference.ancestral_sampling(
            link_proba, n_rows, n_labels, self.n_samples, rng
        )

    def _search_greedy(self, link_proba, n_rows, n_labels, rng):
        return _inference.greedy(link_proba, n_rows, n_labels)

    def _decide(self, result, want_labels, greedy):
        """Labels (``want_labels``) or marginals in chain order."""
        if greedy:  # one path: its labels and link probabilities
            return result[0] if want_labels else result[1]
        candidates, weights = result
        if not want_labels:
            return _inference.marginals(candidates, weights)
        if self.loss == "hamming":
            return _inference.marginals(candidates, weights) >= 0.5
        if self.loss == "f1":
            return _inference.gfm(*_inference.size_marginals(candidates, weights))[0]
        return _inference.mode(candidates, weights)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = get_tags(self.estimator).input_tags.sparse
        return tags
