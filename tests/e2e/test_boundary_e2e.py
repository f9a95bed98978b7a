"""The decision-boundary page in Chromium: panels render and update, a click adds a point, CSV uploads."""

from __future__ import annotations

import re

import pytest

from tests import browser as harness

pytestmark = pytest.mark.e2e
PAGE = "pages/2_Decision_boundaries.py"
SCORES = "() => [...document.querySelectorAll('[data-testid=stHtml] [data-line]')]" \
         ".map(c => c.innerText).filter(t => t.startsWith('accuracy train'))"
DATA_LINE = "() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]" \
            ".map(c => c.innerText).find(t => t.includes('training points')) || ''"


ONE_MODEL = "boundary.models=Logistic%20regression"  # the click and upload tests need only one panel


PICTURES = "[data-testid=stHtml] [data-model] img"


def _open(server, page, query: str = "", panels: int = 6) -> None:
    harness.goto(page, harness.page_url(server, PAGE, query), timeout=120_000)
    harness.wait_charts(page, 1, timeout=120_000)  # the data plot (Vega-Lite)
    page.wait_for_function(f"(n) => [...document.querySelectorAll('{PICTURES}')]"
                           ".filter(i => i.complete && i.naturalWidth > 0).length === n", arg=panels, timeout=120_000)
    harness.assert_no_exception(page)


def _wait_for(page, script: str, arg=None) -> None:
    page.wait_for_function(script, arg=arg, timeout=60_000)
    harness.wait_idle(page, timeout=60_000)
    harness.assert_no_exception(page)


def test_panels_render_and_update_after_a_slider_change(server, page):
    _open(server, page)
    before = page.evaluate(SCORES)
    assert len(before) == 6
    pictures = page.locator(PICTURES)
    assert pictures.count() == 6  # one picture per panel, inside its axes
    assert all(pictures.nth(i).bounding_box()["width"] > 150 for i in range(6))
    ticks = page.locator("[data-testid=stHtml] [data-model]").first.locator("span", has_text=re.compile(r"^−?\d"))
    assert ticks.count() >= 6  # tick labels on both axes
    old_sources = [pictures.nth(i).get_attribute("src") for i in range(6)]
    page.get_by_text("Generative extras").evaluate("e => e.scrollIntoView({block: 'start'})")  # panels in view
    harness.wait_still(page)
    harness.screenshot(page, "boundary")
    thumb = page.locator("[data-testid=stSlider]", has_text="Noise").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # noise 0.25 -> 0.30: new data, every model refitted
    _wait_for(page, f"(before) => {{ const now = ({SCORES})(); return now.length === 6 && "
                    "now.every((t, i) => t !== before[i]); }", before)
    assert "boundary.noise=0.3" in page.url
    assert pictures.count() == 6
    assert all(pictures.nth(i).get_attribute("src") != old_sources[i] for i in range(6))  # redrawn


def test_clicking_empty_space_adds_a_training_point_and_the_same_spot_again_adds_another(server, page):
    _open(server, page, ONE_MODEL, panels=1)
    assert "(incl. 0 clicked)" in page.evaluate(DATA_LINE)
    n_train = int(re.match(r"(\d+)", page.evaluate(DATA_LINE)).group(1))
    area = page.locator("[data-testid=stVegaLiteChart]").first.locator("canvas, svg.marks").first
    box = area.bounding_box()
    for clicked in (1, 2):  # after a click the chart starts without a selection: the same spot counts again
        page.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + 0.12 * box["height"])  # top-left: no data there
        _wait_for(page, f"() => ({DATA_LINE})().includes('(incl. {clicked} clicked)')")
        assert page.evaluate(DATA_LINE).startswith(f"{n_train + clicked} training points")
    page.get_by_role("button", name="Clear my points").click()
    _wait_for(page, f"() => ({DATA_LINE})().includes('(incl. 0 clicked)')")


def test_good_then_bad_csv_through_the_file_chooser(server, page, tmp_path):
    _open(server, page, ONE_MODEL, panels=1)
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{'a' if i % 2 else 'b'}\n" for i in range(40)))
    chooser = page.locator("[data-testid=stFileUploader] input[type=file]")
    chooser.set_input_files(str(good))
    _wait_for(page, f"() => ({DATA_LINE})().startsWith('28 training points')")  # 40 rows, 30 % held out
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,oops,1\n5,6,1\n7,8,0\n")
    chooser.set_input_files(str(bad))
    message = ("bad.csv: Column 'x2' has non-numeric cells in line(s) 3 (for example 'oops'). "
               "The previous data is kept.")
    page.get_by_text(message).wait_for(timeout=60_000)
    harness.wait_idle(page)
    harness.assert_no_exception(page)
    assert page.evaluate(DATA_LINE).startswith("28 training points")  # the good data stays
    assert len(page.evaluate(SCORES)) == 1


def test_a_model_setting_updates_its_panel_and_the_url_and_the_preset_changes_the_data(server, page):
    """Below the data the page is a fragment (a model's setting reruns only that part): the address bar must
    still follow it, and the Ng & Jordan button, inside it, must rerun the whole page to change the data."""
    _open(server, page)
    sources = f"() => [...document.querySelectorAll('{PICTURES}')].map(i => i.getAttribute('src'))"
    before = page.evaluate(sources)
    thumb = page.locator("[data-testid=stSlider]", has_text="Neural net: units per hidden layer").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # 16 -> 17: a new net (its scores may round to the same caption)
    _wait_for(page, f"(before) => ({sources})()[5] !== before[5]", before)
    assert page.evaluate(sources)[:5] == before[:5]  # the other five pictures are unchanged
    page.wait_for_function("() => location.search.includes('boundary.nn_width=17')", timeout=10_000)
    assert page.evaluate(DATA_LINE).startswith("210 training points")
    page.get_by_role("button", name="Ng & Jordan setup").click()
    page.wait_for_function("() => location.search.includes('boundary.correlation=0.6')", timeout=60_000)
    harness.wait_idle(page, timeout=60_000)
    harness.assert_no_exception(page)
    assert "blobs" in page.get_by_role("combobox", name="Dataset").input_value()
    assert "boundary.lc_extra=30" in page.url


PROGRESS = "() => [...document.querySelectorAll('[data-testid=stProgress]')].map(p => p.innerText).join('|')"


def _fits_done(page) -> int:
    match = re.search(r"(\d+) of \d+ fits", page.evaluate(PROGRESS))
    return int(match[1]) if match else -1


def test_learning_curves_show_progress_in_the_browser_and_cancel(server, page):
    """The job runs on the training pool: the live fragment redraws the progress by itself (AppTest cannot fire its
    timer), Cancel stops it and says what was done; the two default models then finish with their caption."""
    models = "&".join(f"boundary.lc_models={m}" for m in ("Gaussian naive Bayes", "Logistic regression", "QDA",
                                                           "Random forest", "Neural net", "RBF SVM", "KDE"))
    _open(server, page, f"{ONE_MODEL}&boundary.seed=41&boundary.lc_extra=30&{models}", panels=1)
    page.get_by_role("button", name="Compute learning curves").click()
    page.wait_for_function(f"() => /[1-9]\\d* of \\d+ fits/.test(({PROGRESS})())", timeout=60_000)
    first = _fits_done(page)
    page.wait_for_function(f"(n) => {{ const m = ({PROGRESS})().match(/(\\d+) of \\d+ fits/); return m && +m[1] > n; }}",
                           arg=first, timeout=60_000)  # it goes on by itself, between the page's redraws
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text(re.compile(r"Cancelled after \d+ of \d+ fits")).first.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stProgress]')", timeout=30_000)
    harness.assert_no_exception(page)

    harness.goto(page, harness.page_url(server, PAGE, f"{ONE_MODEL}&boundary.seed=41"), timeout=120_000)
    page.get_by_role("button", name="Compute learning curves").click()
    page.get_by_text("Lowest mean test error").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stProgress]')", timeout=30_000)
    harness.assert_no_exception(page)
