"""Vega-Lite specs for the live GAN views: arrays in, a spec dict out (its data under ``datasets``).

Live views redraw several times a second, so they are Vega-Lite, not Plotly: when only the named
datasets change between two redraws, Streamlit swaps the data into the existing chart (no remount,
no flicker, the user's zoom kept). So every builder keeps the spec itself (everything but
``datasets``) a function of its static arguments only, and sends float32 columns as Arrow tables
(Streamlit serialises a ``pyarrow.Table`` directly, without going through pandas).

The drawing canvas is Plotly because it is redrawn only when you click: an invisible grid of
points catches clicks anywhere (Plotly's selection events fire only on existing points).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa

from core.gan.model import GanView, equilibrium
from core.gan.targets import Target
from core.style import FAKE_COLOR, NEUTRAL, NORMAL, REAL_COLOR, base_layout, shade

Spec = dict
"""A Vega-Lite spec as a dict, datasets included (pass it to ``st.vega_lite_chart``)."""

D_RANGE = [shade(NORMAL, "fake_color"), "#ffffff", shade(NORMAL, "real_color")]
"""D(x) from 0 (sure it is fake: purple) through ½ (can't tell: white) to 1 (sure it is real: green)."""
LOSS_COLORS = {"D loss": "#3b6fd4", "G loss": "#e8762c"}
N_CURVE = 300
ARROW_LENGTH = 0.35


def _f32(**columns: np.ndarray) -> pa.Table:
    return pa.table({k: np.asarray(v, dtype=np.float32).reshape(-1) for k, v in columns.items()})


def _long(x_name: str, x: np.ndarray, series: dict[str, np.ndarray]) -> pa.Table:
    """Several curves over the same x in long form: columns x_name, value, series."""
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    names = list(series)
    return pa.table({
        x_name: np.tile(x, len(names)),
        "value": np.concatenate([np.asarray(v, dtype=np.float32).reshape(-1) for v in series.values()]),
        "series": pa.DictionaryArray.from_arrays(np.repeat(np.arange(len(names), dtype=np.int8), len(x)), names),
    })


def prob_loss(loss: str) -> bool:
    """True for the cross-entropy and least-squares losses, where D(x) lives on [0, 1] with ½ at equilibrium."""
    return equilibrium(loss) != (0.0, 0.0)


def arrow_table(start: np.ndarray, direction: np.ndarray, length: float = ARROW_LENGTH) -> pa.Table:
    """Arrows from ``start`` along ``direction``, all scaled by one factor so the longest has ``length``.

    One common factor keeps relative sizes: where D saturates the arrows really are shorter.
    Columns x, y, x2, y2 and ``angle``, the heading in degrees clockwise from up (for the head).
    """
    start = np.asarray(start, dtype=np.float64).reshape(len(start), -1)
    direction = np.asarray(direction, dtype=np.float64).reshape(len(start), -1)
    if start.shape[1] == 1:
        start = np.column_stack([start[:, 0], np.zeros(len(start))])
        direction = np.column_stack([direction[:, 0], np.zeros(len(start))])
    norms = np.linalg.norm(direction, axis=1)
    top = float(norms.max()) if len(norms) and np.isfinite(norms).all() else 0.0
    scale = length / top if top > 0 else 0.0
    end = start + scale * direction
    angle = np.degrees(np.arctan2(direction[:, 0], direction[:, 1])) % 360
    return _f32(x=start[:, 0], y=start[:, 1], x2=end[:, 0], y2=end[:, 1], angle=angle)


def _zoom() -> list[dict]:
    return [{"name": "zoom", "select": "interval", "bind": "scales"}]


def _d_color(loss: str, title: str) -> dict:
    if prob_loss(loss):
        scale = {"domain": [0, 0.5, 1], "range": D_RANGE, "clamp": True}
    else:
        scale = {"domainMid": 0, "range": D_RANGE}
    return {"field": "d", "type": "quantitative", "scale": scale, "title": title}


def d_title(loss: str) -> str:
    """What the colour shows: D(x) for probability-like losses, the critic's score for WGAN-GP."""
    return "D(x)" if prob_loss(loss) else "critic f(x)"


def plane_figure(view: GanView, target: Target, *, show_arrows: bool = True, size: int = 460) -> Spec:
    """Real (green) and generated (purple) samples over D(x) as a heatmap, with G's gradient as arrows.

    Arrows point along −∇_x L_G at generated samples: the way the generator's loss pushes them.
    """
    lo, hi = target.lo, target.hi
    axis = view.grid_axis
    h = (axis[1] - axis[0]) / 2 if len(axis) > 1 else 0.5
    xx, yy = np.meshgrid(axis, axis, indexing="xy")
    heat = _f32(x=xx - h, x2=xx + h, y=yy - h, y2=yy + h, d=view.d_grid)
    n_show = min(len(view.real), len(view.fake))
    real = _f32(x=view.real[:n_show, 0], y=view.real[:n_show, 1])
    fake = _f32(x=view.fake[:n_show, 0], y=view.fake[:n_show, 1])
    arrows = arrow_table(view.arrow_from, view.arrow_dir) if show_arrows else arrow_table(np.zeros((0, 2)), np.zeros((0, 2)))
    x_scale = {"domain": [lo, hi]}
    pos = {"x": {"field": "x", "type": "quantitative", "scale": x_scale, "title": "x₁"},
           "y": {"field": "y", "type": "quantitative", "scale": x_scale, "title": "x₂"}}
    return {
        "width": size, "height": size,
        "datasets": {"heat": heat, "real": real, "fake": fake, "arrows": arrows},
        "layer": [
            {"data": {"name": "heat"}, "mark": {"type": "rect", "clip": True},
             "encoding": {**pos, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "color": _d_color(view.loss, d_title(view.loss))}},
            {"data": {"name": "real"}, "params": _zoom(),
             "mark": {"type": "circle", "size": 9, "opacity": 0.45, "color": REAL_COLOR, "clip": True},
             "encoding": pos},
            {"data": {"name": "fake"},
             "mark": {"type": "circle", "size": 9, "opacity": 0.7, "color": FAKE_COLOR, "clip": True},
             "encoding": pos},
            {"data": {"name": "arrows"}, "mark": {"type": "rule", "color": "#3d2466", "strokeWidth": 1.5, "clip": True},
             "encoding": {**pos, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"name": "arrows"},
             "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 30, "color": "#3d2466",
                      "clip": True},
             "encoding": {"x": {"field": "x2", "type": "quantitative"}, "y": {"field": "y2", "type": "quantitative"},
                          "angle": {"field": "angle", "type": "quantitative", "scale": None}}},
        ],
        "config": {"view": {"stroke": NEUTRAL}},
        "usermeta": {"embedOptions": {"renderer": "canvas", "actions": False}},
    }


def line_figure(view: GanView, target: Target, data_density: np.ndarray, fake_density: np.ndarray,
                *, show_arrows: bool = True, height: int = 380) -> Spec:
    """The 1-D picture of Goodfellow et al. (2014, Fig. 1): p_data (green), p_G (purple), D(x) (dashed).

    Generated samples sit as ticks on the axis; arrows on the D curve show which way G's loss pushes them.
    """
    names = ["data density p_data(x)", "generator density p_G(x)", f"discriminator {d_title(view.loss)}"]
    curves = _long("x", view.grid_axis, dict(zip(names, (data_density, fake_density, view.d_grid), strict=True)))
    n_show = min(300, len(view.fake))
    ticks = _f32(x=view.fake[:n_show, 0])
    n = len(view.arrow_from) if show_arrows else 0
    heads = view.d_at_arrows[:n] if prob_loss(view.loss) else np.zeros(n)
    a = arrow_table(view.arrow_from[:n], view.arrow_dir[:n], length=0.5)
    arrows = _f32(x=a.column("x"), x2=a.column("x2"), y=heads, y2=heads, angle=a.column("angle"))
    x_enc = {"field": "x", "type": "quantitative", "scale": {"domain": [target.lo, target.hi]}, "title": "x"}
    colors = {"domain": names, "range": [REAL_COLOR, FAKE_COLOR, "#1c2333"]}
    return {
        "height": height,
        "datasets": {"curves": curves, "ticks": ticks, "arrows": arrows},
        "layer": [
            {"data": {"name": "curves"}, "params": _zoom(), "mark": {"type": "line", "clip": True},
             "encoding": {"x": x_enc, "y": {"field": "value", "type": "quantitative", "title": None},
                          "color": {"field": "series", "type": "nominal", "scale": colors,
                                    "legend": {"orient": "top", "title": None}},
                          "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                                         "scale": {"domain": colors["domain"], "range": [[1, 0], [1, 0], [6, 4]]}}}},
            {"data": {"name": "ticks"}, "mark": {"type": "tick", "color": FAKE_COLOR, "opacity": 0.4, "clip": True},
             "encoding": {"x": x_enc, "y": {"datum": 0, "type": "quantitative"}}},
            {"data": {"name": "arrows"}, "mark": {"type": "rule", "color": "#3d2466", "strokeWidth": 1.5, "clip": True},
             "encoding": {"x": x_enc, "x2": {"field": "x2"}, "y": {"field": "y", "type": "quantitative"}}},
            {"data": {"name": "arrows"},
             "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 30, "color": "#3d2466", "clip": True},
             "encoding": {"x": {"field": "x2", "type": "quantitative"}, "y": {"field": "y2", "type": "quantitative"},
                          "angle": {"field": "angle", "type": "quantitative", "scale": None}}},
        ],
        "usermeta": {"embedOptions": {"renderer": "canvas", "actions": False}},
    }


def _thin(history: np.ndarray, n: int = N_CURVE) -> np.ndarray:
    if len(history) <= n:
        return history
    return history[np.linspace(0, len(history) - 1, n).round().astype(int)]


def losses_figure(history: np.ndarray, loss: str, *, height: int = 200) -> Spec:
    """D loss and G loss per step, with each one's value at the equilibrium D = ½ as a dashed line."""
    h = _thin(history)
    rows = _long("step", h[:, 0], {"D loss": h[:, 1], "G loss": h[:, 2]})
    eq = _long("step", np.zeros(1), {"D loss": [equilibrium(loss)[0]], "G loss": [equilibrium(loss)[1]]})
    return _per_step_figure(("history", rows), ("equilibrium", eq), LOSS_COLORS,
                            {"title": "loss", "scale": {"zero": False}}, {"opacity": 0.8}, height=height)


def d_means_figure(history: np.ndarray, loss: str, *, height: int = 200) -> Spec:
    """Mean D(real) and mean D(fake) per step; both meet at ½ when D can no longer tell them apart."""
    h = _thin(history)
    rows = _long("step", h[:, 0], {"mean D(real)": h[:, 3], "mean D(fake)": h[:, 4]})
    half = _f32(value=[0.5 if prob_loss(loss) else 0.0])
    return _per_step_figure(("dmeans", rows), ("half", half), {"mean D(real)": REAL_COLOR, "mean D(fake)": FAKE_COLOR},
                            {"title": d_title(loss), "scale": {"domain": [0, 1]} if prob_loss(loss) else {"zero": False}},
                            {"color": NEUTRAL}, height=height)


def _per_step_figure(lines: tuple[str, pa.Table], rules: tuple[str, pa.Table], colors: Mapping[str, str], y: dict,
                     rule_mark: dict, *, height: int) -> Spec:
    """One line per series of ``lines`` (step, series, value) in ``colors``, and a dashed horizontal rule at each
    value of ``rules``: coloured like its series when ``rules`` has a series column, else as ``rule_mark`` says."""
    color = {"field": "series", "type": "nominal", "legend": {"orient": "top", "title": None},
             "scale": {"domain": list(colors), "range": list(colors.values())}}
    rule_encoding: dict = {"y": {"field": "value", "type": "quantitative"}}
    if "series" in rules[1].column_names:
        rule_encoding["color"] = color
    return {
        "height": height,
        "datasets": dict([lines, rules]),
        "layer": [
            {"data": {"name": lines[0]}, "mark": {"type": "line", "strokeWidth": 1.2},
             "encoding": {"x": {"field": "step", "type": "quantitative", "title": "step"},
                          "y": {"field": "value", "type": "quantitative", **y}, "color": color}},
            {"data": {"name": rules[0]}, "mark": {"type": "rule", "strokeDash": [5, 4], **rule_mark},
             "encoding": rule_encoding},
        ],
        "usermeta": {"embedOptions": {"renderer": "canvas", "actions": False}},
    }


def digits_figure(images: np.ndarray, *, columns: int = 6, size: int = 300) -> Spec:
    """A grid of 8×8 images (rows of 64 pixels in [-1, 1], ink = 1) as one heatmap."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, 8, 8)
    n = len(images)
    rows = math.ceil(n / columns)
    k, r, c = np.meshgrid(np.arange(n), np.arange(8), np.arange(8), indexing="ij")
    col = (k % columns) * 9 + c
    row = (k // columns) * 9 + r
    pixels = _f32(x=col, y=row, ink=images[k, r, c])
    extent = [0, max(columns, 1) * 9 - 1]
    return {
        "width": size, "height": round(size * rows / max(columns, 1)),
        "datasets": {"pixels": pixels},
        "mark": {"type": "rect"},
        "data": {"name": "pixels"},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "bin": {"binned": True, "step": 1}, "axis": None,
                  "scale": {"domain": extent}},
            "x2": {"field": "x2"},
            "y": {"field": "y", "type": "quantitative", "bin": {"binned": True, "step": 1}, "axis": None,
                  "scale": {"domain": [0, rows * 9 - 1], "reverse": True}},
            "y2": {"field": "y2"},
            "color": {"field": "ink", "type": "quantitative", "legend": None,
                      "scale": {"domain": [-1, 1], "range": ["#ffffff", "#1c2333"], "clamp": True}},
        },
        "transform": [{"calculate": "datum.x + 1", "as": "x2"}, {"calculate": "datum.y + 1", "as": "y2"}],
        "config": {"view": {"stroke": None}},
        "usermeta": {"embedOptions": {"renderer": "canvas", "actions": False}},
    }


# --------------------------------------------------------------------------------------------------
# The drawing canvas (Plotly, redrawn only on a click)
# --------------------------------------------------------------------------------------------------
def canvas_figure(points: np.ndarray, lo: float = -3.0, hi: float = 3.0, *, step: float = 0.1,
                  height: int = 420) -> go.Figure:
    """The drawn points over an invisible grid of clickable points covering [lo, hi]²."""
    ticks = np.round(np.arange(lo, hi + step / 2, step), 6)
    gx, gy = np.meshgrid(ticks, ticks)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="click anywhere",
                             marker=dict(size=7, opacity=0.0, color=NEUTRAL), hoverinfo="x+y", showlegend=False))
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name="your distribution",
                             marker=dict(size=7, color=REAL_COLOR), hoverinfo="skip"))
    fig.update_xaxes(range=[lo, hi], title="x₁", constrain="domain")
    fig.update_yaxes(range=[lo, hi], title="x₂", scaleanchor="x", scaleratio=1)
    fig.update_layout(dragmode=False, clickmode="event+select")
    return base_layout(fig, height=height)
