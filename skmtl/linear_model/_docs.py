"""The docstring composer of the linear multi-task estimators.

A family writes its docstring once, for both losses, as a template with
placeholders: ``{model}`` (least squares or logistic regression),
``{objective}`` (the datafit's math plus the family's penalty math) and
``{datafit_notes}`` (what the loss's symbols mean). Each estimator adds its
own paragraphs and sections (See Also, Examples). The composer fills the
placeholders and writes the Parameters and Attributes sections from the
declared parameters, the solver registry and the common fitted attributes,
so nothing is written twice.
"""

import inspect
import textwrap

from .._docstring import fill, split_sections
from ..solvers._dispatch import SOLVERS

SECTIONS = ("Parameters", "Attributes", "See Also", "Notes", "References", "Examples")

FITTED_ATTRIBUTES = """\
coef_ : ndarray of shape (n_tasks, n_features)
    Weights of each task (rows ordered as ``tasks_``; columns are the
    features, without the task column).

intercept_ : ndarray of shape (n_tasks,)
    Intercept of each task (zeros when ``fit_intercept=False``).

tasks_ : ndarray of shape (n_tasks,)
    Task labels: the sorted task ids (task-indexed layout), or the columns
    of ``y`` (its column names for a DataFrame ``y``, else 0, 1, ...).

n_features_in_ : int
    Number of columns of ``X`` seen in ``fit``, the task column included.

feature_names_in_ : ndarray of shape (``n_features_in_``,)
    Column names of ``X``, when it is a DataFrame with string names. As
    in scikit-learn these are the input columns, the task column
    included.

coef_feature_names_ : ndarray of shape (n_features,)
    Name of each column of ``coef_``: the input columns without the task
    column, by DataFrame name, else ``"x<i>"`` with ``i`` the column's
    position in ``X``.

n_iter_ : int
    Number of solver iterations.

dual_gap_ : float
    Duality gap of the solution: an upper bound on its suboptimality."""

CLASSES_ATTRIBUTE = """\
classes_ : ndarray of shape (2,)
    The two class labels for a 1-D ``y``; ``[0, 1]`` for a multi-label ``y``."""

AUTO_SOLVER = (
    '"auto" picks among the others by the problem: the closed form or '
    "Newton's method for a quadratic penalty with few features, L-BFGS for a "
    "smooth one, coordinate descent for the L2,1 norm on a wide plain shared "
    "design, proximal Newton when the per-task Gram matrices are smaller than "
    "the data, else FISTA (the crossovers are measured in "
    "``benchmarks/RESULTS.md``)."
)


def parameter_entry(name, kind, default, doc):
    """One numpydoc parameter: ``name : kind, default=...`` and its text."""
    shown = "" if default is inspect.Parameter.empty else f", default={_show(default)}"
    return f"{name} : {kind}{shown}\n" + textwrap.indent(inspect.cleandoc(doc), "    ")


def solver_entry(names):
    """The ``solver`` parameter's type and text, from the solver registry."""
    kind = "{" + ", ".join(f'"{name}"' for name in ("auto", *names)) + "}"
    lines = [f'"{name}": {SOLVERS[name].doc}' for name in names]
    text = "\n".join(textwrap.fill(line, 72) for line in [*lines, AUTO_SOLVER])
    return kind, text


CLASSIFIER_EXAMPLE = """\
>>> from skmtl import {name}
>>> from skmtl.datasets import make_multitask_classification
>>> X, y = make_multitask_classification(
...     n_tasks=4, n_samples=60, n_features=6, relatedness=0.9, random_state=0
... )
>>> clf = {name}({args}task_column=0).fit(X, y)
>>> clf.predict_proba(X[:3]).shape
(3, 2)"""

CV_EXAMPLE = """\
>>> from skmtl import {name}
>>> from skmtl.datasets import {make}
>>> X, y = {make}(n_tasks=4, n_samples=40, n_features=6, random_state=0)
>>> model = {name}({args}n_alphas=5, cv=3, task_column=0).fit(X, y)
>>> model.{path}.shape
{shape}
>>> bool(model.alpha_ in model.alphas_)
True"""


# Example problems that several estimators' Examples start from.
SNIPPETS = {
    "sparse_problem": """\
>>> import numpy as np
>>> from skmtl.datasets import make_multitask_regression
>>> X, y = make_multitask_regression(
...     n_tasks=4, n_samples=30, n_features=10, n_informative=3, random_state=0
... )""",
    "chain_problem": """\
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(60, 2))
>>> Y = X @ np.array([[1.0, 0.0], [1.2, 0.1], [3.0, 0.0]]).T
>>> chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # a task graph""",
    "chain_labels": """\
>>> import numpy as np
>>> from skmtl.datasets import make_multitask_classification
>>> X, Y = make_multitask_classification(
...     n_tasks=3, n_samples=100, n_features=4, shared_design=True, random_state=0
... )
>>> chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # a task graph""",
    "low_rank_problem": """\
>>> from skmtl.datasets import make_multitask_regression
>>> X, y = make_multitask_regression(
...     n_tasks=6, n_samples=30, n_features=8, relatedness=0.9, random_state=0
... )""",
}


def compose(template, own_doc, *, parameters, attributes, example=None, **values):
    """The docstring of an estimator: the family's template and its own text.

    ``example``: the Examples section when the estimator's own text has none.
    """
    head, sections = split_sections(fill(template, **values))
    own_head, own_sections = split_sections(fill(own_doc or "", **SNIPPETS, **values))
    sections.update(own_sections)
    sections.setdefault("Examples", example)
    sections["Parameters"] = "\n\n".join(parameters)
    sections["Attributes"] = "\n\n".join(attributes)
    parts = [head, own_head] + [
        f"{title}\n{'-' * len(title)}\n{sections[title]}"
        for title in SECTIONS
        if sections.get(title)
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _show(default):
    if isinstance(default, int) and not isinstance(default, bool) and default >= 1e4:
        return f"{default:_}"
    return repr(default).replace("'", '"')
