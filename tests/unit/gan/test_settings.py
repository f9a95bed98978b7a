"""The GAN page's settings: widget values in and out, and the rebuild-or-update decision, on a plain dict."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from core.gan import model as gan
from core.gan import settings as gs
from core.gan import targets as T
from tests.unit.fake_handle import FakeHandle
from tests.unit.page_state import defaults


def page_state(**changes) -> dict:
    state = defaults(gs.ALL) | {gs.DRAWN: [], gs.BRUSH: "cloud"}
    return state | {f"gan.{k}": v for k, v in changes.items()}


def test_the_widgets_default_to_the_page_default():
    assert gs.settings_from(page_state()) == gan.GanSettings() == gan.preset(gan.DEFAULT, T.RING)
    assert gs.widget_values(gan.GanSettings()) == {c.key: c.default for c in gs.CONTROLS.values()}
    assert "gan.gp_weight" not in gs.widget_values(gan.GanSettings())  # no widget for it: it keeps its default


def test_a_live_setting_updates_the_running_model_and_a_new_architecture_rebuilds():
    state = page_state()
    runner = FakeHandle(gan.build_trainer, *gs.trainer_args(state))
    assert gs.sync_trainer(state, runner) is None and runner.replaced == []
    assert runner.sent == []  # it was built with these settings: nothing to send
    state["gan.lr_g"] = 1e-3
    assert gs.sync_trainer(state, runner) is None and runner.replaced == []
    assert runner.sent == [("update", replace(gan.GanSettings(), lr_g=1e-3))]
    state["gan.depth"], state["gan.seed"] = 3, 7
    notice = gs.sync_trainer(state, runner)
    assert notice == "Changed depth, seed: that needs new networks, so training starts again from step 0."
    assert len(runner.replaced) == 1 and runner.args[0] == gs.settings_from(state)
    assert gs.sync_trainer(state, runner) == notice  # said until the new model has trained
    runner.steps = 5
    assert gs.sync_trainer(state, runner) is None and len(runner.replaced) == 1


def test_a_new_drawing_is_a_new_data_set():
    state = page_state(target=T.DRAWN)
    runner = FakeHandle(gan.build_trainer, *gs.trainer_args(state))
    gs.sync_trainer(state, runner)
    assert runner.replaced == []
    state[gs.DRAWN] = [[0.0, 1.0], [1.0, 0.0]]
    assert gs.sync_trainer(state, runner) is None
    assert len(runner.replaced) == 1 and np.array_equal(runner.args[1], np.array(state[gs.DRAWN]))
    gs.sync_trainer(state, runner)
    assert len(runner.replaced) == 1  # the same drawing: no second rebuild
    assert gs.drawing_of(page_state(target=T.RING) | {gs.DRAWN: [[1, 2]]}) == ""  # not drawing: points ignored


def test_a_click_on_the_canvas_stamps_the_brush_and_the_same_clicks_make_the_same_drawing():
    state = page_state(target=T.DRAWN) | {gs.BRUSH: "dot"}
    gs.add_drawn(state, [{"x": 0.5, "y": -0.5}, {"x": 9.0, "y": 9.0}])  # only the first selected point
    assert state[gs.DRAWN] == [[0.5, -0.5]]
    state[gs.BRUSH] = "cloud"
    gs.add_drawn(state, [{"x": 5.0, "y": 0.0}])
    drawn = np.array(state[gs.DRAWN])
    assert drawn.shape == (13, 2) and drawn.max() <= 3.0  # a cloud of 12, clipped to the window
    again = page_state(target=T.DRAWN) | {gs.BRUSH: "dot"}
    gs.add_drawn(again, [{"x": 0.5, "y": -0.5}])
    again[gs.BRUSH] = "cloud"
    gs.add_drawn(again, [{"x": 5.0, "y": 0.0}])
    assert again[gs.DRAWN] == state[gs.DRAWN]
    gs.add_drawn(again, [])  # a click that selected nothing
    assert again[gs.DRAWN] == state[gs.DRAWN]


def test_the_readout_of_samples_that_are_the_data_covers_every_mode_at_a_kl_near_zero():
    view = gan.build_trainer(gan.GanSettings()).snapshot().view
    real = replace(view, fake=view.real_metric)  # a perfect G: its samples are real ones
    rows = {label: value for label, value, _ in gs.plane_readout(real, 123.4)}
    assert rows["Modes covered"] == "8 / 8" and rows["Step"] == "0" and rows["Iterations / s"] == "123"
    # a 2-D Gaussian holds 1 − exp(−3²/2) = 98.9 % of its mass within 3σ of its mean
    assert abs(float(rows["High-quality samples"].rstrip(" %")) - 100 * (1 - np.exp(-4.5))) < 1
    assert float(rows["KL(data ‖ G) on a grid"]) < 0.05
    untrained = {label: value for label, value, _ in gs.plane_readout(view, 0.0)}
    assert float(untrained["KL(data ‖ G) on a grid"]) > 10 * float(rows["KL(data ‖ G) on a grid"])


def test_a_target_that_is_not_a_mixture_has_no_modes_to_count():
    view = gan.build_trainer(gan.preset(gan.DEFAULT, T.MOONS)).snapshot().view
    labels = [label for label, _, _ in gs.plane_readout(view, 1.0)]
    assert labels == ["Step", "KL(data ‖ G) on a grid", "Iterations / s"]


def test_the_loss_formulas_show_the_last_values_and_a_question_mark_before_any():
    assert all("= ?" in tex for tex in gs.loss_formulas(gan.NON_SATURATING, None))
    snap = gan.build_trainer(gan.GanSettings()).snapshot()
    at_equilibrium = replace(snap, last=(2 * np.log(2), np.log(2), 0.5, 0.5))
    d, g = gs.loss_formulas(gan.NON_SATURATING, at_equilibrium)
    for tex, formula, value in zip((d, g), gan.LOSS_LATEX[gan.NON_SATURATING], ("1.386", "0.693"), strict=True):
        shown, equilibrium = tex.split("equilibrium")
        assert shown.startswith(f"{formula} = {value}") and f"{value})" in equilibrium


def test_the_digits_readout_waits_for_a_first_step():
    trainer = gan.digits_trainer()
    first = gs.digits_readout(trainer.snapshot().view)
    assert [value for _, value, _ in first] == ["0", "–", "–"]
    trainer.step()
    step, d_real, d_fake = (value for _, value, _ in gs.digits_readout(trainer.snapshot().view))
    assert step == "1" and 0 < float(d_real) < 1 and 0 < float(d_fake) < 1


def test_a_new_session_starts_with_no_drawing_and_the_cloud_brush_and_keeps_what_it_has():
    state: dict = {}
    gs.start(state)
    assert state == {gs.DRAWN: [], gs.BRUSH: "cloud"}
    state[gs.DRAWN] = [[0.0, 1.0]]
    gs.start(state)
    assert state[gs.DRAWN] == [[0.0, 1.0]]


def test_the_digits_reset_builds_new_networks_for_the_chosen_loss_only_once_there_are_some():
    state = page_state()
    gs.reset_digits(state)  # nothing trained yet: nothing to build
    assert gs.DIGITS not in state
    state[gs.DIGITS] = FakeHandle(gan.digits_trainer, gan.NON_SATURATING)
    state[gs.DIGITS_LOSS.key] = gan.LOSSES[0] if gan.LOSSES[0] != gan.NON_SATURATING else gan.LOSSES[1]
    gs.reset_digits(state)
    assert state[gs.DIGITS].factory is gan.digits_trainer and state[gs.DIGITS].args == (state[gs.DIGITS_LOSS.key],)


def test_the_1d_densities_are_the_targets_and_gs_samples_each_integrating_to_one():
    grid = np.linspace(-5.0, 5.0, 2001)
    samples = np.random.default_rng(0).choice(T.MIXTURE_1D_MEANS.ravel(), 400)[:, None]
    view = SimpleNamespace(grid_axis=grid, fake=samples + np.random.default_rng(1).normal(0, 0.3, (400, 1)))
    target, fake = gs.densities_1d(view)
    assert np.trapezoid(target, grid) == pytest.approx(1.0, abs=1e-6)
    assert np.trapezoid(fake, grid) == pytest.approx(1.0, abs=1e-3)
    assert target[np.argmin(abs(grid - 0.5))] > 0.4 and target[np.argmin(abs(grid - 1.5))] < 0.01  # a mode, a gap
