"""Data sets for multi-task learning: real data loaders and generators."""

from ._base import get_data_home
from ._generators import make_multitask_classification, make_multitask_regression
from ._mulan import load_mulan
from ._school import load_school

__all__ = [
    "get_data_home",
    "load_mulan",
    "load_school",
    "make_multitask_classification",
    "make_multitask_regression",
]
