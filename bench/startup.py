"""Cold start, Bayes-slider latency and server memory, measured in headless Chromium.

    python bench/startup.py [--updates 15]

Last line: ``cold_start_s=<s> bayes_update_s=<s> rss_mb=<MB>``
- cold start: from launching ``streamlit run app.py`` to the home page fully drawn (title and both
  pictures decoded);
- Bayes update: median seconds from a keyboard slider step to the new posterior on screen;
- server RSS after every page has been opened once.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.ui import existing_labs  # noqa: E402
from tests import browser as harness  # noqa: E402

POSTERIOR_JS = """() => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(e => e.innerText.includes('P(rain | umbrella)'));
  return m ? m.querySelector('[data-testid=stMetricValue]').innerText.trim() : null;
}"""


def cold_start(chromium) -> tuple[float, harness.Server]:
    """Seconds from process launch to the home page drawn in the browser."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    t0 = time.perf_counter()
    server = harness.start_server()
    page.goto(server.url + "/")
    harness.wait_idle(page, timeout=60_000)
    harness.wait_pictures(page, 2, timeout=60_000)
    elapsed = time.perf_counter() - t0
    page.close()
    return elapsed, server


def bayes_updates(chromium, server: harness.Server, n: int) -> list[float]:
    """Latency of n slider steps (alternating right/left) until the posterior text changes."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    harness.goto(page, harness.page_url(server, "pages/1_Bayes_rule.py"))
    thumb = page.locator("[data-testid=stSlider]", has_text="P(rain): the prior").get_by_role("slider")
    thumb.focus()
    times = []
    for i in range(n):
        before = page.evaluate(POSTERIOR_JS)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"(before) => ({POSTERIOR_JS})() !== before", arg=before, polling="raf")
        times.append(time.perf_counter() - t0)
        harness.wait_idle(page)
    page.close()
    return times


def open_every_page(chromium, server: harness.Server) -> None:
    """Open home and each lab once, waiting for its first chart (home: its two pictures)."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    for path in ["app.py", *[lab.path for lab in existing_labs()]]:
        page.goto(harness.page_url(server, path))
        page.wait_for_selector("[data-testid=stMain] h1", timeout=60_000)
        if path == "app.py":
            harness.wait_pictures(page, 2, timeout=60_000)
        else:
            harness.wait_charts(page, 1, timeout=60_000)
        page.wait_for_timeout(500)
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=15)
    args = parser.parse_args()
    with harness.browser() as chromium:
        cold, server = cold_start(chromium)
        try:
            updates = bayes_updates(chromium, server, args.updates)
            open_every_page(chromium, server)
            rss = server.rss_mb()
        finally:
            harness.stop_server(server)
    update = statistics.median(updates)
    print(f"{'measure':<34}{'value':>10}  goal")
    print(f"{'cold start (s)':<34}{cold:>10.2f}  <= 3")
    print(f"{'Bayes update, median (s)':<34}{update:>10.3f}  <= 0.2   (min {min(updates):.3f}, max {max(updates):.3f})")
    print(f"{'server RSS after all pages (MB)':<34}{rss:>10.0f}")
    print(f"cold_start_s={cold:.2f} bayes_update_s={update:.3f} rss_mb={rss:.0f}")


if __name__ == "__main__":
    main()
