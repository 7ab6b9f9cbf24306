"""scikit-learn's estimator checks on every public estimator, in one place.

Each public estimator (``skmtl.__all__`` and ``skmtl.multilabel.__all__``)
appears at least once in ``CHECKED``, some in several configurations (a
solver, a limit of the coupling, an inference method); the checks a
configuration cannot pass are listed once, in ``expected_failed_checks``,
with the reason.
"""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtl import (
    ClusteredClassifier,
    ClusteredRegressor,
    DirtyClassifier,
    DirtyRegressor,
    FeatureLearningClassifier,
    FeatureLearningClassifierCV,
    FeatureLearningRegressor,
    FeatureLearningRegressorCV,
    FusedSparseGroupClassifier,
    FusedSparseGroupClassifierCV,
    FusedSparseGroupRegressor,
    FusedSparseGroupRegressorCV,
    GraphRegularizedClassifier,
    GraphRegularizedClassifierCV,
    GraphRegularizedRegressor,
    GraphRegularizedRegressorCV,
    L21Classifier,
    L21ClassifierCV,
    L21Regressor,
    L21RegressorCV,
    LassoClassifier,
    LassoClassifierCV,
    LassoRegressor,
    LassoRegressorCV,
    MeanRegularizedClassifier,
    MeanRegularizedClassifierCV,
    MeanRegularizedRegressor,
    MeanRegularizedRegressorCV,
    MultiTaskKernelClassifier,
    MultiTaskKernelRidge,
    MultiTaskLinearModel,
    RobustFeatureLearningClassifier,
    RobustFeatureLearningRegressor,
    RobustLowRankClassifier,
    RobustLowRankRegressor,
    SparseGroupClassifier,
    SparseGroupClassifierCV,
    SparseGroupRegressor,
    SparseGroupRegressorCV,
    TemporalGroupClassifier,
    TemporalGroupClassifierCV,
    TemporalGroupRegressor,
    TemporalGroupRegressorCV,
    TraceNormClassifier,
    TraceNormClassifierCV,
    TraceNormRegressor,
    TraceNormRegressorCV,
)
from skmtl.multilabel import (
    ClassifierChain,
    EnsembleClassifierChain,
    ProbabilisticClassifierChain,
    RegressorChain,
)
from skmtl.penalties import L21, MeanRegularization

from ._estimators import public_estimator_names

INF = float("inf")


def _chain_graph(n_tasks):
    """A path graph over the task ids 0, 1, ... as a DataFrame.

    The checks fit 1 to 5 tasks, numbered from 0: a DataFrame graph names its
    tasks, and each fit takes the subgraph of the tasks it sees.
    """
    adjacency = np.eye(n_tasks, k=1) + np.eye(n_tasks, k=-1)
    return pd.DataFrame(adjacency, index=range(n_tasks), columns=range(n_tasks))


# Tight tolerances: the checks compare fits of equivalent data (repeated rows
# against sample weights, say) that stop at different points within tol, on
# different solvers (FISTA with weights, coordinate descent without). The
# decomposition regressors' strengths are large enough for
# check_regressor_multioutput, an exactly determined noise-free problem (11
# rows, 10 features and an intercept, targets ~100): with weaker ones the
# lifted FISTA stalls there at a relative gap ~3e-7 (see
# solvers/_decomposition.py). The Nyström kernel classifier's features (one
# per row of the check's data) take truncated Newton, which stops just
# within tol where Newton's last step overshoots to round-off: repeated rows
# and weights then agree to 1e-7 only from a gap of about 1e-14.
CHECKED = [
    MultiTaskKernelRidge(),
    MultiTaskKernelRidge(coupling=INF, kernel="rbf"),
    MultiTaskKernelRidge(task_kernel="graph", kernel="rbf", n_components=100),
    MultiTaskKernelClassifier(kernel="rbf", alpha=1e-3),
    MultiTaskKernelClassifier(kernel="rbf", n_components=50, alpha=1e-3, tol=1e-14),
    MeanRegularizedRegressor(),
    MeanRegularizedRegressor(coupling=INF),
    MeanRegularizedRegressor(coupling=0.0, solver="lbfgs"),
    MeanRegularizedClassifier(),
    MeanRegularizedClassifier(coupling=INF, solver="lbfgs"),
    L21Regressor(alpha=0.1, tol=1e-10),
    L21Classifier(alpha=0.01, tol=1e-10),
    L21RegressorCV(n_alphas=5, cv=3),
    L21ClassifierCV(n_alphas=5, cv=3),
    LassoRegressorCV(n_alphas=3, cv=3),
    LassoClassifierCV(n_alphas=3, cv=3),
    TraceNormRegressorCV(n_alphas=3, cv=3),
    TraceNormClassifierCV(n_alphas=3, cv=3),
    FeatureLearningRegressorCV(n_alphas=3, cv=3),
    FeatureLearningClassifierCV(n_alphas=3, cv=3),
    SparseGroupRegressorCV(alpha_sparse=0.01, n_alphas=3, cv=3),
    SparseGroupClassifierCV(alpha_sparse=0.001, n_alphas=3, cv=3),
    MeanRegularizedRegressorCV(couplings=[1.0, INF], n_alphas=3, cv=3),
    MeanRegularizedClassifierCV(couplings=[1.0], n_alphas=3, cv=3),
    GraphRegularizedRegressorCV(_chain_graph(10), l2=0.01, n_alphas=3, cv=3),
    GraphRegularizedClassifierCV(_chain_graph(10), l2=0.01, n_alphas=3, cv=3),
    FeatureLearningRegressor(alpha=0.1, tol=1e-10),
    FeatureLearningClassifier(alpha=0.01, tol=1e-10),
    LassoRegressor(alpha=0.1, tol=1e-10),
    LassoClassifier(alpha=0.01, tol=1e-10),
    TraceNormRegressor(alpha=0.1, tol=1e-10),
    TraceNormClassifier(alpha=0.01, tol=1e-10),
    SparseGroupRegressor(alpha_group=0.1, alpha_sparse=0.05, tol=1e-10),
    SparseGroupClassifier(alpha_group=0.01, alpha_sparse=0.005, tol=1e-10),
    TemporalGroupRegressor(0.01, 0.1, 0.01, tol=1e-10),
    TemporalGroupClassifier(0.01, 0.1, 0.001, tol=1e-10),
    FusedSparseGroupRegressor(0.01, 0.1, 0.05, tol=1e-10),
    FusedSparseGroupClassifier(0.001, 0.01, 0.005, tol=1e-10),
    TemporalGroupRegressorCV(alpha_l2=0.01, alpha_temporal=0.1, n_alphas=3, cv=3),
    TemporalGroupClassifierCV(alpha_l2=0.01, alpha_temporal=0.1, n_alphas=3, cv=3),
    FusedSparseGroupRegressorCV(alpha_sparse=0.01, alpha_fused=0.1, n_alphas=3, cv=3),
    FusedSparseGroupClassifierCV(
        alpha_sparse=0.001, alpha_fused=0.01, n_alphas=3, cv=3
    ),
    GraphRegularizedRegressor(_chain_graph(10), 0.1, l1=0.01, tol=1e-10),
    GraphRegularizedClassifier(_chain_graph(10), 0.1, l1=0.001, tol=1e-10),
    # n_clusters=1: the checks fit a 1-D y (one task) as well as 2-D ones.
    ClusteredRegressor(n_clusters=1, alpha=0.1, beta=0.1, tol=1e-7),
    ClusteredClassifier(n_clusters=1, alpha=0.1, beta=0.01, tol=1e-7),
    DirtyRegressor(alpha_group=0.5, alpha_sparse=0.3, tol=1e-10),
    DirtyRegressor(alpha_group=0.1, alpha_sparse=0.05, group_norm="linf", tol=1e-10),
    DirtyClassifier(alpha_group=0.01, alpha_sparse=0.007, tol=1e-10),
    RobustFeatureLearningRegressor(alpha_features=0.1, alpha_tasks=0.1, tol=1e-10),
    RobustFeatureLearningClassifier(alpha_features=0.01, alpha_tasks=0.01, tol=1e-10),
    RobustLowRankRegressor(alpha_rank=0.5, alpha_tasks=0.35, tol=1e-10),
    RobustLowRankClassifier(alpha_rank=0.01, alpha_tasks=0.007, tol=1e-10),
    MultiTaskLinearModel("squared", L21(0.1), tol=1e-10),
    MultiTaskLinearModel(
        "logistic", [MeanRegularization(0.01, 3.0), L21(0.01)], tol=1e-10
    ),
    ClassifierChain(LogisticRegression()),
    ClassifierChain(LogisticRegression(), order="random", random_state=0, cv=3),
    RegressorChain(Ridge()),
    RegressorChain(Ridge(), order="random", random_state=0, cv=3),
    EnsembleClassifierChain(LogisticRegression(), n_chains=3, random_state=0),
    EnsembleClassifierChain(
        LogisticRegression(), n_chains=3, max_samples=0.8, random_state=0
    ),
    ProbabilisticClassifierChain(LogisticRegression()),
    ProbabilisticClassifierChain(
        LogisticRegression(), inference="beam", beam_width=3, loss="f1"
    ),
    ProbabilisticClassifierChain(
        LogisticRegression(),
        inference="monte_carlo",
        n_samples=100,
        loss="hamming",
        random_state=0,
    ),
]

# Why a check cannot hold, once for all the estimators it concerns.
REASONS = {
    "labels": (
        "a multi-label chain needs a 0/1 label matrix Y (a label is there or "
        "not); the check fits labels {1, 2} or strings, which fit refuses"
    ),
    "shape": (
        "the check expects predict of shape (n_samples,) and predict_proba of "
        "shape (n_samples, 2); a chain returns (n_samples, n_labels) for both, "
        "as the multilabel output-format checks require"
    ),
    "one_d": (
        "the check fits a 1-D y, which a multi-label chain rejects (saying so "
        "without the word the check wants)"
    ),
    "classes_list": (
        "classes_ is a list of per-link arrays (as in scikit-learn's "
        "ClassifierChain); the check indexes it as one array, "
        "classes_[decision > 0]"
    ),
    "subsample": (
        "with max_samples < 1 every chain draws its rows among n_samples rows; "
        "repeating rows instead of weighting them changes n_samples, so the draw"
    ),
    "cv_weights": (
        "cross-validation splits repeated rows differently from weighted ones, "
        "so the chosen alpha (and the fit) may differ"
    ),
    "zero_one": (
        "beam and Monte Carlo marginals are estimated from finitely many label "
        "vectors, so a label on which they all agree gets probability exactly "
        "0 or 1 (the check wants it strictly inside)"
    ),
    "mc_order": (
        "Monte Carlo draws are taken from one random stream in row order, so a "
        "row's estimate depends on the rows predicted with it"
    ),
    "two_clusters": (
        "the check sets n_clusters=2, as for a clustering estimator, and fits "
        "a 1-D y: one task, which cannot be split into two clusters"
    ),
}

_LABEL_CHECKS = [
    "check_estimators_dtypes",
    "check_sample_weights_pandas_series",
    "check_sample_weights_not_an_array",
    "check_sample_weights_shape",
    "check_sample_weights_not_overwritten",
    "check_classifier_data_not_an_array",
    "check_fit2d_1feature",
    "check_classifiers_classes",
]
_SHAPE_CHECKS = [
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_classifiers_train",
]


def _multilabel_chain_failures():
    failures = dict.fromkeys(_LABEL_CHECKS, REASONS["labels"])
    failures.update(dict.fromkeys(_SHAPE_CHECKS, REASONS["shape"]))
    return failures


def expected_failed_checks(estimator):
    """The checks ``estimator`` cannot pass, each with its reason."""
    if hasattr(estimator, "alphas"):  # the CV estimators
        return {
            f"check_sample_weight_equivalence_on_{name}_data": REASONS["cv_weights"]
            for name in ("dense", "sparse")
        }
    if isinstance(estimator, ClusteredRegressor | ClusteredClassifier):
        return {"check_methods_sample_order_invariance": REASONS["two_clusters"]}
    if isinstance(estimator, ClassifierChain):
        return {
            **_multilabel_chain_failures(),
            "check_decision_proba_consistency": REASONS["one_d"],
            "check_classifier_multioutput": REASONS["classes_list"],
        }
    if isinstance(estimator, EnsembleClassifierChain):
        failures = _multilabel_chain_failures()
        if estimator.max_samples != 1.0 or estimator.bootstrap:
            for name in ("dense", "sparse"):
                check = f"check_sample_weight_equivalence_on_{name}_data"
                failures[check] = REASONS["subsample"]
        return failures
    if isinstance(estimator, ProbabilisticClassifierChain):
        failures = _multilabel_chain_failures()
        failures["check_classifiers_one_label_sample_weights"] = REASONS["one_d"]
        if estimator.inference in ("beam", "monte_carlo"):
            check = "check_classifiers_multilabel_output_format_predict_proba"
            failures[check] = REASONS["zero_one"]
        if estimator.inference == "monte_carlo":
            failures["check_methods_sample_order_invariance"] = REASONS["mc_order"]
            failures["check_methods_subset_invariance"] = REASONS["mc_order"]
        return failures
    return {}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_every_public_estimator_is_checked():
    assert {type(estimator).__name__ for estimator in CHECKED} == set(
        public_estimator_names()
    )
