"""
===================================================
Tuning the coupling in a Pipeline with GridSearchCV
===================================================

*Mechanism: data amplification.*

Grouped data usually arrives as a DataFrame with an id column of strings,
here the School data with its schools named ``"school_1"``, ...,
``"school_139"`` in a categorical column. A scikit-learn
:class:`~sklearn.pipeline.Pipeline` can scale the features and fit
:class:`~skmtl.MeanRegularizedRegressor` on them, as long as the scaling
leaves the task column alone: a
:class:`~sklearn.compose.ColumnTransformer` standardises the attributes and
passes ``school`` through under its own name, where the estimator finds it
by ``task_column="school"``.

:class:`~sklearn.model_selection.GridSearchCV` then tunes ``coupling`` (0:
one model per school, fitted on that school's students only; infinity: one
weight vector for all schools, with an intercept each) together with
``alpha``, on folds from :class:`~skmtl.model_selection.TaskStratifiedKFold`
that keep every school in every training part. Nothing in the search knows
about tasks: the school ids travel inside ``X``.
"""

# %%
# The data and the pipeline
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtl import MeanRegularizedRegressor
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

school = load_school(split=1)


def named(X):
    return X.assign(school=("school_" + X["school"].astype(str)).astype("category"))


X_train, X_test = named(school.X_train), named(school.X_test)
sizes = X_train["school"].value_counts()
print(
    f"{len(X_train)} training rows, {len(sizes)} schools of {sizes.min()} to "
    f"{sizes.max()} students (median {sizes.median():g})"
)
print(X_train["school"].head(3).tolist(), X_train["school"].dtype)

scale = ColumnTransformer(
    [("scale", StandardScaler(), school.feature_names)],
    remainder="passthrough",
    verbose_feature_names_out=False,
).set_output(transform="pandas")
pipe = make_pipeline(scale, MeanRegularizedRegressor(task_column="school"))
print("columns seen by the estimator:", list(scale.fit_transform(X_train).columns[-2:]))

# %%
# The search
# ----------
# The default score of a regressor, :math:`R^2`, on the held-out fold.
couplings = [0.0, 1.0, 10.0, 100.0, 1000.0, float("inf")]
alphas = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3]
param_grid = {
    "meanregularizedregressor__coupling": couplings,
    "meanregularizedregressor__alpha": alphas,
}
cv = TaskStratifiedKFold(5, task_column="school", shuffle=True, random_state=0)
search = GridSearchCV(pipe, param_grid, cv=cv).fit(X_train, school.y_train)
best = {k.split("__")[1]: v for k, v in search.best_params_.items()}
print(f"chosen: alpha={best['alpha']:g}, coupling={best['coupling']:g}")
print(f"held-out R^2 on the test rows: {search.score(X_test, school.y_test):.3f}")

# %%
# The validation curve
# --------------------
# One line per ``alpha``; its two ends are the independent and the pooled
# models. Printed: the best over ``alpha`` at the two ends and at the chosen
# coupling. Independent models, each school learning from its own students
# only, validate worst. Pooling the students gains most of the difference,
# and the best coupling between the two ends adds a little more: the
# schools are alike, but not equal.
results = pd.DataFrame(search.cv_results_)
scores = results.pivot(
    index="param_meanregularizedregressor__coupling",
    columns="param_meanregularizedregressor__alpha",
    values="mean_test_score",
).loc[couplings]
for coupling in (0.0, best["coupling"], float("inf")):
    print(f"coupling={coupling:<5g} best mean R^2 {scores.loc[coupling].max():.4f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
positions = np.arange(len(couplings))
colours = plt.cm.viridis(np.linspace(0, 0.9, len(alphas)))
for alpha, colour in zip(alphas, colours, strict=True):
    ax.plot(
        positions, scores[alpha], marker="o", color=colour, label=f"alpha={alpha:g}"
    )
labels = [f"{c:g}" for c in couplings]
labels[0], labels[-1] = "0\nindependent", "inf\npooled"
ax.set_xticks(positions, labels)
ax.axvline(couplings.index(best["coupling"]), color="k", ls="--", label="chosen")
ax.set_xlabel("coupling")
ax.set_ylabel("mean $R^2$ over the 5 validation folds")
ax.set_title("School: GridSearchCV over the coupling, in a Pipeline")
ax.legend()
plt.tight_layout()
