"""Figures of the Bayes lab: the mosaic (area) diagram and 100 days as an icon grid, as Vega-Lite specs.

Vega-Lite rather than Plotly: Plotly's script is the largest a page can load (4.7 MB), and a fresh browser
parsing it holds the whole page's first paint for a second or more on a small machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.bayes.story import RAIN_LABELS, UMBRELLA_LABELS, day_counts
from core.style import CLASS_COLORS, HIGHLIGHT

RAIN_COLOR = CLASS_COLORS[0]
DRY_COLOR = CLASS_COLORS[1]
SEEN = "umbrella seen (the new sample space)"
NOT_SEEN = "no umbrella"
VegaLite = dict[str, Any]


def mosaic_cells(joint: np.ndarray) -> pd.DataFrame:
    """The four rectangles of the unit square: x split by P(R), then each column by P(U | R) from the bottom;
    each rectangle's area is P(R, U)."""
    rows = []
    p_r = joint.sum(axis=1)
    x0 = 0.0
    for i, weather in enumerate(RAIN_LABELS):
        width = float(p_r[i])
        p_u_given = float(joint[i, 0] / width) if width > 0 else 0.0
        for y0, y1, umbrella in ((0.0, p_u_given, UMBRELLA_LABELS[0]), (p_u_given, 1.0, UMBRELLA_LABELS[1])):
            area = width * (y1 - y0)
            rows.append({"x0": x0, "x1": x0 + width, "y0": y0, "y1": y1, "weather": weather, "umbrella": umbrella,
                         "seen": SEEN if umbrella == UMBRELLA_LABELS[0] else NOT_SEEN, "area": area,
                         "label": f"{weather}, {umbrella}\nP = {area:.3f}" if area > 0.004 else ""})
        x0 += width
    return pd.DataFrame(rows)


def mosaic_figure(joint: np.ndarray, *, height: int = 340) -> VegaLite:
    """Unit square split by P(R) (width) then P(U | R) (height): each rectangle's area is P(R, U).

    The umbrella cells are outlined: conditioning on "umbrella" shrinks the sample space to them,
    and P(rain | umbrella) is the rain share of the outlined area.
    """
    unit = {"domain": [0, 1], "nice": False}
    return {
        "data": {"values": mosaic_cells(joint)}, "height": height,
        "layer": [
            {"mark": {"type": "rect"},
             "encoding": {
                 "x": {"field": "x0", "type": "quantitative", "scale": unit, "title": "P(rain) | P(dry)"},
                 "x2": {"field": "x1"},
                 "y": {"field": "y0", "type": "quantitative", "scale": unit,
                       "title": "P(umbrella | weather) from the bottom"},
                 "y2": {"field": "y1"},
                 "color": {"field": "weather", "type": "nominal", "title": None,
                           "scale": {"domain": list(RAIN_LABELS), "range": [RAIN_COLOR, DRY_COLOR]}},
                 "opacity": {"condition": {"test": f"datum.seen === '{SEEN}'", "value": 0.85}, "value": 0.3},
                 "stroke": {"field": "seen", "type": "nominal", "title": None, "legend": {"labelLimit": 320},
                            "scale": {"domain": [SEEN, NOT_SEEN], "range": [HIGHLIGHT, "#ffffff"]}},
                 "strokeWidth": {"condition": {"test": f"datum.seen === '{SEEN}'", "value": 4}, "value": 1},
                 "tooltip": [{"field": "weather"}, {"field": "umbrella"},
                             {"field": "area", "type": "quantitative", "format": ".3f", "title": "P(R, U)"}],
             }},
            {"transform": [{"filter": "datum.label !== ''"},
                           {"calculate": "(datum.x0 + datum.x1) / 2", "as": "xm"},
                           {"calculate": "(datum.y0 + datum.y1) / 2", "as": "ym"}],
             "mark": {"type": "text", "lineBreak": "\n", "color": "#111111", "fontSize": 12},
             "encoding": {"x": {"field": "xm", "type": "quantitative"}, "y": {"field": "ym", "type": "quantitative"},
                          "text": {"field": "label"}}},
        ],
    }


def icon_days(joint: np.ndarray, days: int = 100, cols: int = 10) -> pd.DataFrame:
    """``days`` days in reading order (rain with umbrella first), each with its grid cell and kind."""
    counts = day_counts(joint, days)
    rows = []
    for i, weather in enumerate(RAIN_LABELS):
        for j, umbrella in enumerate(UMBRELLA_LABELS):
            kind = f"{weather}, {umbrella}: {int(counts[i, j])} days"
            rows += [{"weather": weather, "umbrella": umbrella, "kind": kind, "filled": j == 0}] * int(counts[i, j])
    for k, row in enumerate(rows):
        rows[k] = row | {"col": k % cols, "row": k // cols}
    return pd.DataFrame(rows, columns=["weather", "umbrella", "kind", "filled", "col", "row"])


def icon_grid_figure(joint: np.ndarray, days: int = 100, *, size: int = 250) -> VegaLite:
    """``days`` days as a 10-wide grid of squares: colour = rain or dry, filled = umbrella seen."""
    cells = icon_days(joint, days)
    kinds = list(dict.fromkeys(cells["kind"]))
    colors = [RAIN_COLOR if k.startswith(RAIN_LABELS[0] + ",") else DRY_COLOR for k in kinds]
    band = {"paddingInner": 0.25, "paddingOuter": 0.1}
    rows = (days + 9) // 10
    encoding = {
        "x": {"field": "col", "type": "ordinal", "axis": None, "scale": band | {"domain": list(range(10))}},
        "y": {"field": "row", "type": "ordinal", "axis": None, "scale": band | {"domain": list(range(rows))}},
        "color": {"field": "kind", "type": "nominal", "title": None, "scale": {"domain": kinds, "range": colors},
                  "legend": {"symbolType": "square"}},
        "tooltip": [{"field": "weather"}, {"field": "umbrella"}],
    }
    return {
        "data": {"values": cells}, "width": size, "height": round(size * rows / 10),
        "layer": [
            {"transform": [{"filter": "datum.filled"}], "mark": {"type": "rect"}, "encoding": encoding},
            {"transform": [{"filter": "!datum.filled"}],
             "mark": {"type": "rect", "filled": False, "strokeWidth": 2}, "encoding": encoding},
        ],
    }
