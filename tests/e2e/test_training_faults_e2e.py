"""A training worker killed under a student in Chromium: a clear message, a working Train, no traceback."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from core.training.pool import WORKER_LOST
from tests import browser as harness
from tests.e2e.test_gan_e2e import PAGE, STEP, button, step

pytestmark = pytest.mark.e2e


def workers(server) -> list[psutil.Process]:
    """The server's training workers (its children running core.training.worker)."""
    return [p for p in psutil.Process(server.process.pid).children(recursive=True)
            if "core.training.worker" in " ".join(p.cmdline())]


def test_a_killed_worker_gives_a_message_and_train_works_again(server, page):
    harness.goto(page, harness.page_url(server, PAGE), timeout=120_000)
    harness.wait_charts(page, 3, timeout=60_000)
    button(page, "gan.train").click()
    page.wait_for_function(f"() => ({STEP})() > 20", timeout=60_000)
    pool_workers = workers(server)
    assert pool_workers, "no training worker found"
    for worker in pool_workers:
        os.kill(worker.pid, signal.SIGKILL)
    # The page says what happened, shows the rebuilt model at step 0 and offers Train again.
    page.get_by_text(WORKER_LOST[:60]).first.wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({STEP})() === 0", timeout=60_000)
    page.locator(".st-key-gan-train button", has_text="Train").wait_for(timeout=30_000)
    harness.assert_no_exception(page)
    assert all(not w.is_running() or w.status() == psutil.STATUS_ZOMBIE for w in pool_workers)
    button(page, "gan.train").click()
    page.wait_for_function(f"() => ({STEP})() > 5", timeout=60_000)  # a new worker trains it
    harness.assert_no_exception(page)
    assert step(page) > 5
    button(page, "gan.train").click()  # pause: leave nothing training for the next test
