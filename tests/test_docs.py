"""The Sphinx documentation builds without a single warning.

The ``>>>`` examples of the ``.rst`` pages are run by pytest itself
(``--doctest-glob``); this test checks the build: autodoc imports, numpydoc
parsing of the docstrings, cross-references, the user-guide pages and the
gallery, whose examples all run (their output and figures go into the pages).
"""

import os
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=_with_absolute_data_home(),
    )
    assert result.returncode == 0, (
        f"sphinx-build failed with return code {result.returncode}:\n{result.stderr}"
    )


def _with_absolute_data_home():
    """The environment, with ``SKMTL_DATA_HOME`` absolute (the gallery runs
    each example from the examples folder) and one BLAS thread (small BLAS
    calls in several threads on 2 busy cores slowed an example tenfold)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if env.get("SKMTL_DATA_HOME"):
        env["SKMTL_DATA_HOME"] = os.path.abspath(env["SKMTL_DATA_HOME"])
    return env
