"""Attention written out by hand (one head, one query) against the transformer's own numbers."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from numpy.testing import assert_allclose
from torch.nn import functional as F

from core.nexttoken.corpus import corpus_text, encode_prompt
from core.nexttoken.figures import attention_latex, tex_text
from core.nexttoken.gpt import GPTConfig, GPTTrainer, attention_written_out


@pytest.fixture(scope="module")
def text():
    return corpus_text()


@pytest.fixture(scope="module", params=[(2, 2), (1, 4)], ids=["2x2", "1x4"])
def model(request, text):
    """A model trained for 60 steps (its attention is no longer uniform), frozen."""
    n_layer, n_head = request.param
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab), n_layer=n_layer, n_head=n_head))
    for _ in range(60):
        trainer.step()
    return copy.deepcopy(trainer.model).requires_grad_(False)


def head_inputs(model, ids):
    """The concatenated head outputs (the input of each layer's c_proj), caught from the model's own forward."""
    caught = []
    hooks = [b.attn.c_proj.register_forward_pre_hook(lambda _m, args: caught.append(args[0][0].double().numpy()))
             for b in model.blocks]
    try:
        with torch.no_grad():
            model(torch.tensor([ids]))
    finally:
        for h in hooks:
            h.remove()
    return caught  # per layer (T, C)


@pytest.mark.parametrize("prompt", ["where the sky", "the skies over the hills", "it"])
def test_weights_and_output_are_the_models_own(text, model, prompt):
    ids = encode_prompt(prompt, text).ids
    cfg = model.config
    d = cfg.n_embd // cfg.n_head
    own = model.attention(ids)
    outputs = head_inputs(model, ids)
    for layer in range(cfg.n_layer):
        for head in range(cfg.n_head):
            for t in range(len(ids)):
                w = attention_written_out(model, ids, layer, head, t)
                assert w.d == d and w.scores.shape == (t + 1,) and w.v.shape == (t + 1, d)
                assert_allclose(w.weights.sum(), 1.0, rtol=1e-12)
                # float64 by hand from float32 activations against the model's float32 softmax
                assert_allclose(w.weights, own[layer][head, t, : t + 1], atol=2e-6)
                assert_allclose(w.model_weights, own[layer][head, t, : t + 1], atol=1e-7)
                assert_allclose(w.output, outputs[layer][t, head * d:(head + 1) * d], atol=2e-6)
                assert_allclose(w.scores, w.k @ w.q / math.sqrt(d), rtol=1e-12)
    last = attention_written_out(model, ids, cfg.n_layer - 1, 0)
    assert last.query == len(ids) - 1  # the default query is the last token


def test_against_torch_scaled_dot_product_attention(text, model):
    ids = encode_prompt("where the sky", text).ids
    w = attention_written_out(model, ids, 0, 0, 2)
    q, k, v = (torch.from_numpy(a)[None, None] for a in (w.q[None], w.k, w.v))
    reference = F.scaled_dot_product_attention(q, k, v)[0, 0, 0].numpy()
    assert_allclose(w.output, reference, rtol=1e-10, atol=1e-12)


def test_long_prompts_use_the_last_block_and_bad_choices_raise(text, model):
    ids = encode_prompt("where the sky is grey it will rain . the skies over the hills are dark", text).ids
    assert len(ids) > model.config.block_size
    w = attention_written_out(model, ids, 0, 0)
    assert w.query == model.config.block_size - 1
    assert_allclose(w.model_weights, model.attention(ids)[0][0, -1], atol=1e-7)
    for bad in ({"layer": 5, "head": 0}, {"layer": 0, "head": 9}, {"layer": 0, "head": 0, "query": 40}):
        with pytest.raises(ValueError):
            attention_written_out(model, ids, **bad)
    with pytest.raises(ValueError):
        attention_written_out(model, [], 0, 0)


def test_latex_has_every_number_and_escapes_odd_tokens(text, model):
    prompt = encode_prompt("where the sky", text)
    w = attention_written_out(model, prompt.ids, 0, 0)
    lines = attention_latex(w, prompt.words)
    joined = " ".join(lines)
    assert r"\mathrm{softmax}" in joined and r"\sqrt{d}" in joined and "nan" not in joined.lower()
    for s, weight in zip(w.scores, w.weights, strict=True):
        assert f"{s:.2f}" in lines[1] and f"{weight:.3f}" in lines[1]
    assert f"{w.output[0]:.2f}" in lines[3] and r"\underbrace" in lines[2]
    assert tex_text("50%_{x}$") == r"\text{50\%\_\{x\}\$}"
