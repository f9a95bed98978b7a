"""Figures of the backprop lab: the live fit and loss curves, the tiny net's diagram and the comparison with
scikit-learn's regressors, all Vega-Lite (the page loads no Plotly: its script alone holds a fresh page's
first paint for a second or more).

The live charts are Altair (Vega-Lite) so that Streamlit updates them in place several times a second;
their axes are fixed by the data, not by the prediction, so only the data changes between ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from core.backprop.by_hand import Forward, Gradients, TinyNet
from core.backprop.data import RegressionData, mse
from core.numbers import number
from core.style import CLASS_COLORS, HIGHLIGHT, NEUTRAL

NET_COLOR = CLASS_COLORS[0]
TRAIN_COLOR = CLASS_COLORS[0]
TEST_COLOR = CLASS_COLORS[1]
DATA_COLOR = "#1c2333"
TRUTH_COLOR = NEUTRAL
REGRESSOR_COLORS = {"Linear regression": "#2f9e5a", "Decision tree": CLASS_COLORS[1], "Random forest": "#9c4fd6"}
DEFAULT_TREE_DEPTH = 4
EDGE_COLORS = {"∂L/∂θ > 0": CLASS_COLORS[1], "∂L/∂θ ≤ 0": CLASS_COLORS[0], "no gradient yet": NEUTRAL}
NODE_COLORS = {"input": NEUTRAL, "unit": NET_COLOR, "loss": HIGHLIGHT}
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


MSE_HELP = "Mean of (y − ŷ)² over the points: twice the mean of L = ½(y − ŷ)², the loss the network descends."
"""What the page's MSE is (``core.backprop.data.mse``, scikit-learn's ``mean_squared_error``), beside the ½ in L."""


def format_mse(value: float) -> str:
    """An MSE for a metric: 4 decimals, 3 significant digits from 10⁴ on, "exploded" instead of nan/inf."""
    return number(value, 4, undefined="exploded", large=1e4)


def y_limits(data: RegressionData, pad: float = 0.15) -> tuple[float, float]:
    """A y-range that holds the data and the true f on the wide grid, padded: the live axes never jump."""
    lo = float(min(data.y_grid.min(), data.y_train.min()))
    hi = float(max(data.y_grid.max(), data.y_train.max()))
    span = max(hi - lo, 1e-3)
    return lo - pad * span, hi + pad * span


# --------------------------------------------------------------------------------------------------
# Live charts (Vega-Lite specs as plain dicts, for st.vega_lite_chart)
# --------------------------------------------------------------------------------------------------
# Built by hand rather than with Altair: Altair validates every spec against the Vega-Lite JSON
# schema, about 0.1 s per chart, which several redraws a second cannot afford (the page draws in the
# same process, and under the same GIL, as the training thread). Data goes in named ``datasets`` as
# Arrow tables (30× cheaper to serialise than DataFrames), so the spec text stays the same between
# ticks and the chart updates in place.
VegaLiteSpec = dict[str, Any]


def _legend_color(domain: list[str], colors: list[str]) -> dict[str, Any]:
    return {"field": "curve", "type": "nominal", "scale": {"domain": domain, "range": colors},
            "legend": {"orient": "top", "title": None}}


def curves_chart(data: RegressionData, series: dict[str, np.ndarray], colors: list[str], widths: list[float], *,
                 x_title: str = "x", height: int = 340) -> VegaLiteSpec:
    """The training range shaded, the training points, and ``series`` (name → y over ``data.x_grid``) as lines:
    the first (the true f) dashed, the others solid. The axes are fixed by the data, not by the curves: a
    curve that shoots off (or is NaN, inf: a diverged net) is drawn off the chart, never rescales it."""
    lo, hi = y_limits(data)
    x = {"field": "x", "type": "quantitative", "title": x_title,
         "scale": {"domain": [float(data.x_grid[0]), float(data.x_grid[-1])], "nice": False}}
    y = {"field": "y", "type": "quantitative", "title": "y", "scale": {"domain": [lo, hi], "nice": False}}
    domain = list(series)
    ys = [np.nan_to_num(np.asarray(v, dtype=float), nan=hi + 1e3, posinf=hi + 1e3, neginf=lo - 1e3) for v in series.values()]
    curves = pa.table({
        "x": np.tile(data.x_grid, len(domain)).astype(np.float32),
        "y": np.clip(np.concatenate(ys), lo - 1e3, hi + 1e3).astype(np.float32),
        "curve": pa.array(np.repeat(domain, len(data.x_grid)).tolist()),
    })
    return {
        "height": height,
        "datasets": {
            "range": pa.table({"x0": [data.x_range[0]], "x1": [data.x_range[1]]}),
            "points": pa.table({"x": data.X_train[:, 0].astype(np.float32), "y": data.y_train.astype(np.float32)}),
            "curves": curves,
        },
        "layer": [
            {"data": {"name": "range"}, "mark": {"type": "rect", "color": "#eef1f8"},
             "encoding": {"x": {**x, "field": "x0"}, "x2": {"field": "x1"}}},
            {"data": {"name": "points"}, "mark": {"type": "circle", "size": 22, "color": DATA_COLOR, "opacity": 0.55},
             "encoding": {"x": x, "y": y}},
            {"data": {"name": "curves"}, "mark": {"type": "line", "clip": True},
             "encoding": {
                 "x": x, "y": y, "color": _legend_color(domain, colors),
                 "strokeDash": {"field": "curve", "type": "nominal", "legend": None,
                                "scale": {"domain": domain, "range": [[5, 4]] + [[1, 0]] * (len(domain) - 1)}},
                 "strokeWidth": {"field": "curve", "type": "nominal", "legend": None,
                                 "scale": {"domain": domain, "range": widths}},
             }},
        ],
    }


def fit_chart(data: RegressionData, y_pred: np.ndarray, *, height: int = 340) -> VegaLiteSpec:
    """The training points, the true f (dashed), the net's ŷ(x) over the wide grid, the training range shaded."""
    return curves_chart(data, {"true f(x)": data.y_grid, "network ŷ(x)": y_pred}, [TRUTH_COLOR, NET_COLOR], [1.5, 3],
                        height=height)


def loss_chart(steps: np.ndarray, train_mse: np.ndarray, test_mse: np.ndarray, *,
               height: int = 190) -> VegaLiteSpec:
    """Train and test MSE against the step, log scale (non-finite values left out, tiny ones floored)."""
    steps = np.asarray(steps, dtype=np.int64)
    step = np.concatenate([steps, steps])
    value = np.concatenate([np.asarray(train_mse, dtype=float), np.asarray(test_mse, dtype=float)])
    curve = np.repeat(np.array(["train", "test"]), len(steps))
    keep = np.isfinite(value)
    frame = pa.table({"step": step[keep], "MSE": np.clip(value[keep], 1e-6, None).astype(np.float32),
                      "curve": pa.array(curve[keep].tolist())})
    return {
        "height": height,
        "datasets": {"loss": frame},
        "data": {"name": "loss"},
        "mark": {"type": "line"},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": "step"},
            "y": {"field": "MSE", "type": "quantitative", "title": "MSE (log scale)", "scale": {"type": "log"}},
            "color": _legend_color(["train", "test"], [TRAIN_COLOR, TEST_COLOR]),
        },
    }


def gradient_chart(rms: list[float], *, height: int = 190) -> VegaLiteSpec:
    """RMS of ∂L/∂W per weight matrix (input side at the top), log scale: a vanishing gradient is a short bar."""
    names = [f"W{i + 1}" for i in range(len(rms))]
    values = np.clip(np.nan_to_num(np.asarray(rms, dtype=float), nan=0.0, posinf=1e12), 1e-12, None)
    return {
        "height": height,
        "datasets": {"grads": pa.table({"layer": names, "rms": values})},
        "data": {"name": "grads"},
        "mark": {"type": "bar", "color": NET_COLOR},
        "encoding": {
            "y": {"field": "layer", "type": "nominal", "sort": names, "title": "input → output"},
            "x": {"field": "rms", "type": "quantitative", "title": "RMS of ∂L/∂W (log scale)",
                  "scale": {"type": "log", "domain": [1e-8, 10.0], "clamp": True},
                  "axis": {"grid": False, "values": [1e-8, 1e-6, 1e-4, 1e-2, 1.0], "format": ".0e"}},
            "tooltip": [{"field": "layer"}, {"field": "rms", "type": "quantitative", "format": ".2e"}],
        },
    }


def progress_chart(loss: VegaLiteSpec, gradient: VegaLiteSpec, *, loss_width: int = 330,
                   gradient_width: int = 140) -> VegaLiteSpec:
    """The loss curves and the gradient bars side by side as one Vega-Lite chart (fixed widths).

    One chart, not two: every chart Streamlit updates costs the browser a fixed share of each redraw,
    and the browser shares the machine with the training thread.
    """
    views = [{k: v for k, v in spec.items() if k != "datasets"} for spec in (loss, gradient)]
    views[0]["width"], views[1]["width"] = loss_width, gradient_width
    return {"datasets": {**loss["datasets"], **gradient["datasets"]}, "hconcat": views, "spacing": 30,
            "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}}}


# --------------------------------------------------------------------------------------------------
# The tiny net, drawn
# --------------------------------------------------------------------------------------------------
def _hidden_y(h: int) -> np.ndarray:
    return np.linspace(1.0, -1.0, h) if h > 1 else np.zeros(1)


def network_parts(net: TinyNet, f: Forward, grads: Gradients | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The diagram's edges (x0, y0, x1, y1, kind, width, label) and nodes (x, y, kind, text), as tables; the
    kinds get their colours in the spec (EDGE_COLORS, NODE_COLORS), where projector mode can restyle them.

    After the backward pass an edge's colour is the sign of its gradient (orange +, blue −) and its
    width its size: gradient descent moves each weight against that sign.
    """
    H = net.hidden
    ys = _hidden_y(H)
    top = max(abs(float(np.max(np.abs(grads.w)))), abs(float(np.max(np.abs(grads.v))))) if grads else 1.0
    edges = []

    def edge(x0: float, y0: float, x1: float, y1: float, grad: float | None, label: str) -> None:
        kind = "no gradient yet" if grad is None else ("∂L/∂θ > 0" if grad > 0 else "∂L/∂θ ≤ 0")
        width = 2.0 if grad is None else 1.5 + 7.0 * abs(grad) / (top + 1e-12)
        edges.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1, "xm": (x0 + x1) / 2, "ym": (y0 + y1) / 2,
                      "kind": kind, "width": width, "label": label})

    for j in range(H):
        sub = str(j + 1).translate(SUB)
        g_w = None if grads is None else float(grads.w[j])
        g_v = None if grads is None else float(grads.v[j])
        edge(0, 0, 1, ys[j], g_w, f"w{sub} = {net.w[j]:.3f}" + ("" if g_w is None else f"\n∂L/∂w{sub} = {g_w:.4f}"))
        edge(1, ys[j], 2, 0, g_v, f"v{sub} = {net.v[j]:.3f}" + ("" if g_v is None else f"\n∂L/∂v{sub} = {g_v:.4f}"))
    edge(2, 0, 2.8, 0, None, "")

    texts = [f"x = {f.x:.3f}"]
    for j in range(H):
        sub = str(j + 1).translate(SUB)
        text = f"z{sub} = {f.z[j]:.3f}\nh{sub} = {net.activation}(z{sub}) = {f.h[j]:.3f}\nb{sub} = {net.b[j]:.3f}"
        if grads is not None:
            text += f"\n∂L/∂b{sub} = {grads.b[j]:.4f}"
        texts.append(text)
    texts.append(f"ŷ = {f.y_hat:.3f}\nc = {net.c:.3f}" + ("" if grads is None else f"\n∂L/∂c = {grads.c:.4f}"))
    texts.append(f"L = ½(ŷ − y)² = {f.loss:.4f}\ny = {f.y:.3f}"
                 + ("" if grads is None else f"\n∂L/∂ŷ = {grads.y_hat:.4f}"))
    nodes = pd.DataFrame({"x": [0.0, *[1.0] * H, 2.0, 2.8], "y": [0.0, *ys, 0.0, 0.0],
                          "kind": ["input", *["unit"] * H, "unit", "loss"], "text": texts})
    return pd.DataFrame(edges), nodes


def network_figure(net: TinyNet, f: Forward, grads: Gradients | None = None, *, height: int = 420) -> VegaLiteSpec:
    """x → hidden units → ŷ → L with the forward values on the nodes; with ``grads``, ∂L/∂θ on every weight
    (``network_parts``), as a Vega-Lite spec: edges as rules, nodes as discs, values as text."""
    edges, nodes = network_parts(net, f, grads)
    x = {"type": "quantitative", "axis": None, "scale": {"domain": [-0.4, 3.25], "nice": False}}
    y = {"type": "quantitative", "axis": None, "scale": {"domain": [-1.9, 1.35], "nice": False}}
    def colors(table: dict[str, str]) -> dict[str, Any]:
        return {"field": "kind", "type": "nominal", "legend": None,
                "scale": {"domain": list(table), "range": list(table.values())}}
    text = {"type": "text", "lineBreak": "\n", "fontSize": 13, "color": DATA_COLOR}
    return {
        "height": height, "datasets": {"edges": edges, "nodes": nodes},
        "view": {"stroke": None},
        "usermeta": {"embedOptions": {"renderer": "svg"}},  # the values stay text (selectable, readable by tests)
        "layer": [
            {"data": {"name": "edges"}, "mark": {"type": "rule"},
             "encoding": {"x": {**x, "field": "x0"}, "y": {**y, "field": "y0"}, "x2": {"field": "x1"},
                          "y2": {"field": "y1"}, "color": colors(EDGE_COLORS),
                          "strokeWidth": {"field": "width", "type": "quantitative", "scale": None, "legend": None}}},
            {"data": {"name": "edges"}, "mark": text | {"fontWeight": "bold"},
             "encoding": {"x": {**x, "field": "xm"}, "y": {**y, "field": "ym"}, "text": {"field": "label"}}},
            {"data": {"name": "nodes"}, "mark": {"type": "circle", "size": 1150, "opacity": 1, "stroke": "white",
                                                 "strokeWidth": 2},
             "encoding": {"x": {**x, "field": "x"}, "y": {**y, "field": "y"}, "color": colors(NODE_COLORS)}},
            {"data": {"name": "nodes"}, "mark": text | {"baseline": "top", "dy": 26},
             "encoding": {"x": {**x, "field": "x"}, "y": {**y, "field": "y"}, "text": {"field": "text"}}},
        ],
    }


# --------------------------------------------------------------------------------------------------
# scikit-learn's regressors on the same data
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegressorFit:
    """One fitted regressor: ŷ on the wide grid, and its train and test MSE."""

    name: str
    y_grid: np.ndarray
    train_mse: float
    test_mse: float


def fit_regressors(data: RegressionData, tree_depth: int = DEFAULT_TREE_DEPTH, seed: int = 0, n_trees: int = 50) -> list[RegressorFit]:
    """LinearRegression, DecisionTreeRegressor(max_depth=tree_depth) and RandomForestRegressor, fitted on the training set."""
    models = {
        "Linear regression": LinearRegression(),
        "Decision tree": DecisionTreeRegressor(max_depth=tree_depth, random_state=seed),
        "Random forest": RandomForestRegressor(n_estimators=n_trees, random_state=seed, n_jobs=1),
    }
    fits = []
    for name, model in models.items():
        model.fit(data.X_train, data.y_train)
        fits.append(RegressorFit(name, model.predict(data.x_grid[:, None]),
                                 mse(data.y_train, model.predict(data.X_train)),
                                 mse(data.y_test, model.predict(data.X_test))))
    return fits


def comparison_table(fits: list[RegressorFit], net_train_mse: float, net_test_mse: float) -> pd.DataFrame:
    """One row per model (the regressors, then the network): train and test MSE."""
    return pd.DataFrame({"model": [f.name for f in fits] + ["network (now)"],
                         "train MSE": [f.train_mse for f in fits] + [net_train_mse],
                         "test MSE": [f.test_mse for f in fits] + [net_test_mse]})


def comparison_figure(data: RegressionData, fits: list[RegressorFit], net_y_grid: np.ndarray | None = None,
                      *, height: int = 420) -> VegaLiteSpec:
    """Every regressor's ŷ(x) over the wide grid beside the network's; outside the shaded range is
    extrapolation (``curves_chart``, as the live fit chart)."""
    series = {"true f(x)": data.y_grid, **{fit.name: fit.y_grid for fit in fits}}
    colors = [TRUTH_COLOR, *[REGRESSOR_COLORS.get(fit.name, NEUTRAL) for fit in fits]]
    widths = [1.5] + [2.0] * len(fits)
    if net_y_grid is not None:
        series["network (now)"] = net_y_grid
        colors.append(NET_COLOR)
        widths.append(3.0)
    return curves_chart(data, series, colors, widths, x_title="x (shaded: the training range)", height=height)
