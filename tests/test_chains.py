"""Classifier/regressor chains and ensembles of classifier chains.

scikit-learn's chains are the oracle: configured the same way, skmtl's chains
give the same numbers, bit for bit.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import multioutput
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

from skmtl.multilabel import ClassifierChain, EnsembleClassifierChain, RegressorChain
from skmtl.multilabel._ensemble import _SingleClassFallback

METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]


def multilabel(n_samples=80, n_labels=4, seed=0):
    return make_multilabel_classification(
        n_samples=n_samples,
        n_features=6,
        n_classes=n_labels,
        allow_unlabeled=False,
        random_state=seed,
    )


def to_sparse(X, sparse):
    return sp.csr_matrix(X) if sparse else X


# --------------------------------------------------------------------------
# Equality with scikit-learn
# --------------------------------------------------------------------------


def assert_same_chain(ours, theirs, X, methods):
    np.testing.assert_array_equal(ours.order_, theirs.order_)
    for a, b in zip(ours.classes_, theirs.classes_, strict=True):
        np.testing.assert_array_equal(a, b)
    for method in methods:
        np.testing.assert_array_equal(
            getattr(ours, method)(X), getattr(theirs, method)(X), err_msg=method
        )


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("cv", [None, 3, KFold(3, shuffle=True, random_state=0)])
@pytest.mark.parametrize("order", [None, [3, 1, 0, 2], "random"])
@pytest.mark.parametrize("chain_method", METHODS)
def test_classifier_chain_equals_sklearn_logistic(chain_method, order, cv, sparse):
    X, Y = multilabel()
    X = to_sparse(X, sparse)
    params = dict(order=order, cv=cv, chain_method=chain_method, random_state=3)
    link = LogisticRegression(C=0.5)
    ours = ClassifierChain(link, **params).fit(X, Y)
    theirs = multioutput.ClassifierChain(link, **params).fit(X, Y)
    assert ours.chain_method_ == theirs.chain_method_ == chain_method
    assert_same_chain(
        ours,
        theirs,
        X,
        ["predict", "predict_proba", "predict_log_proba", "decision_function"],
    )


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize("order", [None, "random"])
@pytest.mark.parametrize("chain_method", ["predict", "predict_proba"])
def test_classifier_chain_equals_sklearn_tree(chain_method, order, cv, sparse):
    X, Y = multilabel(seed=1)
    X = to_sparse(X, sparse)
    params = dict(order=order, cv=cv, chain_method=chain_method, random_state=0)
    link = DecisionTreeClassifier(max_depth=3, random_state=0)
    ours = ClassifierChain(link, **params).fit(X, Y)
    theirs = multioutput.ClassifierChain(link, **params).fit(X, Y)
    assert_same_chain(ours, theirs, X, ["predict", "predict_proba"])


def test_chain_method_list_takes_the_first_method_the_link_has():
    X, Y = multilabel()
    link = DecisionTreeClassifier(max_depth=2, random_state=0)
    preference = ["decision_function", "predict_proba", "predict"]
    ours = ClassifierChain(link, chain_method=preference).fit(X, Y)
    theirs = multioutput.ClassifierChain(link, chain_method=preference).fit(X, Y)
    assert ours.chain_method_ == "predict_proba"
    assert_same_chain(ours, theirs, X, ["predict", "predict_proba"])


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize("order", [None, [2, 0, 1], "random"])
@pytest.mark.parametrize("link", [Ridge(alpha=0.5), LinearRegression()])
def test_regressor_chain_equals_sklearn(link, order, cv, sparse):
    X, Y = make_regression(
        n_samples=50, n_features=5, n_targets=3, noise=1.0, random_state=0
    )
    X = to_sparse(X, sparse)
    params = dict(order=order, cv=cv, random_state=2)
    ours = RegressorChain(link, **params).fit(X, Y)
    theirs = multioutput.RegressorChain(link, **params).fit(X, Y)
    np.testing.assert_array_equal(ours.order_, theirs.order_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict(X).dtype == np.float64


def test_predict_is_an_integer_0_1_matrix_with_sklearns_values():
    X, Y = multilabel()
    ours = ClassifierChain(LogisticRegression(), order="random", random_state=0)
    predicted = ours.fit(X, Y.astype(float)).predict(X)
    assert predicted.shape == Y.shape
    assert predicted.dtype.kind == "i"
    assert set(np.unique(predicted)) <= {0, 1}
    theirs = multioutput.ClassifierChain(
        LogisticRegression(), order="random", random_state=0
    ).fit(X, Y.astype(float))
    np.testing.assert_array_equal(predicted, theirs.predict(X))


def test_predict_proba_is_chain_conditional_and_in_label_order():
    X, Y = multilabel(n_labels=3)
    chain = ClassifierChain(LogisticRegression(), order=[2, 0, 1]).fit(X, Y)
    first, second, third = chain.estimators_
    p2 = first.predict_proba(X)[:, 1]
    y2 = first.predict(X)
    p0 = second.predict_proba(np.c_[X, y2])[:, 1]
    y0 = second.predict(np.c_[X, y2])
    p1 = third.predict_proba(np.c_[X, y2, y0])[:, 1]
    np.testing.assert_allclose(chain.predict_proba(X), np.c_[p0, p1, p2], rtol=1e-12)
    np.testing.assert_array_equal(
        chain.predict(X), np.c_[y0, third.predict(np.c_[X, y2, y0]), y2]
    )


def test_single_class_label_behaves_as_in_sklearn():
    X, Y = multilabel(n_labels=3)
    Y[:, 1] = 0
    tree = DecisionTreeClassifier(random_state=0)
    ours = ClassifierChain(tree).fit(X, Y)
    theirs = multioutput.ClassifierChain(tree).fit(X, Y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_array_equal(ours.classes_[1], [0])
    with pytest.raises(ValueError, match="two classes"):
        theirs.predict_proba(X)
    with pytest.raises(ValueError, match=r"link of label 1 .* single class"):
        ours.predict_proba(X)
    for chain in (ClassifierChain, multioutput.ClassifierChain):
        with pytest.raises(ValueError, match="only one class"):
            chain(LogisticRegression()).fit(X, Y)


def test_fitted_attributes_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, Y = multilabel(n_labels=3)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = pd.DataFrame(Y, columns=["a", "b", "c"])
    for model in (
        ClassifierChain(LogisticRegression()),
        EnsembleClassifierChain(LogisticRegression(), n_chains=2, random_state=0),
    ):
        model.fit(frame, labels)
        assert model.n_features_in_ == X.shape[1]
        np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
        on_arrays = clone(model).fit(X, Y)
        np.testing.assert_array_equal(model.predict(frame), on_arrays.predict(X))
        with pytest.raises(ValueError, match="feature names"):
            model.predict(frame.rename(columns={"f0": "other"}))


def test_missing_features_are_left_to_links_that_handle_them():
    X, Y = multilabel()
    X[::7, 2] = np.nan
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    for model in (ClassifierChain(tree), EnsembleClassifierChain(tree, n_chains=2)):
        assert get_tags(model).input_tags.allow_nan
        assert model.fit(X, Y).predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ClassifierChain(LogisticRegression()).fit(X, Y)


def test_verbose_reports_every_link(capsys):
    X, Y = multilabel(n_labels=3)
    ClassifierChain(LogisticRegression(), order=[1, 2, 0], verbose=True).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "[Chain] (1 of 3) label 1",
        "[Chain] (2 of 3) label 2",
        "[Chain] (3 of 3) label 0",
    ]


def test_tags():
    chain_tags = get_tags(ClassifierChain(LogisticRegression()))
    assert chain_tags.target_tags.multi_output
    assert not chain_tags.target_tags.single_output
    assert chain_tags.classifier_tags.multi_label
    assert not chain_tags.classifier_tags.multi_class
    assert chain_tags.input_tags.sparse
    assert not get_tags(ClassifierChain(KNeighborsClassifier())).input_tags.allow_nan
    ecc_tags = get_tags(EnsembleClassifierChain(LogisticRegression()))
    assert ecc_tags.classifier_tags.multi_label
    assert not ecc_tags.target_tags.single_output
    assert get_tags(RegressorChain(Ridge())).target_tags.multi_output


# --------------------------------------------------------------------------
# Inputs the estimator checks cannot give us (they use labels {1, 2})
# --------------------------------------------------------------------------

ALL_CLASSIFIERS = [
    ClassifierChain(LogisticRegression()),
    ClassifierChain(LogisticRegression(), cv=3, chain_method="predict_proba"),
    EnsembleClassifierChain(LogisticRegression(), n_chains=3, random_state=0),
]


@pytest.mark.parametrize("model", ALL_CLASSIFIERS, ids=repr)
def test_feature_dtypes_and_a_single_feature(model):
    X, Y = multilabel()
    reference = clone(model).fit(X, Y).predict(X)
    for dtype in (np.float32, np.int64, np.int32):
        predicted = clone(model).fit(X.astype(dtype), Y).predict(X.astype(dtype))
        np.testing.assert_array_equal(predicted, reference)
    one = clone(model).fit(X[:, :1], Y)
    assert one.predict(X[:, :1]).shape == Y.shape


@pytest.mark.parametrize("model", ALL_CLASSIFIERS, ids=repr)
def test_sample_weight_forms_shape_and_no_overwrite(model):
    pd = pytest.importorskip("pandas")
    X, Y = multilabel()
    weight = np.random.default_rng(0).uniform(0.5, 2.0, size=len(X))
    kept = weight.copy()
    reference = clone(model).fit(X, Y, sample_weight=weight).predict_proba(X)
    np.testing.assert_array_equal(weight, kept)
    unweighted = clone(model).fit(X, Y).predict_proba(X)
    assert not np.allclose(reference, unweighted)
    for form in (weight.tolist(), pd.Series(weight)):
        again = clone(model).fit(X, Y, sample_weight=form).predict_proba(X)
        np.testing.assert_allclose(again, reference, rtol=1e-12)
    with pytest.raises(ValueError, match="sample_weight"):
        clone(model).fit(X, Y, sample_weight=weight[:-1])


def test_integer_sample_weight_equals_repeated_rows():
    X, Y = multilabel()
    repeats = np.random.default_rng(1).integers(1, 3, size=len(X))
    weighted = ClassifierChain(LogisticRegression(tol=1e-10, max_iter=10_000)).fit(
        X, Y, sample_weight=repeats.astype(float)
    )
    repeated = ClassifierChain(LogisticRegression(tol=1e-10, max_iter=10_000)).fit(
        np.repeat(X, repeats, axis=0), np.repeat(Y, repeats, axis=0)
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6
    )


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

CLASSIFIER_FACTORIES = [
    lambda **kw: ClassifierChain(LogisticRegression(), **kw),
    lambda **kw: EnsembleClassifierChain(LogisticRegression(), n_chains=2, **kw),
]


@pytest.mark.parametrize("make", CLASSIFIER_FACTORIES, ids=["chain", "ecc"])
def test_label_matrix_errors(make):
    X, Y = multilabel(n_labels=3)
    with pytest.raises(ValueError, match=r"2-D label matrix .* shape \(80,\)"):
        make().fit(X, Y[:, 0])
    bad = Y.copy()
    bad[0, 1] = 2
    with pytest.raises(ValueError, match=r"0/1 labels .* \[0, 1, 2\]"):
        make().fit(X, bad)
    with pytest.raises(ValueError, match="0/1 labels"):
        make().fit(X, np.where(Y == 1, "yes", "no"))
    with pytest.raises(ValueError, match="NaN"):
        make().fit(X, np.where(Y == 1, np.nan, 0.0))


@pytest.mark.parametrize("make", CLASSIFIER_FACTORIES, ids=["chain", "ecc"])
@pytest.mark.parametrize("order", [[0, 0, 1], [0, 1], [0, 1, 3], [0.0, 1.0, 2.0]])
def test_order_must_be_a_permutation(make, order):
    X, Y = multilabel(n_labels=3)
    with pytest.raises(ValueError, match=r"order must be a permutation of range\(3\)"):
        make(order=order).fit(X, Y)


def test_regressor_chain_errors():
    X, Y = make_regression(n_samples=30, n_targets=2, random_state=0)
    with pytest.raises(ValueError, match=r"2-D target matrix .* shape \(30,\)"):
        RegressorChain(Ridge()).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="order must be a permutation"):
        RegressorChain(Ridge(), order=[1, 1]).fit(X, Y)


def test_parameter_and_link_errors():
    X, Y = multilabel(n_labels=3)
    with pytest.raises(InvalidParameterError, match="chain_method"):
        ClassifierChain(LogisticRegression(), chain_method="proba").fit(X, Y)
    with pytest.raises(ValueError, match="chain_method must be one of"):
        ClassifierChain(LogisticRegression(), chain_method=["proba"]).fit(X, Y)
    with pytest.raises(ValueError, match="LinearSVC has none of these methods"):
        ClassifierChain(LinearSVC(), chain_method="predict_proba").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="estimator"):
        ClassifierChain("logistic").fit(X, Y)
    with pytest.raises(ValueError, match="KNeighborsClassifier does not accept"):
        ClassifierChain(KNeighborsClassifier()).fit(X, Y, sample_weight=np.ones(80))
    ecc = EnsembleClassifierChain(KNeighborsClassifier())
    with pytest.raises(ValueError, match="KNeighborsClassifier does not accept"):
        ecc.fit(X, Y, sample_weight=np.ones(80))
    for bad in (dict(threshold=1.5), dict(n_chains=0), dict(max_samples=0.0)):
        with pytest.raises(InvalidParameterError, match=next(iter(bad))):
            EnsembleClassifierChain(LogisticRegression(), **bad).fit(X, Y)
    with pytest.raises(ValueError, match="max_samples=81 is more than the 80 rows"):
        EnsembleClassifierChain(LogisticRegression(), max_samples=81).fit(X, Y)
    with pytest.raises(AttributeError, match="predict_proba"):
        ClassifierChain(LinearSVC()).fit(X, Y).predict_proba(X)


# --------------------------------------------------------------------------
# Ensembles of classifier chains
# --------------------------------------------------------------------------


def ecc(**params):
    defaults = dict(n_chains=4, max_samples=0.7, random_state=0)
    return EnsembleClassifierChain(LogisticRegression(), **{**defaults, **params})


def test_ecc_is_reproducible_and_depends_on_random_state():
    X, Y = multilabel()
    a, b, c = ecc().fit(X, Y), ecc().fit(X, Y), ecc(random_state=1).fit(X, Y)
    np.testing.assert_array_equal(a.orders_, b.orders_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.orders_, c.orders_)
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))
    for order in a.orders_:
        assert sorted(order) == [0, 1, 2, 3]
    assert len({tuple(order) for order in a.orders_}) > 1


def test_ecc_does_not_depend_on_n_jobs():
    X, Y = multilabel()
    serial = ecc(n_jobs=1).fit(X, Y)
    parallel = ecc(n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(serial.orders_, parallel.orders_)
    for rows, other in zip(
        serial.estimators_samples_, parallel.estimators_samples_, strict=True
    ):
        np.testing.assert_array_equal(rows, other)
    np.testing.assert_array_equal(serial.predict_proba(X), parallel.predict_proba(X))
    np.testing.assert_array_equal(serial.predict(X), parallel.predict(X))


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_ecc_with_one_chain_on_all_rows_is_a_classifier_chain(sparse):
    X, Y = multilabel()
    X = to_sparse(X, sparse)
    single = EnsembleClassifierChain(
        LogisticRegression(), n_chains=1, order=[2, 3, 0, 1], random_state=5
    ).fit(X, Y)
    chain = ClassifierChain(LogisticRegression(), order=[2, 3, 0, 1]).fit(X, Y)
    np.testing.assert_array_equal(single.estimators_samples_[0], np.arange(80))
    np.testing.assert_array_equal(single.predict_proba(X), chain.predict_proba(X))
    np.testing.assert_array_equal(single.predict(X), chain.predict(X))


def test_each_chain_is_a_classifier_chain_on_its_order_rows_and_weights():
    X, Y = multilabel()
    weight = np.random.default_rng(0).uniform(0.5, 2.0, size=len(X))
    model = ecc(bootstrap=True).fit(X, Y, sample_weight=weight)
    for chain, order, rows in zip(
        model.estimators_, model.orders_, model.estimators_samples_, strict=True
    ):
        alone = ClassifierChain(LogisticRegression(), order=order)
        alone.fit(X[rows], Y[rows], sample_weight=weight[rows])
        np.testing.assert_array_equal(chain.predict_proba(X), alone.predict_proba(X))


def test_ecc_fixed_order_is_used_by_every_chain():
    X, Y = multilabel()
    model = ecc(order=[3, 2, 1, 0]).fit(X, Y)
    np.testing.assert_array_equal(model.orders_, np.tile([3, 2, 1, 0], (4, 1)))
    for chain in model.estimators_:
        np.testing.assert_array_equal(chain.order_, [3, 2, 1, 0])


def test_ecc_predict_proba_is_the_mean_of_its_chains():
    X, Y = multilabel()
    model = ecc().fit(X, Y)
    manual = np.mean([chain.predict_proba(X) for chain in model.estimators_], axis=0)
    np.testing.assert_array_equal(model.predict_proba(X), manual)
    # every chain reports its probabilities in the column order of Y
    for chain, order in zip(model.estimators_, model.orders_, strict=True):
        first_link = chain.estimators_[0]
        np.testing.assert_allclose(
            chain.predict_proba(X)[:, order[0]],
            first_link.predict_proba(X)[:, 1],
            rtol=1e-12,
        )
    np.testing.assert_array_equal(model.predict(X), (manual >= 0.5).astype(int))


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.8, 1.0])
def test_ecc_threshold(threshold):
    X, Y = multilabel()
    model = ecc(threshold=threshold).fit(X, Y)
    proba = model.predict_proba(X)
    predicted = model.predict(X)
    assert predicted.dtype.kind == "i"
    np.testing.assert_array_equal(predicted, (proba >= threshold).astype(int))
    if threshold == 0.0:
        assert predicted.all()


def test_ecc_rows_without_and_with_replacement():
    X, Y = multilabel()
    plain = ecc(max_samples=0.5).fit(X, Y)
    for rows in plain.estimators_samples_:
        assert len(rows) == 40
        assert len(np.unique(rows)) == 40
    counted = ecc(max_samples=30).fit(X, Y)
    assert {len(rows) for rows in counted.estimators_samples_} == {30}
    full_bootstrap = ecc(max_samples=1.0, bootstrap=True).fit(X, Y)
    no_bootstrap = ecc(max_samples=1.0).fit(X, Y)
    for rows, plain_rows in zip(
        full_bootstrap.estimators_samples_,
        no_bootstrap.estimators_samples_,
        strict=True,
    ):
        assert len(rows) == 80
        assert len(np.unique(rows)) < 80  # repeats
        np.testing.assert_array_equal(plain_rows, np.arange(80))
    assert not np.allclose(
        full_bootstrap.predict_proba(X), no_bootstrap.predict_proba(X)
    )


def test_ecc_survives_single_class_subsamples():
    X, Y = multilabel(n_labels=3)
    Y[:, 1] = 0
    Y[5, 1] = 1  # one positive row: most subsamples never see it
    with pytest.raises(ValueError, match="only one class"):
        keep = np.arange(80) != 5
        ClassifierChain(LogisticRegression()).fit(X[keep], Y[keep])
    model = ecc(n_chains=6, max_samples=0.3).fit(X, Y)
    links = [
        (chain.estimators_[list(order).index(1)], rows)
        for chain, order, rows in zip(
            model.estimators_, model.orders_, model.estimators_samples_, strict=True
        )
    ]
    constants = [link for link, rows in links if 5 not in rows]
    assert constants, "some subsample must miss the only positive row"
    for link in constants:
        assert isinstance(link, _SingleClassFallback)
        assert link.estimator_ is None and link.constant_ == 0
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all()
    # the constant links say P(label 1) = 0: the mean is at most the share of
    # chains that saw the positive row
    assert proba[:, 1].max() <= 1 - len(constants) / 6 + 1e-12
    np.testing.assert_array_equal(model.classes_[1], [0, 1])


def test_constant_link_probabilities():
    X = np.zeros((4, 2))
    for value in (0, 1):
        link = _SingleClassFallback(LogisticRegression()).fit(X, np.full(4, value))
        np.testing.assert_array_equal(link.predict(X), np.full(4, value))
        np.testing.assert_array_equal(link.predict_proba(X)[:, 1], np.full(4, value))
        np.testing.assert_array_equal(link.classes_, [0, 1])


def test_ecc_label_constant_in_the_whole_training_set():
    X, Y = multilabel(n_labels=3)
    Y[:, 2] = 1
    model = ecc().fit(X, Y)
    np.testing.assert_array_equal(model.predict_proba(X)[:, 2], 1.0)
    np.testing.assert_array_equal(model.classes_[2], [1])


def test_ecc_with_links_without_predict_proba_votes():
    X, Y = multilabel()
    model = EnsembleClassifierChain(LinearSVC(), n_chains=5, random_state=0).fit(X, Y)
    assert not hasattr(model, "predict_proba")
    votes = np.mean([chain.predict(X) for chain in model.estimators_], axis=0)
    np.testing.assert_array_equal(model.predict(X), (votes >= 0.5).astype(int))


def test_ecc_sparse_input_matches_dense():
    X, Y = multilabel()
    dense = ecc().fit(X, Y)
    sparse = ecc().fit(sp.csr_matrix(X), Y)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-5
    )  # lbfgs stops at its tolerance along a different path on sparse input


# --------------------------------------------------------------------------
# scikit-learn citizenship
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scoring", ["f1_samples", "jaccard_samples", "accuracy"])
@pytest.mark.parametrize(
    "model",
    [
        ClassifierChain(LogisticRegression()),
        EnsembleClassifierChain(LogisticRegression(), n_chains=3, random_state=0),
    ],
    ids=["chain", "ecc"],
)
def test_grid_search_over_the_link(model, scoring):
    X, Y = multilabel(n_samples=100)
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(
        model,
        {"estimator__C": [0.01, 1.0]},
        scoring=scoring,
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X, Y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    assert scores[1] > scores[0]  # C=0.01 all but ignores the features
    assert search.best_params_ == {"estimator__C": 1.0}
    assert search.predict(X).shape == Y.shape


def test_pipeline_and_grid_search_for_the_regressor_chain():
    X, Y = make_regression(n_samples=60, n_targets=3, noise=5.0, random_state=0)
    pipe = make_pipeline(StandardScaler(), RegressorChain(Ridge()))
    search = GridSearchCV(pipe, {"regressorchain__estimator__alpha": [0.1, 1e4]})
    search.fit(X, Y)
    assert search.best_params_ == {"regressorchain__estimator__alpha": 0.1}


@pytest.mark.parametrize(
    "model",
    [
        ClassifierChain(LogisticRegression(), order="random", random_state=0),
        RegressorChain(Ridge(), order=[2, 0, 1, 3]),
        EnsembleClassifierChain(LogisticRegression(), n_chains=3, random_state=0),
    ],
    ids=repr,
)
def test_pickle_clone_and_params(model):
    X, Y = multilabel()
    fitted = clone(model).fit(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    fresh = clone(fitted)
    assert not hasattr(fresh, "estimators_")
    assert fresh.get_params()["estimator"] is not fitted.estimator
    assert fresh.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    fresh.set_params(order=None, estimator=clone(model.estimator))
    assert fresh.order is None and model.order is not None


class _LabelsetStratifiedKFold:
    """A multilabel-stratified splitter: folds stratified on the label vectors
    (label powerset; rare vectors pooled), like iterative stratification it
    needs the 2-D ``y`` in ``split``."""

    def __init__(self, n_splits):
        self.n_splits = n_splits

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.n_splits

    def split(self, X, y, groups=None):
        from sklearn.model_selection import StratifiedKFold

        y = np.asarray(y)
        assert y.ndim == 2, "a multilabel-stratified splitter needs the label matrix"
        _, codes, counts = np.unique(y, axis=0, return_inverse=True, return_counts=True)
        codes = np.where(counts[codes] >= self.n_splits, codes, -1)
        if 0 < np.sum(codes == -1) < self.n_splits:  # too few to pool apart
            codes[codes == -1] = np.bincount(codes[codes >= 0]).argmax()
        folds = StratifiedKFold(self.n_splits, shuffle=True, random_state=0)
        return folds.split(X, codes)


@pytest.mark.parametrize(
    "model",
    [
        ClassifierChain(LogisticRegression()),
        EnsembleClassifierChain(LogisticRegression(), n_chains=3, random_state=0),
    ],
)
def test_grid_search_with_a_multilabel_stratified_splitter(model):
    from skmtl.multilabel import ProbabilisticClassifierChain

    X, Y = multilabel(n_samples=120)
    X = StandardScaler().fit_transform(X)
    for estimator in (model, ProbabilisticClassifierChain(LogisticRegression())):
        search = GridSearchCV(
            estimator,
            {"estimator__C": [0.01, 1.0]},
            scoring="jaccard_samples",
            cv=_LabelsetStratifiedKFold(3),
        ).fit(X, Y)
        assert np.isfinite(search.cv_results_["mean_test_score"]).all()
        assert search.best_params_ == {"estimator__C": 1.0}
