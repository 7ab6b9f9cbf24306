"""Multi-task kernel models: a kernel on the features times a kernel on the tasks."""

from ._kernel_ridge import MultiTaskKernelRidge

__all__ = ["MultiTaskKernelRidge"]
