"""The headless student (tests/student.py) against the real server: what bench/classroom.py relies on."""

from __future__ import annotations

import pytest

from core.bayes import story as bayes
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
