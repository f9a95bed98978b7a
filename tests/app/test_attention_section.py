"""AppTest of the next-token page's "Attention, written out" section."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core.nexttoken.corpus import CorpusSettings, corpus_text, encode_prompt
from tests.app.conftest import assert_clean, open_page, settle, settling
from tests.unit.training_toys import written_out

PAGE = "pages/6_Next_token.py"
KEY = "nexttoken.runner"


def next_token_page(query: dict | None = None):
    """The page once its transformer is built, every later run shown as it is after the training pool answered."""
    return settling(settle(open_page(PAGE, query), KEY), KEY)


def section(at) -> list[str]:
    return [x.value for x in at.latex if "softmax" in x.value or r"\begin{array}" in x.value or "o_t =" in x.value]


def row(latex: str, label: str) -> list[float]:
    """The numbers of one row of the table (the row starting with ``label``)."""
    for line in latex.split(r"\\"):
        if line.strip().startswith(label):
            return [float(v) for v in re.findall(r"-?\d+\.\d+", line.split("&", 1)[1])]
    raise AssertionError(label)


@pytest.fixture
def at():
    app = next_token_page()
    yield app
    if KEY in app.session_state:
        app.session_state[KEY].close()


def test_section_shows_the_last_tokens_attention_with_numbers(at):
    assert_clean(at)
    lines = section(at)
    assert len(lines) == 4 and "nan" not in " ".join(lines).lower()
    assert r"query } t = 3{:}\text{sky}" in lines[0]  # ". where the sky": the last token by default
    assert at.selectbox(key="nexttoken.att.query").value == 3
    weights, own = row(lines[1], "w_j"), row(lines[1], r"\text{model's } w_j")
    assert len(weights) == 4 and sum(weights) == pytest.approx(1.0, abs=3e-3)
    assert weights == own


def test_section_matches_the_model_after_a_step_and_follows_the_choices(at):
    for _ in range(4):
        at.button(key="nexttoken.step").click().run()
    at.selectbox(key="nexttoken.att.layer").set_value(1).run()
    at.selectbox(key="nexttoken.att.head").set_value(1).run()
    at.selectbox(key="nexttoken.att.query").set_value(2).run()
    assert_clean(at)
    ids = encode_prompt("where the sky", corpus_text(CorpusSettings(seed=at.session_state["nexttoken.seed"]))).ids
    runner = at.session_state[KEY]  # the page's own model, paused after four steps, asked in its worker
    steps, expected = runner.ask("steps"), runner.ask(written_out, ids, 1, 1, 2)
    lines = section(at)
    assert steps == 4 and r"layer 2, head 2, query } t = 2{:}\text{the}" in lines[0]
    assert_allclose(row(lines[1], "w_j"), np.round(expected.weights, 3), atol=1e-9)
    assert_allclose(row(lines[1], "s_j"), np.round(expected.scores, 2), atol=1e-9)
    assert any("At step 4" in c.value for c in at.caption)


def test_a_new_prompt_goes_back_to_its_last_token_and_fewer_heads_fall_back(at):
    at.selectbox(key="nexttoken.att.query").set_value(1).run()
    at.text_input(key="nexttoken.prompt").set_value("the skies over the hills").run()
    assert at.selectbox(key="nexttoken.att.query").value == 5
    at.selectbox(key="nexttoken.heads").set_value(4).run()
    at.selectbox(key="nexttoken.att.head").set_value(3).run()
    at.selectbox(key="nexttoken.heads").set_value(1).run()
    assert_clean(at)
    assert at.selectbox(key="nexttoken.att.head").value == 0
    assert r"head 1, query } t = 5{:}\text{hills}" in section(at)[0]
    at.text_input(key="nexttoken.prompt").set_value("50% of the $sky_{x}").run()
    assert_clean(at)
    assert len(section(at)) == 4
