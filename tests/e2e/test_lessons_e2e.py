"""Every link of every lesson, followed in Chromium: the lab opens on the step's settings and shows what the step says.

Claims that need training (the GAN's modes, the next word, the sine fit, the learning curves) are checked through
core in the unit tests each step names; here the link must open the right lab with those settings, no exception.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from core import lessons
from tests import browser as harness

PAGE = "pages/7_Lessons.py"


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda entry: entry.key)
def test_every_link_opens_its_lab_with_the_settings_and_the_claim(server, page, lesson):
    for number, step in enumerate(lesson.steps, start=1):
        harness.goto(page, harness.page_url(server, PAGE, f"lesson={lesson.key}"))
        link = page.locator("[data-testid=stMain] a", has_text="with this step's settings").nth(number - 1)
        link.click()
        lab = harness.page_url(server, step.page).split("?")[0]
        page.wait_for_url(re.compile(re.escape(lab) + r"\?"), timeout=30_000)
        page.wait_for_selector("[data-testid=stMain] h1", timeout=60_000)
        if step.press:
            harness.wait_idle(page, timeout=60_000)
            page.get_by_role("button", name=step.press).click()
        for text in step.shows:  # a live page keeps re-running: wait on the content, with a deadline
            # Shown to the student: a data grid also holds its cells' text in hidden accessibility cells.
            page.get_by_text(text).filter(visible=True).first.wait_for(timeout=60_000)
        harness.assert_no_exception(page)
        assert not page.get_by_text("Some settings in the link were ignored").count(), step.title
        if "Ng & Jordan" in step.title:
            check_crossover(page.get_by_text("Lowest mean test error").first.inner_text())
        sent = parse_qs(urlparse(page.url).query)
        for key, value in lessons.query(step).items():
            assert sent.get(key) == (value if isinstance(value, list) else [value]), (step.title, key, sent.get(key))


def check_crossover(line: str) -> None:
    """The page's own numbers: naive Bayes lower at m = 21, logistic regression at every m ≥ 88."""
    leaders = {int(m): name for m, name in re.findall(r"m = (\d+): ([^(;]+?) \(", line)}
    assert leaders[21] == "Gaussian naive Bayes", line
    large = [m for m in leaders if m >= 88]
    assert large and all(leaders[m] == "Logistic regression" for m in large), line
