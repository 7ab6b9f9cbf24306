"""The coefficient heatmap draws what the model holds."""

import numpy as np
import pytest

from skmtl import L21Regressor, MeanRegularizedRegressor
from skmtl.inspection import plot_coefficients

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_heatmap_shows_coef_transposed_with_a_symmetric_scale():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 6)), rng.normal(size=(50, 3))
    model = L21Regressor(alpha=0.05).fit(X, Y)
    ax = plot_coefficients(model, feature_names=list("abcdef"))
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), model.coef_.T)
    low, high = image.get_clim()
    assert low == -high == -np.abs(model.coef_).max()
    assert [t.get_text() for t in ax.get_yticklabels()] == list("abcdef")


def test_feature_names_come_from_the_frame_without_the_task_column():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["age", "income", "size"])
    X.insert(1, "store", np.repeat(["a", "b"], 20))
    model = MeanRegularizedRegressor(task_column="store").fit(X, rng.normal(size=40))
    ax = plot_coefficients(model)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["age", "income", "size"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="feature_names has 2 names for 3 features"):
        plot_coefficients(model, feature_names=["a", "b"])


def test_feature_names_with_an_integer_task_column():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["age", "income", "size"])
    X.insert(0, "store", np.repeat([3, 7], 20))
    model = MeanRegularizedRegressor(task_column=0).fit(X, rng.normal(size=40))
    ax = plot_coefficients(model)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["age", "income", "size"]
