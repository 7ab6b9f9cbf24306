"""
============================================
A low-rank set of tasks and its shared basis
============================================

*Mechanism: representation bias.*

Thirty regression tasks on 20 features, with 15 rows each: too few rows to
learn a task well alone. But every task's weights combine the same two
directions of the feature space: :math:`W = A B`, with :math:`B` of shape
(2, 20), has rank 2. :class:`~skmtl.TraceNormRegressor` (penalising the sum
of the singular values of ``coef_``) and
:class:`~skmtl.FeatureLearningRegressor` (its square) push the tasks into a
few directions learned from the rows of all tasks; ridge regressions on each
task alone (:class:`~skmtl.MeanRegularizedRegressor`, ``coupling=0``) are
the baseline. Every ``alpha`` is chosen by 3-fold cross-validation.
"""

# %%
# Thirty tasks with rank-2 weights
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.linalg import subspace_angles
from sklearn.linear_model import RidgeCV

from skmtl import (
    FeatureLearningRegressorCV,
    MeanRegularizedRegressorCV,
    TraceNormRegressorCV,
)

rng = np.random.default_rng(0)
n_tasks, n_features, rank, noise = 30, 20, 2, 2.0
basis = rng.normal(size=(rank, n_features))  # B: the two shared directions
W_true = rng.normal(size=(n_tasks, rank)) @ basis / np.sqrt(rank)


def draw_rows(n_rows, W):  # n_rows rows of every task, the task id in column 0
    task = np.repeat(np.arange(len(W)), n_rows)
    X = rng.normal(size=(len(task), n_features))
    y = np.einsum("ij,ij->i", X, W[task]) + noise * rng.normal(size=len(task))
    return np.column_stack([task, X]), y


X_train, y_train = draw_rows(15, W_true)
X_test, y_test = draw_rows(200, W_true)
options = dict(n_alphas=10, cv=3, task_column=0)
models = {
    "independent ridge": MeanRegularizedRegressorCV(couplings=[0], eps=1e-3, **options),
    "trace norm": TraceNormRegressorCV(eps=1e-2, **options),
    "feature learning": FeatureLearningRegressorCV(eps=1e-3, **options),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    print(f"{name:18} held-out R^2 {model.score(X_test, y_test):.3f}")

# %%
# The singular values and the subspace of the weights
# ---------------------------------------------------
# The true weights have two non-zero singular values. The independent fits
# spread over many directions; both multi-task models keep two large
# singular values, far above the others. The principal angles between the
# true subspace (the row space of :math:`B`) and the span of a model's two
# leading right singular vectors say how well it found the directions.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
index, true_values = np.arange(1, n_features + 1), np.linalg.svd(W_true)[1]
ax.plot(index, true_values, "k.-", label="true weights")
print(f"{'true weights':18} singular values 1-4: {true_values[:4].round(2)}")
for name, model in models.items():
    _, singular_values, directions = np.linalg.svd(model.coef_)
    angles = np.degrees(subspace_angles(directions[:rank].T, basis.T))
    ax.plot(index, singular_values, ".-", label=name)
    print(
        f"{name:18} singular values 1-4: {singular_values[:4].round(2)}, "
        f"principal angles {angles.round(1)} degrees"
    )
ax.set(xlabel="index k", ylabel="k-th singular value", xticks=index[::2])
ax.set_title("Singular values: the true and the learned weights")
ax.legend()

# %%
# The learned components
# ----------------------
# The ``components_`` of the feature-learning model are directions of the
# feature space, each with a weight in the learned feature covariance
# (``component_weights_``). The cosine of a component with the true subspace
# (the norm of its projection on it) is 1 inside it and 0 orthogonal to it:
# the two heavy components lie close to the subspace, the light ones are
# nearly orthogonal to it.
fl = models["feature learning"]
true_axes = np.linalg.qr(basis.T)[0]  # orthonormal basis of the true subspace
cosines = np.linalg.norm(true_axes.T @ fl.components_.T, axis=0)
print("component weights:", fl.component_weights_.round(3))
print("cosine with the true subspace:", cosines.round(2))
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
k = np.arange(1, len(cosines) + 1)
ax.bar(k - 0.2, fl.component_weights_, 0.4, label="component_weights_")
ax.bar(k + 0.2, cosines, 0.4, label="cosine with the true subspace")
ax.set(xlabel="component of the feature-learning model", ylabel="value")
ax.set_title("Learned components: weight and alignment with the truth")
ax.legend()

# %%
# A new task with few rows
# ------------------------
# The representation suits new tasks too. A new task, with weights in the
# same subspace and a handful of rows, is fitted by ``RidgeCV`` on the 20 raw
# features or on the two leading learned components,
# ``X @ components_[:2].T``: the median held-out :math:`R^2` over 100 new
# tasks. With the learned representation a new task needs far fewer rows.
sizes, components = [5, 10, 20, 40], fl.components_[:rank]
medians = np.zeros((len(sizes), 2))
for i, n in enumerate(sizes):
    scores = []
    for _ in range(100):
        X = rng.normal(size=(n + 500, n_features))
        y = X @ (rng.normal(size=rank) @ basis / np.sqrt(rank))
        y += noise * rng.normal(size=len(X))
        ridge = RidgeCV(alphas=np.geomspace(1e-2, 1e3, 11))
        Zs = (X, X @ components.T)
        scores.append([ridge.fit(Z[:n], y[:n]).score(Z[n:], y[n:]) for Z in Zs])
    medians[i] = np.median(scores, axis=0)
    print(f"{n:2} rows: median R^2 {medians[i].round(3)} (raw, learned)")
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(sizes, medians, "o-", label=["20 raw features", "2 learned components"])
ax.set(xlabel="rows of the new task", ylabel="median held-out $R^2$")
ax.set_title("A new task: raw features against the learned representation")
ax.legend()
