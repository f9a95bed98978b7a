"""Lesson content: well-formed steps, settings in the labs' own text form, the Ng & Jordan setup kept in step."""

from __future__ import annotations

import pytest

from core import lessons
from core.boundary import controls as bd
from core.controls import format_value
from core.ui import LABS
from tests.unit.test_controls import PAGE_CONTROLS

STEPS = [step for lesson in lessons.LESSONS for step in lesson.steps]


def test_three_lessons_with_unique_keys_and_the_notes_story():
    assert [entry.key for entry in lessons.LESSONS] == ["generative", "learning", "making"]
    pages = {entry.key: {step.page for step in entry.steps} for entry in lessons.LESSONS}
    assert pages["generative"] == {lessons.BAYES, lessons.BOUNDARY}
    assert pages["learning"] == {lessons.LOSS, lessons.BACKPROP}
    assert pages["making"] == {lessons.GAN, lessons.NEXT_TOKEN}
    with pytest.raises(KeyError):
        lessons.lesson("nope")


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.title)
def test_every_step_is_complete(step):
    assert step.question.endswith("?") and len(step.choices) >= 2 and len(set(step.choices)) == len(step.choices)
    assert 0 <= step.answer < len(step.choices)
    assert step.page in {lab.path for lab in LABS}
    assert step.why and step.look_at and step.explanation
    assert step.feedback(None) is None
    assert step.feedback(step.choices[step.answer]) == (True, f"Right. {step.why}")
    for i, choice in enumerate(step.choices):
        right, text = step.feedback(choice)
        assert right == (i == step.answer) and step.why in text


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.title)
def test_query_is_the_labs_own_text_form(step):
    assert lessons.query(step) == {key: format_value(value) for key, value in step.settings.items()}
    controls = {c.key: c for c in PAGE_CONTROLS[step.page]}
    for key, text in lessons.query(step).items():  # and each value is one the lab's own control takes back
        assert controls[key].parse(text) == step.settings[key], key


def test_ng_jordan_step_uses_the_labs_own_setup():
    step = next(s for s in lessons.GENERATIVE.steps if "Ng & Jordan" in s.title)
    assert {k: v for k, v in step.settings.items() if k in bd.NG_JORDAN} == bd.NG_JORDAN
    assert set(step.settings["boundary.lc_models"]) == {"Gaussian naive Bayes", "Logistic regression"}


def test_curve_leaders_names_the_lowest_mean_error_per_size():
    import numpy as np

    summary = {"A": (np.array([0.2, np.nan, 0.5]), np.zeros(3)), "B": (np.array([0.3, 0.1, 0.4]), np.zeros(3))}
    assert bd.curve_leaders([13, 21, 88], summary) == \
        "Lowest mean test error: m = 13: A (0.200); m = 21: B (0.100); m = 88: B (0.400)."
    assert bd.curve_leaders([13], {"A": (np.array([np.nan]), np.zeros(1))}) == ""
