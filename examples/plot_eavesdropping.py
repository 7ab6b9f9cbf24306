"""
=============================================
Learning a direction through the other tasks
=============================================

*Mechanism: eavesdropping.*

Ten regression tasks over 30 features all depend on one direction ``u`` of
the feature space, each with its own strength and sign: the weights of task
``t`` are ``c_t u``. Nine tasks have 100 rows each, with noise of standard
deviation 1, and ``u`` is plain in their data. The first task, task 0, has 40
rows, and we bury its signal in more and more noise: with its own rows only,
it must find ``u`` among 30 directions, and the noise soon hides it.

:class:`~skmtl.FeatureLearningRegressor` learns a few feature directions
shared by all tasks (its ``components_``), here mostly from the nine clean
tasks, so task 0 only has to learn how much of ``u`` it uses. We compare, at
each noise level of task 0, its weights in the multi-task model with an
independent ridge regression on its rows alone
(:class:`~sklearn.linear_model.RidgeCV`): the angle between the learned and
the true weights, and the R² on 1000 held-out rows of task 0. ``alpha`` is
chosen by cross-validation in both (:class:`~skmtl.FeatureLearningRegressorCV`,
over all tasks' rows).
"""

# %%
# One shared direction, and task 0 at six noise levels
# ----------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score

from skmtl import FeatureLearningRegressorCV

rng = np.random.default_rng(0)
n_tasks, n_features = 10, 30
u = rng.normal(size=n_features)
u /= np.linalg.norm(u)
strength = 2.0 * rng.normal(size=n_tasks)
strength[0] = 2.0  # task 0: weights 2 u
coef = np.outer(strength, u)
task = np.repeat(np.arange(n_tasks), [40] + [100] * (n_tasks - 1))
features = rng.normal(size=(len(task), n_features))
signal = np.einsum("ij,ij->i", features, coef[task])
noise = rng.normal(size=len(task))
X = pd.DataFrame(features, columns=[f"x{j}" for j in range(n_features)])
X.insert(0, "task", task)
X_test = pd.DataFrame(rng.normal(size=(1000, n_features)), columns=X.columns[1:])
signal_test = X_test.to_numpy() @ coef[0]
X_test.insert(0, "task", 0)
noise_test = rng.normal(size=1000)


def angle(a, b):
    """Angle in degrees between two weight vectors, whatever their signs."""
    cosine = abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return np.degrees(np.arccos(min(cosine, 1.0)))


levels = [0.25, 0.5, 1.0, 2.0, 3.0, 4.0]  # noise of task 0 (1 in the others)
angles = {"independent": [], "feature learning": [], "learned direction": []}
fitted = {}
for level in levels:
    y = signal + np.where(task == 0, level, 1.0) * noise
    y_test = signal_test + level * noise_test
    alone = RidgeCV(alphas=np.logspace(-2, 4, 25))
    alone.fit(X.iloc[:, 1:][task == 0], y[task == 0])
    shared = FeatureLearningRegressorCV(n_alphas=15, eps=1e-4, task_column="task")
    shared.fit(X, y)
    fitted[level] = alone, shared
    angles["independent"].append(angle(alone.coef_, coef[0]))
    angles["feature learning"].append(angle(shared.coef_[0], coef[0]))
    angles["learned direction"].append(angle(shared.components_[0], u))
    r2_alone = r2_score(y_test, alone.predict(X_test.iloc[:, 1:]))
    r2_shared = r2_score(y_test, shared.predict(X_test))
    print(
        f"noise {level:<4g} task 0 angle / R²: independent "
        f"{angles['independent'][-1]:4.1f} deg / {r2_alone:6.3f}, feature learning "
        f"{angles['feature learning'][-1]:4.1f} deg / {r2_shared:6.3f}; "
        f"first component to u {angles['learned direction'][-1]:.1f} deg"
    )

# %%
# The direction survives the noise of task 0
# ------------------------------------------
# With little noise, task 0 does about as well alone (the R² are close). As
# its noise grows, it loses the direction of its weights alone; in the
# multi-task model they stay much closer to ``u``, whose estimate (the first
# of ``components_``) comes from the other tasks and hardly moves.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for name, values in angles.items():
    style = "--" if name == "learned direction" else "o-"
    label = "first component vs u" if name == "learned direction" else name
    left.plot(levels, values, style, label=label)
left.set(xlabel="noise standard deviation of task 0", ylabel="angle to truth (deg)")
left.set_title("Task 0: angle between learned and true weights")
left.legend()

alone, shared = fitted[2.0]
index = np.arange(n_features)
right.plot(index, coef[0], "k-", label="truth (2 u)")
right.plot(index, alone.coef_, "o", label="independent")
right.plot(index, shared.coef_[0], "s", label="feature learning")
right.set(xlabel="feature", ylabel="weight of task 0")
right.set_title("Task 0's weights at noise 2")
right.legend()
