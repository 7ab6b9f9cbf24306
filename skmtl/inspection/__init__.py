"""Plots of fitted multi-task models (matplotlib needed)."""

from ._coef import plot_coefficients

__all__ = ["plot_coefficients"]
