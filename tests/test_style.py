"""The code base stays ruff-clean (lint and format), as configured in ruff.toml."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["skmtl", "tests", "benchmarks", "docs", "examples"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    ruff = shutil.which("ruff")
    assert ruff, "ruff is in the test extras: pip install -e '.[test]'"
    targets = [t for t in TARGETS if (ROOT / t).exists()]
    result = subprocess.run(
        [ruff, *command, *targets], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
