"""Pictures drawn on the server: a field on a grid as colour, its level lines, and point markers, as one JPEG.

Why: the decision-boundary lab redraws six panels on every slider move. Drawn by Plotly as a heatmap, a
contour trace (traced in the browser) and hundreds of SVG markers each, six panels cost the browser about
a second on a 2-core machine; as one picture each inside axes of plain HTML (``html_axes``) they cost it
a few milliseconds. The server needs ~20–40 ms per picture (numpy, and Pillow). The loss lab's contour map
is such a picture behind a Vega-Lite chart, whose invisible grid takes the clicks that pick a starting point.

How the level lines are drawn: a pixel's distance to the level ℓ of a smooth field f is about
|f − ℓ| / |∇f| (first-order Taylor), so a line of width w covers the pixels where that distance is below
w / 2, with a one-pixel soft edge (anti-aliasing). Markers are drawn at twice the size and averaged down.

Orientation: grids are indexed [i, j] at (xs[j], ys[i]) with ys increasing upwards; pictures are
indexed [row, col] with row 0 at the top. ``to_pixels`` maps data coordinates to picture coordinates.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 2
"""Markers are drawn at this multiple of the picture's size and averaged down (anti-aliased edges)."""
FLAT = 1e-5
"""A field changing by less than this per pixel is flat: no level line is drawn across it."""


def rgb(color: str) -> np.ndarray:
    """'#rrggbb' or 'rgb(r, g, b)' as a float array of three 0..255 values."""
    if color.startswith("#"):
        return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    found = re.findall(r"[\d.]+", color)
    if not color.startswith("rgb") or len(found) < 3:
        raise ValueError(f"not a colour: {color!r}")
    return np.array([float(v) for v in found[:3]])


def lookup_table(colorscale: Sequence[Sequence], n: int = 256) -> np.ndarray:
    """A Plotly-style colorscale [[position, colour], ...] sampled at n evenly spaced positions: (n, 3) float."""
    positions = np.array([float(p) for p, _ in colorscale])
    colors = np.array([rgb(c) for _, c in colorscale])
    t = np.linspace(0.0, 1.0, n)
    return np.column_stack([np.interp(t, positions, colors[:, c]) for c in range(3)])


@functools.lru_cache(maxsize=16)
def _interpolation_matrix(n_out: int, n_in: int, flip: bool = False) -> np.ndarray:
    """(n_out, n_in) weights of linear interpolation from n_in grid points to n_out pixel centres."""
    u = (np.arange(n_out) + 0.5) / n_out * (n_in - 1)  # pixel centres in grid-index units
    i0 = np.clip(np.floor(u).astype(int), 0, n_in - 2)
    t = u - i0
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), i0] = 1.0 - t
    m[np.arange(n_out), i0 + 1] = t
    m = np.ascontiguousarray(m[::-1] if flip else m, dtype=np.float32)
    m.flags.writeable = False  # shared by every call
    return m


@dataclass(frozen=True)
class Canvas:
    """A picture of width × height pixels covering x_range × y_range exactly."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    width: int = 360
    height: int = 360

    def resample(self, field: np.ndarray) -> np.ndarray:
        """A grid field (ny, nx), row 0 at the lowest y, linearly interpolated at every pixel: (height, width)."""
        field = np.asarray(field, dtype=np.float32)
        ay = _interpolation_matrix(self.height, field.shape[0], flip=True)  # picture row 0 is the top
        return ay @ field @ _interpolation_matrix(self.width, field.shape[1]).T

    def to_pixels(self, X: np.ndarray) -> np.ndarray:
        """Data points (n, 2) as picture coordinates (column, row) in pixels (0, 0 = top-left corner)."""
        X = np.asarray(X, dtype=float).reshape(-1, 2)
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return np.column_stack([(X[:, 0] - x0) / (x1 - x0) * self.width, (y1 - X[:, 1]) / (y1 - y0) * self.height])


def colorize(values: np.ndarray, table: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Values (any shape) mapped through a lookup table over [lo, hi]: float RGB with a last axis of 3.
    A value that is not a number gets the colour of ``lo``; an empty range (hi = lo) maps everything to it."""
    n = len(table)
    scaled = (np.nan_to_num(np.asarray(values, dtype=float), nan=lo, posinf=hi, neginf=lo) - lo) / max(hi - lo, 1e-12)
    idx = np.clip(np.rint(scaled * (n - 1)), 0, n - 1).astype(int)
    return table.astype(np.float32)[idx]


def line_coverage(field: np.ndarray, levels: Sequence[float], width: float) -> np.ndarray:
    """How much of each pixel the level lines of ``field`` (in pixels) cover: 0..1, anti-aliased.

    Distance to the nearest level ≈ |f − ℓ| / |∇f|; a line of ``width`` pixels covers distance < width / 2.
    Where the field is flat (|∇f| below FLAT per pixel) nothing is drawn: a region that sits exactly on a
    level (a tie between two classes, say) gets its outline, where the field starts to slope, not a fill.
    """
    field = np.asarray(field, dtype=np.float32)
    gy, gx = np.gradient(field)
    slope = np.hypot(gx, gy)
    gap = np.abs(field - np.float32(levels[0]))
    for level in levels[1:]:
        np.minimum(gap, np.abs(field - np.float32(level)), out=gap)
    reach = np.float32(width / 2.0 + 0.5)
    cover = np.clip(reach - gap / np.maximum(slope, np.float32(1e-12)), 0.0, 1.0)
    cover[slope < FLAT] = 0.0
    return cover


def paint(picture: np.ndarray, coverage: np.ndarray, color: str) -> np.ndarray:
    """``picture`` (float RGB, changed in place and returned) with ``color`` laid over it where ``coverage`` says."""
    rows, cols = np.nonzero(coverage)  # lines cover a few per cent of the picture: blend only there
    a = coverage[rows, cols, None]
    picture[rows, cols] = picture[rows, cols] * (1.0 - a) + rgb(color).astype(np.float32) * a
    return picture


def star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star of outer radius r centred at (cx, cy), point up."""
    angles = -np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
    return list(zip(cx + radii * np.cos(angles), cy + radii * np.sin(angles), strict=True))


@dataclass(frozen=True)
class Markers:
    """Points to draw: ``shape`` is 'circle', 'cross' or 'star'; size is the diameter in picture pixels."""

    points: np.ndarray  # (n, 2) picture coordinates from Canvas.to_pixels
    shape: str
    color: str
    size: float
    outline: str | None = None
    line_width: float = 1.0


def draw_markers(picture: np.ndarray, groups: Sequence[Markers]) -> np.ndarray:
    """``picture`` (float RGB) with every group drawn on top, in order: uint8 RGB."""
    h, w = picture.shape[:2]
    s = SUPERSAMPLE
    layer = Image.new("RGBA", (w * s, h * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for g in groups:
        fill = tuple(int(v) for v in rgb(g.color)) + (255,)
        outline = tuple(int(v) for v in rgb(g.outline)) + (255,) if g.outline else None
        r, lw = g.size * s / 2.0, max(1, round(g.line_width * s))
        for cx, cy in np.asarray(g.points, dtype=float).reshape(-1, 2) * s:
            if g.shape == "circle":
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline, width=lw if outline else 0)
            elif g.shape == "cross":
                k = r * 0.8
                draw.line((cx - k, cy - k, cx + k, cy + k), fill=fill, width=lw)
                draw.line((cx - k, cy + k, cx + k, cy - k), fill=fill, width=lw)
            elif g.shape == "star":
                draw.polygon(star(cx, cy, r), fill=fill, outline=outline, width=lw if outline else 0)
            else:
                raise ValueError(f"unknown marker shape {g.shape!r}")
    layer = layer.reduce(s)
    base = Image.fromarray(np.clip(np.rint(picture), 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    return np.asarray(Image.alpha_composite(base, layer).convert("RGB"))


JPEG_QUALITY = 92
"""JPEG at 92: ~45 kB and ~3 ms per panel picture with edges still clean (without chroma subsampling the
colour edges are a little sharper, at twice the bytes and ~12 ms); PNG took ~25 ms and twice the bytes."""


def jpeg_data_uri(picture: np.ndarray, quality: int = JPEG_QUALITY) -> str:
    """A uint8 RGB picture as a JPEG data URI (pictures are re-made on every change, so encoding must be fast)."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(picture, dtype=np.uint8), "RGB").save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --------------------------------------------------------------------------------------------------
# A picture inside axes, as HTML (no chart library in the browser)
# --------------------------------------------------------------------------------------------------
def nice_ticks(lo: float, hi: float, target: int = 6) -> np.ndarray:
    """About ``target`` round values (steps of 1, 2, 2.5 or 5 × 10ⁿ) inside [lo, hi], as a chart axis picks them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo]) if math.isfinite(lo) else np.array([])
    raw = (hi - lo) / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    ticks = np.arange(first, math.floor(hi / step + 1e-9) + 1) * step
    return np.round(ticks, 10) + 0.0  # + 0.0 turns −0.0 into 0.0


def tick_labels(ticks: np.ndarray) -> list[str]:
    """Tick values as an axis prints them: as many decimals as the step needs (0.25 → two), a true minus sign.
    Decimals come from the step, not the value, so ticks far from zero (12,345,005, ...) stay distinct."""
    ticks = np.asarray(ticks, dtype=float)
    if len(ticks) < 2:
        return [f"{v:g}".replace("-", "\u2212") for v in ticks]
    step = float(np.min(np.diff(ticks)))
    exponent = math.floor(math.log10(step))
    mantissa = round(step / 10.0**exponent, 6)
    decimals = max(0, -exponent + (1 if mantissa == 2.5 else 0))
    return [f"{v + 0.0:.{decimals}f}".replace("-", "\u2212") for v in np.round(ticks, decimals) + 0.0]


AXIS_COLOR = "#7b8494"
FRAME_COLOR = "#c9ced6"
LABEL_COLOR = "#5c6370"


def html_axes(canvas: Canvas, source: str, *, label: str = "", max_width: int = 460, x_title: str = "",
              y_title: str = "", font_scale: float = 1.0, **data: str) -> str:
    """The picture ``source`` (a data URI) covering ``canvas``'s ranges, framed, with ticked x and y axes: one
    block of HTML (for ``st.html``) that scales with its column while the tick labels keep their size.

    Positions are percentages of the picture, so a tick sits at its value whatever the width on screen.
    ``label`` is the accessible name; ``x_title`` and ``y_title``, if given, name the axes (below the x
    ticks, left of the y ticks); ``data`` become ``data-*`` attributes (what the picture shows). ``font_scale``
    enlarges the text and the room it takes (projector mode).
    """
    s = font_scale
    (x0, x1), (y0, y1) = canvas.x_range, canvas.y_range
    parts = []
    xs = nice_ticks(x0, x1)
    for v, text in zip(xs, tick_labels(xs), strict=True):
        at = f"left:{100 * (v - x0) / (x1 - x0):.3f}%;top:100%"
        parts.append(f'<span style="position:absolute;{at};height:4px;border-left:1px solid {AXIS_COLOR}"></span>'
                     f'<span style="position:absolute;{at};transform:translate(-50%,{6 * s:.0f}px)">{text}</span>')
    ys = nice_ticks(y0, y1)
    for v, text in zip(ys, tick_labels(ys), strict=True):
        at = f"top:{100 * (y1 - v) / (y1 - y0):.3f}%;right:100%"
        parts.append(f'<span style="position:absolute;{at};width:4px;border-top:1px solid {AXIS_COLOR}"></span>'
                     f'<span style="position:absolute;{at};transform:translate({-6 * s:.0f}px,-50%)">{text}</span>')
    if x_title:
        parts.append(f'<span data-axis="x" style="position:absolute;left:50%;top:100%;font-size:{14 * s:.0f}px;'
                     f'transform:translate(-50%,{22 * s:.0f}px)">{html.escape(x_title)}</span>')
    if y_title:
        parts.append(f'<span data-axis="y" style="position:absolute;top:50%;right:100%;font-size:{14 * s:.0f}px;'
                     f'transform:translate({-34 * s:.0f}px,-50%)">{html.escape(y_title)}</span>')
    padding = f"0 0 {(42 if x_title else 22) * s:.0f}px {(54 if y_title else 34) * s:.0f}px"
    attributes = "".join(f' data-{k.replace("_", "-")}="{html.escape(v)}"' for k, v in data.items())
    return (f'<div role="img" aria-label="{html.escape(label)}"{attributes} style="padding:{padding};'
            f'max-width:{max_width}px;font-size:{12 * s:.0f}px;line-height:1;color:{LABEL_COLOR};white-space:nowrap">'
            f'<div style="position:relative;outline:1px solid {FRAME_COLOR}">'
            f'<img src="{html.escape(source)}" alt="" style="display:block;width:100%;aspect-ratio:{canvas.width}/{canvas.height}">'
            f'{"".join(parts)}</div></div>')
