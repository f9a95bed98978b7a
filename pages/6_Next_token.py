"""Next-token prediction: a bigram model and a tiny transformer, trained live, finish the same sentence."""

import html

import streamlit as st

from core import ui
from core.nexttoken import figures as figs
from core.nexttoken import gpt as tiny_gpt
from core.nexttoken import settings as ns
from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import MAX_BYTES, CorpusSettings, check_user_text, corpus_text, encode_prompt
from core.nexttoken.gpt import AgreementProbe, TrainSettings, View
from core.nexttoken.sampling import tempered

ui.lab_page("pages/6_Next_token.py", "A language model is a chain of next-token classifiers")
ui.url_state(ns.CONTROLS)
ss = st.session_state


@st.cache_data(max_entries=4)
def load_corpus(seed: int):
    return corpus_text(CorpusSettings(seed=seed))


load_user_text = st.cache_data(max_entries=4)(check_user_text)

st.markdown("A language model is a **generative** model of text: it gives every sentence a probability and can "
            "write new ones. It is built from **discriminative** pieces: the product rule, applied again and "
            "again, turns the joint probability into a chain of next-token classifiers.")
st.latex(r"P(x_1, x_2, \dots, x_n) = P(x_1)\,P(x_2 \mid x_1) \cdots P(x_n \mid x_{<n})"
         r" = \prod_{t=1}^{n} P(x_t \mid x_{<t})")
ui.page_link("pages/1_Bayes_rule.py", "The product rule P(a, b) = P(b | a) P(a), on the Bayes page", icon="🎲")

st.header("1. The text")
src = st.columns([3, 2])
source = src[0].radio("Learn from", ["the generated weather corpus", "your own text"], horizontal=True,
                      key="nexttoken.source")
ui.control(src[1], ns.SEED, disabled=source == "your own text")
text = load_corpus(ss[ns.SEED.key])
user_text = None  # the pasted text the transformer trains on, when it is accepted
if source == "your own text":
    raw = st.text_area(f"Paste text (at most {MAX_BYTES // 1000} KB)", key="nexttoken.text")
    check = load_user_text(raw)
    for message in check.errors:
        st.error(message + " Until then the page uses the generated corpus.")
    for message in check.warnings:
        st.warning(message)
    if check.text is not None:
        text, user_text = check.text, raw
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**Sample of {text.source}** ({len(text.ids):,} tokens)")
    # Plain preformatted text: st.code would load a syntax highlighter (~1 s of a fresh page's first paint).
    sample = "\n".join(text.sentences[:8]) if text.sentences else " ".join(text.vocab[i] for i in text.ids[:120])
    st.html('<pre data-testid="corpus-sample" style="white-space:pre-wrap;font-size:0.85rem;margin:0;'
            f'padding:0.6rem 0.8rem;border-radius:0.5rem;background:rgba(128,128,128,0.1)">{html.escape(sample)}</pre>')
with right:
    st.metric("Vocabulary size V", len(text.vocab))
    with st.expander("The vocabulary (most frequent first)"):
        st.write(", ".join(text.vocab))
if text.agreement:
    st.caption("Hidden in the grammar: the verb agrees with a noun several words back (*the sky over the hills "
               "**is***, *the skies over the hills **are***). Some noun–preposition–place combinations are held "
               f"out of the corpus; their {len(text.agreement)} contexts make the agreement test below.")

st.header("2. The bigram model: count, then divide")
bigram = Bigram().fit(text.ids, len(text.vocab))
st.latex(rf"P(\text{{next}} = j \mid \text{{previous}} = i) = \frac{{c_{{ij}} + \alpha}}{{\sum_k c_{{ik}} + \alpha V}},"
         rf"\qquad \alpha = {bigram.alpha},\ V = {len(text.vocab)}")
ui.vega_lite_chart(st, figs.bigram_heatmap_figure(bigram.probs_, text.vocab), width="stretch", key="nexttoken.bigram")
ui.what_you_see("Each row is a probability distribution over the next token given the previous one, read off the "
                "counts c_ij (add-α smoothing gives unseen pairs a little mass). The row for *hills* is the same "
                "whichever noun came before it: a bigram cannot make the verb agree.")

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
st.latex(rf"P_T(x_t = j \mid x_{{<t}}) = \frac{{e^{{z_j / T}}}}{{\sum_k e^{{z_k / T}}}},\quad T = {T:.2f}"
         + (r"\ (\text{argmax})" if T == 0 else "") + (rf",\ \text{{top-}}k = {k}" if k else ""))
prompt = encode_prompt(ss[ns.PROMPT.key], text)
if prompt.unknown:
    st.warning(f"Not in the vocabulary: {', '.join(f'**{w}**' for w in prompt.unknown)}. "
               f"These words are {prompt.handling}; the models read: *{' '.join(prompt.words)}*.")
if prompt.empty:
    st.info("The prompt has no known word: both models show what starts a sentence (the context is only '.').")
if len(prompt.ids) > config.block_size:
    st.caption(f"The transformer reads the last {config.block_size} tokens; the bigram only the last one.")

read = prompt.words[-config.block_size:]
choice = ns.attention_choice(ss, "nexttoken.att", config.n_layer, config.n_head, read) if prompt.ids else None
view = View(tuple(int(i) for i in prompt.ids), choice)
runner.keep("set_view", view)  # the worker computes the bars, heatmaps and written-out attention for it
ui.live_buttons(runner, "nexttoken", lambda: runner.replace(tiny_gpt.build_trainer, job))
if runner.message:
    st.error(runner.message)
probe = AgreementProbe.from_text(text)
bigram_agreement = probe.probs(bigram.batch_next_probs(probe.contexts)) if probe else None


def draw() -> None:
    """One tick: the newest snapshot the worker published, for this prompt."""
    snap = runner.snapshot
    m = st.columns(4)
    if snap is None or snap.view != view:
        m[0].metric("Step", f"{snap.steps:,}" if snap else "0")
        st.caption("The transformer's numbers for this prompt are on their way from the training pool…")
        return
    m[0].metric("Step", f"{snap.steps:,}", help=f"Training pauses by itself after {settings.max_steps:,} steps.")
    m[1].metric("Loss (mean of the last 50 steps)", ui.fmt(snap.loss, undefined="not trained yet"))
    m[2].metric("Agreement (held-out)", f"{100 * snap.agreement:.0f} %" if probe else "n/a",
                help="Share of held-out contexts where P(correct verb) > P(wrong verb). The bigram scores 50 %."
                if probe else "The agreement test belongs to the generated corpus.")
    m[3].metric("Tokens/s", f"{snap.tokens_per_second:,.0f}", help="Training throughput: tokens per second of training.")
    bars = st.columns(2)
    always = ("is", "are") if probe else ()
    ui.vega_lite_chart(bars[0], figs.next_token_bars_figure(
        tempered(bigram.next_probs(prompt.ids), T, k), text.vocab, color=figs.BIGRAM_COLOR, always=always,
        title=f"Bigram: P(next | {text.vocab[prompt.ids[-1]] if prompt.ids else '∅'})"), key="nexttoken.bars_bigram")
    ui.vega_lite_chart(bars[1], figs.next_token_bars_figure(
        None if snap.next_probs is None else tempered(snap.next_probs, T, k), text.vocab, color=figs.GPT_COLOR,
        always=always, title="Transformer: P(next | the whole prompt)"), key="nexttoken.bars_gpt")
    curves = st.columns(2)
    ui.vega_lite_chart(curves[0], figs.loss_curve_figure(snap.losses, len(text.vocab), snap.loss_steps), key="nexttoken.loss")
    if probe:
        ui.vega_lite_chart(curves[1], figs.agreement_curve_figure(snap.agreement_steps, snap.agreement_history),
                                  key="nexttoken.agreement_curve")
    st.markdown("**Attention** over the prompt: one heatmap per head (columns) and layer (rows)")
    if snap.attention:
        ui.vega_lite_chart(st, figs.attention_figure(snap.attention, prompt.words[-config.block_size:]),
                           key="nexttoken.attention")
    if probe:
        with st.expander(f"The agreement test: {len(probe.contexts)} held-out contexts, P(is) and P(are)"):
            st.caption(f"Right when P(needed verb) > P(other verb). Transformer {100 * snap.agreement:.0f} %, "
                       "bigram 50 %: it gives both contexts of a pair the same row, so it is right for one of them.")
            st.dataframe(figs.agreement_table(text.agreement, probe.probs(snap.agreement_probs), bigram_agreement),
                         hide_index=True)


ui.live_fragment(runner, draw, every=0.25)
ui.what_you_see("Bars show the distribution a token is drawn from (after T and top-k). The bigram sees only the "
                "last word; the transformer attends to the whole prompt, so after a few seconds of training it "
                "puts *is* after a singular subject and *are* after a plural one, even for held-out combinations. "
                "Attention row t shows where position t looks; the mask makes the upper triangle empty.")

st.subheader("Attention, written out")
snap = runner.snapshot
if prompt.ids:  # one head, one query position, every number, from the same weights as the heatmaps
    ui.attention_picker("nexttoken.att", config.n_layer, config.n_head, read)
    if snap is not None and snap.view == view and snap.worked is not None:
        for line in figs.attention_latex(snap.worked, read):
            st.latex(line)
        st.caption(f"At step {snap.steps:,}, when the page last ran (Pause to read a fixed model). "
                   "q, k and v are this head's slices of the layer's input times its query, key and value weights; "
                   "the model's own wⱼ (the heatmap's row t) agree with the hand computation. o_t then goes, with the "
                   "other heads' outputs beside it, through the output projection.")
    else:
        st.caption("The written-out attention for this choice is on its way from the training pool; it appears "
                   "when the page next redraws.")

if st.button("Generate", key="nexttoken.generate", type="primary"):
    request = ns.generate_request(ss, prompt.ids, T, k)
    runner.send("generate", request)
    ns.bigram_generation(ss, request, bigram.next_logprobs, text.fingerprint, prompt.words)
    runner.wait(3.0)  # the transformer writes in the worker; a busy server shows it at the next redraw


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
        st.markdown(f"**{name}:** {' '.join(w for w in words if w != '.')} **"
                    f"{' '.join(text.decode([c.token for c in gen.choices]))}**")
        st.dataframe(figs.generation_table(gen, text.vocab))
        st.caption(f"{len(gen.choices)} tokens, {ui.fmt(gen.ms_per_token, 2)} ms per token. 'P model' is the "
                   "model's probability of the chosen token; 'P sampled' the probability it was drawn with.")


writing = ns.writing(ss, text.fingerprint, runner.snapshot)
st.fragment(generations, run_every=1.0 if writing else None)()

ui.try_this([
    "Before training, compare the bars for *the sky over the hills* and *the skies over the hills*: the bigram "
    "bars are identical (it sees only *hills*). Press Train: within 200 steps the transformer puts *is* first for "
    "one and *are* for the other, and Agreement climbs above 95 %.",
    "Watch the loss: it starts at ln V (≈ 4.3 nats, a uniform guess over 77 tokens) and settles near 1.1, the "
    "uncertainty the grammar itself leaves (which adjective, which place).",
    "After training, prompt *the skies over the hills*: in layer 1 one head's last row (*hills*) looks mostly "
    "at *skies*, four words back. That is how the transformer sees the subject.",
    "Under *Attention, written out*, pick that layer and head: the largest wⱼ sits under *skies*, and o_t is "
    "mostly that position's value vector vⱼ.",
    "Set the temperature to 0 (or top-k to 1): every bar chart collapses onto one token, and Generate writes the "
    "same continuation on every click.",
    "Raise the temperature to 2: the bars flatten and the chosen tokens' 'P sampled' values drop.",
    "Type *where the tornado is*: the page names *tornado* as unknown and drops it.",
])
ui.sync_url()
