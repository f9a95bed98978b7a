"""Start the app with ``streamlit run`` and drive it in Debian's headless Chromium (tests and benchmarks).

No skipping: a missing Chromium is an error, because a browser test that does not run proves nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.ui import FIRST_SCREEN_SIGNAL

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's chromium; raises if it is missing (CI must install it, see scripts/test.sh)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Chromium not found: install Debian's `chromium` (apt-get install -y chromium).")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``streamlit run app.py``."""

    process: subprocess.Popen
    port: int
    started_at: float
    healthy_at: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process in MB."""
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 2**20


def start_server(port: int | None = None, timeout: float = 60.0, script: str = "app.py",
                 env: dict[str, str] | None = None) -> Server:
    """Launch the app (or another ``script``) headless on a free port (with ``env`` added to its environment) and
    wait for /_stcore/health."""
    port = port or free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early; log in {log.name}:\n{Path(log.name).read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return Server(process, port, started, time.perf_counter())
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"streamlit did not become healthy in {timeout} s; log in {log.name}")


def stop_server(server: Server) -> None:
    """Terminate the server and wait for it."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """``with running_server() as server:``"""
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A Playwright Chromium browser (Debian's binary, headless, no network beyond localhost)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


FIRST_SCREEN_PENDING = f".st-key-{FIRST_SCREEN_SIGNAL}"
"""A fresh tab's page draws its first screen, then the rest (``ui.first_screen_end``): this element is on the page
from the first screen until the run that draws the rest has finished."""


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has rendered the whole page and the script is not running (pages without live
    fragments)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    # Before the first script run the state already reads notRunning: wait for the page title first.
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
    page.wait_for_function(
        "(pending) => { const a = document.querySelector('[data-testid=stApp]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector(pending); }",
        arg=FIRST_SCREEN_PENDING, timeout=timeout,
    )
    # Elements of the previous run stay in the page, marked stale, until the frontend has applied the whole run.
    page.wait_for_function("() => !document.querySelector('[data-testid=stElementContainer][data-stale=true]')",
                           timeout=timeout)
    next_frames(page)


def next_frames(page, n: int = 2) -> None:
    """Wait until the browser has drawn ``n`` more frames: what the last change of the DOM looks like is painted."""
    page.evaluate("(n) => new Promise(done => { const tick = k => k ? requestAnimationFrame(() => tick(k - 1))"
                  " : done(); tick(n); })", n)


STILL = """() => {
  // Nothing moving in the picture: scroll positions and the first elements' places the same for 5 frames, no
  // tooltip, and every hover toolbar (Plotly's mode bar, Streamlit's element toolbar) faded out.
  const main = document.querySelector('[data-testid=stMain]');
  const boxes = [...document.querySelectorAll('[data-testid=stElementContainer]')].slice(0, 40)
    .map(e => { const r = e.getBoundingClientRect(); return `${r.x},${r.y},${r.width},${r.height}`; });
  const now = [window.scrollX, window.scrollY, main ? main.scrollTop : 0, ...boxes].join('|');
  window.__still = now === window.__stillLast ? (window.__still || 0) + 1 : 0;
  window.__stillLast = now;
  const shown = el => { const c = getComputedStyle(el); return c.display !== 'none' && c.visibility !== 'hidden'
                        && parseFloat(c.opacity) > 0; };
  const toolbars = [...document.querySelectorAll('.modebar-group, [data-testid=stElementToolbar]')].some(shown);
  const tooltips = [...document.querySelectorAll('#vg-tooltip-element.visible, .hoverlayer .hovertext')]
    .some(shown);
  return window.__still >= 5 && !toolbars && !tooltips;
}"""


def wait_still(page, timeout: float = 30_000) -> None:
    """Before a screenshot: wait until scrolling has settled and no hover tooltip or toolbar is showing."""
    page.evaluate("() => { window.__still = 0; window.__stillLast = null; }")
    page.wait_for_function(STILL, polling="raf", timeout=timeout)


QUIET = """(quietMs) => {
  // The time of the last change of the script state or of the main area's DOM, kept by one observer.
  if (!window.__quiet) {
    window.__quiet = {last: performance.now()};
    const note = () => { window.__quiet.last = performance.now(); };
    new MutationObserver(note).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                       characterData: true});
  }
  const app = document.querySelector('[data-testid=stApp]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('""" + FIRST_SCREEN_PENDING + """')
    && performance.now() - window.__quiet.last >= quietMs;
}"""


def wait_quiet(page, quiet_ms: float = 1_000, timeout: float = 30_000) -> None:
    """Wait until the page has stopped changing: the script not running and no DOM change for ``quiet_ms``.

    On a live page this is the condition "no live tick is scheduled any more": while training, or while the page
    waits for the training pool's answer, a fragment reruns at least every 0.5 s and each run changes the DOM."""
    page.evaluate("() => { window.__quiet = null; }")
    page.wait_for_function(QUIET, arg=quiet_ms, polling=100, timeout=timeout)


def hold(page, claim, window_ms: float, message: str = "") -> None:
    """Assert that ``claim()`` stays true for ``window_ms``, checked every 100 ms (it fails at the first breach).

    A claim that something does *not* happen (a paused model takes no step) can only be checked over a window;
    this is that window, not a wait for the page."""
    deadline = time.monotonic() + window_ms / 1000
    while True:
        assert claim(), message or "the claim broke within the window"
        if time.monotonic() >= deadline:
            return
        page.wait_for_timeout(100)


def goto(page, url: str, timeout: float = 30_000) -> None:
    """Open ``url`` and wait until the script has finished."""
    page.goto(url, timeout=timeout)
    wait_idle(page, timeout)


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page."""
    errors = page.locator("[data-testid=stException]")
    if errors.count():
        raise AssertionError("stException on page: " + errors.first.inner_text()[:2000])


def page_url(server: Server, page_file: str, query: str = "") -> str:
    """The URL of a page file in pages-directory mode: pages/3_Loss_surface.py -> /Loss_surface."""
    name = Path(page_file).stem
    slug = name.split("_", 1)[1] if "_" in name and name.split("_", 1)[0].isdigit() else name
    url = f"{server.url}/{slug}" if page_file != "app.py" else server.url + "/"
    return url + (f"?{query}" if query else "")


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save a screenshot (the viewport, or the whole page) to docs/screenshots/<name>.png (used by the README)."""
    out = ROOT / "docs" / "screenshots" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=full_page)
    return out


CHART_CONTAINERS = "[data-testid=stPlotlyChart], [data-testid=stVegaLiteChart]"


def wait_pictures(page, n: int = 1, timeout: float = 30_000) -> None:
    """Wait until at least ``n`` server-drawn pictures (``st.html`` blocks with an image) are decoded."""
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('[data-testid=stHtml] img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length >= n",
        arg=n, timeout=timeout,
    )


def wait_charts(page, n: int = 1, timeout: float = 30_000) -> None:
    """Wait until at least ``n`` charts have drawn (each container holds Plotly's svg or Vega's canvas/svg)."""
    page.wait_for_function(
        "([sel, n]) => [...document.querySelectorAll(sel)]"
        ".filter(c => c.querySelector('.main-svg, canvas, svg')).length >= n",
        arg=[CHART_CONTAINERS, n], timeout=timeout,
    )
