"""Backprop lab in headless Chromium: seconds from Train to train MSE ≤ 0.01, and live vs bare-loop speed.

Run from the repository root: ``python bench/backprop.py``. Opens the page with the defaults and noise 0
(sin(x) on [−π, π]), clicks Train, and times until the page shows a train MSE ≤ 0.01. Then it counts
steps on the page over a window while training goes on, and compares that rate with a bare loop of the
same trainer (same data, same settings) in this process, measured before and after the page window
(the machine is shared and noisy, so both are measured in the same run). The last line is
``seconds_to_mse_0.01=<s> ratio=<r>``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from core.mlp_regressor import MLPSettings, MLPTrainer  # noqa: E402
from core.regression_data import DataSettings, make_data  # noqa: E402
from tests import browser as harness  # noqa: E402

GOAL_MSE = 0.01
WINDOW_S = 6.0
BARE_S = 3.0

READ_METRIC = """(label) => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(
      e => e.querySelector('[data-testid=stMetricLabel]').innerText.trim().startsWith(label));
  return m ? m.querySelector('[data-testid=stMetricValue]').innerText.trim() : null;
}"""
MSE_BELOW = """(goal) => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(
      e => e.querySelector('[data-testid=stMetricLabel]').innerText.trim().startsWith('Train MSE'));
  if (!m) return false;
  const v = parseFloat(m.querySelector('[data-testid=stMetricValue]').innerText.replace(/,/g, ''));
  return Number.isFinite(v) && v <= goal;
}"""


def bare_rate(seconds: float) -> float:
    """Steps per second of the page's default trainer (noise 0) in a plain loop."""
    trainer = MLPTrainer(make_data(DataSettings(noise=0.0)), MLPSettings())
    for _ in range(20):  # warm-up
        trainer.step()
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.step()
        n += 1
    return n / (time.perf_counter() - start)


def pause(page) -> None:
    """Click Pause until the Train button is back (a click that lands during a redraw can be lost)."""
    for _ in range(5):
        pause_button = page.get_by_role("button", name="⏸ Pause")
        if pause_button.count():
            pause_button.click()
        try:
            page.get_by_role("button", name="▶ Train").wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise RuntimeError("the page did not pause")


def page_steps(page) -> int:
    return int(page.evaluate(READ_METRIC, "Step").replace(",", ""))


def main() -> None:
    rows: list[tuple[str, str]] = []
    with harness.running_server() as server, harness.browser() as chromium:
        page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        harness.goto(page, harness.page_url(server, "pages/5_Backprop.py", "backprop.noise=0"))
        harness.wait_charts(page, 3)
        harness.assert_no_exception(page)
        bare_before = bare_rate(BARE_S)

        clicked = time.perf_counter()
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_function(MSE_BELOW, arg=GOAL_MSE, polling=20, timeout=60_000)
        to_goal = time.perf_counter() - clicked
        steps_at_goal = page_steps(page)

        a_steps, a_time = page_steps(page), time.perf_counter()
        page.wait_for_timeout(WINDOW_S * 1000)
        b_steps, b_time = page_steps(page), time.perf_counter()
        live = (b_steps - a_steps) / (b_time - a_time)
        pause(page)
        harness.assert_no_exception(page)
        bare_after = bare_rate(BARE_S)

    bare = (bare_before + bare_after) / 2
    ratio = live / bare
    rows += [
        ("seconds from Train to train MSE ≤ 0.01 (page)", f"{to_goal:.2f}"),
        ("steps shown when the goal was seen", f"{steps_at_goal}"),
        (f"live page steps/s over {WINDOW_S:.0f} s", f"{live:.0f}"),
        ("bare loop steps/s (before, after)", f"{bare_before:.0f}, {bare_after:.0f}"),
        ("ratio live / bare", f"{ratio:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"seconds_to_mse_0.01={to_goal:.2f} ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
