"""AppTest of the loss-surface lab: contract widgets and metrics, every optimiser, every slider at its
extremes, Step / Play / Reset, divergence and separability messages, URL state."""

from __future__ import annotations

import math

import pytest

from core.loss import descent
from tests.app.conftest import as_number, assert_clean, metric, open_page

PAGE = "pages/3_Loss_surface.py"


@pytest.fixture
def at():
    """A fresh session per test: no test depends on what another left in the widgets or session state."""
    return open_page(PAGE)


def restore(at) -> None:
    """Back to the defaults, position 0."""
    d = descent.DescentSettings()
    for key, value in {"loss.lr": d.lr, "loss.steps": d.steps, "loss.w0": d.w0, "loss.b0": d.b0,
                       "loss.l2": d.l2, "loss.y_hat": 0.5, "loss.gan_d": 0.02}.items():
        at.slider(key=key).set_value(value)
    for key, value in {"loss.optimizer": d.optimizer, "loss.objective": d.objective, "loss.data": "Overlapping"}.items():
        at.selectbox(key=key).set_value(value)
    at.session_state["loss.pos"] = 0  # what Reset does (Reset itself is clicked in the Step/Play test)
    at.session_state["loss.playing"] = False
    at.run()


def test_default_page_shows_the_contract_metrics(at):
    restore(at)
    assert_clean(at)
    assert metric(at, "BCE (y=1)") == "0.693"
    assert metric(at, "BCE (y=0)") == "0.693"
    assert at.selectbox(key="loss.optimizer").options == ["GD", "Momentum", "Adam"]
    assert metric(at, "BCE at step 0") == "5.509"
    assert not at.error and not at.exception
    assert len(at.get("vega_lite_chart")) == 8  # two per-example, contour, data, four GAN charts
    assert not at.get("plotly_chart")  # the 3-D surfaces (Plotly, WebGL) only when asked for
    at.toggle(key="loss.surfaces").set_value(True).run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2  # BCE and MSE as 3-D surfaces
    at.toggle(key="loss.surfaces").set_value(False).run()
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("y_hat,y1,y0", [(0.001, -math.log(0.001), -math.log(0.999)),
                                         (0.999, -math.log(0.999), -math.log(0.001)),
                                         (0.9, -math.log(0.9), -math.log(0.1))])
def test_y_hat_slider_sets_both_bce_metrics(at, y_hat, y1, y0):
    at.slider(key="loss.y_hat").set_value(y_hat).run()
    assert_clean(at)
    assert metric(at, "BCE (y=1)") == f"{y1:.3f}"
    assert metric(at, "BCE (y=0)") == f"{y0:.3f}"
    at.slider(key="loss.y_hat").set_value(0.5).run()


@pytest.mark.parametrize("optimizer", descent.OPTIMIZERS)
def test_every_optimiser_walks_its_own_path(at, optimizer):
    restore(at)
    at.selectbox(key="loss.optimizer").set_value(optimizer)
    at.slider(key="loss.lr").set_value(0.3).run()
    at.button(key="loss.step").click().run()
    at.button(key="loss.step").click().run()
    assert_clean(at)
    data = descent.make_data("Overlapping")
    expected = descent.descend(data.x, data.y, descent.DescentSettings(optimizer=optimizer, lr=0.3))
    assert as_number(metric(at, "BCE at step 2")) == pytest.approx(expected.loss[2], abs=5e-4)
    assert as_number(metric(at, "w")) == pytest.approx(expected.params[2, 0], abs=5e-3)
    assert as_number(metric(at, "∂L/∂w")) == pytest.approx(expected.grad[2, 0], abs=5e-4)


def test_step_play_and_reset_walk_the_path(at):
    restore(at)
    at.slider(key="loss.steps").set_value(5).run()
    at.button(key="loss.step").click().run()
    assert metric(at, "BCE at step 1")
    at.button(key="loss.reset").click().run()
    assert metric(at, "BCE at step 0")
    at.button(key="loss.play").click().run()  # each run is one tick of the Play timer
    assert at.session_state["loss.playing"]
    assert at.button(key="loss.play").label.endswith("Pause")
    positions = [at.session_state["loss.pos"]]
    for _ in range(5):
        at.run()
        positions.append(at.session_state["loss.pos"])
        if not at.session_state["loss.playing"]:
            break
    assert positions == sorted(positions) and positions[-1] == 5
    assert not at.session_state["loss.playing"]  # stopped by itself at the end
    assert metric(at, "BCE at step 5")
    assert at.button(key="loss.play").label.endswith("Play")
    assert at.button(key="loss.step").disabled  # nothing left to step
    assert_clean(at)


def test_defaults_at_the_end_of_the_path_show_zero_gradient(at):
    restore(at)
    at.session_state["loss.pos"] = 60  # where Play ends (the ticks themselves are tested above)
    at.run()
    assert metric(at, "BCE at step 60")
    assert as_number(metric(at, "∂L/∂w")) == 0 and as_number(metric(at, "∂L/∂b")) == 0
    assert any("this is the minimum" in s.value for s in at.success)


def test_mse_plateau_is_flat_but_not_called_the_minimum(at):
    restore(at)
    at.selectbox(key="loss.objective").set_value("MSE")
    at.slider(key="loss.steps").set_value(500).run()
    at.session_state["loss.pos"] = 500
    at.run()
    assert not at.success
    assert any("not the minimum" in w.value for w in at.warning)


def test_too_large_learning_rate_diverges_with_a_message_and_no_nan(at):
    restore(at)
    at.slider(key="loss.lr").set_value(30.0).run()
    assert_clean(at)
    assert any("Diverged" in e.value for e in at.error)
    at.button(key="loss.step").click().run()
    assert metric(at, "BCE at step 1")  # the path ends where it left the plot
    assert at.button(key="loss.step").disabled


def test_separable_data_grows_without_bound_until_a_penalty_is_set(at):
    restore(at)
    at.selectbox(key="loss.data").set_value("Separable")
    at.slider(key="loss.steps").set_value(200)
    at.slider(key="loss.lr").set_value(3.0).run()
    assert any("no finite minimum" in w.value for w in at.warning)
    at.slider(key="loss.l2").set_value(0.01).run()
    assert not at.warning and not at.error
    assert_clean(at)


EXTREMES = {
    "loss.y_hat": (0.001, 0.999), "loss.lr": descent.LR_RANGE, "loss.steps": descent.STEPS_RANGE,
    "loss.w0": descent.WINDOW.w, "loss.b0": descent.WINDOW.b, "loss.l2": descent.L2_RANGE, "loss.gan_d": (0.001, 0.999),
}


@pytest.mark.parametrize("corner", ["low", "high", "mixed"])
def test_every_slider_at_its_extremes_runs_clean(at, corner):
    restore(at)
    for i, (key, (lo, hi)) in enumerate(EXTREMES.items()):
        pick = {"low": lo, "high": hi, "mixed": lo if i % 2 else hi}[corner]
        at.slider(key=key).set_value(pick)
    at.run()
    assert_clean(at)
    for key, (lo, hi) in EXTREMES.items():
        assert at.slider(key=key).value in (lo, hi)
    if not at.button(key="loss.step").disabled:
        at.button(key="loss.step").click().run()
        assert_clean(at)
        assert metric(at, "BCE at step 1")


def test_every_dataset_loss_and_optimiser_runs_clean(at):
    restore(at)
    at.slider(key="loss.lr").set_value(descent.LR_RANGE[1])
    at.slider(key="loss.steps").set_value(descent.STEPS_RANGE[1])
    seen = set()
    for name in descent.DATASETS:
        for objective in descent.OBJECTIVES:
            for optimizer in descent.OPTIMIZERS:
                at.selectbox(key="loss.data").set_value(name)
                at.selectbox(key="loss.objective").set_value(objective)
                at.selectbox(key="loss.optimizer").set_value(optimizer).run()
                assert_clean(at)
                seen.add(metric(at, f"{objective} at step 0"))
    assert len(seen) >= 2  # the start's loss differs between data and losses


def test_gan_slider_moves_the_generator_gradients(at):
    at.slider(key="loss.gan_d").set_value(0.01).run()
    assert metric(at, "Minimax: gradient to G") == "-0.010"
    assert metric(at, "Non-saturating: gradient to G") == "-0.990"
    at.slider(key="loss.gan_d").set_value(0.5).run()
    assert metric(at, "Minimax: gradient to G") == "-0.500"
    assert metric(at, "L_D at equilibrium") == f"{math.log(4):.3f}"


def test_url_sets_the_widgets_and_bad_values_are_ignored():
    at = open_page(PAGE, {"loss.lr": "0.3", "loss.optimizer": "Momentum", "loss.w0": "1.5", "loss.y_hat": "0.9",
                          "loss.steps": "12"})
    assert_clean(at)
    assert at.slider(key="loss.lr").value == pytest.approx(0.3)
    assert at.selectbox(key="loss.optimizer").value == "Momentum"
    assert metric(at, "w") == "1.50"
    assert metric(at, "BCE (y=1)") == f"{-math.log(0.9):.3f}"
    assert at.query_params["loss.steps"] == ["12"] or at.query_params["loss.steps"] == "12"
    bad = open_page(PAGE, {"loss.lr": "banana", "loss.optimizer": "SGD", "loss.steps": "9999"})
    assert_clean(bad)
    assert any("Some settings in the link were ignored" in w.value for w in bad.warning)
    assert bad.slider(key="loss.lr").value == descent.DescentSettings().lr
    assert bad.selectbox(key="loss.optimizer").value == "GD"
