"""skmtl: multi-task learning as a scikit-learn citizen.

Several related prediction tasks (one per school, store, patient group, or
one per label) are learned together through a shared representation, by
regularization-based sharing.
"""

from . import kernel_ridge, linear_model
from .kernel_ridge import *  # noqa: F403
from .linear_model import *  # noqa: F403 (the estimators, at the top level)

__version__ = "0.1.0.dev0"

__all__ = ["__version__", *linear_model.__all__, *kernel_ridge.__all__]
