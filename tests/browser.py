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


def start_server(port: int | None = None, timeout: float = 60.0, script: str = "app.py") -> Server:
    """Launch the app (or another ``script``) headless on a free port and wait for /_stcore/health."""
    port = port or free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
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


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has rendered and the script is not running (pages without live fragments)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    # Before the first script run the state already reads notRunning: wait for the page title first.
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=stApp]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
        timeout=timeout,
    )
    page.wait_for_timeout(150)


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
