"""Benchmark the live GAN lab: training throughput on the page vs a bare loop, redraws, time to 8 / 8 modes,
the grid of 25 with its best preset, and server memory over a long training session.

    python bench/gan.py            # the full run (about 7 minutes: the memory window is 5 minutes)
    python bench/gan.py --quick    # a shorter run to check that everything works (memory window 40 s)

Every browser number is read from the page itself (the Step, Modes covered and High-quality metrics) by a
small script that records each change of the Step counter with its time. The last line is

    ratio=<r> redraws_per_s=<n> seconds_to_8_modes=<s> grid25_modes=<k> grid25_hq=<pct> grid25_s=<s> rss_growth_mb=<MB>
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import runtime  # noqa: E402
from core.gan import model as gan  # noqa: E402
from core.gan import targets as T  # noqa: E402
from core.gan.metrics import mode_report  # noqa: E402
from tests import browser as harness  # noqa: E402

RECORDER = """() => {
  if (window.__gan) return;
  const read = (label) => {
    const m = [...document.querySelectorAll('[data-testid=stMetric]')]
      .find(el => (el.querySelector('[data-testid=stMetricLabel]')?.textContent || '').startsWith(label));
    return m ? (m.querySelector('[data-testid=stMetricValue]')?.textContent || '').trim() : null;
  };
  window.__gan = {changes: [], read};
  let last = null;
  setInterval(() => {
    const step = read('Step');
    if (step !== null && step !== last) {
      last = step;
      window.__gan.changes.push([performance.now(), step, read('Modes covered'), read('High-quality')]);
    }
  }, 15);
}"""


def number(text: str | None) -> float:
    match = re.search(r"-?\d+(?:\.\d+)?", (text or "").replace(",", ""))
    return float(match.group()) if match else float("nan")


def modes(text: str | None) -> tuple[int, int]:
    match = re.match(r"\s*(\d+)\s*/\s*(\d+)", text or "")
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def train_for(trainer: gan.GanTrainer, seconds: float) -> None:
    """Train until ``seconds`` have passed or the run diverges (a wall-clock budget: only a benchmark wants one)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and trainer.train_steps(1):
        pass


@contextlib.contextmanager
def pinned_to(core: int | None):
    """Run the block on one core (and start there what it starts), then go back to the cores before."""
    before = os.sched_getaffinity(0)
    if core is not None:
        os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def bare_loop(settings: gan.GanSettings, seconds: float) -> tuple[float, float]:
    """(iterations per second, seconds to 8 / 8 modes at ≥ 80 % high quality) for a loop with no page."""
    target = T.make_target(settings.target, seed=settings.seed)
    trainer = gan.GanTrainer(settings, target)
    train_for(trainer, 0.5)  # warm up (first calls allocate)
    trainer = gan.GanTrainer(settings, target)
    start, check_time, reached = time.perf_counter(), 0.0, float("nan")
    while time.perf_counter() - start < seconds:
        train_for(trainer, 0.1)
        c = time.perf_counter()
        report = mode_report(trainer.sample(), target.means, target.std)
        check_time += time.perf_counter() - c
        if reached != reached and report.covered == report.n_modes and report.high_quality >= 0.8:
            reached = time.perf_counter() - start - check_time
    rate = trainer.iteration / (time.perf_counter() - start - check_time)
    return rate, reached


def tree_rss_mb(server) -> float:
    """Resident memory of the server and every process it started (the training processes), in MB."""
    import psutil

    root = psutil.Process(server.process.pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


def changes(page) -> list:
    return page.evaluate("() => window.__gan.changes")


def press(page, key: str) -> float:
    """Click a button by its widget key; returns performance.now() in the page when the button went down
    (Playwright's checks before a click take a while on a busy machine: they are not the app's time)."""
    button = page.locator(f".st-key-{re.sub(r'[^a-zA-Z0-9_-]', '-', key)} button").first
    button.evaluate("b => { window.__pressed = null; b.addEventListener('pointerdown', "
                    "() => { window.__pressed = performance.now(); }, {once: true}); }")
    before = page.evaluate("() => performance.now()")
    button.click()
    pressed = page.evaluate("() => window.__pressed")
    return pressed if pressed is not None else before


def wait_for_goal(page, since: float, goal_modes: int, limit: float) -> tuple[float, int, float]:
    """Watch the page until ``goal_modes`` and ≥ 80 % high quality, or ``limit`` s; (seconds, best modes, best hq)."""
    deadline = time.perf_counter() + limit + 2
    best = (0, 0.0)
    while time.perf_counter() < deadline:
        for t, _, mode_text, hq_text in changes(page):
            if t < since:
                continue
            k, hq = modes(mode_text)[0], number(hq_text)
            best = max(best, (k, hq))
            if k >= goal_modes and hq >= 80.0:
                return (t - since) / 1000, k, hq
        time.sleep(0.25)
    return float("nan"), best[0], best[1]


def main() -> None:
    runtime.configure()  # one torch thread, as in the training workers
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows, to check the benchmark runs")
    args = parser.parse_args()
    window = 20.0
    rss_window = 40.0 if args.quick else 300.0
    grid_limit = 30.0 if args.quick else 90.0

    default = gan.preset(gan.DEFAULT, T.RING)
    pinned = len(os.sched_getaffinity(0)) >= 2
    if pinned:  # the server and its training worker on core 0, this script and its browser on core 1: a deployed
        os.sched_setaffinity(0, {1})  # server, whose students' browsers run on their own machines
    with contextlib.ExitStack() as stack:
        chromium = stack.enter_context(harness.browser())
        with pinned_to(0 if pinned else None):  # the server and the worker it starts inherit core 0
            server = stack.enter_context(harness.running_server())
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(120_000)
        harness.goto(page, harness.page_url(server, "pages/4_GAN.py"), timeout=180_000)
        harness.wait_charts(page, 3, timeout=120_000)
        page.evaluate(RECORDER)
        # The bare loop runs now, with the server and the browser up but idle, on the worker's core.
        with pinned_to(0 if pinned else None):
            bare_rate, bare_8 = bare_loop(default, 8.0)
        rows = [("bare loop, ring of 8 default", f"{bare_rate:.0f} it/s", f"8/8 at ≥80 % after {bare_8:.2f} s")]
        rss_start = tree_rss_mb(server)

        # 1. Train the default ring: time to 8 / 8, then throughput and redraws over `window` seconds.
        t_train = press(page, "gan.train")
        seconds_to_8, _, _ = wait_for_goal(page, t_train, 8, 30.0)
        first = next((t for t, *_ in changes(page) if t > t_train), float("nan"))
        time.sleep(2.0)  # let the first frames settle before measuring
        start_changes = len(changes(page))
        time.sleep(window)
        seen = changes(page)[start_changes - 1:]
        (t0, s0, *_), (t1, s1, *_) = seen[0], seen[-1]
        page_rate = (number(s1) - number(s0)) / ((t1 - t0) / 1000)
        redraws = (len(seen) - 1) / ((t1 - t0) / 1000)
        ratio = page_rate / bare_rate
        rows.append(("page, ring of 8 default", f"{page_rate:.0f} it/s", f"ratio {ratio:.2f}, {redraws:.1f} redraws/s"))
        rows.append(("page, Train → first update", f"{(first - t_train) / 1000:.2f} s", ""))
        rows.append(("page, Train → 8/8 at ≥80 %", f"{seconds_to_8:.2f} s", "goal ≤ 5 s"))
        press(page, "gan.train")  # pause

        # 2. The grid of 25 with its best preset.
        press(page, "gan.preset.best for grid of 25")
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                               ".some(el => el.textContent.includes('/ 25'))")
        page.wait_for_timeout(500)
        t_grid = press(page, "gan.train")
        grid_s, grid_modes, grid_hq = wait_for_goal(page, t_grid, 24, grid_limit)
        if grid_s != grid_s:  # not reached: report the best frame within the limit
            grid_s = grid_limit
        rows.append(("page, grid of 25 best preset", f"{grid_modes}/25 modes, {grid_hq:.1f} % HQ",
                     f"after {grid_s:.1f} s (goal ≥ 24/25 at ≥ 80 % within 90 s)"))

        # 3. Memory: keep training until the session has lasted `rss_window` seconds.
        elapsed = (page.evaluate("() => performance.now()") - t_train) / 1000
        time.sleep(max(0.0, rss_window - elapsed))
        rss_growth = tree_rss_mb(server) - rss_start
        rows.append(("server RSS growth", f"{rss_growth:.1f} MB",
                     f"over {rss_window:.0f} s of training (server and its training processes)"))
        harness.assert_no_exception(page)
        context.close()

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':<24}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<24}  {note}")
    print(f"ratio={ratio:.2f} redraws_per_s={redraws:.1f} seconds_to_8_modes={seconds_to_8:.2f} "
          f"grid25_modes={grid_modes} grid25_hq={grid_hq:.1f} grid25_s={grid_s:.1f} rss_growth_mb={rss_growth:.1f}")


if __name__ == "__main__":
    main()
