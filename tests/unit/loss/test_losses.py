"""core.loss.losses against closed forms, scikit-learn's log_loss and torch (values and autograd, float64);
the per-example and GAN figures without a browser."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.metrics import log_loss, mean_squared_error

from core.loss import losses
from core.loss.figures import P_GRID, gan_losses_charts, per_example_charts

RTOL = 1e-12  # float64 against float64: agreement to rounding


def t64(values) -> torch.Tensor:
    return torch.tensor(np.asarray(values, dtype=float), dtype=torch.float64)


def test_bce_at_one_half_is_ln_2_for_both_labels():
    assert_allclose(losses.bce([1.0, 0.0], [0.5, 0.5]), [math.log(2)] * 2, rtol=RTOL)
    assert_allclose(losses.bce_with_logits([1.0, 0.0], [0.0, 0.0]), [math.log(2)] * 2, rtol=RTOL)


def test_bce_closed_forms():
    # −ln 0.9 for a correct confident answer, −ln 0.1 for a wrong one.
    assert_allclose(losses.bce(1, 0.9), -math.log(0.9), rtol=RTOL)
    assert_allclose(losses.bce(0, 0.9), -math.log(0.1), rtol=1e-10)
    assert_allclose(losses.squared_error(1, 0.9), 0.5 * 0.01, rtol=1e-10)


def test_bce_with_logits_matches_torch_including_extreme_logits():
    rng = np.random.default_rng(0)
    logits = np.concatenate([rng.normal(0, 5, 200), [-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    y = rng.integers(0, 2, logits.size).astype(float)
    with np.errstate(all="raise"):  # stable: no overflow, no log(0)
        ours = losses.bce_with_logits(y, logits)
    ref = F.binary_cross_entropy_with_logits(t64(logits), t64(y), reduction="none").numpy()
    assert np.all(np.isfinite(ours))
    assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)
    assert_allclose(losses.bce_with_logits(1.0, -1000.0), 1000.0, rtol=RTOL)  # exact, no overflow


def test_bce_from_probabilities_matches_sklearn_log_loss_and_torch():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.001, 0.999, 500)
    y = rng.integers(0, 2, p.size)
    assert_allclose(losses.bce(y, p).mean(), log_loss(y, p), rtol=1e-12)
    ref = F.binary_cross_entropy(t64(p), t64(y), reduction="none").numpy()
    assert_allclose(losses.bce(y, p), ref, rtol=1e-12)


def test_bce_clips_probabilities_zero_and_one():
    with np.errstate(all="raise"):
        values = losses.bce([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0])
    assert np.all(np.isfinite(values))
    assert_allclose(values[:2], -math.log(losses.EPS), rtol=1e-5)  # capped near −ln ε ≈ 27.6
    assert_allclose(values[2:], 0.0, atol=1e-11)


@given(st.floats(-15, 15), st.sampled_from([0.0, 1.0]))
def test_logits_and_probabilities_agree(a, y):
    # Within |a| ≤ 15 going through ŷ = σ(a) loses at most ~1e-9 relative (1 − ŷ ≥ 3e-7).
    assert_allclose(losses.bce_with_logits(y, a), losses.bce(y, expit(a)), rtol=1e-7, atol=1e-12)


def test_logits_stay_exact_where_probabilities_round_off():
    # σ(40) rounds to 1.0 in float64, so the probability form can only return the clipped cap;
    # the logit form gives the exact 40 (softplus(40) = 40 + ln(1 + e^−40)).
    assert expit(40.0) == 1.0
    assert_allclose(losses.bce_with_logits(0.0, 40.0), 40.0, rtol=1e-15)
    assert losses.bce(0.0, expit(40.0)) < 28.0


def _autograd(fn, x: np.ndarray) -> np.ndarray:
    """d fn(x).sum() / dx by torch autograd in float64."""
    xt = t64(x).requires_grad_(True)
    fn(xt).sum().backward()
    return xt.grad.numpy()


P = np.linspace(0.01, 0.99, 99)
A = np.linspace(-8, 8, 101)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_per_example_gradients_match_torch_autograd(y):
    assert_allclose(losses.bce_grad(y, P), _autograd(lambda p: F.binary_cross_entropy(p, torch.full_like(p, y),
                                                                                        reduction="none"), P),
                    rtol=1e-10)
    assert_allclose(losses.bce_with_logits_grad(y, A),
                    _autograd(lambda a: F.binary_cross_entropy_with_logits(a, torch.full_like(a, y),
                                                                           reduction="none"), A), rtol=1e-10,
                    atol=1e-15)
    assert_allclose(losses.squared_error_grad(y, P), _autograd(lambda p: 0.5 * (y - p) ** 2, P), rtol=1e-12)


def test_bce_gradient_is_prediction_minus_label_over_variance():
    # −y/ŷ + (1 − y)/(1 − ŷ) = (ŷ − y) / (ŷ (1 − ŷ))
    for y in (0.0, 1.0):
        assert_allclose(losses.bce_grad(y, P), (P - y) / (P * (1 - P)), rtol=1e-12)


def test_half_mse_is_mean_half_squared_error():
    y = np.array([0.0, 1.0, 1.0])
    y_hat = np.array([0.2, 0.5, 1.0])
    assert_allclose(losses.half_mse(y, y_hat), (0.5 * 0.04 + 0.5 * 0.25 + 0.0) / 3, rtol=1e-12)
    assert_allclose(2 * losses.half_mse(y, y_hat), mean_squared_error(y, y_hat), rtol=1e-12)  # the ½ is all
    rows = np.stack([y_hat, y_hat[::-1]])  # (2, n): one mean per row, as the loss surface takes it
    assert_allclose(losses.half_mse(y, rows), [losses.half_mse(y, r) for r in rows], rtol=1e-12)


def test_gan_losses_and_gradients_match_torch_autograd():
    d = P
    assert_allclose(losses.generator_loss_minimax(d), np.log(1 - d), rtol=1e-12)
    assert_allclose(losses.generator_loss_nonsaturating(d), -np.log(d), rtol=1e-12)
    assert_allclose(losses.generator_loss_minimax_grad(d), _autograd(lambda t: torch.log1p(-t), d), rtol=1e-12)
    assert_allclose(losses.generator_loss_nonsaturating_grad(d), _autograd(lambda t: -torch.log(t), d), rtol=1e-12)
    # ∂L_D/∂D(x) and ∂L_D/∂D(G(z)): the BCE gradients with y = 1 on the real sample and y = 0 on the fake
    g_real, g_fake = losses.bce_grad(1.0, d), losses.bce_grad(0.0, d[::-1].copy())
    assert_allclose(g_real, _autograd(lambda t: -torch.log(t), d), rtol=1e-12)
    assert_allclose(g_fake, _autograd(lambda t: -torch.log1p(-t), d[::-1].copy()), rtol=1e-12)
    # Through the discriminator's sigmoid D = σ(a): what actually reaches the generator.
    a = np.log(d / (1 - d))
    mm, ns = losses.generator_logit_grads(d)
    assert_allclose(mm, _autograd(lambda t: torch.log1p(-torch.sigmoid(t)), a), rtol=1e-9)
    assert_allclose(ns, _autograd(lambda t: -F.logsigmoid(t), a), rtol=1e-9)


def test_minimax_generator_gradient_vanishes_early_in_training():
    # D(G(z)) = 0.01: D spots the fake. The minimax gradient through the sigmoid is ~100× smaller.
    mm, ns = losses.generator_logit_grads(0.01)
    assert_allclose([mm, ns], [-0.01, -0.99], rtol=1e-12)
    assert abs(ns / mm) == pytest.approx(99.0)


def test_equilibrium_discriminator_loss_is_ln_4_and_is_the_minimum_when_d_cannot_tell():
    assert_allclose(losses.discriminator_loss(0.5, 0.5), math.log(4), rtol=RTOL)
    assert losses.EQUILIBRIUM_D_LOSS == pytest.approx(math.log(4))
    grid = np.linspace(0.001, 0.999, 999)
    same = losses.discriminator_loss(grid, grid)  # D gives real and fake the same output
    assert grid[np.argmin(same)] == pytest.approx(losses.EQUILIBRIUM_D, abs=1e-3)
    # Its BCE against torch: real labelled 1, fake labelled 0.
    ref = (F.binary_cross_entropy(t64([0.7]), t64([1.0])) + F.binary_cross_entropy(t64([0.2]), t64([0.0]))).item()
    assert_allclose(losses.discriminator_loss(0.7, 0.2), ref, rtol=1e-12)


def _table(chart: dict, name: str) -> dict:
    return chart["datasets"][name].to_pydict()


@pytest.mark.parametrize("y_hat", [0.001, 0.3, 0.5, 0.999])
def test_per_example_charts_mark_the_current_prediction(y_hat):
    loss_chart, slope_chart = per_example_charts(y_hat)
    for chart, fns in ((loss_chart, (losses.bce, losses.squared_error)),
                       (slope_chart, (losses.bce_grad, losses.squared_error_grad))):
        marks = _table(chart, "marks")
        assert marks["x"] == [y_hat] * 4  # the four curves, each marked at the current ŷ
        assert_allclose(marks["value"], [fns[0](1, y_hat), fns[0](0, y_hat), fns[1](1, y_hat), fns[1](0, y_hat)],
                        rtol=1e-12)
        lo, hi = chart["layer"][1]["encoding"]["y"]["scale"]["domain"]
        assert all(lo <= v <= hi for v in marks["y"])  # drawn inside the frame even when the value is not
        assert _table(chart, "rules")["x"] == [y_hat]
        curves = _table(chart, "curves")
        assert len(set(curves["curve"])) == 4 and np.all(np.isfinite(curves["y"]))
        assert chart["resolve"]["scale"]["color"] == "independent"  # the marks' colours stay out of the legend
    labels = _table(loss_chart, "marks")["label"]
    assert labels[:2] == [f"{float(losses.bce(1, y_hat)):.3f}", f"{float(losses.bce(0, y_hat)):.3f}"]


def test_per_example_curves_are_the_losses_on_the_grid():
    loss_chart, _ = per_example_charts(0.5)
    curves = _table(loss_chart, "curves")
    p = np.asarray(curves["x"][: len(P_GRID)])
    bce1 = np.asarray(curves["y"][: len(P_GRID)])
    inside = -np.log(p) <= 5.0
    assert_allclose(bce1[inside], -np.log(p[inside]), rtol=1e-5, atol=1e-6)  # float32 on the wire
    assert np.all(bce1[~inside] > 5.0)  # above the frame: clipped by the chart, not rescaling it


def test_gan_charts_mark_equilibrium_and_pin_off_chart_values():
    charts = gan_losses_charts(0.01)
    assert len(charts) == 4
    eq = _table(charts[0], "marks")
    assert eq["x"] == [0.5] and eq["label"] == ["ln 4 ≈ 1.386"]
    assert_allclose(eq["value"][0], math.log(4), rtol=1e-12)
    texts = [label for chart in charts[1:] for label in _table(chart, "marks")["label"]]
    assert "-100.00 (off the chart)" in texts  # −1/D(G(z)) at 0.01 is pinned to the frame, labelled
    assert "-0.01" in texts and "-0.99" in texts  # the gradients that reach G
    for chart in charts:
        assert np.all(np.isfinite(_table(chart, "curves")["y"]))
        lo, hi = chart["layer"][1]["encoding"]["y"]["scale"]["domain"]
        assert all(lo <= v <= hi for v in _table(chart, "marks")["y"])

