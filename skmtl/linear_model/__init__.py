"""Linear multi-task estimators."""

from ._feature_learning import FeatureLearningClassifier, FeatureLearningRegressor
from ._l21 import L21Classifier, L21Regressor
from ._l21_path import L21ClassifierCV, L21RegressorCV, l21_alpha_max, l21_path
from ._mean_regularized import MeanRegularizedClassifier, MeanRegularizedRegressor

__all__ = [
    "FeatureLearningClassifier",
    "FeatureLearningRegressor",
    "L21Classifier",
    "L21ClassifierCV",
    "L21Regressor",
    "L21RegressorCV",
    "MeanRegularizedClassifier",
    "MeanRegularizedRegressor",
    "l21_alpha_max",
    "l21_path",
]
