"""Figures of the Bayes lab: the mosaic (area) diagram and 100 days as an icon grid."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.bayes import RAIN_LABELS, UMBRELLA_LABELS, day_counts
from core.style import CLASS_COLORS, HIGHLIGHT, KEEP_MARKER_SIZE, base_layout

RAIN_COLOR = CLASS_COLORS[0]
DRY_COLOR = CLASS_COLORS[1]


def mosaic_figure(joint: np.ndarray, *, highlight_umbrella: bool = True) -> go.Figure:
    """Unit square split by P(R) (width) then P(U | R) (height): each rectangle's area is P(R, U).

    The umbrella cells are outlined: conditioning on "umbrella" shrinks the sample space to them,
    and P(rain | umbrella) is the rain share of the outlined area.
    """
    fig = go.Figure()
    p_r = joint.sum(axis=1)
    x0 = 0.0
    for i, (label, color) in enumerate(zip(RAIN_LABELS, (RAIN_COLOR, DRY_COLOR), strict=True)):
        width = float(p_r[i])
        p_u_given = joint[i, 0] / width if width > 0 else 0.0
        cells = ((0.0, p_u_given, UMBRELLA_LABELS[0]), (p_u_given, 1.0, UMBRELLA_LABELS[1]))
        for y0, y1, u_label in cells:
            is_umbrella = u_label == UMBRELLA_LABELS[0]
            area = width * (y1 - y0)
            fig.add_shape(
                type="rect", x0=x0, x1=x0 + width, y0=y0, y1=y1,
                fillcolor=color, opacity=0.85 if is_umbrella else 0.3,
                line=dict(color=HIGHLIGHT if (is_umbrella and highlight_umbrella) else "white",
                          width=4 if (is_umbrella and highlight_umbrella) else 1),
            )
            if area > 0.004:
                fig.add_annotation(
                    x=x0 + width / 2, y=(y0 + y1) / 2, showarrow=False,
                    text=f"{label}, {u_label}<br>P = {area:.3f}", font=dict(size=12, color="#111"),
                )
        x0 += width
    # One invisible trace per colour so the legend explains the colours.
    for label, color in zip(RAIN_LABELS, (RAIN_COLOR, DRY_COLOR), strict=True):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker=dict(size=12, color=color, symbol="square")))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="umbrella seen (the new sample space)",
                             line=dict(color=HIGHLIGHT, width=4)))
    fig.update_xaxes(range=[0, 1], title="P(rain) | P(dry)", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[0, 1], title="P(umbrella | weather) from the bottom", showgrid=False,
                     zeroline=False)
    return base_layout(fig, height=380)


def icon_grid_figure(joint: np.ndarray, days: int = 100) -> go.Figure:
    """``days`` days as a 10-wide grid of squares: colour = rain or dry, filled = umbrella seen."""
    counts = day_counts(joint, days)
    kinds = []
    for i, rain in enumerate(RAIN_LABELS):
        for j, umbrella in enumerate(UMBRELLA_LABELS):
            kinds += [(rain, umbrella, i, j)] * int(counts[i, j])
    cols = 10
    fig = go.Figure()
    for i, rain in enumerate(RAIN_LABELS):
        for j, umbrella in enumerate(UMBRELLA_LABELS):
            idx = [k for k, kind in enumerate(kinds) if kind[2] == i and kind[3] == j]
            if not idx:
                continue
            color = (RAIN_COLOR, DRY_COLOR)[i]
            fig.add_trace(go.Scatter(
                x=[k % cols for k in idx], y=[-(k // cols) for k in idx], mode="markers",
                name=f"{rain}, {umbrella}: {len(idx)} days",
                marker=dict(
                    size=22, symbol="square" if j == 0 else "square-open", color=color,
                    line=dict(width=2, color=color),
                ),
                hovertemplate=f"{rain}, {umbrella}<extra></extra>",
            ))
    fig.update_xaxes(visible=False, range=[-0.7, cols - 0.3])
    fig.update_yaxes(visible=False, range=[-(days // cols) + 0.3, 0.7], scaleanchor="x")
    fig = base_layout(fig, height=400)
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1.0, yanchor="top"), meta={KEEP_MARKER_SIZE: True})
    return fig
