"""Multi-task kernel models: a kernel on the features times a kernel on the tasks."""

from ._kernel_ridge import MultiTaskKernelClassifier, MultiTaskKernelRidge

__all__ = ["MultiTaskKernelClassifier", "MultiTaskKernelRidge"]
