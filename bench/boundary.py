"""Benchmark the decision-boundary page in headless Chromium: how long until what changed is on screen.

    python bench/boundary.py [--repeats 7] [--rounds 2] [--curve-repeats 3]

Three timings, each from the user's action to the updated page (script finished, the changed panel
pictures in the DOM and decoded, two animation frames later so all is painted):
- noise slider +0.05 (new data: all six default models refitted and redrawn, 150 × 150 grid);
- the neural net's width one step up (that model refitted; the other five come from the fit cache);
  the net is the slowest of the six default fits. For comparison the table also times one step of each
  other slider of the default models (mixture components, polynomial degree, the RBF SVM's C and γ,
  the net's depth), which is not part of the last line;
- "Compute learning curves" for naive Bayes and logistic regression, 10 sizes × 20 draws.
Every action asks for values not seen before in this server, so no timing is a cache hit.
The last line is ``update_6_models_s=<s> update_1_model_s=<s> learning_curve_s=<s>`` (medians).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.boundary import models as clf  # noqa: E402
from core.boundary.models import Grid  # noqa: E402
from tests import browser as harness  # noqa: E402

PAGE = "pages/2_Decision_boundaries.py"
GOALS = {"update_6_models_s": 1.0, "update_1_model_s": 0.4, "learning_curve_s": 5.0}
PANELS = "[data-testid=stHtml] [data-model] img"
PICTURES = (f"() => [...document.querySelectorAll('{PANELS}')]"
            ".map(i => i.getAttribute('src'))")  # a new fit is a new picture (its scores may round the same)
NET_WIDTH = ("Neural net: units per hidden layer", 5)  # (slider label, index of its model's panel)
OTHER_SLIDERS = (("Gaussian mixture: components per class", 2), ("Logistic regression: polynomial degree", 3),
                 ("RBF SVM: C", 4), ("RBF SVM: γ", 4), ("Neural net: hidden layers", 5))
"""Stepped once each (the net's depth can go up twice from its default before it reaches its maximum)."""
IDLE = ("() => { const a = document.querySelector('[data-testid=stApp]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
        " && [...document.querySelectorAll('[data-testid=stHtml] img')].every(i => i.complete && i.naturalWidth > 0); }")


def wait_page(page) -> None:
    """The data plot drawn and six panel pictures decoded."""
    harness.wait_charts(page, 1, timeout=180_000)
    page.wait_for_function(f"() => [...document.querySelectorAll('{PANELS}')]"
                           ".filter(i => i.complete && i.naturalWidth > 0).length === 6", timeout=180_000)


def settle(page) -> None:
    """Two animation frames: whatever React committed has been painted."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def timed_update(page, press: str, slider_label: str, changed: str) -> float:
    """Press a key on a slider; seconds until the panel pictures satisfy ``changed`` and the script is idle."""
    before = page.evaluate(PICTURES)
    thumb = page.locator("[data-testid=stSlider]", has_text=slider_label).get_by_role("slider")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    start = time.perf_counter()
    page.keyboard.press(press)
    page.wait_for_function(f"(before) => {{ const now = ({PICTURES})(); return ({changed}) && ({IDLE})(); }}",
                           arg=before, polling="raf", timeout=120_000)
    settle(page)
    return time.perf_counter() - start


def timed_curves(page) -> float:
    """Seconds from the click to the final learning-curve chart drawn (the job runs on the training pool; partial
    curves show while it runs: the end is the progress bar gone, the caption under the final chart there, one
    more Vega-Lite chart with its marks in place)."""
    charts = "[...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
    n = page.locator("[data-testid=stVegaLiteChart]").count()
    start = time.perf_counter()
    page.get_by_role("button", name="Compute learning curves").click()
    page.wait_for_function(f"(n) => {charts}.filter(c => c.querySelector('canvas, svg.marks')).length > n"
                           " && !document.querySelector('[data-testid=stProgress]')"
                           " && document.body.innerText.includes('Lowest mean test error')"
                           f" && ({IDLE})()", arg=n, polling="raf", timeout=300_000)
    settle(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--curve-repeats", type=int, default=3)
    args = parser.parse_args()
    grid = Grid((0.0, 1.0), (0.0, 1.0))
    print(f"grid {grid.n}×{grid.n}; default models: {', '.join(clf.DEFAULT_MODELS)}")
    times: dict[str, list[float]] = {k: [] for k in GOALS}
    per_slider: dict[str, float] = {}
    with harness.running_server() as server, harness.browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        harness.goto(page, harness.page_url(server, PAGE), timeout=180_000)
        wait_page(page)
        harness.assert_no_exception(page)
        for _ in range(args.repeats):  # noise 0.25 -> 0.30 -> ...: new data every time
            times["update_6_models_s"].append(timed_update(
                page, "ArrowRight", "Noise", "now.length === 6 && now.every((t, i) => t !== before[i])"))
        def one_model(label: str, i: int) -> float:  # only panel i may change
            return timed_update(page, "ArrowRight", label, f"now.length === 6 && now[{i}] !== before[{i}]"
                                f" && now.every((t, j) => j === {i} || t === before[j])")
        for _ in range(args.repeats):  # the net's width 16 -> 17 -> ...
            times["update_1_model_s"].append(one_model(*NET_WIDTH))
        for label, i in OTHER_SLIDERS:
            per_slider[label] = one_model(label, i)
        harness.assert_no_exception(page)
        for seed in range(1, args.curve_repeats + 1):  # a new seed: new data, nothing cached
            harness.goto(page, harness.page_url(server, PAGE, f"boundary.seed={seed}"), timeout=180_000)
            wait_page(page)
            times["learning_curve_s"].append(timed_curves(page))
        harness.assert_no_exception(page)
        context.close()

    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{'measure':<20} {'n':>3} {'median s':>9} {'min s':>7} {'max s':>7} {'goal s':>7} {'median/goal':>12}")
    for key, values in times.items():
        print(f"{key:<20} {len(values):>3} {medians[key]:>9.3f} {min(values):>7.3f} {max(values):>7.3f} "
              f"{GOALS[key]:>7.1f} {medians[key] / GOALS[key]:>12.2f}")
    for label, seconds in per_slider.items():
        print(f"  for comparison, one step of {label!r}: {seconds:.3f} s")
    ratio = medians["update_1_model_s"] / medians["update_6_models_s"]
    print(f"one model / six models (same run): {ratio:.2f}  (a cache hit for five of the six panels)")
    print(" ".join(f"{k}={medians[k]:.3f}" for k in GOALS))


if __name__ == "__main__":
    main()
