"""Next-token lab in a real browser: seconds from Train to Agreement ≥ 95 %, and ms per generated token.

Run from the repository root: ``python bench/nexttoken.py [trials]``. Starts ``streamlit run app.py``
and Debian's headless Chromium; per trial a fresh browser session opens the page, clicks Train and
polls the Agreement metric until it reads ≥ 95 %, then pauses and clicks Generate. The same settings
are also trained in a bare loop in this process, so the table shows what the page costs over a loop
measured in the same run (these machines are shared and noisy). The last line is the summary.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import runtime  # noqa: E402
from core.nexttoken.corpus import corpus_text  # noqa: E402
from core.nexttoken.gpt import GPTConfig, GPTTrainer, TrainSettings  # noqa: E402
from tests import browser as harness  # noqa: E402

GOAL = 95.0
PAGE = "pages/6_Next_token.py"


def metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


def number(text: str) -> float:
    match = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
    return float(match.group()) if match else float("nan")


def bare_loop_seconds(goal: float = GOAL / 100, max_steps: int = 2000) -> tuple[float, int]:
    """The page's default model and settings trained in a plain loop: seconds and steps to the goal."""
    text = corpus_text()
    trainer = GPTTrainer(text, GPTConfig(len(text.vocab)), TrainSettings())
    t0 = time.perf_counter()
    while trainer.steps < max_steps:
        trainer.step()
        if trainer.steps % 5 == 0 and trainer.agreement() >= goal:
            break
    return time.perf_counter() - t0, trainer.steps


def trial(browser, server) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        harness.goto(page, harness.page_url(server, PAGE))
        harness.wait_charts(page, 3)
        harness.assert_no_exception(page)
        train = page.locator(".st-key-nexttoken-train button")
        t0 = time.perf_counter()
        train.click()
        seconds = float("nan")
        while time.perf_counter() - t0 < 60:
            if number(metric(page, "Agreement")) >= GOAL:
                seconds = time.perf_counter() - t0
                break
            page.wait_for_timeout(25)
        steps = number(metric(page, "Step"))
        tokens_per_s = number(metric(page, "Tokens/s"))
        page.locator(".st-key-nexttoken-train button", has_text="Pause").click()
        page.locator(".st-key-nexttoken-train button", has_text="Train").wait_for()
        page.wait_for_timeout(500)
        captions = page.locator("[data-testid=stCaptionContainer]", has_text="ms per token")
        t1 = time.perf_counter()
        page.locator(".st-key-nexttoken-generate button").click()
        captions.first.wait_for()  # a fresh session: no generation was shown before the click
        page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                               ".getAttribute('data-test-script-state') === 'notRunning'")
        click_ms = 1000 * (time.perf_counter() - t1)
        harness.assert_no_exception(page)
        text = captions.first.inner_text()
        n_tokens = number(text)
        ms_per_token = number(text.split("tokens,")[1])
        return {"seconds_to_agreement": seconds, "steps": steps, "tokens_per_s": tokens_per_s,
                "ms_per_token": ms_per_token, "click_ms_per_token": click_ms / n_tokens}
    finally:
        context.close()


def main() -> None:
    runtime.configure()  # one torch thread, as in the training workers
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    bare_s, bare_steps = bare_loop_seconds()
    rows = []
    with harness.running_server() as server, harness.browser() as browser:
        for i in range(trials):
            row = trial(browser, server)
            rows.append(row)
            print(f"trial {i + 1}: " + "  ".join(f"{k}={v:.3g}" for k, v in row.items()), flush=True)
    print()
    print(f"{'trial':>5} {'s to 95 %':>10} {'steps':>6} {'tokens/s':>9} {'ms/token':>9} {'click ms/token':>15}")
    for i, r in enumerate(rows, 1):
        print(f"{i:>5} {r['seconds_to_agreement']:>10.2f} {r['steps']:>6.0f} {r['tokens_per_s']:>9.0f} "
              f"{r['ms_per_token']:>9.2f} {r['click_ms_per_token']:>15.1f}")
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"bare loop, same settings, this run: {bare_s:.2f} s ({bare_steps} steps) to agreement >= {GOAL:.0f} %; "
          f"browser/bare = {med['seconds_to_agreement'] / bare_s:.1f}x")
    print("ms_per_token: the transformer's generation time per token measured on the server (shown on the page); "
          "click ms/token also counts the browser round trip, divided over the 20 tokens.")
    print(f"seconds_to_agreement={med['seconds_to_agreement']:.2f} ms_per_token={med['ms_per_token']:.2f}")


if __name__ == "__main__":
    main()
