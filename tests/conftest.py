"""Shared pytest fixtures.

Tests that need the real data sets read them from the folder named by the
``SKMTL_DATA_HOME`` environment variable (``.ci/run`` sets it to
``../shared/data``). Under CI, or whenever ``SKMTL_DATA_HOME`` is set, a missing
folder is a failure, never a skip: the data tests must run there.
"""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_home():
    """Folder holding ``mtl/school`` and ``multilabel/<name>``."""
    value = os.environ.get("SKMTL_DATA_HOME")
    if not value:
        if os.environ.get("CI"):
            pytest.fail("CI is set but SKMTL_DATA_HOME is not; .ci/run must set it.")
        pytest.skip("SKMTL_DATA_HOME is not set; the real-data tests need it.")
    path = Path(value).expanduser()
    if not path.is_dir():
        pytest.fail(f"SKMTL_DATA_HOME={value!r} is not a directory.")
    return path
