"""Linear multi-task estimators."""

from ._base import MultiTaskLinearModel
from ._clustered import ClusteredClassifier, ClusteredRegressor
from ._cv import (
    FeatureLearningClassifierCV,
    FeatureLearningRegressorCV,
    FusedSparseGroupClassifierCV,
    FusedSparseGroupRegressorCV,
    GraphRegularizedClassifierCV,
    GraphRegularizedRegressorCV,
    L21ClassifierCV,
    L21RegressorCV,
    LassoClassifierCV,
    LassoRegressorCV,
    MeanRegularizedClassifierCV,
    MeanRegularizedRegressorCV,
    SparseGroupClassifierCV,
    SparseGroupRegressorCV,
    TemporalGroupClassifierCV,
    TemporalGroupRegressorCV,
    TraceNormClassifierCV,
    TraceNormRegressorCV,
)
from ._decomposition import (
    DirtyClassifier,
    DirtyRegressor,
    RobustFeatureLearningClassifier,
    RobustFeatureLearningRegressor,
    RobustLowRankClassifier,
    RobustLowRankRegressor,
)
from ._feature_learning import FeatureLearningClassifier, FeatureLearningRegressor
from ._fused import FusedSparseGroupClassifier, FusedSparseGroupRegressor
from ._graph import (
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
)
from ._l21 import L21Classifier, L21Regressor
from ._lasso import LassoClassifier, LassoRegressor
from ._mean_regularized import MeanRegularizedClassifier, MeanRegularizedRegressor
from ._path import l21_alpha_max, l21_path, regularization_path
from ._sparse_group import SparseGroupClassifier, SparseGroupRegressor
from ._statistics import TaskStatistics
from ._trace_norm import TraceNormClassifier, TraceNormRegressor

__all__ = [
    "ClusteredClassifier",
    "ClusteredRegressor",
    "DirtyClassifier",
    "DirtyRegressor",
    "FeatureLearningClassifier",
    "FeatureLearningClassifierCV",
    "FeatureLearningRegressor",
    "FeatureLearningRegressorCV",
    "FusedSparseGroupClassifier",
    "FusedSparseGroupClassifierCV",
    "FusedSparseGroupRegressor",
    "FusedSparseGroupRegressorCV",
    "GraphRegularizedClassifier",
    "GraphRegularizedClassifierCV",
    "GraphRegularizedRegressor",
    "GraphRegularizedRegressorCV",
    "L21Classifier",
    "L21ClassifierCV",
    "L21Regressor",
    "L21RegressorCV",
    "LassoClassifier",
    "LassoClassifierCV",
    "LassoRegressor",
    "LassoRegressorCV",
    "MeanRegularizedClassifier",
    "MeanRegularizedClassifierCV",
    "MeanRegularizedRegressor",
    "MeanRegularizedRegressorCV",
    "MultiTaskLinearModel",
    "RobustFeatureLearningClassifier",
    "RobustFeatureLearningRegressor",
    "RobustLowRankClassifier",
    "RobustLowRankRegressor",
    "SparseGroupClassifier",
    "SparseGroupClassifierCV",
    "SparseGroupRegressor",
    "SparseGroupRegressorCV",
    "TaskStatistics",
    "TemporalGroupClassifier",
    "TemporalGroupClassifierCV",
    "TemporalGroupRegressor",
    "TemporalGroupRegressorCV",
    "TraceNormClassifier",
    "TraceNormClassifierCV",
    "TraceNormRegressor",
    "TraceNormRegressorCV",
    "l21_alpha_max",
    "l21_path",
    "regularization_path",
]
