"""What the GAN learns to imitate: toy 2-D distributions, a 1-D mixture, and 8×8 handwritten digits.

Each target is a ``Target``: its dimension, a pool of real samples drawn once from a seed (the
trainer draws its minibatches from the pool), the plotting window, and, for the mixtures of
Gaussians, the means and the common standard deviation σ that the mode metrics need.

The ring and the grid follow the benchmarks of Metz et al. (2017, unrolled GANs), VEEGAN
(Srivastava et al., 2017) and PacGAN (Lin et al., 2018): eight Gaussians on a circle of radius 2
with σ = 0.02, and 25 Gaussians at (-4 + 2i, -4 + 2j) with σ = 0.05.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_digits, make_moons

RING = "ring of 8"
GRID = "grid of 25"
SPIRAL = "spiral"
MOONS = "two moons"
CIRCLE = "circle"
DRAWN = "drawn by you"
MIXTURE_1D = "1-D mixture"
DIGITS = "digits (8×8)"

TARGETS_2D: tuple[str, ...] = (RING, GRID, SPIRAL, MOONS, CIRCLE, DRAWN)
TARGETS: tuple[str, ...] = (*TARGETS_2D, MIXTURE_1D)
"""The targets of the plane tab (the digits have a tab of their own)."""

POOL_SIZE = 20_000
MIN_DRAWN_POINTS = 20
DRAWN_JITTER = 0.06
"""A drawn distribution is a kernel density: pick a drawn point, add N(0, 0.06²) noise."""

BRUSHES: tuple[str, ...] = ("dot", "cloud", "ring", "line")
"""Shapes to draw with: one click adds one point, a small cloud, a small ring or a short stroke."""


@dataclass(frozen=True)
class Target:
    """A distribution to learn: a pool of real samples and how to show it."""

    name: str
    dim: int
    pool: np.ndarray = field(repr=False)  # (N, dim) float32, real samples
    lo: float = -3.0
    hi: float = 3.0
    means: np.ndarray | None = field(default=None, repr=False)  # (K, dim) for mixtures of Gaussians
    std: float | None = None  # the common σ of the mixture components

    @property
    def is_mixture(self) -> bool:
        """True when modes covered / high-quality samples are defined (a mixture of Gaussians)."""
        return self.means is not None and self.std is not None

    @property
    def n_modes(self) -> int:
        return 0 if self.means is None else len(self.means)


class TooFewPoints(ValueError):
    """A drawn distribution needs at least MIN_DRAWN_POINTS points."""


def ring_means(n: int = 8, radius: float = 2.0) -> np.ndarray:
    """n points evenly on a circle: (r cos 2πk/n, r sin 2πk/n)."""
    angles = 2 * np.pi * np.arange(n) / n
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def grid_means(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """A side×side grid centred at 0: (-4 + 2i, -4 + 2j) for the 5×5 grid."""
    ticks = spacing * (np.arange(side) - (side - 1) / 2)
    xx, yy = np.meshgrid(ticks, ticks)
    return np.column_stack([xx.ravel(), yy.ravel()])


MIXTURE_1D_MEANS = np.array([[-2.0], [0.5], [2.5]])
MIXTURE_1D_STD = 0.3


def sample_mixture(means: np.ndarray, std: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n samples of the equal-weight mixture Σ_k (1/K) N(μ_k, σ² I)."""
    k = rng.integers(len(means), size=n)
    return means[k] + std * rng.standard_normal((n, means.shape[1]))


def sample_spiral(n: int, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    """An Archimedean spiral r = θ / (2π) · 0.9 over two turns, sampled uniformly in θ, plus noise."""
    theta = np.sqrt(rng.uniform(0.0, 1.0, n)) * 4 * np.pi + 0.6
    r = 0.2 * theta
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)]) + noise * rng.standard_normal((n, 2))


def sample_moons(n: int, rng: np.random.Generator, noise: float = 0.06) -> np.ndarray:
    """scikit-learn's two interleaving half circles, centred and scaled to about [-2.5, 2.5]²."""
    X, _ = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(2**31 - 1)))
    return 1.6 * (X - np.array([0.5, 0.25]))


def sample_circle(n: int, rng: np.random.Generator, radius: float = 1.8, noise: float = 0.04) -> np.ndarray:
    """Uniform on a circle of radius 1.8, plus a little radial noise."""
    angles = rng.uniform(0.0, 2 * np.pi, n)
    r = radius + noise * rng.standard_normal(n)
    return np.column_stack([r * np.cos(angles), r * np.sin(angles)])


def sample_drawn(points: np.ndarray, n: int, rng: np.random.Generator, jitter: float = DRAWN_JITTER) -> np.ndarray:
    """A kernel density over the drawn points: pick one uniformly, add N(0, jitter² I)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) < MIN_DRAWN_POINTS:
        raise TooFewPoints(
            f"Draw at least {MIN_DRAWN_POINTS} points to train on (you have {len(points)}): "
            "click on the drawing area, or pick the cloud brush to add several points per click."
        )
    return points[rng.integers(len(points), size=n)] + jitter * rng.standard_normal((n, 2))


def add_points(points: np.ndarray, x: float, y: float, brush: str, rng: np.random.Generator,
               *, lo: float = -3.0, hi: float = 3.0) -> np.ndarray:
    """The drawing with the brush stamped at (x, y): a dot, a cloud of 12, a ring of 12, or a stroke of 7.

    Points outside the window [lo, hi]² are clipped to it.
    """
    centre = np.array([x, y], dtype=float)
    if brush == "dot":
        stamp = centre[None, :]
    elif brush == "cloud":
        stamp = centre + 0.15 * rng.standard_normal((12, 2))
    elif brush == "ring":
        angles = 2 * np.pi * np.arange(12) / 12
        stamp = centre + 0.4 * np.column_stack([np.cos(angles), np.sin(angles)])
    elif brush == "line":
        stamp = centre + np.column_stack([np.linspace(-0.45, 0.45, 7), np.zeros(7)])
    else:
        raise ValueError(f"unknown brush {brush!r}; pick one of {BRUSHES}")
    old = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.clip(np.vstack([old, stamp]), lo, hi)


def digits_pool() -> np.ndarray:
    """scikit-learn's 1,797 bundled 8×8 digits as rows of 64 pixels scaled to [-1, 1] (no download)."""
    images = load_digits().data.astype(np.float32)  # (1797, 64), values 0..16
    return images / 8.0 - 1.0


def make_target(name: str, *, seed: int = 0, drawn: np.ndarray | None = None, n: int = POOL_SIZE) -> Target:
    """Build a target by name with a pool of n real samples drawn from ``seed``.

    Raises TooFewPoints for a drawing with fewer than MIN_DRAWN_POINTS points.
    """
    rng = np.random.default_rng(seed)
    if name == RING:
        means, std = ring_means(), 0.02
        return Target(name, 2, _f32(sample_mixture(means, std, n, rng)), -3.0, 3.0, means, std)
    if name == GRID:
        means, std = grid_means(), 0.05
        return Target(name, 2, _f32(sample_mixture(means, std, n, rng)), -5.5, 5.5, means, std)
    if name == SPIRAL:
        return Target(name, 2, _f32(sample_spiral(n, rng)), -3.0, 3.0)
    if name == MOONS:
        return Target(name, 2, _f32(sample_moons(n, rng)), -3.0, 3.0)
    if name == CIRCLE:
        return Target(name, 2, _f32(sample_circle(n, rng)), -3.0, 3.0)
    if name == DRAWN:
        pts = np.zeros((0, 2)) if drawn is None else drawn
        return Target(name, 2, _f32(sample_drawn(pts, n, rng)), -3.0, 3.0)
    if name == MIXTURE_1D:
        means, std = MIXTURE_1D_MEANS, MIXTURE_1D_STD
        return Target(name, 1, _f32(sample_mixture(means, std, n, rng)), -4.0, 4.0, means, std)
    if name == DIGITS:
        return Target(name, 64, digits_pool(), -1.0, 1.0)
    raise ValueError(f"unknown target {name!r}")


def mixture_density_1d(x: np.ndarray, means: np.ndarray = MIXTURE_1D_MEANS, std: float = MIXTURE_1D_STD) -> np.ndarray:
    """p(x) = Σ_k (1/K) N(x; μ_k, σ²) on a 1-D grid."""
    x = np.asarray(x, dtype=float)[:, None]
    z = (x - means.reshape(1, -1)) / std
    return np.exp(-0.5 * z**2).mean(axis=1) / (std * np.sqrt(2 * np.pi))


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)
