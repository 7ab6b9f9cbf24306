"""Task-aware cross-validation."""

from ._split import TaskStratifiedKFold

__all__ = ["TaskStratifiedKFold"]
