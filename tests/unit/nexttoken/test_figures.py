"""The next-token page's formulas and text blocks, built from the current numbers."""

from __future__ import annotations

import numpy as np

from core.nexttoken import figures as figs
from core.nexttoken.sampling import tempered


def test_the_corpus_sample_is_escaped_and_shows_the_first_eight_sentences():
    html = figs.corpus_sample_html([f"s{i} <b>" for i in range(10)], ["unused"])
    assert "s7 &lt;b&gt;" in html and "s8" not in html and "<b>" not in html
    assert ">a b c</pre>" in figs.corpus_sample_html([], ["a", "b", "c"])  # pasted text: its first tokens


def test_the_formulas_carry_the_current_numbers():
    assert r"\alpha = 0.1,\ V = 77" in figs.bigram_latex(0.1, 77)
    assert r"T = 0.70" in figs.temperature_latex(0.7, 0) and "top-" not in figs.temperature_latex(0.7, 0)
    assert r"(\text{argmax})" in figs.temperature_latex(0.0, 5) and r"\text{top-}k = 5" in figs.temperature_latex(0.0, 5)


def test_both_bar_charts_show_the_tempered_distributions_and_an_empty_transformer_before_it_arrives():
    vocab = ["a", "b", "is", "are"]
    probs = np.array([0.1, 0.6, 0.2, 0.1])
    bigram, gpt = figs.both_bars_figures(probs, None, vocab, [1], 0.5, 2, always=("is", "are"))
    values = bigram["data"]["values"]
    shown = dict(zip(values["token"], values["P"], strict=True))
    expected = tempered(probs, 0.5, 2)
    assert np.allclose([shown["b"], shown["is"], shown["are"]], expected[1:], atol=1e-6)
    assert shown["are"] == 0.0  # cut by top-2, and still shown: it is one of the agreement verbs
    assert bigram["title"] == "Bigram: P(next | b)"
    assert float(np.sum(gpt["data"]["values"]["P"])) == 0.0
