"""Penalties: the regularization part of a multi-task objective.

A penalty acts on the weight matrix ``W`` of shape (n_tasks, n_features) (the
estimators' ``coef_``); intercepts are never penalised.
"""

from ._base import BasePenalty
from ._clustered import ClusteredPenalty
from ._composite import QuadraticPlusPenalty, TaskQuadratic
from ._decomposition import Decomposition, L1Inf, TaskL21
from ._fused import FusedSparseGroupL21
from ._l21 import L21
from ._lasso import L1
from ._mean import MeanRegularization
from ._nuclear import NuclearNorm
from ._shared import CommonWeights, SharedComponent
from ._sparse_group import SparseGroupL21
from ._trace import SquaredTraceNorm

__all__ = [
    "L1",
    "L21",
    "BasePenalty",
    "ClusteredPenalty",
    "CommonWeights",
    "Decomposition",
    "FusedSparseGroupL21",
    "L1Inf",
    "MeanRegularization",
    "NuclearNorm",
    "QuadraticPlusPenalty",
    "SharedComponent",
    "SparseGroupL21",
    "SquaredTraceNorm",
    "TaskL21",
    "TaskQuadratic",
]
