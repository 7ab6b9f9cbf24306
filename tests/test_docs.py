"""The Sphinx documentation builds without a single warning.

The ``>>>`` examples of the ``.rst`` pages are run by pytest itself
(``--doctest-glob``); this test checks the build: autodoc imports, numpydoc
parsing of the docstrings, cross-references and the user-guide pages.
"""

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
    )
    assert result.returncode == 0, (
        f"sphinx-build failed with return code {result.returncode}:\n{result.stderr}"
    )
