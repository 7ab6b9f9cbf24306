"""Linear multi-task estimators."""

from ._clustered import ClusteredClassifier, ClusteredRegressor
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
from ._generic import MultiTaskLinearModel
from ._graph import (
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
)
from ._l21 import L21Classifier, L21Regressor
from ._l21_path import L21ClassifierCV, L21RegressorCV, l21_alpha_max, l21_path
from ._lasso import LassoClassifier, LassoRegressor
from ._mean_regularized import MeanRegularizedClassifier, MeanRegularizedRegressor
from ._sparse_group import SparseGroupClassifier, SparseGroupRegressor
from ._trace_norm import TraceNormClassifier, TraceNormRegressor

__all__ = [
    "ClusteredClassifier",
    "ClusteredRegressor",
    "DirtyClassifier",
    "DirtyRegressor",
    "FeatureLearningClassifier",
    "FeatureLearningRegressor",
    "FusedSparseGroupClassifier",
    "FusedSparseGroupRegressor",
    "GraphRegularizedClassifier",
    "GraphRegularizedRegressor",
    "L21Classifier",
    "L21ClassifierCV",
    "L21Regressor",
    "L21RegressorCV",
    "LassoClassifier",
    "LassoRegressor",
    "MeanRegularizedClassifier",
    "MeanRegularizedRegressor",
    "MultiTaskLinearModel",
    "RobustFeatureLearningClassifier",
    "RobustFeatureLearningRegressor",
    "RobustLowRankClassifier",
    "RobustLowRankRegressor",
    "SparseGroupClassifier",
    "SparseGroupRegressor",
    "TemporalGroupClassifier",
    "TemporalGroupRegressor",
    "TraceNormClassifier",
    "TraceNormRegressor",
    "l21_alpha_max",
    "l21_path",
]
