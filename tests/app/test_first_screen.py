"""A fresh tab's first run draws the page's first screen and a signal; the next run draws the whole page.

(``ui.first_screen_end``: in the browser the signal asks for that run once the first screen is drawn; here a second
``at.run()`` stands in for it, as ``open_page`` does.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import ui
from tests.app.conftest import assert_clean, complete_first_screen, on_first_screen, open_page


def first_run(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    """A new session's first run of ``page_file`` (what a fresh tab opening its link gets), not completed."""
    return open_page(page_file, query, whole=False)


def signals(at: AppTest) -> int:
    return len(at.get("bidi_component"))


def headings(at: AppTest) -> list[str]:
    return [h.value for h in (*at.header, *at.subheader)]


def metric_labels(at: AppTest) -> list[str]:
    return [m.label for m in at.metric]


# (page, what its first screen shows, what only the whole page shows)
PAGES = [
    ("app.py", lambda at: len(at.get("html")) == 2, lambda at: "Model families and where to see them" in headings(at)),
    ("pages/1_Bayes_rule.py", lambda at: "P(rain | umbrella)" in metric_labels(at),
     lambda at: "Naive Bayes by hand" in headings(at) and len(at.dataframe) > 0),
    ("pages/2_Decision_boundaries.py", lambda at: len(at.get("vega_lite_chart")) == 1,
     lambda at: "Models" in headings(at) and len(at.slider) > 0),
    ("pages/3_Loss_surface.py", lambda at: "BCE (y=1): −ln ŷ" in metric_labels(at),
     lambda at: "3 · The same BCE in a GAN" in headings(at) and len(at.get("vega_lite_chart")) > 0),
    ("pages/4_GAN.py", lambda at: "Step" in metric_labels(at),
     lambda at: any(s.key == "gan.digits.loss" for s in at.selectbox)),
    ("pages/5_Backprop.py", lambda at: "Step" in metric_labels(at),
     lambda at: "One backward pass by hand" in headings(at) and len(at.slider) > 0),
    ("pages/6_Next_token.py", lambda at: "Vocabulary size V" in metric_labels(at),
     lambda at: "2. The bigram model: count, then divide" in headings(at)),
]


@pytest.mark.parametrize(("page_file", "first", "rest"), PAGES, ids=[p[0] for p in PAGES])
def test_a_fresh_tab_gets_the_first_screen_then_the_whole_page(page_file, first, rest):
    at = first_run(page_file)
    assert_clean(at)
    assert on_first_screen(at) and signals(at) == 1
    assert first(at), "the first screen lacks the page's first content"
    assert not rest(at), "the first screen already holds the rest of the page"

    at.run()  # the signal: the browser has drawn the first screen
    assert_clean(at)
    assert at.session_state[ui.FIRST_SCREEN] == "completing" and signals(at) == 0
    assert first(at) and rest(at)

    at.run()  # any later run draws the whole page at once
    assert at.session_state[ui.FIRST_SCREEN] == "done" and signals(at) == 0 and rest(at)


def test_a_page_without_a_first_screen_is_whole_at_once():
    at = first_run("pages/7_Lessons.py", {"lesson": "nonsense"})
    assert_clean(at)
    assert signals(at) == 0 and len(at.radio) > 1  # the lesson choice and its steps' questions
    assert warnings(at)  # the link's bad value, said once...
    at.run()
    assert at.session_state[ui.FIRST_SCREEN] == "done" and not warnings(at)  # ...not again: nothing was held back


def test_later_pages_of_the_session_come_whole():
    """Only a session's first run stops at the first screen: a page opened from the sidebar comes whole."""
    at = complete_first_screen(first_run("app.py"))
    at.switch_page("pages/1_Bayes_rule.py")
    at.run()
    assert signals(at) == 0 and "Naive Bayes by hand" in headings(at)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "ignored" in w.value]


def test_what_the_link_got_wrong_is_said_on_the_first_screen_and_on_the_whole_page():
    at = first_run("pages/1_Bayes_rule.py", {"bayes.p_rain": "lots"})
    assert on_first_screen(at) and warnings(at)
    at.run()
    assert not on_first_screen(at) and warnings(at)
    at.slider(key="bayes.p_rain").set_value(0.5).run()  # the student moves on: said once is enough
    assert not warnings(at)


def test_a_first_run_cut_short_before_its_end_is_completed_and_says_the_link_again():
    """A click while the first run is still drawing (before ``first_screen_end``) replaces that run: the state it left
    ("drawing") is what the next full run finds, and that run completes the page with what the link got wrong."""
    at = first_run("pages/1_Bayes_rule.py", {"bayes.p_rain": "lots"})
    at.session_state[ui.FIRST_SCREEN] = "drawing"  # as the cut-short run left it
    at.run()
    assert_clean(at)
    assert at.session_state[ui.FIRST_SCREEN] == "completing" and signals(at) == 0 and warnings(at)
    assert "Naive Bayes by hand" in headings(at)


def test_a_click_before_the_signal_draws_the_whole_page_with_it():
    """A widget outside the page's fragments (the GAN's loss) changed before the signal: that run is a run of the
    whole page, with the new value. (A widget inside a fragment reruns only that fragment in a browser, with the
    session still "stopped" on its first screen, so the fragment still leaves out its lower part; AppTest always runs
    the whole script and cannot show that case.)"""
    at = first_run("pages/4_GAN.py")
    at.selectbox(key="gan.loss").set_value("minimax").run()  # a student quicker than the signal
    assert_clean(at)
    assert signals(at) == 0 and any(s.key == "gan.digits.loss" for s in at.selectbox)
    assert at.selectbox(key="gan.loss").value == "minimax"
