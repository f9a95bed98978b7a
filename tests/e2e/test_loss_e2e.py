"""The loss-surface lab in a real Chromium: the contour map renders (and the 3-D surfaces when asked for),
Step advances the path, Play walks it to the end by itself, a click on the contour map picks the start."""

from __future__ import annotations

import re

import pytest

from tests import browser as harness

pytestmark = pytest.mark.e2e
PAGE = "pages/3_Loss_surface.py"
CONTOUR = "[data-testid=stVegaLiteChart]:has(g.mark-image image)"  # the map is a picture filling the plot
SURFACE_3D = "[data-testid=stPlotlyChart]:has(.gl-container canvas)"


def open_lab(server, page, query: str = "", charts: int = 8) -> None:
    harness.goto(page, harness.page_url(server, PAGE, query), timeout=60_000)
    harness.wait_charts(page, charts, timeout=60_000)
    harness.assert_no_exception(page)


def walked_path(page) -> str:
    """The contour map's line paths (whole path and the walked part)."""
    return page.locator(CONTOUR).first.evaluate(
        "c => [...c.querySelectorAll('g.mark-line path')].map(p => p.getAttribute('d')).join('|')")


def metric_value(page, label: str) -> str:
    """The value of the metric whose label starts with ``label`` (so "w" is not "∂L/∂w")."""
    label_re = re.compile("^" + re.escape(label))
    metric = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=label_re)).first
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_contour_renders_without_plotly_and_the_surfaces_on_request(server, page):
    open_lab(server, page)
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0  # no Plotly (nor its script) by default
    page.get_by_text("Show the loss as 3-D surfaces").click()
    page.wait_for_selector(SURFACE_3D, timeout=60_000)
    page.wait_for_function(f"() => document.querySelectorAll('{SURFACE_3D}').length === 2", timeout=60_000)
    page.wait_for_url(re.compile(r"loss\.surfaces=true"), timeout=30_000)
    harness.assert_no_exception(page)


def test_contour_renders_and_step_advances_the_path(server, page):
    open_lab(server, page)
    assert metric_value(page, "BCE (y=1)") == "0.693" and metric_value(page, "BCE (y=0)") == "0.693"
    picture = page.locator(CONTOUR + " g.mark-image image").first
    picture.wait_for(timeout=30_000)
    assert (picture.get_attribute("href") or "").startswith("data:image/jpeg;base64,")
    box = picture.bounding_box()
    assert box["width"] >= 300 and abs(box["width"] - box["height"]) < 2  # the square plot area, filled
    assert page.get_by_text("Position along the path: step 0 of 60").count() == 1
    before, loss_before = walked_path(page), metric_value(page, "BCE at step 0")
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("() => document.body.innerText.includes('step 1 of 60')", timeout=30_000)
    harness.wait_idle(page)
    assert walked_path(page) != before  # the walked part now has a segment
    assert float(metric_value(page, "BCE at step 1")) < float(loss_before)  # one step downhill
    harness.assert_no_exception(page)
    page.locator("h2", has_text="The surface over the weights").scroll_into_view_if_needed()
    page.locator("[data-testid=stMain]").evaluate("m => m.scrollBy(0, 380)")
    page.mouse.move(5, 5)  # no hover toolbar in the picture
    harness.wait_still(page)
    harness.screenshot(page, "loss")


def test_click_on_the_contour_map_sets_the_start_and_play_walks_to_the_end(server, page):
    open_lab(server, page, "loss.steps=3")
    contour = page.locator(CONTOUR).first
    contour.scroll_into_view_if_needed()
    box = contour.locator("g.mark-image image").first.bounding_box()  # the picture fills the plot area
    w, b = 4.0, -4.0  # axes span −8 … 8 on both
    page.mouse.click(box["x"] + box["width"] * (w + 8) / 16, box["y"] + box["height"] * (8 - b) / 16)
    page.wait_for_url(re.compile(r"loss\.w0=4&.*loss\.b0=-4|loss\.b0=-4&.*loss\.w0=4"), timeout=30_000)
    harness.wait_idle(page)
    slider = page.locator("[data-testid=stSlider]", has_text="Start w").get_by_role("slider")
    assert float(slider.get_attribute("aria-valuenow") or slider.input_value()) == 4.0
    assert metric_value(page, "w") == "4.00" and metric_value(page, "b") == "-4.00"
    # Play: the fragment's timer walks the path by itself and stops at the end.
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => document.body.innerText.includes('step 3 of 3')", timeout=45_000)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # the button says Play again: stopped
    assert page.get_by_role("button", name="Pause").count() == 0
    assert page.get_by_role("button", name="Step").is_disabled()
    assert metric_value(page, "w") != "4.00"  # the model moved from the clicked start
    harness.assert_no_exception(page)
