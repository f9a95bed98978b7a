"""What the lesson steps claim, checked through core on the settings their links open."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core import lessons
from core.boundary import controls as bd
from core.boundary import models as clf
from core.loss import descent, losses
from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import corpus_text, encode_prompt


def step(title: str) -> lessons.Step:
    return next(s for lesson in lessons.LESSONS for s in lesson.steps if s.title == title)


def test_umbrella_joint_and_posterior_are_the_closed_forms():
    """The page's own numbers (0.27 and 0.659) are checked on the page by the end-to-end test."""
    s = step("Bayes' rule").settings
    joint = s["bayes.p_rain"] * s["bayes.p_umbrella_given_rain"]
    evidence = joint + (1 - s["bayes.p_rain"]) * s["bayes.p_umbrella_given_dry"]
    assert joint == pytest.approx(0.27)
    assert joint / evidence == pytest.approx(0.659, abs=5e-4)
    assert joint / evidence > 0.5


def test_bce_beats_squared_error_on_a_confident_mistake():
    assert float(losses.bce(1, step("The loss").settings["loss.y_hat"])) == pytest.approx(math.log(2))
    y_hat = step("BCE against squared error").settings["loss.y_hat"]
    assert float(losses.bce(1, y_hat)) == pytest.approx(-math.log(0.01)) == pytest.approx(4.605, abs=5e-4)
    assert float(losses.squared_error(1, y_hat)) == pytest.approx(0.5 * 0.99**2) == pytest.approx(0.490, abs=5e-4)


def test_gradient_descent_at_the_largest_rate_diverges():
    s = step("Gradient descent").settings
    assert s["loss.lr"] == descent.LR_RANGE[1]
    data = descent.make_data(s["loss.data"])
    path = descent.descend(data.x, data.y, descent.DescentSettings(optimizer=s["loss.optimizer"], lr=s["loss.lr"]))
    assert path.diverged and path.steps_taken == 1


def test_prior_shift_moves_naive_bayes_towards_class_0_and_leaves_logistic_regression():
    s = step("The prior shift").settings
    state = {c.key: c.default for c in bd.CONTROLS} | dict(s)
    data = bd.lab_data(bd.data_settings(state), None, [])
    grid = np.random.default_rng(0).uniform(data.X_all.min(0), data.X_all.max(0), size=(4000, 2))
    nb = clf.fit("Gaussian naive Bayes", data.X_train, data.y_train)
    lr = clf.fit("Logistic regression", data.X_train, data.y_train)
    prior = np.array([1 - s["boundary.prior"], s["boundary.prior"]])
    fitted = (clf.proba(nb, grid)[:, 1] > 0.5).mean()
    shifted = (clf.proba(nb, grid, prior)[:, 1] > 0.5).mean()
    assert shifted > fitted + 0.05, (fitted, shifted)
    assert_allclose(clf.proba(lr, grid), lr.predict_proba(grid))  # no prior to change


def test_where_the_sky_puts_is_above_are():
    """The bigram is counted, not trained: the same on every run (the transformer's agreement is a trains test)."""
    assert step("Where the sky …").settings["nexttoken.prompt"] == "where the sky"
    text = corpus_text()
    probs = Bigram().fit(text.ids, len(text.vocab)).next_probs(encode_prompt("where the sky", text).ids)
    assert probs[text.stoi["is"]] > probs[text.stoi["are"]]


def test_training_steps_open_the_settings_the_trains_tests_check():
    """GAN ring: the page default; mode collapse: the preset; sine: the default net (each has its trains test)."""
    from core.backprop.mlp import MLPSettings
    from core.gan import model as gan
    from core.gan import settings as gs

    ring = gs.widget_values(gan.preset(gan.DEFAULT, gan.targets.RING))
    assert {k: v for k, v in ring.items() if k in step("A GAN on the ring").settings} == \
        dict(step("A GAN on the ring").settings)
    collapse = gs.widget_values(gan.preset(gan.COLLAPSE, gan.targets.RING))
    assert {k: collapse[k] for k in step("Mode collapse").settings} == dict(step("Mode collapse").settings)
    s, m = step("Backpropagation fitting sin(x)").settings, MLPSettings()
    assert (s["backprop.width"], s["backprop.depth"], s["backprop.activation"]) == (m.width, m.depth, m.activation)
