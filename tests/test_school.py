"""MeanRegularizedRegressor on the real School data (needs SKMTL_DATA_HOME)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import explained_variance_score
from sklearn.model_selection import GridSearchCV

from skmtl import MeanRegularizedRegressor
from skmtl.datasets import load_school
from skmtl.model_selection import TaskStratifiedKFold

from ._oracles import Observations, cvxpy_solve, objective


@pytest.fixture(scope="module")
def school(data_home):
    return load_school(data_home)


def test_closed_form_matches_cvxpy_on_school(school):
    X, y = school.data, school.target
    alpha, coupling = 1e-4, 30.0
    model = MeanRegularizedRegressor(alpha, coupling, task_column="school").fit(X, y)
    features = X.drop(columns="school").to_numpy()
    obs = Observations.indexed(features, y.to_numpy(), X["school"].to_numpy())
    W_ref, b_ref = cvxpy_solve(obs, alpha, coupling, "squared")
    ours = objective(obs, model.coef_, model.intercept_, alpha, coupling, "squared")
    reference = objective(obs, W_ref, b_ref, alpha, coupling, "squared")
    assert ours <= reference * (1 + 1e-10)
    assert reference <= ours * (1 + 1e-8)
    assert model.dual_gap_ <= 1e-12 * ours


def test_coupling_zero_is_ridge_per_school(school):
    X, y = school.data, school.target
    alpha = 1e-3
    model = MeanRegularizedRegressor(alpha, 0.0, task_column="school").fit(X, y)
    for t, name in enumerate(model.tasks_[:20]):
        rows = X["school"] == name
        ridge = Ridge(alpha=2 * len(y) * alpha)
        ridge.fit(X.loc[rows].drop(columns="school"), y[rows])
        np.testing.assert_allclose(model.coef_[t], ridge.coef_, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(model.intercept_[t], ridge.intercept_, rtol=1e-9)


def test_sharing_beats_independent_models_on_a_standard_split(school):
    """Inner CV on the training rows only; scored on the split's test rows."""
    X, y = school.data, school.target
    train, test = school.splits[0]
    cv = TaskStratifiedKFold(3, task_column="school", shuffle=True, random_state=0)
    alphas = np.logspace(-6, -2, 5)

    def test_score(couplings):
        search = GridSearchCV(
            MeanRegularizedRegressor(task_column="school"),
            {"alpha": alphas, "coupling": couplings},
            cv=cv,
            scoring="explained_variance",
        )
        search.fit(X.iloc[train], y.iloc[train])
        return explained_variance_score(y.iloc[test], search.predict(X.iloc[test]))

    independent = test_score([0.0])
    shared = test_score([0.0, 1.0, 10.0, 100.0, 1000.0, np.inf])
    assert shared > independent + 0.01
