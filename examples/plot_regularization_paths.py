"""
================================================
Regularization paths of L2,1 and Lasso on School
================================================

*Mechanism: attribute selection.*

Which student attributes predict an exam score should not change much from
one London school to the next. Two sparse models read the School data (139
schools, one task each) differently:

* the **lasso** (:class:`~skmtl.LassoRegressorCV`) zeroes weights one by
  one, so each school keeps its own handful of attributes;
* the **L2,1** norm (:class:`~skmtl.L21RegressorCV`) zeroes a whole column
  of the weight matrix ``W`` at once, an attribute for every school, so the
  schools choose their attributes together and each attribute's weight is
  judged on the students of all schools rather than of one.

Both choose ``alpha`` by 5-fold cross-validation (folds that keep every
school in every training part) along a path of strengths, from the one that
zeroes every weight down to a thousandth of it.
"""

# %%
# Fit both paths on the training rows of the first standard split
# ----------------------------------------------------------------
# The features are standardised; the school column passes through.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import explained_variance_score

from skmtl import L21RegressorCV, LassoRegressorCV, l21_path
from skmtl.datasets import load_school
from skmtl.inspection import RegularizationPathDisplay

school = load_school(split=1)
features = school.feature_names
mean = school.X_train[features].mean()
scale = school.X_train[features].std().where(lambda s: s > 0, 1.0)


def standardised(X):
    return X.assign(**{c: (X[c] - mean[c]) / scale[c] for c in features})


X_train, X_test = standardised(school.X_train), standardised(school.X_test)
print(
    f"{len(X_train)} training students, {X_train['school'].nunique()} schools, "
    f"{len(features)} attributes"
)
search = dict(n_alphas=30, eps=1e-3, cv=5, task_column="school")
models = {
    "L2,1": L21RegressorCV(**search).fit(X_train, school.y_train),
    "Lasso": LassoRegressorCV(**search).fit(X_train, school.y_train),
}
for name, model in models.items():
    used = model.coef_ != 0
    per_school = used.sum(axis=1)
    score = explained_variance_score(school.y_test, model.predict(X_test))
    print(
        f"{name:<6} alpha={model.alpha_:.3g}: {used.any(axis=0).sum()} of "
        f"{len(features)} attributes in use (per school: {per_school.min()} "
        f"to {per_school.max()}), held-out explained variance {100 * score:.1f}%"
    )

# %%
# The validation curves
# ---------------------
# The mean validation error over the folds (with a band of one standard
# deviation) at each ``alpha``, and the value each model chose. At its best
# ``alpha``, the L2,1 model validates better than the lasso:
for name, model in models.items():
    best = np.nanmean(model.mse_path_, axis=1).min()
    print(f"{name:<6} lowest mean validation error {best:.1f}")
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items(), strict=True):
    RegularizationPathDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"{name}: 5-fold validation error")
fig.suptitle("School: choosing alpha on the training rows")
plt.tight_layout()

# %%
# The L2,1 coefficient path
# -------------------------
# :func:`~skmtl.l21_path` gives the L2,1 solutions on all training rows at
# the same strengths. Each line is the norm of one attribute's weights over
# the 139 schools, ``||W[:, j]||``: an attribute enters for every school at
# once, at the strength where its line leaves zero.
l21 = models["L2,1"]
alphas, coefs, _, _ = l21_path(
    X_train, school.y_train, alphas=l21.alphas_, task_column="school"
)
norms = np.linalg.norm(coefs, axis=0)  # (features, alphas)
in_use = norms > 0
first = [
    in_use[j].argmax() if in_use[j].any() else len(alphas) for j in range(len(features))
]
order = np.argsort(first, kind="stable")
for j in order[:3]:
    print(f"enters at alpha={alphas[first[j]]:.3g}: {features[j]}")
never = [features[j] for j in range(len(features)) if not in_use[j].any()]
years = ["year_1985", "year_1986", "year_1987"]
constant = school.data.groupby(["school", *years])[never].nunique().eq(1).all()
print(f"never in use ({len(never)}): {', '.join(never)}")
print("each constant within a school and exam year:", bool(constant.all()))

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(alphas, norms.T, color="0.7", linewidth=1)
for j in order[:3]:
    ax.plot(alphas, norms[j], linewidth=2, label=features[j])
ax.axvline(l21.alpha_, color="k", linestyle="--", label="chosen by CV")
ax.set_xscale("log")
ax.set_xlabel("alpha")
ax.set_ylabel("||W[:, j]||, norm over the 139 schools")
ax.set_title("School: L2,1 coefficient path, one line per attribute")
ax.legend(title="first to enter")
plt.tight_layout()

# %%
# The attributes that never enter describe the school, not the student: its
# type, its denomination, and its percentages of students eligible for free
# school meals and in verbal-reasoning band 1, which change only from one
# exam year to the next. Within a school they carry nothing that its
# intercept and the year attributes do not, and no school gets a weight on
# them anywhere on the path. The attributes that enter first, the student's
# own verbal-reasoning band, enter for all 139 schools at once.
