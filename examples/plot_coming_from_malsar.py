r"""
==================
Coming from MALSAR
==================

*Mechanism: attribute selection.*

`MALSAR <https://github.com/jiayuzhou/MALSAR>`_ takes one matrix per task in
cell arrays, ``X{t}`` of shape (n_t, n_features) and ``Y{t}`` of length n_t,
and returns ``W`` of shape (n_features, n_tasks). Its joint feature selection,

.. code-block:: matlab

    opts.rho_L2 = 5;
    [W, funcVal] = Least_L21(X, Y, rho1, opts);

minimises a *sum* of squared errors, with no intercept:

.. math::

    \frac12 \sum_t \|Y_t - X_t W_{:,t}\|^2
    + \rho_1 \sum_j \|W_{j,:}\|_2 + \rho_{L2} \|W\|_F^2.

skmtl's :class:`~skmtl.L21Regressor` averages the squared errors over the
:math:`n = \sum_t n_t` rows and puts :math:`\frac12` on its ridge term, so
the same model is ``L21Regressor(alpha=rho1 / n, l2=2 * rho_L2 / n,
fit_intercept=False)``, and its ``coef_`` is MALSAR's ``W`` transposed (see
:ref:`coming_from_malsar`). MATLAB is not needed to check it: we write
MALSAR's objective in cvxpy, solve it, and compare with skmtl.
"""

# %%
# MALSAR's cell arrays from ten schools
# -------------------------------------
# The first ten schools of the School data, one task each. The features are
# standardised over these rows and, since MALSAR's least squares have no
# intercept, a column of ones is appended as one more (penalised) feature.
import cvxpy as cp
import matplotlib.pyplot as plt
import numpy as np

from skmtl import L21Regressor
from skmtl.datasets import load_school

school = load_school()
frame = school.frame[school.frame["school"] <= 10]
features = frame[school.feature_names]
features = (features - features.mean()) / features.std().where(lambda s: s > 0, 1)
names = [*school.feature_names, "ones"]
X_cells, Y_cells = [], []  # MALSAR's X{t} and Y{t}
for _, rows in features.groupby(frame["school"]):
    X_cells.append(np.column_stack([rows.to_numpy(), np.ones(len(rows))]))
    Y_cells.append(frame.loc[rows.index, "exam_score"].to_numpy())
n_features, n_tasks = X_cells[0].shape[1], len(X_cells)
n = sum(len(y_t) for y_t in Y_cells)
print(f"{n_tasks} tasks, n = {n} rows, {n_features} features")

# %%
# MALSAR's objective, solved by cvxpy
# -----------------------------------
# All weights are zero from :math:`\rho_1 = \max_j \|(X_t^\top Y_t)_j\|`
# (the norm over tasks) on; we take a tenth of it, and ``rho_L2 = 5``, which
# also makes the minimiser unique: each group of one-hot columns (year,
# gender, band, ethnicity, school type, denomination) is collinear with the
# column of ones.
rho1_max = np.linalg.norm(
    np.column_stack([X_t.T @ y_t for X_t, y_t in zip(X_cells, Y_cells, strict=True)]),
    axis=1,
).max()
rho1, rho_L2 = rho1_max / 10, 5.0


def least_l21(W):
    """MALSAR's Least_L21 objective, W of shape (n_features, n_tasks)."""
    loss = sum(
        0.5 * cp.sum_squares(y_t - X_t @ W[:, t])
        for t, (X_t, y_t) in enumerate(zip(X_cells, Y_cells, strict=True))
    )
    return loss + rho1 * cp.sum(cp.norm(W, 2, axis=1)) + rho_L2 * cp.sum_squares(W)


W = cp.Variable((n_features, n_tasks))
malsar_min = cp.Problem(cp.Minimize(least_l21(W))).solve(
    solver=cp.CLARABEL, tol_gap_rel=1e-10
)
W_malsar = W.value
print(f"rho1 = {rho1:.1f}, rho_L2 = {rho_L2:g}")

# %%
# The same model in skmtl
# -----------------------
# The cells, stacked, with each row's task in column 0 (the task-indexed
# layout), and the strengths divided by :math:`n`. The two agree to the
# accuracy asked of cvxpy's interior-point solver (``tol_gap_rel=1e-10``), and
# skmtl's weights are no worse on MALSAR's own objective.
X = np.column_stack(
    [np.repeat(np.arange(n_tasks), list(map(len, Y_cells))), np.vstack(X_cells)]
)
y = np.concatenate(Y_cells)
model = L21Regressor(
    alpha=rho1 / n, l2=2 * rho_L2 / n, fit_intercept=False, task_column=0, tol=1e-10
).fit(X, y)
W_skmtl = model.coef_.T  # MALSAR's orientation
print(f"skmtl: alpha = rho1 / n = {model.alpha:.4f}, l2 = {model.l2:.5f}")
print(
    f"largest |W_malsar - W_skmtl|: {np.abs(W_malsar - W_skmtl).max():.1e} "
    f"(largest |W|: {np.abs(W_malsar).max():.2f})"
)
print(f"MALSAR objective at cvxpy's W: {malsar_min:.6f}")
print(f"MALSAR objective at skmtl's W: {least_l21(W_skmtl).value:.6f}")
selected = np.linalg.norm(W_skmtl, axis=1) > 0
print(
    f"features kept: {selected.sum()} of {n_features}, "
    f"cvxpy's others at most {np.linalg.norm(W_malsar[~selected], axis=1).max():.0e}"
)

# %%
# The two weight matrices
# -----------------------
# One row per feature, one column per school: the L2,1 norm keeps or drops
# a feature in every school at once, and both solvers drop the same ones.
limit = np.abs(W_malsar).max()
fig, axes = plt.subplots(1, 2, figsize=(9, 6.5), sharey=True, layout="constrained")
titles = ["MALSAR objective (cvxpy): W", "skmtl: coef_.T"]
for ax, weights, title in zip(axes, [W_malsar, W_skmtl], titles, strict=True):
    image = ax.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_title(title)
    ax.set_xlabel("school (task)")
    ax.set_xticks(range(n_tasks), range(1, n_tasks + 1))
axes[0].set_yticks(range(n_features), names, fontsize=7)
axes[0].set_ylabel("feature")
fig.colorbar(image, ax=axes, label="weight")
fig.suptitle("Least_L21 on ten schools: the same weights")
