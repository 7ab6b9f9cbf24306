"""Penalties: the regularization part of a multi-task objective.

A penalty acts on the weight matrix ``W`` of shape (n_tasks, n_features) (the
estimators' ``coef_``); intercepts are never penalised.
"""

from ._base import BasePenalty
from ._l21 import L21
from ._mean import MeanRegularization
from ._trace import SquaredTraceNorm

__all__ = ["L21", "BasePenalty", "MeanRegularization", "SquaredTraceNorm"]
