"""The backprop page's settings (one control per widget), its live trainer kept in step with them, and the session
state of its tiny net worked by hand.

Reading the widgets back, the rebuild-or-keep decision (``sync_trainer``) and the tiny net's five session keys are
plain functions over a dict-like state or a trainer handle (the page passes ``st.session_state`` and its
``TrainerHandle``), so they are unit-tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from core.backprop import by_hand as tb
from core.backprop import mlp as mr
from core.backprop.data import FUNCTIONS, DataSettings
from core.backprop.figures import DEFAULT_TREE_DEPTH
from core.backprop.mlp import MLPSettings
from core.controls import RADIO, SELECTBOX, Control

_D, _M = DataSettings(), MLPSettings()

FUNCTION = Control("backprop.function", "Function f(x)", _D.function, options=tuple(FUNCTIONS), kind=SELECTBOX)
NOISE = Control("backprop.noise", "Noise (std)", _D.noise, 0.0, 0.5, 0.05)
N_POINTS = Control("backprop.n_points", "Training points", _D.n_points, 10, 500, 10)
RANGE = Control("backprop.range", "x-range [−a·π, a·π]: a", _D.half_range_pi, 0.25, 2.0, 0.25)
WIDTH = Control("backprop.width", "Width (units per layer)", _M.width, 1, 128)
DEPTH = Control("backprop.depth", "Depth (hidden layers)", _M.depth, 1, 8)
ACTIVATION = Control("backprop.activation", "Activation", _M.activation, options=tuple(mr.ACTIVATIONS), kind=RADIO,
                     horizontal=True)
OPTIMIZER = Control("backprop.optimizer", "Optimiser", _M.optimizer, options=mr.OPTIMIZERS, kind=RADIO,
                    horizontal=True)
BATCH = Control("backprop.batch", "Batch size", "all", options=mr.BATCH_SIZES)
LR = Control("backprop.lr", "Learning rate η", _M.lr, options=mr.LEARNING_RATES)
TINY_HIDDEN = Control("backprop.tiny_hidden", "Hidden units", tb.DEFAULT_HIDDEN, 2, 4)
TINY_X = Control("backprop.tiny_x", "The point x", tb.DEFAULT_X, -3.0, 3.0, 0.1)
TREE_DEPTH = Control("backprop.tree_depth", "Decision tree: maximum depth", DEFAULT_TREE_DEPTH, 1, 12)
CONTROLS = (FUNCTION, NOISE, N_POINTS, RANGE, WIDTH, DEPTH, ACTIVATION, OPTIMIZER, LR, BATCH, TINY_HIDDEN, TINY_X,
            TREE_DEPTH)
"""Every widget whose value belongs in a share link."""


def read_settings(state: Mapping[str, Any]) -> tuple[DataSettings, MLPSettings]:
    """The data and network settings from the widgets (also used by the Reset callback)."""
    return (DataSettings(function=state[FUNCTION.key], noise=state[NOISE.key], n_points=state[N_POINTS.key],
                         half_range_pi=state[RANGE.key]),
            MLPSettings(width=state[WIDTH.key], depth=state[DEPTH.key], activation=state[ACTIVATION.key],
                        lr=state[LR.key], optimizer=state[OPTIMIZER.key], batch_size=mr.batch_size(state[BATCH.key])))


def sync_trainer(runner: Any, data_settings: DataSettings, net_settings: MLPSettings) -> bool:
    """Bring the live trainer in step with the widgets, once per page run; True if it was rebuilt.

    New data or a new architecture: new random weights (``runner.replace``), training again at once if it was; the
    learning rate goes to the running optimiser as it is (``runner.keep``)."""
    built_data, built_net = runner.args
    rebuilt = (built_data, built_net.architecture()) != (data_settings, net_settings.architecture())
    if rebuilt:
        was_running = runner.running
        runner.replace(mr.build_trainer, data_settings, net_settings)
        if was_running:
            runner.start()
    runner.keep("set_lr", net_settings.lr, runner.args[1].lr)  # η can change under a running optimiser
    return rebuilt


# -- the tiny net worked by hand ------------------------------------------------------------------------------------
TINY_SEED, TINY_KEY, TINY_NET = "backprop.tiny_seed", "backprop.tiny_key", "backprop.tiny_net"
TINY_SHOWN, TINY_BEFORE = "backprop.tiny_shown", "backprop.tiny_before"
"""The tiny net's seed, what it was built for, its weights, whether its backward pass is shown, and (x, loss) before
the last gradient step."""


def tiny_net(state: MutableMapping[str, Any], hidden: int, activation: str) -> tb.TinyNet:
    """This session's tiny net: a new one (forward values only, no gradient shown) when the hidden units, the
    activation or the seed changed, else the one the gradient steps have moved."""
    key = (hidden, activation, state.setdefault(TINY_SEED, 0))
    if state.get(TINY_KEY) != key:
        state[TINY_KEY], state[TINY_NET] = key, tb.init_tiny_net(*key)
        state[TINY_SHOWN], state[TINY_BEFORE] = False, None
    return state[TINY_NET]


def show_backward(state: MutableMapping[str, Any]) -> None:
    """Backward: show the gradients on the diagram."""
    state[TINY_SHOWN] = True


def gradient_step(state: MutableMapping[str, Any], x: float, fwd: tb.Forward, grads: tb.Gradients) -> None:
    """One step w ← w − η ∂L/∂w on every weight; remembers the loss before it (at x), hides the old gradients."""
    state[TINY_BEFORE] = (x, fwd.loss)
    state[TINY_NET], state[TINY_SHOWN] = tb.gradient_step(state[TINY_NET], grads, tb.STEP_LR), False


def new_weights(state: MutableMapping[str, Any]) -> None:
    """Another seed: new random weights at the next run."""
    state[TINY_SEED] = state.get(TINY_SEED, 0) + 1


def step_note(state: Mapping[str, Any], x: float, loss: float) -> str | None:
    """What the last gradient step did to the loss at this point (None when there was none, or at another x)."""
    before = state.get(TINY_BEFORE)
    if before is None or before[0] != x:
        return None
    return f"One gradient step on this point took the loss from {before[1]:.4f} to {loss:.4f}."
