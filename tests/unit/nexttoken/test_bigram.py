"""The count-based bigram model and its heatmap."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core.nexttoken.bigram import Bigram
from core.nexttoken.corpus import corpus_text, encode_prompt
from core.nexttoken.figures import bigram_heatmap_figure
from core.nexttoken.gpt import AgreementProbe


@pytest.fixture(scope="module")
def text():
    return corpus_text()


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0])
def test_rows_sum_to_one(text, alpha):
    model = Bigram(alpha=alpha).fit(text.ids, len(text.vocab))
    assert_allclose(model.probs_.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(model.probs_ >= 0)


def test_unsmoothed_rows_are_normalised_counts(text):
    model = Bigram(alpha=0.0).fit(text.ids, len(text.vocab))
    pairs = Counter(zip(text.ids[:-1].tolist(), text.ids[1:].tolist(), strict=True))
    previous = Counter(text.ids[:-1].tolist())
    for (i, j), c in list(pairs.items())[:200]:
        assert model.counts_[i, j] == c
        assert_allclose(model.probs_[i, j], c / previous[i], rtol=1e-12)
    assert model.counts_.sum() == len(text.ids) - 1


def test_add_alpha_formula_by_hand():
    # ids 0 1 0 1 1: pairs (0,1) (1,0) (0,1) (1,1) → c = [[0, 2], [1, 1]]
    model = Bigram(alpha=1.0).fit(np.array([0, 1, 0, 1, 1]), 2)
    assert model.counts_.tolist() == [[0, 2], [1, 1]]
    assert_allclose(model.probs_, [[1 / 4, 3 / 4], [2 / 4, 2 / 4]], rtol=1e-12)


def test_row_without_data_is_uniform_when_unsmoothed():
    model = Bigram(alpha=0.0).fit(np.array([0, 1, 0]), 3)  # token 2 never precedes anything
    assert_allclose(model.probs_[2], [1 / 3] * 3)


def test_only_the_last_token_matters(text):
    model = Bigram().fit(text.ids, len(text.vocab))
    a = model.next_probs(encode_prompt("the sky over the hills", text).ids)
    b = model.next_probs(encode_prompt("the skies over the hills", text).ids)
    assert_allclose(a, b, rtol=0, atol=0)
    assert_allclose(model.next_probs([]), 1 / len(text.vocab))
    assert_allclose(np.exp(model.next_logprobs([3, 5])), model.probs_[5], rtol=1e-12)


def test_bigram_scores_exactly_half_on_the_agreement_test(text):
    model = Bigram().fit(text.ids, len(text.vocab))
    probe = AgreementProbe.from_text(text)
    assert probe.accuracy(model.batch_next_probs(probe.contexts)) == 0.5


def test_bigram_learns_adjacent_agreement(text):
    # Where the verb follows the noun directly, the bigram does know the number.
    model = Bigram().fit(text.ids, len(text.vocab))
    is_, are = text.stoi["is"], text.stoi["are"]
    assert model.probs_[text.stoi["sky"], is_] > 10 * model.probs_[text.stoi["sky"], are]
    assert model.probs_[text.stoi["skies"], are] > 10 * model.probs_[text.stoi["skies"], is_]


def test_heatmap_shows_the_table(text):
    model = Bigram().fit(text.ids, len(text.vocab))
    spec = bigram_heatmap_figure(model.probs_, text.vocab)
    cells = spec["data"]["values"]
    z = cells.pivot(index="prev", columns="next", values="P").loc[list(text.vocab), list(text.vocab)].to_numpy()
    assert z.shape == (len(text.vocab), len(text.vocab))  # 77 tokens ≤ 80: the whole table
    assert_allclose(z, model.probs_, rtol=1e-6)
    assert spec["encoding"]["x"]["sort"] == list(text.vocab) == spec["encoding"]["y"]["sort"]
    small = bigram_heatmap_figure(model.probs_, text.vocab, max_words=10)["data"]["values"]
    assert len(small) == 100 and set(small["prev"]) == set(text.vocab[:10])
