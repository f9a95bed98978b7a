"""Colours and figure defaults shared by every page: the same meaning has the same colour everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def mix_white(color: str, t: float) -> str:
    """A '#rrggbb' colour blended towards white: t = 0 white, t = 1 the colour itself."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(255 + t * (c - 255) for c in _channels(color)))


def darker(color: str, t: float = 0.65) -> str:
    """A '#rrggbb' colour blended towards black (for lines drawn over that colour's own region)."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(t * c for c in _channels(color)))


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
