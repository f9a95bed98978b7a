"""A page's widget state before anything was touched, for testing its lab's decisions on a plain dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.controls import Control


def defaults(controls: Iterable[Control]) -> dict[str, Any]:
    """Every control's default, keyed by its key (a list copied, as a widget may change it)."""
    return {c.key: list(c.default) if c.is_list else c.default for c in controls}
