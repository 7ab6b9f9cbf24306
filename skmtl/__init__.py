"""skmtl: multi-task learning as a scikit-learn citizen.

Several related prediction tasks (one per school, store, patient group, or
one per label) are learned together through a shared representation, by
regularization-based sharing.
"""

from .linear_model import (
    ClusteredClassifier,
    ClusteredRegressor,
    DirtyClassifier,
    DirtyRegressor,
    FeatureLearningClassifier,
    FeatureLearningRegressor,
    GraphRegularizedClassifier,
    GraphRegularizedRegressor,
    L21Classifier,
    L21ClassifierCV,
    L21Regressor,
    L21RegressorCV,
    LassoClassifier,
    LassoRegressor,
    MeanRegularizedClassifier,
    MeanRegularizedRegressor,
    MultiTaskLinearModel,
    RobustFeatureLearningClassifier,
    RobustFeatureLearningRegressor,
    RobustLowRankClassifier,
    RobustLowRankRegressor,
    SparseGroupClassifier,
    SparseGroupRegressor,
    TemporalGroupClassifier,
    TemporalGroupRegressor,
    TraceNormClassifier,
    TraceNormRegressor,
    l21_alpha_max,
    l21_path,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ClusteredClassifier",
    "ClusteredRegressor",
    "DirtyClassifier",
    "DirtyRegressor",
    "FeatureLearningClassifier",
    "FeatureLearningRegressor",
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
    "__version__",
    "l21_alpha_max",
    "l21_path",
]
