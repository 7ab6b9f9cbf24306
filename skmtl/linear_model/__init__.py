"""Linear multi-task estimators."""

from ._mean_regularized import MeanRegularizedClassifier, MeanRegularizedRegressor

__all__ = ["MeanRegularizedClassifier", "MeanRegularizedRegressor"]
