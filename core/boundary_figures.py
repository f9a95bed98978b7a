"""Figures of the decision-boundary explorer: the clickable data plot, one panel per model, learning curves.

Every panel gets the same axis ranges (the grid's), so panels can be compared point for point.
Speed matters here (six panels redraw on every slider move), so each panel is one picture drawn on the
server (core.raster) inside HTML axes: Plotly took the browser about 0.1 s per panel just to lay out
axes around a picture. The Plotly figures (the clickable data plot, the learning curves) are assembled
without Plotly's per-property validation (``_validate=False``); the unit tests validate them once instead.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core import raster
from core.classifiers import Grid, Panel
from core.datasets import Dataset
from core.memo import Memo
from core.style import CLASS_COLORS, NEUTRAL, PROB_COLORSCALE, base_layout

CLICK_GRID_CURVE = 0
"""The invisible click grid is the first trace of the data figure (its curve number in selections)."""
CLICK_GRID_SHAPE = (30, 12)
"""Invisible markers across × down the data plot (~25 px apart at its usual size): a click adds a point at the
nearest one. Each is an SVG node that the browser draws again whenever the data change (the plot is a widget
keyed by its content, so it is rebuilt), and 44 × 18 of them cost about a quarter of a second per change."""
BOUNDARY_COLOR = "#111111"
BOUNDARY_WIDTH = 3.0
"""Line widths in picture pixels (a panel picture is shown at about two thirds of its size)."""
DENSITY_WIDTH = 1.8
DENSITY_LEVELS = (0.1, 0.3, 0.5, 0.7, 0.9)
"""P(x | y) rings: where the density is these fractions of its peak."""
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


def _mix(color: str, t: float) -> str:
    """``color`` blended towards white: t = 0 white, t = 1 the colour itself."""
    rgb = 255 + t * (raster.rgb(color) - 255)
    return "rgb({:.0f},{:.0f},{:.0f})".format(*rgb)


def _darker(color: str, t: float = 0.65) -> str:
    """``color`` blended towards black (for lines drawn over that colour's own region)."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(t * raster.rgb(color)))


def light_prob_colorscale(strength: float = 0.6) -> list[list]:
    """core.style.PROB_COLORSCALE paled towards white, so points and contours stay readable on top."""
    return [[pos, _mix(color, strength) if color.startswith("#") and pos != 0.5 else color]
            for pos, color in PROB_COLORSCALE]


def class_shades(n_classes: int, n: int = 256) -> np.ndarray:
    """(K, n, 3) float RGB: for class k, n shades from near-white (unsure) to class k's colour (certain)."""
    return np.stack([raster.lookup_table([[0.0, _mix(CLASS_COLORS[k], 0.08)], [1.0, _mix(CLASS_COLORS[k], 0.6)]], n)
                     for k in range(n_classes)]).astype(np.float32)


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


def panel_picture(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
                  samples: tuple[np.ndarray, np.ndarray] | None = None,
                  canvas: raster.Canvas | None = None) -> tuple[np.ndarray, list[str]]:
    """The panel as one picture (uint8 RGB) and the names of what is drawn on it, bottom to top.

    P(y | x) as colour, the decision boundary in black, for generative models each class's P(x | y) as
    rings and the sampled points as stars; train ● and test ✕ on top (core.raster explains the drawing).
    """
    canvas = canvas or raster.Canvas(grid.x_range, grid.y_range)
    shown: list[str] = []
    picture = np.full((canvas.height, canvas.width, 3), 255.0, dtype=np.float32)
    K = len(panel.classes)
    if panel.grid_proba is not None:
        P = np.stack([canvas.resample(panel.grid_proba[:, :, k]) for k in range(K)], axis=-1)
        if K == 2:
            picture = raster.colorize(P[..., 1], raster.lookup_table(light_prob_colorscale()))
            shown.append("P(y=1|x)")
        else:
            code = class_confidence(P)  # the winning class k and how sure, in one number k + c
            k_best = np.floor(code).astype(int)
            shades = class_shades(K)
            picture = shades[k_best, np.rint((code - k_best) * (shades.shape[1] - 1)).astype(int)]
            shown.append("argmax P(y|x)")
        # The boundary: where class k's P ties with the best other class (for two classes: P1 − P0 = 0).
        margins = [P[..., 1] - P[..., 0]] if K == 2 else [P[..., k] - np.delete(P, k, axis=-1).max(axis=-1) for k in range(K)]
        cover = np.max([raster.line_coverage(m, [0.0], BOUNDARY_WIDTH) for m in margins], axis=0)
        picture = raster.paint(picture, cover, BOUNDARY_COLOR)
        shown.append("boundary")
    if contours and panel.grid_log_density is not None:
        for k in range(K):
            logd = panel.grid_log_density[:, :, k].astype(float)
            dens = canvas.resample(np.exp(logd - logd.max()))  # relative density, peak 1
            picture = raster.paint(picture, raster.line_coverage(dens, DENSITY_LEVELS, DENSITY_WIDTH),
                                   _darker(CLASS_COLORS[k]))
            shown.append(f"P(x|y={k})")
    groups: list[raster.Markers] = []
    for X, y, kind in ((data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")):
        for k in np.unique(y.astype(int)):
            pts = canvas.to_pixels(X[y == k])
            groups.append(raster.Markers(pts, "circle", CLASS_COLORS[k], 8, POINT_OUTLINE, 1.2) if kind == "train"
                          else raster.Markers(pts, "cross", CLASS_COLORS[k], 8, line_width=2.0))
            shown.append(f"{kind} y={data.class_names[k]}")
    if samples is not None and len(samples[1]):
        Xs, ys_ = samples
        for k in np.unique(ys_.astype(int)):
            groups.append(raster.Markers(canvas.to_pixels(Xs[ys_ == k]), "star", CLASS_COLORS[k], 15,
                                         SAMPLE_OUTLINE, 1.2))
            shown.append(f"sampled y={k}")
    return raster.draw_markers(picture, groups), shown


def panel_html(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
              samples: tuple[np.ndarray, np.ndarray] | None = None) -> str:
    """The panel picture (``panel_picture``) inside x and y axes over the grid's ranges, shared by every panel,
    as HTML for ``st.html``: the browser only decodes a JPEG, no chart library lays it out.

    Its ``data-layers`` attribute lists what the picture shows, bottom to top (``P(x|y=0)``, ``sampled y=1``, ...).
    """
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    picture, shown = panel_picture(panel, data, grid, contours=contours, samples=samples, canvas=canvas)
    kind = "generative" if panel.generative else "discriminative"
    return raster.html_axes(canvas, raster.jpeg_data_uri(picture), label=f"{panel.name} ({kind}): P(y | x) over x₁, x₂",
                            model=panel.name, layers=",".join(shown))


_PICTURES = Memo(96)
"""Panel pictures remembered (≈ 60 kB each): a slider that refits one model then redraws one picture, not six."""


def cached_panel_html(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
                     samples: tuple[np.ndarray, np.ndarray] | None = None) -> str:
    """``panel_html``, remembered for as long as the same fitted panel object is alive.

    Fitted panels come from core.classifiers' cache, keyed by the data, the model and its settings, so the
    same panel object means the same data and the same fit (a new prior makes a new panel object).
    """
    drawn = None if samples is None else hashlib.sha1(np.ascontiguousarray(samples[0]).tobytes()
                                                      + np.ascontiguousarray(samples[1]).tobytes()).hexdigest()
    return _PICTURES((contours, drawn), lambda: panel_html(panel, data, grid, contours=contours, samples=samples),
                     owner=panel)


def cached_panel_htmls(panels: Sequence[Panel], data: Dataset, grid: Grid, *, contours: bool = True,
                       samples: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
                       workers: int = 2) -> list[str]:
    """``cached_panel_html`` for several panels (``samples[i]`` for ``panels[i]``), drawn on a few threads:
    numpy and Pillow let go of the interpreter lock for most of a picture, so two draw in about half the time."""
    samples = list(samples) if samples is not None else [None] * len(panels)

    def one(i: int) -> str:
        return cached_panel_html(panels[i], data, grid, contours=contours, samples=samples[i])
    if workers <= 1 or len(panels) <= 1:
        return [one(i) for i in range(len(panels))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(len(panels))))


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
