"""Home: what generative and discriminative models are, shown side by side on the same data."""

import numpy as np
import streamlit as st

from core import ui
from core.home import (
    discriminative_html,
    fit_discriminative,
    fit_generative,
    generative_html,
    make_home_data,
    sample_joint,
)
from core.style import get_style

ui.page("Generative vs discriminative models", "🧭",
        "Two ways to learn from labelled data: model how the data is made, or only where the classes split.")


@st.cache_data
def home_models():
    """The toy data and both fitted models (the same for every visitor)."""
    X, y = make_home_data()
    return X, y, fit_generative(X, y), fit_discriminative(X, y)


@st.cache_data(max_entries=32)
def generative_view(sample_seed: int, projector: bool = False) -> str:
    """The generative model's picture with 40 points sampled under this seed (the same for everyone; the
    last 32 seeds and modes kept, ~50 kB each)."""
    X, y, generative, _ = home_models()
    return generative_html(X, y, generative, sample_joint(generative, 40, np.random.default_rng(sample_seed)),
                           get_style(projector))


@st.cache_data
def discriminative_view(projector: bool = False) -> str:
    X, y, _, discriminative = home_models()
    return discriminative_html(X, y, discriminative, get_style(projector))


left, right = st.columns(2)
with left:
    st.subheader("Generative: learns P(x, y)")
    st.latex(r"P(x, y) = P(y)\,P(x \mid y)")
    st.markdown("so it can **sample**: draw y ~ P(y), then x ~ P(x | y).")
with right:
    st.subheader("Discriminative: learns P(y | x)")
    st.latex(r"P(y = 1 \mid x) = \sigma(w^\top x + b) \quad\text{or}\quad y = f(x)")
    st.markdown("so it can **separate**: which class is more likely at x.")

st.session_state.setdefault("home.sample_seed", 0)
if st.button("🎲 Sample again", key="home.sample", help="Draw new points from the generative model."):
    st.session_state["home.sample_seed"] += 1

left, right = st.columns(2)
with left:
    st.html(generative_view(st.session_state["home.sample_seed"], ui.projector_mode()))
    st.markdown("One Gaussian per class, P(x | y), drawn as rings; the **stars are new points the model "
                "made up** by sampling y from P(y) and then x from P(x | y). Press *Sample again* for more.")
with right:
    st.html(discriminative_view(ui.projector_mode()))
    st.markdown("Logistic regression only learns **P(y = 1 | x)** (the colour) and the line where it is ½; "
                "it has no P(x), so it can tell the classes apart but cannot make a single new point.")

ui.first_screen_end()
st.subheader("Model families and where to see them")
LINKS = {
    "naive Bayes": ("pages/1_Bayes_rule.py", "pages/2_Decision_boundaries.py"),
    "Gaussian mixtures": ("pages/2_Decision_boundaries.py",),
    "GANs": ("pages/4_GAN.py", "pages/3_Loss_surface.py"),
    "GPT-style language models": ("pages/6_Next_token.py",),
    "logistic regression": ("pages/2_Decision_boundaries.py", "pages/3_Loss_surface.py"),
    "support vector machines": ("pages/2_Decision_boundaries.py",),
    "decision trees": ("pages/2_Decision_boundaries.py", "pages/5_Backprop.py"),
    "random forests": ("pages/2_Decision_boundaries.py", "pages/5_Backprop.py"),
    "neural-net classifiers": ("pages/2_Decision_boundaries.py", "pages/5_Backprop.py"),
}
FAMILIES = {
    "Generative (learn P(x, y), can sample)": ("naive Bayes", "Gaussian mixtures", "GANs", "GPT-style language models"),
    "Discriminative (learn P(y | x) or y = f(x))": ("logistic regression", "support vector machines",
                                                    "decision trees", "random forests", "neural-net classifiers"),
}
cols = st.columns(2)
for col, (family, models) in zip(cols, FAMILIES.items(), strict=True):
    with col, st.container(border=True):
        st.markdown(f"**{family}**")
        for model in models:
            available = [p for p in LINKS[model] if (ui.ROOT / p).exists()]
            st.markdown(f"- {model}")
            for path in available:
                entry = ui.lab(path)
                st.page_link(path, label=f"{entry.label} lab", icon=entry.icon)

ui.try_this([
    "Press *Sample again*: the stars move, but they always follow the contours. A generative model is a "
    "recipe for data.",
    "Open the Bayes' rule lab to see P(x, y) = P(y) P(x | y) with numbers, then the decision-boundary lab "
    "for both families on the same data.",
])
