"""Loss-surface lab in headless Chromium: seconds from changing the learning rate to the new path drawn.

    python bench/loss.py [--trials 9]

Opens the page as a visitor does (position 0 on the path), then repeatedly nudges the learning-rate
slider with the keyboard (η ± 0.01, which changes every point of the path) and times until the
contour map's path lines have changed, the script has finished and every chart is on the page again:
that median is ``update_s``. For comparison in the same run it times the same change with the
position at the end of a path, with the 3-D surfaces switched on (then the data plot and the 3-D surface
with the path are redrawn too), a Step click, and a ŷ change (a small fragment with two charts).
Surface grid: core.loss.descent.SURFACE_N × SURFACE_N. Last line: ``update_s=<median seconds>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.loss.descent import SURFACE_N  # noqa: E402
from tests import browser as harness  # noqa: E402

PAGE = "pages/3_Loss_surface.py"
N_CHARTS = 8  # Vega-Lite: two per-example charts, the contour map, the data, four GAN charts
CHARTS = "[data-testid=stVegaLiteChart], [data-testid=stPlotlyChart]"
DRAWN = "c => c.querySelector('svg.marks, canvas.marks, .main-svg')"

# The contour map is the Vega-Lite chart with the picture; its lines are the whole path and the walked part.
PATH_SIGNATURE = """() => {
  const chart = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].find(c => c.querySelector('g.mark-image image'));
  if (!chart) return '';
  return [...chart.querySelectorAll('g.mark-line path')].map(p => p.getAttribute('d')).join('|');
}"""
DONE = """([before, n]) => {
  const app = document.querySelector('[data-testid=stApp]');
  const charts = [...document.querySelectorAll('CHARTS')];
  const drawn = charts.filter(DRAWN).length;
  const sig = (PATH_SIGNATURE)();
  return app.getAttribute('data-test-script-state') === 'notRunning' && drawn >= n && sig !== '' && sig !== before;
}""".replace("PATH_SIGNATURE", PATH_SIGNATURE).replace("CHARTS", CHARTS).replace("DRAWN", DRAWN)
TEXT_DONE = """([text, n]) => {
  const app = document.querySelector('[data-testid=stApp]');
  const drawn = [...document.querySelectorAll('CHARTS')].filter(DRAWN).length;
  return app.getAttribute('data-test-script-state') === 'notRunning' && drawn >= n && document.body.innerText.includes(text);
}""".replace("CHARTS", CHARTS).replace("DRAWN", DRAWN)


def next_frame(page) -> None:
    """Wait for two animation frames: whatever was drawn is on screen."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def time_lr_change(page, key: str) -> float:
    before = page.evaluate(PATH_SIGNATURE)
    thumb = page.locator("[data-testid=stSlider]", has_text="Learning rate").get_by_role("slider")
    thumb.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(DONE, arg=[before, N_CHARTS], timeout=60_000, polling=10)
    next_frame(page)
    return time.perf_counter() - start


def time_step(page, target: int, n: int) -> float:
    start = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(TEXT_DONE, arg=[f"step {target} of {n}", N_CHARTS], timeout=60_000, polling=10)
    next_frame(page)
    return time.perf_counter() - start


def time_y_hat(page, key: str, expected: str) -> float:
    thumb = page.locator("[data-testid=stSlider]", has_text="predicted probability").get_by_role("slider")
    thumb.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(TEXT_DONE, arg=[expected, N_CHARTS], timeout=60_000, polling=10)
    next_frame(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=9)
    args = parser.parse_args()
    with harness.running_server() as server, harness.browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        harness.goto(page, harness.page_url(server, PAGE), timeout=120_000)
        harness.wait_charts(page, N_CHARTS, timeout=120_000)
        harness.wait_idle(page)
        time_lr_change(page, "ArrowRight")  # warm-up: caches filled, every chart mounted once
        time_lr_change(page, "ArrowLeft")
        lr = [time_lr_change(page, "ArrowRight" if i % 2 == 0 else "ArrowLeft") for i in range(args.trials)]
        steps = [time_step(page, i + 1, 60) for i in range(args.trials)]
        y_hat = [time_y_hat(page, "ArrowRight", f"{0.5 + 0.001 * (i + 1):.3f}") for i in range(args.trials)]
        harness.assert_no_exception(page)
        # The same learning-rate change with the position at the end of a 5-step path, 3-D surfaces on.
        harness.goto(page, harness.page_url(server, PAGE, "loss.steps=5&loss.surfaces=true"), timeout=120_000)
        harness.wait_charts(page, N_CHARTS + 2, timeout=120_000)
        for i in range(5):
            time_step(page, i + 1, 5)
        time_lr_change(page, "ArrowRight")
        lr_end = [time_lr_change(page, "ArrowLeft" if i % 2 == 0 else "ArrowRight") for i in range(args.trials)]
        harness.assert_no_exception(page)
        context.close()

    rows = (("learning rate changed → new path drawn", lr),
            ("  … at the end of the path, 3-D surfaces on", lr_end),
            ("Step clicked → next point drawn", steps),
            ("ŷ changed → per-example section drawn", y_hat))
    print(f"surface grid {SURFACE_N}×{SURFACE_N}, {args.trials} trials each, headless Chromium")
    print(f"{'update':<46} {'median s':>9} {'min s':>7} {'max s':>7} {'÷ ŷ median':>11}")
    base = statistics.median(y_hat)
    for name, values in rows:
        med = statistics.median(values)
        print(f"{name:<46} {med:>9.3f} {min(values):>7.3f} {max(values):>7.3f} {med / base:>11.2f}")
    print(f"update_s={statistics.median(lr):.3f}")


if __name__ == "__main__":
    main()
