"""The one control type: every lab's declarations parse back what they format, refuse what their widget does not
offer, and build a widget with exactly their range or options."""

from __future__ import annotations

import math

import pytest

from core import lessons
from core.backprop import settings as backprop
from core.bayes import settings as bayes
from core.boundary import controls as boundary
from core.controls import (
    KINDS,
    MULTISELECT,
    NUMBER,
    SELECT_SLIDER,
    SLIDER,
    TEXT,
    TOGGLE,
    Control,
    by_key,
    format_value,
)
from core.gan import settings as gan
from core.loss import settings as loss
from core.nexttoken import settings as nexttoken
from tests.unit.page_state import defaults

PAGE_CONTROLS: dict[str, tuple[Control, ...]] = {
    lessons.BAYES: bayes.CONTROLS,
    lessons.BOUNDARY: boundary.CONTROLS,
    lessons.LOSS: loss.CONTROLS,
    lessons.GAN: gan.ALL,
    lessons.BACKPROP: backprop.CONTROLS,
    lessons.NEXT_TOKEN: nexttoken.CONTROLS,
    "pages/7_Lessons.py": (lessons.LESSON,),
}
"""Each page's shareable controls, as the page passes them to ``ui.url_state``."""
ALL = [c for controls in PAGE_CONTROLS.values() for c in controls]
LOCAL_CONTROLS: dict[str, tuple[Control, ...]] = {lessons.BAYES: bayes.NEW_DAY, lessons.NEXT_TOKEN: (nexttoken.SOURCE,)}
"""The controls a page keeps out of its share link (drawn with ``Control.initial``: their own starting value)."""


def values_of(c: Control) -> list:
    """Values the widget offers: its ends and middle, or every option (single options for a multiselect)."""
    if c.kind == TOGGLE:
        return [True, False]
    if c.kind == MULTISELECT:
        return [[], list(c.options), [c.options[-1], c.options[0]], list(c.default)]
    if c.options is not None:
        return list(c.options)
    if c.kind == TEXT:
        return ["", "where the skies over the hills", c.default]
    mid = (c.lo + c.hi) / 2
    return [c.lo, c.hi, type(c.default)(mid) if isinstance(c.default, int) else mid, c.default]


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.key)
def test_every_value_a_widget_offers_round_trips_through_the_url(c):
    for value in values_of(c):
        parsed = c.parse(format_value(value))
        assert parsed == value and type(parsed) is type(value), (value, parsed)
    assert c.parse(format_value(c.default)) == c.default


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.key)
def test_values_the_widget_does_not_offer_are_refused(c):
    bad: list = []
    if c.kind == TOGGLE:
        bad = ["maybe", "2"]
    elif c.kind == MULTISELECT:
        bad = [["nope"], [str(c.options[0]), "nope"]]
    elif c.options is not None:
        bad = ["nope", "-12345"]
    elif c.kind != TEXT:
        step = c.step or 1
        bad = [str(c.lo - step), str(c.hi + step), "banana"] + (["nan", "inf"] if isinstance(c.default, float) else [])
    for raw in bad:
        with pytest.raises(ValueError):
            c.parse(raw)


@pytest.mark.parametrize("page", PAGE_CONTROLS)
def test_each_page_declares_each_key_once_under_its_lab(page):
    controls = PAGE_CONTROLS[page]
    assert len(by_key(controls)) == len(controls)
    prefixes = {c.key.split(".")[0] for c in controls}
    assert len(prefixes) == 1, prefixes
    for c in controls:
        assert c.label and c.kind in KINDS
        assert c.options is None or (c.default in c.options if not c.is_list else set(c.default) <= set(c.options))
        assert c.lo is None or c.lo <= c.default <= c.hi
        if c.kind in (SLIDER, NUMBER):
            assert c.lo is not None and c.hi is not None and c.options is None
            assert isinstance(c.lo, type(c.default)) or isinstance(c.default, float), c.key


def test_no_two_pages_share_a_key():
    assert len(by_key(ALL)) == len(ALL)


@pytest.mark.parametrize("page", LOCAL_CONTROLS)
def test_a_pages_controls_kept_out_of_its_link_are_its_own_and_not_in_the_link(page):
    local, shared = LOCAL_CONTROLS[page], PAGE_CONTROLS[page]
    assert len(by_key([*local, *shared])) == len(local) + len(shared)
    assert {c.key.split(".")[0] for c in local} == {c.key.split(".")[0] for c in shared}
    for c in local:
        name, args, kwargs = c.widget()
        assert name == c.kind and args[0] == c.label and kwargs["key"] == c.key and "value" not in kwargs
        assert c.options is None or c.default in c.options
        assert c.lo is None or c.lo <= c.default <= c.hi
        start = c.initial()  # the widget starts from the default by itself (no session state set before it)
        assert (c.options[start["index"]] if "index" in start else start.get("value", start.get("default"))) == c.default


def test_a_controls_own_starting_value_is_its_default_in_the_widgets_terms():
    assert Control("t.n", "n", 2.5, 0.0, 5.0, kind="number_input").initial() == {"value": 2.5}
    assert Control("t.r", "r", "b", options=("a", "b"), kind="radio").initial() == {"index": 1}
    assert Control("t.s", "s", "b", options=("a", "b", "c"), kind="selectbox").initial() == {"index": 1}
    assert Control("t.m", "m", ["a"], options=("a", "b")).initial() == {"default": ["a"]}
    assert Control("t.t", "t", True).initial() == {"value": True}


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.key)
def test_the_widget_has_exactly_the_controls_range_and_options(c):
    name, args, kwargs = c.widget()
    assert name == c.kind and args[0] == c.label and kwargs["key"] == c.key and "value" not in kwargs
    assert kwargs["help"] == (c.help or None)
    if c.kind in (SLIDER, NUMBER):
        assert (kwargs["min_value"], kwargs["max_value"], kwargs["step"]) == (c.lo, c.hi, c.step)
        assert kwargs.get("format") == c.format
    elif c.kind not in (TOGGLE, TEXT):
        assert args[1] == c.options


def test_the_kind_follows_the_default_unless_given():
    assert Control("k", "k", True).kind == TOGGLE
    assert Control("k", "k", ["a"], options=("a", "b")).kind == MULTISELECT
    assert Control("k", "k", "a", options=["a", "b"]).kind == SELECT_SLIDER
    assert Control("k", "k", "a", options=["a", "b"]).options == ("a", "b")  # a list becomes a tuple
    assert Control("k", "k", "text").kind == TEXT
    assert Control("k", "k", 0.5, 0.0, 1.0).kind == SLIDER
    assert Control("k", "k", 1, 0, 9, kind=NUMBER).kind == NUMBER
    with pytest.raises(ValueError, match="unknown widget kind"):
        Control("k", "k", 1, kind="dial")


def test_defaults_and_duplicate_keys():
    assert defaults(bayes.CONTROLS) == {"bayes.p_rain": 0.3, "bayes.p_umbrella_given_rain": 0.9,
                                        "bayes.p_umbrella_given_dry": 0.2, "bayes.independent": False}
    state = defaults(boundary.CONTROLS)
    assert state[boundary.MODELS.key] == list(boundary.MODELS.default)
    assert state[boundary.MODELS.key] is not boundary.MODELS.default  # a copy: a widget may change it
    with pytest.raises(ValueError, match="share the key"):
        by_key([bayes.P_RAIN, bayes.P_RAIN])


def test_numbers_keep_their_type_and_six_digits():
    assert format_value(0.1 + 0.2) == "0.3" and format_value(1e-5) == "1e-05" and format_value(3) == "3"
    assert loss.STEPS.parse("7.0") == 7 and isinstance(loss.STEPS.parse("7"), int)
    assert math.isclose(gan.CONTROLS["gan.lr_g"].parse("0.002"), 2e-3)
    assert backprop.BATCH.parse("32") == "32" and backprop.LR.parse("0.01") == 0.01
