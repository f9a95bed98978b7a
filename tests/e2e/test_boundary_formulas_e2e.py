"""The decision-boundary page's "How each model decides" in Chromium: KaTeX renders, a model's slider updates it."""

from __future__ import annotations

import pytest

from tests import browser as harness

pytestmark = pytest.mark.e2e
PAGE = "pages/2_Decision_boundaries.py"
PICTURES = "[data-testid=stHtml] [data-model] img"
KNN_TEXT = ("() => { const e = [...document.querySelectorAll('[data-testid=stExpander]')]"
            ".find(e => e.querySelector('summary').innerText.trim().endsWith('k-NN')); return e ? e.innerText : ''; }")


def test_the_written_out_decisions_render_and_follow_a_model_setting(server, page):
    harness.goto(page, harness.page_url(server, PAGE, "boundary.models=k-NN&boundary.models=Decision%20tree"),
                 timeout=120_000)
    page.wait_for_function(f"() => [...document.querySelectorAll('{PICTURES}')].filter(i => i.complete).length === 2",
                           timeout=120_000)
    harness.wait_idle(page, timeout=60_000)
    harness.assert_no_exception(page)
    for name in ("Decision tree", "k-NN"):
        page.locator("[data-testid=stExpander] summary", has_text=name).click()
    page.wait_for_function(f"() => ({KNN_TEXT})().includes('agree')", timeout=30_000)
    assert page.locator("[data-testid=stExpander] .katex").count() >= 5  # LaTeX drawn by KaTeX
    assert page.locator(".katex-error").count() == 0
    assert "k=15" in page.evaluate(KNN_TEXT).replace(" ", "")
    thumb = page.locator("[data-testid=stSlider]", has_text="k-NN: k neighbours").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # k 15 -> 16: only the k-NN panel and the results fragment rerun
    page.wait_for_function(f"() => ({KNN_TEXT})().replace(/\\s/g, '').includes('k=16')", timeout=60_000)
    harness.wait_idle(page, timeout=60_000)
    harness.assert_no_exception(page)
    text = page.evaluate(KNN_TEXT)
    assert "The 16 nearest training points" in text and "differ" not in text
    assert page.locator(".katex-error").count() == 0
