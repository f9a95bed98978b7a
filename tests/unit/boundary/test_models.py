"""The twelve classifiers against scikit-learn and closed forms; sampling; the prior; errors; the cache; figures."""

from __future__ import annotations

import base64
import dataclasses
import html as html_lib
import io
import json
import re

import altair as alt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from scipy.special import logsumexp
from scipy.stats import multivariate_normal, norm
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.metrics import log_loss
from sklearn.naive_bayes import GaussianNB

from core import raster
from core.boundary import controls as bd
from core.boundary import data as ds
from core.boundary import models as clf
from core.boundary.panels import (
    BOUNDARY_COLOR,
    BOUNDARY_WIDTH,
    CLICK_GRID_N,
    CLICK_PARAM,
    cached_panel_html,
    class_confidence,
    data_chart,
    learning_curve_chart,
    light_prob_colorscale,
    panel_card,
    panel_html,
    panel_picture,
)
from core.style import CLASS_COLORS


@pytest.fixture(scope="module")
def moons():
    return ds.make_dataset(ds.DataSettings(dataset="moons", n_samples=240, seed=1))


@pytest.fixture(scope="module")
def three():
    return ds.make_dataset(ds.DataSettings(dataset=ds.THREE_BLOBS, n_samples=240, seed=2))


@pytest.mark.parametrize("name", clf.MODEL_NAMES)
@pytest.mark.parametrize("which", ["moons", "three"])
def test_probabilities_sum_to_one_and_argmax_is_predict(name, which, request):
    d = request.getfixturevalue(which)
    model = clf.fit(name, d.X_train, d.y_train)
    P = clf.proba(model, d.X_test)
    assert P.shape == (len(d.y_test), d.n_classes)
    assert_allclose(P.sum(axis=1), 1.0, atol=1e-9)
    assert (P >= 0).all()
    assert_array_equal(clf.classes_of(model)[P.argmax(axis=1)], model.predict(d.X_test))
    assert clf.is_generative(model) == (name in clf.GENERATIVE)


def test_naive_bayes_matches_scikit_learn_and_the_formula(moons):
    X, y = moons.X_train, moons.y_train
    ours = clf.fit("Gaussian naive Bayes", X, y)
    ref = GaussianNB().fit(X, y)
    assert_allclose(ours.predict_proba(moons.X_test), ref.predict_proba(moons.X_test), atol=1e-12)
    # ln P(x | y=k) = Σⱼ ln N(xⱼ; μⱼₖ, σ²ⱼₖ)
    by_hand = np.column_stack([norm.logpdf(moons.X_test, ref.theta_[k], np.sqrt(ref.var_[k])).sum(axis=1)
                               for k in range(2)])
    assert_allclose(ours.class_log_density(moons.X_test), by_hand, rtol=1e-10)


@pytest.mark.parametrize(("name", "Ref"), [("LDA", LinearDiscriminantAnalysis), ("QDA", QuadraticDiscriminantAnalysis)])
@pytest.mark.parametrize("which", ["moons", "three"])
def test_lda_qda_posteriors_match_scikit_learn(name, Ref, which, request):
    d = request.getfixturevalue(which)
    ours = clf.fit(name, d.X_train, d.y_train)
    ref = Ref().fit(d.X_train, d.y_train)
    assert_allclose(ours.predict_proba(d.X_test), ref.predict_proba(d.X_test), atol=1e-8)


def test_lda_and_qda_densities_are_the_gaussians_of_their_parameters(three):
    X, y = three.X_train, three.y_train
    lda, qda = clf.fit("LDA", X, y), clf.fit("QDA", X, y)
    for k in range(3):
        assert_allclose(lda.class_mean(k), X[y == k].mean(axis=0))
        assert_allclose(qda.class_covariance(k), np.cov(X[y == k].T, bias=True), rtol=1e-10)
        expected = multivariate_normal(qda.class_mean(k), qda.class_covariance(k)).logpdf(three.X_test)
        assert_allclose(qda.class_log_density(three.X_test)[:, k], expected, rtol=1e-10)
    pooled = sum(np.cov(X[y == k].T, bias=True) * np.sum(y == k) for k in range(3)) / len(y)
    assert_allclose(lda.class_covariance(0), pooled, rtol=1e-10)


@pytest.mark.parametrize("name", clf.GENERATIVE)
def test_every_class_density_integrates_to_one(name, moons):
    model = clf.fit(name, moons.X_train, moons.y_train)
    grid = clf.Grid((-5.0, 5.0), (-5.0, 5.0), n=301)
    cell = (10 / 300) ** 2
    mass = np.exp(model.class_log_density(grid.points())).sum(axis=0) * cell
    assert_allclose(mass, 1.0, atol=0.01)  # Riemann sum on a 301² grid over ±5


@pytest.mark.parametrize("name", clf.GENERATIVE)
def test_samples_reproduce_class_means_and_covariances(name, three):
    """10,000 draws: mean within 0.05 and covariance within 0.06 (≈ 4 standard errors at these spreads)."""
    model = clf.fit(name, three.X_train, three.y_train, clf.Hyperparameters(gmm_components=3))
    X, y = model.sample(10_000, np.random.default_rng(0))
    assert set(np.unique(y)) == {0, 1, 2}
    assert_allclose(np.bincount(y) / 10_000, model.prior_, atol=0.02)
    for k in range(3):
        Xk = X[y == k]
        assert_allclose(Xk.mean(axis=0), model.class_mean(k), atol=0.05)
        assert_allclose(np.cov(Xk.T), model.class_covariance(k), atol=0.06)


def test_kde_mean_is_the_data_mean_and_covariance_adds_the_kernel(moons):
    h = 0.4
    model = clf.fit("KDE", moons.X_train, moons.y_train, clf.Hyperparameters(kde_bandwidth=h))
    Xk = moons.X_train[moons.y_train == 1]
    s = moons.X_train.std(axis=0)
    assert_allclose(model.class_mean(1), Xk.mean(axis=0), rtol=1e-10)
    assert_allclose(model.class_covariance(1), np.cov(Xk.T, bias=True) + h**2 * np.diag(s**2), rtol=1e-10)


@pytest.mark.parametrize(("name", "Ref"), [("Gaussian naive Bayes", GaussianNB), ("LDA", LinearDiscriminantAnalysis),
                                           ("QDA", QuadraticDiscriminantAnalysis)])
@pytest.mark.parametrize("p1", [0.05, 0.3, 0.9])
def test_shifting_the_prior_equals_refitting_with_that_prior(name, Ref, p1, moons):
    prior = np.array([1 - p1, p1])
    shifted = clf.fit(name, moons.X_train, moons.y_train).predict_proba(moons.X_test, prior)
    refit = Ref(priors=prior).fit(moons.X_train, moons.y_train).predict_proba(moons.X_test)
    assert_allclose(shifted, refit, atol=1e-8)


@pytest.mark.parametrize("name", ["Gaussian mixture", "KDE"])
def test_shifted_prior_is_bayes_rule_on_the_same_densities(name, moons):
    model = clf.fit(name, moons.X_train, moons.y_train)
    prior = np.array([0.8, 0.2])
    joint = model.class_log_density(moons.X_test) + np.log(prior)
    assert_allclose(model.predict_proba(moons.X_test, prior), np.exp(joint - logsumexp(joint, axis=1, keepdims=True)),
                    atol=1e-12)
    assert not np.allclose(model.predict_proba(moons.X_test, prior), model.predict_proba(moons.X_test))


def test_with_prior_on_a_panel_matches_the_model_and_moves_only_generative_panels(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=40)
    args = (moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    qda, lr = clf.evaluate("QDA", *args), clf.evaluate("Logistic regression", *args)
    same = clf.with_prior(qda, qda.prior)
    assert_allclose(same.grid_proba, qda.grid_proba, atol=1e-6)
    prior = np.array([0.1, 0.9])
    moved = clf.with_prior(qda, prior)
    expected = qda.model.predict_proba(grid.points(), prior)[:, 1].reshape(40, 40)
    assert_allclose(moved.grid_proba[:, :, 1], expected, atol=1e-5)
    assert moved.scores.test_accuracy == pytest.approx(np.mean(qda.model.predict(moons.X_test, prior) == moons.y_test))
    assert (moved.grid_proba[:, :, 1] > 0.5).sum() > (qda.grid_proba[:, :, 1] > 0.5).sum()  # class 1 region grows
    assert clf.with_prior(lr, prior) is lr


def test_scores_match_scikit_learn_metrics(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=20)
    panel = clf.evaluate("RBF SVM", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    P = clf.proba(panel.model, moons.X_test)
    assert panel.scores.test_log_loss == pytest.approx(log_loss(moons.y_test, P))
    assert panel.scores.train_accuracy == pytest.approx(panel.model.score(moons.X_train, moons.y_train))
    assert panel.scores.test_accuracy == pytest.approx(panel.model.score(moons.X_test, moons.y_test))
    assert panel.grid_proba.dtype == np.float32 and panel.grid_proba.shape == (20, 20, 2)


@pytest.mark.parametrize("name", clf.GENERATIVE)
def test_generative_panel_grid_is_bayes_rule_on_its_density(name, moons):
    """A generative panel derives P(y | x) from its ln P(x | y) on the grid (one evaluation, not two): Bayes'
    rule written out here, and scikit-learn's own predict_proba where the model wraps one estimator."""
    grid = clf.Grid(*ds.bounds(moons.X_all), n=24)
    panel = clf.evaluate(name, moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    pts = grid.points()
    logd = panel.model.class_log_density(pts)
    assert_allclose(panel.grid_log_density, logd.reshape(24, 24, -1), rtol=1e-6)
    joint = logd + np.log(panel.model.prior_)
    bayes = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    assert_allclose(panel.grid_proba, bayes.reshape(24, 24, -1), atol=1e-6)
    if name in ("Gaussian naive Bayes", "LDA", "QDA"):  # the same fit as scikit-learn's estimator
        assert_allclose(panel.grid_proba, panel.model.estimator_.predict_proba(pts).reshape(24, 24, -1), atol=1e-5)


def test_models_fitted_on_threads_come_back_in_the_order_asked(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=16)
    names = ["Decision tree", "Gaussian naive Bayes", "Neural net", "QDA", "KDE"]  # slowest fits submitted first
    args = (moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    threaded = clf.evaluate_many(names, "order-test", *args)
    assert [p.name for p in threaded] == names
    assert set(clf.SLOW_FIRST) == set(clf.MODEL_NAMES)
    for p in threaded:
        alone = clf.evaluate(p.name, *args)
        assert_allclose(p.grid_proba, alone.grid_proba, atol=1e-6)


# --------------------------------------------------------------------------------------------------
# Models that cannot fit say why; the others keep working
# --------------------------------------------------------------------------------------------------
def _tiny():
    X = np.array([[0.0, 0.0], [1.0, 0.2], [3.0, 3.0], [4.0, 3.1], [3.5, 2.0]])
    return X, np.array([0, 0, 1, 1, 1])


@pytest.mark.parametrize(("name", "hp", "message"), [
    ("QDA", clf.Hyperparameters(), "QDA needs more training points than features in every class: class 0 has 2"),
    ("Gaussian mixture", clf.Hyperparameters(gmm_components=3),
     "Gaussian mixture: class 0 has 2 training point(s) but 3 components were asked"),
    ("k-NN", clf.Hyperparameters(knn_k=6), "k-NN: k = 6 is more than the 5 training points."),
    ("RBF SVM", clf.Hyperparameters(), None),
])
def test_impossible_fits_explain_themselves(name, hp, message):
    X, y = _tiny()
    if message is None:
        assert clf.fit(name, X, y, hp) is not None  # 2 points per class are enough to calibrate with cv=2
        return
    with pytest.raises(clf.ModelError) as err:
        clf.fit(name, X, y, hp)
    assert str(err.value).startswith(message)


def test_single_class_and_collinear_data_are_refused():
    X, y = _tiny()
    with pytest.raises(clf.ModelError, match="only one class"):
        clf.fit("Logistic regression", X, np.zeros(5, int))
    line = np.column_stack([np.arange(8.0), 2 * np.arange(8.0)])
    with pytest.raises(clf.ModelError, match="lie on a line"):
        clf.fit("QDA", line, np.array([0, 0, 0, 0, 1, 1, 1, 1]))
    with pytest.raises(clf.ModelError, match="identical"):
        clf.fit("Gaussian naive Bayes", np.ones((4, 2)), np.array([0, 0, 1, 1]))


def test_every_model_on_classes_of_identical_points_fits_or_says_why():
    """Two stacks of identical points (a student clicking one spot per class): no model may raise anything
    but ModelError; LDA's pooled covariance is 0, which scikit-learn's svd solver meets with an IndexError."""
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    y = np.array([0] * 5 + [1] * 5)
    with pytest.raises(clf.ModelError, match="within every class the training points are identical"):
        clf.fit("LDA", X, y)
    for name in clf.MODEL_NAMES:
        try:
            model = clf.fit(name, X, y, clf.Hyperparameters(knn_k=3))
        except clf.ModelError as err:
            assert str(err).startswith(name.split()[0]) or "identical" in str(err)
            continue
        proba = clf.proba(model, X)
        assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)


def test_one_failing_panel_leaves_the_others(moons):
    X, y = _tiny()
    grid = clf.Grid((-1.0, 5.0), (-1.0, 4.0), n=10)
    out = clf.evaluate_many(["QDA", "LDA", "Decision tree"], "tiny", X, y, X[:0], y[:0], grid, parallel=False)
    assert out[0].error and out[0].grid_proba is None
    assert out[1].error is None and out[2].error is None
    assert out[1].scores.test_accuracy is None and out[1].scores.test_log_loss is None  # no test set
    table = clf.results_table(out)
    assert list(table.columns) == list(clf.RESULT_COLUMNS)
    assert table["model"].tolist() == ["QDA", "LDA", "Decision tree"]
    assert np.isnan(table.loc[0, "train accuracy"]) and table.loc[1, "train accuracy"] == 1.0


# --------------------------------------------------------------------------------------------------
# The fit cache
# --------------------------------------------------------------------------------------------------
def test_cache_is_keyed_by_data_and_the_models_own_parameters(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=30)
    args = ("fp-moons", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    a = clf.cached_evaluate("k-NN", *args, clf.Hyperparameters(knn_k=5))
    assert clf.cached_evaluate("k-NN", *args, clf.Hyperparameters(knn_k=5, tree_depth=9)) is a  # other model's knob
    b = clf.cached_evaluate("k-NN", *args, clf.Hyperparameters(knn_k=7))
    assert b is not a and not np.array_equal(a.grid_proba, b.grid_proba)
    c = clf.cached_evaluate("k-NN", "fp-other", *args[1:], clf.Hyperparameters(knn_k=5))
    assert c is not a
    assert clf.params_of("Random forest", clf.Hyperparameters()) == (("forest_trees", 50), ("forest_depth", 6))


def test_every_hyperparameter_has_a_control():
    assert {h.field for h in clf.HYPERS} == {f.name for f in dataclasses.fields(clf.Hyperparameters)}
    controls = {c.key: c for cs in bd.HYPER_CONTROLS.values() for c in cs}
    assert set(controls) == {h.key for h in clf.HYPERS}
    for h in clf.HYPERS:
        c = controls[h.key]
        assert h.model in clf.MODEL_NAMES and c.default == h.default
        assert (c.options is not None and c.default in c.options) or (c.lo <= c.default <= c.hi)
    assert set(clf.WHY_NO_SAMPLES) == set(clf.DISCRIMINATIVE)


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------
def _layers(html: str) -> list[str]:
    return json.loads(html_lib.unescape(re.search(r'data-layers="([^"]*)"', html).group(1)))


def _axes_only(html: str) -> str:
    """A panel's HTML without its picture and without what it is a picture of."""
    return re.sub(r' ?(<img src|aria-label|data-model|data-layers)="[^"]*"', "", html)


def _picture_source(html: str) -> str:
    return re.search(r'<img src="([^"]+)"', html).group(1)


def test_panels_share_the_axes_and_list_what_they_show(moons, three):
    for d in (moons, three):
        grid = clf.Grid(*ds.bounds(d.X_all), n=50)
        panels = [clf.evaluate(n, d.X_train, d.y_train, d.X_test, d.y_test, grid) for n in ("QDA", "k-NN")]
        samples = panels[0].model.sample(30, np.random.default_rng(0))
        pages = [panel_html(p, d, grid, samples=samples if p.generative else None) for p in panels]
        canvas = raster.Canvas(grid.x_range, grid.y_range)
        # the same axes around every panel: those of the grid's ranges
        assert _axes_only(pages[0]) == _axes_only(pages[1]) == _axes_only(raster.html_axes(canvas, ""))
        for h in pages:
            picture = _picture_source(h)
            assert picture.startswith("data:image/jpeg;base64,")
            width, height = Image.open(io.BytesIO(base64.b64decode(picture.split(",", 1)[1]))).size
            assert (width, height) == (canvas.width, canvas.height)  # the picture covers the grid's ranges
        layers = _layers(pages[0])
        assert sum(n.startswith("P(x|y=") for n in layers) == d.n_classes  # density rings, generative only
        assert sum(n.startswith("sampled") for n in layers) == d.n_classes
        assert not any(n.startswith("P(x|y=") for n in _layers(pages[1]))
        assert layers[:2] == (["P(y=1|x)", "boundary"] if d.n_classes == 2 else ["argmax P(y|x)", "boundary"])


def test_panel_card_holds_the_title_the_picture_and_escaped_caption_lines(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=30)
    panel = clf.evaluate("QDA", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    picture = panel_html(panel, moons, grid)
    card = panel_card("QDA <x>", True, picture, ["accuracy train 0.9", "a < b & c"])
    assert card.startswith('<div style="font-weight:600;margin-bottom:4px">QDA &lt;x&gt; · ')
    assert "<em style=\"font-weight:400\">generative</em>" in card
    assert picture in card and card.index(picture) < card.index("accuracy train")
    assert re.findall(r"<div data-line[^>]*>([^<]*)</div>", card) == ["accuracy train 0.9", "a &lt; b &amp; c"]
    assert panel_card("k-NN", False).endswith("<em style=\"font-weight:400\">discriminative</em></div>")


def _no_points(d):
    empty = np.zeros((0, 2))
    return ds.Dataset(empty, np.zeros(0), empty, np.zeros(0), d.class_names)


def test_binary_panel_picture_shows_p_as_colour_and_the_half_line_in_black(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=60)
    p = clf.evaluate("Logistic regression", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    picture, layers = panel_picture(p, _no_points(moons), grid, canvas=canvas)
    assert layers == ["P(y=1|x)", "boundary"] and picture.dtype == np.uint8
    P1 = canvas.resample(p.grid_proba[:, :, 1])
    signed = canvas.resample(p.grid_proba[:, :, 1] - p.grid_proba[:, :, 0])
    gy, gx = np.gradient(signed)
    distance = np.abs(signed) / np.hypot(gx, gy)  # pixels to the line P = ½
    away = distance > BOUNDARY_WIDTH / 2 + 0.5
    expected = raster.colorize(P1, raster.lookup_table(light_prob_colorscale()))
    assert_allclose(picture[away], np.rint(expected[away]), atol=1)  # colour is P(y = 1 | x)
    on_line = distance < 0.5
    assert on_line.sum() > canvas.width // 2  # the line crosses the picture
    assert_array_equal(picture[on_line], np.broadcast_to(raster.rgb(BOUNDARY_COLOR), (on_line.sum(), 3)))
    assert picture[P1 > 0.95].mean(axis=0)[0] > picture[P1 > 0.95].mean(axis=0)[2]  # orange: red > blue
    assert picture[P1 < 0.05].mean(axis=0)[2] > picture[P1 < 0.05].mean(axis=0)[0]  # blue


def test_three_class_picture_colours_each_region_by_its_winning_class(three):
    grid = clf.Grid(*ds.bounds(three.X_all), n=60)
    p = clf.evaluate("LDA", three.X_train, three.y_train, three.X_test, three.y_test, grid)
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    picture, layers = panel_picture(p, _no_points(three), grid, contours=False, canvas=canvas)
    assert layers == ["argmax P(y|x)", "boundary"]
    P = np.stack([canvas.resample(p.grid_proba[:, :, k]) for k in range(3)], axis=-1)
    for k in range(3):
        sure = P[..., k] > 0.95  # confidently class k: its own colour, strongly (not the next class's white)
        assert sure.sum() > 100
        expected = raster.rgb(CLASS_COLORS[k]) * 0.6 + 255 * 0.4
        assert np.abs(picture[sure].mean(axis=0) - expected).max() < 12


def test_a_tie_region_is_outlined_not_filled_black(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=60)
    p = clf.evaluate("Random forest", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid,
                     clf.Hyperparameters(forest_trees=2), 0)
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    picture, _ = panel_picture(p, _no_points(moons), grid, canvas=canvas)
    black = (picture.astype(int).sum(axis=-1) < 3 * 40).mean()
    tie = (np.abs(canvas.resample(p.grid_proba[:, :, 1]) - 0.5) < 1e-6).mean()
    assert tie > 0.05  # two trees that disagree: P = ½ over whole regions
    assert black < tie / 2  # only their outlines are black


def test_shifting_the_prior_is_remembered_per_panel_and_prior(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=30)
    p = clf.evaluate("QDA", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    a = clf.with_prior(p, np.array([0.3, 0.7]))
    assert clf.with_prior(p, np.array([0.3, 0.7])) is a  # the same object every rerun: its figure is reused
    assert clf.with_prior(p, np.array([0.4, 0.6])) is not a


def test_panel_picture_draws_each_point_in_its_class_colour_where_it_is(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=40)
    p = clf.evaluate("k-NN", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    one = ds.Dataset(moons.X_train[:1], moons.y_train[:1], np.zeros((0, 2)), np.zeros(0), moons.class_names)
    picture, layers = panel_picture(p, one, grid, canvas=canvas)
    col, row = np.floor(canvas.to_pixels(one.X_train)[0]).astype(int)
    assert_allclose(picture[row, col], raster.rgb(CLASS_COLORS[int(one.y_train[0])]), atol=2)
    assert f"train y={moons.class_names[int(one.y_train[0])]}" in layers


def test_panel_pictures_are_remembered_per_fitted_panel_and_settings(moons):
    grid = clf.Grid(*ds.bounds(moons.X_all), n=40)
    p = clf.evaluate("QDA", moons.X_train, moons.y_train, moons.X_test, moons.y_test, grid)
    first = cached_panel_html(p, moons, grid, contours=True)
    assert cached_panel_html(p, moons, grid, contours=True) is first  # same fit, same settings: no redraw
    assert first == panel_html(p, moons, grid, contours=True)
    assert cached_panel_html(p, moons, grid, contours=False) is not first
    stars = p.model.sample(20, np.random.default_rng(0))
    with_stars = cached_panel_html(p, moons, grid, contours=True, samples=stars)
    assert with_stars is not first and "sampled y=0" in _layers(with_stars)
    shifted = clf.with_prior(p, np.array([0.2, 0.8]))  # a new panel object: drawn again
    assert _picture_source(cached_panel_html(shifted, moons, grid, contours=True)) != _picture_source(first)


def test_class_confidence_encodes_argmax_and_certainty():
    P = np.array([[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]])
    code = class_confidence(P)
    assert_array_equal(np.floor(code), P.argmax(axis=1))
    assert_allclose(code, [0.85, 0.0, 2.999], atol=1e-6)


def _vega_valid(spec: dict) -> dict:
    """The spec with its Arrow datasets as rows, checked against Vega-Lite's JSON schema (raises if invalid)."""
    plain = {**spec, "datasets": {k: v.to_pylist() for k, v in spec.get("datasets", {}).items()}}
    (alt.LayerChart if "layer" in plain else alt.Chart).from_dict(plain)
    return plain


def test_data_chart_has_an_invisible_click_grid_on_top_and_a_spec_that_ignores_the_data(moons, three):
    grid = clf.Grid(*ds.bounds(moons.X_all))
    spec = _vega_valid(data_chart(moons, grid))
    train, test, click = spec["layer"]  # test crosses drawn over the training discs
    assert click["mark"]["opacity"] == 0 and click["params"][0]["name"] == CLICK_PARAM
    assert click["params"][0]["select"]["nearest"]  # a click anywhere picks the nearest grid point
    cells = spec["datasets"]["click_grid"]
    assert len(cells) == CLICK_GRID_N[0] * CLICK_GRID_N[1]
    assert_allclose([min(c["gx"] for c in cells), max(c["gx"] for c in cells)], grid.x_range)  # every corner
    assert_allclose([min(c["gy"] for c in cells), max(c["gy"] for c in cells)], grid.y_range)
    assert len(spec["datasets"]["train"]) == len(moons.y_train) and len(spec["datasets"]["test"]) == len(moons.y_test)
    assert {r["class"] for r in spec["datasets"]["train"]} == {"0", "1"}
    assert train["encoding"]["color"]["scale"]["range"][:2] == list(CLASS_COLORS[:2])
    # one shape legend, train ● and test ✕: each layer a constant field on the same scale
    assert [layer["transform"] for layer in (train, test)] == [[{"calculate": "'train'", "as": "points"}],
                                                                [{"calculate": "'test'", "as": "points"}]]
    assert train["encoding"]["shape"]["scale"] == test["encoding"]["shape"]["scale"] == {
        "domain": ["train", "test"], "range": ["circle", "M-1,-1L1,1M-1,1L1,-1"]}
    other = ds.make_dataset(ds.DataSettings(dataset="moons", n_samples=240, seed=2, noise=0.4))
    without_data = [{k: v for k, v in data_chart(d, clf.Grid(*ds.bounds(d.X_all))).items() if k != "datasets"}
                    for d in (moons, other)]
    assert without_data[0] == without_data[1]  # only the data change: the browser updates the chart in place
    assert _vega_valid(data_chart(three, grid))["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["0", "1", "2"]


def test_the_first_screens_data_chart_is_the_same_picture_without_the_click_grid(moons):
    """A fresh tab's first screen draws the data before anything can be clicked: no click grid, no selection (the
    browser's cheapest chart to draw first), and the axes span the grid's ranges, as the click grid makes them."""
    grid = clf.Grid(*ds.bounds(moons.X_all))
    full, first = _vega_valid(data_chart(moons, grid)), _vega_valid(data_chart(moons, grid, clickable=False))
    assert len(first["layer"]) == 2 and "click_grid" not in first["datasets"]
    assert not any("params" in layer for layer in first["layer"])
    for axis, span in (("x", grid.x_range), ("y", grid.y_range)):
        assert_allclose(first["layer"][0]["encoding"][axis]["scale"]["domain"], span)
        without_domain = {k: v for k, v in first["layer"][0]["encoding"][axis]["scale"].items() if k != "domain"}
        assert without_domain == full["layer"][0]["encoding"][axis]["scale"]
    assert first["datasets"]["train"] == full["datasets"]["train"] and first["layer"][1]["mark"] == full["layer"][1]["mark"]


def test_learning_curve_chart_leaves_out_sizes_without_a_fit_and_bands_mean_plus_minus_sd():
    sizes = np.array([8, 16, 32])
    spec = _vega_valid(learning_curve_chart(sizes, {"QDA": (np.array([np.nan, 0.3, 0.2]), np.array([np.nan, 0.1, 0.05])),
                                                    "LDA": (np.array([0.5, 0.4, 0.35]), np.array([0.6, 0.0, 0.0]))}))
    rows = spec["datasets"]["curves"]
    qda = [r for r in rows if r["model"] == "QDA"]
    assert [r["m"] for r in qda] == [16, 32] and [r["error"] for r in qda] == [0.3, 0.2]
    assert_allclose([r["lo"] for r in qda], [0.2, 0.15]) and assert_allclose([r["hi"] for r in qda], [0.4, 0.25])
    lda = [r for r in rows if r["model"] == "LDA"]
    assert lda[0]["lo"] == 0.0 and lda[0]["hi"] == 1.0  # the band is clipped to error rates in [0, 1]
    band, line = spec["layer"]
    assert band["mark"]["type"] == "area" and line["encoding"]["color"]["scale"]["domain"] == ["QDA", "LDA"]
    assert line["encoding"]["x"]["scale"]["type"] == "log"
    # Vega-Lite merges the two layers' colour legends: a `legend: None` on either would hide the models' names
    assert all(layer["encoding"]["color"].get("legend", {}) is not None for layer in (band, line))
