"""
===============================================
Outlier tasks: a low-rank model with exceptions
===============================================

*Mechanism: representation bias, kept clean of outlier tasks.*

Twenty regression tasks on 20 features, with 15 rows each. Seventeen of them
have weights in a common two-dimensional subspace of the feature space; the
other three, tasks 4, 11 and 17, are outliers whose weights have nothing to
do with it. :class:`~skmtl.TraceNormRegressor` fits one low-rank weight
matrix to all tasks, so the outliers add directions of their own that every
task may then use.

:class:`~skmtl.RobustLowRankRegressor` writes the weights as a sum
:math:`W = P + Q`: a low-rank part :math:`P` (``shared_coef_``, the trace
norm) and a part :math:`Q` (``specific_coef_``) whose rows are penalised by
their Euclidean norm, so that only a few tasks have a non-zero row: the
tasks that leave the subspace. Both models choose their strengths by 3-fold
cross-validation (by the mean squared error); the grid of the robust model
includes ``alpha_tasks > alpha_rank``, where :math:`Q = 0` and it is the
trace-norm model.
"""

# %%
# Seventeen low-rank tasks and three outliers
# -------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV

from skmtl import RobustLowRankRegressor, TraceNormRegressorCV
from skmtl.metrics import per_task_scores
from skmtl.model_selection import TaskStratifiedKFold

rng = np.random.default_rng(0)
n_tasks, n_features, rank, noise = 20, 20, 2, 1.0
outliers = np.array([4, 11, 17])
basis = rng.normal(size=(rank, n_features))
W_true = rng.normal(size=(n_tasks, rank)) @ basis / np.sqrt(rank)
W_true[outliers] = 2.0 * rng.normal(size=(len(outliers), n_features))


def draw_rows(n_rows):  # n_rows rows of every task, the task id in column 0
    task = np.repeat(np.arange(n_tasks), n_rows)
    X = rng.normal(size=(len(task), n_features))
    y = np.einsum("ij,ij->i", X, W_true[task]) + noise * rng.normal(size=len(task))
    return np.column_stack([task, X]), y


X_train, y_train = draw_rows(15)
X_test, y_test = draw_rows(200)
cv = TaskStratifiedKFold(3, task_column=0, shuffle=True, random_state=0)
trace = TraceNormRegressorCV(n_alphas=10, eps=1e-2, cv=cv, task_column=0)
trace.fit(X_train, y_train)
grid = {"alpha_rank": [0.01, 0.02, 0.05], "alpha_tasks": [0.01, 0.015, 0.03, 0.05]}
search = GridSearchCV(
    RobustLowRankRegressor(task_column=0),
    grid,
    scoring="neg_mean_squared_error",
    cv=cv,
)
robust = search.fit(X_train, y_train).best_estimator_
print(f"trace norm: alpha={trace.alpha_:.3g}")
print(
    f"robust low rank: alpha_rank={robust.alpha_rank}, alpha_tasks={robust.alpha_tasks}"
)

# %%
# Which tasks leave the subspace
# ------------------------------
# The Euclidean norm of each row of ``specific_coef_`` says how far a task
# departs from the low-rank part. The three largest belong to the planted
# outliers; the rows of the other tasks are much smaller.
departure = np.linalg.norm(robust.specific_coef_, axis=1)
inliers = np.setdiff1d(np.arange(n_tasks), outliers)
print(f"row norms of specific_coef_ of the outliers: {departure[outliers].round(2)}")
print(f"largest row norm among the other tasks: {departure[inliers].max():.2f}")
print(f"tasks with the three largest row norms: {np.sort(np.argsort(departure)[-3:])}")
print(f"rows of specific_coef_ exactly zero: {np.sum(departure == 0)} of {n_tasks}")
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
is_outlier = np.isin(np.arange(n_tasks), outliers)
ax.bar(np.arange(n_tasks), departure, color=np.where(is_outlier, "tab:red", "tab:blue"))
ax.set(xlabel="task (red: the planted outliers)", xticks=np.arange(n_tasks))
ax.set(ylabel="norm of the row of specific_coef_")
ax.set_title("RobustLowRankRegressor: how far each task leaves the subspace")

# %%
# The singular values of the low-rank part
# ----------------------------------------
# The trace-norm model spends singular values on the outliers: beyond the
# two directions of the subspace it keeps three more large ones. The
# low-rank part of the robust model, ``shared_coef_``, keeps two large ones.
for name, coef in [("trace norm", trace.coef_), ("robust", robust.shared_coef_)]:
    print(f"{name:10} singular values 1-6: {np.linalg.svd(coef)[1][:6].round(2)}")

# %%
# Held-out error, task by task
# ----------------------------
# :func:`~skmtl.metrics.per_task_scores` scores each task on its 200 held-out
# rows. On average the low-rank tasks gain from the robust model: the
# outliers no longer add directions to the space they share. No model can learn the
# outliers from 15 rows and 20 features; their error is high for both.
mse = {
    name: -per_task_scores(
        model, X_test, y_test, scoring="neg_mean_squared_error"
    ).score.to_numpy()
    for name, model in [("trace norm", trace), ("robust low rank", robust)]
}
for name, errors in mse.items():
    print(
        f"{name:15} mean held-out MSE: low-rank tasks {errors[inliers].mean():.3f},"
        f" outliers {errors[outliers].mean():.3f}"
    )
better = np.sum(mse["robust low rank"][inliers] < mse["trace norm"][inliers])
print(f"low-rank tasks with a lower error, robust: {better} of {len(inliers)}")
print(f"noise variance (the lowest possible MSE): {noise**2:.3f}")
fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
for group, label in [(inliers, "low-rank tasks"), (outliers, "outliers")]:
    ax.scatter(mse["trace norm"][group], mse["robust low rank"][group], label=label)
limits = [noise**2, 1.1 * max(errors.max() for errors in mse.values())]
ax.plot(limits, limits, "k--", lw=1, label="equal error (below: robust better)")
ax.set(xscale="log", yscale="log", xlabel="held-out MSE, trace norm")
ax.set(ylabel="held-out MSE, robust low rank")
ax.set_title("Held-out error of each task")
ax.legend()
