"""Colours and figure defaults shared by every page: the same meaning has the same colour everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.raster import rgb

if TYPE_CHECKING:  # only base_layout's type hints need Plotly; the colour helpers do not
    import plotly.graph_objects as go

CLASS_COLORS: tuple[str, ...] = ("#3b6fd4", "#e8762c", "#2f9e5a", "#9c4fd6")
"""Class 0, 1, 2, 3 (class 0 blue, class 1 orange on every page)."""

REAL_COLOR = "#2f9e5a"
FAKE_COLOR = "#9c4fd6"
"""Real data (green) and generated / fake data (purple)."""

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


def light_prob_colorscale(strength: float = 0.6) -> list[list]:
    """PROB_COLORSCALE paled towards white, so points and lines drawn over it stay readable."""
    return [[pos, mix_white(color, strength) if color.startswith("#") and pos != 0.5 else color]
            for pos, color in PROB_COLORSCALE]


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
    # Okabe & Ito (2008) blue, orange, bluish green; Tol (2012) wine for a third class (passes the test below)
    ("#0072B2", "#E69F00", "#882255", "#009E73"),
    real_color="#009E73", fake_color="#D55E00",
    font_size=20, title_size=24, line_width=4, marker_size=12, page_font_scale=1.35,
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
