"""The backprop page's settings and its tiny net's session keys, on a plain dict."""

from __future__ import annotations

from dataclasses import replace

from numpy.testing import assert_allclose

from core.backprop import by_hand as tb
from core.backprop import mlp as mr
from core.backprop import settings as bs
from core.backprop.data import DataSettings
from core.backprop.mlp import MLPSettings
from tests.unit.fake_handle import FakeHandle
from tests.unit.page_state import defaults


def test_the_widget_defaults_are_the_default_settings():
    assert bs.read_settings(defaults(bs.CONTROLS)) == (DataSettings(), MLPSettings())
    state = defaults(bs.CONTROLS) | {bs.BATCH.key: "32", bs.WIDTH.key: 8}
    assert bs.read_settings(state)[1] == MLPSettings(width=8, batch_size=32)


def test_new_data_or_architecture_rebuild_the_trainer_a_running_one_trains_on_and_the_rate_is_kept_in_step():
    data, net = bs.read_settings(defaults(bs.CONTROLS))
    runner = FakeHandle(mr.build_trainer, data, net)
    assert not bs.sync_trainer(runner, data, net) and runner.replaced == [] and runner.sent == []
    faster = replace(net, lr=0.1)  # η alone: the same trainer, told the new rate once
    assert not bs.sync_trainer(runner, data, faster) and runner.replaced == []
    assert not bs.sync_trainer(runner, data, faster) and runner.sent == [("set_lr", 0.1)]
    runner.running = True
    noisier = replace(data, noise=0.3)  # new data while training: new weights, and training goes on
    assert bs.sync_trainer(runner, noisier, faster) and runner.args == (noisier, faster) and runner.started
    assert runner.factory is mr.build_trainer and runner.sent == [("set_lr", 0.1)]  # built with its η: nothing sent
    runner.running = runner.started = False
    wider = replace(faster, width=faster.width * 2)  # a new architecture while paused: new weights, still paused
    assert bs.sync_trainer(runner, noisier, wider) and runner.args == (noisier, wider) and not runner.started
    assert len(runner.replaced) == 2


def test_the_tiny_net_is_rebuilt_only_when_its_shape_or_seed_changes():
    state: dict = {}
    net = bs.tiny_net(state, 3, "tanh")
    assert state[bs.TINY_SHOWN] is False and state[bs.TINY_BEFORE] is None
    assert bs.tiny_net(state, 3, "tanh") is net
    fwd = tb.forward(net, 1.0, 0.5)
    grads = tb.backward(net, fwd)
    bs.show_backward(state)
    assert state[bs.TINY_SHOWN]
    bs.gradient_step(state, 1.0, fwd, grads)
    stepped = bs.tiny_net(state, 3, "tanh")
    assert stepped is not net and not state[bs.TINY_SHOWN]
    assert_allclose(stepped.w, net.w - tb.STEP_LR * grads.w)
    after = tb.forward(stepped, 1.0, 0.5).loss
    assert after < fwd.loss
    assert bs.step_note(state, 1.0, after) == f"One gradient step on this point took the loss from {fwd.loss:.4f} to {after:.4f}."
    assert bs.step_note(state, 2.0, after) is None  # another point: the note would be about a different loss
    bs.new_weights(state)
    fresh = bs.tiny_net(state, 3, "tanh")
    assert fresh is not stepped and state[bs.TINY_BEFORE] is None and state[bs.TINY_SEED] == 1
    assert bs.tiny_net(state, 4, "tanh").hidden == 4 and bs.tiny_net(state, 4, "ReLU").activation == "ReLU"
