"""GAN metrics: modes covered and high-quality share (VEEGAN/PacGAN), KL on a grid, a 1-D density."""

from __future__ import annotations

import math

import numpy as np
from numpy.testing import assert_allclose
from scipy.special import rel_entr
from sklearn.neighbors import KernelDensity

from core.gan import targets as T
from core.gan.metrics import N_SAMPLES, density_1d, histogram, kl_on_grid, mode_report


def test_samples_from_the_ring_itself_cover_8_of_8_with_the_gaussian_share_inside_3_sigma():
    rng = np.random.default_rng(0)
    samples = T.sample_mixture(T.ring_means(), 0.02, N_SAMPLES, rng)
    report = mode_report(samples, T.ring_means(), 0.02)
    assert report.covered == 8 and report.n_modes == 8 and report.text == "8 / 8"
    # In 2-D, P(‖x − μ‖ ≤ 3σ) = 1 − exp(−9/2) = 0.9889 (a χ with 2 degrees of freedom).
    assert_allclose(report.high_quality, 1 - math.exp(-4.5), atol=0.006)
    assert report.per_mode.sum() == round(report.high_quality * N_SAMPLES)


def test_samples_from_one_mode_cover_1_of_8():
    rng = np.random.default_rng(1)
    means = T.ring_means()
    samples = means[3] + 0.02 * rng.standard_normal((N_SAMPLES, 2))
    report = mode_report(samples, means, 0.02)
    assert report.covered == 1 and report.per_mode.argmax() == 3
    assert report.high_quality > 0.97


def test_grid_of_25_and_far_or_broken_samples():
    rng = np.random.default_rng(2)
    grid = T.grid_means()
    assert mode_report(T.sample_mixture(grid, 0.05, N_SAMPLES, rng), grid, 0.05).covered == 25
    between = grid[:5] + np.array([1.0, 1.0])  # halfway between modes: 10σ from any of them
    far = mode_report(np.vstack([between, [[np.nan, 0.0]]]), grid, 0.05)
    assert far.covered == 0 and far.high_quality == 0.0
    one_d = mode_report(np.array([-2.0, 0.5, 2.5, 9.0]), T.MIXTURE_1D_MEANS, T.MIXTURE_1D_STD)
    assert one_d.covered == 3 and one_d.high_quality == 0.75


def test_kl_on_a_grid_against_scipy_and_its_properties():
    rng = np.random.default_rng(3)
    means = T.ring_means()
    real = T.sample_mixture(means, 0.02, N_SAMPLES, rng)
    good = T.sample_mixture(means, 0.02, N_SAMPLES, rng)
    collapsed = means[0] + 0.02 * rng.standard_normal((N_SAMPLES, 2))
    assert kl_on_grid(real, real, -3, 3) == 0.0
    p = histogram(real, -3, 3, 40) + 0.5
    q = histogram(collapsed, -3, 3, 40) + 0.5
    assert_allclose(kl_on_grid(real, collapsed, -3, 3), rel_entr(p / p.sum(), q / q.sum()).sum(), rtol=1e-12)
    assert kl_on_grid(real, good, -3, 3) < 0.1 < 1.0 < kl_on_grid(real, collapsed, -3, 3)
    assert histogram(np.array([[0.0, 0.0], [np.inf, 0.0], [10.0, 0.0]]), -3, 3, 4).sum() == 1


def test_density_1d_matches_sklearn_kernel_density():
    rng = np.random.default_rng(4)
    samples = rng.normal(0, 1, 300)
    grid = np.linspace(-4, 4, 50)
    reference = np.exp(KernelDensity(bandwidth=0.2).fit(samples[:, None]).score_samples(grid[:, None]))
    assert_allclose(density_1d(samples, grid, bandwidth=0.2), reference, rtol=1e-10)
    assert np.all(density_1d(np.array([np.nan]), grid) == 0)
