"""AppTest helpers: open a page the way the app does (through app.py, then switch_page)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 30
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def no_learning_curves_from_other_tests(monkeypatch):
    """Each test starts with an empty server-wide memory of finished learning curves.

    The boundary page shows curves another session finished for the same settings (by design, shared by
    sessions); without this, a test that computed the default curves would add a chart to every later test's
    default page, so the tests' outcome would depend on their order."""
    from core.boundary import curves
    from core.memo import Memo

    monkeypatch.setattr(curves, "_CURVES", Memo(curves._CURVES.size))


@pytest.fixture(autouse=True)
def no_trainers_left_on_the_pool():
    """After each test, the trainers its sessions opened on the server's training pool are released, as a handle's
    ``close()`` releases its own (``Pool.release(sid, forget=True)``).

    An AppTest session never ends, so the pool never sees it go; its handles went only when garbage-collected, and
    until then their trainers held places on the pool (and, if left training, worker time) into later tests."""
    from core.training import get_pool

    pool = get_pool()
    with pool.lock:
        before = set(pool.slots)
    yield
    with pool.lock:
        left = set(pool.slots) - before
    for sid in left:
        pool.release(sid, forget=True)


def open_page(page_file: str, query: dict[str, str | list[str]] | None = None, whole: bool = True) -> AppTest:
    """A new session that opens ``page_file`` (optionally with query parameters): its first run, and, unless
    ``whole`` is False, the run that draws the whole page after a fresh tab's first screen."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page_file != "app.py":
        at.switch_page(page_file)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return complete_first_screen(at) if whole else at


def complete_first_screen(at: AppTest) -> AppTest:
    """A fresh session's first run draws only the page's first screen; the browser then asks for the next run,
    which draws the whole page (``ui.first_screen_end``). AppTest runs no JavaScript: run once more, as that
    signal does."""
    if on_first_screen(at):
        at.run()
    return at


def on_first_screen(at: AppTest) -> bool:
    """True when the last run drew only the first screen (the session's first run)."""
    from core import ui

    return ui.FIRST_SCREEN in at.session_state and at.session_state[ui.FIRST_SCREEN] == "stopped"


def assert_clean(at: AppTest) -> None:
    """No exception, and no metric showing NaN or inf."""
    assert not at.exception, [e.value for e in at.exception]
    for m in at.metric:
        text = str(m.value).lower()
        assert not re.search(r"\bnan\b|\binf\b", text), f"metric {m.label!r} shows {m.value!r}"


def metric(at: AppTest, label_start: str) -> str:
    """The value of the metric whose label starts with ``label_start``."""
    for m in at.metric:
        if m.label.startswith(label_start):
            return str(m.value)
    raise AssertionError(f"no metric starting {label_start!r}; have {[m.label for m in at.metric]}")


def as_number(text: str) -> float:
    """The first number in a metric value ("12.5 %" -> 12.5)."""
    match = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
    assert match, text
    value = float(match.group())
    assert math.isfinite(value)
    return value


def settle(at: AppTest, *keys: str, timeout: float = 120) -> AppTest:
    """Run the page again once its trainers (their session-state keys, where they exist) have answered every
    command sent.

    The page never waits long for the training pool: it draws the newest snapshot it has and polls. AppTest does
    not fire those polls, so a test waits here, on the condition, with a deadline for a busy machine."""
    for key in keys:
        if key in at.session_state:  # a trainer built on demand may not exist yet
            assert at.session_state[key].wait(timeout), f"{key}: no answer from the training pool within {timeout} s"
    at.run()
    return at


def run_until(at: AppTest, condition, *keys: str, timeout: float = 120) -> AppTest:
    """Run the page (one live tick each time), waiting between runs for the trainers' next snapshot, until
    ``condition(at)`` holds; fails after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        at.run()
        if condition(at):
            return at
        assert time.monotonic() < deadline, f"not within {timeout} s"
        for key in keys:
            if key in at.session_state:
                at.session_state[key].wait(min(2.0, max(0.1, deadline - time.monotonic())))


def settling(at: AppTest, *keys: str, deadline_s: float = 120) -> AppTest:
    """Make every later run of ``at`` end as the browser would see it after the training pool answered.

    When a run leaves one of the trainers (session-state ``keys``) waiting for the pool (a click the worker has
    not handled yet, a snapshot for a new prompt not yet published), wait for the answer, with a deadline, and run
    the page once more: the tick the page's polling fragment makes in a browser."""
    run = at._run

    def run_then_settle(widget_state=None, timeout=None):
        result = run(widget_state, timeout)
        handles = [at.session_state[key] for key in keys if key in at.session_state]
        if any(not h.settled for h in handles):
            for h in handles:
                assert h.wait(deadline_s), f"no answer from the training pool within {deadline_s} s"
            result = run(at._tree.get_widget_states(), timeout)
        return result

    at._run = run_then_settle
    return at
