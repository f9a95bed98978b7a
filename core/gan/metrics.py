"""Is the GAN working? Mode coverage, sample quality, and a distance between distributions.

For a mixture of Gaussians with means μ_k and common σ (VEEGAN, Srivastava et al. 2017; PacGAN,
Lin et al. 2018): a generated sample is *high quality* when it lies within 3σ of its nearest mean,
and a mode is *covered* when at least one high-quality sample has it as the nearest mean. Measured
on 2,500 samples.

The distance is the Kullback–Leibler divergence KL(P_data ‖ P_G) between histograms on a grid,
each smoothed with a small pseudo-count so that it stays finite (``scipy.stats.entropy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import entropy

N_SAMPLES = 2500


@dataclass(frozen=True)
class ModeReport:
    """How many of the K modes are covered, and the share of high-quality samples."""

    covered: int
    n_modes: int
    high_quality: float  # fraction in [0, 1]
    per_mode: np.ndarray  # (K,) high-quality samples nearest to each mode

    @property
    def text(self) -> str:
        return f"{self.covered} / {self.n_modes}"


def mode_report(samples: np.ndarray, means: np.ndarray, std: float, *, n_sigma: float = 3.0) -> ModeReport:
    """Modes covered and % high quality (within n_sigma·σ of the nearest mean)."""
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if samples.ndim == 1:
        samples = samples[:, None]
    ok = np.isfinite(samples).all(axis=1)
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)  # (n, K)
    d2[~ok] = np.inf
    nearest = d2.argmin(axis=1)
    good = ok & (np.sqrt(d2[np.arange(len(samples)), nearest]) <= n_sigma * std)
    per_mode = np.bincount(nearest[good], minlength=len(means))
    hq = float(good.mean()) if len(samples) else 0.0
    return ModeReport(int((per_mode > 0).sum()), len(means), hq, per_mode)


def histogram(samples: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """Counts on a regular grid over [lo, hi]^dim (1-D or 2-D); samples outside are dropped."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 1:
        samples = samples[:, None]
    samples = samples[np.isfinite(samples).all(axis=1)]
    if samples.shape[1] == 1:
        counts, _ = np.histogram(samples[:, 0], bins=bins, range=(lo, hi))
    else:
        counts, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=bins, range=[[lo, hi], [lo, hi]])
    return counts.ravel()


def kl_on_grid(real: np.ndarray, fake: np.ndarray, lo: float, hi: float, *, bins: int = 40,
               pseudo_count: float = 0.5) -> float:
    """KL(P_data ‖ P_G) in nats between the two histograms on a bins(×bins) grid over [lo, hi].

    Every cell gets ``pseudo_count`` added before normalising, so a cell the generator never
    reaches costs a large but finite amount. 0 for identical histograms; grows as mass is missed.
    """
    p = histogram(real, lo, hi, bins) + pseudo_count
    q = histogram(fake, lo, hi, bins) + pseudo_count
    return float(entropy(p, q))


def density_1d(samples: np.ndarray, grid: np.ndarray, bandwidth: float = 0.08) -> np.ndarray:
    """A Gaussian kernel density estimate (1/n) Σ_i N(x; s_i, h²) of 1-D samples on a grid."""
    s = np.asarray(samples, dtype=np.float64).reshape(-1)
    s = s[np.isfinite(s)]
    if len(s) == 0:
        return np.zeros(len(grid))
    z = (np.asarray(grid, dtype=np.float64)[:, None] - s[None, :]) / bandwidth
    return np.exp(-0.5 * z**2).mean(axis=1) / (bandwidth * np.sqrt(2 * np.pi))
