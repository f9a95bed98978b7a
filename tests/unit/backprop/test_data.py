"""The regression data (f(x) + noise, train/test/grid) and the scikit-learn regressors fitted on it."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import mean_squared_error
from sklearn.tree import DecisionTreeRegressor

from core.backprop.data import FUNCTIONS, DataSettings, make_data, mse, target
from core.backprop.figures import comparison_figure, comparison_table, fit_regressors, y_limits


def test_functions_match_their_closed_forms():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert_allclose(target("sin(x)", x), np.sin(x), rtol=0, atol=0)
    assert_allclose(target("|x|", x), [2.0, 0.5, 0.0, 0.5, 2.0], rtol=0, atol=0)
    assert_allclose(target("step", x), [0.0, 0.0, 1.0, 1.0, 1.0], rtol=0, atol=0)
    assert_allclose(target("x²", x), [4.0, 0.25, 0.0, 0.25, 4.0], rtol=0, atol=0)
    with pytest.raises(KeyError, match="known"):
        target("cos(x)", x)


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_shapes_ranges_and_noise_free_targets(function):
    settings = DataSettings(function=function, noise=0.0, n_points=50, test_points=30, half_range_pi=0.5)
    data = make_data(settings)
    assert data.X_train.shape == (50, 1) and data.y_train.shape == (50,)
    assert data.X_test.shape == (30, 1) and data.y_test.shape == (30,)
    half = 0.5 * np.pi
    assert data.x_range == pytest.approx((-half, half))
    assert np.all(np.abs(data.X_train) <= half) and np.all(np.abs(data.X_test) <= half)
    assert np.all(np.diff(data.X_train[:, 0]) >= 0)  # sorted, so a line through the points is drawable
    assert_allclose(data.y_train, target(function, data.X_train[:, 0]), atol=0)
    # The grid reaches `extrapolate` times the training range on each side, and holds the noise-free f.
    assert data.x_grid[0] == pytest.approx(-settings.extrapolate * half)
    assert data.x_grid[-1] == pytest.approx(settings.extrapolate * half)
    assert_allclose(data.y_grid, target(function, data.x_grid), atol=0)


def test_noise_has_the_requested_standard_deviation():
    data = make_data(DataSettings(noise=0.3, n_points=20_000, test_points=20_000))
    residual = data.y_train - np.sin(data.X_train[:, 0])
    # Sample std of 20 000 normal draws: standard error 0.3 / sqrt(2 * 20 000) ≈ 0.0015.
    assert residual.std() == pytest.approx(0.3, abs=0.01)
    assert residual.mean() == pytest.approx(0.0, abs=0.01)


def test_same_seed_same_data_and_test_set_is_held_out():
    a, b = make_data(DataSettings(seed=3)), make_data(DataSettings(seed=3))
    assert_array_equal(a.X_train, b.X_train)
    assert_array_equal(a.y_train, b.y_train)
    assert_array_equal(a.y_test, b.y_test)
    c = make_data(DataSettings(seed=4))
    assert not np.array_equal(a.X_train, c.X_train)
    # Train and test come from independent streams: no test point repeats a training point.
    assert not np.intersect1d(a.X_train[:, 0], a.X_test[:, 0]).size


@pytest.mark.parametrize("bad", [dict(n_points=0), dict(noise=-0.1), dict(half_range_pi=0.0)])
def test_bad_settings_raise(bad):
    with pytest.raises(ValueError):
        make_data(DataSettings(**bad))


def test_mse_matches_sklearn():
    rng = np.random.default_rng(0)
    y, y_hat = rng.normal(size=40), rng.normal(size=40)
    assert mse(y, y_hat) == pytest.approx(mean_squared_error(y, y_hat), rel=1e-12)
    assert mse([1.0, 3.0], [1.0, 1.0]) == pytest.approx(2.0)  # (0² + 2²) / 2


def test_regressors_on_sin():
    data = make_data(DataSettings(noise=0.1))
    fits = {fit.name: fit for fit in fit_regressors(data, tree_depth=4)}
    assert list(fits) == ["Linear regression", "Decision tree", "Random forest"]
    # A straight line cannot follow sin: its test MSE is far above the noise floor (0.1² = 0.01).
    assert fits["Linear regression"].test_mse > 0.15
    assert fits["Decision tree"].test_mse < 0.05 and fits["Random forest"].test_mse < 0.05
    # The tree's grid predictions equal sklearn's own tree fitted the same way.
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(data.X_train, data.y_train)
    assert_allclose(fits["Decision tree"].y_grid, tree.predict(data.x_grid[:, None]), atol=0)
    # A depth-4 tree is a staircase of at most 2^4 levels, flat outside the data.
    tree_grid = fits["Decision tree"].y_grid
    assert len(np.unique(tree_grid)) <= 16
    outside = data.x_grid > data.x_range[1]
    assert np.ptp(tree_grid[outside]) == 0.0


def test_deep_tree_overfits_noise_and_depth_one_tree_finds_the_step():
    noisy = make_data(DataSettings(noise=0.3))
    deep = fit_regressors(noisy, tree_depth=12)[1]
    assert deep.train_mse < 0.2 * deep.test_mse
    step = make_data(DataSettings(function="step"))
    stump = fit_regressors(step, tree_depth=1)[1]
    jump_at = step.x_grid[np.argmax(np.diff(stump.y_grid))]
    assert abs(jump_at) < 0.1
    assert len(np.unique(stump.y_grid)) == 2
    assert stump.test_mse < 0.03  # noise floor 0.01 plus the points near the jump


def test_comparison_figure_and_table():
    data = make_data(DataSettings(n_points=60))
    fits = fit_regressors(data, tree_depth=2)
    net = np.full_like(data.x_grid, np.nan)  # a diverged network must not break the figure
    spec = comparison_figure(data, fits, net)
    curves = spec["datasets"]["curves"].to_pandas()
    names = list(dict.fromkeys(curves["curve"]))
    assert names == ["true f(x)", "Linear regression", "Decision tree", "Random forest", "network (now)"]
    assert np.isfinite(curves["y"]).all()  # the NaN network is drawn off the chart, not as NaN
    line = spec["layer"][2]["encoding"]
    assert line["y"]["scale"]["domain"] == pytest.approx(y_limits(data))
    assert line["color"]["scale"]["domain"] == names
    np.testing.assert_allclose(curves[curves.curve == "Decision tree"]["y"], fits[1].y_grid, rtol=1e-6)
    table = comparison_table(fits, 0.5, 0.25)
    assert list(table["model"]) == names[1:]
    assert table["test MSE"].iloc[-1] == 0.25
