"""ProbabilisticClassifierChain: exact joint, searches, loss-aware decisions."""

import itertools
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import ClassifierChain
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError

from skmtl.multilabel import ProbabilisticClassifierChain, _inference
from skmtl.multilabel._probabilistic import (
    AUTO_EXHAUSTIVE_MAX_LABELS,
    MAX_EXHAUSTIVE_LABELS,
)

ALL_INFERENCES = ["exhaustive", "beam", "monte_carlo", "greedy"]


def make_data(n_samples=120, n_features=6, n_labels=4, seed=0):
    X, Y = make_multilabel_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_classes=n_labels,
        n_labels=2,
        random_state=seed,
    )
    return X / X.std(axis=0), Y


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def chain(data):
    X, Y = data
    order = [2, 0, 3, 1]
    return ProbabilisticClassifierChain(LogisticRegression(), order=order).fit(X, Y)


def all_vectors(n_labels):
    return np.array(list(itertools.product([0, 1], repeat=n_labels)))


def joint_table(chain, X):
    """(n, 2**L) exact joint probabilities, columns in ``all_vectors`` order."""
    vectors = all_vectors(len(chain.order_))
    return np.column_stack(
        [chain.predict_joint_proba(X, np.tile(y, (len(X), 1))) for y in vectors]
    )


# -- the exact joint distribution ---------------------------------------------


def test_joint_proba_sums_to_one_over_all_label_vectors(chain, data):
    X, _ = data
    assert_allclose(joint_table(chain, X).sum(axis=1), 1.0, rtol=1e-12)


def test_joint_proba_is_the_product_of_link_probabilities(chain, data):
    X, _ = data
    Y = np.random.default_rng(0).integers(0, 2, size=(len(X), 4))
    expected = np.ones(len(X))
    for k, (link, label) in enumerate(
        zip(chain.estimators_, chain.order_, strict=True)
    ):
        design = np.hstack([X, Y[:, chain.order_[:k]]])
        p1 = link.predict_proba(design)[:, 1]
        expected *= np.where(Y[:, label] == 1, p1, 1 - p1)
    assert_allclose(chain.predict_joint_proba(X, Y), expected, rtol=1e-12)


def test_links_are_trained_on_the_true_previous_labels(chain, data):
    X, Y = data
    for k, (link, label) in enumerate(
        zip(chain.estimators_, chain.order_, strict=True)
    ):
        own = LogisticRegression().fit(
            np.hstack([X, Y[:, chain.order_[:k]]]), Y[:, label]
        )
        assert_allclose(link.coef_, own.coef_)
    assert [list(c) for c in chain.classes_] == [[0, 1]] * 4
    assert chain.n_features_in_ == X.shape[1]


def test_exhaustive_gives_the_exact_joint_mode_and_marginals(chain, data):
    X, _ = data
    vectors = all_vectors(4)
    joint = joint_table(chain, X)
    exhaustive = clone(chain).set_params(inference="exhaustive").fit(*data)
    assert_allclose(exhaustive.predict_proba(X), joint @ vectors, atol=1e-12)
    assert_array_equal(exhaustive.predict(X), vectors[joint.argmax(axis=1)])


# -- searches agree with each other and with scikit-learn ---------------------


@pytest.mark.parametrize("loss", ["subset", "hamming", "f1"])
def test_wide_beam_equals_exhaustive(data, loss):
    X, Y = data
    exhaustive = ProbabilisticClassifierChain(
        LogisticRegression(), inference="exhaustive", loss=loss
    ).fit(X, Y)
    beam = clone(exhaustive).set_params(inference="beam", beam_width=16).fit(X, Y)
    assert_array_equal(beam.predict(X), exhaustive.predict(X))
    assert_allclose(beam.predict_proba(X), exhaustive.predict_proba(X), atol=1e-12)


def test_narrow_beam_is_approximate_and_width_one_is_greedy(data):
    X, Y = data
    exact = ProbabilisticClassifierChain(LogisticRegression(), inference="exhaustive")
    exact.fit(X, Y)
    narrow = clone(exact).set_params(inference="beam", beam_width=2).fit(X, Y)
    assert not np.allclose(narrow.predict_proba(X), exact.predict_proba(X))
    one = clone(exact).set_params(inference="beam", beam_width=1).fit(X, Y)
    greedy = clone(exact).set_params(inference="greedy").fit(X, Y)
    assert_array_equal(one.predict(X), greedy.predict(X))


def test_monte_carlo_converges_to_the_exact_distribution(data):
    X = data[0][:30]
    exact = ProbabilisticClassifierChain(LogisticRegression(), inference="exhaustive")
    exact.fit(*data)
    mc = clone(exact).set_params(
        inference="monte_carlo", n_samples=20000, random_state=0
    )
    mc.fit(*data)
    assert np.abs(mc.predict_proba(X) - exact.predict_proba(X)).max() < 0.03
    # The mode is recovered wherever it is not nearly tied with the runner-up.
    joint = np.sort(joint_table(exact, X), axis=1)
    clear = joint[:, -1] - joint[:, -2] > 0.05
    assert clear.sum() >= 10
    assert_array_equal(mc.predict(X)[clear], exact.predict(X)[clear])


def test_monte_carlo_is_reproducible_with_a_seed(data):
    X, Y = data
    mc = ProbabilisticClassifierChain(
        LogisticRegression(), inference="monte_carlo", n_samples=50, random_state=3
    ).fit(X, Y)
    assert_array_equal(mc.predict_proba(X), mc.predict_proba(X))
    other = clone(mc).set_params(random_state=4).fit(X, Y)
    assert not np.array_equal(mc.predict_proba(X), other.predict_proba(X))


@pytest.mark.parametrize("order", [None, [2, 0, 3, 1]])
def test_greedy_equals_sklearn_classifier_chain(data, order):
    X, Y = data
    ours = ProbabilisticClassifierChain(
        LogisticRegression(C=0.5), order=order, inference="greedy"
    ).fit(X, Y)
    theirs = ClassifierChain(LogisticRegression(C=0.5), order=order).fit(X, Y)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)


# -- loss-aware decisions on hand-built distributions -------------------------


class JointTableLink(ClassifierMixin, BaseEstimator):
    """A link reading its conditional off a fixed joint table over the labels.

    The chain is fit on one dummy feature, so link ``k`` sees the prefix
    ``y_1..y_k`` in the columns after it and answers ``P(y_{k+1} = 1 | prefix)``.
    """

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.k_ = X.shape[1] - 1
        return self

    def predict_proba(self, X):
        vectors = np.array(list(self.table), dtype=float)
        proba = np.array(list(self.table.values()))
        prefixes = np.asarray(X)[:, 1:]
        match = np.all(prefixes[:, None, :] == vectors[None, :, : self.k_], axis=2)
        reach = match @ proba
        ones = match @ (proba * vectors[:, self.k_])
        # Unreachable prefixes (probability 0) get an arbitrary 1/2.
        p1 = np.divide(ones, reach, out=np.full(len(X), 0.5), where=reach > 0)
        return np.column_stack([1 - p1, p1])


def expected_f1(table, h):
    """Brute-force E[F1(y, h)] with F1(0, 0) = 1: the oracle for GFM."""
    h = np.asarray(h)
    total = 0.0
    for y, p in table.items():
        y = np.asarray(y)
        denominator = y.sum() + h.sum()
        total += p * (1.0 if denominator == 0 else 2 * (y @ h) / denominator)
    return total


def table_chain(table, **params):
    n_labels = len(next(iter(table)))
    Y = np.vstack([np.zeros(n_labels, int), np.ones(n_labels, int)])
    X = np.zeros((2, 1))
    chain = ProbabilisticClassifierChain(JointTableLink(table), **params)
    return chain.fit(X, Y), X[:1]


PAPER_TABLE = {(1, 1, 0): 0.4, (0, 0, 1): 0.3, (0, 1, 1): 0.3}


@pytest.mark.parametrize(
    "loss, expected",
    [("subset", [1, 1, 0]), ("hamming", [0, 1, 1]), ("f1", [1, 1, 1])],
)
@pytest.mark.parametrize("inference", ["exhaustive", "beam", "monte_carlo"])
def test_each_loss_picks_its_bayes_optimal_vector(loss, expected, inference):
    chain, X = table_chain(
        PAPER_TABLE, loss=loss, inference=inference, n_samples=20000, random_state=0
    )
    assert_array_equal(chain.predict(X), [expected])
    if inference != "monte_carlo":
        assert_allclose(chain.predict_proba(X), [[0.4, 0.7, 0.6]], atol=1e-12)


def test_gfm_choice_beats_every_vector_in_expected_f1():
    # On the table above GFM differs from both the mode and the marginals:
    # E[F1] is 0.71 for 111 against 0.70 for 011 (hamming) and 0.55 for 110.
    chain, X = table_chain(PAPER_TABLE, loss="f1")
    choice = chain.predict(X)[0]
    scores = {
        h: expected_f1(PAPER_TABLE, h) for h in itertools.product([0, 1], repeat=3)
    }
    assert_allclose(expected_f1(PAPER_TABLE, choice), max(scores.values()))
    assert expected_f1(PAPER_TABLE, choice) > expected_f1(PAPER_TABLE, [0, 1, 1])


@pytest.mark.parametrize("seed", range(8))
def test_decisions_match_brute_force_on_random_distributions(seed):
    rng = np.random.default_rng(seed)
    vectors = [tuple(v) for v in all_vectors(4)]
    # Sparse Dirichlet weights give peaked, far-from-independent tables.
    proba = rng.dirichlet(np.full(len(vectors), 0.3))
    table = dict(zip(vectors, proba, strict=True))
    decisions = {
        loss: table_chain(table, loss=loss, inference="exhaustive")[0].predict(
            np.zeros((1, 1))
        )[0]
        for loss in ["subset", "hamming", "f1"]
    }
    assert tuple(decisions["subset"]) == vectors[np.argmax(proba)]
    marginals = proba @ np.array(vectors)
    assert_array_equal(decisions["hamming"], marginals >= 0.5)
    best = max(expected_f1(table, h) for h in vectors)
    assert expected_f1(table, decisions["f1"]) == pytest.approx(best, abs=1e-12)


def test_gfm_predicts_empty_when_the_empty_set_dominates():
    table = {(0, 0, 0): 0.6, (1, 0, 0): 0.2, (0, 1, 1): 0.2}
    chain, X = table_chain(table, loss="f1")
    assert_array_equal(chain.predict(X), [[0, 0, 0]])
    p_zero, delta = _inference.size_marginals(
        np.array(list(table), dtype=np.uint8), np.array([list(table.values())])
    )
    labels, value = _inference.gfm(p_zero, delta)
    assert_array_equal(labels, [[0, 0, 0]])
    assert_allclose(value, [0.6])


# -- choice of inference, input formats, parallelism -------------------------


def test_exhaustive_is_refused_past_the_limit():
    X, Y = make_data(n_samples=60, n_labels=MAX_EXHAUSTIVE_LABELS + 1, seed=1)
    n_labels = Y.shape[1]
    exhaustive = ProbabilisticClassifierChain(
        LogisticRegression(), inference="exhaustive"
    )
    msg = f"limited to {MAX_EXHAUSTIVE_LABELS} labels; Y has {n_labels}.*'beam'"
    with pytest.raises(ValueError, match=msg):
        exhaustive.fit(X, Y)
    beam = clone(exhaustive).set_params(inference="beam").fit(X, Y)
    assert beam.predict(X).shape == (60, n_labels)
    with pytest.raises(ValueError, match=msg):
        beam.set_params(inference="exhaustive").predict(X)


@pytest.mark.parametrize(
    "n_labels, picked",
    [(4, "exhaustive"), (AUTO_EXHAUSTIVE_MAX_LABELS + 1, "beam")],
)
def test_auto_picks_exhaustive_for_few_labels_and_beam_beyond(n_labels, picked):
    X, Y = make_data(n_samples=80, n_labels=n_labels, seed=2)
    auto = ProbabilisticClassifierChain(LogisticRegression(), beam_width=3).fit(X, Y)
    results = {
        inference: clone(auto)
        .set_params(inference=inference)
        .fit(X, Y)
        .predict_proba(X)
        for inference in ["exhaustive", "beam"]
    }
    assert not np.allclose(results["exhaustive"], results["beam"])
    assert_array_equal(auto.predict_proba(X), results[picked])


@pytest.mark.parametrize("inference", ALL_INFERENCES)
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_array])
def test_sparse_X_gives_the_dense_results(data, inference, container):
    X, Y = data
    X = np.where(np.abs(X) > 1.0, X, 0.0)
    params = dict(inference=inference, n_samples=300, random_state=0, loss="f1")
    link = LogisticRegression(tol=1e-10)
    dense = ProbabilisticClassifierChain(link, **params).fit(X, Y)
    sparse = ProbabilisticClassifierChain(link, **params).fit(container(X), Y)
    assert_allclose(
        sparse.predict_proba(container(X)), dense.predict_proba(X), atol=1e-5
    )
    assert_array_equal(sparse.predict(container(X)), dense.predict(X))
    sparse_Y = clone(sparse).fit(container(X), container(Y))
    assert_array_equal(sparse_Y.predict(container(X)), sparse.predict(container(X)))
    assert_allclose(
        sparse.predict_joint_proba(container(X), Y),
        dense.predict_joint_proba(X, Y),
        atol=1e-5,
    )


def test_parallel_fit_gives_identical_results(data):
    X, Y = data
    serial = ProbabilisticClassifierChain(
        LogisticRegression(), order="random", random_state=0
    )
    parallel = clone(serial).set_params(n_jobs=2)
    assert_array_equal(
        parallel.fit(X, Y).predict_proba(X), serial.fit(X, Y).predict_proba(X)
    )


def test_random_order_is_reproducible(data):
    X, Y = data
    orders = [
        ProbabilisticClassifierChain(
            LogisticRegression(), order="random", random_state=seed
        )
        .fit(X, Y)
        .order_
        for seed in [7, 7, 8, 9, 10]
    ]
    assert_array_equal(orders[0], orders[1])
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)
    assert len({tuple(order) for order in orders}) > 1


def test_predictions_are_in_the_original_label_order(data):
    X, Y = data
    order = [3, 1, 0, 2]
    chain = ProbabilisticClassifierChain(LogisticRegression(), order=order).fit(X, Y)
    assert_array_equal(chain.order_, order)
    # A label whose column is shifted by a constant is predicted in its own column.
    Y_shifted = Y.copy()
    Y_shifted[:, 1] = 1
    chain.fit(X, Y_shifted)
    assert_array_equal(chain.predict(X)[:, 1], 1)
    assert_allclose(chain.predict_proba(X)[:, 1], 1.0)


@pytest.mark.parametrize("inference", ALL_INFERENCES)
def test_a_label_with_one_class_gets_a_constant_link(data, inference):
    X, Y = data
    Y = Y.copy()
    Y[:, 0] = 0
    chain = ProbabilisticClassifierChain(
        LogisticRegression(), inference=inference, random_state=0
    ).fit(X, Y)
    assert_array_equal(chain.predict_proba(X)[:, 0], 0.0)
    assert_array_equal(chain.predict(X)[:, 0], 0)
    assert_array_equal(chain.predict_joint_proba(X, np.ones_like(Y)), 0.0)


def test_chunked_inference_matches_one_block(data):
    from sklearn import config_context

    X, Y = data
    for inference in ["exhaustive", "beam"]:
        chain = ProbabilisticClassifierChain(
            LogisticRegression(), inference=inference, loss="f1"
        ).fit(X, Y)
        whole = chain.predict_proba(X), chain.predict(X)
        # A tiny working memory forces one row per block.
        with config_context(working_memory=1e-6):
            assert len(chain._row_blocks(X, 16)) == len(X)
            assert_allclose(chain.predict_proba(X), whole[0], atol=1e-12)
            assert_array_equal(chain.predict(X), whole[1])


# -- scikit-learn citizenship --------------------------------------------------


# f1_samples scores a row with no true and no predicted label 0 (and warns);
# GFM's convention, F1 = 1 there, is the one it optimises.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_grid_search_with_f1_samples(data):
    X, Y = data
    search = GridSearchCV(
        ProbabilisticClassifierChain(LogisticRegression()),
        {"loss": ["subset", "hamming", "f1"], "estimator__C": [0.1, 1.0]},
        scoring="f1_samples",
        cv=3,
    ).fit(X, Y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all((scores > 0.3) & (scores <= 1))
    assert search.best_estimator_.predict(X).dtype.kind == "i"
    # The F1-optimal rule is the best of the three losses for f1_samples.
    assert search.best_params_["loss"] == "f1"


@pytest.mark.parametrize("inference", ALL_INFERENCES)
def test_pickle_round_trip(data, inference):
    X, Y = data
    chain = ProbabilisticClassifierChain(
        LogisticRegression(), inference=inference, random_state=0
    ).fit(X, Y)
    restored = pickle.loads(pickle.dumps(chain))
    assert_array_equal(restored.predict(X), chain.predict(X))
    assert_array_equal(restored.predict_proba(X), chain.predict_proba(X))


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "Y, match",
    [
        (np.zeros(10), r"y must be a 2-D binary indicator matrix.*shape \(10,\)"),
        (
            np.tile([0, 1, 2], (10, 1)),
            "Only binary classification is supported.*0, 1, 2",
        ),
        (np.full((10, 2), 0.5), "got a continuous target"),
        (np.array([["a", "b"]] * 10), "Only binary classification is supported"),
    ],
)
def test_fit_rejects_a_Y_that_is_not_a_0_1_matrix(Y, match):
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match=match):
        ProbabilisticClassifierChain(LogisticRegression()).fit(X, Y)


@pytest.mark.parametrize(
    "order", [[0, 0, 1, 2], [0, 1, 2], [0, 1, 2, 4], [0.0, 1.0, 2.0, 3.0]]
)
def test_fit_rejects_an_order_that_is_not_a_permutation(data, order):
    X, Y = data
    chain = ProbabilisticClassifierChain(LogisticRegression(), order=order)
    with pytest.raises(ValueError, match=r"order must be a permutation of range\(4\)"):
        chain.fit(X, Y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"inference": "viterbi"}, "'inference' parameter"),
        ({"loss": "jaccard"}, "'loss' parameter"),
        ({"beam_width": 0}, "'beam_width' parameter"),
        ({"n_samples": 0}, "'n_samples' parameter"),
        ({"order": "reverse"}, "'order' parameter"),
        ({"estimator": LinearSVC()}, "'estimator' parameter.*predict_proba"),
    ],
)
def test_invalid_parameters_are_named(data, params, match):
    X, Y = data
    chain = ProbabilisticClassifierChain(LogisticRegression()).set_params(**params)
    with pytest.raises(InvalidParameterError, match=match):
        chain.fit(X, Y)


def test_predict_joint_proba_rejects_bad_Y(chain, data):
    X, Y = data
    with pytest.raises(
        ValueError,
        match=r"Y must have shape \(n_samples, n_labels\) = \(5, 4\).*\(5, 3\)",
    ):
        chain.predict_joint_proba(X[:5], Y[:5, :3])
    with pytest.raises(
        ValueError, match=r"shape \(n_samples, n_labels\) = \(5, 4\).*\(4, 4\)"
    ):
        chain.predict_joint_proba(X[:5], Y[:4])
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        chain.predict_joint_proba(X[:5], 2 * Y[:5])


def test_predict_checks_fitted_and_number_of_features(data):
    X, Y = data
    chain = ProbabilisticClassifierChain(LogisticRegression())
    with pytest.raises(NotFittedError):
        chain.predict(X)
    chain.fit(X, Y)
    with pytest.raises(
        ValueError,
        match="X has 5 features, but ProbabilisticClassifierChain is expecting 6",
    ):
        chain.predict_proba(X[:, :5])


def test_integer_sample_weights_equal_repeated_rows(data):
    X, Y = data
    weights = np.arange(len(X)) % 3  # 0, 1 or 2 copies of each row
    rows = np.repeat(np.arange(len(X)), weights)
    link = LogisticRegression(tol=1e-10, max_iter=10_000)
    weighted = ProbabilisticClassifierChain(link).fit(X, Y, sample_weight=weights)
    repeated = ProbabilisticClassifierChain(link).fit(X[rows], Y[rows])
    assert_allclose(
        weighted.predict_joint_proba(X, Y),
        repeated.predict_joint_proba(X, Y),
        rtol=1e-5,
    )


def test_inference_attribute_says_what_auto_resolved_to(data):
    X, Y = data  # 4 labels: exhaustive
    assert ProbabilisticClassifierChain(LogisticRegression()).fit(X, Y).inference_ == (
        "exhaustive"
    )
    wide = np.tile(Y, 3)  # 12 labels: beam search
    chain = ProbabilisticClassifierChain(LogisticRegression()).fit(X, wide)
    assert chain.inference_ == "beam"


def test_sample_weight_with_a_link_that_cannot_take_it(data):
    X, Y = data
    from sklearn.neighbors import KNeighborsClassifier

    chain = ProbabilisticClassifierChain(KNeighborsClassifier())
    with pytest.raises(ValueError, match="KNeighborsClassifier does not accept it"):
        chain.fit(X, Y, sample_weight=np.ones(len(X)))
