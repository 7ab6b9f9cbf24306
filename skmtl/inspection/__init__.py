"""Displays of fitted multi-task models (matplotlib needed to draw them)."""

from ._coef import plot_coefficients
from ._displays import (
    CoefficientDisplay,
    CouplingValidationDisplay,
    PerTaskScoreDisplay,
    RegularizationPathDisplay,
    TaskSimilarityDisplay,
)

__all__ = [
    "CoefficientDisplay",
    "CouplingValidationDisplay",
    "PerTaskScoreDisplay",
    "RegularizationPathDisplay",
    "TaskSimilarityDisplay",
    "plot_coefficients",
]
