"""The backprop lab in a real Chromium: Train moves the curve and the counter, Pause stops both, the live
chart updates in place, and an exploding loss pauses with a message that Reset clears."""

from __future__ import annotations

import pytest

from tests import browser as harness

pytestmark = pytest.mark.e2e
PAGE = "pages/5_Backprop.py"
WAIT_MS = 15_000  # generous for a shared CI machine; bench/backprop.py measures the actual seconds

METRIC = """(label) => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(
      e => e.querySelector('[data-testid=stMetricLabel]').innerText.trim().startsWith(label));
  return m ? m.querySelector('[data-testid=stMetricValue]').innerText.trim() : null;
}"""
# The fit chart is the first Vega chart of the page (drawn as SVG); its line paths are the curves.
FIT_PIXELS = """() => {
  const chart = document.querySelector('[data-testid=stVegaLiteChart]');
  const paths = chart ? [...chart.querySelectorAll('.mark-line path')].map(p => p.getAttribute('d')) : [];
  return paths.length ? paths.join('|') : null;
}"""
FIT_SVG = "document.querySelector('[data-testid=stVegaLiteChart] svg')"


def steps(page) -> int:
    return int(page.evaluate(METRIC, "Step").replace(",", ""))


def open_lab(page, server, query: str = "") -> None:
    harness.goto(page, harness.page_url(server, PAGE, query))
    harness.wait_charts(page, 4)
    harness.assert_no_exception(page)


def test_train_moves_curve_and_counter_and_pause_stops_them(server, page):
    open_lab(page, server)
    assert steps(page) == 0
    fit_before = page.evaluate(FIT_PIXELS)
    assert fit_before
    # Tag the chart's svg: if the chart were remounted on each tick, the tag would be gone.
    page.evaluate(f"() => {{ {FIT_SVG}.dataset.tag = 'first'; }}")
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_function(f"() => ({METRIC})('Step') !== '0'", timeout=WAIT_MS)
    page.wait_for_function(f"(before) => ({FIT_PIXELS})() !== before", arg=fit_before, timeout=WAIT_MS)
    first = steps(page)
    page.wait_for_function(f"(n) => parseInt(({METRIC})('Step').replace(/,/g, '')) > n", arg=first, timeout=WAIT_MS)
    assert page.evaluate(f"() => {FIT_SVG}.dataset.tag") == "first"
    harness.assert_no_exception(page)
    page.evaluate("() => document.querySelector('[data-testid=stMetric]').scrollIntoView({block: 'start'})")
    harness.wait_still(page)
    harness.screenshot(page, "backprop")

    page.get_by_role("button", name="⏸ Pause").click()
    page.get_by_role("button", name="▶ Train").wait_for(timeout=WAIT_MS)
    harness.wait_quiet(page)  # the last tick after Pause has landed: no live tick is scheduled any more
    paused, fit_paused = steps(page), page.evaluate(FIT_PIXELS)
    harness.hold(page, lambda: steps(page) == paused and page.evaluate(FIT_PIXELS) == fit_paused, 1500,
                 "the paused net kept training or its curve moved")
    page.get_by_role("button", name="⏭ Step").click()
    page.wait_for_function(f"(n) => parseInt(({METRIC})('Step').replace(/,/g, '')) === n + 1", arg=paused,
                           timeout=WAIT_MS)
    harness.assert_no_exception(page)


def test_exploding_loss_pauses_with_a_message_and_reset_recovers(server, page):
    open_lab(page, server, "backprop.optimizer=SGD&backprop.lr=10")
    page.get_by_role("button", name="▶ Train").click()
    warning = page.locator("[data-testid=stAlert]", has_text="exploded")
    warning.first.wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="▶ Train").wait_for(timeout=WAIT_MS)  # paused itself
    harness.assert_no_exception(page)
    assert "nan" not in page.evaluate(METRIC, "Train MSE").lower()
    page.get_by_role("button", name="↺ Reset").click()
    page.wait_for_function(f"() => ({METRIC})('Step') === '0'", timeout=WAIT_MS)
    harness.wait_idle(page)
    assert warning.count() == 0
    harness.assert_no_exception(page)


def test_backward_shows_gradients_and_the_autograd_check(server, page):
    open_lab(page, server, "backprop.tiny_hidden=2")
    page.get_by_role("button", name="⬅ Backward").click()
    page.get_by_text("agree on all 7 gradients").wait_for(timeout=WAIT_MS)
    diagram = page.locator("[data-testid=stVegaLiteChart]", has_text="x = 1.000").first
    assert "∂L/∂w₁" in diagram.inner_text() and "∂L/∂v₂" in diagram.inner_text()
    harness.assert_no_exception(page)


def test_pause_sticks_when_clicked_during_live_ticks(server, page):
    """A click landing during a live tick reaches its callback twice; Pause must stay paused every time."""
    open_lab(page, server)
    for _ in range(4):
        before = steps(page)
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_function(f"(n) => parseInt(({METRIC})('Step').replace(/,/g, '')) > n", arg=before,
                               timeout=WAIT_MS)
        ticking = steps(page)  # one more live tick: the click below lands while ticks are coming in
        page.wait_for_function(f"(n) => parseInt(({METRIC})('Step').replace(/,/g, '')) > n", arg=ticking,
                               timeout=WAIT_MS)
        page.get_by_role("button", name="⏸ Pause").click()
        page.get_by_role("button", name="▶ Train").wait_for(timeout=WAIT_MS)
        # A second delivery of the click would restart training: it stays paused through a window longer than
        # two live ticks, and the page then settles with no tick scheduled.
        harness.hold(page, lambda: page.get_by_role("button", name="▶ Train").count() == 1, 700,
                     "Pause did not stick")
        harness.wait_quiet(page)
        assert page.get_by_role("button", name="▶ Train").count() == 1
    harness.assert_no_exception(page)
