"""Bayes' rule with sliders: joint vs conditional probability, independence, naive Bayes by hand."""

import numpy as np
import pandas as pd
import streamlit as st

from core import ui
from core.bayes import by_hand as nb
from core.bayes import settings as bs
from core.bayes import story as sy
from core.bayes.figures import icon_grid_figure, mosaic_figure

ui.lab_page("pages/1_Bayes_rule.py", "Bayes' rule: from the joint to the posterior")
ui.url_state(bs.CONTROLS)

st.markdown(
    "You see someone carrying an umbrella. Did it rain? The story gives the **prior** P(rain) and two "
    "**likelihoods**; the product rule builds the **joint** table; Bayes' rule reads the **posterior** "
    "back out of it."
)


@st.fragment
def umbrella_story() -> None:
    """The sliders and everything they drive: a slider reruns only this part, not the naive Bayes below."""
    left, right = st.columns([1, 2])
    with left:
        ui.control(st, bs.P_RAIN)
        ui.control(st, bs.P_UMBRELLA_GIVEN_RAIN)
        ui.control(st, bs.P_UMBRELLA_GIVEN_DRY, disabled=st.session_state[bs.INDEPENDENT.key])
        ui.control(st, bs.INDEPENDENT)

    story = bs.story_of(st.session_state)
    joint = sy.joint_table(story)
    p_r, p_u = sy.marginals(joint)
    post_u, post_no_u = sy.posteriors(story)
    mi = sy.mutual_information_bits(joint)

    with right:
        m = st.columns(4)
        m[0].metric("P(rain | umbrella)", ui.fmt(post_u), help="Undefined when P(umbrella) = 0.")
        m[1].metric("P(rain | no umbrella)", ui.fmt(post_no_u), help="Undefined when P(no umbrella) = 0.")
        m[2].metric("P(umbrella)", ui.fmt(p_u[0]))
        m[3].metric("Mutual information (bits)", f"{mi:.3f}", help="0 bits exactly when rain and umbrella are independent.")
        if ui.on_first_screen():
            return
        for value, event in ((post_u, "umbrella"), (post_no_u, "no umbrella")):
            if value is None:
                st.info(f"P({event}) = 0: nobody is ever seen with '{event}', so P(rain | {event}) is undefined. "
                        "You cannot condition on an event that never happens (division by zero).")
        st.markdown("**The joint table P(rain, umbrella)** with its marginals (sum rule: rows and columns add up)")
        st.dataframe(sy.with_marginals(joint).style.format("{:.3f}"), width="stretch")

    st.subheader("The two rules, with your numbers")
    st.latex(
        rf"P(\text{{rain}}, \text{{umbrella}}) = P(\text{{umbrella}} \mid \text{{rain}})\,P(\text{{rain}})"
        rf" = {story.likelihoods[0]:.2f} \times {p_r[0]:.2f} = {joint[0, 0]:.3f}"
    )
    if post_u is None:
        st.latex(r"P(\text{rain} \mid \text{umbrella}) = \frac{P(\text{rain}, \text{umbrella})}{P(\text{umbrella})}"
                 r" = \frac{0}{0}\ \text{(undefined)}")
    else:
        st.latex(
            r"P(\text{rain} \mid \text{umbrella}) = \frac{P(\text{rain}, \text{umbrella})}{P(\text{umbrella})}"
            rf" = \frac{{{joint[0, 0]:.3f}}}{{{joint[0, 0]:.3f} + {joint[1, 0]:.3f}}} = {post_u:.3f}"
        )
    if sy.independent(story, joint):
        st.success(
            f"Independent: every cell equals P(rain) × P(umbrella) (e.g. {p_r[0]:.2f} × {p_u[0]:.2f} = "
            f"{p_r[0] * p_u[0]:.3f}), and the posterior equals the prior: seeing the umbrella teaches nothing."
        )

    fig_l, fig_r = st.columns(2)
    with fig_l:
        st.markdown("**Area diagram**: each rectangle's area is a joint probability")
        ui.vega_lite_chart(st, mosaic_figure(joint), width="stretch", key="bayes.mosaic")
        ui.what_you_see("Width splits the square by P(rain); height by P(umbrella | weather). Seeing an umbrella "
                        "throws away everything outside the outlined cells; P(rain | umbrella) is the rain "
                        "share of what is left.")
    with fig_r:
        st.markdown("**100 days**: filled squares are days with an umbrella")
        ui.vega_lite_chart(st, icon_grid_figure(joint), key="bayes.icons", width="content")
        ui.what_you_see("The same numbers as counts. Count the filled squares: the blue share of them is "
                        "P(rain | umbrella).")

    ui.try_this([
        "Set P(rain) = 0.3, P(umbrella | rain) = 0.9, P(umbrella | no rain) = 0.2: P(rain | umbrella) = 0.659.",
        "Lower P(rain) to 0.05: even with an umbrella rain stays unlikely (base-rate neglect).",
        "Turn on independence: mutual information drops to 0 bits and P(rain | umbrella) equals P(rain).",
        "Set P(umbrella | rain) and P(umbrella | no rain) both to 0: P(rain | umbrella) becomes undefined.",
    ])
    ui.sync_url()


@st.fragment
def naive_bayes_by_hand() -> None:
    """The training table and the new day: editing them reruns only this part (none of it is in the URL)."""
    st.header("Naive Bayes by hand")
    st.markdown(
        "A generative classifier: learn P(y) and P(x | y) from the table, then turn them around with Bayes' "
        "rule. *Naive*: the features are assumed independent given the class, so P(x | y) is a product."
    )
    st.latex(r"P(y \mid x) = \frac{P(y)\,\prod_j \mathcal{N}(x_j;\ \mu_{j,y}, \sigma^2_{j,y})}"
             r"{\sum_{y'} P(y')\,\prod_j \mathcal{N}(x_j;\ \mu_{j,y'}, \sigma^2_{j,y'})}")
    edit_col, new_col = st.columns([3, 2])
    with edit_col:
        st.markdown("**Training days** (edit any cell, add or delete rows). h: humidity, grams of water per m³ "
                    "of air; T: the outdoor temperature; T_i: the indoor temperature, in a cellar, which does not "
                    "follow the weather.")
        edited = st.data_editor(nb.example_days(), num_rows="dynamic", key="bayes.table", width="stretch")
    with new_col:
        st.markdown("**A new day to classify**")
        x_new = np.array([ui.control(st, c, **c.initial()) for c in bs.NEW_DAY])

    check = nb.check_table(pd.DataFrame(edited))
    for message in check.errors:
        st.error(message)
    for message in check.warnings:
        st.warning(message)
    if not check.errors:
        steps = nb.naive_bayes_steps(check.X, check.y, x_new)
        st.markdown("**Every step** (per class: prior, one Gaussian likelihood per feature, product, joint, "
                    f"posterior). Label column: {nb.LABEL}.")
        st.dataframe(nb.steps_table(steps), width="stretch")
        sk = nb.gaussian_nb_posterior(check.X, check.y, x_new)
        c = st.columns(2)
        c[0].metric("P(rain | new day), by hand", ui.fmt(steps.posterior[-1]))
        c[1].metric("P(rain | new day), scikit-learn GaussianNB", ui.fmt(sk[-1]))
        ui.what_you_see("Both numbers agree: the table is exactly what GaussianNB computes. Likelihoods are "
                        "densities, so they can be larger than 1; only after normalisation are they probabilities.")
        ui.try_this([
            "Raise the new day's humidity h to 16: P(rain | new day) goes up towards 1.",
            "Change the new day's T_i: P(rain | new day) stays where it is. The cellar's temperatures are the "
            "same on rainy and dry days, so N(T_i) is the same for both classes and cancels in Bayes' rule.",
            "Delete every dry day (label 0): the page explains why naive Bayes cannot be fitted.",
            "Give every rainy day the same temperature: the zero-variance warning appears.",
        ])


umbrella_story()
ui.first_screen_end()
st.divider()
naive_bayes_by_hand()
