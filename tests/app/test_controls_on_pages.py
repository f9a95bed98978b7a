"""Each page draws its declared controls: the widget on the page has exactly the control's label, range, step and
options, and its value is the control's default (a range is written once, in the declaration)."""

from __future__ import annotations

import pytest

from core.controls import MULTISELECT, NUMBER, RADIO, SELECT_SLIDER, SELECTBOX, SLIDER, TEXT, TOGGLE
from tests.app.conftest import assert_clean, open_page
from tests.unit.test_controls import LOCAL_CONTROLS, PAGE_CONTROLS

LIGHT_PAGES = ["pages/1_Bayes_rule.py", "pages/3_Loss_surface.py", "pages/5_Backprop.py", "pages/7_Lessons.py",
               "pages/2_Decision_boundaries.py"]
"""The pages without a trainer built at first run that would need the pool (the GAN and next-token pages are
covered by their own app tests and by the unit test of ``Control.widget``)."""

WIDGETS = {SLIDER: "slider", SELECT_SLIDER: "select_slider", SELECTBOX: "selectbox", MULTISELECT: "multiselect",
           RADIO: "radio", TOGGLE: "toggle", NUMBER: "number_input", TEXT: "text_input"}


@pytest.mark.parametrize("page", LIGHT_PAGES)
def test_every_control_a_page_shows_is_the_declared_widget(page):
    at = open_page(page)
    assert_clean(at)
    shown = 0
    for c in PAGE_CONTROLS[page]:
        found = [w for w in getattr(at, WIDGETS[c.kind]) if w.key == c.key]
        if not found:  # drawn only in some states (a model's hyperparameters when it is selected)
            continue
        (w,) = found
        shown += 1
        assert w.label == c.label and (w.help or "") == c.help, c.key
        if c.kind in (SLIDER, NUMBER):
            assert (w.min, w.max) == (c.lo, c.hi), c.key
            if c.step is not None:
                assert w.step == c.step, c.key
        elif c.kind not in (TOGGLE, TEXT):
            assert list(w.options) == [w.format_func(o) if hasattr(w, "format_func") and w.format_func else str(o)
                                       for o in c.options], c.key
        expected = list(c.default) if c.is_list else c.default
        assert w.value == expected, c.key
    assert shown >= 1 if page == "pages/7_Lessons.py" else shown >= 3


def test_the_bayes_new_day_is_its_declared_number_boxes_and_stays_out_of_the_link():
    """The naive-Bayes part is not shared by links: its new day's boxes are drawn from their declaration, not in the URL."""
    page = "pages/1_Bayes_rule.py"
    at = open_page(page)
    assert_clean(at)
    for c in LOCAL_CONTROLS[page]:
        (w,) = [w for w in at.number_input if w.key == c.key]
        assert (w.label, w.min, w.max, w.value) == (c.label, c.lo, c.hi, c.default), c.key
        assert c.key not in at.query_params
