"""Datafits: the loss part of a multi-task objective.

A datafit is a small stateless object whose methods take the
:class:`~skmtl._task_data.TaskData` and an observation array ``Z`` of linear
predictions ``x_i . w_t + b_t``.
"""

from ._logistic import LogisticLoss
from ._squared import SquaredLoss

__all__ = ["LogisticLoss", "SquaredLoss"]
