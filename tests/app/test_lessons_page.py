"""The lessons page: choices give feedback, every step links to its lab, every link's settings parse on that lab."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from core import lessons
from tests.app.conftest import assert_clean, open_page

PAGE = "pages/7_Lessons.py"
STEPS = [(lesson, number, step) for lesson in lessons.LESSONS for number, step in enumerate(lesson.steps, start=1)]


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda entry: entry.key)
def test_each_lesson_opens_from_the_url_with_a_link_per_step(lesson):
    at = open_page(PAGE, {"lesson": lesson.key})
    assert_clean(at)
    assert at.session_state["lesson"] == lesson.key
    assert [s.value for s in at.subheader] == [f"{n}. {s.title}" for n, s in enumerate(lesson.steps, start=1)]
    links = [link for link in at.get("page_link") if "step's settings" in link.proto.label]
    assert len(links) == len(lesson.steps)
    for link, step in zip(links, lesson.steps, strict=True):
        assert link.proto.page == Path(step.page).stem.split("_", 1)[1]
        sent = {k: v if len(v) > 1 or isinstance(step.settings[k], list) else v[0]
                for k, v in parse_qs(link.proto.query_string).items()}
        assert sent == lessons.query(step)


def test_a_choice_gives_right_or_wrong_with_the_reason():
    lesson = lessons.LESSONS[0]
    step = lesson.steps[0]
    at = open_page(PAGE, {"lesson": lesson.key})
    assert not at.success and not at.error  # nothing before the class has chosen
    radio = at.radio(key=f"lesson.{lesson.key}.1")
    radio.set_value(step.choices[step.answer]).run()
    assert at.success[0].value.startswith("Right.") and step.why in at.success[0].value
    wrong = next(c for i, c in enumerate(step.choices) if i != step.answer)
    at.radio(key=f"lesson.{lesson.key}.1").set_value(wrong).run()
    assert not at.success and step.why in at.error[0].value and step.choices[step.answer] in at.error[0].value


def test_a_bad_lesson_in_the_url_falls_back_with_a_warning():
    at = open_page(PAGE, {"lesson": "nonsense"})
    assert_clean(at)
    assert at.session_state["lesson"] == lessons.LESSONS[0].key
    assert any("ignored" in w.value for w in at.warning)


@pytest.mark.parametrize(("lesson", "number", "step"), STEPS, ids=[f"{le.key}-{n}" for le, n, _ in STEPS])
def test_every_link_opens_its_lab_on_exactly_its_settings(lesson, number, step):
    """The lab's own Controls parse every value of the link (no 'ignored' warning) and its widgets take them."""
    at = open_page(step.page, lessons.query(step))
    assert_clean(at)
    assert not [w.value for w in at.warning if "ignored" in w.value]
    for key, value in step.settings.items():
        got = at.session_state[key]
        assert (list(got) if isinstance(value, list) else got) == value, key
