"""Backprop lab in headless Chromium: seconds from Train to train MSE ≤ 0.01, and live vs bare-loop speed.

Run from the repository root: ``python bench/backprop.py``. Opens the page with the defaults and noise 0
(sin(x) on [−π, π]), clicks Train, and times until the page shows a train MSE ≤ 0.01. Then it compares
the page's training speed with a bare loop of the same trainer (same data, same settings) in this
process, in interleaved rounds: bare loop, page training (steps counted on the page over a window while
it redraws), Pause, bare loop, ... The machine's speed drifts by 10–20 % over a minute (it is a shared
virtual machine), so each round's page rate is divided by the mean of the bare rates just before and
just after it, and the ratio reported is the median over the rounds. The last line is
``seconds_to_mse_0.01=<s> ratio=<r>``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from core import runtime  # noqa: E402
from core.backprop.data import DataSettings, make_data  # noqa: E402
from core.backprop.mlp import MLPSettings, MLPTrainer  # noqa: E402
from tests import browser as harness  # noqa: E402

GOAL_MSE = 0.01
ROUNDS = 3
WINDOW_S = 4.0
SETTLE_S = 1.0
BARE_S = 2.0

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


def live_rate(page) -> float:
    """Steps per second shown on the page over WINDOW_S while it trains (after SETTLE_S to get going)."""
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_timeout(SETTLE_S * 1000)
    a_steps, a_time = page_steps(page), time.perf_counter()
    page.wait_for_timeout(WINDOW_S * 1000)
    b_steps, b_time = page_steps(page), time.perf_counter()
    pause(page)
    return (b_steps - a_steps) / (b_time - a_time)


def main() -> None:
    runtime.configure()  # one torch thread, as in the training workers
    rows: list[tuple[str, str]] = []
    with harness.running_server() as server, harness.browser() as chromium:
        page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        harness.goto(page, harness.page_url(server, "pages/5_Backprop.py", "backprop.noise=0"))
        harness.wait_charts(page, 3)
        harness.assert_no_exception(page)

        clicked = time.perf_counter()
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_function(MSE_BELOW, arg=GOAL_MSE, polling=20, timeout=60_000)
        to_goal = time.perf_counter() - clicked
        steps_at_goal = page_steps(page)
        pause(page)

        bares, lives = [bare_rate(BARE_S)], []
        for _ in range(ROUNDS):
            lives.append(live_rate(page))
            bares.append(bare_rate(BARE_S))
        harness.assert_no_exception(page)

    ratios = [live / ((before + after) / 2) for live, before, after in zip(lives, bares[:-1], bares[1:], strict=True)]
    ratio = statistics.median(ratios)
    rows += [
        ("seconds from Train to train MSE ≤ 0.01 (page)", f"{to_goal:.2f}"),
        ("steps shown when the goal was seen", f"{steps_at_goal}"),
        (f"live page steps/s per {WINDOW_S:.0f} s round", ", ".join(f"{v:.0f}" for v in lives)),
        ("bare loop steps/s around the rounds", ", ".join(f"{v:.0f}" for v in bares)),
        ("ratio live / bare per round", ", ".join(f"{v:.2f}" for v in ratios)),
        ("ratio live / bare (median)", f"{ratio:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"seconds_to_mse_0.01={to_goal:.2f} ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
