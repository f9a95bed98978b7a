"""Projector mode in Chromium at a projector's 1280 × 720: the sidebar switch on every page enlarges the page's
text, the charts' lettering (Plotly, Vega-Lite) and the server pictures' axes, keeps the navigation and metric labels whole,
and a link with ?projector=1 opens in the mode."""

from __future__ import annotations

import pytest

from tests import browser as harness
from tests.e2e.conftest import fresh_page

PAGES = ["app.py", "pages/1_Bayes_rule.py", "pages/2_Decision_boundaries.py", "pages/3_Loss_surface.py",
         "pages/4_GAN.py", "pages/5_Backprop.py", "pages/6_Next_token.py", "pages/7_Lessons.py"]
ROOT_FONT = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
PLOTLY_TEXT = ("() => Math.max(0, ...[...document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg text')]"
               ".map(t => parseFloat(getComputedStyle(t).fontSize) || 0))")
PICTURE_TEXT = ("() => Math.max(0, ...[...document.querySelectorAll('[data-testid=stHtml] [role=img]')]"
                ".map(d => parseFloat(getComputedStyle(d).fontSize)))")
METRIC_LABELS = "() => document.querySelectorAll('[data-testid=stMetricLabel] p').length"
CUT_LABELS = ("() => [...document.querySelectorAll('[data-testid=stMetricLabel] p, [data-testid=stMetricValue] div')]"
              ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
VEGA_TEXT = ("() => Math.max(0, ...[...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')]"
             ".map(t => parseFloat(getComputedStyle(t).fontSize) || 0))")
PLOTLY_PAGES = {"pages/3_Loss_surface.py"}
"""Pages with Plotly figures in the state QUERY opens them in (the loss lab's 3-D surfaces, switched on)."""
QUERY = {"pages/3_Loss_surface.py": "loss.surfaces=true"}
VEGA_PAGES = {"pages/1_Bayes_rule.py", "pages/2_Decision_boundaries.py", "pages/3_Loss_surface.py", "pages/5_Backprop.py"}
"""Pages whose Vega-Lite charts draw as SVG, so their lettering can be measured (the live GAN's draw on a canvas)."""
PICTURE_PAGES = {"app.py", "pages/2_Decision_boundaries.py"}
METRIC_PAGES = {"pages/1_Bayes_rule.py", "pages/3_Loss_surface.py", "pages/4_GAN.py", "pages/5_Backprop.py",
                "pages/6_Next_token.py"}


@pytest.fixture
def projector_page(chromium):
    """A fresh page at a projector's 1280 × 720."""
    with fresh_page(chromium, 1280, 720, timeout_ms=60_000) as page:
        yield page


@pytest.mark.parametrize("path", PAGES)
def test_the_sidebar_switch_makes_the_page_readable_from_the_back(server, projector_page, path):
    page = projector_page
    harness.goto(page, harness.page_url(server, path, QUERY.get(path, "")))
    assert page.evaluate(ROOT_FONT) == 16
    if path in PLOTLY_PAGES:
        page.wait_for_function(f"() => ({PLOTLY_TEXT})() > 0")
        assert page.evaluate(PLOTLY_TEXT) < 19.5
    if path in VEGA_PAGES:
        page.wait_for_function(f"() => ({VEGA_TEXT})() > 0")
        assert page.evaluate(VEGA_TEXT) < 19.5
    if path in PICTURE_PAGES:
        harness.wait_pictures(page)
        assert page.evaluate(PICTURE_TEXT) == 12
    page.locator("[data-testid=stSidebar] label").filter(has_text="Projector mode").click()
    page.wait_for_function("() => location.search.includes('projector=1')")
    page.wait_for_function(f"() => ({ROOT_FONT})() === 20")
    harness.wait_idle(page)
    harness.assert_no_exception(page)
    if path in PLOTLY_PAGES:  # Plotly's lettering is set per figure: the projector's 20 px after the switch
        page.wait_for_function(f"() => ({PLOTLY_TEXT})() >= 19.5")
    if path in VEGA_PAGES:
        page.wait_for_function(f"() => ({VEGA_TEXT})() >= 19.5")
    if path in PICTURE_PAGES:
        page.wait_for_function(f"() => ({PICTURE_TEXT})() >= 19.5")
    if path in METRIC_PAGES:
        page.wait_for_function(f"() => ({METRIC_LABELS})() > 0")
        assert page.evaluate(CUT_LABELS) == [], "metric labels or values cut short with an ellipsis"


def test_a_link_with_projector_opens_in_projector_mode(server, projector_page):
    page = projector_page
    harness.goto(page, harness.page_url(server, "pages/3_Loss_surface.py", "projector=1&loss.surfaces=true"))
    harness.wait_charts(page, 2)
    # The style block is an element of the run like the charts, and under load it can mount after them.
    page.wait_for_function(f"() => ({ROOT_FONT})() === 20")
    page.wait_for_function(f"() => ({PLOTLY_TEXT})() >= 19.5")
    assert page.locator("[data-testid=stSidebar] input[type=checkbox]").first.is_checked()
