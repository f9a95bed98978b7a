"""Colours and figure defaults shared by every page: the same meaning has the same colour everywhere."""

from __future__ import annotations

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


def base_layout(fig: go.Figure, *, height: int = 380, title: str | None = None) -> go.Figure:
    """Tight margins, no plotly logo clutter, a readable default size."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        title=title,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
        template="plotly_white",
    )
    return fig
