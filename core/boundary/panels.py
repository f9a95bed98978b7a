"""Figures of the decision-boundary explorer: the clickable data plot, one panel per model, learning curves.

Every panel gets the same axis ranges (the grid's), so panels can be compared point for point.
Speed matters here (six panels redraw on every slider move, the data plot on every change of the data):
- each panel is one picture drawn on the server (core.raster) inside HTML axes: Plotly took the browser
  about 0.1 s per panel just to lay out axes around a picture;
- the data plot and the learning curves are Vega-Lite specs with their data in named Arrow datasets. The
  data plot's spec does not change with the data, and it has a key, so on a slider move the browser
  updates it in place (the page gives it a new key after each click, so that it starts without a
  selection); Streamlit rebuilds a Plotly chart from scratch on any change (0.2–0.5 s for the selectable
  data plot). The page then needs no Plotly at all, so its 4.6 MB bundle is not even loaded.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from core import raster
from core.boundary.data import Dataset
from core.boundary.models import Grid, Panel
from core.memo import Memo, fingerprint, map_uncached
from core.style import (
    BOUNDARY_COLOR,
    CLASS_COLORS,
    DENSITY_LEVELS,
    NEUTRAL,
    NORMAL,
    POINT_OUTLINE,
    SAMPLE_OUTLINE,
    Style,
    darker,
    light_prob_colorscale,
    mix_white,
    scales,
)

CLICK_PARAM = "click"
"""The data chart's point selection: a click picks the nearest point of the invisible click grid."""
CLICK_GRID_N = (40, 16)
"""Invisible click-grid points across × down the data chart: a click adds a point at the nearest one."""
BOUNDARY_WIDTH = 3.0
"""Line widths in picture pixels (a panel picture is shown at about two thirds of its size)."""
DENSITY_WIDTH = 1.8
POINT_SHAPES = {"train": "circle", "test": "M-1,-1L1,1M-1,1L1,-1"}
"""Training points are discs, test points crosses (an SVG path), on the data plot as on the panels."""
CURVE_COLORS = ("#3b6fd4", "#e8762c", "#2f9e5a", "#9c4fd6", "#d6336c", "#8a6d3b", "#17a2b8", "#555555",
                "#b8860b", "#6610f2", "#20c997", "#343a40")


def class_shades(n_classes: int, n: int = 256, style: Style = NORMAL) -> np.ndarray:
    """(K, n, 3) float RGB: for class k, n shades from near-white (unsure) to class k's colour (certain)."""
    colors = style.class_colors
    return np.stack([raster.lookup_table([[0.0, mix_white(colors[k], 0.08)], [1.0, mix_white(colors[k], 0.6)]], n)
                     for k in range(n_classes)]).astype(np.float32)


def class_confidence(proba: np.ndarray) -> np.ndarray:
    """Encode argmax and confidence in one number: k + (max P - 1/K) / (1 - 1/K), kept below k + 1."""
    K = proba.shape[-1]
    k = np.argmax(proba, axis=-1)
    conf = (proba.max(axis=-1) - 1.0 / K) / (1.0 - 1.0 / K)
    return (k + np.clip(conf, 0.0, 0.999)).astype(np.float32)


def data_chart(data: Dataset, grid: Grid, *, height: int = 380, clickable: bool = True) -> dict[str, Any]:
    """The data (train ●, test ✕) as a Vega-Lite chart over an invisible grid that makes empty space clickable.
    Two legends: the classes by colour, and train / test by shape (each layer computes a constant
    ``points`` field, shown on one shared shape scale).

    The spec stays the same when only the data change (the data travel as named Arrow datasets, and the
    axes take their ranges from the click grid, which spans the grid's ranges exactly), so the browser
    updates the chart in place instead of building a new one. A click selects the nearest grid point
    (``nearest``: a Voronoi overlay over the whole plot), which the page turns into a new training point.
    Without ``clickable`` (a fresh tab's first screen, drawn before anything can be clicked) the chart has no click
    grid and no selection, and its axes span the same ranges.
    """
    nx, ny = CLICK_GRID_N
    gx, gy = np.meshgrid(np.linspace(*grid.x_range, nx), np.linspace(*grid.y_range, ny))
    names = [str(n) for n in data.class_names]
    scale = {"zero": False, "nice": False}
    x_scale, y_scale = (scale, scale) if clickable else (
        {**scale, "domain": [float(v) for v in grid.x_range]}, {**scale, "domain": [float(v) for v in grid.y_range]})
    x = {"field": "x1", "type": "quantitative", "scale": x_scale, "title": "x₁"}
    y = {"field": "x2", "type": "quantitative", "scale": y_scale, "title": "x₂"}
    color = {"field": "class", "type": "nominal", "title": "class", "scale": {"domain": names, "range": list(CLASS_COLORS)}}

    def shape() -> dict[str, Any]:
        return {"field": "points", "type": "nominal", "title": "points",
                "scale": {"domain": list(POINT_SHAPES), "range": list(POINT_SHAPES.values())},
                "legend": {"symbolFillColor": NEUTRAL, "symbolStrokeColor": POINT_OUTLINE, "symbolStrokeWidth": 1.5}}

    def table(X: np.ndarray, labels: np.ndarray) -> pa.Table:
        return pa.table({"x1": X[:, 0].astype(np.float32), "x2": X[:, 1].astype(np.float32),
                         "class": pa.array([names[int(k)] for k in labels], pa.string())})
    datasets = {"train": table(data.X_train, data.y_train), "test": table(data.X_test, data.y_test)}
    layers = [
        {"data": {"name": "train"}, "transform": [{"calculate": "'train'", "as": "points"}],
         "mark": {"type": "point", "filled": True, "size": 55, "opacity": 0.9, "stroke": POINT_OUTLINE,
                  "strokeWidth": 0.8},
         "encoding": {"x": x, "y": y, "color": color, "shape": shape()}},
        {"data": {"name": "test"}, "transform": [{"calculate": "'test'", "as": "points"}],
         "mark": {"type": "point", "size": 40, "strokeWidth": 2, "filled": False},
         "encoding": {"x": x, "y": y, "color": color, "shape": shape()}},
    ]
    if clickable:
        datasets["click_grid"] = pa.table({"gx": gx.ravel(), "gy": gy.ravel()})
        layers.append(
            {"data": {"name": "click_grid"},
             "mark": {"type": "point", "opacity": 0, "size": 10},
             "params": [{"name": CLICK_PARAM, "select": {"type": "point", "on": "click", "nearest": True,
                                                         "fields": ["gx", "gy"], "clear": False}}],
             "encoding": {"x": {"field": "gx", "type": "quantitative", "scale": scale},
                          "y": {"field": "gy", "type": "quantitative", "scale": scale}}})
    return {"height": height, "datasets": datasets, "layer": layers}


def panel_picture(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
                  samples: tuple[np.ndarray, np.ndarray] | None = None,
                  canvas: raster.Canvas | None = None, style: Style = NORMAL) -> tuple[np.ndarray, list[str]]:
    """The panel as one picture (uint8 RGB) and the names of what is drawn on it, bottom to top.

    P(y | x) as colour, the decision boundary in black, for generative models each class's P(x | y) as
    rings and the sampled points as stars; train ● and test ✕ on top (core.raster explains the drawing).
    ``style`` gives the class colours and scales lines and markers (projector mode).
    """
    canvas = canvas or raster.Canvas(grid.x_range, grid.y_range)
    colors = style.class_colors
    _, lw, mk = scales(style)
    shown: list[str] = []
    picture = np.full((canvas.height, canvas.width, 3), 255.0, dtype=np.float32)
    K = len(panel.classes)
    if panel.grid_proba is not None:
        P = np.stack([canvas.resample(panel.grid_proba[:, :, k]) for k in range(K)], axis=-1)
        if K == 2:
            picture = raster.colorize(P[..., 1], raster.lookup_table(light_prob_colorscale(style=style)))
            shown.append("P(y=1|x)")
        else:
            code = class_confidence(P)  # the winning class k and how sure, in one number k + c
            k_best = np.floor(code).astype(int)
            shades = class_shades(K, style=style)
            picture = shades[k_best, np.rint((code - k_best) * (shades.shape[1] - 1)).astype(int)]
            shown.append("argmax P(y|x)")
        # The boundary: where class k's P ties with the best other class (for two classes: P1 − P0 = 0).
        margins = [P[..., 1] - P[..., 0]] if K == 2 else [P[..., k] - np.delete(P, k, axis=-1).max(axis=-1) for k in range(K)]
        cover = np.max([raster.line_coverage(m, [0.0], BOUNDARY_WIDTH * lw) for m in margins], axis=0)
        picture = raster.paint(picture, cover, BOUNDARY_COLOR)
        shown.append("boundary")
    if contours and panel.grid_log_density is not None:
        for k in range(K):
            logd = panel.grid_log_density[:, :, k].astype(float)
            dens = canvas.resample(np.exp(logd - logd.max()))  # relative density, peak 1
            picture = raster.paint(picture, raster.line_coverage(dens, DENSITY_LEVELS, DENSITY_WIDTH * lw),
                                   darker(colors[k]))
            shown.append(f"P(x|y={k})")
    groups: list[raster.Markers] = []
    for X, y, kind in ((data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")):
        for k in np.unique(y.astype(int)):
            pts = canvas.to_pixels(X[y == k])
            groups.append(raster.Markers(pts, "circle", colors[k], 8 * mk, POINT_OUTLINE, 1.2 * lw) if kind == "train"
                          else raster.Markers(pts, "cross", colors[k], 8 * mk, line_width=2.0 * lw))
            shown.append(f"{kind} y={data.class_names[k]}")
    if samples is not None and len(samples[1]):
        Xs, ys_ = samples
        for k in np.unique(ys_.astype(int)):
            groups.append(raster.Markers(canvas.to_pixels(Xs[ys_ == k]), "star", colors[k], 15 * mk,
                                         SAMPLE_OUTLINE, 1.2 * lw))
            shown.append(f"sampled y={k}")
    return raster.draw_markers(picture, groups), shown


def panel_html(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
              samples: tuple[np.ndarray, np.ndarray] | None = None, style: Style = NORMAL) -> str:
    """The panel picture (``panel_picture``) inside x and y axes over the grid's ranges, shared by every panel,
    as HTML for ``st.html``: the browser only decodes a JPEG, no chart library lays it out.

    Its ``data-layers`` attribute lists what the picture shows, bottom to top, as a JSON list (``P(x|y=0)``,
    ``sampled y=1``, ...; class names come from a CSV and may hold any character).
    """
    canvas = raster.Canvas(grid.x_range, grid.y_range)
    picture, shown = panel_picture(panel, data, grid, contours=contours, samples=samples, canvas=canvas, style=style)
    kind = "generative" if panel.generative else "discriminative"
    return raster.html_axes(canvas, raster.jpeg_data_uri(picture), label=f"{panel.name} ({kind}): P(y | x) over x₁, x₂",
                            font_scale=scales(style)[0], model=panel.name, layers=json.dumps(shown))


_PICTURES = Memo(96)
"""Panel pictures remembered (≈ 60 kB each): a slider that refits one model then redraws one picture, not six."""


def cached_panel_html(panel: Panel, data: Dataset, grid: Grid, *, contours: bool = True,
                     samples: tuple[np.ndarray, np.ndarray] | None = None, style: Style = NORMAL) -> str:
    """``panel_html``, remembered for as long as the same fitted panel object is alive.

    Fitted panels come from core.boundary.models' cache, keyed by the data, the model and its settings, so the
    same panel object means the same data and the same fit (a new prior makes a new panel object).
    """
    return _PICTURES(_picture_key(contours, samples, style),
                     lambda: panel_html(panel, data, grid, contours=contours, samples=samples, style=style), owner=panel)


def _picture_key(contours: bool, samples: tuple[np.ndarray, np.ndarray] | None, style: Style = NORMAL) -> tuple:
    drawn = None if samples is None else fingerprint(*samples)
    return (contours, drawn, style.name)


def panel_card(name: str, generative: bool, picture: str = "", lines: Sequence[str] = (),
               style: Style = NORMAL) -> str:
    """A whole panel as one block of HTML (for ``st.html``): the model's name and family, its picture in
    its axes, and caption lines under it (each ``data-line``). One element instead of a heading, a
    picture and captions: when a model's setting changes the browser re-renders only this block, and
    Streamlit's Markdown elements are the slowest part of that."""
    family = "generative" if generative else "discriminative"
    captions = "".join(f'<div data-line style="font-size:{14 * scales(style)[0]:.0f}px;color:{raster.LABEL_COLOR};margin-top:4px">'
                       f"{html.escape(line)}</div>" for line in lines)
    return (f'<div style="font-weight:600;margin-bottom:4px">{html.escape(name)} · '
            f'<em style="font-weight:400">{family}</em></div>{picture}{captions}')


DRAW_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="panel-picture")
"""Two threads shared by every session for drawing panel pictures."""


def cached_panel_htmls(panels: Sequence[Panel], data: Dataset, grid: Grid, *, contours: bool = True,
                       samples: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
                       parallel: bool = True, style: Style = NORMAL) -> list[str]:
    """``cached_panel_html`` for several panels (``samples[i]`` for ``panels[i]``), the ones not remembered
    drawn on ``DRAW_THREADS``: numpy and Pillow let go of the interpreter lock for most of a picture, so
    two threads draw six pictures in about half the time."""
    samples = list(samples) if samples is not None else [None] * len(panels)

    def one(i: int) -> str:
        return cached_panel_html(panels[i], data, grid, contours=contours, samples=samples[i], style=style)
    if not parallel:
        return [one(i) for i in range(len(panels))]
    return map_uncached(DRAW_THREADS, range(len(panels)), one,
                        cached=lambda i: _PICTURES.has(_picture_key(contours, samples[i], style), owner=panels[i]))


def learning_curve_chart(sizes: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray]],
                         *, height: int = 380) -> dict[str, Any]:
    """Test error against training-set size m (log scale): the mean over draws as a line with points, mean ± 1 sd
    as a band (clipped to [0, 1]); sizes where a model could not be fitted are left out. A Vega-Lite spec."""
    rows: dict[str, list] = {"model": [], "m": [], "error": [], "lo": [], "hi": [], "sd": []}
    for name, (mean, sd) in curves.items():
        ok = np.isfinite(mean)
        rows["model"] += [name] * int(ok.sum())
        rows["m"] += sizes[ok].astype(float).tolist()
        rows["error"] += mean[ok].tolist()
        rows["lo"] += np.clip(mean[ok] - sd[ok], 0, 1).tolist()
        rows["hi"] += np.clip(mean[ok] + sd[ok], 0, 1).tolist()
        rows["sd"] += sd[ok].tolist()
    names = list(curves)
    x = {"field": "m", "type": "quantitative", "title": "training-set size m", "scale": {"type": "log", "nice": False}}
    color = {"field": "model", "type": "nominal", "title": None, "legend": {"orient": "top"},
             "scale": {"domain": names, "range": [CURVE_COLORS[i % len(CURVE_COLORS)] for i in range(len(names))]}}
    return {
        "height": height,
        "datasets": {"curves": pa.table(rows)},
        "data": {"name": "curves"},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.18},
             "encoding": {"x": x, "y": {"field": "lo", "type": "quantitative", "title": "test error",
                                        "scale": {"zero": True}},
                          "y2": {"field": "hi"}, "color": color}},  # one legend, shared with the lines
            {"mark": {"type": "line", "point": True, "strokeWidth": 2.5},
             "encoding": {"x": x, "y": {"field": "error", "type": "quantitative"}, "color": color,
                          "tooltip": [{"field": "model"}, {"field": "m", "type": "quantitative", "title": "m"},
                                      {"field": "error", "type": "quantitative", "title": "mean test error",
                                       "format": ".3f"},
                                      {"field": "sd", "type": "quantitative", "title": "sd", "format": ".3f"}]}},
        ],
    }
