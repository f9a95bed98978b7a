"""Live GAN: a generator and a discriminator learn a distribution while you watch."""

import numpy as np
import streamlit as st

from core import ui
from core.gan import figures as fig
from core.gan import model as gan
from core.gan import settings as gs
from core.gan import targets as T

ui.lab_page("pages/4_GAN.py", "GANs: a generator learns to fool a discriminator")
ui.url_state(gs.ALL)
ss = st.session_state
gs.start(ss)
C = gs.CONTROLS


def load(values: dict) -> None:
    ss.update(values)


def on_click() -> None:
    gs.add_drawn(ss, ss["gan.canvas"].selection.points)


# Both models train on the server's shared training pool: the page only sends commands and draws snapshots.
runner = ui.trainer("gan.runner", gan.build_trainer, *gs.trainer_args(ss), lab="GAN")
if notice := gs.sync_trainer(ss, runner):
    st.info(notice)
now = gs.settings_from(ss)

st.markdown("Two networks play a game. The **discriminator** D is a *discriminative* model, a classifier for "
            "P(real | x). The **generator** G is a *generative* model: it turns noise z into new samples "
            "x = G(z). G never sees the data; all it learns comes through D's gradient.")
st.latex(r"\min_G \max_D\; V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\ln D(x)]"
         r" + \mathbb{E}_{z \sim \mathcal{N}(0, I)}[\ln(1 - D(G(z)))]")
ui.page_link("pages/3_Loss_surface.py", "ln D(x) and ln(1 − D(G(z))) as curves: the loss lab", "⛰️")
plane, digits_tab = st.tabs(["2-D and 1-D targets", "Digits (8×8 images)"])

with plane:
    c = st.columns([2, 2, 3])
    ui.control(c[0], C["gan.target"], on_change=lambda: load(gs.widget_values(gan.preset(gan.DEFAULT, ss["gan.target"]))))
    ui.control(c[1], C["gan.loss"])
    c[2].caption("Presets")
    for col, name in zip(c[2].columns(3), gan.PRESETS, strict=True):
        col.button(name, key=f"gan.preset.{name}", width="stretch",
                   on_click=load, args=(gs.widget_values(gan.preset(name, now.target)),))
    ui.control_grid([C[f"gan.{key}"] for key in ("lr_g", "lr_d", "batch_size", "d_steps")], 4)
    with st.expander("Architecture and optimiser (a change here starts a new model)"):
        if not ui.on_first_screen():  # folded away: its content can come with the whole page
            ui.control_grid([C[f"gan.{key}"] for key in ("latent_dim", "hidden", "depth", "activation", "optimizer",
                                                           "spectral_norm", "ema", "seed")], 4)
    if now.target == T.DRAWN:
        c = st.columns([3, 1])
        c[0].radio("Brush", T.BRUSHES, key=gs.BRUSH, horizontal=True, help="What one click adds.")
        c[1].button("Clear drawing", key="gan.clear", on_click=load, args=({gs.DRAWN: []},))
        ui.plotly_chart(st, fig.canvas_figure(np.array(ss[gs.DRAWN])), key="gan.canvas",
                        on_select=on_click, selection_mode="points", width="stretch")
        st.caption(f"Click to draw the distribution G should learn ({len(ss[gs.DRAWN])} points).")
    ui.lost_training_notice("gan", runner.running)  # behind replicas: its server restarted
    ui.live_buttons(runner, "gan", lambda: runner.replace(gan.build_trainer, *gs.trainer_args(ss)))
    ui.training_problem(runner)

    def draw_plane() -> None:
        snap = runner.snapshot
        if snap is None or snap.view is None:
            st.columns(5)[0].metric("Step", "0", help=gs.STEP_HELP)
            if snap is None:
                st.caption("Building the networks on the server's training pool…")
            return
        view, target = snap.view, snap.view.target
        ui.metric_row(gs.plane_readout(view, runner.rate), 5)
        left, right = st.columns([3, 2])
        if target.dim == 2:
            ui.vega_lite_chart(left, fig.plane_figure(view, target), key="gan.plane", width="content")
        else:
            ui.vega_lite_chart(left, fig.line_figure(view, target, *gs.densities_1d(view)), key="gan.plane", width="stretch")
        ui.vega_lite_chart(right, fig.losses_figure(view.history, view.loss), key="gan.losses", width="stretch")
        ui.vega_lite_chart(right, fig.d_means_figure(view.history, view.loss), key="gan.dmeans", width="stretch")

    ui.live_fragment(runner, draw_plane, every=0.2)
    ui.first_screen_end()
    for tex in gs.loss_formulas(now.loss, runner.snapshot):
        st.latex(tex)
    ui.what_you_see(
        "Green dots are real samples, purple dots are G(z) for one fixed batch of noise z. The background is "
        "D(x): green where D says *real*, purple where it says *fake*, white where it cannot tell (½). Arrows: "
        "−∇ₓ of G's loss at some generated samples, the way D's opinion pushes them. At the equilibrium "
        "p_G = p_data, D(x) = ½ everywhere and both losses sit on their dashed lines.")
    st.markdown(
        "**Mode collapse.** G is rewarded for *any* sample D calls real, not for covering every mode. So it can "
        "pile all its samples onto one mode; D learns that spot is fake, G hops to another mode, and round they "
        "go. *Modes covered* stays low while the purple cloud jumps around the ring.")
    ui.try_this([
        "Press ▶ Train on the ring of 8: within 2,000 steps *Modes covered* reaches 8 / 8 (on some seeds it stops "
        "at 7 / 8: one mode dropped) and most samples are high quality.",
        "Load the *mode collapse* preset and train: the purple samples bunch into one to three clumps that hop "
        "around the ring, and *Modes covered* stays far below 8 / 8 (mostly 1–4) for the first few thousand steps.",
        "Pick the grid of 25, load *best for grid of 25* and train for about 10,000 steps: usually 25 / 25 modes. "
        "Some runs lose most modes for thousands of steps first and find them again: change the seed to see.",
        "While training, set the G learning rate to 10: the run diverges, pauses itself and says why. Lower it "
        "and press ↺ Reset to recover.",
        "Choose the 1-D mixture: D(x) (dashed) flattens towards ½ where the purple and green curves agree, as "
        "in Goodfellow et al. (2014), Fig. 1.",
        "Choose *drawn by you*, pick the cloud brush, click a letter onto the canvas, then train.",
    ])

with digits_tab:
    st.markdown("The same game on scikit-learn's 1,797 handwritten 8×8 digits: **real images y = 1, fake images "
                "y = 0**. G turns 16 numbers of noise into 64 pixels.")
    ui.control(st, gs.DIGITS_LOSS, on_change=gs.reset_digits, args=(ss,))
    digits = ui.on_demand_trainer(gs.DIGITS, gan.digits_trainer, ss[gs.DIGITS_LOSS.key], lab="GAN digits",
                                  prefix="gan.digits")
    if digits is not None:
        ui.live_buttons(digits, "gan.digits", lambda: gs.reset_digits(ss))
        if digits.message:
            st.error(digits.message)

    def draw_digits() -> None:
        snap = digits.snapshot if digits is not None else None
        if snap is None:
            st.metric("Digits step", "0")
            st.caption("Building the networks on the server's training pool…" if digits is not None else
                       "Press ▶ Train (or ⏭ Step): the two networks are built on the server's training pool then.")
            return
        view = snap.view
        ui.metric_row(gs.digits_readout(view))
        c = st.columns(3)
        c[0].markdown("**Generated, y = 0** (the same z every frame)")
        ui.vega_lite_chart(c[0], fig.digits_figure(view.fake[:36]), key="gan.digits.fake")
        c[1].markdown("**Real, y = 1**")
        ui.vega_lite_chart(c[1], fig.digits_figure(view.real[:36]), key="gan.digits.real")
        ui.vega_lite_chart(c[2], fig.losses_figure(view.history, view.loss), key="gan.digits.losses", width="stretch")

    if digits is not None:
        ui.live_fragment(digits, draw_digits, every=0.3)
    else:
        draw_digits()
    ui.what_you_see("At first G's images are grey noise. Within a few hundred steps ink gathers into blobs, then "
                    "strokes, then shapes that look like digits, from the same z in every frame.")
ui.sync_url()
