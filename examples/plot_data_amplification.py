"""
============================================
Small tasks borrow rows: the gain of sharing
============================================

*Mechanism: data amplification.*

Ten related regression tasks share most of their weights (``relatedness=0.8``
in :func:`~skmtl.datasets.make_multitask_regression`), over 20 features with
noisy targets. A task with a handful of rows cannot estimate 20 weights on
its own; pulled toward the other tasks, it borrows their rows. We compare,
as the rows per task grow, three models fitted on the same training rows:

* **independent**: ridge regression per task
  (:class:`~skmtl.MeanRegularizedRegressorCV` with ``couplings=[0.0]``);
* **pooled**: one weight vector with an intercept per task
  (``couplings=[inf]``);
* **mean-regularized**: the coupling chosen by cross-validation among
  0 (independent), 1, 10, 100 and infinity (pooled).

Each model chooses its ``alpha`` by 5-fold cross-validation on the training
rows, in folds that keep every task in every training part
(:class:`~skmtl.model_selection.TaskStratifiedKFold`). Each model is scored on
the same 500 held-out rows per task, by the R² of each task averaged over
the tasks (:func:`~skmtl.metrics.make_task_scorer`).
"""

# %%
# Tasks, training rows and a fixed test set
# -----------------------------------------
# One draw holds every row: the first rows of each task are its training
# rows (the first 10, 20, ... so the training sets are nested), its last 500
# rows are the test set.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import r2_score

from skmtl import MeanRegularizedRegressorCV
from skmtl.datasets import make_multitask_regression
from skmtl.inspection import CouplingValidationDisplay
from skmtl.metrics import make_task_scorer
from skmtl.model_selection import TaskStratifiedKFold

sizes = [10, 20, 50, 100, 200, 500]
X, y = make_multitask_regression(
    n_tasks=10,
    n_samples=max(sizes) + 500,
    n_features=20,
    relatedness=0.8,
    noise=3.0,
    task_offset_std=1.0,
    as_frame=True,
    random_state=0,
)
position = X.groupby("task").cumcount()  # row number within its task
X_test, y_test = X[position >= max(sizes)], y[position >= max(sizes)]
mean_r2 = make_task_scorer(r2_score)  # R² of each task, averaged over tasks
cv = TaskStratifiedKFold(5, task_column="task", shuffle=True, random_state=0)
grids = {
    "independent": [0.0],
    "pooled": [np.inf],
    "mean-regularized": [0.0, 1.0, 10.0, 100.0, np.inf],
}

# %%
# Fit the three models at each size
# ---------------------------------
scores = {name: [] for name in grids}
fitted = {}
for n in sizes:
    train = position < n
    for name, couplings in grids.items():
        model = MeanRegularizedRegressorCV(
            couplings=couplings, n_alphas=20, eps=1e-6, cv=cv, task_column="task"
        ).fit(X[train], y[train])
        scores[name].append(mean_r2(model, X_test, y_test))
    fitted[n] = model  # the mean-regularized model
    print(
        f"{n:>3} rows per task: "
        + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items())
        + f" (chosen coupling {model.coupling_:g})"
    )
gain = np.subtract(scores["mean-regularized"], scores["independent"])
print(
    f"gain over independent: {gain[0]:.3f} at {sizes[0]} rows per task, "
    f"{gain[-1]:.3f} at {sizes[-1]}"
)

# %%
# The gain of sharing shrinks as the tasks get data
# -------------------------------------------------
# With few rows, the independent models overfit and pooling is far better;
# with many, each task estimates its own weights well, the pooled model is
# held back by what makes the tasks differ, and the mean-regularized model
# moves toward the independent one.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for name, values in scores.items():
    ax.plot(sizes, values, "o-", label=name)
ax.set_xscale("log")
ax.set_xlabel("training rows per task")
ax.set_ylabel("held-out R², mean over tasks")
ax.set_title("Sharing helps most when the tasks are small")
ax.legend()

# %%
# The validation curves behind the choice
# ---------------------------------------
# The best 5-fold validation error at each coupling, for the smallest and the
# largest training sets: a deep dip between the ends with few rows, a curve
# that is flat from independent models to strong coupling with many.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, n in zip(axes, (sizes[0], sizes[-1]), strict=True):
    display = CouplingValidationDisplay.from_estimator(fitted[n], ax=ax)
    ax.set_title(f"{n} training rows per task")
