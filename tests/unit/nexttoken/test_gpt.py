"""The tiny transformer: causal mask, shapes, parameter count, training, agreement, attention, live figures."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from torch.nn import functional as F

from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import CorpusSettings, corpus_text, encode_prompt
from core.nexttoken.figures import (
    agreement_curve_figure,
    agreement_table,
    attention_figure,
    loss_curve_figure,
)
from core.nexttoken.gpt import (
    GPT,
    AgreementProbe,
    GenerateRequest,
    GPTConfig,
    GPTTrainer,
    NextTokenJob,
    TrainSettings,
    View,
    attention_written_out,
    build_trainer,
    n_params,
    snapshot,
)
from core.nexttoken.sampling import generate


@pytest.fixture(scope="module")
def text():
    return corpus_text()


TRAINED_STEPS = 300
"""Measured (training seeds 0-5 and corpus seeds 0-3, on the default, AVX2 and AVX-512 kernels): agreement
first reaches 95 % at step 70-140 and is 100 % at steps 200, 400, 600 and 800 in every run."""


@pytest.fixture(scope="module")
def trained(text):
    """The page's default model after a fixed number of steps (the same on any machine)."""
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings())
    every_loss = []
    for _ in range(TRAINED_STEPS):
        trainer.step()
        every_loss.append(trainer.recent[-1])
    trainer.every_loss = every_loss  # each step's own loss, to check the bounded history against
    return trainer


@pytest.fixture(scope="module")
def seeded_runs():
    """The page's model trained with other training seeds (corpus seed 0) and on other corpus seeds (the
    page's corpus-seed widget, training seed 0): (text, trainer) after TRAINED_STEPS steps each."""
    runs = []
    for train_seed, corpus_seed in ((1, 0), (2, 0), (0, 1), (0, 2)):
        text = corpus_text(CorpusSettings(seed=corpus_seed))
        trainer = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings(seed=train_seed))
        for _ in range(TRAINED_STEPS):
            trainer.step()
        runs.append((train_seed, corpus_seed, text, trainer))
    return runs


def layer_one_look_back(text, trainer) -> float:
    """The largest weight a layer-1 head's row of "hills" puts on "skies" in *the skies over the hills*."""
    words = encode_prompt("the skies over the hills", text)
    assert words.words[2] == "skies"
    return float(trainer.model.attention(words.ids)[0][:, -1, 2].max())  # layer 1: (n_head, T, T)


def test_one_torch_thread():
    assert torch.get_num_threads() == 1


def test_causal_mask_later_tokens_do_not_change_earlier_logits():
    config = GPTConfig(vocab_size=20, block_size=12, n_layer=2, n_head=2)
    model = GPT(config, seed=1)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(20, (3, 12), generator=g)
    t = 5
    y = x.clone()
    y[:, t:] = torch.randint(20, (3, 12 - t), generator=g)
    with torch.no_grad():
        lx, ly = model(x), model(y)
    assert_allclose(lx[:, :t].numpy(), ly[:, :t].numpy(), atol=1e-6)
    assert not np.allclose(lx[:, t:].numpy(), ly[:, t:].numpy(), atol=1e-4)  # the later ones do change


def test_shapes_and_attention_rows(text):
    config = GPTConfig(len(text.vocab), n_layer=2, n_head=4)
    model = GPT(config)
    idx = torch.zeros((2, 7), dtype=torch.long)
    logits, atts = model(idx, with_attention=True)
    assert logits.shape == (2, 7, len(text.vocab))
    assert [a.shape for a in atts] == [(2, 4, 7, 7)] * 2
    for a in atts:
        assert_allclose(a.sum(-1).detach().numpy(), 1.0, atol=1e-6)
        assert torch.all(torch.triu(a, diagonal=1) == 0)


def test_parameter_count_is_a_few_tens_of_thousands(text):
    V, C, L, T = len(text.vocab), 32, 2, 16
    model = GPT(GPTConfig(V, block_size=T, n_layer=L, n_embd=C))
    per_block = 12 * C * C + 13 * C  # two LayerNorms, qkv + projection, 4x MLP, with biases
    assert model.n_params() == V * C + T * C + L * per_block + 2 * C  # head tied to the embedding
    assert 10_000 < model.n_params() < 100_000


def test_initial_loss_is_a_uniform_guess(text):
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)))
    trainer.step()
    assert trainer.losses[0] == pytest.approx(math.log(len(text.vocab)), abs=0.05)


def test_batched_probabilities_match_one_context_at_a_time(text):
    model = GPT(GPTConfig(len(text.vocab)), seed=3)
    contexts = [encode_prompt(p, text).ids for p in ("the sky", "where the clouds over the sea", "it")]
    batched = model.batch_next_probs(contexts)
    for row, c in zip(batched, contexts, strict=True):
        assert_allclose(row, np.exp(model.next_logprobs(c)), atol=1e-6)
    assert_allclose(batched.sum(axis=1), 1.0, atol=1e-9)
    long = list(range(10)) * 3  # longer than block_size: only the last 16 tokens count
    assert_allclose(model.next_logprobs(long), model.next_logprobs(long[-16:]), atol=1e-6)


def test_cross_entropy_matches_a_float64_reference(text):
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings(seed=5))
    x, y = trainer.batch()
    assert torch.equal(x[:, 1:], y[:, :-1])  # y is x shifted by one
    with torch.no_grad():
        logits = trainer.model(x).double()
    manual = -(torch.log_softmax(logits, -1).gather(-1, y[..., None])).mean()
    assert_allclose(float(F.cross_entropy(logits.view(-1, logits.size(-1)), y.reshape(-1))), float(manual),
                    rtol=1e-12)


@pytest.mark.trains
def test_training_is_seeded_and_lowers_the_loss(text):
    a = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings(seed=2))
    b = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings(seed=2))
    for _ in range(30):
        a.step()
        b.step()
    assert a.losses == b.losses
    assert np.mean(a.losses[-5:]) < a.losses[0] - 1.0
    assert a.tokens_per_second > 0 and a.tokens_seen == 30 * 32 * 16


def verb_margins(text, trainer) -> list[float]:
    """P(right verb) − P(wrong verb) after *the sky over the hills* (is) and *the skies over the hills* (are)."""
    is_, are = text.stoi["is"], text.stoi["are"]
    margins = []
    for prompt, verb, other in (("the sky over the hills", is_, are), ("the skies over the hills", are, is_)):
        p = np.exp(trainer.model.next_logprobs(encode_prompt(prompt, text).ids))
        assert p[verb] > 0.5 > p[other], (prompt, p[verb], p[other])
        margins.append(float(p[verb] - p[other]))
    return margins


@pytest.mark.trains
def test_transformer_learns_the_agreement_the_bigram_cannot(text, trained, seeded_runs):
    """The page: "within 200 steps the transformer puts *is* first for one and *are* for the other, and
    Agreement climbs above 95 %". Measured at step 200: P(right) − P(wrong) ≥ 0.79 in all nine runs."""
    assert trained.agreement() >= 0.95
    assert trained.agreement_history and trained.agreement_steps[-1] % trained.settings.eval_every == 0
    assert min(verb_margins(text, trained)) > 0.3
    for train_seed, corpus_seed, other_text, trainer in seeded_runs:
        assert trainer.agreement() >= 0.95, (train_seed, corpus_seed)
        assert min(verb_margins(other_text, trainer)) > 0.3, (train_seed, corpus_seed)
    bigram = Bigram().fit(text.ids, len(text.vocab))
    assert_allclose(bigram.next_probs(encode_prompt("the sky over the hills", text).ids),
                    bigram.next_probs(encode_prompt("the skies over the hills", text).ids))


@pytest.mark.trains
def test_a_layer_one_head_looks_back_at_the_subject(text, trained, seeded_runs):
    """The page's "try this": the row of "hills" in one layer-1 head puts most weight on "skies".

    Measured at steps 200-800: the page's training seed 0 does so on corpus seeds 0-3 (0.55-0.96) and
    training seeds 1-4 do too (0.63-1.00), while training seed 5 solves the agreement another way (≤ 0.12).
    So the test checks the page's training seed on several corpora, and training seeds 1 and 2."""
    assert layer_one_look_back(text, trained) > 0.5
    page_seed = [layer_one_look_back(t, tr) for s, _, t, tr in seeded_runs if s == 0]
    other_seeds = [layer_one_look_back(t, tr) for s, _, t, tr in seeded_runs if s != 0]
    assert min(page_seed) > 0.5, page_seed
    assert min(other_seeds) > 0.5, other_seeds


def test_divergence_is_reported(text):
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)))
    assert trainer.diverged() is None
    with torch.no_grad():
        trainer.model.wte.weight[:] = float("nan")
    trainer.step()
    message = trainer.diverged()
    assert message is not None and "nan" in message and "Reset" in message


def test_done_after_max_steps(text):
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings(max_steps=3))
    for _ in range(3):
        assert not trainer.done()
        trainer.step()
    assert trainer.done()


def test_snapshot_has_what_the_page_draws(text, trained):
    prompt = encode_prompt("the skies over the hills", text)
    snap = snapshot(trained, prompt.ids)
    assert snap.steps == trained.steps and snap.loss_steps[-1] == trained.steps
    # The loss history is bounded, and its entries are means over the steps each stands for.
    assert len(snap.losses) <= trained.settings.history + 1 < trained.steps
    widths = np.diff(np.concatenate([[0], snap.loss_steps]))
    assert widths.sum() == trained.steps
    assert_allclose((snap.losses * widths).sum() / trained.steps, np.mean(trained.every_loss), rtol=1e-5)
    assert snap.loss == pytest.approx(np.mean(trained.every_loss[-50:]))
    assert snap.agreement == pytest.approx(trained.agreement())
    assert snap.agreement_steps[-1] == trained.steps and snap.agreement_history[-1] == pytest.approx(snap.agreement)
    assert list(snap.agreement_steps[: len(trained.agreement_steps)]) == trained.agreement_steps
    assert_allclose(snap.next_probs, np.exp(trained.model.next_logprobs(prompt.ids)), atol=1e-6)
    assert [a.shape for a in snap.attention] == [(2, 6, 6)] * 2
    assert snap.agreement_probs.shape == (len(text.agreement), len(text.vocab))
    assert snapshot(trained, ()).next_probs is None


def test_user_text_has_no_agreement_probe():
    from core.nexttoken.corpus import check_user_text

    text = check_user_text("the rain falls on the plain and the wind blows over the hill . " * 6).text
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)))
    assert AgreementProbe.from_text(text) is None and math.isnan(trainer.agreement())
    trainer.step()
    snap = snapshot(trainer, encode_prompt("the rain", text).ids)
    assert math.isnan(snap.agreement) and snap.agreement_probs.shape[0] == 0


def test_live_figures(text, trained):
    prompt = encode_prompt("the skies over the hills", text)
    snap = snapshot(trained, prompt.ids)
    att = attention_figure(snap.attention, prompt.words)
    df = att["data"]["values"]
    assert len(df) == 2 * 2 * 6 * 6
    assert_allclose(df.groupby(["layer", "head", "query"])["weight"].sum(), 1.0, atol=1e-5)
    assert att["spec"]["encoding"]["x"]["sort"][2] == "2:skies"
    loss = loss_curve_figure(np.arange(1000, dtype=np.float32), len(text.vocab))
    curve, reference = loss["datasets"]["curve"], loss["datasets"]["reference"]
    assert len(curve) == 300 and curve["step"].iloc[-1] == 1000
    assert_allclose(curve["loss"].mean(), np.arange(1000).mean(), rtol=1e-3)  # bucket means keep the mean
    # A bounded history's entries stand for several steps each: the curve weighs them by their steps.
    ends = np.concatenate([np.arange(1, 201), np.arange(202, 1001, 2)])  # 200 single steps, then pairs
    means = np.concatenate([np.arange(200), np.arange(200.5, 1000, 2)])  # the mean of each entry's steps
    curve = loss_curve_figure(means.astype(np.float32), len(text.vocab), steps=ends)["datasets"]["curve"]
    assert len(curve) == 300 and curve["step"].iloc[-1] == 1000
    widths = np.diff(np.concatenate([[0], curve["step"]]))
    assert_allclose((curve["loss"] * widths).sum() / 1000, np.arange(1000).mean(), rtol=1e-5)
    small = loss_curve_figure(np.array([3.0, 2.0], dtype=np.float32), 77, steps=np.array([2, 6]))
    assert list(small["datasets"]["curve"]["step"]) == [2, 6]
    assert_allclose(reference["loss"].iloc[0], math.log(len(text.vocab)), rtol=1e-6)
    agreement = agreement_curve_figure(snap.agreement_steps, snap.agreement_history)
    assert_allclose(agreement["datasets"]["curve"]["accuracy"], 100 * snap.agreement_history, rtol=1e-6)
    probe = AgreementProbe.from_text(text)
    bigram = Bigram().fit(text.ids, len(text.vocab))
    table = agreement_table(text.agreement, probe.probs(snap.agreement_probs),
                            probe.probs(bigram.batch_next_probs(probe.contexts)))
    assert len(table) == len(text.agreement)
    assert table["transformer right"].mean() == pytest.approx(snap.agreement)
    assert table["bigram right"].sum() == len(table) // 2  # one of each singular/plural pair
    first = text.agreement[0]  # ". the sky above the mountains" → is
    assert table["context"].iloc[0] == " ".join(first.words[1:]) and table["needs"].iloc[0] == first.correct
    p_correct, p_wrong = probe.probs(snap.agreement_probs)
    correct_col, wrong_col = ("transformer P(is)", "transformer P(are)")[:: 1 if first.correct == "is" else -1]
    assert_allclose(table[correct_col].iloc[0], round(p_correct[0], 3))
    assert_allclose(table[wrong_col].iloc[0], round(p_wrong[0], 3))
    assert_allclose(table["bigram P(is)"].iloc[0], table["bigram P(is)"].iloc[1])  # same last word "mountains"


def test_parameter_count_without_building_the_model(text):
    for layers, heads in ((1, 1), (2, 2), (2, 4), (3, 2)):
        config = GPTConfig(len(text.vocab), n_layer=layers, n_head=heads)
        assert n_params(config) == GPT(config).n_params()


def test_a_worker_builds_the_same_trainer_from_plain_settings(text):
    """build_trainer(job) is the page's GPTTrainer(text, config, settings), from settings that pickle."""
    job = NextTokenJob(corpus_seed=0, n_layer=1, n_head=2)
    assert pickle.loads(pickle.dumps(job)) == job
    a, b = build_trainer(job), GPTTrainer(text, GPTConfig(len(text.vocab), n_layer=1, n_head=2), TrainSettings())
    for _ in range(3):
        a.step()
        b.step()
    assert a.losses == b.losses and a.probe is not None
    paragraph = "the rain falls on the plain and the wind blows over the hill . " * 6
    own = build_trainer(NextTokenJob(user_text=paragraph))
    assert own.probe is None and own.config.vocab_size < len(text.vocab)
    fallback = build_trainer(NextTokenJob(user_text="too short ."))  # not accepted: the corpus, as the page does
    assert fallback.config.vocab_size == len(text.vocab)


def test_snapshot_for_a_view_carries_the_attention_written_out_and_pickles(text, trained):
    prompt = tuple(encode_prompt("the skies over the hills", text).ids)
    snap = snapshot(trained, View(prompt, (1, 1, 3)))
    expected = attention_written_out(trained.model, prompt, 1, 1, 3)
    assert snap.view == View(prompt, (1, 1, 3)) and (snap.worked.layer, snap.worked.head, snap.worked.query) == (1, 1, 3)
    assert_allclose(snap.worked.weights, expected.weights, rtol=1e-12)
    assert_allclose(snap.worked.model_weights, snap.attention[1][1, 3, :4], rtol=1e-6)  # the heatmap's own row
    assert snapshot(trained, View(prompt, (5, 0, 0))).worked is None  # a layer the model lacks: no numbers
    assert snapshot(trained, View((), (0, 0, 0))).worked is None
    again = pickle.loads(pickle.dumps(snap))
    assert again.steps == snap.steps and again.losses.dtype == np.float32 and again.next_probs.dtype == np.float32
    assert len(pickle.dumps(snap)) < 100_000  # small: a worker publishes one several times a second


def test_generate_request_is_the_sampler_on_the_current_model(text, trained):
    prompt = tuple(encode_prompt("where the sky", text).ids)
    request = GenerateRequest(7, prompt, 20, temperature=1.0, top_k=0, seed=(0, 1))
    gen = trained.generate(request)
    reference = generate(trained.model.next_logprobs, prompt, 20, temperature=1.0, top_k=0,
                         rng=np.random.default_rng([0, 1]))
    assert [c.token for c in gen.choices] == [c.token for c in reference.choices]
    assert snapshot(trained, View(prompt)).generation[0] == 7
