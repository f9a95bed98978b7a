"""The next-token lab in a real browser: Train, the Agreement metric rises, the bars change, Generate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import browser as harness

pytestmark = pytest.mark.e2e
PAGE = "pages/6_Next_token.py"

BARS = """(title) => {
  // Vega labels every bar for screen readers: "P(next token): 0.55; token: are; ...".
  const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
  const chart = charts.find(c => [...c.querySelectorAll('text')].some(t => t.textContent.startsWith(title)));
  if (!chart) return null;
  const out = {};
  for (const bar of chart.querySelectorAll('path[aria-label]')) {
    const m = bar.getAttribute('aria-label').match(/^P\\(next token\\): ([0-9.e-]+); token: ([^;]+);/);
    if (m) out[m[2]] = parseFloat(m[1]);
  }
  return out;
}"""


def metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


@pytest.mark.trains
def test_training_raises_agreement_and_moves_the_bars(server, page):
    harness.goto(page, harness.page_url(server, PAGE))
    harness.assert_no_exception(page)
    page.wait_for_function(f"() => ({BARS})('Transformer') !== null && Object.keys(({BARS})('Transformer')).length > 0")
    before = page.evaluate(BARS, "Transformer")
    bigram = page.evaluate(BARS, "Bigram")
    assert metric(page, "Step") == "0"
    assert bigram["are"] > 0 and bigram["is"] > 0  # "sky" alone: smoothing gives every token some mass
    expect(page.locator(".st-key-nexttoken-prompt input")).to_have_value("where the sky")  # filled in by React

    page.locator(".st-key-nexttoken-train button").click()
    reached = page.wait_for_function(
        "() => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".find(m => m.innerText.startsWith('Agreement'));"
        " const v = m && parseFloat(m.querySelector('[data-testid=stMetricValue]').innerText);"
        " return v >= 95 ? v : false; }",
        timeout=120_000,  # a wait, not a timed assert: a shared CI machine may be slow
    )
    # The value the wait saw: training goes on, and the held-out agreement (a few contexts) can swing by the
    # time the page is read again (a CI run once read 60 % right after seeing ≥ 95 %).
    assert reached.json_value() >= 95
    assert int(metric(page, "Step").replace(",", "")) > 0
    page.wait_for_function(f"() => {{ const b = ({BARS})('Transformer'); return b && b['is'] > 10 * b['are']; }}")
    after = page.evaluate(BARS, "Transformer")
    assert after != before and after["is"] > after["are"]  # singular "sky": is over are, the page's claim
    assert page.evaluate(BARS, "Bigram") == bigram  # the bigram did not learn anything new

    page.locator(".st-key-nexttoken-train button", has_text="Pause").click()
    page.locator(".st-key-nexttoken-train button", has_text="Train").wait_for()
    page.locator(".st-key-nexttoken-generate button").click()
    page.locator("[data-testid=stCaptionContainer]", has_text="ms per token").first.wait_for()
    harness.wait_idle(page)
    harness.assert_no_exception(page)
    assert page.locator("p", has_text=re.compile(r"^Transformer: where the sky \w")).count() == 1
    page.mouse.move(5, 5)  # no tooltip in the picture
    page.locator(".st-key-nexttoken-prompt").evaluate("e => e.scrollIntoView()")
    harness.wait_still(page)
    harness.screenshot(page, "nexttoken")


def test_unknown_words_and_bad_text_show_messages(server, page):
    harness.goto(page, harness.page_url(server, PAGE, "nexttoken.prompt=where+the+tornado"))
    harness.assert_no_exception(page)
    warning = page.locator("[data-testid=stAlert]", has_text="Not in the vocabulary")
    assert "tornado" in warning.inner_text() and "dropped" in warning.inner_text()
    page.get_by_text("your own text").click()
    harness.wait_idle(page)
    box = page.locator(".st-key-nexttoken-text textarea")
    box.fill("the sky is grey .")
    box.press("Control+Enter")
    page.locator("[data-testid=stAlert]", has_text="too short").wait_for()
    harness.assert_no_exception(page)
    assert metric(page, "Vocabulary size") == "77"  # still the corpus
