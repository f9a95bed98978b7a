"""One-dimensional regression data y = f(x) + noise: a training set, a held-out test set, and a wider grid.

The training and test points are drawn uniformly from [-a·π, a·π]; the grid reaches ``extrapolate``
times further on each side, so a figure can show what a model does outside the data it saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin(x)": np.sin,
    "|x|": np.abs,
    "step": lambda x: np.where(x >= 0.0, 1.0, 0.0),
    "x²": np.square,
}
"""The target functions f, by the name the page shows."""


@dataclass(frozen=True)
class DataSettings:
    """What to draw: f, the noise's standard deviation, how many points, and the half-range in units of π."""

    function: str = "sin(x)"
    noise: float = 0.1
    n_points: int = 200
    half_range_pi: float = 1.0
    test_points: int = 200
    extrapolate: float = 2.0
    grid_points: int = 240
    seed: int = 0


@dataclass(frozen=True)
class RegressionData:
    """Training and test sets (x, y), the noise-free truth on a wide grid, and the training range."""

    X_train: np.ndarray  # (n, 1)
    y_train: np.ndarray  # (n,)
    X_test: np.ndarray  # (m, 1)
    y_test: np.ndarray  # (m,)
    x_grid: np.ndarray  # (g,) spans extrapolate × the training range
    y_grid: np.ndarray  # (g,) f(x_grid), no noise
    x_range: tuple[float, float]
    settings: DataSettings


def target(function: str, x: np.ndarray) -> np.ndarray:
    """f(x) for a function name of FUNCTIONS; KeyError names the known ones."""
    if function not in FUNCTIONS:
        raise KeyError(f"unknown function {function!r}; known: {list(FUNCTIONS)}")
    return np.asarray(FUNCTIONS[function](np.asarray(x, dtype=float)), dtype=float)


def make_data(settings: DataSettings = DataSettings()) -> RegressionData:
    """Draw x ~ U[-a·π, a·π] and y = f(x) + ε, ε ~ N(0, noise²), for training and test (one seed, two streams)."""
    if settings.n_points < 1 or settings.test_points < 1:
        raise ValueError("need at least one training and one test point")
    if settings.half_range_pi <= 0 or settings.noise < 0:
        raise ValueError("the range must be positive and the noise non-negative")
    half = settings.half_range_pi * np.pi
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(settings.seed).spawn(2))

    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = np.sort(rng.uniform(-half, half, size=n))
        y = target(settings.function, x) + settings.noise * rng.standard_normal(n)
        return x[:, None], y

    X_train, y_train = draw(train_rng, settings.n_points)
    X_test, y_test = draw(test_rng, settings.test_points)
    x_grid = np.linspace(-settings.extrapolate * half, settings.extrapolate * half, settings.grid_points)
    return RegressionData(X_train, y_train, X_test, y_test, x_grid, target(settings.function, x_grid),
                          (-half, half), settings)


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Mean squared error (1/n) Σ (yᵢ − ŷᵢ)²."""
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(np.mean((y - y_hat) ** 2))
