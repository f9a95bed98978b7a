"""Loss surface: what cross-entropy punishes, its surface over (w, b), gradient descent on it, the GAN losses."""

import streamlit as st

from core import ui
from core.loss import descent, losses
from core.loss import figures as loss_figures
from core.loss import settings as ls
from core.loss import walk as wk

ui.lab_page("pages/3_Loss_surface.py", "Cross-entropy: a loss surface that gradient descent walks down")
ui.url_state(ls.CONTROLS)
S = st.session_state
wk.start(S)
surface_for = st.cache_data(descent.dataset_surface, max_entries=64)
optimum_for = st.cache_data(descent.dataset_optimum, max_entries=64)


@st.cache_data(max_entries=64)
def contour_background(name: str, l2: float, objective: str) -> str:
    """The contour map's picture (a JPEG data URI): it depends on the surface only."""
    return loss_figures.contour_background(surface_for(name, l2, objective))


@st.fragment
def per_example() -> None:
    """The ŷ slider, both BCE values and slopes, and the curves."""
    left, right = st.columns([1, 2])
    ui.control(left, ls.Y_HAT)
    y_hat = S[ls.Y_HAT.key]
    m = left.columns(2)
    m[0].metric("BCE (y=1): −ln ŷ", f"{float(losses.bce(1, y_hat)):.3f}", help="The label was 1 (it rained).")
    m[1].metric("BCE (y=0): −ln(1 − ŷ)", f"{float(losses.bce(0, y_hat)):.3f}", help="The label was 0 (dry).")
    if ui.on_first_screen():
        return
    left.latex(rf"\tfrac{{dL}}{{d\hat y}}\Big|_{{y=1}} = -\tfrac{{1}}{{\hat y}} = {float(losses.bce_grad(1, y_hat)):.2f}")
    left.latex(rf"\tfrac{{dL}}{{d\hat y}}\Big|_{{y=0}} = \tfrac{{1}}{{1-\hat y}} = {float(losses.bce_grad(0, y_hat)):.2f}")
    left.latex(rf"\tfrac12(1-\hat y)^2 = {float(losses.squared_error(1, y_hat)):.3f},\quad"
               rf"\tfrac12\hat y^2 = {float(losses.squared_error(0, y_hat)):.3f}")
    for col, chart, key in zip(right.columns(2), loss_figures.per_example_charts(y_hat), ("loss", "slope"), strict=True):
        ui.vega_lite_chart(col, chart, width="stretch", key=f"loss.per_example_{key}")
    ui.write_url([ls.Y_HAT.key])


def walk(was_playing: bool) -> None:
    """Settings, the path up to the current position, the numbers there, contour, data and surfaces."""
    ui.control_grid(ls.GRID, 4)
    name, objective, l2 = S[ls.DATA.key], S[ls.OBJECTIVE.key], S[ls.L2.key]
    data = descent.make_data(name)
    path = descent.descend(data.x, data.y, ls.descent_settings(S))
    n = path.steps_taken
    pos, rerun = wk.advance(S, n, was_playing)
    if rerun:
        st.rerun(scope="app")  # Play or Pause pressed, or Play reached the end: start or stop the timer
    b = st.columns([1, 1, 1, 3])
    b[0].button("⏭ Step", key="loss.step", on_click=wk.step, args=(S,), width="stretch", disabled=pos >= n)
    b[1].button("⏸ Pause" if S[wk.PLAYING] else "▶ Play", key="loss.play", on_click=wk.play, args=(S,), type="primary",
                width="stretch")
    b[2].button("↺ Reset", key="loss.reset", on_click=wk.reset, args=(S,), width="stretch")
    b[3].progress(pos / max(n, 1), text=f"Position along the path: step {pos} of {n}")
    (w, bias), (gw, gb) = path.params[pos], path.grad[pos]
    ui.metric_row(wk.readout(path, pos, objective))
    surfaces = {obj: surface_for(name, l2, obj) for obj in descent.OBJECTIVES}
    minima = {obj: optimum_for(name, l2, obj) for obj in descent.OBJECTIVES}
    ui.notes(wk.notes(path, pos, minima[objective]))
    left, right = st.columns(2)
    ui.vega_lite_chart(left, loss_figures.contour_chart(
        surfaces[objective], path, pos, minimum=minima[objective], z_title=f"mean {objective}", click_grid=9,
        background=contour_background(name, l2, objective)),
        width="content", key="loss.contour", on_select=lambda: wk.pick_start(S, S["loss.contour"]["selection"].get(loss_figures.START_SELECTION) or []), selection_mode=loss_figures.START_SELECTION)
    ui.vega_lite_chart(right, loss_figures.data_chart(data, w, bias), width="stretch", key="loss.data_fig")
    how = "GD" if S[ls.OPTIMIZER.key] == "GD" else f"{S[ls.OPTIMIZER.key]} rescales and accumulates the gradient"
    st.latex(rf"(w, b) \leftarrow (w, b) - \eta\,\nabla L = ({w:.2f},\ {bias:.2f}) - {S[ls.LR.key]:g}"
             rf" \times ({gw:.3f},\ {gb:.3f})\quad\text{{({how})}}")
    ui.control(st, ls.SURFACES)
    if not S[ls.SURFACES.key]:
        st.caption("The contour map above is the surface seen from straight above: colour is the height ln L, "
                   "each white line one height. Switch on the 3-D surfaces to see the BCE bowl and the MSE "
                   "plateaus from the side.")
    else:
        shown = wk.surface_position(S, pos)  # while playing, the slow 3-D surfaces catch up at the end
        for col, obj in zip(st.columns(2), descent.OBJECTIVES, strict=True):
            col.markdown(f"**Mean {obj} as a surface**" + (f" with the path to step {min(shown, n)}" if obj == objective else ""))
            ui.plotly_chart(col, loss_figures.surface_figure(surfaces[obj], path if obj == objective else None, shown,
                                                             minimum=minima[obj], z_title=f"mean {obj}"),
                            width="stretch", key=f"loss.surface_{obj}")
    ui.write_url([c.key for c in ls.DESCENT])


@st.fragment
def gan() -> None:
    """D(G(z)) slider, the gradients that reach the generator, and the loss curves."""
    left, right = st.columns([1, 3])
    ui.control(left, ls.GAN_D)
    mm, ns = losses.generator_logit_grads(S[ls.GAN_D.key])
    left.metric("Minimax: gradient to G", ui.fmt(float(mm)), help="∂/∂a ln(1 − σ(a)) = −D(G(z)), a = D's logit.")
    left.metric("Non-saturating: gradient to G", ui.fmt(float(ns)), help="∂/∂a (−ln σ(a)) = −(1 − D(G(z))).")
    left.metric("L_D at equilibrium (D = ½)", f"{losses.EQUILIBRIUM_D_LOSS:.3f}", help="−ln ½ − ln ½ = ln 4.")
    charts = loss_figures.gan_losses_charts(S[ls.GAN_D.key])
    for i, (col, chart) in enumerate(zip([*right.columns(2), *right.columns(2)], charts, strict=True)):
        ui.vega_lite_chart(col, chart, width="stretch", key=f"loss.gan_fig_{i}")
    ui.write_url([ls.GAN_D.key])


st.header("1 · What cross-entropy punishes")
st.latex(r"L(y, \hat y) = -\big[\,y \ln \hat y + (1 - y) \ln(1 - \hat y)\,\big]")
per_example()
ui.first_screen_end()
ui.what_you_see("Solid: cross-entropy; dotted: squared error. A confident wrong answer (ŷ near 0 when y = 1) "
                "costs BCE without bound and its slope grows like 1/ŷ; squared error never costs more than ½ "
                "and its slope stays below 1, so it barely pushes a model that is confidently wrong.")

st.header("2 · The surface over the weights, and gradient descent on it")
st.markdown("Thirty days of humidity x (standardised) and whether it rained, y. A logistic model "
            "ŷ = σ(w x + b) has two weights, so its mean loss is a surface over the (w, b) plane.")
st.latex(r"L(w, b) = \frac1n \sum_i -\big[y_i \ln \hat y_i + (1-y_i)\ln(1-\hat y_i)\big]"
         r" + \frac{\lambda}{2} w^2, \qquad \nabla L = \frac1n X^\top(\hat y - y) + (\lambda w,\ 0)")
st.fragment(walk, run_every=0.3 if S[wk.PLAYING] else None)(S[wk.PLAYING])
ui.what_you_see("The white arrow on the contour map points along −∇L, the steepest way down; the path follows "
                "it. On the right the model's curve σ(wx + b) sharpens as w grows. The BCE surface is a single "
                "bowl (convex); the MSE surface flattens into plateaus far from the minimum: it is not convex.")
ui.try_this([
    "Press ▶ Play with the defaults: the path walks into the valley and ∂L/∂w, ∂L/∂b reach 0.000.",
    "Set η to 30 (GD): the first step jumps off the plot and the page says the path diverged.",
    "Choose Momentum with η = 0.3: the loss goes up on some steps as momentum carries the path past the minimum.",
    "Set the loss to MSE: from the default start GD creeps along a plateau; even with 500 steps the loss stays "
    "above 0.25 and w < 0, while the MSE minimum (gold) is 0.07 at w ≈ 2.7.",
    "Choose the separable data with 200 steps and η = 3: w runs off the right edge with the loss still falling. "
    "Then set λ = 0.01: the path stops at a finite minimum near w = 3.7.",
])

st.header("3 · The same BCE in a GAN")
st.markdown("The discriminator D is a classifier: real samples x get y = 1, fakes G(z) get y = 0. The generator "
            "G wants D to call its fakes real: minimise ln(1 − D(G(z))) (minimax) or maximise ln D(G(z)) "
            "(non-saturating, used in practice).")
st.latex(r"L_D = -\ln D(x) - \ln\big(1 - D(G(z))\big), \qquad L_G^{\text{minimax}} = \ln\big(1 - D(G(z))\big),"
         r"\qquad L_G^{\text{NS}} = -\ln D(G(z))")
gan()
ui.page_link("pages/4_GAN.py", "Watch a GAN train in the live GAN lab", icon="🎭")
ui.what_you_see("Early in training D easily spots fakes, so D(G(z)) ≈ 0. There the minimax loss ln(1 − D(G(z))) "
                "is almost level (slope ≈ −1 against the non-saturating −1/D(G(z)), −50 at 0.02), and through D's "
                "sigmoid its gradient is −D(G(z)) ≈ 0: G learns almost nothing. The non-saturating loss gives "
                "≈ −1 there. At the equilibrium D = ½ and the discriminator's loss is ln 4 ≈ 1.386.")
ui.try_this([
    "Set D(G(z)) to 0.010: the minimax gradient reaching G is −0.010, the non-saturating one −0.990.",
    "Set D(G(z)) to 0.500: both generator gradients are −0.500, and L_D (dashed) is at its minimum ln 4.",
])
ui.sync_url()
