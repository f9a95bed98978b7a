"""Softmax with temperature, top-k, token-by-token generation, and their charts and tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.special import softmax

from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import corpus_text, encode_prompt
from core.nexttoken.figures import generation_table, next_token_bars_figure
from core.nexttoken.sampling import (
    generate,
    sampling_distribution,
    softmax_temperature,
    tempered,
    top_k_filter,
)

logits_strategy = arrays(np.float64, st.integers(2, 30), elements=st.floats(-20, 20))


@pytest.fixture(scope="module")
def text():
    return corpus_text()


@pytest.fixture(scope="module")
def bigram(text):
    return Bigram().fit(text.ids, len(text.vocab))


@given(logits_strategy, st.floats(0.05, 5.0))
def test_softmax_with_temperature_is_scipy_softmax_of_z_over_t(z, T):
    p = softmax_temperature(z, T)
    assert_allclose(p, softmax(z / T), rtol=1e-12)
    assert_allclose(p.sum(), 1.0, rtol=1e-12)


def test_temperature_zero_is_argmax_and_small_temperature_approaches_it():
    z = np.array([1.0, 3.0, 2.5, -1.0])
    assert softmax_temperature(z, 0.0).tolist() == [0, 1, 0, 0]
    assert_allclose(softmax_temperature(z, 1e-3), [0, 1, 0, 0], atol=1e-12)
    assert_allclose(softmax_temperature(z, 1e6), 0.25, atol=1e-5)  # very hot: uniform


def test_temperature_half_squares_the_probabilities():
    p = np.array([0.5, 0.3, 0.2])
    assert_allclose(tempered(p, 0.5, 0), p**2 / (p**2).sum(), rtol=1e-12)
    assert_allclose(tempered(p, 1.0, 0), p, rtol=1e-12)


@given(logits_strategy, st.integers(1, 30))
def test_top_k_keeps_exactly_the_k_largest(z, k):
    p = top_k_filter(softmax(z), k)
    kept = np.flatnonzero(p)
    assert len(kept) == min(k, z.size) or np.count_nonzero(softmax(z)) < k
    assert_allclose(p.sum(), 1.0, rtol=1e-9)
    assert softmax(z)[kept].min() >= np.sort(softmax(z))[::-1][min(k, z.size) - 1]


def test_top_k_zero_or_large_keeps_everything():
    p = softmax(np.array([0.1, 2.0, -1.0]))
    assert_allclose(top_k_filter(p, 0), p)
    assert_allclose(top_k_filter(p, 3), p)
    assert_allclose(top_k_filter(p, 50), p)


@settings(max_examples=40, deadline=None)
@given(logits_strategy, st.integers(1, 5), st.floats(0.1, 3.0), st.integers(0, 2**32 - 1))
def test_top_k_never_samples_outside_the_top_k(z, k, T, seed):
    p = softmax(z / T)
    kth = np.sort(p)[::-1][min(k, z.size) - 1]
    allowed = set(np.flatnonzero(p >= kth).tolist())  # the k most probable (tokens tied with the k-th included)
    gen = generate(lambda ids: z, [0], 30, temperature=T, top_k=k, rng=np.random.default_rng(seed))
    assert {c.token for c in gen.choices} <= allowed


def test_temperature_zero_generation_is_greedy(text, bigram):
    context = list(encode_prompt("where the sky", text).ids)
    gen = generate(bigram.next_logprobs, context, 12, temperature=0.0, top_k=0, rng=np.random.default_rng(0))
    greedy, ids = [], list(context)
    for _ in range(12):
        ids.append(int(np.argmax(bigram.next_probs(ids))))
        greedy.append(ids[-1])
    assert [c.token for c in gen.choices] == greedy
    assert all(c.p_sampled == 1.0 for c in gen.choices)
    again = generate(bigram.next_logprobs, context, 12, temperature=0.0, top_k=0, rng=np.random.default_rng(99))
    assert again.choices == gen.choices  # any seed: the same sentence
    top1 = generate(bigram.next_logprobs, context, 12, temperature=1.0, top_k=1, rng=np.random.default_rng(5))
    assert [c.token for c in top1.choices] == greedy  # top-k = 1 is greedy too


def test_generation_records_each_tokens_probability(text, bigram):
    context = list(encode_prompt("the clouds", text).ids)
    gen = generate(bigram.next_logprobs, context, 20, temperature=1.0, top_k=0, rng=np.random.default_rng(1))
    ids = context + [c.token for c in gen.choices]
    for t, c in enumerate(gen.choices):
        assert_allclose(c.p_model, bigram.probs_[ids[len(context) + t - 1], c.token], rtol=1e-12)
        assert_allclose(c.p_sampled, c.p_model, rtol=1e-9)  # T = 1, no top-k: drawn from the model itself
    assert gen.ms_per_token >= 0 and len(gen.choices) == 20
    same = generate(bigram.next_logprobs, context, 20, temperature=1.0, top_k=0, rng=np.random.default_rng(1))
    assert same.choices == gen.choices


def test_hotter_sampling_picks_less_likely_tokens(text, bigram):
    # The page's "try this": at T = 2 the chosen tokens' 'P sampled' values drop.
    context = list(encode_prompt("the skies over the hills", text).ids)

    def mean_p(T: float) -> float:
        gen = generate(bigram.next_logprobs, context, 400, temperature=T, top_k=0, rng=np.random.default_rng(7))
        return float(np.mean([c.p_sampled for c in gen.choices]))

    assert mean_p(2.0) < mean_p(1.0) - 0.1


def test_sampling_distribution_applies_temperature_then_top_k():
    z = np.log(np.array([0.4, 0.3, 0.2, 0.1]))
    p = sampling_distribution(z, 0.5, 2)
    assert_allclose(p, np.array([0.16, 0.09, 0, 0]) / 0.25, rtol=1e-12)


def test_bars_show_the_top_tokens_and_the_verbs(text, bigram):
    probs = bigram.next_probs(encode_prompt("where the sky", text).ids)
    spec = next_token_bars_figure(probs, text.vocab, title="t", color="#000", k=5, always=("is", "are"))
    df = spec["data"]["values"]
    top5 = [text.vocab[i] for i in np.argsort(-probs, kind="stable")[:5]]
    assert df["token"].tolist()[:5] == top5
    assert {"is", "are"} <= set(df["token"])
    assert_allclose(df["P"], probs[[text.stoi[w] for w in df["token"]]], rtol=1e-6)
    assert set(df.loc[df["token"].isin(["is", "are"]), "kind"]) == {"agreement verb"}
    empty = next_token_bars_figure(None, text.vocab, title="t", color="#000")
    assert (empty["data"]["values"]["P"] == 0).all()


def test_generation_table(text, bigram):
    gen = generate(bigram.next_logprobs, [0], 6, temperature=1.0, top_k=3, rng=np.random.default_rng(2))
    table = generation_table(gen, text.vocab)
    assert table.shape == (3, 6) and table.loc["token"].tolist() == text.decode([c.token for c in gen.choices])
