"""Backpropagation by hand for a tiny net 1 → H → 1, in numpy, for one point (x, y).

    z = w·x + b          (H,)   hidden pre-activations
    h = act(z)           (H,)   hidden activations
    ŷ = v·h + c                 the output
    L = ½(ŷ − y)²               the loss

``forward`` computes these top to bottom; ``backward`` walks the same lines bottom to top, and each of
its lines is the chain rule applied to one forward line (named in the comment beside it), in the
spirit of micrograd's engine.py. ``autograd_gradients`` (torch, float64) checks it on the page, and the
tests check it against central differences too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import expit

from core.numbers import number

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

# activation name -> (act(z), act'(z) written with z and h = act(z))
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "tanh": (np.tanh, lambda z, h: 1.0 - h**2),  # tanh' = 1 − tanh²
    "sigmoid": (expit, lambda z, h: h * (1.0 - h)),  # σ' = σ(1 − σ)
    "ReLU": (lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(float)),  # 1 where z > 0
}
DERIVATIVE_LATEX = {"tanh": r"1 - h_{j}^2", "sigmoid": r"h_{j}(1 - h_{j})", "ReLU": r"[z_{j} > 0]"}
DEFAULT_HIDDEN = 3
DEFAULT_X = 1.0
STEP_LR = 0.5
"""η of the page's one-point gradient step: large enough to see the loss fall in one step."""
PARAMS = ("w", "b", "v", "c")
"""Input weights w (H,), hidden biases b (H,), output weights v (H,), output bias c."""


@dataclass(frozen=True)
class TinyNet:
    """The weights of 1 → H → 1 and its activation."""

    w: np.ndarray  # (H,) input → hidden j
    b: np.ndarray  # (H,)
    v: np.ndarray  # (H,) hidden j → output
    c: float
    activation: str = "tanh"

    @property
    def hidden(self) -> int:
        return len(self.w)


@dataclass(frozen=True)
class Forward:
    """Every value of the forward pass for one point."""

    x: float
    y: float
    z: np.ndarray  # (H,)
    h: np.ndarray  # (H,)
    y_hat: float
    loss: float


@dataclass(frozen=True)
class Gradients:
    """∂L/∂(every value), from the output back to the input weights."""

    y_hat: float
    v: np.ndarray  # (H,)
    c: float
    h: np.ndarray  # (H,)
    z: np.ndarray  # (H,)
    w: np.ndarray  # (H,)
    b: np.ndarray  # (H,)


def init_tiny_net(hidden: int = 3, activation: str = "tanh", seed: int = 0) -> TinyNet:
    """Weights ~ N(0, 1) (input side) and N(0, 1/H) (output side), biases small; seeded."""
    if not 1 <= hidden <= 8:
        raise ValueError("the tiny net has 1 to 8 hidden units")
    if activation not in ACTIVATIONS:
        raise KeyError(f"unknown activation {activation!r}; known: {list(ACTIVATIONS)}")
    rng = np.random.default_rng(seed)
    return TinyNet(w=rng.normal(0.0, 1.0, hidden), b=rng.normal(0.0, 0.5, hidden),
                   v=rng.normal(0.0, 1.0 / np.sqrt(hidden), hidden), c=float(rng.normal(0.0, 0.1)),
                   activation=activation)


def forward(net: TinyNet, x: float, y: float) -> Forward:
    """The forward pass: z = w·x + b, h = act(z), ŷ = v·h + c, L = ½(ŷ − y)²."""
    act, _ = ACTIVATIONS[net.activation]
    z = net.w * x + net.b  # (1)
    h = act(z)  # (2)
    y_hat = float(net.v @ h + net.c)  # (3)
    loss = 0.5 * (y_hat - y) ** 2  # (4)
    return Forward(float(x), float(y), z, h, y_hat, float(loss))


def backward(net: TinyNet, f: Forward) -> Gradients:
    """The backward pass: the chain rule applied to lines (4), (3), (2), (1) of ``forward``, in that order."""
    _, act_prime = ACTIVATIONS[net.activation]
    d_y_hat = f.y_hat - f.y  # (4) L = ½(ŷ − y)²      → ∂L/∂ŷ = ŷ − y
    d_v = d_y_hat * f.h  # (3) ŷ = v·h + c         → ∂L/∂vⱼ = ∂L/∂ŷ · hⱼ
    d_c = d_y_hat  # (3)                     → ∂L/∂c  = ∂L/∂ŷ · 1
    d_h = d_y_hat * net.v  # (3)                     → ∂L/∂hⱼ = ∂L/∂ŷ · vⱼ
    d_z = d_h * act_prime(f.z, f.h)  # (2) h = act(z)          → ∂L/∂zⱼ = ∂L/∂hⱼ · act'(zⱼ)
    d_w = d_z * f.x  # (1) z = w·x + b         → ∂L/∂wⱼ = ∂L/∂zⱼ · x
    d_b = d_z  # (1)                     → ∂L/∂bⱼ = ∂L/∂zⱼ · 1
    return Gradients(float(d_y_hat), d_v, float(d_c), d_h, d_z, d_w, d_b)


def gradient_step(net: TinyNet, grads: Gradients, lr: float) -> TinyNet:
    """Gradient descent on every weight: θ ← θ − η ∂L/∂θ."""
    return replace(net, w=net.w - lr * grads.w, b=net.b - lr * grads.b,
                   v=net.v - lr * grads.v, c=float(net.c - lr * grads.c))


def flat_gradients(grads: Gradients) -> dict[str, np.ndarray]:
    """The parameter gradients only, as arrays keyed by PARAMS."""
    return {name: np.atleast_1d(np.asarray(getattr(grads, name), dtype=float)) for name in PARAMS}


def autograd_gradients(net: TinyNet, x: float, y: float) -> dict[str, np.ndarray]:
    """The same gradients from torch autograd in float64 (the reference the page and tests compare with)."""
    import torch

    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "ReLU": torch.relu}
    params = {name: torch.tensor(np.atleast_1d(getattr(net, name)), dtype=torch.float64, requires_grad=True)
              for name in PARAMS}
    z = params["w"] * x + params["b"]  # (H,)
    y_hat = params["v"] @ acts[net.activation](z) + params["c"][0]
    loss = 0.5 * (y_hat - y) ** 2
    loss.backward()
    return {name: p.grad.numpy().copy() for name, p in params.items()}


def chain_rule_latex(net: TinyNet, f: Forward, g: Gradients, j: int) -> str:
    """∂L/∂wⱼ = ∂L/∂ŷ · ∂ŷ/∂hⱼ · ∂hⱼ/∂zⱼ · ∂zⱼ/∂wⱼ, written out with this point's numbers (j counts from 1)."""
    k = j - 1
    _, act_prime = ACTIVATIONS[net.activation]
    slope = float(act_prime(f.z[k : k + 1], f.h[k : k + 1])[0])
    deriv = DERIVATIVE_LATEX[net.activation].replace("{j}", f"{{{j}}}")
    return (
        rf"\frac{{\partial L}}{{\partial w_{{{j}}}}}"
        rf" = \underbrace{{(\hat y - y)}}_{{\partial L/\partial \hat y}}"
        rf"\cdot \underbrace{{v_{{{j}}}}}_{{\partial \hat y/\partial h_{{{j}}}}}"
        rf"\cdot \underbrace{{{deriv}}}_{{\partial h_{{{j}}}/\partial z_{{{j}}}}}"
        rf"\cdot \underbrace{{x}}_{{\partial z_{{{j}}}/\partial w_{{{j}}}}}"
        rf" = ({f.y_hat:.3f} - {_num(f.y)}) \cdot {_num(net.v[k])} \cdot {_num(slope)} \cdot {_num(f.x)}"
        rf" = {g.w[k]:.4f}"
    )


def update_latex(net: TinyNet, grads: Gradients, j: int, lr: float = STEP_LR) -> str:
    """wⱼ ← wⱼ − η ∂L/∂wⱼ with the numbers (j counts from 1)."""
    k = j - 1
    return (rf"w_{{{j}}} \leftarrow w_{{{j}}} - \eta\,\frac{{\partial L}}{{\partial w_{{{j}}}}} = "
            rf"{net.w[k]:.3f} - {lr:g} \cdot {_num(grads.w[k], 4)} = {net.w[k] - lr * grads.w[k]:.4f}")


@dataclass(frozen=True)
class AutogradCheck:
    """The hand-written gradients beside torch autograd's, one row per weight."""

    table: pd.DataFrame
    max_difference: float
    agrees: bool
    summary: str


def compare_with_autograd(net: TinyNet, f: Forward, grads: Gradients, tol: float = 1e-10) -> AutogradCheck:
    """Every ∂L/∂θ by hand and by torch autograd (float64); they agree when max |difference| ≤ tol."""
    ours, ref = flat_gradients(grads), autograd_gradients(net, f.x, f.y)
    names, mine, theirs = [], [], []
    for name in PARAMS:
        for i, (a, b) in enumerate(zip(ours[name], ref[name], strict=True)):
            names.append(f"∂L/∂{name}" + (str(i + 1).translate(_SUB) if name != "c" else ""))
            mine.append(float(a))
            theirs.append(float(b))
    diff = np.abs(np.array(mine) - np.array(theirs))
    table = pd.DataFrame({"weight": names, "by hand (numpy)": mine, "torch autograd": theirs, "|difference|": diff})
    worst = float(diff.max())
    agrees = bool(worst <= tol)
    summary = (f"The hand-written backward pass and torch autograd agree on all {len(names)} gradients "
               f"(largest difference {worst:.1e})." if agrees else
               f"The hand-written gradients differ from torch autograd by up to {worst:.1e}.")
    return AutogradCheck(table, worst, agrees, summary)


def _num(value: float, digits: int = 3) -> str:
    """A number for a product in LaTeX: negative ones in parentheses."""
    text = number(value, digits)
    return f"({text})" if text.startswith("-") else text
