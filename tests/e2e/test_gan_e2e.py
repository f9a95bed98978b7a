"""The live GAN lab in Chromium: Train updates the counter and the charts in place, Pause stops them,
and clicks on the drawing canvas add points."""

from __future__ import annotations

import pytest

from tests import browser as harness

pytestmark = pytest.mark.e2e

PAGE = "pages/4_GAN.py"
LIVE = "[data-testid=stVegaLiteChart]"

STEP = """() => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')]
    .find(el => (el.querySelector('[data-testid=stMetricLabel]')?.textContent || '').startsWith('Step'));
  return m ? Number(m.querySelector('[data-testid=stMetricValue]').textContent.replace(/,/g, '')) : null;
}"""

# Tag every live chart's canvas with a JS property and remember what it showed. A chart that is
# replaced (remounted) gets a new canvas without the tag; one updated in place keeps it.
MARK = """(sel) => {
  const canvases = [...document.querySelectorAll(sel + ' canvas')];
  window.__marked = canvases.map((c, i) => { c.__ganMark = i; return c; });
  window.__pictures = canvases.map(c => c.toDataURL());
  return canvases.length;
}"""
SAME_ELEMENTS = """(sel) => {
  const now = [...document.querySelectorAll(sel + ' canvas')];
  return window.__marked.every(c => c.isConnected && now.includes(c) && c.__ganMark !== undefined);
}"""
CHANGED = "() => window.__marked.map((c, i) => c.toDataURL() !== window.__pictures[i])"


def button(page, key: str):
    return page.locator(f".st-key-{key.replace('.', '-')} button").first


def step(page) -> int:
    return page.evaluate(STEP)


def test_train_updates_counter_and_charts_in_place_and_pause_stops_them(server, page):
    harness.goto(page, harness.page_url(server, PAGE), timeout=120_000)
    harness.wait_charts(page, 3, timeout=60_000)
    harness.assert_no_exception(page)
    assert step(page) == 0
    n_charts = page.evaluate(MARK, LIVE)
    assert n_charts >= 3  # samples over D(x), the losses, mean D(real) and D(fake)

    button(page, "gan.train").click()
    page.wait_for_function(f"() => ({STEP})() > 0", timeout=30_000)
    for _ in range(2):  # two more live ticks
        now = step(page)
        page.wait_for_function(f"() => ({STEP})() > {now}", timeout=30_000)
    harness.assert_no_exception(page)
    # The same canvas elements are still in the page (updated in place, not remounted) ...
    assert page.evaluate(SAME_ELEMENTS, LIVE)
    # ... and what they show has changed: at least the samples picture and the loss curves.
    changed = page.evaluate(CHANGED)
    assert sum(changed) >= 2, changed
    button(page, "gan.train").scroll_into_view_if_needed()
    page.mouse.wheel(0, 120)
    harness.wait_still(page)
    harness.screenshot(page, "gan")

    button(page, "gan.train").click()  # Pause
    page.wait_for_selector(".st-key-gan-train button:has-text('Train')")
    harness.wait_quiet(page)  # the last tick after Pause has landed: no live tick is scheduled any more
    paused = step(page)
    page.evaluate(MARK, LIVE)
    harness.hold(page, lambda: step(page) == paused and not any(page.evaluate(CHANGED)), 1500,
                 "a paused GAN kept training or redrawing")
    harness.assert_no_exception(page)


def test_clicks_on_the_canvas_draw_a_distribution_that_trains(server, page):
    harness.goto(page, harness.page_url(server, PAGE, "gan.target=drawn%20by%20you"), timeout=120_000)
    # Said once the worker has answered: at once on a warm pool, a few seconds when this test starts the worker.
    page.get_by_text("Draw at least 20 points").first.wait_for(timeout=60_000)
    plot = page.locator("[data-testid=stPlotlyChart] .nsewdrag").first
    for fx, fy in ((0.3, 0.3), (0.7, 0.6)):  # the cloud brush adds 12 points per click
        plot.scroll_into_view_if_needed()
        box = plot.bounding_box()
        before = page.get_by_text("points).").first.inner_text()
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        page.mouse.move(x, y)  # Plotly clicks the point it hovers: let the hover land first
        page.locator("[data-testid=stPlotlyChart] .hoverlayer .hovertext").first.wait_for()
        page.mouse.click(x, y)
        page.wait_for_function(
            "(b) => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
            ".some(el => el.textContent.includes('points).') && !el.textContent.includes(b))",
            arg=before.split("(")[-1], timeout=30_000,
        )
        harness.wait_idle(page)
    assert "(24 points)" in page.get_by_text("points).").first.inner_text()
    assert page.get_by_text("Draw at least 20 points").count() == 0
    button(page, "gan.step").click()
    page.wait_for_function(f"() => ({STEP})() === 1", timeout=30_000)
    harness.assert_no_exception(page)
