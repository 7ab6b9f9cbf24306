"""Every public estimator of skmtl, built small and fast, for the matrix tests.

``LINEAR`` maps a name to ``(kind, factory)``: ``factory(n_tasks, **params)``
builds the estimator (the task-graph models need the number of tasks), with
``kind`` "regressor" or "classifier"; ``KERNELS`` the same for the kernel
models. ``CHAINS`` lists the multi-label chains,
which take the shared design only. ``make_data`` draws a task-indexed or a
shared-design problem for either kind.
"""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, Ridge

import skmtl
from skmtl.multilabel import (
    ClassifierChain,
    EnsembleClassifierChain,
    ProbabilisticClassifierChain,
    RegressorChain,
)
from skmtl.penalties import L21, MeanRegularization


def _chain_graph(n_tasks):
    graph = np.zeros((n_tasks, n_tasks))
    index = np.arange(n_tasks - 1)
    graph[index, index + 1] = graph[index + 1, index] = 1.0
    return graph


def _pair(regressor, classifier, variant="", **params):
    return {
        regressor.__name__ + variant: (
            "regressor",
            lambda T, **kw: regressor(**params, **kw),
        ),
        classifier.__name__ + variant: (
            "classifier",
            lambda T, **kw: classifier(**params, **kw),
        ),
    }


def _with_cv(family, path, **params):
    """A family's regressor and classifier, and their ``*CV`` estimators
    (small grids of the ``path`` parameter; the other parameters the same)."""
    fixed = {name: value for name, value in params.items() if name != path}
    regressor, classifier = (getattr(skmtl, family + kind) for kind in _KINDS)
    return {
        **_pair(regressor, classifier, **params),
        **_pair(
            getattr(skmtl, regressor.__name__ + "CV"),
            getattr(skmtl, classifier.__name__ + "CV"),
            **fixed,
            n_alphas=3,
            cv=2,
        ),
    }


_KINDS = ("Regressor", "Classifier")

LINEAR = {
    **_pair(skmtl.MeanRegularizedRegressor, skmtl.MeanRegularizedClassifier, alpha=0.1),
    **_pair(skmtl.L21Regressor, skmtl.L21Classifier, alpha=0.01),
    **_pair(skmtl.L21RegressorCV, skmtl.L21ClassifierCV, n_alphas=3, cv=2),
    **_pair(skmtl.LassoRegressorCV, skmtl.LassoClassifierCV, n_alphas=3, cv=2),
    **_pair(skmtl.TraceNormRegressorCV, skmtl.TraceNormClassifierCV, n_alphas=3, cv=2),
    **_pair(
        skmtl.FeatureLearningRegressorCV,
        skmtl.FeatureLearningClassifierCV,
        n_alphas=3,
        cv=2,
    ),
    **_pair(
        skmtl.SparseGroupRegressorCV,
        skmtl.SparseGroupClassifierCV,
        alpha_sparse=0.01,
        n_alphas=3,
        cv=2,
    ),
    **_pair(
        skmtl.MeanRegularizedRegressorCV,
        skmtl.MeanRegularizedClassifierCV,
        couplings=[1.0],
        n_alphas=3,
        cv=2,
    ),
    "GraphRegularizedRegressorCV": (
        "regressor",
        lambda T, **kw: skmtl.GraphRegularizedRegressorCV(
            _chain_graph(T), l2=0.01, n_alphas=3, cv=2, **kw
        ),
    ),
    "GraphRegularizedClassifierCV": (
        "classifier",
        lambda T, **kw: skmtl.GraphRegularizedClassifierCV(
            _chain_graph(T), l2=0.01, n_alphas=3, cv=2, **kw
        ),
    ),
    **_pair(
        skmtl.FeatureLearningRegressor, skmtl.FeatureLearningClassifier, alpha=0.01
    ),
    **_pair(skmtl.LassoRegressor, skmtl.LassoClassifier, alpha=0.01),
    **_pair(skmtl.TraceNormRegressor, skmtl.TraceNormClassifier, alpha=0.01),
    # A shared component under the penalty. The classifier's common weights
    # get a ridge: unpenalised, they have no optimum on separable classes
    # (a documented error, tested in test_shared_component).
    "L21Regressor-shared": (
        "regressor",
        lambda T, **kw: skmtl.L21Regressor(alpha=0.01, shared_component=True, **kw),
    ),
    "L21Classifier-shared": (
        "classifier",
        lambda T, **kw: skmtl.L21Classifier(
            alpha=0.01, shared_component=True, alpha_shared=0.01, **kw
        ),
    ),
    **_pair(
        skmtl.TraceNormRegressorCV,
        skmtl.TraceNormClassifierCV,
        "-shared",
        n_alphas=3,
        cv=2,
        shared_component=True,
        alpha_shared=0.01,
    ),
    **_pair(
        skmtl.SparseGroupRegressor,
        skmtl.SparseGroupClassifier,
        alpha_group=0.01,
        alpha_sparse=0.01,
    ),
    "GraphRegularizedRegressor": (
        "regressor",
        lambda T, **kw: skmtl.GraphRegularizedRegressor(
            _chain_graph(T), alpha=0.1, l2=0.01, **kw
        ),
    ),
    "GraphRegularizedClassifier": (
        "classifier",
        lambda T, **kw: skmtl.GraphRegularizedClassifier(
            _chain_graph(T), alpha=0.1, l2=0.01, **kw
        ),
    ),
    **_with_cv(
        "TemporalGroup",
        "alpha_group",
        alpha_l2=0.01,
        alpha_temporal=0.1,
        alpha_group=0.01,
    ),
    **_with_cv(
        "FusedSparseGroup",
        "alpha_group",
        alpha_sparse=0.01,
        alpha_fused=0.05,
        alpha_group=0.01,
    ),
    **_pair(
        skmtl.ClusteredRegressor,
        skmtl.ClusteredClassifier,
        n_clusters=1,
        alpha=0.1,
        beta=0.1,
    ),
    "ClusteredRegressor-shared": (
        "regressor",
        lambda T, **kw: skmtl.ClusteredRegressor(
            n_clusters=1, alpha=0.1, beta=0.1, shared_component=True, **kw
        ),
    ),
    "ClusteredClassifier-shared": (
        "classifier",
        lambda T, **kw: skmtl.ClusteredClassifier(
            n_clusters=1,
            alpha=0.1,
            beta=0.1,
            shared_component=True,
            alpha_shared=0.01,
            **kw,
        ),
    ),
    **_pair(
        skmtl.DirtyRegressor,
        skmtl.DirtyClassifier,
        alpha_group=0.01,
        alpha_sparse=0.02,
    ),
    **_pair(
        skmtl.RobustFeatureLearningRegressor,
        skmtl.RobustFeatureLearningClassifier,
        alpha_features=0.01,
        alpha_tasks=0.02,
    ),
    **_pair(
        skmtl.RobustLowRankRegressor,
        skmtl.RobustLowRankClassifier,
        alpha_rank=0.01,
        alpha_tasks=0.02,
    ),
    "MultiTaskLinearModel": (
        "regressor",
        lambda T, **kw: skmtl.MultiTaskLinearModel(
            "squared", [MeanRegularization(0.1, 1.0), L21(0.01)], **kw
        ),
    ),
    "MultiTaskLinearModel-logistic": (
        "classifier",
        lambda T, **kw: skmtl.MultiTaskLinearModel(
            "logistic", [MeanRegularization(0.1, 1.0), L21(0.01)], **kw
        ),
    ),
}

# The kernel models, without coef_ in the exact solve.
KERNELS = {
    "MultiTaskKernelClassifier": (
        "classifier",
        lambda T, **kw: skmtl.MultiTaskKernelClassifier(alpha=0.01, kernel="rbf", **kw),
    ),
    "MultiTaskKernelRidge": (
        "regressor",
        lambda T, **kw: skmtl.MultiTaskKernelRidge(alpha=0.01, kernel="rbf", **kw),
    ),
    "MultiTaskKernelRidge-nystroem": (
        "regressor",
        lambda T, **kw: skmtl.MultiTaskKernelRidge(
            alpha=0.01, kernel="rbf", n_components=10, random_state=0, **kw
        ),
    ),
}

CHAINS = {
    "ClassifierChain": ("classifier", lambda: ClassifierChain(LogisticRegression())),
    "RegressorChain": ("regressor", lambda: RegressorChain(Ridge())),
    "EnsembleClassifierChain": (
        "classifier",
        lambda: EnsembleClassifierChain(
            LogisticRegression(), n_chains=2, random_state=0
        ),
    ),
    "ProbabilisticClassifierChain": (
        "classifier",
        lambda: ProbabilisticClassifierChain(LogisticRegression()),
    ),
}


def public_estimator_names():
    """The names of every estimator and function skmtl exports, for coverage
    (not the data containers, such as ``TaskStatistics``)."""
    import skmtl.multilabel

    names = {
        n
        for n in skmtl.__all__
        if n[0].isupper() and issubclass(getattr(skmtl, n), BaseEstimator)
    }
    return names | set(skmtl.multilabel.__all__)


def make_data(kind, layout, *, n_tasks=4, n_rows=12, n_features=3, seed=0):
    """A small problem: ``(X, y)`` with the task id in column 0 (task-indexed).

    Classification targets have both classes in every task (and every label
    column). The shared design has ``n_rows * n_tasks`` rows.
    """
    rng = np.random.default_rng(seed)
    if layout == "indexed":
        task = np.repeat(np.arange(n_tasks), n_rows)
        X = rng.normal(size=(len(task), n_features))
        W = rng.normal(size=(n_tasks, n_features)) + 1.0
        y = np.einsum("ij,ij->i", X, W[task]) + 0.5 * rng.normal(size=len(task))
        if kind == "classifier":
            y = (y > 0).astype(int)
            for t in range(n_tasks):
                y[np.flatnonzero(task == t)[:2]] = [0, 1]
        return np.column_stack([task, X]), y
    n = n_rows * n_tasks
    X = rng.normal(size=(n, n_features))
    W = rng.normal(size=(n_tasks, n_features)) + 1.0
    Y = X @ W.T + 0.5 * rng.normal(size=(n, n_tasks))
    if kind == "classifier":
        Y = (Y > 0).astype(int)
        Y[:2] = [[0] * n_tasks, [1] * n_tasks]
    return X, Y
