"""The next-token page's settings (one control per widget), the job its transformer trains, and Generate's request.

Plain functions over a dict-like state (the page passes ``st.session_state``), so each is unit-tested without a
browser.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from core.controls import NUMBER, RADIO, SELECTBOX, Control
from core.nexttoken.corpus import CorpusSettings, Text, TextCheck, corpus_text
from core.nexttoken.gpt import AgreementProbe, GenerateRequest, GPTConfig, NextTokenJob, TrainSettings, View
from core.nexttoken.sampling import GenerateSettings, Generation, generate
from core.numbers import number

_J = NextTokenJob()

PROMPT = Control("nexttoken.prompt", "Prompt (the context)", "where the sky", max_chars=300)
TEMPERATURE = Control("nexttoken.temperature", "Temperature T", 1.0, 0.0, 2.0, 0.05)
TOP_K = Control("nexttoken.top_k", "Top-k (0 = all tokens)", 0, 0, 50)
LAYERS = Control("nexttoken.layers", "Layers", _J.n_layer, options=(1, 2), kind=SELECTBOX)
HEADS = Control("nexttoken.heads", "Attention heads", _J.n_head, options=(1, 2, 4), kind=SELECTBOX)
SEED = Control("nexttoken.seed", "Corpus seed (the grammar writes other sentences)", _J.corpus_seed, 0, 999,
               kind=NUMBER)
CONTROLS = (PROMPT, TEMPERATURE, TOP_K, LAYERS, HEADS, SEED)
"""Every widget whose value belongs in a share link."""
CORPUS, OWN_TEXT = "the generated weather corpus", "your own text"
SOURCE = Control("nexttoken.source", "Learn from", CORPUS, options=(CORPUS, OWN_TEXT), kind=RADIO, horizontal=True)
"""Where the text comes from: not in share links, as a pasted text is not either (drawn with ``Control.initial``)."""

ATTENTION = "nexttoken.att"
"""The key prefix of the attention picker's layer, head and query position."""
CLICKS, GENERATION = "nexttoken.clicks", "nexttoken.generation"
"""How many times Generate was pressed, and the last generation: (text fingerprint, prompt words, click, bigram's)."""


def config_of(state: Mapping[str, Any], vocab_size: int) -> GPTConfig:
    """The transformer's architecture from the widgets."""
    return GPTConfig(vocab_size, n_layer=state[LAYERS.key], n_head=state[HEADS.key])


def job_of(state: Mapping[str, Any], user_text: str | None, train: TrainSettings) -> NextTokenJob:
    """The job the worker trains: the corpus seed or your accepted text, the architecture, the training."""
    return NextTokenJob(corpus_seed=int(state[SEED.key]), user_text=user_text, n_layer=state[LAYERS.key],
                        n_head=state[HEADS.key], train=train)


def sync_trainer(runner: Any, job: NextTokenJob, build: Any) -> bool:
    """A new text or architecture: a new model from step 0 (``runner.replace(build, job)``); True if it was one."""
    if runner.args == (job,):
        return False
    runner.replace(build, job)
    return True


def generate_request(state: MutableMapping[str, Any], prompt: Sequence[int], temperature: float,
                     top_k: int) -> GenerateRequest:
    """One click of Generate: the transformer's request, numbered by the click and seeded by it (the bigram draws
    from another stream of the same seed)."""
    clicks = state[CLICKS] = state.get(CLICKS, 0) + 1
    seed = (int(state[SEED.key]), clicks)
    request = GenerateRequest(clicks, tuple(int(i) for i in prompt), GenerateSettings().n_tokens, temperature, top_k,
                              seed)
    return request


def bigram_generation(state: MutableMapping[str, Any], request: GenerateRequest, next_logprobs: Any,
                      fingerprint: Any, words: Sequence[str]) -> Generation:
    """The bigram's continuation for the same click (its own stream of the click's seed), kept in the state."""
    gen = generate(next_logprobs, list(request.prompt), request.n_tokens, temperature=request.temperature,
                   top_k=request.top_k, rng=np.random.default_rng([*request.seed, 1]))
    state[GENERATION] = (fingerprint, words, request.id, gen)
    return gen


def press_generate(state: MutableMapping[str, Any], runner: Any, prompt: Any, temperature: float, top_k: int,
                   next_logprobs: Any, fingerprint: Any) -> None:
    """Generate was pressed: the transformer's request goes to its worker, the bigram writes here at once, and the
    page waits a moment for the worker (a busy server shows the transformer's text at the next redraw)."""
    request = generate_request(state, prompt.ids, temperature, top_k)
    runner.send("generate", request)
    bigram_generation(state, request, next_logprobs, fingerprint, prompt.words)
    runner.wait(3.0)


def last_generation(state: Mapping[str, Any]) -> tuple[Any, Sequence[str], int, Generation | None]:
    """(text fingerprint, prompt words, click, bigram generation) of the last Generate, or (None, (), 0, None)."""
    return state.get(GENERATION, (None, (), 0, None))


def transformer_generation(snapshot: Any, clicks: int) -> Generation | None:
    """The transformer's continuation for Generate's click number ``clicks``, once a snapshot carries it."""
    latest = snapshot.generation if snapshot is not None else None
    return latest[1] if latest is not None and latest[0] == clicks else None


def writing(state: Mapping[str, Any], fingerprint: Any, snapshot: Any) -> bool:
    """True while the transformer still writes the last Generate for this text (the page then polls for it)."""
    last_fingerprint, _, clicks, _ = last_generation(state)
    return last_fingerprint == fingerprint and transformer_generation(snapshot, clicks) is None


def attention_choice(state: MutableMapping[str, Any], prefix: str, n_layer: int, n_head: int,
                     words: Sequence[str]) -> tuple[int, int, int]:
    """The layer, head and query position the attention picker shows, settled in ``state`` now (so the page can
    ask the trainer for them before the picker is drawn): a new prompt goes back to its last token; a layer, head
    or position the model or prompt no longer has falls back to the first layer and head, the last token."""
    T = len(words)
    fallback = {f"{prefix}.layer": (range(n_layer), 0), f"{prefix}.head": (range(n_head), 0),
                f"{prefix}.query": (range(T), T - 1)}
    if state.get(f"{prefix}.words") != list(words):  # a new prompt: back to its last token
        state.pop(f"{prefix}.query", None)
    state[f"{prefix}.words"] = list(words)
    for key, (options, default) in fallback.items():
        if state.get(key) not in options:
            state[key] = default
    return int(state[f"{prefix}.layer"]), int(state[f"{prefix}.head"]), int(state[f"{prefix}.query"])


def view_of(state: MutableMapping[str, Any], prompt: Any, config: GPTConfig) -> tuple[Sequence[str], View]:
    """The words the transformer reads (the prompt's last ``block_size``) and the view the worker computes for them:
    the prompt's ids and the attention choice, settled in ``state`` now (``attention_choice``; none without a prompt)."""
    read = prompt.words[-config.block_size:]
    choice = attention_choice(state, ATTENTION, config.n_layer, config.n_head, read) if prompt.ids else None
    return read, View(tuple(int(i) for i in prompt.ids), choice)


def agreement_of(text: Text, bigram: Any) -> tuple[AgreementProbe | None, Any]:
    """The text's held-out agreement test (None when it has none), and the bigram's P(is), P(are) on it."""
    probe = AgreementProbe.from_text(text)
    return probe, (probe.probs(bigram.batch_next_probs(probe.contexts)) if probe else None)


def generation_markdown(name: str, words: Sequence[str], continuation: Sequence[str]) -> str:
    """One model's line under Generate: the prompt (without its full stops), then what the model wrote, in bold."""
    return f"**{name}:** {' '.join(w for w in words if w != '.')} **{' '.join(continuation)}**"


def corpus_of_seed(seed: int) -> Text:
    """The generated corpus for a corpus seed."""
    return corpus_text(CorpusSettings(seed=seed))


def text_notes(check: TextCheck) -> list[tuple[str, str]]:
    """What the page says about pasted text as (kind, message): why it is refused, or what to know about it."""
    return ([("error", m + " Until then the page uses the generated corpus.") for m in check.errors]
            + [("warning", m) for m in check.warnings])


def prompt_notes(prompt: Any, block_size: int) -> list[tuple[str, str]]:
    """What the page says about the prompt as (kind, message), kind ``warning``, ``info`` or ``caption``: words not
    in the vocabulary, a prompt with no known word, a prompt longer than the transformer reads."""
    notes = []
    if prompt.unknown:
        notes.append(("warning", f"Not in the vocabulary: {', '.join(f'**{w}**' for w in prompt.unknown)}. "
                                 f"These words are {prompt.handling}; the models read: *{' '.join(prompt.words)}*."))
    if prompt.empty:
        notes.append(("info", "The prompt has no known word: both models show what starts a sentence (the context "
                              "is only '.')."))
    if len(prompt.ids) > block_size:
        notes.append(("caption", f"The transformer reads the last {block_size} tokens; the bigram only the last one."))
    return notes


def live_metrics(snap: Any, has_probe: bool, max_steps: int) -> list[tuple[str, str, str | None]]:
    """The four numbers over the live charts as (label, value, help), from the newest snapshot."""
    return [
        ("Step", f"{snap.steps:,}", f"Training pauses by itself after {max_steps:,} steps."),
        ("Loss (mean of the last 50 steps)", number(snap.loss, undefined="not trained yet"), None),
        ("Agreement (held-out)", f"{100 * snap.agreement:.0f} %" if has_probe else "n/a",
         "Share of held-out contexts where P(correct verb) > P(wrong verb). The bigram scores 50 %." if has_probe
         else "The agreement test belongs to the generated corpus."),
        ("Tokens/s", f"{snap.tokens_per_second:,.0f}", "Training throughput: tokens per second of training."),
    ]
