"""The next-token page's settings, its trainer's job and Generate's request, on a plain dict."""

from __future__ import annotations

from types import SimpleNamespace

from core.nexttoken import gpt
from core.nexttoken import settings as ns
from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import check_user_text, corpus_text
from core.nexttoken.gpt import NextTokenJob, TrainSettings
from core.nexttoken.sampling import GenerateSettings
from tests.unit.fake_handle import FakeHandle
from tests.unit.page_state import defaults


def test_the_widget_defaults_make_the_default_job():
    state = defaults(ns.CONTROLS)
    assert ns.job_of(state, None, TrainSettings()) == NextTokenJob()
    config = ns.config_of(state | {ns.HEADS.key: 4}, 77)
    assert (config.vocab_size, config.n_layer, config.n_head) == (77, 2, 4)


def test_a_new_text_or_architecture_replaces_the_trainer():
    state = defaults(ns.CONTROLS)
    job = ns.job_of(state, None, TrainSettings())
    runner = FakeHandle(gpt.build_trainer, job)
    assert not ns.sync_trainer(runner, job, gpt.build_trainer) and runner.replaced == []
    pasted = ns.job_of(state, "the sky is blue .", TrainSettings())
    assert ns.sync_trainer(runner, pasted, gpt.build_trainer) and runner.args == (pasted,)
    deeper = ns.job_of(state | {ns.LAYERS.key: 1}, "the sky is blue .", TrainSettings())
    assert ns.sync_trainer(runner, deeper, gpt.build_trainer) and len(runner.replaced) == 2


def test_each_click_of_generate_is_numbered_and_seeded_and_the_bigram_is_kept():
    state = defaults(ns.CONTROLS) | {ns.SEED.key: 3}
    assert ns.last_generation(state) == (None, (), 0, None)
    first = ns.generate_request(state, [1, 2], 0.7, 5)
    second = ns.generate_request(state, [1, 2], 0.7, 5)
    assert (first.id, first.seed, second.id, second.seed) == (1, (3, 1), 2, (3, 2))
    assert first.prompt == (1, 2) and first.n_tokens == GenerateSettings().n_tokens
    assert (first.temperature, first.top_k) == (0.7, 5)
    text = corpus_text()
    bigram = Bigram().fit(text.ids, len(text.vocab))
    gen = ns.bigram_generation(state, second, bigram.next_logprobs, text.fingerprint, ["the", "sky"])
    assert len(gen.choices) == second.n_tokens
    assert ns.last_generation(state) == (text.fingerprint, ["the", "sky"], 2, gen)
    again = ns.bigram_generation({}, second, bigram.next_logprobs, text.fingerprint, ["the", "sky"])
    assert [c.token for c in again.choices] == [c.token for c in gen.choices]  # the same click, the same words


def test_the_page_polls_until_the_transformers_continuation_of_the_last_click_arrives():
    from types import SimpleNamespace

    state = {ns.GENERATION: ("fp", ["the"], 2, None)}
    assert ns.writing(state, "fp", None)  # no snapshot yet
    assert ns.writing(state, "fp", SimpleNamespace(generation=(1, "older")))  # an older click's
    assert ns.transformer_generation(SimpleNamespace(generation=(2, "words")), 2) == "words"
    assert not ns.writing(state, "fp", SimpleNamespace(generation=(2, "words")))
    assert not ns.writing(state, "other text", None) and not ns.writing({}, "fp", None)


def test_the_attention_choice_follows_the_prompt_and_falls_back_to_what_the_model_has():
    state: dict = {}
    assert ns.attention_choice(state, "a", 2, 2, ["the", "sky", "is"]) == (0, 0, 2)  # the last token first
    state.update({"a.layer": 1, "a.head": 1, "a.query": 0})
    assert ns.attention_choice(state, "a", 2, 2, ["the", "sky", "is"]) == (1, 1, 0)  # a choice is kept
    assert ns.attention_choice(state, "a", 2, 2, ["the", "skies", "are"]) == (1, 1, 2)  # new prompt: last token
    assert ns.attention_choice(state, "a", 1, 1, ["the", "skies", "are"]) == (0, 0, 2)  # a smaller model
    state["a.query"] = 2
    assert ns.attention_choice(state, "a", 1, 1, ["the"]) == (0, 0, 0)


def test_the_prompt_notes_name_unknown_words_an_empty_context_and_a_cut():
    from core.nexttoken.corpus import encode_prompt

    text = corpus_text()
    assert ns.prompt_notes(encode_prompt("where the sky", text), 16) == []
    unknown = ns.prompt_notes(encode_prompt("where the tornado is", text), 16)
    assert [k for k, _ in unknown] == ["warning"] and "**tornado**" in unknown[0][1]
    assert "where the is*" in unknown[0][1]  # what the models read, the unknown word dropped
    assert [k for k, _ in ns.prompt_notes(encode_prompt("tornado", text), 16)] == ["warning", "info"]
    long = encode_prompt(" ".join(["the sky is"] * 7), text)
    assert ns.prompt_notes(long, 16) == [("caption", "The transformer reads the last 16 tokens; the bigram only the "
                                                     "last one.")]


def test_pasted_text_is_refused_with_its_reason_and_the_page_falls_back():
    from core.nexttoken.corpus import check_user_text

    assert ns.text_notes(check_user_text("")) == [
        ("error", "Paste some text first: the box is empty. Until then the page uses the generated corpus.")]
    assert ns.corpus_of_seed(3).fingerprint == corpus_text(ns.CorpusSettings(seed=3)).fingerprint


def test_the_live_metrics_read_the_snapshot_and_never_show_nan():
    from types import SimpleNamespace

    snap = SimpleNamespace(steps=1234, loss=float("nan"), agreement=0.875, tokens_per_second=5120.4)
    labels = [m[0] for m in ns.live_metrics(snap, True, 3000)]
    assert labels == ["Step", "Loss (mean of the last 50 steps)", "Agreement (held-out)", "Tokens/s"]
    values = [m[1] for m in ns.live_metrics(snap, True, 3000)]
    assert values == ["1,234", "not trained yet", "88 %", "5,120"]
    assert ns.live_metrics(snap, False, 3000)[2][1] == "n/a"
    assert "3,000" in ns.live_metrics(snap, True, 3000)[0][2]


def test_generate_sends_the_request_writes_the_bigram_and_waits_a_bounded_time():
    from core.nexttoken.corpus import encode_prompt

    text = corpus_text()
    bigram = Bigram().fit(text.ids, len(text.vocab))
    state = defaults(ns.CONTROLS)
    runner = FakeHandle(gpt.build_trainer, ns.job_of(state, None, TrainSettings()))
    prompt = encode_prompt("where the sky", text)
    ns.press_generate(state, runner, prompt, 0.5, 3, bigram.next_logprobs, text.fingerprint)
    (name, request), = runner.sent
    assert name == "generate" and request.prompt == tuple(prompt.ids) and (request.temperature, request.top_k) == (0.5, 3)
    fingerprint, words, click, gen = ns.last_generation(state)
    assert (fingerprint, words, click) == (text.fingerprint, prompt.words, 1) and len(gen.choices) == request.n_tokens
    assert runner.waits == [3.0]


def test_the_view_reads_the_prompts_last_block_and_settles_the_attention_choice():
    from core.nexttoken.corpus import encode_prompt

    text = corpus_text()
    config = ns.config_of(defaults(ns.CONTROLS), len(text.vocab))
    state: dict = {}
    prompt = encode_prompt("where the sky", text)
    read, view = ns.view_of(state, prompt, config)
    assert list(read) == list(prompt.words) and view.prompt == tuple(prompt.ids)
    assert view.attention == (0, 0, len(read) - 1) == ns.attention_choice(state, ns.ATTENTION, 2, 2, read)
    long = encode_prompt(" ".join(["the sky is blue ."] * 10), text)
    read, view = ns.view_of(state, long, config)
    assert list(read) == list(long.words[-config.block_size:]) and view.attention[2] == config.block_size - 1
    read, view = ns.view_of({}, SimpleNamespace(ids=(), words=()), config)  # a text without "." and no known word
    assert view == gpt.View((), None)  # no prompt: nothing to write out


def test_the_agreement_test_and_the_bigrams_answers_on_it_only_for_a_text_that_has_one():
    text = corpus_text()
    bigram = Bigram().fit(text.ids, len(text.vocab))
    probe, answers = ns.agreement_of(text, bigram)
    assert probe is not None and len(probe.contexts) == len(text.agreement)
    for got, expected in zip(answers, probe.probs(bigram.batch_next_probs(probe.contexts)), strict=True):
        assert (got == expected).all()
    pasted = check_user_text("the sky is blue . the sea is green . " * 20).text
    assert ns.agreement_of(pasted, Bigram().fit(pasted.ids, len(pasted.vocab))) == (None, None)


def test_a_generation_line_shows_the_prompt_without_full_stops_and_the_continuation_in_bold():
    assert ns.generation_markdown("Bigram", [".", "where", "the", "sky"], ["is", "blue"]) == (
        "**Bigram:** where the sky **is blue**")
