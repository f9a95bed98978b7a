"""Fixtures for the end-to-end tests: one streamlit server and one Chromium for the whole run."""

from __future__ import annotations

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


@pytest.fixture
def page(chromium):
    """A fresh browser context and page per test (own cookies, own Streamlit session)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
