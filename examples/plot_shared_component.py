"""
==================================
When does a shared component help?
==================================

*Mechanism: data amplification, through weights common to all tasks.*

A structured penalty such as the L2,1 norm shrinks every task's weights toward
zero. With ``shared_component=True`` the weights are written
``coef_ = 1 w0' + V``: a vector ``w0`` common to all tasks (``shared_coef_``)
plus task deviations ``V`` (``specific_coef_``), and the penalty acts on ``V``
only, so the tasks are shrunk toward ``w0`` instead. ``alpha_shared`` is a
ridge strength on ``w0``; ``alpha_shared=np.inf`` removes it and gives back the
zero-centred model.

We draw two problems of 15 regression tasks with 30 training rows each over 15
features (:func:`~skmtl.datasets.make_multitask_regression`): one where the
tasks share most of their weights (``relatedness=0.8``) and one where they
share nothing (``relatedness=0``). On each, :class:`~skmtl.L21RegressorCV`
chooses ``alpha`` by 3-fold cross-validation, in three settings: zero-centred,
with unpenalised common weights (``alpha_shared=0``), and with
``alpha_shared`` searched over a list that holds ``inf``.
"""

# %%
# Two problems, and a held-out set per task
# -----------------------------------------
# Each task gets 130 rows: a task-stratified split keeps 30 of them for
# training and 100 for testing, so every task is in both parts.
import matplotlib.pyplot as plt
import numpy as np

from skmtl import L21RegressorCV
from skmtl.datasets import make_multitask_regression
from skmtl.inspection import RegularizationPathDisplay
from skmtl.model_selection import TaskStratifiedShuffleSplit

n_tasks, n_train, n_test = 15, 30, 100
split = TaskStratifiedShuffleSplit(
    n_splits=1, task_column=0, train_size=n_tasks * n_train, random_state=0
)
problems = {}
for name, relatedness in [("related", 0.8), ("unrelated", 0.0)]:
    X, y = make_multitask_regression(
        n_tasks=n_tasks,
        n_samples=n_train + n_test,
        n_features=15,
        relatedness=relatedness,
        noise=3.0,
        random_state=0,
    )
    train, test = next(split.split(X, y))
    problems[name] = X[train], y[train], X[test], y[test]

# %%
# Three ways to fit each problem
# ------------------------------
# The columns: the zero-centred model, the shared component with
# unpenalised common weights (``alpha_shared=0``), and ``alpha_shared``
# searched with ``alpha``. The list runs from unpenalised common weights (0)
# to none at all (``inf``); the loss is averaged over the rows and the
# features are standard normal, so 0.1 shrinks ``w0`` by roughly a tenth and
# 1 by roughly half. The scores are the R² of the held-out rows of all
# tasks together (the estimators' ``score``).
settings = {
    "zero-centred": dict(),
    "shared (0)": dict(shared_component=True, alpha_shared=0.0),
    "shared (list)": dict(shared_component=True, alpha_shared=[0.0, 0.1, 1.0, np.inf]),
}
search = dict(n_alphas=10, eps=1e-3, cv=3, task_column=0)
fitted = {}
row = "{:<16}" + "{:>15}" * 4
print(row.format("held-out R²", *settings, "alpha_shared_"))
for name, (X_train, y_train, X_test, y_test) in problems.items():
    models = {s: L21RegressorCV(**search, **kw) for s, kw in settings.items()}
    scores = [m.fit(X_train, y_train).score(X_test, y_test) for m in models.values()]
    fitted[name] = models["shared (list)"]
    chosen = fitted[name].alpha_shared_
    print(row.format(f"{name} tasks", *(f"{r:.3f}" for r in scores), f"{chosen:g}"))

# %%
# The validation paths behind the choice
# --------------------------------------
# One line per value of ``alpha_shared``: the mean 3-fold validation error
# (with a band of one standard deviation) at each ``alpha``, and the chosen
# ``alpha`` dashed. At the small ``alpha`` on the left every model overfits.
# At the large ``alpha`` on the right the deviations ``V`` are zero: with
# common weights the model is the pooled one, without them (``inf``) it
# predicts each task's mean. On the related tasks the lines with common
# weights lie below the ``inf`` line where the error is lowest; on the
# unrelated tasks the four lines nearly coincide: the common weights buy
# nothing.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, fitted.items(), strict=True):
    RegularizationPathDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"{name} tasks: alpha_shared_={model.alpha_shared_:g}")

# %%
# What is shared and what is specific
# -----------------------------------
# The norm of each task's deviation (a row of ``specific_coef_``) beside the
# norm of the common weights ``w0`` (a row of ``shared_coef_``), for the
# model each search chose. With ``alpha_shared_=inf``, ``w0`` is zero and
# the deviations are the whole weights.
for name, model in fitted.items():
    v_norms = np.linalg.norm(model.specific_coef_, axis=1)
    print(
        f"{name} tasks: |w0| = {np.linalg.norm(model.shared_coef_[0]):.2f}, "
        f"|v_t| from {v_norms.min():.2f} to {v_norms.max():.2f}"
    )
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, fitted.items(), strict=True):
    ax.bar(model.tasks_, np.linalg.norm(model.specific_coef_, axis=1), label="|v_t|")
    w0_norm = np.linalg.norm(model.shared_coef_[0])
    ax.axhline(w0_norm, color="k", linestyle="--", label="|w0|")
    ax.set_xlabel("task")
    ax.set_title(f"{name} tasks")
    ax.legend()
axes[0].set_ylabel("norm of the weights")

# %%
# What to take away
# -----------------
# On the related tasks the common weights carry most of the signal, larger
# than any task's deviation, and estimating them on the rows of all tasks
# lifts the held-out R² well above the zero-centred model's. On the
# unrelated tasks there is nothing common to learn: unpenalised common
# weights do not help, and the list that holds ``inf`` lets cross-validation
# switch the shared component off, back to the zero-centred model. As the
# validation curves nearly coincide there, the choice is a close call, and
# on another draw the search may keep a strongly shrunk ``w0`` instead; what
# ``inf`` in the list guarantees is that the zero-centred model is one of
# the candidates. When unsure whether the tasks are related, search a list
# with ``inf`` in it (see :ref:`shared_component`).
