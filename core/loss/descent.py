"""Gradient descent on the loss surface of a 1-D logistic model ŷ = σ(w x + b).

The data: days with a humidity reading x (standardised: 0 = average, 1 = one standard deviation more
humid) and a label y (1 = it rained). The mean loss over the data is a function of the two weights
(w, b), a surface we can draw and walk down:

    BCE:  L(w, b) = (1/n) Σ −[yᵢ ln ŷᵢ + (1 − yᵢ) ln(1 − ŷᵢ)] + (λ/2) w²
    MSE:  L(w, b) = (1/n) Σ ½ (yᵢ − ŷᵢ)² + (λ/2) w²,       ŷᵢ = σ(w xᵢ + b)

The L2 penalty leaves b alone, like scikit-learn's LogisticRegression, whose
C Σ loss + ½ w² has the same minimiser when C = 1 / (n λ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from core.loss.losses import bce_with_logits, bce_with_logits_grad, half_mse

DATASETS = ("Overlapping", "Separable")
"""Overlapping: some dry days are more humid than some rainy days. Separable: a humidity splits them."""

OBJECTIVES = ("BCE", "MSE")
OPTIMIZERS = ("GD", "Momentum", "Adam")
SURFACE_N = 120
"""Grid points per axis of the drawn surface (120 × 120 loss evaluations)."""


@dataclass(frozen=True)
class Window:
    """The part of the (w, b) plane that is drawn; a path that leaves it is cut at its edge."""

    w: tuple[float, float] = (-8.0, 8.0)
    b: tuple[float, float] = (-8.0, 8.0)

    def contains(self, w: float, b: float) -> bool:
        return bool(self.w[0] <= w <= self.w[1] and self.b[0] <= b <= self.b[1])


WINDOW = Window()


@dataclass(frozen=True)
class LossData:
    """The small dataset: humidity in %, the standardised feature x, and the label y (1 = rain)."""

    name: str
    humidity: np.ndarray  # (n,)
    x: np.ndarray  # (n,) standardised humidity
    y: np.ndarray  # (n,) in {0, 1}

    @property
    def n(self) -> int:
        return int(self.y.size)


def make_data(name: str = "Overlapping", *, n_per_class: int = 15, seed: int = 9) -> LossData:
    """Humidity → rain: dry days around 55 %, rainy days around 75 %; "Separable" leaves a gap."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
    rng = np.random.default_rng(seed)
    if name == "Overlapping":
        dry = rng.normal(56.0, 9.0, n_per_class)
        rain = rng.normal(72.0, 9.0, n_per_class)
    else:
        dry = rng.uniform(40.0, 64.0, n_per_class)
        rain = rng.uniform(70.0, 94.0, n_per_class)
    humidity = np.clip(np.concatenate([dry, rain]), 0.0, 100.0)
    y = np.repeat([0.0, 1.0], n_per_class)
    x = (humidity - humidity.mean()) / humidity.std()
    return LossData(name, humidity, x, y)


def is_separable(x: np.ndarray, y: np.ndarray) -> bool:
    """True when one threshold on x puts every y = 0 on one side and every y = 1 on the other."""
    x0, x1 = x[y == 0], x[y == 1]
    if x0.size == 0 or x1.size == 0:
        return True
    return bool(x0.max() < x1.min() or x1.max() < x0.min())


def has_finite_minimum(x: np.ndarray, y: np.ndarray, l2: float) -> bool:
    """Without a penalty, separable data has no finite minimum: the loss keeps falling as |w| → ∞."""
    return l2 > 0 or not is_separable(x, y)


# --------------------------------------------------------------------------------------------------
# The model, its mean loss and the gradient
# --------------------------------------------------------------------------------------------------
def predict(w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    """ŷ = σ(w x + b); w and b may be arrays (a grid), giving shape w.shape + x.shape."""
    return expit(logits(w, b, x))


def logits(w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    """a = w x + b, broadcast over a grid of (w, b): shape w.shape + x.shape."""
    w = np.asarray(w, dtype=float)[..., None]
    b = np.asarray(b, dtype=float)[..., None]
    return w * x + b


def mean_loss(w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray, y: np.ndarray,
              *, l2: float = 0.0, objective: str = "BCE") -> np.ndarray:
    """Mean BCE (from logits, stable) or mean ½(y − σ(wx + b))² over the data, plus (λ/2) w²."""
    a = logits(w, b, x)  # (..., n)
    if objective == "BCE":
        data_loss = bce_with_logits(y, a).mean(axis=-1)
    elif objective == "MSE":
        data_loss = half_mse(y, expit(a))
    else:
        raise ValueError(f"unknown objective {objective!r}")
    return data_loss + 0.5 * l2 * np.asarray(w, dtype=float) ** 2


def loss_grad(w: float, b: float, x: np.ndarray, y: np.ndarray, *, l2: float = 0.0,
              objective: str = "BCE") -> np.ndarray:
    """(∂L/∂w, ∂L/∂b). BCE: Xᵀ(ŷ − y)/n + (λw, 0) with X = [x, 1]; MSE: the same with (ŷ − y) ŷ (1 − ŷ)."""
    a = logits(w, b, x)
    if objective == "BCE":
        dl_da = bce_with_logits_grad(y, a)  # ŷ − y
    elif objective == "MSE":
        y_hat = expit(a)
        dl_da = (y_hat - y) * y_hat * (1.0 - y_hat)
    else:
        raise ValueError(f"unknown objective {objective!r}")
    X = np.column_stack([x, np.ones_like(x)])  # (n, 2)
    return X.T @ dl_da / x.size + np.array([l2 * w, 0.0])


def loss_and_grad(w: float, b: float, x: np.ndarray, y: np.ndarray, *, l2: float = 0.0,
                  objective: str = "BCE") -> tuple[float, np.ndarray]:
    """``mean_loss`` and ``loss_grad`` at one point in a single pass (the optimisers call it every step).

    BCE per example as softplus(a) − y a, which equals −[y ln σ(a) + (1 − y) ln σ(−a)].
    """
    a = w * x + b
    n = x.size
    if objective == "BCE":
        per_example = np.logaddexp(0.0, a) - y * a
        dl_da = expit(a) - y
    elif objective == "MSE":
        y_hat = expit(a)
        residual = y_hat - y
        per_example = 0.5 * residual * residual
        dl_da = residual * y_hat * (1.0 - y_hat)
    else:
        raise ValueError(f"unknown objective {objective!r}")
    loss = float(per_example.sum()) / n + 0.5 * l2 * w * w
    return loss, np.array([float(dl_da @ x) / n + l2 * w, float(dl_da.sum()) / n])


@dataclass(frozen=True)
class Surface:
    """The loss on an n×n grid: ``ws`` (n_w,), ``bs`` (n_b,), ``Z`` (n_b, n_w) with rows along b."""

    ws: np.ndarray
    bs: np.ndarray
    Z: np.ndarray


def surface_grid(x: np.ndarray, y: np.ndarray, *, l2: float = 0.0, objective: str = "BCE",
                 window: Window = WINDOW, n: int = 120) -> Surface:
    """Mean loss over an n×n grid of (w, b) covering ``window`` (float32: it is only drawn)."""
    ws = np.linspace(*window.w, n)
    bs = np.linspace(*window.b, n)
    W, B = np.meshgrid(ws, bs)  # (n_b, n_w)
    Z = mean_loss(W, B, x, y, l2=l2, objective=objective)
    return Surface(ws.astype(np.float32), bs.astype(np.float32), Z.astype(np.float32))


def dataset_surface(name: str, l2: float, objective: str, n: int = SURFACE_N) -> Surface:
    """``surface_grid`` for one of the named datasets (a pure function of its arguments: cacheable)."""
    data = make_data(name)
    return surface_grid(data.x, data.y, l2=l2, objective=objective, n=n)


def dataset_optimum(name: str, l2: float, objective: str) -> tuple[float, float, float] | None:
    """(w*, b*, L*) for one of the named datasets, or None when there is no finite minimum."""
    data = make_data(name)
    best = optimum(data.x, data.y, l2=l2, objective=objective)
    if best is None:
        return None
    return best[0], best[1], float(mean_loss(*best, data.x, data.y, l2=l2, objective=objective))


def sklearn_optimum(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[float, float]:
    """The minimiser of mean BCE + (λ/2) w² from scikit-learn: LogisticRegression with C = 1/(nλ)."""
    C = np.inf if l2 <= 0 else 1.0 / (x.size * l2)
    model = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(x[:, None], y.astype(int))
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def optimum(x: np.ndarray, y: np.ndarray, *, l2: float = 0.0, objective: str = "BCE",
            surface: Surface | None = None) -> tuple[float, float] | None:
    """Where the loss is lowest, or None when there is no finite minimum.

    BCE is convex: scikit-learn's LogisticRegression finds it. The sigmoid-MSE is not: start
    L-BFGS from the lowest grid point of ``surface``.
    """
    if not has_finite_minimum(x, y, l2):
        return None
    if objective == "BCE":
        return sklearn_optimum(x, y, l2)
    surface = surface or surface_grid(x, y, l2=l2, objective=objective)
    i, j = np.unravel_index(np.argmin(surface.Z), surface.Z.shape)
    start = np.array([surface.ws[j], surface.bs[i]], dtype=float)
    result = minimize(lambda p: float(mean_loss(p[0], p[1], x, y, l2=l2, objective=objective)), start,
                      jac=lambda p: loss_grad(p[0], p[1], x, y, l2=l2, objective=objective), method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


# --------------------------------------------------------------------------------------------------
# Optimisers
# --------------------------------------------------------------------------------------------------
LR_RANGE = (0.01, 30.0)
STEPS_RANGE = (1, 500)
L2_RANGE = (0.0, 0.5)


@dataclass(frozen=True)
class DescentSettings:
    """One walk down the surface: optimiser, learning rate η, steps, start (w₀, b₀), penalty λ."""

    optimizer: str = "GD"
    lr: float = 2.0
    steps: int = 60
    w0: float = -6.0
    b0: float = 6.0
    l2: float = 0.0
    objective: str = "BCE"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8


@dataclass
class DescentPath:
    """The visited points, their loss and gradient, and why the walk stopped early (if it did)."""

    params: np.ndarray  # (k + 1, 2): (w, b) after 0..k steps
    loss: np.ndarray  # (k + 1,)
    grad: np.ndarray  # (k + 1, 2): (∂L/∂w, ∂L/∂b)
    steps_requested: int
    left_plot: bool = False
    ups: int = 0  # steps on which the loss went up
    overshot: bool = False  # the loss went up, or the path jumped past the valley and off the plot
    messages: list[str] = field(default_factory=list)

    @property
    def steps_taken(self) -> int:
        return int(self.params.shape[0] - 1)

    @property
    def diverged(self) -> bool:
        """Left the plot because the steps were too large (not because the surface slopes off the edge)."""
        return self.left_plot and self.overshot


def optimizer_step(name: str, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], t: int,
                   s: DescentSettings) -> np.ndarray:
    """One update θ ← θ − η·(direction), as torch.optim.SGD / SGD(momentum) / Adam do it.

    GD:        θ ← θ − η g
    Momentum:  v ← μ v + g;  θ ← θ − η v                       (v₀ = g, heavy ball)
    Adam:      m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η m̂ / (√v̂ + ε)   (Kingma & Ba 2015)
    """
    if name == "GD":
        return theta - s.lr * g
    if name == "Momentum":
        state["v"] = g.copy() if "v" not in state else s.momentum * state["v"] + g
        return theta - s.lr * state["v"]
    if name == "Adam":
        m = s.beta1 * state.get("m", np.zeros_like(g)) + (1.0 - s.beta1) * g
        v = s.beta2 * state.get("v", np.zeros_like(g)) + (1.0 - s.beta2) * g * g
        state["m"], state["v"] = m, v
        m_hat = m / (1.0 - s.beta1 ** t)
        v_hat = v / (1.0 - s.beta2 ** t)
        return theta - s.lr * m_hat / (np.sqrt(v_hat) + s.eps)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")


def _exit_point(a: np.ndarray, b: np.ndarray, window: Window) -> np.ndarray:
    """Where the segment from ``a`` (inside) to ``b`` (outside or not finite) crosses the window's edge."""
    d = b - a
    if not np.all(np.isfinite(d)):
        d = np.nan_to_num(d, nan=0.0, posinf=1e300, neginf=-1e300)
    t = 1.0
    for k, (lo, hi) in enumerate((window.w, window.b)):
        if d[k] > 0:
            t = min(t, (hi - a[k]) / d[k])
        elif d[k] < 0:
            t = min(t, (lo - a[k]) / d[k])
    return a + max(t, 0.0) * d


def descend(x: np.ndarray, y: np.ndarray, settings: DescentSettings, window: Window = WINDOW) -> DescentPath:
    """Run the optimiser from (w₀, b₀) for ``steps`` steps; stop where the path leaves ``window``.

    A path that jumps off the plot (or overflows) ends at the point where it crossed the edge, so
    every number in it is finite; ``messages`` say why it stopped and what the student can change.
    """
    s = settings
    theta = np.array([s.w0, s.b0], dtype=float)
    loss0, grad0 = loss_and_grad(*theta, x, y, l2=s.l2, objective=s.objective)
    points, losses, grads = [theta], [loss0], [grad0]
    state: dict[str, np.ndarray] = {}
    left = False
    heading = np.zeros(2)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, s.steps + 1):
            new = optimizer_step(s.optimizer, theta, grads[-1], state, t, s)
            if not (np.all(np.isfinite(new)) and window.contains(*new)):
                new = _exit_point(theta, new, window)
                left = True
            heading = new - theta
            theta = new
            loss, grad = loss_and_grad(*theta, x, y, l2=s.l2, objective=s.objective)
            points.append(theta)
            losses.append(loss)
            grads.append(grad)
            if left:
                break
    loss = np.array(losses)
    ups = int(np.sum(np.diff(loss) > 1e-12))
    # Off the plot "downhill" means going on in the same direction would still lower the loss.
    still_falling = float(-grads[-1] @ heading) > 0
    path = DescentPath(np.array(points), loss, np.array(grads), s.steps, left, ups,
                       overshot=ups > 0 or (left and not still_falling))
    path.messages = _explain(path, x, y, s)
    return path


def _explain(path: DescentPath, x: np.ndarray, y: np.ndarray, s: DescentSettings) -> list[str]:
    """Plain-language notes on how the walk went (shown beside the plot)."""
    notes = []
    finite_min = has_finite_minimum(x, y, s.l2)
    where = f"after {path.steps_taken} of {s.steps} steps"
    if path.left_plot and path.overshot:
        notes.append(f"Diverged: the path left the plot {where}. The learning rate η = {s.lr:g} is too large "
                     "for this surface: the steps overshoot the valley and land higher up. Lower η.")
    elif path.left_plot and not finite_min:
        notes.append(f"The path left the plot {where} with the loss still falling: on separable data there is "
                     "no finite minimum, so the weights grow without bound. Set λ > 0 to get one.")
    elif path.left_plot:
        notes.append(f"The path left the plot {where} with the loss still falling: from this start the surface "
                     "slopes gently down towards the edge, away from the minimum"
                     + (" (the sigmoid-MSE is not convex: far from the minimum it flattens into plateaus)."
                        if s.objective == "MSE" else "."))
    elif path.ups > 0:
        notes.append(f"The loss went up on {path.ups} of {path.steps_taken} steps: the steps overshoot the "
                     "valley and the path zig-zags" + (" (momentum carries it past the minimum)."
                                                       if s.optimizer != "GD" else "."))
    if not finite_min and not path.left_plot:
        notes.append(f"Separable data without a penalty: no finite minimum. The loss keeps falling as w grows "
                     f"(w = {path.params[-1, 0]:.2f} after {path.steps_taken} steps, and more steps push it "
                     "further); set λ > 0 and it stops.")
    return notes


FLAT = 5e-4
"""|∂L/∂w|, |∂L/∂b| below this read 0.000 on the page."""


def flat_point_note(loss: float, grad: np.ndarray, best: tuple[float, float, float] | None) -> tuple[str, str] | None:
    """What a (rounded) zero gradient means here: the minimum, or a plateau above it. None if not flat."""
    if max(abs(float(grad[0])), abs(float(grad[1]))) >= FLAT:
        return None
    if best is not None and loss <= best[2] + 1e-3:
        return "success", ("∂L/∂w = 0 and ∂L/∂b = 0 (to 3 decimals): the surface is flat here, and this is the "
                           f"minimum (loss {loss:.3f}).")
    lowest = f"the minimum is {best[2]:.3f} at the gold star" if best is not None else "there is no finite minimum"
    return "warning", (f"∂L/∂w ≈ 0 and ∂L/∂b ≈ 0, yet this is not the minimum: the loss here is {loss:.3f} and "
                       f"{lowest}. A flat stretch (plateau) stops gradient descent too.")


def play_stride(steps: int, ticks: int = 40) -> int:
    """How many path points one Play tick advances, so that playing any path takes about ``ticks`` ticks."""
    return max(1, int(np.ceil(steps / ticks)))
