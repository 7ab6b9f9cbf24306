"""Multi-label learning with chains of classifiers (and regressors).

:class:`ClassifierChain` and :class:`RegressorChain` reproduce scikit-learn's
chains; :class:`EnsembleClassifierChain` averages chains over random label
orders and row subsamples; :class:`ProbabilisticClassifierChain` models the
joint distribution of the labels and predicts the label vector that is
Bayes-optimal for the chosen loss.
"""

from ._chain import ClassifierChain, RegressorChain
from ._ensemble import EnsembleClassifierChain
from ._probabilistic import ProbabilisticClassifierChain

__all__ = [
    "ClassifierChain",
    "EnsembleClassifierChain",
    "ProbabilisticClassifierChain",
    "RegressorChain",
]
