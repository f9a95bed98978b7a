"""Figures of the loss-surface lab: per-example losses, the surface and its contour with a descent
path, the data with the current model, and the GAN losses with their gradients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from plotly.colors import sequential

from core import raster
from core.loss import losses
from core.loss.descent import DescentPath, LossData, Surface, predict
from core.memo import Memo, fingerprint
from core.style import CLASS_COLORS, FAKE_COLOR, HIGHLIGHT, NEUTRAL, REAL_COLOR

Y1_COLOR, Y0_COLOR = CLASS_COLORS[1], CLASS_COLORS[0]
PATH_COLOR = "#d6336c"
SURFACE_SCALE = "Viridis"
_VIRIDIS = [[i / (len(sequential.Viridis) - 1), c] for i, c in enumerate(sequential.Viridis)]
CONTOUR_PX = (360, 360)
"""The contour map's plot area and its picture in pixels (width, height): square, so the arrow along −∇L
points the way the numbers say (its angle is worked out in pixels)."""
P_GRID = np.linspace(0.001, 0.999, 400)


# --------------------------------------------------------------------------------------------------
# Curves as Vega-Lite (the 2-D charts: no Plotly on the page unless the 3-D surfaces are asked for)
# --------------------------------------------------------------------------------------------------
VegaLite = dict[str, Any]


@dataclass(frozen=True)
class Curve:
    """One line of a curves chart: its legend name, y over the chart's x grid, colour, dash and width."""

    name: str
    y: np.ndarray
    color: str
    dash: str = "solid"
    width: float = 2.0


@dataclass(frozen=True)
class Mark:
    """One marked value: a point at (x, y) with an optional label; ``off`` pins it to the chart's edge."""

    x: float
    y: float
    color: str
    text: str = ""
    size: float = 70.0
    shape: str = "circle"
    text_color: str | None = None  # the label's colour, if not the point's (gold text would not read)


DASHES = {"solid": [1, 0], "dot": [2, 3], "dash": [6, 4]}


def curves_chart(x: np.ndarray, curves: list[Curve], *, x_title: str, y_domain: tuple[float, float],
                 title: str = "", y_title: str = "", marks: list[Mark] = (), rules: list[float] = (),
                 legend: bool = True, legend_columns: int = 2, height: int = 300) -> VegaLite:
    """``curves`` over ``x`` on fixed axes (a curve that shoots off is clipped at the frame, never rescales
    it), dashed rules at ``rules``, and ``marks``: the current values, with their labels."""
    names = [c.name for c in curves]
    lo, hi = y_domain
    ys = [np.clip(np.nan_to_num(np.asarray(c.y, dtype=float), nan=hi + 1.0, posinf=hi + 1.0, neginf=lo - 1.0),
                  lo - 1.0, hi + 1.0) for c in curves]
    xs = {"field": "x", "type": "quantitative", "title": x_title,
          "scale": {"domain": [float(x[0]), float(x[-1])], "nice": False}}
    ys_enc = {"field": "y", "type": "quantitative", "title": y_title or None, "scale": {"domain": [lo, hi], "nice": False}}
    layers: list[VegaLite] = [{
        "data": {"name": "curves"}, "mark": {"type": "line", "clip": True},
        "encoding": {
            "x": xs, "y": ys_enc,
            "color": {"field": "curve", "type": "nominal", "sort": names, "title": None,
                      "scale": {"domain": names, "range": [c.color for c in curves]},
                      "legend": {"orient": "top", "columns": legend_columns, "labelLimit": 400, "symbolStrokeWidth": 2.5,
                                 "symbolType": "stroke", "symbolDash": None} if legend else None},
            "strokeDash": {"field": "dash", "type": "nominal", "legend": None,
                           "scale": {"domain": list(DASHES), "range": list(DASHES.values())}},
            "strokeWidth": {"field": "width", "type": "quantitative", "legend": None, "scale": None},
        },
    }]
    datasets: dict[str, Any] = {"curves": pa.table({
        "x": np.tile(np.asarray(x, dtype=np.float32), len(curves)),
        "y": np.concatenate(ys).astype(np.float32),
        "curve": pa.array(np.repeat(names, len(x)).tolist()),
        "dash": pa.array(np.repeat([c.dash for c in curves], len(x)).tolist()),
        "width": np.repeat([c.width for c in curves], len(x)).astype(np.float32),
    })}
    if rules:
        datasets["rules"] = pa.table({"x": np.asarray(rules, dtype=float)})
        layers.insert(0, {"data": {"name": "rules"}, "mark": {"type": "rule", "color": NEUTRAL, "strokeDash": [4, 3]},
                          "encoding": {"x": xs}})
    if marks:
        keys = [f"mark {i}" for i in range(len(marks))]
        datasets["marks"] = pa.table({
            "x": [m.x for m in marks], "y": [float(np.clip(m.y, lo, hi)) for m in marks],
            "value": [float(m.y) for m in marks], "label": [m.text for m in marks], "key": keys,
            "size": [m.size for m in marks], "shape": [m.shape for m in marks],
        })
        where = {"x": xs, "y": ys_enc}

        def colors(which: list[str]) -> VegaLite:  # colours in a scale, not in the data: restyling reaches them
            return {"field": "key", "type": "nominal", "legend": None, "scale": {"domain": keys, "range": which}}

        layers += [
            {"data": {"name": "marks"},
             "mark": {"type": "point", "filled": True, "stroke": "white", "strokeWidth": 1, "clip": True},
             "encoding": {**where, "color": colors([m.color for m in marks]),
                          "size": {"field": "size", "type": "quantitative", "scale": None},
                          "shape": {"field": "shape", "type": "nominal", "scale": None},
                          "tooltip": [{"field": "label", "title": "value"}]}},
            {"data": {"name": "marks"}, "mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 12},
             "encoding": {**where, "text": {"field": "label"},
                          "color": colors([m.text_color or m.color for m in marks])}},
        ]
    # The marks' colour scale (key → colour) is their own: shared, it would join the curves' legend.
    spec: VegaLite = {"height": height, "datasets": datasets, "layer": layers,
                      "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}}}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13}
    return spec


# --------------------------------------------------------------------------------------------------
# Per-example losses
# --------------------------------------------------------------------------------------------------
PER_EXAMPLE = (
    (1.0, "BCE −ln ŷ (y = 1)", Y1_COLOR, "solid", losses.bce, losses.bce_grad),
    (0.0, "BCE −ln(1 − ŷ) (y = 0)", Y0_COLOR, "solid", losses.bce, losses.bce_grad),
    (1.0, "½(1 − ŷ)² (y = 1)", Y1_COLOR, "dot", losses.squared_error, losses.squared_error_grad),
    (0.0, "½ŷ² (y = 0)", Y0_COLOR, "dot", losses.squared_error, losses.squared_error_grad),
)
"""Each per-example curve: label y, legend name, colour, dash, the loss and its slope dL/dŷ."""


def per_example_charts(y_hat: float, *, loss_cap: float = 5.0, slope_cap: float = 10.0,
                       height: int = 390) -> tuple[VegaLite, VegaLite]:
    """BCE (solid) and ½(y − ŷ)² (dotted) for y = 1 and y = 0 against ŷ; then their slopes dL/dŷ. The current
    ŷ is a dashed rule with the four values marked (the two BCE values labelled)."""
    p = P_GRID
    charts = []
    for k, cap, title in ((0, (0.0, loss_cap), "Loss L(y, ŷ)"),
                          (1, (-slope_cap, slope_cap), "Slope dL/dŷ (what the gradient sees)")):
        curves = [Curve(name, fns[k](y, p), color, dash, 3.0 if dash == "solid" else 2.0)
                  for y, name, color, dash, *fns in PER_EXAMPLE]
        values = [float(fns[k](y, y_hat)) for y, _, _, _, *fns in PER_EXAMPLE]
        marks = [Mark(y_hat, v, c[2], f"{v:.3f}" if i < 2 else "", 90.0 if i < 2 else 50.0)
                 for i, (v, c) in enumerate(zip(values, PER_EXAMPLE, strict=True))]
        charts.append(curves_chart(p, curves, x_title="ŷ = predicted P(y = 1)", y_domain=cap, title=title,
                                   marks=marks, rules=[y_hat], legend_columns=1, height=height))
    return charts[0], charts[1]


# --------------------------------------------------------------------------------------------------
# The surface, the contour map and the path
# --------------------------------------------------------------------------------------------------
def _after(pos: int) -> str:
    return f"after {pos} step" + ("" if pos == 1 else "s")


def _walked(path: DescentPath, pos: int) -> tuple[np.ndarray, np.ndarray, int]:
    pos = int(np.clip(pos, 0, path.steps_taken))
    return path.params[: pos + 1], path.loss[: pos + 1], pos


_SURFACES = Memo(16)


def surface_figure(surface: Surface, path: DescentPath | None = None, pos: int = 0, *,
                   minimum: tuple[float, float, float] | None = None, z_title: str = "mean BCE",
                   height: int = 460):
    """``build_surface_figure``, remembered: the lab redraws on every setting, and most changes (a new
    learning rate, a new number of steps) leave both surfaces and the walked part as they were."""
    walked = None if path is None else _walked(path, pos)[:2]
    key = fingerprint(surface.ws, surface.bs, surface.Z, walked, minimum, z_title, height)
    return _SURFACES(key, lambda: build_surface_figure(surface, path, pos, minimum=minimum, z_title=z_title,
                                                       height=height))


def build_surface_figure(surface: Surface, path: DescentPath | None = None, pos: int = 0, *,
                         minimum: tuple[float, float, float] | None = None, z_title: str = "mean BCE",
                         height: int = 460):
    """The loss over (w, b) as a 3-D surface (Plotly: nothing lighter draws one), the walked part of ``path``
    on it and the current point. The page draws these only when asked: Plotly's script is the largest a page
    can load, and a 3-D surface renders through WebGL, in software on many school laptops."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Surface(
        x=surface.ws, y=surface.bs, z=surface.Z, colorscale=SURFACE_SCALE, opacity=0.92, showscale=False,
        contours=dict(z=dict(show=True, usecolormap=True, project=dict(z=True), width=1)),
        hovertemplate="w = %{x:.2f}<br>b = %{y:.2f}<br>L = %{z:.3f}<extra></extra>", name=z_title,
    ))
    if path is not None:
        done, loss, pos = _walked(path, pos)
        lift = 0.01 * float(np.ptp(surface.Z))  # keep the line visibly above the surface
        fig.add_trace(go.Scatter3d(
            x=done[:, 0], y=done[:, 1], z=loss + lift, mode="lines+markers", name="path",
            line=dict(color=PATH_COLOR, width=6), marker=dict(size=2, color=PATH_COLOR),
        ))
        fig.add_trace(go.Scatter3d(
            x=[done[-1, 0]], y=[done[-1, 1]], z=[loss[-1] + lift], mode="markers", name=_after(pos),
            marker=dict(size=6, color="white", line=dict(color=PATH_COLOR, width=4)),
        ))
    if minimum is not None:
        fig.add_trace(go.Scatter3d(x=[minimum[0]], y=[minimum[1]], z=[minimum[2]], mode="markers", name="minimum",
                                   marker=dict(size=6, color="gold", symbol="diamond")))
    # No named template: assigning "plotly_white" validates the whole template (~50 ms per figure);
    # Streamlit's own chart theme styles the figure in the browser instead.
    fig.update_layout(
        scene=dict(xaxis_title="w", yaxis_title="b", zaxis_title=z_title,
                   camera=dict(eye=dict(x=-1.2, y=-1.25, z=0.75), center=dict(x=0, y=0, z=-0.15)), aspectmode="manual",
                   aspectratio=dict(x=1, y=1, z=0.7)),
        uirevision="surface", height=height, margin=dict(l=0, r=0, t=0, b=0),
        legend=dict(orientation="h", yanchor="top", y=0.98, xanchor="left", x=0.0),
    )
    return fig


def contour_picture(surface: Surface, canvas: raster.Canvas) -> np.ndarray:
    """ln L as Viridis colour with its level lines (white, evenly spaced in ln L): one uint8 RGB picture.

    Drawn on the server (core.raster): the browser then only decodes a picture, where tracing the
    contours of the 120 × 120 grid itself was the slowest part of every redraw.
    """
    log_z = np.log(np.asarray(surface.Z, dtype=float))
    levels = np.quantile(surface.Z, np.linspace(0.0, 1.0, 26) ** 2)  # dense where the valley is
    lo, hi = float(np.log(levels[1])), float(np.log(levels[-2]))
    field = canvas.resample(log_z)
    picture = raster.colorize(field, raster.lookup_table(_VIRIDIS), float(log_z.min()), float(log_z.max()))
    lines = raster.line_coverage(field, np.linspace(lo, hi, 19), width=1.0)
    return np.clip(np.rint(raster.paint(picture, 0.45 * lines, "#ffffff")), 0, 255).astype(np.uint8)


def contour_canvas(surface: Surface) -> raster.Canvas:
    """The picture's frame: the surface's (w, b) window at CONTOUR_PX."""
    return raster.Canvas((float(surface.ws[0]), float(surface.ws[-1])), (float(surface.bs[0]), float(surface.bs[-1])),
                         width=CONTOUR_PX[0], height=CONTOUR_PX[1])


def contour_background(surface: Surface) -> str:
    """``contour_picture`` as a JPEG data URI (it depends on the surface only: pages cache it)."""
    return raster.jpeg_data_uri(contour_picture(surface, contour_canvas(surface)))


START_SELECTION = "start"
"""The contour map's click selection: a click reports the nearest grid point's (w, b) under this name."""


def _points(**columns: Any) -> pa.Table:
    return pa.table({k: np.atleast_1d(np.asarray(v, dtype=float)).astype(np.float32) for k, v in columns.items()})


def arrow_angle(direction: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float],
                size: tuple[int, int] = CONTOUR_PX) -> float:
    """The angle in degrees, clockwise from straight up, of ``direction`` (in data units) as drawn on a plot
    of ``size`` pixels: Vega rotates a symbol by this much."""
    dx = float(direction[0]) * size[0] / (x_range[1] - x_range[0])
    dy = float(direction[1]) * size[1] / (y_range[1] - y_range[0])  # up on the screen
    return float(np.degrees(np.arctan2(dx, dy)))


def contour_chart(surface: Surface, path: DescentPath | None = None, pos: int = 0, *,
                  minimum: tuple[float, ...] | None = None, z_title: str = "mean BCE",
                  click_grid: int = 0, background: str | None = None) -> VegaLite:
    """Contour map of the loss over (w, b) with the whole path (faint), the walked part and −∇L.

    The map itself is a picture (``contour_picture``, a JPEG data URI: ``background`` if the caller has it
    cached) filling the plot area. ``click_grid`` > 0 adds an invisible click_grid × click_grid grid of points
    with a point selection named START_SELECTION: a click anywhere selects the nearest, so the page reads a
    (w, b) from it; hovering shows the loss there.
    """
    canvas = contour_canvas(surface)
    (w0, w1), (b0, b1) = canvas.x_range, canvas.y_range
    x = {"field": "w", "type": "quantitative", "title": "w (slope)",
         "scale": {"domain": [w0, w1], "nice": False, "zero": False}}
    y = {"field": "b", "type": "quantitative", "title": "b (intercept)",
         "scale": {"domain": [b0, b1], "nice": False, "zero": False}}
    datasets: dict[str, Any] = {"picture": pa.table({"w": [w0], "w2": [w1], "b": [b1], "b2": [b0],
                                                     "url": [background or contour_background(surface)]})}
    layers: list[VegaLite] = [{
        "data": {"name": "picture"},
        "mark": {"type": "image", "aspect": False, "align": "left", "baseline": "top",
                 "description": f"ln {z_title}, Viridis, with level lines"},
        "encoding": {"x": x, "x2": {"field": "w2"}, "y": y, "y2": {"field": "b2"}, "url": {"field": "url"}},
    }]
    legend: list[str] = []
    if click_grid > 0:
        gw, gb = np.meshgrid(np.linspace(w0, w1, click_grid), np.linspace(b0, b1, click_grid))
        iw = np.rint((gw - w0) / (w1 - w0) * (len(surface.ws) - 1)).astype(int)
        ib = np.rint((gb - b0) / (b1 - b0) * (len(surface.bs) - 1)).astype(int)
        datasets["grid"] = _points(w=gw.ravel(), b=gb.ravel(), L=np.asarray(surface.Z)[ib, iw].ravel())
        layers.append({
            "data": {"name": "grid"}, "mark": {"type": "point", "opacity": 0, "size": 300},
            "params": [{"name": START_SELECTION,
                        "select": {"type": "point", "fields": ["w", "b"], "on": "click", "nearest": True,
                                   "clear": False, "toggle": False}}],
            "encoding": {"x": x, "y": y, "tooltip": [
                {"field": "L", "type": "quantitative", "format": ".3f", "title": f"{z_title} here"},
                {"field": "w", "type": "quantitative", "format": ".1f", "title": "click: start at w"},
                {"field": "b", "type": "quantitative", "format": ".1f", "title": "b"}]},
        })
    if path is not None:
        done, _, pos = _walked(path, pos)
        datasets["whole"] = _points(w=path.params[:, 0], b=path.params[:, 1], step=np.arange(len(path.params)))
        datasets["walked"] = _points(w=done[:, 0], b=done[:, 1], step=np.arange(len(done)))
        datasets["start"] = _points(w=path.params[0, 0], b=path.params[0, 1])
        datasets["now"] = _points(w=done[-1, 0], b=done[-1, 1])
        layers += [
            {"data": {"name": "whole"}, "mark": {"type": "line", "color": "white", "strokeWidth": 1.5,
                                                 "strokeDash": [2, 3], "clip": True},
             "encoding": {"x": x, "y": y, "order": {"field": "step"}}},
            {"data": {"name": "walked"}, "mark": {"type": "line", "color": PATH_COLOR, "strokeWidth": 3,
                                                  "point": {"color": PATH_COLOR, "size": 16}, "clip": True},
             "encoding": {"x": x, "y": y, "order": {"field": "step"}, "tooltip": [
                 {"field": "step", "type": "quantitative"},
                 {"field": "w", "type": "quantitative", "format": ".3f"},
                 {"field": "b", "type": "quantitative", "format": ".3f"}]}},
            {"data": {"name": "start"}, "mark": {"type": "point", "shape": "circle", "size": 110, "color": "black",
                                                 "strokeWidth": 3, "filled": False, "clip": True},
             "encoding": {"x": x, "y": y}},
        ]
        g = path.grad[pos]
        norm = float(np.hypot(*g))
        if norm > 1e-9:  # an arrow along −∇L, of fixed length: the direction of steepest descent
            tip = done[-1] - 1.5 * g / norm
            datasets["arrow"] = _points(w=done[-1, 0], b=done[-1, 1], w2=tip[0], b2=tip[1],
                                        angle=arrow_angle(-g, (w0, w1), (b0, b1)))
            layers += [
                {"data": {"name": "arrow"}, "mark": {"type": "rule", "color": "white", "strokeWidth": 2, "clip": True},
                 "encoding": {"x": x, "y": y, "x2": {"field": "w2"}, "y2": {"field": "b2"}}},
                {"data": {"name": "arrow"}, "mark": {"type": "point", "shape": "triangle-up", "size": 90,
                                                     "filled": True, "color": "white", "clip": True},
                 "encoding": {"x": {**x, "field": "w2"}, "y": {**y, "field": "b2"},
                              "angle": {"field": "angle", "type": "quantitative", "scale": None}}},
            ]
        layers.append({"data": {"name": "now"}, "mark": {"type": "point", "shape": "circle", "size": 170,
                                                         "filled": True, "color": "white", "stroke": PATH_COLOR,
                                                         "strokeWidth": 4, "clip": True},
                       "encoding": {"x": x, "y": y}})
        legend += ["dotted white: the whole path", "red: walked so far", "○ start", f"◉ {_after(pos)}",
                   "white arrow: −∇L"]
    if minimum is not None:
        datasets["minimum"] = _points(w=minimum[0], b=minimum[1])
        layers.append({"data": {"name": "minimum"}, "mark": {"type": "point", "shape": "M0,-1L0.29,-0.4L0.95,-0.31"
                       "L0.48,0.15L0.59,0.81L0,0.5L-0.59,0.81L-0.48,0.15L-0.95,-0.31L-0.29,-0.4Z", "size": 260,
                       "filled": True, "color": "gold", "stroke": "black", "strokeWidth": 1, "clip": True},
                       "encoding": {"x": x, "y": y}})
        legend.append("★ minimum")
    # "pad": the plot area itself is CONTOUR_PX (Streamlit would otherwise fit axes and title inside it).
    spec: VegaLite = {"width": CONTOUR_PX[0], "height": CONTOUR_PX[1], "autosize": {"type": "pad"},
                      "datasets": datasets, "layer": layers}
    if legend:  # the marks are told apart by shape and line, so the key is one line of text above the map
        half = (len(legend) + 1) // 2
        spec["title"] = {"text": [" · ".join(legend[:half]), " · ".join(legend[half:])], "fontSize": 12, "fontWeight": "normal", "anchor": "start",
                         "color": NEUTRAL}
    return spec


def data_chart(data: LossData, w: float, b: float, *, n_curve: int = 200, height: int = 400) -> VegaLite:
    """The days (humidity, rain or not) and the current model ŷ = σ(w x + b) with its ½-line and, where the
    model crosses ½ inside the chart, its decision boundary."""
    h = data.humidity
    mean, std = float(h.mean()), float(h.std())
    lo, hi = float(h.min()) - 5.0, float(h.max()) + 5.0
    grid = np.linspace(lo, hi, n_curve)
    x = {"field": "h", "type": "quantitative", "title": "humidity (%)", "scale": {"domain": [lo, hi], "nice": False}}
    y = {"field": "p", "type": "quantitative", "title": "P(rain | humidity)",
         "scale": {"domain": [-0.08, 1.08], "nice": False}}
    names = ["dry day (y = 0)", "rainy day (y = 1)", "ŷ = σ(w x + b)"]
    color = {"field": "what", "type": "nominal", "sort": names,
             "scale": {"domain": names, "range": [Y0_COLOR, Y1_COLOR, HIGHLIGHT]},
             "legend": {"orient": "top", "title": None}}
    days = pa.table({"h": h.astype(np.float32), "p": data.y.astype(np.float32),
                     "what": pa.array([names[int(v)] for v in data.y])})
    model = pa.table({"h": grid.astype(np.float32), "p": predict(w, b, (grid - mean) / std).astype(np.float32),
                      "what": pa.array([names[2]] * n_curve)})
    datasets: dict[str, Any] = {"days": days, "model": model}
    layers: list[VegaLite] = [
        {"mark": {"type": "rule", "color": NEUTRAL, "strokeDash": [2, 3]}, "encoding": {"y": {"datum": 0.5}}},
        {"data": {"name": "model"}, "mark": {"type": "line", "strokeWidth": 3, "clip": True},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "days"}, "mark": {"type": "circle", "size": 100, "opacity": 0.9, "stroke": "white",
                                            "strokeWidth": 1},
         "encoding": {"x": x, "y": y, "color": color,
                      "tooltip": [{"field": "h", "type": "quantitative", "format": ".0f", "title": "humidity %"}]}},
    ]
    if abs(w) > 1e-9:
        boundary = mean + std * (-b / w)
        if lo <= boundary <= hi:
            datasets["boundary"] = pa.table({"h": [boundary], "p": [-0.08], "label": [f" ŷ = ½ at {boundary:.0f} %"]})
            layers += [
                {"data": {"name": "boundary"}, "mark": {"type": "rule", "color": NEUTRAL, "strokeDash": [4, 3],
                                                        "strokeWidth": 2}, "encoding": {"x": x}},
                {"data": {"name": "boundary"}, "mark": {"type": "text", "align": "left", "baseline": "bottom",
                                                        "color": NEUTRAL, "dy": -2},
                 "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
            ]
    return {"height": height, "datasets": datasets, "layer": layers}


# --------------------------------------------------------------------------------------------------
# GAN losses
# --------------------------------------------------------------------------------------------------
def gan_losses_charts(d_mark: float | None = None, *, cap: float = 6.0, height: int = 230) -> list[VegaLite]:
    """The GAN losses against the discriminator's output, their gradients, and the equilibrium D = ½: four charts.

    First: the discriminator's two BCE terms and their sum when it outputs the same d on real and fake
    (minimum ln 4 at d = ½). Second: both generator losses against D(G(z)). Third and fourth: their
    gradients w.r.t. D(G(z)) and w.r.t. the discriminator's logit (what flows back into G). ``d_mark``
    marks the current D(G(z)) on the generator's charts; a value off a chart is pinned to its edge as ▼
    with its true value in the label.
    """
    d = P_GRID
    eq, eq_loss = losses.EQUILIBRIUM_D, losses.EQUILIBRIUM_D_LOSS
    mm, ns = "minimax ln(1 − D(G(z)))", "non-saturating −ln D(G(z))"
    star = Mark(eq, eq_loss, "gold", "ln 4 ≈ 1.386", 160.0, "diamond", text_color="black")
    disc = curves_chart(d, [
        Curve("−ln D(x) on real", losses.bce(1.0, d), REAL_COLOR),
        Curve("−ln(1 − D(G(z))) on fake", losses.bce(0.0, d), FAKE_COLOR),
        Curve("sum, if D gives both the same d", losses.discriminator_loss(d, d), "black", "dash"),
    ], x_title="D's output d", y_domain=(0.0, cap), title="Discriminator: BCE on real (y = 1) and fake (y = 0)",
        marks=[star], rules=[eq], legend_columns=1, height=height + 70)
    panels = (
        ("Generator losses against D(G(z))", (-cap, cap), losses.generator_loss_minimax,
         losses.generator_loss_nonsaturating),
        ("Generator gradient w.r.t. D(G(z))", (-cap, 0.2), losses.generator_loss_minimax_grad,
         losses.generator_loss_nonsaturating_grad),
        ("Generator gradient w.r.t. D's logit (reaches G)", (-1.1, 0.1), lambda v: losses.generator_logit_grads(v)[0],
         lambda v: losses.generator_logit_grads(v)[1]),
    )
    charts = [disc]
    for i, (title, domain, f_mm, f_ns) in enumerate(panels):
        marks = []
        if d_mark is not None:
            for value, dash in ((float(f_mm(d_mark)), "dot"), (float(f_ns(d_mark)), "solid")):
                shown = min(max(value, domain[0]), domain[1])
                off = shown != value
                marks.append(Mark(d_mark, shown, FAKE_COLOR, f"{value:.2f}" + (" (off the chart)" if off else ""),
                                  80.0, "triangle-down" if off else ("circle" if dash == "solid" else "square")))
        charts.append(curves_chart(d, [Curve(mm, f_mm(d), FAKE_COLOR, "dot"), Curve(ns, f_ns(d), FAKE_COLOR)],
                                   x_title="D(G(z))", y_domain=domain, title=title, marks=marks, rules=[eq],
                                   legend=i == 0, legend_columns=1, height=height + (70 if i == 0 else 0)))
    return charts
