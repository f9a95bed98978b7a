"""The home page's two models: sampling from the generative one reproduces its parameters."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from core.home import (
    class_density,
    discriminative_figure,
    fit_discriminative,
    fit_generative,
    generative_figure,
    grid,
    make_home_data,
    sample_joint,
    sigmoid,
)


def test_same_seed_same_data():
    X1, y1 = make_home_data()
    X2, y2 = make_home_data()
    assert_allclose(X1, X2)
    assert (y1 == y2).all()


def test_samples_follow_the_fitted_joint():
    X, y = make_home_data()
    model = fit_generative(X, y)
    Xs, ys = sample_joint(model, 20_000, np.random.default_rng(0))
    # Class frequencies within 0.02 of the prior; means within 0.05; covariances within 0.06.
    for k, cls in enumerate(model.classes_):
        mask = ys == cls
        assert abs(mask.mean() - model.priors_[k]) < 0.02
        assert_allclose(Xs[mask].mean(axis=0), model.means_[k], atol=0.05)
        assert_allclose(np.cov(Xs[mask].T), model.covariance_[k], atol=0.06)


def test_density_integrates_to_one_on_the_grid():
    X, y = make_home_data()
    model = fit_generative(X, y)
    xs, ys, pts = grid(X, n=200, pad=4.0)
    cell = (xs[1] - xs[0]) * (ys[1] - ys[0])
    for k in range(2):
        assert_allclose(class_density(model, pts, k).sum() * cell, 1.0, atol=0.01)


def test_figures_build():
    X, y = make_home_data()
    gen, disc = fit_generative(X, y), fit_discriminative(X, y)
    samples = sample_joint(gen, 30, np.random.default_rng(1))
    f1 = generative_figure(X, y, gen, samples)
    f2 = discriminative_figure(X, y, disc)
    assert sum(t.type == "contour" for t in f1.data) == 2
    heat = next(t for t in f2.data if t.type == "heatmap")
    z = np.asarray(heat.z)
    assert z.min() >= 0 and z.max() <= 1 and z.min() < 0.1 and z.max() > 0.9
    # The discriminative model agrees with the data on most points.
    assert (disc.predict(X) == y).mean() > 0.85


def test_hand_fits_equal_scikit_learn():
    from scipy.stats import multivariate_normal
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression

    X, y = make_home_data()
    gen = fit_generative(X, y)
    qda = QuadraticDiscriminantAnalysis(store_covariance=True).fit(X, y)
    assert_allclose(gen.priors_, qda.priors_, rtol=1e-12)
    assert_allclose(gen.means_, qda.means_, rtol=1e-12)
    assert_allclose(gen.covariance_, qda.covariance_, rtol=1e-10)
    _, _, pts = grid(X, n=20)
    for k in range(2):
        reference = multivariate_normal(gen.means_[k], gen.covariance_[k]).pdf(pts)
        assert_allclose(class_density(gen, pts, k), reference, rtol=1e-10)
    for C in (0.1, 1.0, 100.0):
        disc = fit_discriminative(X, y, C=C)
        sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
        assert_allclose(disc.coef_, sk.coef_[0], rtol=1e-5, atol=1e-7)
        assert_allclose(disc.intercept_, sk.intercept_[0], rtol=1e-5, atol=1e-7)
        assert_allclose(disc.predict_proba(pts), sk.predict_proba(pts), atol=1e-6)


def test_sigmoid_matches_scipy_expit_without_overflow():
    from scipy.special import expit

    z = np.concatenate([np.linspace(-50, 50, 1001), [-1e4, -800.0, 800.0, 1e4]])
    with np.errstate(over="raise"):
        assert_allclose(sigmoid(z), expit(z), rtol=1e-12, atol=1e-300)
    assert sigmoid(0.0) == 0.5
