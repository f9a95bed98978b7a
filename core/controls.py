"""One declaration per setting: a ``Control`` makes both its widget and the parsing of its value in a share link.

A lab declares its controls once, in its own package (``core.<lab>.settings`` or ``core.boundary.controls``);
``core.ui.control`` draws a widget from one and ``core.ui.url_state`` keeps the URL in step, so a range, a list
of options or a label is written in one place. This module is plain Python: labs import it, streamlit does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SLIDER, SELECT_SLIDER, SELECTBOX, MULTISELECT = "slider", "select_slider", "selectbox", "multiselect"
RADIO, TOGGLE, NUMBER, TEXT = "radio", "toggle", "number_input", "text_input"
KINDS = (SLIDER, SELECT_SLIDER, SELECTBOX, MULTISELECT, RADIO, TOGGLE, NUMBER, TEXT)
"""The widget kinds, named as the Streamlit function that draws each."""


@dataclass(frozen=True)
class Control:
    """A shareable setting: its URL and widget key, label, default, range (lo, hi, step) or options, and widget.

    ``kind`` is one of ``KINDS``; left empty it follows the default: a bool is a toggle, a list a multiselect,
    options make a select slider, a string a text input, a number a slider."""

    key: str
    label: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    options: tuple | None = None
    help: str = ""
    format: str | None = None
    kind: str = ""
    horizontal: bool = False
    max_chars: int | None = None

    def __post_init__(self) -> None:
        if self.options is not None and not isinstance(self.options, tuple):
            object.__setattr__(self, "options", tuple(self.options))
        if not self.kind:
            object.__setattr__(self, "kind", _kind_of(self))
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown widget kind {self.kind!r}")

    @property
    def is_list(self) -> bool:
        """True when the value is a list (a multiselect; repeated parameters in the URL)."""
        return isinstance(self.default, list | tuple)

    def initial(self) -> dict[str, Any]:
        """The widget's own starting value (its keyword argument), for a control kept out of share links, whose value
        no ``url_state`` puts in the session state: a browser that already holds a value for it (a tab back on a
        new session) keeps that value, a new one starts from the default."""
        if self.kind in (SELECTBOX, RADIO):
            return {"index": list(self.options or ()).index(self.default)}
        if self.kind == MULTISELECT:
            return {"default": list(self.default)}
        return {"value": self.default}

    def parse(self, raw: str | list[str]) -> Any:
        """A query-parameter value in the type of ``default``; ValueError if it is not one the widget offers."""
        return parse_value(raw, self)

    def widget(self) -> tuple[str, tuple, dict[str, Any]]:
        """The Streamlit call that draws this control: (function name, positional args, keyword args).

        The widget has no ``value``: its value lives in the session state under ``key`` (``ui.url_state``)."""
        common: dict[str, Any] = {"key": self.key, "help": self.help or None}
        if self.kind in (SLIDER, NUMBER):
            kwargs = {"min_value": self.lo, "max_value": self.hi, "step": self.step, **common}
            if self.format:
                kwargs["format"] = self.format
            return self.kind, (self.label,), kwargs
        if self.kind == TOGGLE:
            return self.kind, (self.label,), common
        if self.kind == TEXT:
            return self.kind, (self.label,), {"max_chars": self.max_chars, **common}
        if self.kind == RADIO:
            return self.kind, (self.label, self.options), {"horizontal": self.horizontal, **common}
        return self.kind, (self.label, self.options), common


def _kind_of(c: Control) -> str:
    if isinstance(c.default, bool):
        return TOGGLE
    if isinstance(c.default, list | tuple):
        return MULTISELECT
    if c.options is not None:
        return SELECT_SLIDER
    if isinstance(c.default, str):
        return TEXT
    return SLIDER


def parse_value(raw: str | list[str], spec: Control) -> Any:
    """Parse a query-parameter string into the type of ``spec.default``; ValueError if it does not fit."""
    default = spec.default
    if isinstance(default, list | tuple):
        items = [raw] if isinstance(raw, str) else list(raw)
        items = [item for item in items if item != ""]
        if spec.options is not None:
            bad = [item for item in items if item not in [str(o) for o in spec.options]]
            if bad:
                raise ValueError(f"unknown option(s) {bad}")
            by_text = {str(o): o for o in spec.options}
            return [by_text[item] for item in items]
        return items
    text = raw if isinstance(raw, str) else (raw[-1] if raw else "")
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"{text!r} is not true or false")
    if isinstance(default, int):
        value: Any = int(float(text))
    elif isinstance(default, float):
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
    else:
        value = text
    if spec.options is not None:
        by_text = {str(o): o for o in spec.options}
        if str(value) not in by_text:
            raise ValueError(f"{text!r} is not one of the options")
        value = by_text[str(value)]
    if spec.lo is not None and value < spec.lo:
        raise ValueError(f"{text} is below the minimum {spec.lo}")
    if spec.hi is not None and value > spec.hi:
        raise ValueError(f"{text} is above the maximum {spec.hi}")
    return value


def format_value(value: Any) -> str | list[str]:
    """The query-parameter form of a widget value (lists become repeated parameters)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def by_key(controls: Iterable[Control]) -> dict[str, Control]:
    """The controls keyed by their URL key; ValueError if two share a key."""
    out: dict[str, Control] = {}
    for c in controls:
        if c.key in out:
            raise ValueError(f"two controls share the key {c.key!r}")
        out[c.key] = c
    return out
