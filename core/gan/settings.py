"""The GAN page's settings: one control per setting of ``GanSettings``, and what a change of them does to the trainer.

Reading the widgets back (``settings_from``), showing a preset (``widget_values``) and deciding between a new model
and an update of the running one (``sync_trainer``) are plain functions over a dict-like state (the page passes
``st.session_state``), so they are unit-tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from core.controls import NUMBER, SELECTBOX, Control
from core.gan import metrics, targets
from core.gan import model as gan
from core.numbers import number

_S = gan.GanSettings()
_IMMEDIATE = "Takes effect at once."


def _c(field: str, label: str, *range_: float, kind: str = "", options: tuple | None = None, help: str = "") -> Control:
    return Control(f"gan.{field}", label, getattr(_S, field), *range_, options=options, help=help, kind=kind)


CONTROLS: dict[str, Control] = {c.key: c for c in (
    _c("target", "Target distribution", options=targets.TARGETS, kind=SELECTBOX, help="Loads settings that work for it."),
    _c("loss", "Loss", options=gan.LOSSES, kind=SELECTBOX),
    _c("lr_g", "G learning rate", options=gan.LR_OPTIONS, help=_IMMEDIATE),
    _c("lr_d", "D learning rate", options=gan.LR_OPTIONS, help=_IMMEDIATE),
    _c("batch_size", "Batch size", options=gan.BATCH_OPTIONS),
    _c("d_steps", "D steps per G step", 1, gan.MAX_D_STEPS),
    _c("latent_dim", "Noise dimension (z)", options=gan.LATENT_OPTIONS),
    _c("hidden", "Hidden width", options=gan.HIDDEN_OPTIONS),
    _c("depth", "Hidden layers", 1, gan.MAX_DEPTH),
    _c("activation", "Activation", options=tuple(gan.ACTIVATIONS), kind=SELECTBOX),
    _c("optimizer", "Optimiser", options=gan.OPTIMIZERS, kind=SELECTBOX),
    _c("spectral_norm", "Spectral norm in D", help="Miyato et al. (2018): D stays 1-Lipschitz."),
    _c("ema", "Average G for pictures", help="Pictures and metrics use a moving average of G's weights (about the "
       "last 100 steps); training itself is unchanged."),
    _c("seed", "Seed", 0, gan.MAX_SEED, kind=NUMBER),
)}
"""The 2-D tab's shareable settings, keyed ``gan.<field of GanSettings>``."""
DIGITS_LOSS = Control("gan.digits.loss", "Loss", gan.NON_SATURATING, options=gan.LOSSES, kind=SELECTBOX)
"""The digits tab's loss (a change starts its model again)."""
ALL = (*CONTROLS.values(), DIGITS_LOSS)
"""Every widget whose value belongs in a share link."""

DRAWN, BRUSH, BUILT_DRAWING, REBUILT = "gan.drawn", "gan.brush", "gan.built_drawing", "gan.rebuilt"
PREFIX = "gan."
DIGITS = "gan.digits.runner"
"""The digits tab's trainer in the session state: built when the student first trains it (most of a class never does)."""


def start(state: MutableMapping[str, Any]) -> None:
    """A new session has drawn nothing yet, with the cloud brush."""
    state.setdefault(DRAWN, [])
    state.setdefault(BRUSH, "cloud")


def reset_digits(state: MutableMapping[str, Any]) -> None:
    """Reset, or a new loss, on the digits tab: new networks from step 0 (before the first Train there are none)."""
    if DIGITS in state:
        state[DIGITS].replace(gan.digits_trainer, state[DIGITS_LOSS.key])


def densities_1d(view: gan.GanView) -> tuple[np.ndarray, np.ndarray]:
    """On the 1-D view's grid: the target's density p(x), and G's samples' (a kernel density estimate)."""
    return targets.mixture_density_1d(view.grid_axis), metrics.density_1d(view.fake, view.grid_axis)


def field_of(c: Control) -> str:
    """The GanSettings field a 2-D tab control sets."""
    return c.key[len(PREFIX):]


def settings_from(values: Mapping[str, object], prefix: str = PREFIX) -> gan.GanSettings:
    """GanSettings from widget values keyed ``<prefix><field>`` (missing keys keep their defaults)."""
    given = {field_of(c): values[prefix + field_of(c)] for c in CONTROLS.values() if prefix + field_of(c) in values}
    return replace(gan.GanSettings(), **given)


def widget_values(settings: gan.GanSettings, prefix: str = PREFIX) -> dict[str, object]:
    """The widget values that show ``settings`` (for presets): the inverse of ``settings_from``."""
    return {prefix + field_of(c): getattr(settings, field_of(c)) for c in CONTROLS.values()}


def add_drawn(state: MutableMapping[str, Any], clicked: Sequence[Mapping[str, Any]]) -> None:
    """The canvas's click (its first selected point, ``{"x": .., "y": ..}``) stamped with the brush onto the drawing;
    the brush's randomness is seeded by how many points there are (the same clicks, the same drawing)."""
    drawn = np.array(state[DRAWN])
    for p in clicked[:1]:
        drawn = targets.add_points(drawn, p["x"], p["y"], state[BRUSH], np.random.default_rng(len(drawn)))
    state[DRAWN] = drawn.tolist()


def drawing_of(state: Mapping[str, Any]) -> str:
    """The drawn points as text when the target is your drawing (a new drawing is a new data set), else ''."""
    return str(state[DRAWN]) if settings_from(state).target == targets.DRAWN else ""


def trainer_args(state: Mapping[str, Any], settings: gan.GanSettings | None = None) -> tuple:
    """``build_trainer``'s arguments for the widgets' settings: the settings and the drawn points."""
    return settings or settings_from(state), np.array(state[DRAWN])


def sync_trainer(state: MutableMapping[str, Any], runner: Any) -> str | None:
    """Bring the 2-D trainer in step with the widgets, once per page run; the notice to show, if any.

    A change of the architecture (``needs_rebuild``) or of the drawing builds new networks from step 0 (the notice
    says which fields changed, until the new model has trained); learning rates, batch size, D steps, loss and the
    averaging go to the running model at once (``runner.keep``)."""
    drawing = drawing_of(state)
    state.setdefault(BUILT_DRAWING, drawing)
    now = settings_from(state)
    built = runner.had("update", runner.args[0])  # the settings the trainer has now
    if gan.needs_rebuild(built, now):
        runner.replace(gan.build_trainer, *trainer_args(state, now))
        state[REBUILT] = (f"Changed {', '.join(gan.changed_fields(built, now))}: that needs new networks, so "
                          "training starts again from step 0.")
    else:
        if runner.fresh and runner.steps > 0:
            state.pop(REBUILT, None)  # said once; the new model has trained since
        if state[BUILT_DRAWING] != drawing:
            runner.replace(gan.build_trainer, *trainer_args(state, now))  # a new drawing is a new data set
    runner.keep("update", now, runner.args[0])
    state[BUILT_DRAWING] = drawing
    return state.get(REBUILT)


Readout = list[tuple[str, str, str | None]]
STEP_HELP = "Training iterations: D steps, then a G step."


def plane_readout(view: gan.GanView, rate: float) -> Readout:
    """The numbers over the 2-D tab's charts as (label, value, help): the step, the mode coverage and sample quality
    (mixtures only), the KL divergence on a grid and the training speed."""
    target = view.target
    rows: Readout = [("Step", f"{view.step:,}", STEP_HELP)]
    if target.is_mixture:
        report = metrics.mode_report(view.fake, target.means, target.std)
        rows += [("Modes covered", report.text, "Modes with a high-quality sample nearest to them."),
                 ("High-quality samples", f"{100 * report.high_quality:.1f} %",
                  f"Share of {metrics.N_SAMPLES:,} generated samples within 3σ of their nearest mode.")]
    kl = metrics.kl_on_grid(view.real_metric, view.fake, target.lo, target.hi)
    return [*rows, ("KL(data ‖ G) on a grid", number(kl), "In nats; 0 when the two histograms agree."),
            ("Iterations / s", f"{rate:.0f}", None)]


def digits_readout(view: Any) -> Readout:
    """The digits tab's step and D's mean outputs on real and generated images after the last step."""
    last = view.history[-1] if len(view.history) else [None] * 5
    return [("Digits step", f"{view.step:,}", None), ("Mean D(real)", number(last[3], undefined="–"), None),
            ("Mean D(fake)", number(last[4], undefined="–"), None)]


def loss_formulas(loss: str, snap: gan.Snapshot | None) -> list[str]:
    """L_D and L_G of ``loss`` as LaTeX with their values after the snapshot's last step (``?`` before the first, or
    while there is no snapshot) and their values at the equilibrium."""
    values = snap.last[:2] if snap is not None else (float("nan"),) * 2
    return [rf"{formula} = {number(value, undefined='?')}\qquad(\text{{at the equilibrium: }} {eq:.3f})"
            for formula, value, eq in zip(gan.LOSS_LATEX[loss], values, gan.equilibrium(loss), strict=True)]
