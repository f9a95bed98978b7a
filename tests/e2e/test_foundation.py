"""The shell in a real browser: sidebar navigation, every page renders, URL state, the Bayes sliders."""

from __future__ import annotations

import re

import pytest

from core.ui import existing_labs
from tests import browser as harness

pytestmark = pytest.mark.e2e


def test_home_renders_and_sidebar_links_open_every_page(server, page):
    harness.goto(page, server.url + "/")
    harness.assert_no_exception(page)
    harness.wait_pictures(page, 2)  # the two models' pictures
    assert page.locator("[data-testid=stPlotlyChart], [data-testid=stVegaLiteChart]").count() == 0
    harness.screenshot(page, "home")
    sources = "() => [...document.querySelectorAll('[data-testid=stHtml] img')].map(i => i.getAttribute('src'))"
    before = page.evaluate(sources)
    page.get_by_role("button", name="Sample again").click()  # new stars on the left, the right stays
    page.wait_for_function(f"(b) => {{ const now = ({sources})(); return now[0] !== b[0]; }}", arg=before)
    assert page.evaluate(sources)[1] == before[1]
    harness.assert_no_exception(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert sidebar.get_by_text("Home", exact=True).count() == 1
    assert sidebar.get_by_text("app", exact=True).count() == 0
    for lab in existing_labs():
        harness.goto(page, server.url + "/")
        home_title = page.locator("[data-testid=stMain] h1").first.inner_text()
        page.locator("[data-testid=stSidebar] a", has_text=lab.label).first.click()
        page.wait_for_url(re.compile(re.escape(harness.page_url(server, lab.path).split("?")[0])))
        # The home page's title stays until the lab has drawn its own.
        page.wait_for_function("(home) => { const h = document.querySelector('[data-testid=stMain] h1');"
                               " return h && h.innerText !== home; }", arg=home_title, timeout=30_000)
        harness.wait_charts(page, 1, timeout=60_000)
        harness.assert_no_exception(page)
        assert page.locator("[data-testid=stCaptionContainer]").first.inner_text().strip()


def _posterior(page) -> str:
    metric = page.locator("[data-testid=stMetric]", has_text="P(rain | umbrella)").first
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_bayes_slider_moves_posterior_with_keyboard(server, page):
    harness.goto(page, harness.page_url(server, "pages/1_Bayes_rule.py"))
    harness.assert_no_exception(page)
    assert _posterior(page) == "0.659"
    harness.wait_charts(page, 2)
    harness.screenshot(page, "bayes")
    thumb = page.locator("[data-testid=stSlider]", has_text="P(rain): the prior").get_by_role("slider")
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(m => m.innerText.includes('P(rain | umbrella)') && !m.innerText.includes('0.659'))"
    )
    harness.wait_idle(page)
    assert _posterior(page) != "0.659"
    assert "bayes.p_rain=0.35" in page.url
    harness.assert_no_exception(page)


def test_bayes_url_sets_widgets(server, page):
    query = "bayes.p_rain=0.5&bayes.p_umbrella_given_rain=0.8&bayes.p_umbrella_given_dry=0.4"
    harness.goto(page, harness.page_url(server, "pages/1_Bayes_rule.py", query))
    harness.assert_no_exception(page)
    # 0.5*0.8 / (0.5*0.8 + 0.5*0.4) = 0.667
    assert _posterior(page) == "0.667"
    slider = page.locator("[data-testid=stSlider]", has_text="P(rain): the prior").get_by_role("slider")
    assert slider.input_value() == "0.5"


def test_bad_url_values_are_ignored_with_a_message(server, page):
    harness.goto(page, harness.page_url(server, "pages/1_Bayes_rule.py", "bayes.p_rain=banana&bayes.independent=maybe"))
    harness.assert_no_exception(page)
    assert page.get_by_text("Some settings in the link were ignored").count() == 1
    assert _posterior(page) == "0.659"
