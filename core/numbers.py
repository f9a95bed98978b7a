"""How every page writes a number for a student: one formatter, so the same value reads the same everywhere."""

from __future__ import annotations

import math
from typing import SupportsFloat


def number(x: SupportsFloat | None, digits: int = 3, *, undefined: str = "undefined", large: float | None = None,
           significant: int = 3) -> str:
    """``x`` with ``digits`` decimals; ``undefined`` for None, nan and ±inf (never "nan" or "inf").

    With ``large``, a value of magnitude ``large`` or more is written in ``significant`` digits, in scientific
    notation where Python's ``g`` format uses it (1.23e+05), so a huge value stays short. A value that rounds
    to zero is written without a sign ("0.000", never "-0.000").
    """
    if x is None:
        return undefined
    value = float(x)
    if not math.isfinite(value):
        return undefined
    if large is not None and abs(value) >= large:
        return f"{value:.{significant}g}"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text

