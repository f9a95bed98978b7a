"""Colours and figure defaults shared by every page: the same meaning has the same colour everywhere."""

from __future__ import annotations

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
