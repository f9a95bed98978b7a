"""AppTest on the backprop lab: Train / ticks / Pause / Step / Reset, every function and activation, extremes.

AppTest never fires ``run_every``: each ``at.run()`` is one tick of the live fragment, while the network trains
on the training pool in between; ``settle`` waits (with a deadline) for the pool's answer to a click.
"""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import as_number, assert_clean, metric, open_page, run_until, settle

PAGE = "pages/5_Backprop.py"
KEY = "backprop.runner"


def click(app, key: str):
    """Click a button, then show the page once the training pool has answered."""
    app.button(key=key).click().run()
    return settle(app, KEY)


@pytest.fixture
def at():
    app = settle(open_page(PAGE), KEY)
    yield app
    if "backprop.runner" in app.session_state:
        app.session_state["backprop.runner"].close()  # no training process outlives its test


def steps(app) -> int:
    return int(as_number(metric(app, "Step")))


def tick_until(app, condition, timeout: float = 180.0) -> None:
    """Run fragment ticks until ``condition(app)`` holds (the worker trains between ticks; each wait is for its
    next snapshot). A deadline, not a budget: a slow or busy machine takes longer to reach the same step."""
    run_until(app, condition, KEY, timeout=timeout)


def test_default_page_renders(at):
    assert_clean(at)
    assert at.title[0].value.startswith("🔁 Backpropagation")
    assert steps(at) == 0
    assert 0.1 < as_number(metric(at, "Train MSE")) < 5.0
    assert as_number(metric(at, "Test MSE")) > 0
    help_of = {m.label: m.proto.help for m in at.metric}  # which MSE: the plain mean, not the ½ of L
    assert help_of["Train MSE"].startswith("Mean of (y − ŷ)²") and "½" in help_of["Test MSE"]
    assert at.button(key="backprop.train").label == "▶ Train"
    assert at.selectbox(key="backprop.function").value == "sin(x)"
    assert any(r"\eta = 0.01" in latex.value for latex in at.latex)


@pytest.mark.trains
def test_train_ticks_pause_step_reset(at):
    start_mse = as_number(metric(at, "Train MSE"))
    click(at, "backprop.train")
    assert at.button(key="backprop.train").label == "⏸ Pause"
    tick_until(at, lambda app: steps(app) >= 20)
    assert as_number(metric(at, "Train MSE")) < start_mse
    click(at, "backprop.train")
    assert at.button(key="backprop.train").label == "▶ Train"
    paused = steps(at)
    runner = at.session_state[KEY]
    assert runner.ask("steps") == paused  # the page shows where the network stopped
    assert steps(settle(at, KEY)) == paused == runner.ask("steps")  # paused: the counter stands still
    click(at, "backprop.step")
    assert steps(at) == paused + 1  # Step: exactly one iteration
    click(at, "backprop.reset")
    assert steps(at) == 0
    assert as_number(metric(at, "Train MSE")) == pytest.approx(start_mse, abs=1e-4)  # seeded: the same start
    assert_clean(at)


def test_every_function(at):
    seen = set()
    for function in ["sin(x)", "|x|", "step", "x²"]:
        settle(at.selectbox(key="backprop.function").set_value(function).run(), KEY)
        click(at, "backprop.step")
        assert_clean(at)
        assert steps(at) == 1  # new data, new network: one step since
        seen.add(metric(at, "Test MSE"))
    assert len(seen) == 4  # each function gives a different result


def test_every_activation_and_the_tiny_net(at):
    for activation in ["ReLU", "tanh", "sigmoid"]:
        settle(at.radio(key="backprop.activation").set_value(activation).run(), KEY)
        click(at, "backprop.step")
        assert_clean(at)
        assert steps(at) == 1
        assert any(f"**{activation}**" in md.value for md in at.markdown)
        at.button(key="backprop.tiny.backward").click().run()
        assert_clean(at)
        assert any(r"\frac{\partial L}{\partial w_{1}}" in latex.value for latex in at.latex)
        assert "agree on all 10 gradients" in at.success[0].value


def test_gradient_step_on_the_tiny_net_lowers_its_loss(at):
    at.button(key="backprop.tiny.descend").click().run()
    assert_clean(at)
    text = at.info[0].value
    before, after = (float(v) for v in re.findall(r"from (-?\d+\.\d+) to (-?\d+\.\d+)", text)[0])
    assert after < before
    at.button(key="backprop.tiny.new").click().run()
    assert not at.info  # new weights: nothing stepped yet


def test_extreme_settings_run_and_train(at):
    lows = {"backprop.noise": 0.0, "backprop.n_points": 10, "backprop.range": 0.25, "backprop.width": 1,
            "backprop.depth": 1, "backprop.tiny_hidden": 2, "backprop.tiny_x": -3.0, "backprop.tree_depth": 1}
    highs = {"backprop.noise": 0.5, "backprop.n_points": 500, "backprop.range": 2.0, "backprop.width": 128,
             "backprop.depth": 8, "backprop.tiny_hidden": 4, "backprop.tiny_x": 3.0, "backprop.tree_depth": 12}
    for values, lr, batch in ((lows, 0.0001, "1"), (highs, 10.0, "all")):
        for key, value in values.items():
            at.slider(key=key).set_value(value)
        at.select_slider(key="backprop.lr").set_value(lr)
        at.select_slider(key="backprop.batch").set_value(batch)
        at.radio(key="backprop.optimizer").set_value("SGD")
        settle(at.run(), KEY)
        assert_clean(at)
        click(at, "backprop.step")
        at.button(key="backprop.tiny.backward").click().run()
        assert_clean(at)
        assert steps(at) == 1


def test_exploding_loss_pauses_with_a_message_and_reset_recovers(at):
    at.radio(key="backprop.optimizer").set_value("SGD")
    at.select_slider(key="backprop.lr").set_value(10.0)
    at.run()
    click(at, "backprop.train")
    tick_until(at, lambda app: bool(app.warning))
    assert "exploded" in at.warning[0].value and "Reset" in at.warning[0].value
    tick_until(at, lambda app: app.button(key="backprop.train").label == "▶ Train")  # paused itself
    assert_clean(at)  # the metrics say "exploded" or a number, never nan/inf
    at.select_slider(key="backprop.lr").set_value(0.1).run()
    click(at, "backprop.reset")
    assert not at.warning and steps(at) == 0
    click(at, "backprop.step")
    assert not at.warning and steps(at) == 1


def test_learning_rate_applies_to_the_running_optimiser(at):
    at.select_slider(key="backprop.lr").set_value(0.03).run()
    runner = at.session_state[KEY]
    assert runner.ask("lr") == 0.03
    # The architecture did not change, so the trainer was kept (η is applied in place).
    click(at, "backprop.step")
    settle(at.select_slider(key="backprop.lr").set_value(0.1).run(), KEY)
    assert steps(at) == 1 and runner.ask("lr") == 0.1
    settle(at.slider(key="backprop.width").set_value(8).run(), KEY)
    assert steps(at) == 0 and runner.ask("steps") == 0  # a new architecture starts from random weights


def test_url_state():
    app = settle(open_page(PAGE, {"backprop.function": "|x|", "backprop.depth": "3", "backprop.activation": "ReLU",
                                  "backprop.lr": "0.1", "backprop.batch": "32"}), KEY)
    try:
        assert_clean(app)
        assert app.selectbox(key="backprop.function").value == "|x|"
        assert app.slider(key="backprop.depth").value == 3
        assert app.radio(key="backprop.activation").value == "ReLU"
        assert app.select_slider(key="backprop.lr").value == 0.1
        assert app.select_slider(key="backprop.batch").value == "32"
        assert app.query_params["backprop.depth"] == "3"
    finally:
        app.session_state["backprop.runner"].close()
    bad = open_page(PAGE, {"backprop.depth": "99", "backprop.function": "tan(x)"})
    try:
        assert_clean(bad)
        assert "ignored" in bad.warning[0].value
        assert bad.slider(key="backprop.depth").value == 2
        assert_clean(settle(bad, KEY))
    finally:
        bad.session_state["backprop.runner"].close()
