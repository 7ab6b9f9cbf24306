"""Shared pytest fixtures.

Tests that need the real data sets read them from the folder named by the
``SKMTL_DATA_HOME`` environment variable (``.ci/run`` sets it to
``../shared/data``). Under CI, or whenever ``SKMTL_DATA_HOME`` is set, a missing
folder is a failure, never a skip: the data tests must run there.
"""

import os
from pathlib import Path

import pytest
from hypothesis import Phase, settings


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


# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default "ci"). "ci" is
# deterministic (the same examples on every run) and sized so that
# tests/test_fuzz.py runs in under 3 minutes on a 2-core machine; it does not
# shrink a failing example (each step refits models: minutes), it prints it
# with the blob that replays it (@reproduce_failure). "dev" draws many more,
# fresh random examples and shrinks failures, for a long local run. Tests that
# set max_examples themselves (tests/test_properties.py) keep their numbers.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=12,
    phases=[Phase.explicit, Phase.generate],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=300, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
