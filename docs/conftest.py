"""Doctests of the .rst pages that read the real data follow tests/conftest.py:
they need SKMTL_DATA_HOME, and are skipped only outside CI when it is unset."""

import os

import pytest

NEEDS_DATA = {"datasets.rst", "joint_feature_learning.rst"}
# The gallery's pages, written by sphinx-gallery into the source tree: their
# code runs in the docs build (tests/test_docs.py), not as doctests.
collect_ignore_glob = ["auto_examples/*", "sg_execution_times.rst"]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SKMTL_DATA_HOME") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="SKMTL_DATA_HOME is not set; this page reads it.")
    for item in items:
        if item.path.name in NEEDS_DATA:
            item.add_marker(skip)
