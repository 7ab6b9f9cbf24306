"""Task-aware cross-validation and train/test splits."""

from ._split import TaskStratifiedKFold, TaskStratifiedShuffleSplit

__all__ = ["TaskStratifiedKFold", "TaskStratifiedShuffleSplit"]
