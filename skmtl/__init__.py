"""skmtl: multi-task learning as a scikit-learn citizen.

Several related prediction tasks (one per school, store, patient group, or
one per label) are learned together through a shared representation, by
regularization-based sharing.
"""

from .linear_model import MeanRegularizedClassifier, MeanRegularizedRegressor

__version__ = "0.1.0.dev0"

__all__ = ["MeanRegularizedClassifier", "MeanRegularizedRegressor", "__version__"]
