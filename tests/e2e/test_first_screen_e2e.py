"""In a fresh tab every page draws its first content as part of the first screen, then completes by itself."""

from __future__ import annotations

import pytest

from core.ui import existing_labs
from tests import browser as harness

WATCH = """() => {
  // Every frame: is the first content drawn (a metric, a decoded server picture, a drawn chart), and is the page
  // still on its first screen (the signal's element there)? Kept in window.__firstScreen, with where the first
  // content stood on the page in the first screen's last frame.
  const log = window.__firstScreen = {contentAt: null, pendingAtContent: null, pendingSeen: false, doneAt: null,
                                      kind: null, top: null};
  const KINDS = {
    metric: main => main.querySelector('[data-testid=stMetricValue]'),
    img: main => [...main.querySelectorAll('[data-testid=stHtml] img')].find(i => i.complete && i.naturalWidth > 0),
    chart: main => [...main.querySelectorAll('[data-testid=stVegaLiteChart]')].find(c => c.querySelector('svg, canvas')),
  };
  const main = () => document.querySelector('[data-testid=stMain]');
  window.__firstContentTop = (kind) => {  // the page position of the first drawn element of that kind now
    const found = main() && KINDS[kind](main());
    return found ? found.getBoundingClientRect().top + window.scrollY : null;
  };
  const tick = () => {
    const pending = !!document.querySelector('__PENDING__');
    log.pendingSeen = log.pendingSeen || pending;
    if (log.contentAt === null && main()) {
      const kind = Object.keys(KINDS).find(k => KINDS[k](main()));
      if (kind) { log.contentAt = performance.now(); log.pendingAtContent = pending; log.kind = kind; }
    }
    if (pending && log.kind) log.top = window.__firstContentTop(log.kind);
    if (log.pendingSeen && !pending && log.doneAt === null) log.doneAt = performance.now();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

PAGES = ["app.py", *[lab.path for lab in existing_labs()]]


@pytest.mark.parametrize("page_file", PAGES)
def test_the_first_content_is_drawn_on_the_first_screen_and_the_rest_follows_by_itself(page, server, page_file):
    page.add_init_script(f"({WATCH.replace('__PENDING__', harness.FIRST_SCREEN_PENDING)})()")
    page.goto(harness.page_url(server, page_file))
    harness.wait_idle(page, timeout=60_000)  # the whole page: it asked for the rest without any click
    log = page.evaluate("window.__firstScreen")
    assert log["pendingSeen"], "the page never showed a first screen of its own"
    assert log["contentAt"] is not None and log["pendingAtContent"], (
        "the first content was not drawn while the page was still on its first screen", log)
    assert log["doneAt"] is not None and log["doneAt"] >= log["contentAt"], log
    # ...and every element of it loads its code and draws,
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=60_000)
    harness.assert_no_exception(page)
    # ...and what the student was reading when the first screen was complete stays where it was: the whole page adds
    # below it, or beside it, not above.
    top = page.evaluate("kind => window.__firstContentTop(kind)", log["kind"])
    assert top is not None and abs(top - log["top"]) <= 2, (f"the first {log['kind']} moved from {log['top']} "
                                                             f"to {top} px when the whole page arrived")
