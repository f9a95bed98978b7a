"""Three replicas behind the project's own deploy/haproxy.cfg on loopback, driven by real Chromium.

The config is used as it is: its backend addresses come from the environment (HAPROXY_BIND, REPLICA1..3),
which the test points at three `streamlit run` processes on free ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from core import ui
from tests import browser as harness
from tests.e2e.test_gan_e2e import LIVE, MARK, STEP, button

pytestmark = pytest.mark.e2e
CFG = harness.ROOT / "deploy" / "haproxy.cfg"


class Proxy:
    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def replicas():
    with ThreadPoolExecutor(3) as pool:
        servers = list(pool.map(lambda _: harness.start_server(timeout=90), range(3)))
    port = harness.free_port()
    env = dict(os.environ, HAPROXY_BIND=f"127.0.0.1:{port}",
               **{f"REPLICA{i + 1}": f"127.0.0.1:{s.port}" for i, s in enumerate(servers)})
    haproxy = subprocess.Popen([shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", str(CFG)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = Proxy(port)
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(proxy.url + "/_stcore/health", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or haproxy.poll() is not None:
                raise
            time.sleep(0.05)
    try:
        yield proxy, dict(zip(("app1", "app2", "app3"), servers, strict=True))
    finally:
        haproxy.terminate()
        haproxy.wait(timeout=10)
        for s in servers:
            harness.stop_server(s)


def server_id(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "SERVERID"), None)


def test_ten_new_browser_sessions_spread_over_the_replicas(replicas, chromium):
    """Ten students open the app in fresh browsers (no cookie yet): each gets a working page over its websocket,
    a replica cookie, and between them all three replicas serve, none more than four."""
    proxy, servers = replicas
    seen = []
    for _ in range(10):
        context = chromium.new_context(viewport={"width": 1280, "height": 720})
        try:
            page = context.new_page()
            harness.goto(page, proxy.url + "/", timeout=90_000)
            harness.wait_pictures(page, 2, timeout=60_000)  # the home page drawn: its session runs on a replica
            harness.assert_no_exception(page)
            seen.append(server_id(context))
        finally:
            context.close()
    assert set(seen) == set(servers)
    assert max(seen.count(s) for s in servers) <= 4


def test_through_the_proxy_train_upload_download_reload_and_a_replica_dies(replicas, chromium, tmp_path):
    proxy, servers = replicas
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        # Boundary lab: a CSV upload and the CSV download go through Streamlit's media endpoints.
        harness.goto(page, proxy.url + "/Decision_boundaries", timeout=90_000)
        home = server_id(context)
        assert home in servers
        csv = tmp_path / "mine.csv"
        csv.write_text("a,b,label\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(40)))
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(csv))
        page.get_by_text("mine.csv").first.wait_for()
        harness.wait_idle(page)
        harness.assert_no_exception(page)
        with page.expect_download() as info:
            page.locator(".st-key-boundary-download button").click()
        body = open(info.value.path()).read()
        assert body.splitlines()[0].count(",") == 2 and len(body.splitlines()) > 40

        # A reload keeps the same replica.
        page.reload()
        harness.wait_idle(page)
        assert server_id(context) == home

        # The live GAN trains and its charts update over the websocket.
        harness.goto(page, proxy.url + "/GAN", timeout=90_000)
        harness.wait_charts(page, 3, timeout=60_000)
        page.evaluate(MARK, LIVE)
        button(page, "gan.train").click()
        page.wait_for_function(f"() => ({STEP})() > 0")
        now = page.evaluate(STEP)
        page.wait_for_function(f"() => ({STEP})() > {now}")
        assert sum(page.evaluate("() => window.__marked.map((c, i) => c.toDataURL() !== window.__pictures[i])")) >= 1
        assert server_id(context) == home

        # Its replica dies: the student reaches another one and is told the training was lost.
        victim = servers[home].process
        victim.kill()
        victim.wait(timeout=10)
        page.get_by_text(ui.LOST_TRAINING[:40]).first.wait_for(timeout=40_000)
        harness.wait_idle(page)
        harness.assert_no_exception(page)
        assert server_id(context) not in (home, None)
        assert page.evaluate(STEP) == 0
    finally:
        context.close()
