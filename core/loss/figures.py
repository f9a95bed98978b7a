"""Figures of the loss-surface lab: per-example losses, the surface and its contour with a descent
path, the data with the current model, and the GAN losses with their gradients."""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential
from plotly.subplots import make_subplots

from core import raster
from core.loss import losses
from core.loss.descent import DescentPath, LossData, Surface, predict
from core.memo import Memo
from core.style import CLASS_COLORS, FAKE_COLOR, HIGHLIGHT, NEUTRAL, REAL_COLOR

Y1_COLOR, Y0_COLOR = CLASS_COLORS[1], CLASS_COLORS[0]
PATH_COLOR = "#d6336c"
SURFACE_SCALE = "Viridis"
_VIRIDIS = [[i / (len(sequential.Viridis) - 1), c] for i, c in enumerate(sequential.Viridis)]
CONTOUR_PX = (520, 400)
"""The contour map's picture in pixels (width, height): about its size on a wide screen."""
P_GRID = np.linspace(0.001, 0.999, 400)


def _layout(fig: go.Figure, *, height: int) -> go.Figure:
    """``core.style.base_layout`` without its named template: assigning "plotly_white" validates the
    whole template (~50 ms per figure), and these figures are redrawn on every step and slider move.
    Streamlit's own chart theme styles them in the browser instead."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0))
    return fig


def _vline(x: float, axis: int = 1, **line) -> dict:
    """A vertical line across subplot ``axis`` as a layout shape (one ``update_layout`` for all of them
    is much faster than ``add_vline`` per line)."""
    suffix = "" if axis == 1 else str(axis)
    return dict(type="line", x0=x, x1=x, y0=0, y1=1, xref=f"x{suffix}", yref=f"y{suffix} domain",
                line=dict(color=NEUTRAL, dash="dash", width=1) | line)


def _clip(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Values outside [lo, hi] become None (gaps) so a curve that shoots off stops at the frame."""
    out = np.asarray(values, dtype=float).astype(object)
    out[(values < lo) | (values > hi)] = None
    return out


# --------------------------------------------------------------------------------------------------
# Per-example losses
# --------------------------------------------------------------------------------------------------
def per_example_figure(y_hat: float, *, loss_cap: float = 5.0, slope_cap: float = 10.0) -> go.Figure:
    """BCE (solid) and ½(y − ŷ)² (dotted) for y = 1 and y = 0 against ŷ, and their slopes dL/dŷ."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss L(y, ŷ)", "Slope dL/dŷ (what the gradient sees)"),
                        horizontal_spacing=0.1)
    p = P_GRID
    curves = (
        (1.0, "−ln ŷ (BCE, y = 1)", Y1_COLOR, "solid", losses.bce, losses.bce_grad),
        (0.0, "−ln(1 − ŷ) (BCE, y = 0)", Y0_COLOR, "solid", losses.bce, losses.bce_grad),
        (1.0, "½(1 − ŷ)² (squared error, y = 1)", Y1_COLOR, "dot", losses.squared_error, losses.squared_error_grad),
        (0.0, "½ŷ² (squared error, y = 0)", Y0_COLOR, "dot", losses.squared_error, losses.squared_error_grad),
    )
    for y, name, color, dash, loss, grad in curves:
        line = dict(color=color, dash=dash, width=3 if dash == "solid" else 2)
        fig.add_trace(go.Scatter(x=p, y=_clip(loss(y, p), 0, loss_cap), name=name, mode="lines", line=line,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=p, y=_clip(grad(y, p), -slope_cap, slope_cap), name=name, mode="lines",
                                 line=line, legendgroup=name, showlegend=False), row=1, col=2)
    for col in (1, 2):  # the current ŷ on all four curves: one trace per panel
        values = [float((c[4] if col == 1 else c[5])(c[0], y_hat)) for c in curves]
        fig.add_trace(go.Scatter(
            x=[y_hat] * 4, y=values, mode="markers+text", showlegend=False, name=f"at ŷ, panel {col}",
            marker=dict(color=[c[2] for c in curves], size=[11, 11, 8, 8], line=dict(color="white", width=1)),
            text=[f"{v:.3f}" for v in values[:2]] + ["", ""], textposition="middle right",
            hovertemplate="ŷ = %{x:.3f}<br>%{y:.3f}<extra></extra>",
        ), row=1, col=col)
    fig.update_layout(shapes=[_vline(y_hat, 1), _vline(y_hat, 2)])
    fig.update_xaxes(title="ŷ = predicted P(y = 1)", range=[0, 1])
    fig.update_yaxes(range=[0, loss_cap], row=1, col=1)
    fig.update_yaxes(range=[-slope_cap, slope_cap], row=1, col=2)
    fig = _layout(fig, height=360)
    fig.update_layout(legend=dict(y=-0.25, yanchor="top"), margin=dict(t=30, b=10))
    return fig


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
                   height: int = 460) -> go.Figure:
    """``build_surface_figure``, remembered: the lab redraws on every setting, and most changes (a new
    learning rate, a new number of steps) leave both surfaces and the walked part as they were."""
    walked = None if path is None else tuple(map(np.ndarray.tobytes, _walked(path, pos)[:2]))
    arrays = hashlib.sha1(b"".join(np.ascontiguousarray(a).tobytes() for a in (surface.ws, surface.bs, surface.Z)))
    key = (arrays.hexdigest(), walked, None if minimum is None else tuple(map(float, minimum)), z_title, height)
    return _SURFACES(key, lambda: build_surface_figure(surface, path, pos, minimum=minimum, z_title=z_title,
                                                       height=height))


def build_surface_figure(surface: Surface, path: DescentPath | None = None, pos: int = 0, *,
                         minimum: tuple[float, float, float] | None = None, z_title: str = "mean BCE",
                         height: int = 460) -> go.Figure:
    """The loss over (w, b) as a 3-D surface, the walked part of ``path`` on it and the current point."""
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
    fig.update_layout(
        scene=dict(xaxis_title="w", yaxis_title="b", zaxis_title=z_title,
                   camera=dict(eye=dict(x=-1.2, y=-1.25, z=0.75), center=dict(x=0, y=0, z=-0.15)), aspectmode="manual",
                   aspectratio=dict(x=1, y=1, z=0.7)),
        uirevision="surface",
    )
    fig = _layout(fig, height=height)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), legend=dict(y=0.98, yanchor="top"))
    return fig


def contour_picture(surface: Surface, canvas: raster.Canvas) -> np.ndarray:
    """ln L as Viridis colour with its level lines (white, evenly spaced in ln L): one uint8 RGB picture.

    Drawn on the server (core.raster): this chart is rebuilt from scratch on every change of a setting
    (its clicks make it a widget whose identity is its content), and Plotly's in-browser contour tracing
    of the 120 × 120 grid was the slowest part of that.
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


def contour_figure(surface: Surface, path: DescentPath | None = None, pos: int = 0, *,
                   minimum: tuple[float, ...] | None = None, z_title: str = "mean BCE",
                   click_grid: int = 0, height: int = 430, background: str | None = None) -> go.Figure:
    """Contour map of the loss over (w, b) with the whole path (faint), the walked part and −∇L.

    The map itself is a picture (``contour_picture``) under Plotly axes. ``click_grid`` > 0 adds an
    invisible click_grid × click_grid grid of points: Plotly reports clicks only on points, so this
    turns a click anywhere into a selectable (w, b); hovering them shows the loss there.
    ``background`` is ``contour_background(surface)`` if the caller has it cached.
    """
    canvas = contour_canvas(surface)
    w_range, b_range = canvas.x_range, canvas.y_range
    axes = raster.square_axes(canvas)
    image = raster.image_layout(canvas, background or contour_background(surface))
    # Built unvalidated: Plotly would decode the whole picture to check that it is one.
    fig = go.Figure(layout=dict(images=[image], meta={"picture": f"ln {z_title}, Viridis, with level lines"}),
                    _validate=False)
    if click_grid > 0:
        gw, gb = np.meshgrid(np.linspace(*w_range, click_grid), np.linspace(*b_range, click_grid))
        iw = np.rint((gw - w_range[0]) / np.ptp(w_range) * (len(surface.ws) - 1)).astype(int)
        ib = np.rint((gb - b_range[0]) / np.ptp(b_range) * (len(surface.bs) - 1)).astype(int)
        fig.add_trace(go.Scatter(
            x=gw.ravel().astype(np.float32), y=gb.ravel().astype(np.float32), mode="markers", name="click",
            marker=dict(size=14, opacity=0.0, color="white"), showlegend=False,
            customdata=np.asarray(surface.Z)[ib, iw].ravel().astype(np.float32),
            hovertemplate="L = %{customdata:.3f} here<br>click: start at w = %{x:.1f}, b = %{y:.1f}<extra></extra>",
        ))
    if path is not None:
        done, _, pos = _walked(path, pos)
        fig.add_trace(go.Scatter(x=path.params[:, 0], y=path.params[:, 1], mode="lines", name="whole path",
                                 line=dict(color="white", width=1.5, dash="dot"), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=done[:, 0], y=done[:, 1], mode="lines+markers", name="walked",
                                 line=dict(color=PATH_COLOR, width=3), marker=dict(size=4, color=PATH_COLOR),
                                 hovertemplate="w = %{x:.3f}<br>b = %{y:.3f}<extra></extra>"))
        fig.add_trace(go.Scatter(x=[path.params[0, 0]], y=[path.params[0, 1]], mode="markers", name="start",
                                 marker=dict(size=10, color="black", symbol="circle-open", line=dict(width=3))))
        fig.add_trace(go.Scatter(x=[done[-1, 0]], y=[done[-1, 1]], mode="markers", name=_after(pos),
                                 marker=dict(size=13, color="white", line=dict(color=PATH_COLOR, width=4))))
        g = path.grad[pos]
        norm = float(np.hypot(*g))
        if norm > 1e-9:  # an arrow along −∇L, of fixed length: the direction of steepest descent
            tip = done[-1] - 1.5 * g / norm
            fig.add_annotation(x=tip[0], y=tip[1], ax=done[-1, 0], ay=done[-1, 1], xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=3, arrowwidth=2,
                               arrowcolor="white", text="")
    if minimum is not None:
        fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers", name="minimum",
                                 marker=dict(size=15, color="gold", symbol="star", line=dict(color="black", width=1))))
    fig.update_xaxes(title="w (slope)", **axes["xaxis"])
    fig.update_yaxes(title="b (intercept)", **axes["yaxis"])
    fig = _layout(fig, height=height)
    fig.update_layout(uirevision="contour", legend=dict(y=1.02))
    return fig


def data_figure(data: LossData, w: float, b: float, *, n_curve: int = 200) -> go.Figure:
    """The days (humidity, rain or not) and the current model ŷ = σ(w x + b) with its ½-line."""
    h = data.humidity
    mean, std = float(h.mean()), float(h.std())
    lo, hi = float(h.min()) - 5.0, float(h.max()) + 5.0
    grid = np.linspace(lo, hi, n_curve)
    fig = go.Figure()
    for label, color, name in ((0, Y0_COLOR, "dry day (y = 0)"), (1, Y1_COLOR, "rainy day (y = 1)")):
        mask = data.y == label
        fig.add_trace(go.Scatter(x=h[mask], y=data.y[mask], mode="markers", name=name,
                                 marker=dict(color=color, size=10, line=dict(color="white", width=1)),
                                 hovertemplate="humidity %{x:.0f} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=grid, y=predict(w, b, (grid - mean) / std), mode="lines",
                             name="ŷ = σ(w x + b)", line=dict(color=HIGHLIGHT, width=3)))
    shapes = [dict(type="line", x0=0, x1=1, y0=0.5, y1=0.5, xref="x domain", yref="y",
                   line=dict(color=NEUTRAL, width=1, dash="dot"))]
    if abs(w) > 1e-9:
        boundary = mean + std * (-b / w)
        if lo <= boundary <= hi:
            shapes.append(_vline(boundary, width=2))
            fig.update_layout(annotations=[dict(x=boundary, y=0, yref="paper", yanchor="bottom", xanchor="left",
                                                text=f" ŷ = ½ at {boundary:.0f} %", showarrow=False,
                                                font=dict(color=NEUTRAL))])
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(title="humidity (%)", range=[lo, hi])
    fig.update_yaxes(title="P(rain | humidity)", range=[-0.08, 1.08])
    return _layout(fig, height=430)


# --------------------------------------------------------------------------------------------------
# GAN losses
# --------------------------------------------------------------------------------------------------
def gan_losses_figure(d_mark: float | None = None, *, cap: float = 6.0) -> go.Figure:
    """The GAN losses against the discriminator's output, their gradients, and the equilibrium D = ½.

    Top left: the discriminator's two BCE terms and their sum when it outputs the same d on real and
    fake (minimum ln 4 at d = ½). Top right: both generator losses against D(G(z)). Bottom: their
    gradients w.r.t. D(G(z)) and w.r.t. the discriminator's logit (what flows back into G).
    """
    d = P_GRID
    fig = make_subplots(rows=2, cols=2, vertical_spacing=0.17, horizontal_spacing=0.1, subplot_titles=(
        "Discriminator: BCE on real (y = 1) and fake (y = 0)", "Generator losses against D(G(z))",
        "Generator gradient w.r.t. D(G(z))", "Generator gradient w.r.t. D's logit (reaches G)"))
    real, fake = losses.bce(1.0, d), losses.bce(0.0, d)
    fig.add_trace(go.Scatter(x=d, y=_clip(real, 0, cap), name="−ln D(x) on real", line=dict(color=REAL_COLOR)),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=d, y=_clip(fake, 0, cap), name="−ln(1 − D(G(z))) on fake",
                             line=dict(color=FAKE_COLOR)), row=1, col=1)
    fig.add_trace(go.Scatter(x=d, y=_clip(losses.discriminator_loss(d, d), 0, cap),
                             name="sum, if D gives both the same d", line=dict(color="black", dash="dash")),
                  row=1, col=1)
    mm, ns = "minimax ln(1 − D(G(z)))", "non-saturating −ln D(G(z))"
    mm_style, ns_style = dict(color=FAKE_COLOR, dash="dot"), dict(color=FAKE_COLOR)
    fig.add_trace(go.Scatter(x=d, y=losses.generator_loss_minimax(d), name=mm, line=mm_style,
                             legendgroup=mm), row=1, col=2)
    fig.add_trace(go.Scatter(x=d, y=_clip(losses.generator_loss_nonsaturating(d), -cap, cap), name=ns,
                             line=ns_style, legendgroup=ns), row=1, col=2)
    fig.add_trace(go.Scatter(x=d, y=_clip(losses.generator_loss_minimax_grad(d), -cap, 0), line=mm_style,
                             legendgroup=mm, showlegend=False), row=2, col=1)
    fig.add_trace(go.Scatter(x=d, y=_clip(losses.generator_loss_nonsaturating_grad(d), -cap, 0),
                             line=ns_style, legendgroup=ns, showlegend=False), row=2, col=1)
    g_mm, g_ns = losses.generator_logit_grads(d)
    fig.add_trace(go.Scatter(x=d, y=g_mm, line=mm_style, legendgroup=mm, showlegend=False), row=2, col=2)
    fig.add_trace(go.Scatter(x=d, y=g_ns, line=ns_style, legendgroup=ns, showlegend=False), row=2, col=2)
    # Equilibrium: D = ½ everywhere, discriminator loss ln 4.
    eq, eq_loss = losses.EQUILIBRIUM_D, losses.EQUILIBRIUM_D_LOSS
    fig.add_trace(go.Scatter(x=[eq], y=[eq_loss], mode="markers+text", text=["ln 4 ≈ 1.386"],
                             textposition="top center", marker=dict(size=11, color="gold", symbol="star",
                                                                    line=dict(color="black", width=1)),
                             name="equilibrium D = ½"), row=1, col=1)
    fig.update_layout(shapes=[_vline(eq, axis) for axis in (1, 2, 3, 4)])
    if d_mark is not None:
        marks = (
            (1, 2, losses.generator_loss_minimax(d_mark), losses.generator_loss_nonsaturating(d_mark)),
            (2, 1, losses.generator_loss_minimax_grad(d_mark), losses.generator_loss_nonsaturating_grad(d_mark)),
            (2, 2, *losses.generator_logit_grads(d_mark)),
        )
        lows = {(1, 2): -cap, (2, 1): -cap, (2, 2): -1.1}
        for row, col, v_mm, v_ns in marks:
            for value, style in ((float(v_mm), mm_style), (float(v_ns), ns_style)):
                shown = max(value, lows[(row, col)])  # off the chart: pinned to its edge, true value in text
                text = f"{value:.2f}" if shown == value else f"{value:.2f} (off the chart)"
                fig.add_trace(go.Scatter(x=[d_mark], y=[shown], mode="markers+text", showlegend=False,
                                         text=[text], textposition="middle right",
                                         marker=dict(size=9, color=style["color"],
                                                     symbol="circle" if shown == value else "triangle-down")),
                              row=row, col=col)
    fig.update_xaxes(range=[0, 1], title="D(G(z))")
    fig.update_xaxes(title="D's output d", row=1, col=1)
    fig.update_yaxes(range=[0, cap], row=1, col=1)
    fig.update_yaxes(range=[-cap, cap], row=1, col=2)
    fig.update_yaxes(range=[-cap, 0.2], row=2, col=1)
    fig.update_yaxes(range=[-1.1, 0.1], row=2, col=2)
    fig = _layout(fig, height=620)
    fig.update_layout(legend=dict(y=-0.1, yanchor="top"), margin=dict(t=30))
    return fig
