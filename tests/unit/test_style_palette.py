"""The palettes stay distinguishable under simulated colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
Vision Deficiency", IEEE TVCG 15(6); matrices for severity 1.0 from the paper's supplementary table,
applied to linear RGB. Distance: CIE76 ΔE*ab in CIELAB (D65), written out below.
"""

import numpy as np
import pytest

from core import style

MACHADO_1_0 = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
MIN_DELTA_E = 20.0
"""ΔE*ab of 20: clearly different colours at a glance (2.3 is a just-noticeable difference)."""


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_lab(lin: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = m @ np.clip(lin, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab(color: str, vision: str | None) -> np.ndarray:
    lin = srgb_to_linear(np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float))
    return linear_to_lab(MACHADO_1_0[vision] @ lin if vision else lin)


def test_lab_reference_values():
    assert np.allclose(lab("#ffffff", None), [100, 0, 0], atol=0.05)
    assert np.allclose(lab("#ff0000", None), [53.24, 80.09, 67.20], atol=0.05)  # Lindbloom's calculator


def test_simulation_keeps_grey_grey():
    for m in MACHADO_1_0.values():  # each Machado row sums to 1: neutral colours are unchanged
        assert np.allclose(m.sum(axis=1), 1.0, atol=1e-3)


@pytest.mark.parametrize("vision", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_projector_palette_pairs_stay_apart(vision):
    for name, a, b in style.MUST_DIFFER:
        d = np.linalg.norm(lab(style.color_of(style.PROJECTOR, a), vision) - lab(style.color_of(style.PROJECTOR, b), vision))
        assert d >= MIN_DELTA_E, f"{name} under {vision or 'normal vision'}: ΔE {d:.1f}"


def test_projector_scale_is_larger():
    n, p = style.get_style(False), style.get_style(True)
    assert p.font_size > n.font_size and p.line_width > n.line_width and p.marker_size > n.marker_size
    assert p.page_font_scale > 1.0 == n.page_font_scale


def test_base_layout_applies_projector_scale_to_plotly():
    import plotly.graph_objects as go

    fig = style.base_layout(go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines+markers")), style=style.PROJECTOR)
    assert fig.layout.font.size == style.PROJECTOR.font_size
    assert fig.data[0].line.width == style.PROJECTOR.line_width
    assert fig.data[0].marker.size == style.PROJECTOR.marker_size
    plain = style.base_layout(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    assert plain.layout.font.size is None


# ------------------------------------------------------------------------------------------------
# Restyling a finished figure: colours by role, sizes by the style's ratios, the original untouched
# ------------------------------------------------------------------------------------------------
def test_every_colour_role_maps_to_one_projector_colour():
    mapping = style.palette_map(style.PROJECTOR)  # raises if one normal colour had two roles
    for k, c in enumerate(style.NORMAL.class_colors):
        assert mapping[c.lower()] == style.PROJECTOR.class_colors[k]
    assert mapping[style.REAL_COLOR.lower()] == style.PROJECTOR.real_color
    assert mapping[style.FAKE_COLOR.lower()] == style.PROJECTOR.fake_color


def test_recolor_maps_palette_colours_and_their_blends_and_leaves_the_rest():
    P = style.PROJECTOR
    assert style.recolor(style.CLASS_COLORS[1].upper(), P) == P.class_colors[1]
    def channels(c: str) -> np.ndarray:
        return np.array([float(v) for v in c[4:-1].split(",")])
    # a blend is written in whole numbers, so the recovered t is within a rounding of the true one
    for blended, expected in ((style.mix_white(style.CLASS_COLORS[0], 0.35), style.mix_white(P.class_colors[0], 0.35)),
                              (style.darker(style.FAKE_COLOR), style.darker(P.fake_color))):
        assert np.abs(channels(style.recolor(blended, P)) - channels(expected)).max() <= 1.5
    for other in ("#111111", "rgb(10,200,30)", "white", "class 0", 3.5, None):
        assert style.recolor(other, P) == other
    assert style.recolor(style.CLASS_COLORS[0], style.NORMAL) == style.CLASS_COLORS[0]


def test_restyle_plotly_scales_sizes_swaps_colours_and_keeps_the_original():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines+markers",
                               line=dict(color=style.CLASS_COLORS[0], width=3), marker=dict(size=[5, 10])))
    fig.add_trace(go.Scatter(x=[0], y=[1], mode="lines", line=dict(color=style.REAL_COLOR)))
    fig.add_annotation(x=0, y=0, text="note", font=dict(size=12, color=style.CLASS_COLORS[1]))
    fig.update_layout(height=300, margin=dict(l=10, t=20))
    out = style.restyle_plotly(fig, style.PROJECTOR)
    text, line, marker = style.scales(style.PROJECTOR)
    assert (text, line, marker) == (20 / 12, 2.0, 12 / 7)
    assert out.data[0].line.width == 3 * line and out.data[0].line.color == style.PROJECTOR.class_colors[0]
    assert list(out.data[0].marker.size) == [5 * marker, 10 * marker]
    assert out.data[1].line.width == style.PROJECTOR.line_width and out.data[1].line.color == style.PROJECTOR.real_color
    assert out.layout.annotations[0].font.size == 12 * text and out.layout.annotations[0].font.color == "#E69F00"
    assert out.layout.font.size == out.layout.legend.font.size == style.PROJECTOR.font_size  # the theme's 15 px too
    assert out.layout.font.size == style.PROJECTOR.font_size
    assert out.layout.height == round(300 * style.PROJECTOR_HEIGHT) and out.layout.margin.l == 10 * text
    assert fig.data[0].line.width == 3 and fig.layout.font.size is None  # the (possibly cached) original
    assert style.restyle_plotly(fig, style.NORMAL) is fig


def test_restyle_vega_scales_marks_adds_config_and_passes_datasets_through():
    data = object()  # an Arrow table in the app: passed through, never walked
    spec = {"datasets": {"points": data}, "layer": [
        {"mark": {"type": "circle", "size": 9, "color": style.FAKE_COLOR, "strokeWidth": 1}},
        {"mark": "line", "encoding": {"color": {"scale": {"range": [style.REAL_COLOR, "#1c2333"]}}}},
    ], "config": {"axis": {"labelFontSize": 11}}}
    out = style.restyle_vega(spec, style.PROJECTOR)
    _, line, marker = style.scales(style.PROJECTOR)
    mark = out["layer"][0]["mark"]
    assert mark["size"] == pytest.approx(9 * marker ** 2) and mark["strokeWidth"] == line
    assert mark["color"] == style.PROJECTOR.fake_color
    assert out["layer"][1]["encoding"]["color"]["scale"]["range"] == [style.PROJECTOR.real_color, "#1c2333"]
    assert out["datasets"]["points"] is data
    assert out["config"]["axis"]["labelFontSize"] == pytest.approx(11 * 20 / 12)  # its own, scaled, kept
    assert out["config"]["legend"]["labelFontSize"] == style.PROJECTOR.font_size
    assert spec["layer"][0]["mark"]["size"] == 9 and "legend" not in spec["config"]



def test_real_and_fake_shades_keep_their_roles_although_classes_2_and_3_are_one_unit_away():
    from core.gan import figures as gan_figures

    P = style.PROJECTOR
    fake, white, real = (style.recolor(c, P) for c in gan_figures.D_RANGE)
    assert (fake, white, real) == (style.shade(P, "fake_color"), "#ffffff", style.shade(P, "real_color"))
    assert style.recolor(style.mix_white(style.CLASS_COLORS[2], 0.55), P) != real  # class 2's blend: wine


@pytest.mark.parametrize("odd", ["rgb(1.2.3,4,5)", "rgb(.,.,.)", "rgb(300,2,3)", "rgba(1,2,3,0.5)", "#12", ""])
def test_recolor_never_raises_on_odd_text(odd):
    assert style.recolor(odd, style.PROJECTOR) == odd
