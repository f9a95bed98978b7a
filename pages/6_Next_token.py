"""Next-token prediction: a bigram model and a tiny transformer, trained live, finish the same sentence."""

import streamlit as st

from core import ui
from core.nexttoken import figures as figs
from core.nexttoken import gpt as tiny_gpt
from core.nexttoken import settings as ns
from core.nexttoken import texts
from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import MAX_BYTES, check_user_text, encode_prompt
from core.nexttoken.gpt import TrainSettings

ui.lab_page("pages/6_Next_token.py", "A language model is a chain of next-token classifiers")
ui.url_state(ns.CONTROLS)
ss = st.session_state


load_corpus, load_user_text = st.cache_data(max_entries=4)(ns.corpus_of_seed), st.cache_data(max_entries=4)(check_user_text)

st.markdown(texts.INTRO)
st.latex(texts.CHAIN_RULE)
ui.page_link("pages/1_Bayes_rule.py", "The product rule P(a, b) = P(b | a) P(a), on the Bayes page", icon="🎲")

st.header("1. The text")
src = st.columns([3, 2])
source = ui.control(src[0], ns.SOURCE, **ns.SOURCE.initial())
ui.control(src[1], ns.SEED, disabled=source == ns.OWN_TEXT)
text = load_corpus(ss[ns.SEED.key])
user_text = None  # the pasted text the transformer trains on, when it is accepted
if source == ns.OWN_TEXT:
    check = load_user_text(raw := st.text_area(f"Paste text (at most {MAX_BYTES // 1000} KB)", key="nexttoken.text"))
    ui.notes(ns.text_notes(check))
    if check.text is not None:
        text, user_text = check.text, raw
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**Sample of {text.source}** ({len(text.ids):,} tokens)")
    st.html(figs.corpus_sample_html(text.sentences, [text.vocab[i] for i in text.ids[:120]]))
with right:
    st.metric("Vocabulary size V", len(text.vocab))
    with st.expander("The vocabulary (most frequent first)"):
        st.write(", ".join(text.vocab))
if text.agreement:
    st.caption(texts.agreement_hidden(len(text.agreement)))
ui.first_screen_end()

st.header("2. The bigram model: count, then divide")
bigram = Bigram().fit(text.ids, len(text.vocab))
st.latex(figs.bigram_latex(bigram.alpha, len(text.vocab)))
ui.vega_lite_chart(st, figs.bigram_heatmap_figure(bigram.probs_, text.vocab), width="stretch", key="nexttoken.bigram")
ui.what_you_see(texts.BIGRAM_WHAT_YOU_SEE)

st.header("3. The transformer, trained live, and both models on your prompt")
arch = st.columns(3)
ui.control(arch[0], ns.LAYERS)
ui.control(arch[1], ns.HEADS)
config, settings = ns.config_of(ss, len(text.vocab)), TrainSettings()
job = ns.job_of(ss, user_text, settings)
# The transformer trains on the server's shared training pool; the page sends what it shows and draws snapshots.
runner = ui.trainer("nexttoken.runner", tiny_gpt.build_trainer, job, lab="next-token")
ns.sync_trainer(runner, job, tiny_gpt.build_trainer)  # a new text or architecture: a new model from step 0
arch[2].metric("Parameters", f"{tiny_gpt.n_params(config):,}")

c = st.columns([3, 2, 2])
for col, control in zip(c, (ns.PROMPT, ns.TEMPERATURE, ns.TOP_K), strict=True):
    ui.control(col, control)
T, k = ss[ns.TEMPERATURE.key], ss[ns.TOP_K.key]
st.latex(figs.temperature_latex(T, k))
prompt = encode_prompt(ss[ns.PROMPT.key], text)
ui.notes(ns.prompt_notes(prompt, config.block_size))

read, view = ns.view_of(ss, prompt, config)
runner.keep("set_view", view)  # the worker computes the bars, heatmaps and written-out attention for it
ui.live_buttons(runner, "nexttoken", lambda: runner.replace(tiny_gpt.build_trainer, job))
if runner.message:
    st.error(runner.message)
probe, bigram_agreement = ns.agreement_of(text, bigram)


def draw() -> None:
    """One tick: the newest snapshot the worker published, for this prompt."""
    snap = runner.snapshot
    if snap is None or snap.view != view:
        st.columns(4)[0].metric("Step", f"{snap.steps:,}" if snap else "0")
        st.caption("The transformer's numbers for this prompt are on their way from the training pool…")
        return
    ui.metric_row(ns.live_metrics(snap, probe is not None, settings.max_steps))
    bars = st.columns(2)
    specs = figs.both_bars_figures(bigram.next_probs(prompt.ids), snap.next_probs, text.vocab, prompt.ids, T, k,
                                   always=("is", "are") if probe else ())
    for col, spec, key in zip(bars, specs, ("nexttoken.bars_bigram", "nexttoken.bars_gpt"), strict=True):
        ui.vega_lite_chart(col, spec, key=key)
    curves = st.columns(2)
    ui.vega_lite_chart(curves[0], figs.loss_curve_figure(snap.losses, len(text.vocab), snap.loss_steps), key="nexttoken.loss")
    if probe:
        ui.vega_lite_chart(curves[1], figs.agreement_curve_figure(snap.agreement_steps, snap.agreement_history),
                                  key="nexttoken.agreement_curve")
    st.markdown("**Attention** over the prompt: one heatmap per head (columns) and layer (rows)")
    if snap.attention:
        ui.vega_lite_chart(st, figs.attention_figure(snap.attention, read), key="nexttoken.attention")
    if probe:
        with st.expander(f"The agreement test: {len(probe.contexts)} held-out contexts, P(is) and P(are)"):
            st.caption(texts.agreement_caption(snap.agreement))
            st.dataframe(figs.agreement_table(text.agreement, probe.probs(snap.agreement_probs), bigram_agreement),
                         hide_index=True)


ui.live_fragment(runner, draw, every=0.25)
ui.what_you_see(texts.LIVE_WHAT_YOU_SEE)

st.subheader("Attention, written out")
snap = runner.snapshot
if prompt.ids:  # one head, one query position, every number, from the same weights as the heatmaps
    ui.attention_picker(ns.ATTENTION, config.n_layer, config.n_head, read)
    if snap is not None and snap.view == view and snap.worked is not None:
        for line in figs.attention_latex(snap.worked, read):
            st.latex(line)
        st.caption(texts.worked_caption(snap.steps))
    else:
        st.caption(texts.WORKED_ON_ITS_WAY)

if st.button("Generate", key="nexttoken.generate", type="primary"):
    ns.press_generate(ss, runner, prompt, T, k, bigram.next_logprobs, text.fingerprint)


def generations() -> None:
    fingerprint, words, clicks, bigram_gen = ns.last_generation(ss)
    if fingerprint != text.fingerprint:
        return
    gpt_gen = ns.transformer_generation(runner.snapshot, clicks)
    if gpt_gen is None:
        runner.drawn()  # ask for the snapshot that carries it
    elif writing:
        st.rerun(scope="app")  # it arrived: draw it with the page, and stop asking
    for name, gen in (("Transformer", gpt_gen), ("Bigram", bigram_gen)):
        if gen is None:
            st.markdown(f"**{name}:** writing… (the server is busy; this appears at the next redraw)")
            continue
        st.markdown(ns.generation_markdown(name, words, text.decode([c.token for c in gen.choices])))
        st.dataframe(figs.generation_table(gen, text.vocab))
        st.caption(f"{len(gen.choices)} tokens, {ui.fmt(gen.ms_per_token, 2)} ms per token. {texts.GENERATION_CAPTION}")


writing = ns.writing(ss, text.fingerprint, runner.snapshot)
st.fragment(generations, run_every=1.0 if writing else None)()

ui.try_this(texts.TRY_THIS)
ui.sync_url()
