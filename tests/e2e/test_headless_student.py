"""The headless student (tests/student.py) against the real server: what bench/classroom.py relies on."""

from __future__ import annotations

import pytest

from core.bayes import story as bayes
from core.gan import model as gan
from tests import browser as harness
from tests.student import Student


@pytest.fixture
def student(server):
    s = Student(server.port)
    yield s
    s.close()


def test_bayes_slider_moves_the_posterior_to_the_value_core_computes(student):
    student.open("Bayes_rule")
    assert student.metric("P(rain | umbrella)") == "0.659"
    student.set_slider("bayes.p_rain", 0.5)
    expected, _ = bayes.posteriors(bayes.UmbrellaStory(p_rain=0.5))  # the other sliders at their defaults
    shown = student.wait_for(lambda: (v := student.metric("P(rain | umbrella)")) != "0.659" and v, 30)
    assert float(shown) == pytest.approx(expected, abs=5e-4)


def test_train_on_the_gan_makes_the_step_metric_grow(student):
    student.open("GAN")
    assert student.metric("Step") == "0"
    student.click("gan.train")
    student.wait_for(lambda: student.fragments, 30)  # the live fragment asks for reruns (run_every)

    def step() -> int:
        return int((student.metric("Step") or "0").replace(",", ""))

    first = student.wait_for(step, 60)
    assert student.wait_for(lambda: step() > first, 30)


def test_a_page_whose_link_has_an_underscore_keeps_its_own_runs(student):
    """The server lists the page as "Next token", a link says "Next_token": the student's fragment reruns must
    carry that page's script, or a whole-page rerun asked for inside one (st.rerun) would run the home page."""
    student.open("Next_token")
    assert student.pages["Next_token"] == student.pages["Next token"] != student.pages[""]
    student.click("nexttoken.train")
    runs = student.runs_finished
    student.wait_for(lambda: student.runs_finished >= runs + 10, 90)  # live redraws, and the reruns they ask for
    assert student.widget("nexttoken.train")[1].label == "⏸ Pause"  # still the next-token page, training


def test_a_tab_that_comes_back_to_a_new_session_keeps_its_whole_page_and_its_values(server):
    """A fresh tab gets the page's first screen first; a tab that comes back with the page (a new session whose
    first run carries its widget values) gets the whole page at once, and a value set below the first screen
    stays (it would be dropped if that run stopped before drawing its widget)."""
    first = Student(server.port)
    first.open("Bayes_rule")
    shown = first.metric("P(rain | new day), by hand")
    runs = first.runs_finished
    first.set_number("bayes.new.0", 16.0)  # the new day's humidity h, in the naive Bayes part below the first screen
    changed = first.wait_for(lambda: first.runs_finished > runs and first.metric("P(rain | new day), by hand") != shown
                             and first.metric("P(rain | new day), by hand"), 30)
    second = first.reconnect()
    try:
        second.wait_for(lambda: second.runs_finished >= 1 and second.script_finished.is_set(), 60)
        assert not second.first_screen_pending  # the whole page, at once
        assert second.metric("P(rain | new day), by hand") == changed  # h = 16 kept
    finally:
        second.close()


def test_the_message_cache_forgets_what_recent_runs_did_not_send_as_the_front_end_does(student):
    """The hashes a tab sends with each rerun decide what the server sends whole: a tab that never forgot a
    message would be sent less than a browser is. The front end forgets a fragment's messages two runs after
    they were last sent (global.maxCachedMessageAge), so a training view's cache stays small while every redraw
    brings new charts, and the server never refers to a message the tab has dropped."""
    student.open("GAN")
    student.click("gan.train")
    student.wait_for(lambda: student.runs_finished >= 10, 60)
    size, received, runs = len(student.cache), student.cached_received, student.runs_finished
    student.wait_for(lambda: student.runs_finished >= runs + 30, 90)
    assert student.cached_received - received >= 30  # each redraw sent new cacheable messages...
    assert len(student.cache) <= size + 5  # ...and the tab kept only its recent runs' ones
    assert student.cache_misses == 0


def test_a_live_view_left_without_its_timer_is_run_again_by_the_server():
    """On a busy server Streamlit can drop what a finished run of the page sent (its live view's timer among it)
    when a timed rerun arrives just then; the view froze. The training pool sees a running trainer whose connected
    page stopped drawing and runs that page again, as the browser last asked for it, with no click replayed."""
    server = harness.start_server(env={"PLAYGROUND_STALL_S": "3"})
    student = Student(server.port)
    try:
        student.open("GAN")
        student.click("gan.train")
        student.wait_for(lambda: student.fragments, 30)

        def step() -> int:
            return int((student.metric("Step") or "0").replace(",", ""))

        student.wait_for(step, 60)
        for _ in range(20):  # what such a lost run leaves in the browser: no timer, nothing asks for a redraw
            with student.lock:
                student._stop_timers()  # noqa: SLF001 - the state under test
            # A run already on its way sends its timer again before it finishes: wait for it, and stop that too.
            student.wait_for(lambda: student.script_finished.is_set(), 30)
            if not student.fragments:
                break
        assert not student.fragments
        frozen, runs = step(), student.runs_finished
        # The server ran the page again: a run finished since, and the timer is back.
        student.wait_for(lambda: student.runs_finished > runs and student.fragments, 60)
        assert student.wait_for(lambda: step() > frozen, 30)  # and the view moves on
        assert student.widget("gan.train")[1].label == "⏸ Pause"  # still training: Train was not pressed again
    finally:
        student.close()
        harness.stop_server(server)


@pytest.mark.parametrize("page", ["GAN", "Backprop", "Next_token", "Decision_boundaries", "Loss_surface", "Bayes_rule"])
def test_the_widget_values_a_student_sends_back_are_the_ones_the_server_shows(student, page):
    """Each rerun carries every shown widget's value, as the front end sends them. Each page writes all its
    settings to the URL, so a value read back differently would change the query string after the rerun."""
    student.open(page)
    first = student.wait_for(lambda: student.query, 30)
    with student.lock:
        shown = student._shown_states()  # noqa: SLF001 - what the rerun sends
    assert len(shown) >= 3
    for _ in range(2):  # the second rerun's widgets come without the values the first run of the page set
        runs = student.runs_finished
        student.rerun()
        student.wait_for(lambda runs=runs: student.runs_finished > runs and student.script_finished.is_set(), 60)
    with student.lock:
        kinds = [el.WhichOneof("type") for el in student.elements.values()]
    assert "exception" not in kinds and student.query == first


def test_a_value_the_script_sets_replaces_the_students_own(student):
    """A preset button sets the GAN's widgets from its callback (``set_value``): the student's reruns then send the
    preset's values, not its own older ones, so the URL keeps the preset."""
    student.open("GAN")
    first = student.wait_for(lambda: student.query, 30)
    student.click(f"gan.preset.{gan.COLLAPSE}")
    preset = student.wait_for(lambda: student.query != first and student.script_finished.is_set() and student.query, 60)
    runs = student.runs_finished
    student.rerun()
    student.wait_for(lambda: student.runs_finished > runs and student.script_finished.is_set(), 60)
    assert student.query == preset
