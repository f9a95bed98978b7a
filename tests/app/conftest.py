"""AppTest helpers: open a page the way the app does (through app.py, then switch_page)."""

from __future__ import annotations

import math
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 30
ROOT = Path(__file__).resolve().parent.parent.parent


def open_page(page_file: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """Run app.py once, switch to ``page_file`` and run it (optionally with query parameters)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page_file != "app.py":
        at.switch_page(page_file)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


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
