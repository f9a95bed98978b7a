"""Property: whatever a student sets, every page keeps working and never shows a NaN or inf.

For each page, hypothesis drives every widget the page shows (sliders and select sliders on their own grid,
selectboxes, radios, multiselects, toggles, checkboxes, number inputs, text with random short strings, the
editable table's cells, and one button per round), several rounds per example, through AppTest. After every
round there is no exception, and no metric, markdown, caption, latex, alert or table cell shows "nan" or
"inf" (the app's formatter prints words for undefined values: ``ui.fmt``). Live pages run on the training
pool: a round ends as the browser would see it once the pool has answered (``settled_run``).
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.proto.Slider_pb2 import Slider as SliderProto
from streamlit.testing.v1.element_tree import _format_value_for_widget

from core.training import TrainerHandle
from tests.app.conftest import open_page

ROUNDS = 4
POOL_DEADLINE = 120  # seconds: a deadline for a busy machine, not a pace
NON_FINITE = re.compile(r"(?<![\w.])[-+−]?(nan|inf)(?![\w])", re.IGNORECASE)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


# --------------------------------------------------------------------------------------------------
# Running a page the way a browser sees it
# --------------------------------------------------------------------------------------------------
def trainers(at) -> list[TrainerHandle]:
    """This session's handles on the training pool."""
    return [v for v in at.session_state.values() if isinstance(v, TrainerHandle)]


def settled_run(at) -> None:
    """Run the page; while a trainer has not answered what the run sent, wait (with a deadline) and run again:
    the tick the page's polling fragment makes in a browser."""
    deadline = time.monotonic() + POOL_DEADLINE
    at.run()
    while any(not h.settled for h in trainers(at)):
        for h in trainers(at):
            assert h.wait(max(0.1, deadline - time.monotonic())), f"no answer from the pool in {POOL_DEADLINE} s"
        at.run()
        assert time.monotonic() < deadline, f"trainers not settled within {POOL_DEADLINE} s"


def close(at) -> None:
    """Never leave a model training on the pool after an example."""
    for h in trainers(at):
        h.close()


# --------------------------------------------------------------------------------------------------
# What a page shows
# --------------------------------------------------------------------------------------------------
def shown_texts(at) -> list[tuple[str, str]]:
    """(element, text) for every text a student reads as a number: metrics, markdown, captions, latex, alerts."""
    out = [(f"metric {m.label!r}", f"{m.value} {m.delta or ''}") for m in at.metric]
    for kind in ("markdown", "caption", "latex", "info", "warning", "error", "success", "title", "header",
                 "subheader", "text"):
        out += [(kind, str(el.value)) for el in getattr(at, kind)]
    return out


def non_finite_cells(frame: Any) -> list[str]:
    """The cells of a table that would show NaN or inf (numbers, or text spelling them)."""
    frame = pd.DataFrame(frame)
    bad = []
    for column in frame.columns:
        for row, value in frame[column].items():
            if isinstance(value, (float, np.floating)) and not math.isfinite(value):
                bad.append(f"[{row!r}, {column!r}] = {value!r}")
            elif isinstance(value, str) and NON_FINITE.search(value):
                bad.append(f"[{row!r}, {column!r}] = {value!r}")
    return bad


def assert_shows_only_finite_numbers(at, context: str) -> None:
    """No exception, no NaN/inf in any text or table cell."""
    assert not at.exception, (context, [e.value for e in at.exception])
    for where, text in shown_texts(at):
        assert not NON_FINITE.search(text), f"{context}: {where} shows {text!r}"
    for i, table in enumerate(at.dataframe):
        bad = non_finite_cells(table.value)
        assert not bad, f"{context}: table {i} shows {bad[:5]}"


# --------------------------------------------------------------------------------------------------
# Drawing a value for each kind of widget, within the widget's own range or options
# --------------------------------------------------------------------------------------------------
def option_value(widget, label: str) -> Any:
    """A value whose label (through the widget's format_func) is ``label``: what the browser sends back."""
    candidates: list[Any] = [label]
    for parse in (int, float):
        try:
            candidates.append(parse(label))
        except ValueError:
            pass
    current = widget.value
    candidates += list(current) if isinstance(current, (list, tuple)) else [current]
    candidates += list(range(len(widget.options)))
    for c in candidates:
        try:
            if _format_value_for_widget(widget.format_func, c) == label:
                return c
        except Exception:  # noqa: BLE001 - a format_func that rejects this candidate
            continue
    return label


def on_grid(lo: float, hi: float, step: float, k: int, integer: bool) -> float:
    """The k-th value of lo, lo+step, ... (clipped to hi), as the slider's own number type."""
    if integer:
        return int(min(hi, lo + k * step))
    decimals = max(0, -math.floor(math.log10(step))) + 2 if step > 0 else 6
    return float(min(hi, round(lo + k * step, decimals)))


def draw_slider(data, w) -> Any:
    lo, hi, step = w.min, w.max, w.step or 1
    if not isinstance(lo, (int, float)):
        return None  # date/time sliders: none on these pages
    integer = w.data_type == SliderProto.DataType.INT
    n = int(round((hi - lo) / step)) if step else 0
    ks = st.integers(0, n)
    if isinstance(w.value, (list, tuple)):
        a, b = sorted((data.draw(ks), data.draw(ks)))
        return [on_grid(lo, hi, step, a, integer), on_grid(lo, hi, step, b, integer)]
    return on_grid(lo, hi, step, data.draw(ks), integer)


def draw_number(data, w) -> Any:
    integer = isinstance(w.value, int) and not isinstance(w.value, bool)
    lo = w.min if w.min is not None else -1e6
    hi = w.max if w.max is not None else 1e6
    if integer:
        return data.draw(st.integers(int(math.ceil(lo)), int(math.floor(hi))))
    extremes = st.sampled_from([lo, hi, 0.0])
    return data.draw(st.one_of(extremes, st.floats(lo, hi, allow_nan=False, allow_infinity=False)))


def draw_options(data, w, many: bool = False) -> Any:
    if not w.options:
        return None
    if many:
        limit = w.max_selections or len(w.options)
        chosen = data.draw(st.lists(st.sampled_from(w.options), unique=True, max_size=limit))
        return [option_value(w, label) for label in chosen]
    return option_value(w, data.draw(st.sampled_from(w.options)))


def draw_select_slider(data, w) -> Any:
    if isinstance(w.value, (list, tuple)):
        i, j = sorted((data.draw(st.integers(0, len(w.options) - 1)), data.draw(st.integers(0, len(w.options) - 1))))
        return [option_value(w, w.options[i]), option_value(w, w.options[j])]
    return draw_options(data, w)


def draw_text(data, w) -> str:
    text = data.draw(TEXT)
    return text[: w.max_chars] if w.max_chars else text


DRAW = {
    "slider": draw_slider,
    "select_slider": draw_select_slider,
    "selectbox": draw_options,
    "radio": draw_options,
    "multiselect": lambda data, w: draw_options(data, w, many=True),
    "toggle": lambda data, w: data.draw(st.booleans()),
    "checkbox": lambda data, w: data.draw(st.booleans()),
    "number_input": draw_number,
    "text_input": draw_text,
    "text_area": draw_text,
}


def edit_tables(data, at) -> list[str]:
    """Random edits of each keyed editable table (a cell set to a number, an extreme, empty, or text; a row
    deleted), given to the script the way the browser sends them."""
    done = []
    for editor in at.data_editor:
        if not editor.key or data.draw(st.booleans(), label=f"keep {editor.key}"):
            continue
        frame = pd.DataFrame(editor.value)
        row = data.draw(st.integers(0, len(frame) - 1))
        column = data.draw(st.sampled_from([str(c) for c in frame.columns]))
        numbers = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, 1e300, -1e300, None]), st.integers(-3, 3))
        numeric = pd.api.types.is_numeric_dtype(frame[column].dtype)
        value = data.draw(numbers if numeric else st.one_of(numbers, TEXT))  # a number cell takes numbers only
        deleted = data.draw(st.lists(st.integers(0, len(frame) - 1), unique=True, max_size=len(frame)))
        at.session_state[editor.key] = {"edited_rows": {row: {column: value}}, "added_rows": [],
                                        "deleted_rows": deleted}
        done.append(f"{editor.key}: [{row}, {column!r}] = {value!r}, deleted {deleted}")
    return done


def one_round(data, at) -> str:
    """Set a random subset of the widgets shown to random values, maybe click one button; say what was done."""
    done = []
    for kind, draw in DRAW.items():
        for w in getattr(at, kind):
            # "keep" is the simplest choice, so hypothesis's first example sets every widget to its simplest
            # value: each slider at its minimum, each first option, the first button.
            if w.disabled or data.draw(st.booleans(), label=f"keep {kind} {w.key or w.label!r}"):
                continue
            value = draw(data, w)
            if value is not None:
                w.set_value(value)
                done.append(f"{kind} {w.key or w.label!r} = {value!r}")
    done += edit_tables(data, at)
    buttons = [b for b in at.button if not b.disabled]
    if buttons:
        pick = data.draw(st.integers(0, len(buttons)), label="button")  # len(buttons): click none
        if pick < len(buttons):
            buttons[pick].click()
            done.append(f"click {buttons[pick].key or buttons[pick].label!r}")
    return "; ".join(done) or "nothing"


# --------------------------------------------------------------------------------------------------
# One property per page
# --------------------------------------------------------------------------------------------------
FAST = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LIVE = settings(FAST, max_examples=3)

PAGES = [
    pytest.param("app.py", FAST, id="home"),
    pytest.param("pages/1_Bayes_rule.py", FAST, id="bayes"),
    pytest.param("pages/2_Decision_boundaries.py", LIVE, id="boundary"),
    pytest.param("pages/3_Loss_surface.py", FAST, id="loss"),
    pytest.param("pages/4_GAN.py", LIVE, id="gan"),
    pytest.param("pages/5_Backprop.py", LIVE, id="backprop"),
    pytest.param("pages/6_Next_token.py", LIVE, id="nexttoken"),
    pytest.param("pages/7_Lessons.py", FAST, id="lessons"),
]


def check_page(page: str, data) -> None:
    at = open_page(page)
    try:
        settled_run(at)
        assert_shows_only_finite_numbers(at, "first run")
        for i in range(ROUNDS):
            done = one_round(data, at)
            settled_run(at)
            assert_shows_only_finite_numbers(at, f"round {i + 1}: {done}")
    finally:
        close(at)


@pytest.mark.parametrize(("page", "budget"), PAGES)
def test_random_widget_values_never_crash_a_page_or_show_nan(page, budget):
    given(data=st.data())(budget(lambda data: check_page(page, data)))()
