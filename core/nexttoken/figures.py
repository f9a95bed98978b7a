"""Figures and tables of the next-token lab.

What updates live while the transformer trains (bars, curves, attention) is a Vega-Lite spec,
which Streamlit updates in place; the bigram table, which changes only with the text, is a
Plotly heatmap.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.nexttoken.corpus import AgreementContext
from core.nexttoken.sampling import Generation, tempered
from core.style import CLASS_COLORS, HIGHLIGHT, NEUTRAL

VegaLite = dict[str, Any]
"""A Vega-Lite spec for ``st.vega_lite_chart``. Built as a dict (not with Altair) because it is
rebuilt several times a second: Altair's ``to_dict`` costs tens of milliseconds per chart, and
fixed dataset names keep the spec identical between ticks so the browser updates the data in place."""

BIGRAM_COLOR = NEUTRAL
GPT_COLOR = CLASS_COLORS[0]
VERB_COLOR = HIGHLIGHT
"""The two verbs of the agreement test ("is", "are") are highlighted in every bar chart."""


def corpus_sample_html(sentences: Sequence[str], words: Sequence[str]) -> str:
    """The first sentences of the text (or its first 120 tokens) as plain preformatted HTML: ``st.code`` would load
    a syntax highlighter, about a second of a fresh page's first paint."""
    sample = "\n".join(sentences[:8]) if sentences else " ".join(words[:120])
    return ('<pre data-testid="corpus-sample" style="white-space:pre-wrap;font-size:0.85rem;margin:0;'
            f'padding:0.6rem 0.8rem;border-radius:0.5rem;background:rgba(128,128,128,0.1)">{html.escape(sample)}</pre>')


def bigram_latex(alpha: float, vocab_size: int) -> str:
    """The bigram's add-α estimate with its α and V."""
    return (rf"P(\text{{next}} = j \mid \text{{previous}} = i) = \frac{{c_{{ij}} + \alpha}}{{\sum_k c_{{ik}} + \alpha V}},"
            rf"\qquad \alpha = {alpha},\ V = {vocab_size}")


def temperature_latex(temperature: float, top_k: int) -> str:
    """The tempered softmax with the current T (argmax at 0) and top-k (when it cuts)."""
    return (rf"P_T(x_t = j \mid x_{{<t}}) = \frac{{e^{{z_j / T}}}}{{\sum_k e^{{z_k / T}}}},\quad T = {temperature:.2f}"
            + (r"\ (\text{argmax})" if temperature == 0 else "") + (rf",\ \text{{top-}}k = {top_k}" if top_k else ""))


def bigram_heatmap_figure(probs: np.ndarray, vocab: Sequence[str], max_words: int = 80) -> VegaLite:
    """P(next | previous) for the ``max_words`` most frequent tokens: rows previous, columns next (a Vega-Lite
    heatmap: the page needs no Plotly, whose script alone holds a fresh page for about a second)."""
    n = min(max_words, len(vocab))
    words = [str(w) for w in vocab[:n]]
    z = np.asarray(probs, dtype=np.float32)[:n, :n]
    prev, nxt = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    df = pd.DataFrame({"prev": np.array(words, dtype=object)[prev.ravel()],
                       "next": np.array(words, dtype=object)[nxt.ravel()], "P": z.ravel()})
    return {
        "data": {"values": df}, "mark": {"type": "rect"}, "height": 10 * n,
        "encoding": {
            "x": {"field": "next", "type": "ordinal", "sort": words, "title": "next token",
                  "axis": {"orient": "top", "labelAngle": -60}},
            "y": {"field": "prev", "type": "ordinal", "sort": words, "title": "previous token"},
            "color": {"field": "P", "type": "quantitative", "title": "P(next | prev)",
                      "scale": {"scheme": "blues", "domain": [0, 1]}},
            "tooltip": [{"field": "prev", "title": "previous"}, {"field": "next"},
                        {"field": "P", "type": "quantitative", "format": ".3f"}],
        },
    }


def next_token_bars_figure(probs: np.ndarray | None, vocab: Sequence[str], *, title: str, color: str,
                           k: int = 10, always: Sequence[str] = ()) -> VegaLite:
    """The ``k`` most probable next tokens as horizontal bars (plus the tokens in ``always``)."""
    probs = np.zeros(len(vocab)) if probs is None else np.asarray(probs)
    order = list(np.argsort(-probs, kind="stable")[:k])
    order += [i for i, w in enumerate(vocab) if w in always and i not in order]
    df = pd.DataFrame({
        "token": [str(vocab[i]) for i in order],
        "P": probs[order].astype(np.float32),
        "kind": ["agreement verb" if vocab[i] in always else "other" for i in order],
    })
    return {
        "title": title, "data": {"values": df}, "mark": {"type": "bar"}, "height": 20 * (k + len(always)),
        "autosize": {"type": "fit-x", "contains": "padding"},  # the width follows the page, the height is ours
        "encoding": {
            "x": {"field": "P", "type": "quantitative", "scale": {"domain": [0, 1]}, "title": "P(next token)"},
            "y": {"field": "token", "type": "nominal", "sort": "-x", "title": None},
            "color": {"field": "kind", "type": "nominal", "legend": None,
                      "scale": {"domain": ["other", "agreement verb"], "range": [color, VERB_COLOR]}},
            "tooltip": [{"field": "token"}, {"field": "P", "type": "quantitative", "format": ".3f"}],
        },
    }


def both_bars_figures(bigram_probs: np.ndarray, gpt_probs: np.ndarray | None, vocab: Sequence[str],
                      prompt: Sequence[int], temperature: float, top_k: int,
                      always: Sequence[str] = ()) -> tuple[VegaLite, VegaLite]:
    """The bigram's and the transformer's next-token bars for the prompt, after temperature and top-k (the
    transformer's empty until the worker has sent its probabilities)."""
    last = vocab[prompt[-1]] if len(prompt) else "∅"
    return (next_token_bars_figure(tempered(bigram_probs, temperature, top_k), vocab, color=BIGRAM_COLOR,
                                   always=always, title=f"Bigram: P(next | {last})"),
            next_token_bars_figure(None if gpt_probs is None else tempered(gpt_probs, temperature, top_k), vocab,
                                   color=GPT_COLOR, always=always, title="Transformer: P(next | the whole prompt)"))


def attention_figure(attentions: Sequence[np.ndarray], words: Sequence[str]) -> VegaLite:
    """One heatmap per layer (rows) and head (columns): row t = how much position t looks at each earlier one."""
    T = attentions[0].shape[-1] if attentions else 0
    labels = [f"{i}:{w}" for i, w in enumerate(list(words)[-T:])] if T else []
    q, k = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    frames = [
        pd.DataFrame({
            "layer": f"layer {layer + 1}", "head": f"head {head + 1}",
            "query": np.array(labels, dtype=object)[q.ravel()], "key": np.array(labels, dtype=object)[k.ravel()],
            "weight": att[head].ravel().astype(np.float32),
        })
        for layer, att in enumerate(attentions) for head in range(att.shape[0])
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {c: [] for c in ("layer", "head", "query", "key", "weight")})
    size = max(120, min(220, 22 * T))
    return {
        "data": {"values": df},
        "facet": {"row": {"field": "layer", "type": "nominal", "title": None},
                  "column": {"field": "head", "type": "nominal", "title": None}},
        "spec": {
            "width": size, "height": size, "mark": {"type": "rect"},
            "encoding": {
                "x": {"field": "key", "type": "nominal", "sort": labels, "title": "looks at (key)"},
                "y": {"field": "query", "type": "nominal", "sort": labels, "title": "position (query)"},
                "color": {"field": "weight", "type": "quantitative", "title": "attention",
                          "scale": {"domain": [0, 1], "scheme": "blues"}},
                "tooltip": [{"field": "query"}, {"field": "key"},
                            {"field": "weight", "type": "quantitative", "format": ".2f"}],
            },
        },
    }


def _downsample(y: np.ndarray, max_points: int = 300, ends: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Step numbers and the mean of ``y`` over equal buckets, at most ``max_points`` of them.

    Entry i of ``y`` is the mean over the steps after ``ends[i - 1]`` up to ``ends[i]`` (default: step i + 1
    alone); a bucket's mean weighs each entry by the steps it stands for, and its step is its last one."""
    n = len(y)
    ends = np.arange(1, n + 1) if ends is None else np.asarray(ends, dtype=np.int64)
    if n <= max_points:
        return ends, np.asarray(y, dtype=np.float32)
    widths = np.diff(np.concatenate([[0], ends])).astype(np.float64)
    edges = np.linspace(0, n, max_points + 1).astype(int)
    sums = np.add.reduceat(np.asarray(y, dtype=np.float64) * widths, edges[:-1])
    means = sums / np.add.reduceat(widths, edges[:-1])
    return ends[edges[1:] - 1], means.astype(np.float32)


def _line_with_rule(data: pd.DataFrame, rule: pd.DataFrame, *, x: str, y: str, y_title: str, title: str,
                    domain: list[float] | None = None) -> VegaLite:
    """A line over ``data`` plus a dashed horizontal reference line; fixed dataset names keep the spec stable."""
    y_enc: dict[str, Any] = {"field": y, "type": "quantitative", "title": y_title}
    if domain is not None:
        y_enc["scale"] = {"domain": domain}
    return {
        "title": title, "height": 220, "datasets": {"curve": data, "reference": rule},
        "layer": [
            {"data": {"name": "curve"}, "mark": {"type": "line", "color": GPT_COLOR, "point": len(data) < 60},
             "encoding": {"x": {"field": x, "type": "quantitative", "title": "step", "axis": {"format": "d"}},
                          "y": y_enc}},
            {"data": {"name": "reference"}, "mark": {"type": "rule", "strokeDash": [4, 4], "color": NEUTRAL},
             "encoding": {"y": {"field": y, "type": "quantitative"}, "tooltip": [{"field": "label"}]}},
        ],
    }


def loss_curve_figure(losses: np.ndarray, vocab_size: int, steps: np.ndarray | None = None) -> VegaLite:
    """Training loss per step, with the loss of a uniform guess, ln V, as a dashed line.

    ``steps``, when given, is the last step each entry of ``losses`` stands for (a bounded history whose
    entries are the means of several steps); without it, entry i is step i + 1."""
    steps, y = _downsample(np.asarray(losses), ends=None if steps is None else np.asarray(steps))
    return _line_with_rule(
        pd.DataFrame({"step": steps, "loss": y}),
        pd.DataFrame({"loss": [np.float32(math.log(vocab_size))], "label": [f"uniform guess: ln {vocab_size}"]}),
        x="step", y="loss", y_title="cross-entropy (nats)", title="Training loss")


def agreement_curve_figure(steps: np.ndarray, accuracy: np.ndarray) -> VegaLite:
    """The transformer's agreement accuracy (%) over training, against the bigram's 50 %."""
    return _line_with_rule(
        pd.DataFrame({"step": np.asarray(steps, dtype=np.int64),
                      "accuracy": 100 * np.asarray(accuracy, dtype=np.float32)}),
        pd.DataFrame({"accuracy": [np.float32(50.0)], "label": ["bigram: 50 % (a coin flip)"]}),
        x="step", y="accuracy", y_title="agreement accuracy (%)", title="Agreement on held-out contexts",
        domain=[0, 100])


def agreement_table(contexts: Sequence[AgreementContext], gpt: tuple[np.ndarray, np.ndarray],
                    bigram: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """One row per held-out context: the verb it needs, and P(is), P(are) under each model.

    ``gpt`` and ``bigram`` are (P(correct verb), P(wrong verb)) per context, as ``AgreementProbe.probs`` gives.
    """
    needs_is = np.array([c.correct == "is" for c in contexts])
    columns = {"context": [" ".join(w for w in c.words if w != ".") for c in contexts],
               "needs": [c.correct for c in contexts]}
    for name, (p_correct, p_wrong) in (("transformer", gpt), ("bigram", bigram)):
        columns[f"{name} P(is)"] = np.round(np.where(needs_is, p_correct, p_wrong), 3)
        columns[f"{name} P(are)"] = np.round(np.where(needs_is, p_wrong, p_correct), 3)
        columns[f"{name} right"] = np.asarray(p_correct) > np.asarray(p_wrong)
    return pd.DataFrame(columns)


def generation_table(generation: Generation, vocab: Sequence[str]) -> pd.DataFrame:
    """The generated tokens in order, with the model's probability and the sampled probability of each."""
    return pd.DataFrame(
        [[str(vocab[c.token]) for c in generation.choices],
         [f"{c.p_model:.2f}" for c in generation.choices],
         [f"{c.p_sampled:.2f}" for c in generation.choices]],
        index=["token", "P model", "P sampled"], columns=[str(i + 1) for i in range(len(generation.choices))],
    )


_TEX_ESCAPES = {"\\": r"\backslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
                "_": r"\_", "^": r"\^{}", "~": r"\sim{}"}


def tex_text(word: str) -> str:
    """A token as LaTeX text (a typed prompt may hold any character)."""
    return r"\text{" + "".join(_TEX_ESCAPES.get(ch, ch) for ch in word) + "}"


def _vec(x: np.ndarray, dims: int) -> str:
    parts = [f"{v:.2f}" for v in x[:dims]] + ([r"\dots"] if len(x) > dims else [])
    return r"\left(" + ",\\ ".join(parts) + r"\right)"


def attention_latex(worked: Any, words: Sequence[str], dims: int = 4, terms: int = 2) -> list[str]:
    """``tiny_gpt.AttentionWorked`` as LaTeX lines: the formula, the scores and weights per position, the output.

    ``words`` are the tokens the model read (the last block_size of the prompt); positions are 0-based
    as in the heatmap's labels."""
    t, d = worked.query, worked.d
    labels = [f"{j}{{:}}" + tex_text(w) for j, w in enumerate(list(words)[: t + 1])]
    head = (rf"\text{{layer {worked.layer + 1}, head {worked.head + 1}, query }} t = {t}{{:}}{tex_text(words[t])}:\quad"
            rf"\mathrm{{softmax}}\!\left(\frac{{QK^\top}}{{\sqrt{{d}}}}\right)V,\quad "
            rf"o_t = \sum_{{j \le t}} w_j\, v_j,\ \ w_j = \frac{{e^{{s_j}}}}{{\sum_{{i \le t}} e^{{s_i}}}},\ \ "
            rf"s_j = \frac{{q_t \cdot k_j}}{{\sqrt{{{d}}}}}")
    cols = "c" * (t + 1)
    rows = [r"j & " + " & ".join(labels),
            rf"s_j = q_t \cdot k_j / \sqrt{{{d}}} & " + " & ".join(f"{s:.2f}" for s in worked.scores),
            r"w_j & " + " & ".join(f"{w:.3f}" for w in worked.weights),
            r"\text{model's } w_j & " + " & ".join(f"{w:.3f}" for w in worked.model_weights)]
    table = r"\begin{array}{l|" + cols + "}" + r" \\ ".join(rows) + r"\end{array}"
    order = np.argsort(-worked.weights, kind="stable")[:terms]
    shown = " + ".join(rf"{worked.weights[j]:.3f}\,\underbrace{{{_vec(worked.v[j], dims)}}}_{{v_{{{j}}}}}"
                       for j in sorted(order))
    rest = r" + \dots" if t + 1 > terms else ""
    output = rf"o_t = {shown}{rest}"
    result = rf"o_t = {_vec(worked.output, dims)}\quad\text{{(the first {min(dims, d)} of {d} dimensions)}}"
    return [head, table, output, result]
