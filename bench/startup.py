"""Cold start, every page's time to first content, Bayes-slider latency and server memory, in headless Chromium.

    python bench/startup.py [--updates 15] [--repeats 5] [--no-pin]

Last line: ``cold_start_s=<s> bayes_update_s=<s> rss_mb=<MB> hello_s=<s> worst_page=<name> worst_page_ratio=<r>
slowest_whole_page=<name> slowest_whole_page_s=<s>``
- cold start: from launching ``streamlit run app.py`` to the home page fully drawn (title and both
  pictures decoded);
- page open: on the warm server (every page opened once before), a fresh browser context per visit (its
  own session, an empty browser cache), from navigation start to the page's first useful content (its first
  metric value, decoded server picture or drawn chart; the lessons page: its lesson choice). The same for a
  hello-world Streamlit page (a title and one metric) served the same way by a second server in the same
  run; visits are interleaved (hello, every page, hello, ...) and each figure is the median of ``--repeats``.
  ``worst_page_ratio`` is the slowest page's median over hello world's. A fresh tab draws a page's first screen
  first (``ui.first_screen_end``); the table also gives each page's time to the whole page (not on its first
  screen any more, no element still loading its code), ``slowest_whole_page_s`` the slowest of those;
- Bayes update: median seconds from a keyboard slider step to the new posterior on screen;
- server RSS after every page has been opened once.

With two or more cores the servers run on core 0 and this script with its browsers on core 1 (``--no-pin``
to share them), as a small server and the students' machines would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
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


HELLO = 'import streamlit as st\n\nst.title("Hello, world")\nst.metric("Hello", 1)\n'
"""The reference page: what any Streamlit page costs to show a title and one number."""
FIRST_CONTENT_JS = """(radio) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return false;
  if (radio) return !!main.querySelector('[data-testid=stRadio] label');
  if (main.querySelector('[data-testid=stMetricValue]')) return true;
  if ([...main.querySelectorAll('[data-testid=stHtml] img')].some(i => i.complete && i.naturalWidth > 0)) return true;
  return [...main.querySelectorAll('[data-testid=stPlotlyChart], [data-testid=stVegaLiteChart]')]
    .some(c => c.querySelector('.main-svg, canvas, svg'));
}"""


COMPLETE_JS = """(pending) => {
  // The whole page: not on its first screen any more, no element still loading its code, the script finished.
  const app = document.querySelector('[data-testid=stApp]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector(pending)
    && !document.querySelector('[data-testid=stSkeleton]') && !!document.querySelector('[data-testid=stMain] h1');
}"""


def open_s(chromium, url: str, radio: bool = False) -> tuple[float, float]:
    """Seconds from navigation start to the first useful content and to the whole page, in a fresh browser
    context."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url, timeout=60_000)
        page.wait_for_function(FIRST_CONTENT_JS, arg=radio, polling="raf", timeout=60_000)
        first = page.evaluate("performance.now()") / 1000
        page.wait_for_function(COMPLETE_JS, arg=harness.FIRST_SCREEN_PENDING, polling="raf", timeout=60_000)
        return first, page.evaluate("performance.now()") / 1000
    finally:
        context.close()


def first_content_s(chromium, url: str, radio: bool = False) -> float:
    """Seconds from navigation start to the first useful content, in a fresh browser context."""
    return open_s(chromium, url, radio)[0]


def page_open_times(chromium, server: harness.Server, hello: harness.Server,
                    repeats: int) -> dict[str, list[tuple[float, float]]]:
    """Time to first content and to the whole page, of hello world and of every page, ``repeats`` interleaved
    rounds."""
    paths = ["app.py", *[lab.path for lab in existing_labs()]]
    times: dict[str, list[tuple[float, float]]] = {"hello world": [], **{p: [] for p in paths}}
    for _ in range(repeats):
        times["hello world"].append(open_s(chromium, hello.url + "/"))
        for path in paths:
            times[path].append(open_s(chromium, harness.page_url(server, path), radio="Lessons" in path))
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-pin", action="store_true", help="do not split the cores between servers and browsers")
    args = parser.parse_args()
    pinned = not args.no_pin and len(os.sched_getaffinity(0)) >= 2
    with tempfile.TemporaryDirectory() as tmp:
        hello_script = Path(tmp) / "hello.py"
        hello_script.write_text(HELLO)
        if pinned:
            os.sched_setaffinity(0, {1})  # this script and the browsers it starts
        with harness.browser() as chromium:
            if pinned:
                os.sched_setaffinity(0, {0})  # the servers started from here inherit core 0 from launch
            cold, server = cold_start(chromium)
            try:
                hello = harness.start_server(script=str(hello_script))
            except BaseException:
                harness.stop_server(server)
                raise
            if pinned:
                os.sched_setaffinity(0, {1})
            try:
                updates = bayes_updates(chromium, server, args.updates)
                open_every_page(chromium, server)
                rss = server.rss_mb()
                first_content_s(chromium, hello.url + "/")  # warm hello world as the app was warmed
                opens = page_open_times(chromium, server, hello, args.repeats)
            finally:
                harness.stop_server(server)
                harness.stop_server(hello)
    update = statistics.median(updates)
    medians = {name: statistics.median(t[0] for t in runs) for name, runs in opens.items()}
    whole = {name: statistics.median(t[1] for t in runs) for name, runs in opens.items()}
    firsts = {name: [t[0] for t in runs] for name, runs in opens.items()}
    hello_s = medians.pop("hello world")
    worst = max(medians, key=medians.get)
    slowest_whole = max((n for n in whole if n != "hello world"), key=whole.get)
    print(f"{'measure':<34}{'value':>10}  goal")
    print(f"{'cold start (s)':<34}{cold:>10.2f}  <= 3")
    print(f"{'Bayes update, median (s)':<34}{update:>10.3f}  <= 0.2   (min {min(updates):.3f}, max {max(updates):.3f})")
    print(f"{'server RSS after all pages (MB)':<34}{rss:>10.0f}")
    print(f"\nfirst content, fresh session, warm server ({args.repeats} visits each, {'pinned' if pinned else 'unpinned'})")
    print(f"{'page':<34}{'median s':>10}{'min':>8}{'max':>8}{'× hello':>9}{'whole page s':>14}")
    print(f"{'hello world':<34}{hello_s:>10.2f}{min(firsts['hello world']):>8.2f}{max(firsts['hello world']):>8.2f}"
          f"{1:>9.2f}{whole['hello world']:>14.2f}")
    for name, med in medians.items():
        print(f"{name:<34}{med:>10.2f}{min(firsts[name]):>8.2f}{max(firsts[name]):>8.2f}{med / hello_s:>9.2f}"
              f"{whole[name]:>14.2f}")
    print(f"cold_start_s={cold:.2f} bayes_update_s={update:.3f} rss_mb={rss:.0f} hello_s={hello_s:.2f} "
          f"worst_page={Path(worst).stem} worst_page_ratio={medians[worst] / hello_s:.2f} "
          f"slowest_whole_page={Path(slowest_whole).stem} slowest_whole_page_s={whole[slowest_whole]:.2f}")


if __name__ == "__main__":
    main()
