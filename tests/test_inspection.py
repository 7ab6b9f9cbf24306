"""The coefficient heatmap draws what the model holds."""

import numpy as np
import pytest

from skmtl import L21Regressor, MeanRegularizedRegressor
from skmtl.inspection import plot_coefficients

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

# Drawing a display warns about nothing (a CV estimator's choice on the edge
# of its grid is allowed where a test says so).
pytestmark = pytest.mark.filterwarnings("error")


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


# -- Display objects ([10/10] item 2) -------------------------------------------


def _indexed(seed=0, noise=5.0):
    from skmtl.datasets import make_multitask_regression

    return make_multitask_regression(n_tasks=8, noise=noise, random_state=seed)


def test_coefficient_display_holds_the_weights_and_draws_them():
    from skmtl.inspection import CoefficientDisplay

    X, y = _indexed()
    model = MeanRegularizedRegressor(0.1, task_column=0).fit(X, y)
    display = CoefficientDisplay.from_estimator(model)
    np.testing.assert_array_equal(display.coef, model.coef_)
    np.testing.assert_array_equal(display.im_.get_array(), model.coef_.T)
    assert display.ax_.figure is display.figure_
    assert display.task_names == [str(t) for t in model.tasks_]
    assert plot_coefficients(model).get_xlabel() == display.ax_.get_xlabel() == "task"


def test_per_task_score_display_plots_the_per_task_tables():
    from skmtl.inspection import PerTaskScoreDisplay
    from skmtl.metrics import per_task_scores

    X, y = _indexed()
    models = {
        "independent": MeanRegularizedRegressor(0.1, 0.0, task_column=0).fit(X, y),
        "mean-regularized": MeanRegularizedRegressor(0.1, 10.0, task_column=0).fit(
            X, y
        ),
    }
    display = PerTaskScoreDisplay.from_estimator(models, X, y)
    for name, model in models.items():
        table = per_task_scores(model, X, y)
        x, scores = display.lines_[name].get_data()
        np.testing.assert_array_equal(x, table["n_rows"])
        np.testing.assert_allclose(scores, table["score"])
    assert display.ax_.get_ylabel() == "R² of the task"
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == list(models)
    single = PerTaskScoreDisplay.from_estimator(models["independent"], X, y)
    assert list(single.tables) == ["MeanRegularizedRegressor"]
    with pytest.raises(ValueError, match="estimators is empty"):
        PerTaskScoreDisplay.from_estimator({}, X, y)


@pytest.mark.filterwarnings("ignore:.*chose:UserWarning")
def test_regularization_path_display_is_the_cv_path():
    from skmtl import L21RegressorCV, MeanRegularizedRegressorCV
    from skmtl.inspection import RegularizationPathDisplay

    X, y = _indexed()
    l21 = L21RegressorCV(task_column=0, n_alphas=6, cv=3).fit(X, y)
    display = RegularizationPathDisplay.from_estimator(l21)
    np.testing.assert_array_equal(display.values[0], l21.mse_path_)
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), l21.alphas_)
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(), np.nanmean(l21.mse_path_, axis=1)
    )
    assert display.chosen == l21.alpha_
    assert display.ax_.get_ylabel() == "validation mean squared error"
    mean = MeanRegularizedRegressorCV(task_column=0, n_alphas=4, cv=3).fit(X, y)
    display = RegularizationPathDisplay.from_estimator(mean)
    assert len(display.lines_) == len(mean.couplings)
    assert display.labels[0].startswith("coupling=0")
    chosen = [label for label in display.labels if label.endswith(" (chosen)")]
    assert chosen == [f"coupling={mean.coupling_:g} (chosen)"]
    np.testing.assert_array_equal(display.values, mean.mse_path_)
    with pytest.raises(TypeError, match="not a skmtl \\*CV estimator"):
        RegularizationPathDisplay.from_estimator(MeanRegularizedRegressor())


@pytest.mark.filterwarnings("ignore:.*chose:UserWarning")
def test_coupling_validation_display_takes_the_best_alpha_per_coupling():
    from skmtl import L21RegressorCV, MeanRegularizedRegressorCV
    from skmtl.inspection import CouplingValidationDisplay

    X, y = _indexed()
    model = MeanRegularizedRegressorCV(
        task_column=0, n_alphas=5, cv=3, couplings=[10.0, 0.0, float("inf"), 1.0]
    ).fit(X, y)
    display = CouplingValidationDisplay.from_estimator(model)
    assert display.couplings.tolist() == [0.0, 1.0, 10.0, float("inf")]
    by_coupling = dict(
        zip(
            [p["coupling"] for p in model._grid_points()],
            np.nanmean(model.mse_path_, axis=-1).min(axis=1),
            strict=True,
        )
    )
    expected = [by_coupling[c] for c in display.couplings]
    np.testing.assert_allclose(display.values, expected)
    np.testing.assert_allclose(display.line_.get_ydata(), expected)
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels[0] == "independent\n(0)" and labels[-1] == "pooled\n(inf)"
    assert display.chosen == model.coupling_
    with pytest.raises(TypeError, match="MeanRegularizedRegressorCV"):
        CouplingValidationDisplay.from_estimator(L21RegressorCV())


def test_task_similarity_display_orders_a_permutation_of_the_similarity():
    from skmtl import FeatureLearningRegressor
    from skmtl.inspection import TaskSimilarityDisplay

    X, y = _indexed()
    model = MeanRegularizedRegressor(0.1, task_column=0).fit(X, y)
    display = TaskSimilarityDisplay.from_estimator(model)
    unit = model.coef_ / np.linalg.norm(model.coef_, axis=1, keepdims=True)
    order = [list(map(str, model.tasks_)).index(name) for name in display.task_names]
    np.testing.assert_allclose(
        display.similarity, (unit @ unit.T)[np.ix_(order, order)]
    )
    np.testing.assert_allclose(np.diag(display.similarity), 1.0)
    learned = FeatureLearningRegressor(0.1, task_column=0).fit(X, y)
    display = TaskSimilarityDisplay.from_estimator(learned)
    assert display.source == "task_covariance_"
    np.testing.assert_allclose(np.diag(display.similarity), 1.0)


def test_displays_say_how_to_get_matplotlib(monkeypatch):
    import sys

    from skmtl.inspection import CoefficientDisplay

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    display = CoefficientDisplay(np.zeros((2, 3)), list("abc"), ["t0", "t1"])
    with pytest.raises(ImportError, match=r"skmtl\[plot\]"):
        display.plot()


def test_regularization_path_display_from_a_path_draws_feature_norms():
    from skmtl import l21_path
    from skmtl.inspection import RegularizationPathDisplay

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 6)), rng.normal(size=(40, 3))
    alphas, coefs, _, _ = l21_path(X, Y, n_alphas=8)
    display = RegularizationPathDisplay.from_path(
        alphas, coefs, feature_names=list("abcdef"), chosen=alphas[3]
    )
    for j, line in enumerate(display.lines_):
        np.testing.assert_allclose(
            line.get_ydata(), np.linalg.norm(coefs[:, j], axis=0)
        )
        np.testing.assert_array_equal(line.get_xdata(), alphas)
    assert display.labels == list("abcdef") and display.chosen == alphas[3]
    with pytest.raises(ValueError, match="coefs must have shape"):
        RegularizationPathDisplay.from_path(alphas, coefs[:, :, :-1])
