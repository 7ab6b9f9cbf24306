"""Configuration shared by every test run from the repository root (the
tests, and the doctests of the package and of the documentation)."""

import os

# Figures drawn by tests and docstring examples are never shown.
os.environ.setdefault("MPLBACKEND", "Agg")
