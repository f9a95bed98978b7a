"""Figures of the decision-boundary explorer: the clickable data plot, one panel per model, learning curves.

Every panel gets the same axis ranges (the grid's), so panels can be compared point for point.
Speed matters here (six panels redraw on every slider move), so traces are plain dicts of float32
arrays and the figure is assembled without Plotly's per-property validation (``_validate=False``),
which costs ~50× more than the model fits; the unit tests validate every figure kind once instead.
Class-conditional density contours travel on a half-resolution grid.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.classifiers import Grid, Panel
from core.datasets import Dataset
from core.style import CLASS_COLORS, NEUTRAL, PROB_COLORSCALE, base_layout

CLICK_GRID_CURVE = 0
"""The invisible click grid is the first trace of the data figure (its curve number in selections)."""
CLICK_GRID_SHAPE = (44, 18)
"""Invisible markers across × down the data plot (~19 px apart at its usual size): every click lands near one.
Each is an SVG node, so 60 × 60 would cost the browser ~5× more time to draw for no visible gain."""
PANEL_CONFIG = {"staticPlot": True, "displayModeBar": False}
"""Plotly config for the panels: pictures, not widgets (2-3× faster to draw; the data plot stays interactive)."""
BOUNDARY_COLOR = "#111111"
SAMPLE_OUTLINE = "#222222"
POINT_OUTLINE = "#1c2333"
CURVE_COLORS = ("#3b6fd4", "#e8762c", "#2f9e5a", "#9c4fd6", "#d6336c", "#8a6d3b", "#17a2b8", "#555555",
                "#b8860b", "#6610f2", "#20c997", "#343a40")


@functools.cache
def _layout(height: int) -> dict[str, Any]:
    """The shared look (core.style.base_layout, template expanded) as a plain dict, made once per height."""
    return base_layout(go.Figure(), height=height).to_dict()["layout"]


def _figure(traces: list[dict[str, Any]], height: int, **layout: Any) -> go.Figure:
    """A figure from trace dicts on the shared layout, skipping Plotly's slow validation."""
    return go.Figure(data=traces, layout={**_layout(height), **layout}, _validate=False)


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def to_byte(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as uint8 0..255 (round to nearest): a quarter of float32's bytes for a picture."""
    return np.round(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def to_uint16(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as uint16 0..65535: half of float32's bytes, still exact enough to place P = ½."""
    return np.round(np.clip(values, 0.0, 1.0) * 65535).astype(np.uint16)


HALF_U16 = 65535 / 2
"""P(y = 1 | x) = ½ on the uint16 scale."""


def _hex_to_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _mix(color: str, t: float) -> str:
    """``color`` blended towards white: t = 0 white, t = 1 the colour itself."""
    rgb = 255 + t * (_hex_to_rgb(color) - 255)
    return "rgb({:.0f},{:.0f},{:.0f})".format(*rgb)


def _darker(color: str, t: float = 0.65) -> str:
    """``color`` blended towards black (for lines drawn over that colour's own region)."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(t * _hex_to_rgb(color)))


def light_prob_colorscale(strength: float = 0.6) -> list[list]:
    """core.style.PROB_COLORSCALE paled towards white, so points and contours stay readable on top."""
    return [[pos, _mix(color, strength) if color.startswith("#") and pos != 0.5 else color]
            for pos, color in PROB_COLORSCALE]


def class_colorscale(n_classes: int) -> list[list]:
    """A colorscale for ``class_confidence``: band k runs from near-white to class k's colour."""
    scale: list[list] = []
    for k in range(n_classes):
        scale.append([k / n_classes, _mix(CLASS_COLORS[k], 0.08)])
        scale.append([(k + 1) / n_classes, _mix(CLASS_COLORS[k], 0.6)])
    return scale


def class_confidence(proba: np.ndarray) -> np.ndarray:
    """Encode argmax and confidence in one number: k + (max P - 1/K) / (1 - 1/K), kept below k + 1."""
    K = proba.shape[-1]
    k = np.argmax(proba, axis=-1)
    conf = (proba.max(axis=-1) - 1.0 / K) / (1.0 - 1.0 / K)
    return (k + np.clip(conf, 0.0, 0.999)).astype(np.float32)


def _axes(grid: Grid) -> dict[str, Any]:
    axis = dict(showgrid=False, zeroline=False)
    return dict(xaxis=dict(range=list(grid.x_range), **axis), yaxis=dict(range=list(grid.y_range), **axis))


def _points(X: np.ndarray, y: np.ndarray, kind: str, size: int, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One trace per class: train as filled circles with a white rim, test as crosses."""
    traces = []
    for k in np.unique(y.astype(int)):
        mask = y == k
        color = CLASS_COLORS[k]
        marker = (dict(color=color, symbol="circle", size=size, line=dict(width=0.8, color=POINT_OUTLINE)) if kind == "train"
                  else dict(color=color, symbol="x-thin", size=size, line=dict(width=2, color=color)))
        traces.append(dict(type="scatter", x=_f32(X[mask, 0]), y=_f32(X[mask, 1]), mode="markers",
                           name=f"{kind} y={names[k]}", marker=marker, hoverinfo="skip",
                           unselected=dict(marker=dict(opacity=1.0))))
    return traces


def data_figure(data: Dataset, grid: Grid, *, height: int = 380) -> go.Figure:
    """The data (train ●, test ✕) over an invisible grid of markers that makes empty space clickable."""
    nx, ny = CLICK_GRID_SHAPE
    gx, gy = np.meshgrid(np.linspace(*grid.x_range, nx), np.linspace(*grid.y_range, ny))
    click_grid = dict(
        type="scatter", x=_f32(gx.ravel()), y=_f32(gy.ravel()), mode="markers", name="click grid",
        marker=dict(size=14, opacity=0.0, color=NEUTRAL), hoverinfo="none", showlegend=False,
        selected=dict(marker=dict(opacity=0.0)), unselected=dict(marker=dict(opacity=0.0)),
    )
    traces = [click_grid, *_points(data.X_train, data.y_train, "train", 8, data.class_names),
              *_points(data.X_test, data.y_test, "test", 8, data.class_names)]
    return _figure(traces, height, clickmode="event+select", dragmode=False, hovermode="closest",
                   showlegend=True, **_axes(grid))


def panel_figure(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
                 samples: tuple[np.ndarray, np.ndarray] | None = None, height: int = 330) -> go.Figure:
    """P(y | x) as colour, the boundary in black, the data, and for generative models P(x | y) and samples."""
    xs, ys = _f32(grid.xs), _f32(grid.ys)
    K = len(panel.classes)
    traces: list[dict[str, Any]] = []
    if panel.grid_proba is not None and K == 2:
        P1 = _f32(panel.grid_proba[:, :, 1])
        # The colour travels as one byte per cell (256 shades), the boundary's P as two (steps of 1/65535).
        traces.append(dict(type="heatmap", x=xs, y=ys, z=to_byte(P1), zmin=0, zmax=255, zsmooth="fast",
                           colorscale=light_prob_colorscale(), showscale=False, hoverinfo="skip", name="P(y=1|x)"))
        traces.append(dict(type="contour", x=xs, y=ys, z=to_uint16(P1), showscale=False, hoverinfo="skip",
                           name="boundary", contours=dict(start=HALF_U16, end=HALF_U16, size=1.0, coloring="none"),
                           line=dict(color=BOUNDARY_COLOR, width=2.5)))
    elif panel.grid_proba is not None:
        traces.append(dict(type="heatmap", x=xs, y=ys, z=class_confidence(panel.grid_proba), zmin=0, zmax=K,
                           colorscale=class_colorscale(K), showscale=False, hoverinfo="skip", name="argmax P(y|x)"))
        labels = np.argmax(panel.grid_proba, axis=-1).astype(np.float32)
        traces.append(dict(type="contour", x=xs, y=ys, z=labels, showscale=False, hoverinfo="skip", name="boundary",
                           contours=dict(start=0.5, end=K - 1.5, size=1.0, coloring="none"),
                           line=dict(color=BOUNDARY_COLOR, width=2.5)))
    if contours and panel.grid_log_density is not None:
        step = 2
        for k in range(K):
            logd = panel.grid_log_density[::step, ::step, k]
            dens = np.exp(logd - logd.max())  # relative density, peak 1 (sent as bytes, peak 255)
            traces.append(dict(
                type="contour", x=xs[::step], y=ys[::step], z=to_byte(dens), showscale=False, hoverinfo="skip",
                name=f"P(x|y={k})", contours=dict(start=0.1 * 255, end=0.9 * 255, size=0.2 * 255, coloring="lines"),
                colorscale=[[0, _darker(CLASS_COLORS[k])], [1, _darker(CLASS_COLORS[k])]], line=dict(width=1.4),
            ))
    traces += _points(data.X_train, data.y_train, "train", 6, data.class_names)
    traces += _points(data.X_test, data.y_test, "test", 6, data.class_names)
    if samples is not None and len(samples[1]):
        Xs, ys_ = samples
        for k in np.unique(ys_.astype(int)):
            mask = ys_ == k
            traces.append(dict(type="scatter", x=_f32(Xs[mask, 0]), y=_f32(Xs[mask, 1]), mode="markers",
                               name=f"sampled y={k}", hoverinfo="skip",
                               marker=dict(color=CLASS_COLORS[k], symbol="star", size=9,
                                           line=dict(width=1, color=SAMPLE_OUTLINE))))
    return _figure(traces, height, showlegend=False, **_axes(grid))


def learning_curve_figure(sizes: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray]],
                          *, height: int = 380) -> go.Figure:
    """Test error against training-set size m: the mean over draws as a line, mean ± 1 sd as a band."""
    traces: list[dict[str, Any]] = []
    for i, (name, (mean, sd)) in enumerate(curves.items()):
        color = CURVE_COLORS[i % len(CURVE_COLORS)]
        ok = np.isfinite(mean)
        m = sizes[ok].astype(float)
        lo, hi = np.clip(mean[ok] - sd[ok], 0, 1), np.clip(mean[ok] + sd[ok], 0, 1)
        traces.append(dict(type="scatter", x=np.concatenate([m, m[::-1]]), y=np.concatenate([hi, lo[::-1]]),
                           fill="toself", mode="lines", line=dict(width=0), fillcolor=color, opacity=0.18,
                           hoverinfo="skip", showlegend=False, legendgroup=name, name=f"{name} ± 1 sd"))
        traces.append(dict(type="scatter", x=m, y=mean[ok], mode="lines+markers", name=name, legendgroup=name,
                           line=dict(color=color, width=2.5)))
    return _figure(traces, height, xaxis=dict(type="log", title=dict(text="training-set size m")),
                   yaxis=dict(title=dict(text="test error"), rangemode="tozero"))
