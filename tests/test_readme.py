"""The README's example runs and says what it prints."""

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_example_runs():
    blocks = _python_blocks()
    assert len(blocks) == 2
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert namespace["search"].best_estimator_.coef_.shape == (20, 20)


def test_readme_out_of_core_example_runs(tmp_path, monkeypatch):
    """On Parquet files it finds where it looks: the model of all their rows."""
    pytest.importorskip("pyarrow")
    from skmtl import L21Regressor
    from skmtl.datasets import make_multitask_regression

    X, y = make_multitask_regression(n_tasks=5, n_samples=80, as_frame=True)
    frame = X.rename(columns={"task": "store"}).assign(sales=y)
    (tmp_path / "sales").mkdir()
    for k, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(tmp_path / "sales" / f"part-{k}.parquet")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(_python_blocks()[1], "README.md", "exec"), namespace)
    model = namespace["model"]
    full = L21Regressor(alpha=0.01, task_column="store").fit(
        frame.drop(columns="sales"), frame["sales"]
    )
    assert model.statistics_.n_samples == len(frame)
    np.testing.assert_allclose(model.coef_, full.coef_, atol=1e-5)


def test_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    command = (
        'pip install -e ".[test]" && SKMTL_DATA_HOME=../shared/data python -m pytest'
    )
    assert command in README.read_text()
    assert command in ci
