"""Colours and figure defaults shared by every page: the same meaning has the same colour everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from core.raster import rgb

if TYPE_CHECKING:  # only base_layout's type hints need Plotly; the colour helpers do not
    import plotly.graph_objects as go

CLASS_COLORS: tuple[str, ...] = ("#3b6fd4", "#e8762c", "#2f9e5a", "#9c4fd6")
"""Class 0, 1, 2, 3 (class 0 blue, class 1 orange on every page)."""

REAL_COLOR = "#2f9e5b"
FAKE_COLOR = "#9c4fd7"
"""Real data (green) and generated / fake data (purple). One unit of blue away from class 2's and class 3's
colours on purpose: ``recolor`` tells a colour's role by its exact value, and the projector style gives
real and fake data other colours than classes 2 and 3."""

NEUTRAL = "#8a94a6"
HIGHLIGHT = "#d6336c"

PROB_COLORSCALE = [[0.0, CLASS_COLORS[0]], [0.5, "#f7f7f7"], [1.0, CLASS_COLORS[1]]]
"""P(y = 1 | x) from class-0 blue through white (0.5) to class-1 orange."""

BOUNDARY_COLOR = "#111111"
"""The decision boundary P = ½, on every picture of P(y | x)."""
DENSITY_LEVELS = (0.1, 0.3, 0.5, 0.7, 0.9)
"""P(x | y) rings: where the density is these fractions of its peak."""
SAMPLE_OUTLINE = "#222222"
"""The rim of a star: a point sampled from a generative model."""
POINT_OUTLINE = "#1c2333"
"""The rim of a training point."""


def mix_white(color: str, t: float) -> str:
    """A colour blended towards white: t = 0 white, t = 1 the colour itself."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(255 + t * (rgb(color) - 255)))


def darker(color: str, t: float = 0.65) -> str:
    """A colour blended towards black (for lines drawn over that colour's own region)."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(t * rgb(color)))


def light_prob_colorscale(strength: float = 0.6, style: Style | None = None) -> list[list]:
    """PROB_COLORSCALE (in ``style``'s class colours) paled towards white, so points and lines drawn over it
    stay readable."""
    return [[pos, mix_white(recolor(color, style) if style else color, strength)
             if color.startswith("#") and pos != 0.5 else color] for pos, color in PROB_COLORSCALE]


def base_layout(fig: go.Figure, *, height: int = 380, title: str | None = None,
                style: Style | None = None) -> go.Figure:
    """Tight margins, no plotly logo clutter, a readable default size; ``style`` sets text, line and marker sizes."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        title=title,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
        template="plotly_white",
    )
    if style is not None:
        fig.update_layout(font=dict(size=style.font_size), title_font_size=style.title_size,
                          colorway=list(style.class_colors))
        fig.update_traces(line_width=style.line_width, marker_size=style.marker_size, selector=dict(type="scatter"))
    return fig


# --------------------------------------------------------------------------------------------------
# Normal and projector mode: one palette and one scale per mode, passed to figure builders as ``style``
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """Colours and sizes for one display mode (immutable: each session passes its own, nothing global changes)."""

    name: str
    class_colors: tuple[str, ...]
    real_color: str
    fake_color: str
    font_size: float  # figure text, px
    title_size: float
    line_width: float  # px
    marker_size: float  # px (diameter)
    page_font_scale: float  # page text relative to the theme's


NORMAL = Style("normal", CLASS_COLORS, REAL_COLOR, FAKE_COLOR, font_size=12, title_size=14, line_width=2,
               marker_size=7, page_font_scale=1.0)
PROJECTOR = Style(
    "projector",
    # Okabe & Ito (2008) blue, orange, vermillion and bluish green, Tol (2012) wine. Bluish green fails the test
    # below against the blue (ΔE 17 under tritanopia), so class 2 is wine; real data stay green and fake data
    # purple-ish (wine), so the pages' words ("green dots are real") stay true.
    ("#0072B2", "#E69F00", "#882255", "#D55E00"),
    real_color="#009E73", fake_color="#882255",
    font_size=20, title_size=24, line_width=4, marker_size=12, page_font_scale=1.25,
)
"""Readable at 1280×720 from the back of a room: larger text, thicker lines, larger markers."""

MUST_DIFFER: tuple[tuple[str, str, str], ...] = (
    ("class 0 / class 1", "class_colors[0]", "class_colors[1]"),
    ("class 0 / class 2", "class_colors[0]", "class_colors[2]"),
    ("class 1 / class 2", "class_colors[1]", "class_colors[2]"),
    ("real / fake", "real_color", "fake_color"),
)
"""Pairs of colours whose meaning a student must tell apart (bigram/GPT use class 0/1)."""


def get_style(projector: bool) -> Style:
    """The style for a display mode."""
    return PROJECTOR if projector else NORMAL


def color_of(style: Style, attr: str) -> str:
    """A colour of ``style`` named as in MUST_DIFFER ('class_colors[1]', 'real_color')."""
    if attr.startswith("class_colors["):
        return style.class_colors[int(attr[len("class_colors["):-1])]
    return getattr(style, attr)


# --------------------------------------------------------------------------------------------------
# Restyling a finished figure for a style: figure builders draw in NORMAL; the page restyles a copy
# --------------------------------------------------------------------------------------------------
def scales(style: Style) -> tuple[float, float, float]:
    """(text, line, marker) size of ``style`` relative to NORMAL's."""
    return (style.font_size / NORMAL.font_size, style.line_width / NORMAL.line_width,
            style.marker_size / NORMAL.marker_size)


SHADES: tuple[tuple[str, float], ...] = (("real_color", 0.55), ("fake_color", 0.6))
"""Pale shades of a role the figures use (role, ``mix_white`` strength): the GAN's D(x) background. Real and
fake differ from classes 2 and 3 by one unit only, too little to tell their blends apart by value, so these
are mapped by their exact text."""


def shade(style: Style, role: str) -> str:
    """The pale shade of ``role`` listed in SHADES, in ``style``."""
    return mix_white(color_of(style, role), dict(SHADES)[role])


@lru_cache(maxsize=8)
def palette_map(style: Style) -> dict[str, str]:
    """NORMAL's palette colour (lower-case hex, and the SHADES as rgb() text) → the same role's colour in
    ``style``; raises if one normal colour would have two roles."""
    pairs = list(zip(NORMAL.class_colors, style.class_colors, strict=True))
    pairs += [(NORMAL.real_color, style.real_color), (NORMAL.fake_color, style.fake_color)]
    pairs += [(shade(NORMAL, role), shade(style, role)) for role, _ in SHADES]
    out: dict[str, str] = {}
    for a, b in pairs:
        if out.setdefault(a.lower(), b) != b:
            raise ValueError(f"{a} has two roles with different colours in {style.name}")
    return out


_RGB = re.compile(r"^rgb\(\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\)$")


def recolor(color: object, style: Style) -> object:
    """A colour of NORMAL's palette as the same role's colour in ``style``: the palette colours themselves
    (hex), the SHADES (exact text), and other blends towards white or black (``mix_white``, ``darker``,
    written as rgb(): the palette colour whose blend is nearest, within a rounding). Anything else (other
    colours, text, numbers) comes back unchanged."""
    if not isinstance(color, str) or style is NORMAL:
        return color
    mapping = palette_map(style)
    exact = mapping.get(color.lower().replace(" ", ""))
    if exact is not None or color.startswith("#"):
        return exact or color
    m = _RGB.match(color)
    if m is None:
        return color
    c = np.array([float(v) for v in m.groups()])
    best: tuple[float, str] | None = None
    for normal, mapped in mapping.items():
        if not normal.startswith("#"):
            continue
        p = rgb(normal)
        k = int(np.argmax(np.abs(p - 255)))  # the channel that says most about a blend with white
        t = (c[k] - 255) / (p[k] - 255)
        if 0 <= t <= 1 and (err := float(np.max(np.abs(255 + t * (p - 255) - c)))) <= 1.0 and (best is None or err < best[0]):
            best = (err, mix_white(mapped, t))
        k = int(np.argmax(p))
        t = c[k] / p[k] if p[k] else -1
        if 0 <= t <= 1 and (err := float(np.max(np.abs(t * p - c)))) <= 1.0 and (best is None or err < best[0]):
            best = (err, darker(mapped, t))
    return color if best is None else best[1]

PROJECTOR_HEIGHT = 1.25
"""A restyled Plotly figure is this much taller than its normal self."""
_FONT_KEYS = ("font", "tickfont", "titlefont", "title_font", "textfont", "insidetextfont", "outsidetextfont")


def _restyled(node: object, style: Style, scaled: Callable[[str, str, float], float], parent: str = "") -> object:
    """A copy of a figure's JSON tree with every number passed through ``scaled(key, parent key, value)`` and
    every string through ``recolor``; lists of numbers under a key are scaled element by element."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[k] = scaled(k, parent, v)
            elif scaled(k, parent, 1.0) != 1.0 and isinstance(v, (list, tuple, np.ndarray)) and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                out[k] = [scaled(k, parent, x) for x in v]
            else:
                out[k] = _restyled(v, style, scaled, k)
        return out
    if isinstance(node, (list, tuple)):
        return [_restyled(v, style, scaled, parent) for v in node]
    return recolor(node, style)


def _plotly_sizes(style: Style) -> Callable[[str, str, float], float]:
    """Which Plotly numbers are sizes, and by how much ``style`` scales them."""
    text, line, marker = scales(style)

    def scaled(key: str, parent: str, v: float) -> float:
        if key == "size" and parent in _FONT_KEYS:
            return v * text
        if key == "size" and parent == "marker":
            return v * marker
        if (key == "width" and parent == "line") or key == "arrowwidth":
            return v * line
        return v * text if parent == "margin" else v
    return scaled


def restyle_plotly(fig: go.Figure, style: Style) -> go.Figure:
    """A copy of ``fig`` in ``style``: its palette colours swapped by role, its text, lines and markers
    scaled (explicit sizes times the style's ratios to NORMAL, unset ones set to the style's own), and the
    default text size raised. ``fig`` itself is not changed (it may be a cached figure)."""
    import plotly.graph_objects as go

    if style is NORMAL:
        return fig
    d = _restyled(fig.to_plotly_json(), style, _plotly_sizes(style))
    layout = d.setdefault("layout", {})
    layout.setdefault("font", {}).setdefault("size", style.font_size)
    # Streamlit's chart theme sizes legends on its own (15 px), above the layout's font: set it too.
    layout.setdefault("legend", {}).setdefault("font", {}).setdefault("size", style.font_size)
    title = layout.get("title")
    if isinstance(title, dict) and "font" not in title:
        title["font"] = {"size": style.title_size}
    if "height" in layout:  # the larger text needs room: legends and axis titles below a plot grow with it
        layout["height"] = round(layout["height"] * PROJECTOR_HEIGHT)
    for note in layout.get("annotations", []):  # subplot titles (16 px) and labels: as large as the text, no more
        font = note.setdefault("font", {})
        font["size"] = min(font.get("size", style.font_size), style.font_size)
    for trace in d.get("data", []):
        if trace.get("type", "scatter") in ("scatter", "scattergl"):
            mode = trace.get("mode", "lines+markers")
            if "lines" in mode:
                trace.setdefault("line", {}).setdefault("width", style.line_width)
            if "markers" in mode:
                trace.setdefault("marker", {}).setdefault("size", style.marker_size)
    return go.Figure(d, skip_invalid=False)


_VEGA_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize")


def _vega_sizes(style: Style) -> Callable[[str, str, float], float]:
    """Which Vega-Lite numbers are sizes, and by how much ``style`` scales them."""
    text, line, marker = scales(style)

    def scaled(key: str, parent: str, v: float) -> float:
        if key in _VEGA_FONT_KEYS:
            return v * text
        if key == "size" and parent == "mark":
            return v * marker ** 2  # a Vega-Lite mark's size is its area
        if key == "strokeWidth":
            return v * line
        return v * marker if key == "dy" and parent == "mark" else v  # text below a mark moves out with it
    return scaled


def restyle_vega(spec: dict, style: Style) -> dict:
    """A copy of the Vega-Lite ``spec`` in ``style``: palette colours swapped by role, explicit mark sizes,
    stroke widths and font sizes scaled, and a ``config`` with the style's text, line and point sizes for
    everything left at Vega-Lite's defaults. Datasets (Arrow tables, records) are passed through."""
    if style is NORMAL:
        return spec
    _, line, marker = scales(style)
    out = _restyled({k: v for k, v in spec.items() if k != "datasets"}, style, _vega_sizes(style))
    if "datasets" in spec:
        out["datasets"] = spec["datasets"]
    f, t = style.font_size, style.title_size
    config = {
        "axis": {"labelFontSize": f, "titleFontSize": f, "tickWidth": line, "domainWidth": line},
        "legend": {"labelFontSize": f, "titleFontSize": f, "symbolSize": 100 * marker ** 2, "symbolStrokeWidth": 2 * line},
        "header": {"labelFontSize": f, "titleFontSize": t},
        "title": {"fontSize": t},
        "text": {"fontSize": f},
        "line": {"strokeWidth": 2 * line},
        "rule": {"strokeWidth": line},
        "point": {"size": 30 * marker ** 2, "strokeWidth": 2 * line},
        "circle": {"size": 30 * marker ** 2},
    }
    for group, values in config.items():
        out.setdefault("config", {}).setdefault(group, {})
        for k, v in values.items():
            out["config"][group].setdefault(k, v)
    return out
