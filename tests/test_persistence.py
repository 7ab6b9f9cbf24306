"""Determinism and persistence of every public estimator.

Two fits on the same inputs give bit-identical fitted models, and a fitted
model comes back from :mod:`pickle` and from skops (the ``persist`` extra)
with bit-identical predictions and fitted attributes. Every comparison is
exact (``np.array_equal``), never ``allclose``: a model saved and loaded, or
fitted twice, is the same model.

The skops tests also pin the types a user must trust to load a model:
:data:`SKOPS_TRUSTED_TYPES`. A type that skops newly reports as untrusted
(a new fitted attribute holding an object of a new class, say) fails here
until it is added there *and* to ``docs/user_guide/persistence.rst``, which
tells users what they trust.
"""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from ._estimators import CHAINS, KERNELS, LINEAR, make_data, public_estimator_names

PERSISTENCE_PAGE = (
    Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "persistence.rst"
)

# What ``skops.io.get_untrusted_types`` may report for the registry's
# estimators. skops trusts NumPy arrays and scalars, the builtins and
# scikit-learn's own estimators (the chains' ``LogisticRegression`` and
# ``Ridge`` links) by default, so only skmtl's classes are left: the
# estimators, the penalties given to ``MultiTaskLinearModel``, and two private
# links the chains store (``_SingleClassFallback`` in every chain of
# ``EnsembleClassifierChain``, ``_ConstantLink`` for a label with one class
# in ``ProbabilisticClassifierChain``).
SKOPS_TRUSTED_TYPES = frozenset(
    {
        "skmtl.linear_model._clustered.ClusteredClassifier",
        "skmtl.linear_model._clustered.ClusteredRegressor",
        "skmtl.linear_model._decomposition.DirtyClassifier",
        "skmtl.linear_model._decomposition.DirtyRegressor",
        "skmtl.linear_model._decomposition.RobustFeatureLearningClassifier",
        "skmtl.linear_model._decomposition.RobustFeatureLearningRegressor",
        "skmtl.linear_model._decomposition.RobustLowRankClassifier",
        "skmtl.linear_model._decomposition.RobustLowRankRegressor",
        "skmtl.linear_model._feature_learning.FeatureLearningClassifier",
        "skmtl.linear_model._feature_learning.FeatureLearningRegressor",
        "skmtl.linear_model._fused.FusedSparseGroupClassifier",
        "skmtl.linear_model._fused.FusedSparseGroupRegressor",
        "skmtl.linear_model._base.MultiTaskLinearModel",
        "skmtl.kernel_ridge._kernel_ridge.MultiTaskKernelClassifier",
        "skmtl.kernel_ridge._kernel_ridge.MultiTaskKernelRidge",
        "skmtl.linear_model._graph.GraphRegularizedClassifier",
        "skmtl.linear_model._graph.GraphRegularizedRegressor",
        "skmtl.linear_model._graph.TemporalGroupClassifier",
        "skmtl.linear_model._graph.TemporalGroupRegressor",
        "skmtl.linear_model._l21.L21Classifier",
        "skmtl.linear_model._l21.L21Regressor",
        "skmtl.linear_model._cv.FeatureLearningClassifierCV",
        "skmtl.linear_model._cv.FeatureLearningRegressorCV",
        "skmtl.linear_model._cv.FusedSparseGroupClassifierCV",
        "skmtl.linear_model._cv.FusedSparseGroupRegressorCV",
        "skmtl.linear_model._cv.GraphRegularizedClassifierCV",
        "skmtl.linear_model._cv.GraphRegularizedRegressorCV",
        "skmtl.linear_model._cv.L21ClassifierCV",
        "skmtl.linear_model._cv.L21RegressorCV",
        "skmtl.linear_model._cv.LassoClassifierCV",
        "skmtl.linear_model._cv.LassoRegressorCV",
        "skmtl.linear_model._cv.MeanRegularizedClassifierCV",
        "skmtl.linear_model._cv.MeanRegularizedRegressorCV",
        "skmtl.linear_model._cv.SparseGroupClassifierCV",
        "skmtl.linear_model._cv.SparseGroupRegressorCV",
        "skmtl.linear_model._cv.TemporalGroupClassifierCV",
        "skmtl.linear_model._cv.TemporalGroupRegressorCV",
        "skmtl.linear_model._cv.TraceNormClassifierCV",
        "skmtl.linear_model._cv.TraceNormRegressorCV",
        "skmtl.linear_model._lasso.LassoClassifier",
        "skmtl.linear_model._lasso.LassoRegressor",
        "skmtl.linear_model._mean_regularized.MeanRegularizedClassifier",
        "skmtl.linear_model._mean_regularized.MeanRegularizedRegressor",
        "skmtl.linear_model._sparse_group.SparseGroupClassifier",
        "skmtl.linear_model._sparse_group.SparseGroupRegressor",
        "skmtl.linear_model._trace_norm.TraceNormClassifier",
        "skmtl.linear_model._trace_norm.TraceNormRegressor",
        "skmtl.multilabel._chain.ClassifierChain",
        "skmtl.multilabel._chain.RegressorChain",
        "skmtl.multilabel._ensemble.EnsembleClassifierChain",
        "skmtl.multilabel._ensemble._SingleClassFallback",
        "skmtl.multilabel._probabilistic.ProbabilisticClassifierChain",
        "skmtl.multilabel._probabilistic._ConstantLink",
        "skmtl.penalties._l21.L21",
        "skmtl.penalties._mean.MeanRegularization",
    }
)

# The methods whose output must survive a round trip, where the estimator has
# them (``hasattr`` honours scikit-learn's ``available_if``).
OUTPUT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def _cases():
    """``pytest.param(name, layout)`` for every registry estimator and layout."""
    cases = [
        pytest.param(name, layout, id=f"{name}-{layout}")
        for name in [*LINEAR, *KERNELS]
        for layout in ("indexed", "shared")
    ]
    cases += [pytest.param(name, "shared", id=f"{name}-shared") for name in CHAINS]
    return cases


CASES = _cases()


def _problem(name, layout):
    """A fresh unfitted estimator and its ``(X, y)`` for ``layout``."""
    if name in CHAINS:
        kind, factory = CHAINS[name]
        estimator = factory()
    else:
        kind, factory = {**LINEAR, **KERNELS}[name]
        estimator = factory(4, task_column=0 if layout == "indexed" else None)
    X, y = make_data(kind, layout)
    return estimator, X, y


def _outputs(estimator, X, y):
    """Every prediction the fitted estimator offers on ``X``, by method name.

    ``predict_joint_proba`` of the probabilistic chain is asked for the
    probability of the training label vectors ``y``.
    """
    outputs = {
        method: getattr(estimator, method)(X)
        for method in OUTPUT_METHODS
        if hasattr(estimator, method)
    }
    if hasattr(estimator, "predict_joint_proba"):
        outputs["predict_joint_proba"] = estimator.predict_joint_proba(X, y)
    return outputs


def _assert_identical(a, b, where="estimator"):
    """``a`` and ``b`` hold the same values, bit for bit, recursively.

    Arrays must agree in type, dtype, shape and every entry (``NaN`` equal to
    ``NaN``); objects (estimators, links) in type and in every entry of their
    ``__dict__``, so a fitted model is compared with all its fitted
    attributes, the links of a chain included.
    """
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
        nan_equal = a.dtype.kind in "fc"
        assert np.array_equal(a, b, equal_nan=nan_equal), f"{where} differs"
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), f"{where}: keys {a.keys()} != {b.keys()}"
        for key in a:
            _assert_identical(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), f"{where}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, float | np.floating):
        assert a == b or (np.isnan(a) and np.isnan(b)), f"{where}: {a} != {b}"
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        _assert_identical(vars(a), vars(b), where)
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _assert_same_model(fitted, other, X, y):
    """``other`` predicts what ``fitted`` does and holds the same state.

    The state is the whole ``__dict__``: the parameters and every fitted
    attribute (``coef_``, ``intercept_``, ``tasks_``, ``classes_``, the
    links of a chain...), compared with :func:`_assert_identical`.
    """
    before, after = _outputs(fitted, X, y), _outputs(other, X, y)
    assert before.keys() == after.keys()
    for method in before:
        _assert_identical(before[method], after[method], method)
    _assert_identical(fitted, other)


def test_cases_cover_every_public_estimator():
    """The matrix below runs over every public estimator class of skmtl."""
    functions = {"l21_path", "l21_alpha_max", "regularization_path"}
    covered = {name.split("-")[0] for name in [*LINEAR, *KERNELS, *CHAINS]}
    assert public_estimator_names() - functions == covered


# -- determinism -----------------------------------------------------------


@pytest.mark.parametrize(("name", "layout"), CASES)
def test_fit_is_deterministic(name, layout):
    """Fresh estimators fitted on the same inputs (or copies) are identical.

    For the linear models ``coef_`` and ``intercept_`` are compared first,
    by name, then every fitted attribute and every prediction method; for the
    chains every link (its ``coef_`` included) and every prediction. A refit
    of the same instance must give the same model too: nothing of a previous
    fit leaks into the next.
    """
    first, X, y = _problem(name, layout)
    second, _, _ = _problem(name, layout)
    third, _, _ = _problem(name, layout)
    first.fit(X, y)
    second.fit(X, y)
    third.fit(X.copy(), y.copy())
    for other in (second, third):
        if hasattr(first, "coef_"):
            assert np.array_equal(first.coef_, other.coef_)
            assert np.array_equal(first.intercept_, other.intercept_)
        _assert_same_model(first, other, X, y)
    before = _outputs(first, X, y)
    first.fit(X, y)
    _assert_identical(before, _outputs(first, X, y))
    _assert_same_model(first, second, X, y)


# -- pickle ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "layout"), CASES)
def test_pickle_round_trip(name, layout):
    """A pickled and unpickled model predicts bit-identically, same attributes."""
    estimator, X, y = _problem(name, layout)
    estimator.fit(X, y)
    loaded = pickle.loads(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(loaded) is type(estimator)
    if hasattr(estimator, "tasks_"):
        assert np.array_equal(loaded.tasks_, estimator.tasks_)
    _assert_same_model(estimator, loaded, X, y)


# -- skops -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sio():
    """:mod:`skops.io`; the skops tests are skipped without the extra."""
    return pytest.importorskip("skops.io")


def _skops_round_trip(sio, estimator):
    """``(loaded, untrusted)``: ``estimator`` through skops, and what it asked."""
    data = sio.dumps(estimator)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), untrusted


@pytest.mark.parametrize(("name", "layout"), CASES)
def test_skops_round_trip(sio, name, layout):
    """skops loads the model back bit-identically, trusting only known types."""
    estimator, X, y = _problem(name, layout)
    estimator.fit(X, y)
    loaded, untrusted = _skops_round_trip(sio, estimator)
    unexpected = set(untrusted) - SKOPS_TRUSTED_TYPES
    assert not unexpected, (
        f"skops asks to trust {sorted(unexpected)}; if they are safe add them to "
        "SKOPS_TRUSTED_TYPES and to docs/user_guide/persistence.rst."
    )
    qualified = f"{type(estimator).__module__}.{type(estimator).__qualname__}"
    assert qualified in untrusted
    _assert_same_model(estimator, loaded, X, y)


def test_skops_round_trip_of_private_links(sio):
    """The chains' private links for single-class labels load through skops.

    A label with one class in the rows a link sees makes
    ``ProbabilisticClassifierChain`` store a ``_ConstantLink``, and the
    ``_SingleClassFallback`` links of ``EnsembleClassifierChain`` store a
    NumPy scalar instead of a fitted classifier: both must round-trip.
    """
    links = {
        "ProbabilisticClassifierChain": lambda chain: chain.estimators_,
        "EnsembleClassifierChain": lambda ensemble: [
            link for chain in ensemble.estimators_ for link in chain.estimators_
        ],
    }
    for name, links_of in links.items():
        estimator, X, y = _problem(name, "shared")
        y[:, 1] = 1
        estimator.fit(X, y)
        constants = [
            link
            for link in links_of(estimator)
            if type(link).__name__ == "_ConstantLink"
            or getattr(link, "estimator_", True) is None
        ]
        assert constants, f"{name} fitted no single-class link"
        loaded, untrusted = _skops_round_trip(sio, estimator)
        assert set(untrusted) <= SKOPS_TRUSTED_TYPES
        _assert_same_model(estimator, loaded, X, y)


def test_skops_round_trip_with_pandas_and_string_tasks(sio):
    """Feature names (an object array) and string task ids need no extra trust."""
    pd = pytest.importorskip("pandas")
    X, y = make_data("regressor", "indexed")
    frame = pd.DataFrame(X[:, 1:], columns=["a", "b", "c"])
    frame.insert(0, "school", [f"school {int(t)}" for t in X[:, 0]])
    estimator = LINEAR["L21Regressor"][1](4, task_column="school").fit(frame, y)
    loaded, untrusted = _skops_round_trip(sio, estimator)
    assert untrusted == ["skmtl.linear_model._l21.L21Regressor"]
    assert list(loaded.feature_names_in_) == ["school", "a", "b", "c"]
    assert list(loaded.tasks_) == [f"school {t}" for t in range(4)]
    _assert_same_model(estimator, loaded, frame, y)


def test_documented_trusted_types_are_the_tested_ones():
    """The user guide lists exactly :data:`SKOPS_TRUSTED_TYPES`."""
    documented = set(re.findall(r"``(skmtl\.[\w.]+)``", PERSISTENCE_PAGE.read_text()))
    assert documented == SKOPS_TRUSTED_TYPES
