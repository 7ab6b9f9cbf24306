"""
=========================================
Groups of tasks: clustered multi-task fit
=========================================

*Mechanism: data amplification, within groups of tasks the model finds.*

Twenty-four regression tasks on 20 features, with 12 rows each, fall into
three hidden groups of eight. The tasks of a group share one weight vector,
up to small deviations of their own; the groups differ. Independent models
waste the rows of the other tasks of the group, while
:class:`~skmtl.MeanRegularizedRegressor`, which pulls every task toward the
mean of all, mixes the groups.

:class:`~skmtl.ClusteredRegressor` learns the groups and the weights
together: its convex penalty relaxes the k-means objective of the task
weights, so each task is pulled toward its own group. With
``shared_component=True`` the groups form around a weight vector common to
all tasks. Its strengths are fixed here (a grid search over them is slow);
the other models choose theirs by 3-fold cross-validation.
"""

# %%
# Three hidden groups of eight tasks
# ----------------------------------
# Each task is named by its planted group (A, B or C) so that the figures
# can be checked; the models see the names as ids only. Every model is
# scored on 200 new rows of every task.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from skmtl import (
    ClusteredRegressor,
    FeatureLearningRegressorCV,
    MeanRegularizedRegressorCV,
)
from skmtl.inspection import TaskSimilarityDisplay
from skmtl.model_selection import TaskStratifiedKFold

rng = np.random.default_rng(0)
n_groups, group_size, n_features, noise = 3, 8, 20, 1.0
planted = np.repeat(np.arange(n_groups), group_size)
centres = rng.normal(size=n_features) + 0.7 * rng.normal(size=(n_groups, n_features))
W_true = centres[planted] + 0.3 * rng.normal(size=(len(planted), n_features))
groups = np.array(list("ABC"))[planted]
names = [f"{g}{i % group_size}" for i, g in enumerate(groups)]


def draw_rows(n_rows):  # n_rows rows of every task, the task name in "task"
    task = np.repeat(np.arange(len(W_true)), n_rows)
    X = rng.normal(size=(len(task), n_features))
    y = np.einsum("ij,ij->i", X, W_true[task]) + noise * rng.normal(size=len(task))
    X = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_features)])
    return X.assign(task=np.array(names)[task]), y


X_train, y_train = draw_rows(12)
X_test, y_test = draw_rows(200)
cv = TaskStratifiedKFold(3, task_column="task", shuffle=True, random_state=0)
options = dict(n_alphas=12, eps=1e-5, cv=cv, task_column="task")
models = {
    "independent ridge": MeanRegularizedRegressorCV(couplings=[0], **options),
    "mean-regularized": MeanRegularizedRegressorCV(
        couplings=[1, 10, 100, np.inf], **options
    ),
    "clustered": ClusteredRegressor(
        n_groups, alpha=1.0, beta=0.003, shared_component=True, task_column="task"
    ),
    "feature learning": FeatureLearningRegressorCV(
        shared_component=True, n_alphas=10, cv=cv, task_column="task"
    ),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    print(f"{name:18} held-out R^2 {model.score(X_test, y_test):.3f}")
print(f"mean-regularized: coupling={models['mean-regularized'].coupling_:g}")
clustered = models["clustered"]

# %%
# The groups found
# ----------------
# ``task_clusters_`` is the hard clustering behind the penalty: k-means on
# the learned task deviations. The adjusted Rand index compares it with the
# planted groups (1: the same partition, about 0: no better than chance);
# k-means on the weights of the independent fits is the baseline.
independent = models["independent ridge"]
kmeans = KMeans(n_groups, n_init=10, random_state=0).fit(independent.coef_)
for name, labels in [
    ("clustered model", clustered.task_clusters_),
    ("k-means on the independent fits", kmeans.labels_),
]:
    print(f"adjusted Rand index, {name}: {adjusted_rand_score(planted, labels):.2f}")
print(
    pd.crosstab(
        groups,
        clustered.task_clusters_,
        rownames=["planted"],
        colnames=["task_clusters_"],
    )
)

# %%
# The task similarity
# -------------------
# :class:`~skmtl.inspection.TaskSimilarityDisplay` draws how alike the tasks
# are, in an order that puts similar tasks side by side: for the independent
# fits the cosine similarity of their weights, for the clustered model the
# task matrix ``task_matrix_`` it learned (the relaxed co-membership of the
# tasks), and for :class:`~skmtl.FeatureLearningRegressor` (with
# ``shared_component=True``: a few shared directions of the deviations from
# the common weights) its ``task_covariance_``. The two models that learn a
# task structure show the three planted groups as three blocks; in the
# independent fits every pair of tasks looks alike through the weights all
# groups share, and the blocks are faint.
fig, axes = plt.subplots(1, 3, figsize=(17, 5.2), layout="constrained")
shown = {name: model for name, model in models.items() if name != "mean-regularized"}
for ax, (name, model) in zip(axes, shown.items(), strict=True):
    display = TaskSimilarityDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"{name}: {display.source}")
