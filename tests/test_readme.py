"""The README's example runs and says what it prints."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert namespace["search"].best_estimator_.coef_.shape == (20, 20)


def test_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    command = (
        'pip install -e ".[test]" && SKMTL_DATA_HOME=../shared/data python -m pytest'
    )
    assert command in README.read_text()
    assert command in ci
