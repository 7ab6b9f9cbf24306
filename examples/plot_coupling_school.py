"""
====================================================
When does sharing help? The coupling curve on School
====================================================

*Mechanism: data amplification.*

The School data holds the exam scores of 15,362 students in 139 London
schools; each school is a task, with 22 to 251 students. Two obvious models
sit at the ends of one knob:

* **independent** models, one per school, see only their school's students
  (``coupling=0``);
* one **pooled** model, with a per-school intercept, sees every student but
  ignores how schools differ (``coupling=inf``).

:class:`~skmtl.MeanRegularizedRegressor` pulls each school's weights toward
the mean of all schools' weights, with ``coupling`` the strength of the
pull. :class:`~skmtl.MeanRegularizedRegressorCV` chooses ``alpha`` and the
coupling by cross-validation on the training rows of the first standard
split (folds that keep every school in every training part), and
:class:`~skmtl.inspection.CouplingValidationDisplay` draws the best
validation error at each coupling.
"""

# %%
# Fit on the training rows of the first standard split
# ----------------------------------------------------
# The features are standardised; the school column passes through.
import matplotlib.pyplot as plt
from sklearn.metrics import explained_variance_score

from skmtl import MeanRegularizedRegressor, MeanRegularizedRegressorCV
from skmtl.datasets import load_school
from skmtl.inspection import CouplingValidationDisplay

school = load_school(split=1)
features = [c for c in school.X_train.columns if c != "school"]
mean = school.X_train[features].mean()
scale = school.X_train[features].std().where(lambda s: s > 0, 1.0)


def standardised(X):
    return X.assign(**{c: (X[c] - mean[c]) / scale[c] for c in features})


X_train, X_test = standardised(school.X_train), standardised(school.X_test)
couplings = [0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, float("inf")]
model = MeanRegularizedRegressorCV(
    couplings=couplings, n_alphas=12, eps=1e-6, cv=5, task_column="school"
).fit(X_train, school.y_train)
print(f"chosen: alpha={model.alpha_:.3g}, coupling={model.coupling_:g}")

# %%
# The validation curve
# --------------------
# Each point is the lowest mean validation error over the ``alpha`` path at
# that coupling. The dip between the two ends is what sharing gains.
display = CouplingValidationDisplay.from_estimator(model)
display.ax_.set_title("School: 5-fold validation error on the training rows")
plt.tight_layout()

# %%
# Held-out rows
# -------------
# The ends and the chosen coupling, each refitted on all training rows at
# the chosen ``alpha``, scored on the held-out students of the split (the
# variance explained, as the multi-task literature reports School).
for coupling in (0.0, model.coupling_, float("inf")):
    fitted = MeanRegularizedRegressor(model.alpha_, coupling, task_column="school").fit(
        X_train, school.y_train
    )
    score = explained_variance_score(school.y_test, fitted.predict(X_test))
    print(f"coupling={coupling:<5g} held-out explained variance {100 * score:.1f}%")
