"""A torch MLP regressor y = f(x) trained step by step, for the live-training workers.

One ``step()`` is one optimiser update on one (mini)batch of the loss ½(y − ŷ)², after which the
train and test MSE of the whole sets are recorded: one row per step while the bounded history has
room, then every 2nd, 4th, ... step (``core.history``), the newest always as it is now. A worker
builds the trainer from plain settings (``build_trainer``) and publishes ``snapshot()``: small,
picklable, float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.backprop.data import DataSettings, RegressionData, make_data
from core.history import History

ACTIVATIONS: dict[str, type[nn.Module]] = {"ReLU": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
OPTIMIZERS = ("Adam", "SGD")
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = ("1", "8", "32", "128", "all")
"""The page's choices; "all" is full-batch gradient descent."""
HISTORY_CAPACITY = 1024
"""Rows of train/test MSE kept (then every 2nd step, every 4th, ...): bounded memory for a run of any length."""
DIVERGE_FACTOR = 1e4
"""Training counts as diverged when the train MSE exceeds this many times (mean y² + 1)."""


@dataclass(frozen=True)
class MLPSettings:
    """The network (width × depth hidden layers of one activation) and how it is trained."""

    width: int = 32
    depth: int = 2
    activation: str = "tanh"
    lr: float = 0.01
    optimizer: str = "Adam"
    batch_size: int | None = None  # None: the full training set every step
    seed: int = 0

    def architecture(self) -> tuple[int, int, str, str, int | None, int]:
        """Everything but the learning rate: changing any of it needs a fresh network."""
        return (self.width, self.depth, self.activation, self.optimizer, self.batch_size, self.seed)


@dataclass(frozen=True)
class Snapshot:
    """What the page draws, taken in one go from the trainer (in a worker process, so it must pickle)."""

    steps: int
    train_mse: float
    test_mse: float
    y_grid: np.ndarray  # (g,) float32, the net's ŷ on data.x_grid
    history: tuple[np.ndarray, np.ndarray, np.ndarray]  # step (int64), train MSE, test MSE (float32, ≤ 300 points)
    gradient_rms: list[float]
    lr: float = 0.0  # the learning rate the optimiser uses now
    key: tuple = ()  # MLPTrainer.key(): which data and architecture this is a snapshot of


def build_trainer(data: DataSettings, settings: MLPSettings) -> MLPTrainer:
    """A trainer on ``make_data(data)``: the live runner builds it in the training process from plain settings."""
    return MLPTrainer(make_data(data), settings)


def batch_size(choice: str) -> int | None:
    """A BATCH_SIZES choice as MLPSettings.batch_size (None for "all")."""
    return None if choice == "all" else int(choice)


def downsample(n: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` evenly spread indices into range(n), always keeping the first and the last."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def build_mlp(settings: MLPSettings) -> nn.Sequential:
    """1 → width → … → width → 1, ``depth`` hidden layers, PyTorch's default initialisation from a seeded
    generator of its own (the process-wide torch generator is never seeded: other sessions share it)."""
    if settings.activation not in ACTIVATIONS:
        raise KeyError(f"unknown activation {settings.activation!r}; known: {list(ACTIVATIONS)}")
    if settings.width < 1 or settings.depth < 1:
        raise ValueError("width and depth must be at least 1")
    generator = torch.Generator().manual_seed(settings.seed)
    layers: list[nn.Module] = []
    fan_in = 1
    for _ in range(settings.depth):
        layers += [_linear(fan_in, settings.width, generator), ACTIVATIONS[settings.activation]()]
        fan_in = settings.width
    layers.append(_linear(fan_in, 1, generator))
    return nn.Sequential(*layers).double()


def _linear(fan_in: int, fan_out: int, generator: torch.Generator) -> nn.Linear:
    """nn.Linear with its default initialisation (W by Kaiming-uniform with a = √5, b ~ U(±1/√fan_in)) drawn
    from ``generator``."""
    linear = nn.Linear(fan_in, fan_out, device="meta").to_empty(device="cpu")  # no draw from the global RNG
    nn.init.kaiming_uniform_(linear.weight, a=math.sqrt(5), generator=generator)
    nn.init.uniform_(linear.bias, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in), generator=generator)
    return linear


class MLPTrainer:
    """Trains ``build_mlp(settings)`` on ``data``; ``history`` has the train and test MSE after each step."""

    def __init__(self, data: RegressionData, settings: MLPSettings = MLPSettings()) -> None:
        if settings.optimizer not in OPTIMIZERS:
            raise KeyError(f"unknown optimiser {settings.optimizer!r}; known: {OPTIMIZERS}")
        self.data = data
        self.settings = settings
        self.model = build_mlp(settings)
        self.X = torch.as_tensor(data.X_train, dtype=torch.float64)  # (n, 1)
        self.y = torch.as_tensor(data.y_train, dtype=torch.float64)[:, None]  # (n, 1)
        self._X_all = torch.cat([self.X, torch.as_tensor(data.X_test, dtype=torch.float64)])  # (n + m, 1)
        self._y_test = torch.as_tensor(data.y_test, dtype=torch.float64)[:, None]  # (m, 1)
        opt = torch.optim.Adam if settings.optimizer == "Adam" else torch.optim.SGD
        self.optimizer = opt(self.model.parameters(), lr=settings.lr)
        self._batch_rng = torch.Generator().manual_seed(settings.seed + 1)
        self.scale = float(np.mean(data.y_train ** 2)) + 1.0
        self.steps = 0
        self.mse_history = History(2, HISTORY_CAPACITY)  # (step, train MSE, test MSE)
        self._record()

    # -- the live runner's interface ----------------------------------------------------------------
    def step(self) -> None:
        """One gradient step w ← update(w, ∂L/∂w) on a batch, L = mean ½(y − ŷ)²; then record both MSEs."""
        X, y = self.X, self.y
        batch = self.settings.batch_size
        if batch is not None and batch < len(X):
            idx = torch.randint(len(X), (batch,), generator=self._batch_rng)
            X, y = X[idx], y[idx]
        self.optimizer.zero_grad(set_to_none=False)
        loss = 0.5 * ((y - self.model(X)) ** 2).mean()
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        self._record()

    def diverged(self) -> str | None:
        """A message if the loss exploded (not finite, or far beyond the scale of y), else None."""
        last = float(self.mse_history.last()[1])
        if math.isfinite(last) and last <= DIVERGE_FACTOR * self.scale:
            return None
        shown = "infinite or not a number" if not math.isfinite(last) else f"{last:.3g}"
        return (f"The loss exploded (train MSE {shown} at step {self.steps}): the learning rate "
                f"η = {self.lr:g} is too large for {self.settings.optimizer}, so each step overshoots "
                "further than the last. Training paused: lower the learning rate and press Reset.")

    # -- reading -------------------------------------------------------------------------------------
    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def set_lr(self, lr: float) -> None:
        """Change the learning rate of the running optimiser (the weights and Adam's moments stay)."""
        for group in self.optimizer.param_groups:
            group["lr"] = float(lr)

    @property
    def train_mse(self) -> list[float]:
        """Train MSE after step 0, 1, ... (bounded: see ``mse_history``); the last is the current one."""
        return self.mse_history.column(1)

    @property
    def test_mse(self) -> list[float]:
        """Test MSE at the same steps as ``train_mse``."""
        return self.mse_history.column(2)

    def key(self) -> tuple[DataSettings, tuple]:
        """The data settings and the architecture: when either changes, the page builds a new trainer."""
        return self.data.settings, self.settings.architecture()

    def snapshot(self) -> Snapshot:
        """Everything the live view draws, consistent with one step count."""
        _, train, test = self.mse_history.last()
        return Snapshot(self.steps, float(train), float(test), self.predict(self.data.x_grid).astype(np.float32),
                        self.history(), self.gradient_rms(), self.lr, self.key())

    def history(self, max_points: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(step, train MSE, test MSE) at no more than ``max_points`` recorded steps, first and last always
        included; steps as int64, MSEs as float32 (what a chart needs)."""
        rows = self.mse_history.array()
        rows = rows[downsample(len(rows), max_points)]
        return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.float32), rows[:, 2].astype(np.float32)

    @torch.no_grad()
    def predict(self, x: np.ndarray) -> np.ndarray:
        """ŷ = f_w(x) for a 1-D array of inputs."""
        X = torch.as_tensor(np.asarray(x, dtype=float).reshape(-1, 1), dtype=torch.float64)
        return self.model(X)[:, 0].numpy().copy()

    def gradient_rms(self) -> list[float]:
        """RMS of ∂L/∂W for each layer's weight matrix, input layer first (after the last step)."""
        out = []
        for layer in self.model:
            if isinstance(layer, nn.Linear):
                g = layer.weight.grad
                out.append(float(g.pow(2).mean().sqrt()) if g is not None else 0.0)
        return out

    @torch.no_grad()
    def _record(self) -> None:
        y_hat = self.model(self._X_all)  # (n + m, 1)
        n = len(self.X)
        self.mse_history.add(self.steps, float(((y_hat[:n] - self.y) ** 2).mean()),
                             float(((y_hat[n:] - self._y_test) ** 2).mean()))
