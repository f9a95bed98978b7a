"""The live GAN page in AppTest: each ``at.run()`` is one tick of the live fragment."""

from __future__ import annotations

import numpy as np
import pytest

from core.gan import model as gan
from core.gan import settings as gs
from core.gan import targets as T
from tests.app.conftest import as_number, assert_clean, metric, open_page, run_until, settle
from tests.unit.training_toys import learning_rates

PAGE = "pages/4_GAN.py"


@pytest.fixture
def at():
    """A fresh session per test, its models built on the training pool: no test depends on another's state."""
    app = gan_page()
    yield app
    for key in KEYS:
        if key in app.session_state:
            app.session_state[key].close()  # never leave a model training on the pool after a test


KEYS = ("gan.runner", "gan.digits.runner")


def gan_page(query: dict | None = None):
    """The page once its models are built on the training pool."""
    return settle(open_page(PAGE, query), *KEYS)


def step_count(at) -> int:
    return int(as_number(metric(at, "Step")))


def click(at, key: str):
    """Click a button and show the page once the training pool has answered."""
    at.button(key=key).click().run()
    return settle(at, *KEYS)


def runner(at):
    return at.session_state["gan.runner"]


def test_opens_clean_with_the_contract_metrics_and_widgets(at):
    assert_clean(at)
    assert step_count(at) == 0
    assert metric(at, "Modes covered").endswith("/ 8")
    assert metric(at, "High-quality").endswith("%")
    for key in ("gan.target", "gan.loss"):
        assert at.selectbox(key=key).value in (T.RING, gan.NON_SATURATING)
    for key in ("gan.lr_g", "gan.lr_d", "gan.batch_size"):
        assert at.select_slider(key=key).value is not None
    assert at.slider(key="gan.d_steps").value == 1
    assert {"gan.train", "gan.step", "gan.reset"} <= {b.key for b in at.button}
    assert "ring of 8" in at.selectbox(key="gan.target").options
    assert "grid of 25" in at.selectbox(key="gan.target").options
    assert any("min_G" in el.value.replace(" ", "").replace("\\", "") for el in at.latex)


def test_train_ticks_pause_step_reset(at):
    at.button(key="gan.train").click().run()
    assert runner(at).running  # at once, before the worker has answered
    counts = [step_count(at)]
    for _ in range(3):
        counts.append(step_count(run_until(at, lambda a: step_count(a) > counts[-1], *KEYS)))
    assert counts[1] < counts[2] < counts[3]
    click(at, "gan.train")
    assert not runner(at).running
    paused = step_count(at)
    assert runner(at).ask("iteration") == paused  # the page shows where the model stopped
    assert step_count(settle(at, *KEYS)) == paused
    click(at, "gan.step")
    assert step_count(at) == paused + 1 == runner(at).ask("iteration")
    assert metric(at, "High-quality").endswith("%")
    assert_clean(at)
    click(at, "gan.reset")
    assert step_count(at) == 0
    assert_clean(at)


def test_a_learning_rate_change_is_live_and_an_architecture_change_resets_with_a_notice(at):
    click(at, "gan.step")
    click(at, "gan.step")
    assert step_count(at) == 2
    at.select_slider(key="gan.lr_g").set_value(0.03).run()
    assert step_count(settle(at, *KEYS)) == 2
    assert runner(at).ask(learning_rates)[0] == 0.03
    assert not at.info
    at.select_slider(key="gan.hidden").set_value(32).run()
    assert "hidden" in at.info[0].value and "step 0" in at.info[0].value
    assert step_count(settle(at, *KEYS)) == 0
    assert runner(at).ask("settings").hidden == 32
    assert_clean(at)


@pytest.mark.trains
def test_extreme_learning_rates_pause_with_a_message_and_reset_recovers(at):
    at.select_slider(key="gan.lr_g").set_value(gan.LR_OPTIONS[-1])
    at.select_slider(key="gan.lr_d").set_value(gan.LR_OPTIONS[-1]).run()
    at.button(key="gan.train").click().run()
    # Learning rates of 10 diverge at step 1 or 2 on every seed and kernel path measured; wait on that with a
    # deadline (a busy machine takes longer to get there), never a fixed number of ticks.
    run_until(at, lambda a: not runner(a).running, *KEYS)
    assert_clean(at)
    at.run()
    assert at.error and "diverged" in at.error[0].value and "Reset" in at.error[0].value
    at.select_slider(key="gan.lr_g").set_value(1e-3)
    at.select_slider(key="gan.lr_d").set_value(1e-3).run()
    click(at, "gan.reset")
    assert not at.error and step_count(at) == 0
    click(at, "gan.step")
    assert step_count(at) == 1 and not at.error


def test_every_target_and_loss_runs(at):
    for target in T.TARGETS:
        at.selectbox(key="gan.target").set_value(target).run()
        settle(at, *KEYS)
        if target == T.DRAWN:
            assert "at least 20" in at.warning[0].value
            click(at, "gan.step")
            assert step_count(at) == 0
            continue
        before = step_count(at)
        click(at, "gan.step")
        assert step_count(at) == before + 1, target
        assert_clean(at)
        assert (target in (T.RING, T.GRID, T.MIXTURE_1D)) == any(m.label.startswith("Modes") for m in at.metric)
    at.selectbox(key="gan.target").set_value(T.RING).run()
    for loss in gan.LOSSES:
        at.selectbox(key="gan.loss").set_value(loss).run()
        click(at, "gan.step")
        assert_clean(at)
        assert runner(at).ask("settings").loss == loss


def test_changing_the_target_loads_its_preset_and_presets_load_their_settings(at):
    at.selectbox(key="gan.target").set_value(T.GRID).run()
    assert at.toggle(key="gan.spectral_norm").value == gan.preset(gan.DEFAULT, T.GRID).spectral_norm
    at.selectbox(key="gan.target").set_value(T.RING).run()
    at.button(key="gan.preset.mode collapse").click().run()
    collapse = gan.preset(gan.COLLAPSE, T.RING)
    assert at.selectbox(key="gan.loss").value == collapse.loss
    assert at.select_slider(key="gan.lr_d").value == collapse.lr_d
    at.button(key="gan.preset.best for grid of 25").click().run()
    assert at.selectbox(key="gan.target").value == T.GRID
    assert runner(settle(at, *KEYS)).ask("settings") == gan.preset(gan.BEST_GRID, T.GRID)
    assert_clean(at)


def test_every_widget_at_its_extremes_still_runs(at):
    at.button(key="gan.preset.works").click().run()
    extremes = {
        "gan.latent_dim": gan.LATENT_OPTIONS, "gan.hidden": gan.HIDDEN_OPTIONS,
        "gan.batch_size": gan.BATCH_OPTIONS, "gan.lr_g": gan.LR_OPTIONS[:1], "gan.lr_d": gan.LR_OPTIONS[:1],
    }
    for key, options in extremes.items():
        for value in (options[0], options[-1]):
            at.select_slider(key=key).set_value(value).run()
            click(at, "gan.step")
            assert_clean(at)
        at.select_slider(key=key).set_value(gs.CONTROLS[key].default).run()
    for key, value in (("gan.d_steps", gan.MAX_D_STEPS), ("gan.depth", gan.MAX_DEPTH), ("gan.depth", 1)):
        at.slider(key=key).set_value(value).run()
        click(at, "gan.step")
        assert_clean(at)
    at.number_input(key="gan.seed").set_value(gan.MAX_SEED).run()
    at.toggle(key="gan.spectral_norm").set_value(True).run()
    at.toggle(key="gan.ema").set_value(False).run()
    for activation in gan.ACTIVATIONS:
        at.selectbox(key="gan.activation").set_value(activation).run()
    at.selectbox(key="gan.optimizer").set_value("SGD").run()
    click(at, "gan.step")
    assert step_count(at) == 1
    assert_clean(at)


def test_a_drawing_with_enough_points_trains():
    at = gan_page({"gan.target": T.DRAWN})
    assert "at least 20" in at.warning[0].value
    assert at.radio(key="gan.brush").value == "cloud"
    rng = np.random.default_rng(0)
    points = np.zeros((0, 2))
    for x in (-1.0, 0.0, 1.0):
        points = T.add_points(points, x, x, "cloud", rng)
    at.session_state["gan.drawn"] = points.tolist()
    settle(at.run(), *KEYS)
    assert not at.warning
    click(at, "gan.step")
    assert step_count(at) == 1
    assert "36 points" in " ".join(c.value for c in at.caption)
    click(at, "gan.clear")
    assert "at least 20" in at.warning[0].value
    assert_clean(at)


def test_url_sets_the_settings_and_bad_values_are_ignored():
    at = gan_page({"gan.target": T.GRID, "gan.lr_g": "0.03", "gan.loss": "least squares", "gan.d_steps": "3"})
    assert at.selectbox(key="gan.target").value == T.GRID
    assert at.select_slider(key="gan.lr_g").value == 0.03
    built = runner(at).ask("settings")
    assert built.loss == gan.LEAST_SQUARES and built.d_steps == 3
    assert metric(at, "Modes covered").endswith("/ 25")
    bad = open_page(PAGE, {"gan.lr_g": "banana", "gan.target": "moon base"})
    assert "ignored" in bad.warning[0].value  # said on the first run of the page
    assert bad.selectbox(key="gan.target").value == T.RING
    assert_clean(settle(bad, *KEYS))
    assert metric(bad, "Modes covered").endswith("/ 8")


def test_the_digits_model_is_built_only_when_a_student_trains_it(at):
    assert "gan.digits.runner" not in at.session_state  # opening the page builds only the plane's model
    assert at.button(key="gan.digits.reset").disabled and as_number(metric(at, "Digits step")) == 0
    at.button(key="gan.digits.step").click().run()  # Step builds it and makes exactly one iteration
    assert as_number(metric(settle(at, *KEYS), "Digits step")) == 1
    assert not at.button(key="gan.digits.reset").disabled and not at.session_state["gan.digits.runner"].running
    assert_clean(at)


def test_two_sessions_train_their_own_models_and_digits_train_too():
    a, b = gan_page(), gan_page()
    assert runner(a) is not runner(b)
    a.button(key="gan.train").click().run()
    run_until(a, lambda page: step_count(page) > 0, *KEYS)
    click(a, "gan.train")
    b.run()
    assert step_count(a) > 0 and step_count(b) == 0 and runner(b).ask("iteration") == 0
    b.button(key="gan.digits.train").click().run()
    run_until(b, lambda page: as_number(metric(page, "Digits step")) > 0, *KEYS)
    click(b, "gan.digits.train")
    assert as_number(metric(b, "Digits step")) > 0 and step_count(b) == 0
    b.selectbox(key="gan.digits.loss").set_value(gan.WGAN_GP).run()
    assert as_number(metric(settle(b, *KEYS), "Digits step")) == 0
    click(b, "gan.digits.step")
    assert as_number(metric(b, "Digits step")) == 1
    assert_clean(a)
    assert_clean(b)
