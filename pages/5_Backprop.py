"""Backpropagation: a small net learns y = f(x) while you watch, its backward pass by hand, sklearn beside it."""

import math

import streamlit as st

from core import ui
from core.backprop import by_hand as tb
from core.backprop import figures as bf
from core.backprop import mlp as mr
from core.backprop import settings as bs
from core.backprop.data import DataSettings, make_data, target

ui.lab_page("pages/5_Backprop.py", "Backpropagation: a network learns y = f(x) one gradient step at a time")
S = st.session_state
ui.url_state(bs.CONTROLS)


st.markdown("A discriminative model of regression learns only **y = f(x)**. The network starts from random weights; "
            "every step it runs forward, measures the loss, runs **backward** to get ∂L/∂w for every weight, and "
            "moves each weight a little downhill.")
st.latex(rf"L = \tfrac12\,(y - \hat y)^2 \qquad w \leftarrow w - \eta\,\frac{{\partial L}}{{\partial w}}"
         rf"\qquad \eta = {S[bs.LR.key]:g}")
controls, live = st.columns([1, 2], gap="large")
data_settings, net_settings = bs.read_settings(S)
data = make_data(data_settings)
# The network trains on the server's shared training pool, so drawing never stalls it and it never stalls a page.
runner = ui.trainer("backprop.runner", mr.build_trainer, data_settings, net_settings, lab="backprop")
bs.sync_trainer(runner, data_settings, net_settings)  # new data or architecture: new random weights; η kept in step
with controls:  # on a fresh tab's first screen only the live view: this column comes whole with the page
    if not ui.on_first_screen():
        ui.control(st, bs.FUNCTION)
        for pair in ((bs.NOISE, bs.N_POINTS), (bs.RANGE,), (bs.WIDTH, bs.DEPTH), (bs.ACTIVATION,), (bs.OPTIMIZER, bs.BATCH),
                     (bs.LR,)):
            for col, c in zip(st.columns(2) if len(pair) == 2 else (st,), pair, strict=True):
                ui.control(col, c)
        ui.live_buttons(runner, "backprop", lambda: runner.replace(mr.build_trainer, *bs.read_settings(S)))


def draw() -> None:
    snap: mr.Snapshot | None = runner.snapshot
    if runner.message:
        st.warning(runner.message)
    m = st.columns(3)
    if snap is None:
        m[0].metric("Step", "0")
        st.caption("Building the network on the server's training pool…")
        return
    m[0].metric("Step", f"{snap.steps:,}")
    m[1].metric("Train MSE", bf.format_mse(snap.train_mse), help=bf.MSE_HELP)
    m[2].metric("Test MSE", bf.format_mse(snap.test_mse),
                help=f"{bf.MSE_HELP} On held-out points from the same range and noise.")
    ui.vega_lite_chart(st, bf.fit_chart(data, snap.y_grid), width="stretch", key="backprop.fit")
    ui.vega_lite_chart(st, bf.progress_chart(bf.loss_chart(*snap.history), bf.gradient_chart(snap.gradient_rms)),
                       width="content", key="backprop.progress")


with live:
    ui.live_fragment(runner, draw, every=0.35)
ui.first_screen_end()
with live:
    ui.what_you_see("Dots are the training data, the dashed line the true f, the blue line the network; the shaded "
                    "band is the training range, outside it the network extrapolates. Below: train and test MSE per "
                    "step (log scale) and the size of the gradient reaching each weight matrix.")
ui.try_this([
    "Press Train with the defaults: within a few hundred steps the blue line lies on sin(x) and the train MSE "
    "settles near 0.01, the noise's variance (0.1²): no model can explain the noise.",
    "Activation sigmoid, depth 6, optimiser SGD, η = 0.1, then Step once: the gradient bars shrink about 10× per "
    "layer from W7 back to W1 (σ′ ≤ ¼). Train: the line stays flat, train MSE stuck at 0.50. With tanh it learns.",
    "Then keep sigmoid and depth 6 but switch to Adam, η = 0.01: Adam rescales every weight's step, and the fit comes.",
    "Activation ReLU: outside the shaded band the fit carries on in straight pieces (a ReLU net is piecewise linear) "
    "instead of turning back like sin; with tanh it bends and flattens out.",
    "Optimiser SGD, η = 3: the loss explodes within a few steps and training pauses with a message; set η = 0.1 and "
    "press Reset.",
    "Noise 0.5, 20 points, width 128, depth 3: after about 2,000 steps the train MSE is near 0 (on some machines "
    "it stalls near 0.05, one point left out) while the test MSE stays above 0.3: the net has memorised the noise "
    "(overfitting).",
])

st.divider()
st.header("One backward pass by hand")
st.markdown("The same mathematics on a net small enough to read: 1 input, one hidden layer, 1 output, activation "
            f"**{S[bs.ACTIVATION.key]}** (chosen above), and one training point (x, y = f(x)).")
c = st.columns([2, 2, 1, 1, 1])
hidden, x_point = ui.control(c[0], bs.TINY_HIDDEN), ui.control(c[1], bs.TINY_X)
net = bs.tiny_net(S, hidden, S[bs.ACTIVATION.key])
fwd = tb.forward(net, x_point, float(target(S[bs.FUNCTION.key], x_point)))
grads = tb.backward(net, fwd)
c[2].button("⬅ Backward", key="backprop.tiny.backward", type="primary", width="stretch", on_click=bs.show_backward,
            args=(S,))
c[3].button("⬇ Gradient step", key="backprop.tiny.descend", on_click=bs.gradient_step, args=(S, x_point, fwd, grads),
            width="stretch", help=f"w ← w − η ∂L/∂w on every weight, η = {tb.STEP_LR}.")
c[4].button("🎲 New weights", key="backprop.tiny.new", width="stretch", on_click=bs.new_weights, args=(S,))
shown = S[bs.TINY_SHOWN]
ui.vega_lite_chart(st, bf.network_figure(net, fwd, grads if shown else None), width="stretch", key="backprop.tiny_diagram")
if note := bs.step_note(S, x_point, fwd.loss):
    st.info(note)
if not shown:
    st.caption("The forward values are on the nodes. Press **Backward** to send ∂L/∂ŷ = ŷ − y back through the net.")
else:
    j = st.radio("Chain rule for the weight from x to hidden unit", range(1, hidden + 1), horizontal=True)
    st.latex(tb.chain_rule_latex(net, fwd, grads, j))
    st.latex(tb.update_latex(net, grads, j))
    check = tb.compare_with_autograd(net, fwd, grads)
    st.dataframe(check.table, width="stretch", hide_index=True)
    (st.success if check.agrees else st.error)(check.summary)
ui.what_you_see("Edge colour is the sign of ∂L/∂w (orange +, blue −) and its width the size: a gradient step moves "
                "each weight against its sign. A unit whose activation is flat (tanh or sigmoid saturated, ReLU "
                "with z < 0) passes almost no gradient back to its w and b.")

st.divider()
st.header("Against scikit-learn's regressors")
tree_depth = ui.control(st, bs.TREE_DEPTH)


@st.cache_data(max_entries=32)
def regressor_fits(settings: DataSettings, depth: int) -> list[bf.RegressorFit]:
    return bf.fit_regressors(make_data(settings), tree_depth=depth)


fits = regressor_fits(data_settings, tree_depth)
trained: mr.Snapshot | None = runner.snapshot
ui.vega_lite_chart(st, bf.comparison_figure(data, fits, trained.y_grid if trained else None), width="stretch",
                key="backprop.compare")
st.dataframe(bf.comparison_table(fits, *((trained.train_mse, trained.test_mse) if trained else (math.nan, math.nan)))
             .style.format(precision=4, na_rep="not built yet"), hide_index=True, width="stretch")
ui.what_you_see("The tree cuts x into at most 2^depth intervals and predicts a constant in each: a staircase. The "
                "forest averages many trees: a finer staircase. Linear regression is one straight line. Outside the "
                "shaded range the trees stay flat at their last value, while the network (as it was when the page last "
                "redrew: pause to update) carries on in straight pieces (ReLU) or bends and flattens (tanh, sigmoid). "
                "None of them follows sin beyond the data.")
ui.try_this([
    "Tree depth 1: two flat steps. Depth 12 with noise 0.3: the tree chases every noisy point (train MSE far below "
    "test MSE).",
    "Function step, tree depth 1: a single split near x = 0 already fits the jump.",
])
ui.sync_url()
