"""Fixtures for the end-to-end tests: one streamlit server and one Chromium for the whole run."""

from __future__ import annotations

import contextlib

import pytest

from tests import browser as harness


@pytest.fixture(scope="session")
def server():
    """``streamlit run app.py`` on a free port, healthy."""
    with harness.running_server() as srv:
        yield srv


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium through Playwright (a missing browser fails, never skips)."""
    with harness.browser() as b:
        yield b


@contextlib.contextmanager
def fresh_page(chromium, width: int = 1400, height: int = 1000, timeout_ms: float = 30_000):
    """A fresh browser context and page (own cookies, own Streamlit session), closed afterwards."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context and page per test."""
    with fresh_page(chromium) as pg:
        yield pg
