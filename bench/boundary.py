"""Benchmark the decision-boundary page in headless Chromium: how long until what changed is on screen.

    python bench/boundary.py [--repeats 7] [--rounds 2] [--curve-repeats 3]

Three timings, each from the user's action to the updated page (script finished, the changed
captions in the DOM, every panel picture decoded, two animation frames later so all is painted):
- noise slider +0.05 (new data: all six default models refitted and redrawn, 150 × 150 grid);
- one model's hyperparameter one step up (that model refitted; the other five come from the fit
  cache): each round steps every slider of the six default models once (mixture components,
  polynomial degree, the RBF SVM's C and γ, the net's width and depth), so the median is over all six
  kinds of fit; the table also lists each slider's own median (the net's are the slowest fits);
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

from core import classifiers as clf  # noqa: E402
from core.classifiers import Grid  # noqa: E402
from tests import browser as harness  # noqa: E402

PAGE = "pages/2_Decision_boundaries.py"
GOALS = {"update_6_models_s": 1.0, "update_1_model_s": 0.4, "learning_curve_s": 5.0}
SCORES = ("() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
          ".map(c => c.textContent).filter(t => t.startsWith('accuracy train'))")  # textContent: no forced layout
ONE_MODEL_SLIDERS = (  # (slider label, index of its model's panel among the six defaults)
    ("Gaussian mixture: components per class", 2), ("Logistic regression: polynomial degree", 3),
    ("RBF SVM: C", 4), ("RBF SVM: γ", 4), ("Neural net: units per hidden layer", 5), ("Neural net: hidden layers", 5))
IDLE = ("() => { const a = document.querySelector('[data-testid=stApp]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
        " && [...document.querySelectorAll('[data-testid=stHtml] img')].every(i => i.complete && i.naturalWidth > 0); }")
PANELS = "[data-testid=stHtml] [data-model] img"


def wait_page(page) -> None:
    """The data plot drawn and six panel pictures decoded."""
    harness.wait_charts(page, 1, timeout=180_000)
    page.wait_for_function(f"() => [...document.querySelectorAll('{PANELS}')]"
                           ".filter(i => i.complete && i.naturalWidth > 0).length === 6", timeout=180_000)


def settle(page) -> None:
    """Two animation frames: whatever React committed has been painted."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def timed_update(page, press: str, slider_label: str, changed: str) -> float:
    """Press a key on a slider; seconds until the captions satisfy ``changed`` and the script is idle."""
    before = page.evaluate(SCORES)
    thumb = page.locator("[data-testid=stSlider]", has_text=slider_label).get_by_role("slider")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    start = time.perf_counter()
    page.keyboard.press(press)
    page.wait_for_function(f"(before) => {{ const now = ({SCORES})(); return ({changed}) && ({IDLE})(); }}",
                           arg=before, polling="raf", timeout=120_000)
    settle(page)
    return time.perf_counter() - start


def timed_curves(page) -> float:
    """Seconds from the click to the learning-curve chart drawn (one more Vega-Lite chart, its marks in place)."""
    charts = "[...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
    n = page.locator("[data-testid=stVegaLiteChart]").count()
    start = time.perf_counter()
    page.get_by_role("button", name="Compute learning curves").click()
    page.wait_for_function(f"(n) => {charts}.filter(c => c.querySelector('canvas, svg.marks')).length > n"
                           f" && ({IDLE})()", arg=n, polling="raf", timeout=300_000)
    settle(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--curve-repeats", type=int, default=3)
    args = parser.parse_args()
    grid = Grid((0.0, 1.0), (0.0, 1.0))
    print(f"grid {grid.n}×{grid.n}; default models: {', '.join(clf.DEFAULT_MODELS)}")
    times: dict[str, list[float]] = {k: [] for k in GOALS}
    per_slider: dict[str, list[float]] = {label: [] for label, _ in ONE_MODEL_SLIDERS}
    with harness.running_server() as server, harness.browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        harness.goto(page, harness.page_url(server, PAGE), timeout=180_000)
        wait_page(page)
        harness.assert_no_exception(page)
        for _ in range(args.repeats):  # noise 0.25 -> 0.30 -> ...: new data every time
            times["update_6_models_s"].append(timed_update(
                page, "ArrowRight", "Noise", "now.length === 6 && now.every((t, i) => t !== before[i])"))
        for _ in range(args.rounds):  # each default model's sliders one step up: only its panel changes
            for label, i in ONE_MODEL_SLIDERS:
                seconds = timed_update(page, "ArrowRight", label, f"now.length === 6 && now[{i}] !== before[{i}]"
                                       f" && now.every((t, j) => j === {i} || t === before[j])")
                times["update_1_model_s"].append(seconds)
                per_slider[label].append(seconds)
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
    for label, values in per_slider.items():
        print(f"  one step of {label!r}: median {statistics.median(values):.3f} s over {len(values)}")
    ratio = medians["update_1_model_s"] / medians["update_6_models_s"]
    print(f"one model / six models (same run): {ratio:.2f}  (a cache hit for five of the six panels)")
    print(" ".join(f"{k}={medians[k]:.3f}" for k in GOALS))


if __name__ == "__main__":
    main()
