"""The hand-written backward pass of the tiny net against torch autograd (float64) and finite differences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from core.backprop import by_hand as tb
from core.backprop import figures as bf
from core.backprop.figures import network_figure
from core.style import CLASS_COLORS

ACTS = list(tb.ACTIVATIONS)


def test_forward_by_hand():
    # z = w x + b = (0.5·2 + 0, −1·2 + 1) = (1, −1); tanh; ŷ = v·h + c; L = ½(ŷ − y)².
    net = tb.TinyNet(w=np.array([0.5, -1.0]), b=np.array([0.0, 1.0]), v=np.array([2.0, 1.0]), c=0.5)
    f = tb.forward(net, x=2.0, y=1.0)
    assert_allclose(f.z, [1.0, -1.0], atol=1e-15)
    assert_allclose(f.h, np.tanh([1.0, -1.0]), atol=1e-15)
    y_hat = 2 * np.tanh(1.0) + np.tanh(-1.0) + 0.5
    assert f.y_hat == pytest.approx(y_hat, abs=1e-15)
    assert f.loss == pytest.approx(0.5 * (y_hat - 1.0) ** 2, abs=1e-15)
    g = tb.backward(net, f)
    # ∂L/∂w₁ = (ŷ − y) · v₁ · (1 − tanh²(z₁)) · x
    assert g.w[0] == pytest.approx((y_hat - 1.0) * 2.0 * (1 - np.tanh(1.0) ** 2) * 2.0, abs=1e-14)
    assert g.c == pytest.approx(y_hat - 1.0, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(hidden=st.integers(2, 4), activation=st.sampled_from(ACTS), seed=st.integers(0, 10_000),
       x=st.floats(-3, 3), y=st.floats(-2, 2))
def test_backward_equals_torch_autograd_float64(hidden, activation, seed, x, y):
    net = tb.init_tiny_net(hidden, activation, seed)
    ours = tb.flat_gradients(tb.backward(net, tb.forward(net, x, y)))
    ref = tb.autograd_gradients(net, x, y)
    for name in tb.PARAMS:
        assert_allclose(ours[name], ref[name], rtol=1e-12, atol=1e-12, err_msg=name)


def finite_difference_gradients(net: tb.TinyNet, x: float, y: float, eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences (L(θ + ε) − L(θ − ε)) / 2ε, one weight at a time."""
    out: dict[str, np.ndarray] = {}
    for name in tb.PARAMS:
        base = np.atleast_1d(np.asarray(getattr(net, name), dtype=float))
        grad = np.empty_like(base)
        for i in range(len(base)):
            losses = []
            for sign in (1.0, -1.0):
                moved = base.copy()
                moved[i] += sign * eps
                value = moved if name != "c" else float(moved[0])
                losses.append(tb.forward(replace(net, **{name: value}), x, y).loss)
            grad[i] = (losses[0] - losses[1]) / (2 * eps)
        out[name] = grad
    return out


@settings(max_examples=40, deadline=None)
@given(hidden=st.integers(2, 4), activation=st.sampled_from(ACTS), seed=st.integers(0, 10_000),
       x=st.floats(-3, 3), y=st.floats(-2, 2))
def test_backward_equals_finite_differences(hidden, activation, seed, x, y):
    net = tb.init_tiny_net(hidden, activation, seed)
    f = tb.forward(net, x, y)
    if activation == "ReLU" and np.min(np.abs(f.z)) < 1e-3:
        return  # central differences straddle ReLU's kink there; autograd covers that case above
    ours = tb.flat_gradients(tb.backward(net, f))
    numeric = finite_difference_gradients(net, x, y, eps=1e-6)
    for name in tb.PARAMS:
        # Central differences: error O(ε²) plus rounding O(1e-16 / ε) ≈ 1e-10 on losses of order 1.
        assert_allclose(ours[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_relu_passes_no_gradient_through_an_off_unit():
    net = tb.TinyNet(w=np.array([1.0, -1.0]), b=np.array([0.0, 0.0]), v=np.array([1.0, 1.0]), c=0.0,
                     activation="ReLU")
    g = tb.backward(net, tb.forward(net, x=2.0, y=0.0))  # z = (2, −2): unit 2 is off
    assert g.w[1] == 0.0 and g.b[1] == 0.0 and g.v[1] == 0.0
    assert g.w[0] != 0.0


@pytest.mark.parametrize("activation", ACTS)
def test_a_small_gradient_step_lowers_the_loss(activation):
    net = tb.init_tiny_net(3, activation, seed=1)
    f = tb.forward(net, 1.0, np.sin(1.0))
    stepped = tb.gradient_step(net, tb.backward(net, f), lr=0.05)
    assert tb.forward(stepped, 1.0, np.sin(1.0)).loss < f.loss


def test_gradient_step_is_w_minus_lr_times_gradient():
    net = tb.init_tiny_net(2, "tanh", seed=0)
    g = tb.backward(net, tb.forward(net, 0.7, 0.2))
    new = tb.gradient_step(net, g, lr=0.5)
    assert_allclose(new.w, net.w - 0.5 * g.w, atol=0)
    assert_allclose(new.v, net.v - 0.5 * g.v, atol=0)
    assert new.c == net.c - 0.5 * g.c


def test_page_texts_carry_the_numbers():
    net = tb.init_tiny_net(3, "sigmoid", seed=2)
    f = tb.forward(net, 1.5, np.sin(1.5))
    g = tb.backward(net, f)
    text = tb.chain_rule_latex(net, f, g, 2)
    assert text.endswith(f"= {g.w[1]:.4f}")
    assert r"h_{2}(1 - h_{2})" in text and f"{f.y_hat:.3f}" in text
    # The product of the factors written out is the gradient.
    slope = f.h[1] * (1 - f.h[1])
    assert (f.y_hat - f.y) * net.v[1] * slope * f.x == pytest.approx(g.w[1], rel=1e-12)
    assert tb.update_latex(net, g, 2).endswith(f"= {net.w[1] - tb.STEP_LR * g.w[1]:.4f}")
    check = tb.compare_with_autograd(net, f, g)
    assert check.agrees and check.max_difference <= 1e-10
    assert len(check.table) == 3 * 3 + 1  # w, b, v per hidden unit, and c
    assert "agree" in check.summary


def test_compare_with_autograd_catches_a_wrong_gradient():
    net = tb.init_tiny_net(2, "tanh", seed=0)
    f = tb.forward(net, 1.0, 0.0)
    g = tb.backward(net, f)
    wrong = tb.Gradients(g.y_hat, g.v, g.c, g.h, g.z, g.w * 2.0, g.b)
    check = tb.compare_with_autograd(net, f, wrong)
    assert not check.agrees and "differ" in check.summary


def test_init_is_seeded_and_validated():
    a, b = tb.init_tiny_net(4, "tanh", 7), tb.init_tiny_net(4, "tanh", 7)
    assert_allclose(a.w, b.w, atol=0) and a.hidden == 4
    with pytest.raises(ValueError):
        tb.init_tiny_net(0)
    with pytest.raises(KeyError):
        tb.init_tiny_net(2, "softplus")


def test_network_figure_shows_gradients_only_after_backward():
    net = tb.init_tiny_net(3, "tanh", seed=0)
    f = tb.forward(net, 1.0, np.sin(1.0))
    g = tb.backward(net, f)
    def texts(spec):
        return " ".join([*spec["datasets"]["edges"]["label"], *spec["datasets"]["nodes"]["text"]])
    before, after = texts(network_figure(net, f)), texts(network_figure(net, f, g))
    assert "∂L/∂w" not in before and f"x = {f.x:.3f}" in before and f"{f.y_hat:.3f}" in before
    for j in range(3):
        assert f"{g.w[j]:.4f}" in after and f"{g.v[j]:.4f}" in after and f"{g.b[j]:.4f}" in after
    assert f"∂L/∂c = {g.c:.4f}" in after
    edges = network_figure(net, f, g)["datasets"]["edges"]  # colour = sign of the gradient, width = its size
    for j in range(3):
        assert bf.EDGE_COLORS[edges["kind"][2 * j]] == (CLASS_COLORS[1] if g.w[j] > 0 else CLASS_COLORS[0])
    assert edges["width"][:6].max() == pytest.approx(8.5)
