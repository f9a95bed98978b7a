"""The home page's two models: sampling from the generative one reproduces its parameters."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from core import raster
from core.home import (
    DENSITY_LEVELS,
    class_density,
    discriminative_html,
    discriminative_picture,
    fit_discriminative,
    fit_generative,
    generative_html,
    generative_picture,
    grid,
    make_home_data,
    sample_joint,
    sigmoid,
)
from core.style import CLASS_COLORS, light_prob_colorscale


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


def _pixel(picture, canvas, x):
    col, row = canvas.to_pixels(np.asarray(x))[0]
    return picture[int(row), int(col)].astype(float)


def test_generative_picture_draws_each_class_rings_where_its_density_is_that_share_of_its_peak():
    X, y = make_home_data()
    model = fit_generative(X, y)
    picture, canvas = generative_picture(X, y, model, (np.zeros((0, 2)), np.zeros(0)))
    hits = total = 0
    for k in range(2):
        inv = np.linalg.inv(model.covariance_[k])
        for level in DENSITY_LEVELS:  # along x from the mean: Mahalanobis d² = t² (Σ⁻¹)₁₁ = −2 ln(level)
            t = np.sqrt(-2 * np.log(level) / inv[0, 0])
            for sign in (-1, 1):
                col, row = canvas.to_pixels(model.means_[k] + [sign * t, 0.0])[0].astype(int)
                nearest = min(np.abs(picture[row, col + d] - raster.rgb(CLASS_COLORS[k])).max() for d in (-1, 0, 1))
                hits += nearest < 70  # the ring's colour within a pixel of where the closed form puts it
                total += 1
    assert hits >= 0.8 * total  # a faint data point or the other class's ring covers one here and there
    corner = picture[2, 2]
    assert (corner == 255).all()  # no colour where there is no density: a generative picture has no P(y | x)


def test_generative_picture_draws_the_sampled_points_as_stars_in_their_class_colour():
    X, y = make_home_data()
    model = fit_generative(X, y)
    far = np.array([[-3.0, 3.4], [3.3, -2.8]])  # away from the data and the rings
    picture, canvas = generative_picture(X, y, model, (far, np.array([0, 1])))
    for x, k in zip(far, (0, 1), strict=True):
        assert np.abs(_pixel(picture, canvas, x) - raster.rgb(CLASS_COLORS[k])).max() < 30


def test_discriminative_picture_is_p_as_colour_with_the_boundary_in_black():
    X, y = make_home_data()
    model = fit_discriminative(X, y)
    picture, canvas = discriminative_picture(X, y, model)
    w, b = model.coef_, model.intercept_
    table = raster.lookup_table(light_prob_colorscale())
    for x in ([-3.0, 3.5], [3.4, -2.9], [-3.2, -2.9]):  # no data point there
        p = model.predict_proba(np.array([x]))[0, 1]
        assert np.abs(_pixel(picture, canvas, x) - raster.colorize(p, table)).max() < 12
    dark = 0
    xs = np.linspace(-1.0, 1.0, 9)
    for x1 in xs:  # on the line wᵀx + b = 0, where P = ½
        dark += _pixel(picture, canvas, [x1, -(b + w[0] * x1) / w[1]]).max() < 90
    assert dark >= 7
    assert (model.predict(X) == y).mean() > 0.85  # the model agrees with the data on most points


def test_home_figures_are_pictures_in_axes_with_a_legend():
    X, y = make_home_data()
    gen, disc = fit_generative(X, y), fit_discriminative(X, y)
    g = generative_html(X, y, gen, sample_joint(gen, 30, np.random.default_rng(1)))
    d = discriminative_html(X, y, disc)
    assert 'data-figure="generative"' in g and 'data-figure="discriminative"' in d
    assert g.count('<img src="data:image/jpeg;base64,') == d.count('<img src="data:image/jpeg;base64,') == 1
    for text in ("P(x | y), y = 0, 1", "data<", "sampled from the model"):
        assert text in g
    for text in ("P(y=1 | x)", "boundary P = ½", "data, y = 0, 1"):
        assert text in d
    assert generative_html(X, y, gen, sample_joint(gen, 30, np.random.default_rng(2))) != g  # new stars


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
