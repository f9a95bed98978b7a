"""core.loss.descent: the logistic model's loss and gradient against torch autograd (float64) and the
closed form Xᵀ(ŷ − y)/n, optimiser paths against torch.optim, gradient descent against scikit-learn's
LogisticRegression optimum, divergence and separability; the surface figures without a browser."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.metrics import log_loss

from core.loss import descent
from core.loss.descent import WINDOW, DescentSettings, descend, make_data
from core.loss.figures import (
    START_SELECTION,
    arrow_angle,
    contour_canvas,
    contour_chart,
    contour_picture,
    data_chart,
    surface_figure,
)

OVERLAP = make_data("Overlapping")
SEPARABLE = make_data("Separable")


def torch_loss_and_grad(w: float, b: float, x: np.ndarray, y: np.ndarray, l2: float, objective: str):
    """The same mean loss written in torch, differentiated by autograd in float64."""
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    a = wt * xt + bt
    if objective == "BCE":
        data_loss = F.binary_cross_entropy_with_logits(a, yt)
    else:
        data_loss = (0.5 * (torch.sigmoid(a) - yt) ** 2).mean()
    loss = data_loss + 0.5 * l2 * wt**2
    loss.backward()
    return loss.item(), np.array([wt.grad.item(), bt.grad.item()])


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------
def test_datasets_are_deterministic_standardised_and_labelled():
    for data in (OVERLAP, SEPARABLE):
        again = make_data(data.name)
        assert_allclose(again.x, data.x)
        assert data.x.shape == data.y.shape == data.humidity.shape == (30,)
        assert_allclose([data.x.mean(), data.x.std()], [0.0, 1.0], atol=1e-12)
        assert set(np.unique(data.y)) == {0.0, 1.0}
        assert np.all((data.humidity >= 0) & (data.humidity <= 100))
    assert not descent.is_separable(OVERLAP.x, OVERLAP.y)
    assert descent.is_separable(SEPARABLE.x, SEPARABLE.y)
    with pytest.raises(ValueError):
        make_data("Spiral")


# --------------------------------------------------------------------------------------------------
# Loss and gradient
# --------------------------------------------------------------------------------------------------
def test_mean_bce_matches_sklearn_log_loss():
    for w, b in ((-6.0, 6.0), (2.3, 0.0), (0.0, 0.0), (7.5, -3.0)):
        p = expit(w * OVERLAP.x + b)
        assert_allclose(descent.mean_loss(w, b, OVERLAP.x, OVERLAP.y), log_loss(OVERLAP.y, p), rtol=1e-10)
    assert_allclose(descent.mean_loss(0.0, 0.0, OVERLAP.x, OVERLAP.y), np.log(2), rtol=1e-12)


@pytest.mark.parametrize("objective", descent.OBJECTIVES)
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_loss_and_gradient_match_torch_autograd(objective, l2):
    for w, b in ((-6.0, 6.0), (2.3, 0.1), (0.0, 0.0), (7.9, -7.9)):
        ref_loss, ref_grad = torch_loss_and_grad(w, b, OVERLAP.x, OVERLAP.y, l2, objective)
        assert_allclose(descent.mean_loss(w, b, OVERLAP.x, OVERLAP.y, l2=l2, objective=objective), ref_loss,
                        rtol=1e-12)
        assert_allclose(descent.loss_grad(w, b, OVERLAP.x, OVERLAP.y, l2=l2, objective=objective), ref_grad,
                        rtol=1e-10, atol=1e-15)
        fast_loss, fast_grad = descent.loss_and_grad(w, b, OVERLAP.x, OVERLAP.y, l2=l2, objective=objective)
        assert_allclose(fast_loss, ref_loss, rtol=1e-12)
        assert_allclose(fast_grad, ref_grad, rtol=1e-10, atol=1e-15)


def test_gradient_of_mean_bce_is_X_transpose_residual_over_n():
    X = np.column_stack([OVERLAP.x, np.ones_like(OVERLAP.x)])  # (n, 2): feature and bias column
    for w, b in ((-6.0, 6.0), (1.0, -0.5), (2.3, 0.0)):
        y_hat = expit(X @ np.array([w, b]))
        assert_allclose(descent.loss_grad(w, b, OVERLAP.x, OVERLAP.y), X.T @ (y_hat - OVERLAP.y) / len(OVERLAP.y),
                        rtol=1e-12, atol=1e-15)


def test_surface_grid_is_at_least_100_by_100_and_holds_the_mean_loss():
    surface = descent.dataset_surface("Overlapping", 0.02, "BCE")
    assert surface.Z.shape == (descent.SURFACE_N, descent.SURFACE_N) and descent.SURFACE_N >= 100
    assert surface.ws[0] == WINDOW.w[0] and surface.ws[-1] == WINDOW.w[1]
    for i, j in ((0, 0), (17, 93), (119, 5)):
        expected = descent.mean_loss(float(surface.ws[j]), float(surface.bs[i]), OVERLAP.x, OVERLAP.y, l2=0.02)
        assert_allclose(surface.Z[i, j], expected, rtol=1e-6)  # float32 for drawing


def test_bce_surface_is_convex_and_mse_surface_is_not():
    rng = np.random.default_rng(0)
    p, q = rng.uniform(-8, 8, (2, 2000, 2))
    mid = (p + q) / 2

    def gap(objective: str) -> np.ndarray:  # L(mid) − (L(p) + L(q))/2: ≤ 0 everywhere iff midpoint-convex
        def loss(points):
            return descent.mean_loss(points[:, 0], points[:, 1], OVERLAP.x, OVERLAP.y, objective=objective)
        return loss(mid) - (loss(p) + loss(q)) / 2

    assert gap("BCE").max() <= 1e-12
    assert gap("MSE").max() > 0.01


# --------------------------------------------------------------------------------------------------
# Optimisers
# --------------------------------------------------------------------------------------------------
def torch_path(settings: DescentSettings, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The same walk with torch.optim on the same loss (float64)."""
    theta = torch.tensor([settings.w0, settings.b0], dtype=torch.float64, requires_grad=True)
    if settings.optimizer == "GD":
        opt = torch.optim.SGD([theta], lr=settings.lr)
    elif settings.optimizer == "Momentum":
        opt = torch.optim.SGD([theta], lr=settings.lr, momentum=settings.momentum)
    else:
        opt = torch.optim.Adam([theta], lr=settings.lr, betas=(settings.beta1, settings.beta2), eps=settings.eps)
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    points = [theta.detach().numpy().copy()]
    for _ in range(settings.steps):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(theta[0] * xt + theta[1], yt) + 0.5 * settings.l2 * theta[0] ** 2
        loss.backward()
        opt.step()
        points.append(theta.detach().numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("optimizer,lr", [("GD", 1.0), ("Momentum", 0.1), ("Adam", 0.3)])
def test_optimiser_paths_match_torch_optim(optimizer, lr):
    settings = DescentSettings(optimizer=optimizer, lr=lr, steps=80, w0=-5.0, b0=4.0, l2=0.01)
    path = descend(OVERLAP.x, OVERLAP.y, settings)
    assert not path.left_plot and path.steps_taken == 80
    assert_allclose(path.params, torch_path(settings, OVERLAP.x, OVERLAP.y), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.01, 0.1])
def test_gd_on_l2_regularised_bce_converges_to_sklearn_logistic_regression(l2):
    # Mean BCE + (λ/2) w² has the minimiser of sklearn's C Σ BCE + ½ w² with C = 1/(nλ); no intercept penalty.
    w_star, b_star = descent.sklearn_optimum(OVERLAP.x, OVERLAP.y, l2)
    path = descend(OVERLAP.x, OVERLAP.y, DescentSettings(lr=3.0, steps=500, w0=-6.0, b0=6.0, l2=l2))
    assert_allclose(path.params[-1], [w_star, b_star], atol=1e-5)  # stated tolerance: 1e-5 in w and b
    assert_allclose(path.grad[-1], [0.0, 0.0], atol=1e-6)
    assert path.ups == 0 and not path.messages


def test_separable_data_has_no_finite_minimum_without_a_penalty():
    assert not descent.has_finite_minimum(SEPARABLE.x, SEPARABLE.y, 0.0)
    assert descent.optimum(SEPARABLE.x, SEPARABLE.y, l2=0.0) is None
    path = descend(SEPARABLE.x, SEPARABLE.y, DescentSettings(lr=1.0, steps=150))
    w = path.params[:, 0]
    assert np.all(np.diff(path.loss) < 0)  # the loss keeps falling ...
    assert np.all(np.diff(w[20:]) > 0)  # ... while w keeps growing
    assert "no finite minimum" in " ".join(path.messages)
    far = descend(SEPARABLE.x, SEPARABLE.y, DescentSettings(lr=3.0, steps=200))
    assert far.left_plot and not far.diverged and far.params[-1, 0] == WINDOW.w[1]  # off the right edge
    assert "no finite minimum" in far.messages[0]


def test_a_penalty_gives_separable_data_a_finite_minimum():
    assert descent.has_finite_minimum(SEPARABLE.x, SEPARABLE.y, 0.01)
    w_star, b_star = descent.sklearn_optimum(SEPARABLE.x, SEPARABLE.y, 0.01)
    path = descend(SEPARABLE.x, SEPARABLE.y, DescentSettings(lr=3.0, steps=200, l2=0.01))
    assert_allclose(path.params[-1], [w_star, b_star], atol=1e-4)
    assert w_star == pytest.approx(3.7, abs=0.05)  # the page's "try this" says "near w = 3.7"
    assert not path.messages


def test_too_large_a_learning_rate_diverges_off_the_plot_with_finite_numbers():
    path = descend(OVERLAP.x, OVERLAP.y, DescentSettings(lr=30.0))
    assert path.left_plot and path.diverged and path.steps_taken == 1
    assert "Diverged" in path.messages[0] and "η = 30" in path.messages[0]
    w, b = path.params[-1]
    assert w == WINDOW.w[1] or b in WINDOW.b or w == WINDOW.w[0]  # cut where it crosses the edge
    assert np.all(np.isfinite(path.params)) and np.all(np.isfinite(path.loss)) and np.all(np.isfinite(path.grad))


def test_strong_penalty_with_huge_steps_blows_up_but_stays_finite():
    # λ η > 2: the penalty's own update w ← (1 − ηλ) w flips and grows each step.
    path = descend(OVERLAP.x, OVERLAP.y, DescentSettings(lr=30.0, l2=0.5, w0=0.5, b0=0.0, steps=500))
    assert path.left_plot and path.diverged
    assert np.all(np.isfinite(path.params)) and np.all(np.isfinite(path.loss))


def test_every_setting_at_its_extremes_gives_a_finite_path_inside_the_plot():
    for name, objective, optimizer, lr, steps, w0, b0, l2 in itertools.product(
        descent.DATASETS, descent.OBJECTIVES, descent.OPTIMIZERS, descent.LR_RANGE, descent.STEPS_RANGE,
        WINDOW.w, WINDOW.b, descent.L2_RANGE,
    ):
        data = make_data(name)
        path = descend(data.x, data.y, DescentSettings(optimizer, lr, steps, w0, b0, l2, objective))
        assert 1 <= path.steps_taken <= steps
        assert np.all(np.isfinite(path.params)) and np.all(np.isfinite(path.loss)) and np.all(np.isfinite(path.grad))
        assert np.all((path.params[:, 0] >= WINDOW.w[0]) & (path.params[:, 0] <= WINDOW.w[1]))
        assert np.all((path.params[:, 1] >= WINDOW.b[0]) & (path.params[:, 1] <= WINDOW.b[1]))


def test_try_this_outcomes():
    # Defaults: the path reaches the minimum, ∂L/∂w and ∂L/∂b show as 0.000.
    default = descend(OVERLAP.x, OVERLAP.y, DescentSettings())
    assert np.abs(default.grad[-1]).max() < 5e-4 and not default.messages
    # Momentum at η = 0.3 overshoots: the loss goes up on some steps but the path stays on the plot.
    momentum = descend(OVERLAP.x, OVERLAP.y, DescentSettings(optimizer="Momentum", lr=0.3))
    assert momentum.ups > 0 and not momentum.left_plot and "went up" in momentum.messages[0]
    # MSE from the default start creeps along a plateau: even 500 steps end above 0.25, far from the
    # MSE minimum (≈ 0.07 at w ≈ 2.7), on the wrong side (w < 0).
    best = descent.dataset_optimum("Overlapping", 0.0, "MSE")
    assert best[2] < 0.08 and best[0] == pytest.approx(2.7, abs=0.1)
    for steps in (60, 500):
        mse = descend(OVERLAP.x, OVERLAP.y, DescentSettings(objective="MSE", steps=steps))
        assert mse.loss[-1] > 0.249 and mse.params[-1, 0] < 0
        assert np.abs(mse.grad[-1]).max() < 0.02  # almost flat: gradient descent barely moves


def test_mse_optimum_is_a_stationary_point_below_every_grid_value():
    w, b, loss = descent.dataset_optimum("Overlapping", 0.0, "MSE")
    assert_allclose(descent.loss_grad(w, b, OVERLAP.x, OVERLAP.y, objective="MSE"), [0, 0], atol=1e-5)
    assert loss <= descent.dataset_surface("Overlapping", 0.0, "MSE").Z.min() + 1e-6


def test_flat_point_note_tells_the_minimum_from_a_plateau():
    best = descent.dataset_optimum("Overlapping", 0.0, "BCE")
    bce = descend(OVERLAP.x, OVERLAP.y, DescentSettings())
    kind, text = descent.flat_point_note(bce.loss[-1], bce.grad[-1], best)
    assert kind == "success" and "minimum" in text
    assert descent.flat_point_note(bce.loss[0], bce.grad[0], best) is None  # steep at the start
    mse = descend(OVERLAP.x, OVERLAP.y, DescentSettings(objective="MSE", steps=500))
    kind, text = descent.flat_point_note(mse.loss[-1], mse.grad[-1], descent.dataset_optimum("Overlapping", 0.0, "MSE"))
    assert kind == "warning" and "plateau" in text and "not the minimum" in text


def test_play_stride_walks_any_path_in_about_forty_ticks():
    assert descent.play_stride(1) == 1
    assert descent.play_stride(60) == 2
    assert descent.play_stride(500) == 13
    for steps in (1, 7, 60, 500):
        assert np.ceil(steps / descent.play_stride(steps)) <= 40


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------
def _table(chart: dict, name: str) -> dict:
    return {k: np.asarray(v) for k, v in chart["datasets"][name].to_pydict().items()}


def test_contour_chart_draws_the_walked_part_the_whole_path_and_a_click_grid():
    surface = descent.dataset_surface("Overlapping", 0.0, "BCE")
    path = descend(OVERLAP.x, OVERLAP.y, DescentSettings())
    chart = contour_chart(surface, path, 5, minimum=(2.3, 0.0, 0.43), click_grid=9)
    walked, whole, now = _table(chart, "walked"), _table(chart, "whole"), _table(chart, "now")
    assert_allclose(np.column_stack([walked["w"], walked["b"]]), path.params[:6], rtol=1e-6, atol=1e-6)
    assert len(whole["w"]) == path.steps_taken + 1
    assert_allclose([now["w"][0], now["b"][0]], path.params[5], rtol=1e-6, atol=1e-6)
    grid = _table(chart, "grid")
    assert len(grid["w"]) == 9 * 9 and set(np.round(grid["w"], 6)) == set(range(-8, 9, 2))
    assert _table(chart, "minimum")["w"].tolist() == [pytest.approx(2.3)]
    arrow = _table(chart, "arrow")  # the −∇L arrow: from the current point, against the gradient
    g = path.grad[5]
    assert_allclose([arrow["w2"][0] - arrow["w"][0], arrow["b2"][0] - arrow["b"][0]], -1.5 * g / np.hypot(*g),
                    rtol=1e-5, atol=1e-5)
    picture = _table(chart, "picture")  # the map is a picture that fills the axes' ranges exactly
    assert (picture["w"][0], picture["w2"][0], picture["b"][0], picture["b2"][0]) == (
        surface.ws[0], surface.ws[-1], surface.bs[-1], surface.bs[0])
    assert str(picture["url"][0]).startswith("data:image/jpeg;base64,")
    grid_layer = next(layer for layer in chart["layer"] if layer["data"]["name"] == "grid")
    assert grid_layer["encoding"]["x"]["scale"]["domain"] == [surface.ws[0], surface.ws[-1]]
    (param,) = grid_layer["params"]
    assert param["name"] == START_SELECTION and param["select"]["fields"] == ["w", "b"]
    i, j = np.unravel_index(np.argmin(surface.Z), surface.Z.shape)
    assert np.min(grid["L"]) >= surface.Z[i, j] - 1e-6
    assert chart["width"] == chart["height"] and chart["autosize"] == {"type": "pad"}  # square plot area


@pytest.mark.parametrize("direction,angle", [((1.0, 0.0), 90.0), ((0.0, 1.0), 0.0), ((0.0, -1.0), 180.0),
                                             ((-1.0, -1.0), -135.0)])
def test_arrow_angle_is_clockwise_from_up_on_the_screen(direction, angle):
    assert arrow_angle(np.array(direction), (-8.0, 8.0), (-8.0, 8.0)) == pytest.approx(angle)
    # a plot twice as wide as tall: one unit of w is twice as many pixels, so (1, 1) leans towards w
    assert arrow_angle(np.array((1.0, 1.0)), (-8.0, 8.0), (-8.0, 8.0), (400, 200)) == pytest.approx(
        math.degrees(math.atan2(2.0, 1.0)))


def test_contour_picture_is_dark_in_the_valley_and_bright_on_the_heights():
    surface = descent.dataset_surface("Overlapping", 0.0, "BCE")
    canvas = contour_canvas(surface)
    picture = contour_picture(surface, canvas)
    assert picture.shape == (canvas.height, canvas.width, 3) and picture.dtype == np.uint8
    log_z = canvas.resample(np.log(surface.Z))
    low, high = log_z < np.quantile(log_z, 0.02), log_z > np.quantile(log_z, 0.98)
    viridis_low, viridis_high = np.array([0x44, 0x01, 0x54]), np.array([0xFD, 0xE7, 0x25])
    assert np.abs(picture[low].mean(axis=0) - viridis_low).max() < 40  # dark purple at the minimum
    assert np.abs(picture[high].mean(axis=0) - viridis_high).max() < 40  # yellow far up the walls


def test_surface_figure_puts_the_path_on_the_surface():
    surface = descent.dataset_surface("Overlapping", 0.0, "BCE")
    path = descend(OVERLAP.x, OVERLAP.y, DescentSettings())
    fig = surface_figure(surface, path, 10)
    assert fig.data[0].z.shape == (descent.SURFACE_N, descent.SURFACE_N)
    line = fig.data[1]
    assert len(line.x) == 11
    lift = np.asarray(line.z) - path.loss[:11]
    assert np.all(lift > 0) and np.ptp(lift) < 1e-9  # the loss along the path, lifted to stay visible
    assert len(surface_figure(surface).data) == 1  # no path: only the surface


def test_surface_figures_are_remembered_while_the_walked_part_is_the_same():
    surface = descent.dataset_surface("Overlapping", 0.0, "BCE")
    slow = descend(OVERLAP.x, OVERLAP.y, DescentSettings(lr=0.5))
    fast = descend(OVERLAP.x, OVERLAP.y, DescentSettings(lr=1.5))
    at_start = surface_figure(surface, slow, 0)
    assert surface_figure(surface, fast, 0) is at_start  # same start: the same picture, not rebuilt
    later = surface_figure(surface, fast, 3)
    assert later is not at_start and len(later.data[1].x) == 4
    assert_allclose(later.data[1].x, fast.params[:4, 0])


def test_data_chart_draws_the_model_and_its_half_line():
    w, b = 2.0, -0.5
    chart = data_chart(OVERLAP, w, b)
    model = _table(chart, "model")
    h = OVERLAP.humidity
    assert_allclose(model["p"], expit(w * (model["h"] - h.mean()) / h.std() + b), rtol=1e-5, atol=1e-6)
    assert_allclose(_table(chart, "boundary")["h"][0], h.mean() + h.std() * 0.25, rtol=1e-12)  # where w x + b = 0
    days = _table(chart, "days")
    assert_allclose(days["h"], h, rtol=1e-6)
    assert len(days["p"]) == OVERLAP.n
    assert "boundary" not in data_chart(OVERLAP, 0.0, 1.0)["datasets"]  # w = 0: no boundary
