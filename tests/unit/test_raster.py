"""core.raster against closed forms: colours, resampling, level-line coverage, markers, the Plotly and HTML axes."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image

from core import raster


def test_colours_parse_and_the_lookup_table_interpolates_the_colorscale():
    assert_array_equal(raster.rgb("#3b6fd4"), [0x3B, 0x6F, 0xD4])
    assert_array_equal(raster.rgb("rgb(10, 20,30)"), [10, 20, 30])
    with pytest.raises(ValueError):
        raster.rgb("blue")
    table = raster.lookup_table([[0.0, "#000000"], [0.5, "#ff0000"], [1.0, "#ffffff"]], n=5)
    assert_allclose(table, [[0, 0, 0], [127.5, 0, 0], [255, 0, 0], [255, 127.5, 127.5], [255, 255, 255]])
    assert_allclose(raster.colorize(np.array([0.0, 0.5, 1.0, 7.0]), table), table[[0, 2, 4, 4]])


def test_resample_is_exact_for_a_linear_field_at_every_pixel_centre():
    canvas = raster.Canvas((-1.0, 3.0), (0.0, 2.0), width=40, height=30)
    xs, ys = np.linspace(-1, 3, 11), np.linspace(0, 2, 7)
    field = 2.0 * xs[None, :] - 3.0 * ys[:, None] + 1.0  # [i, j] at (xs[j], ys[i])
    out = canvas.resample(field)
    assert out.shape == (30, 40)
    px = -1 + (np.arange(40) + 0.5) / 40 * 4  # pixel centres in data units
    py = 2 - (np.arange(30) + 0.5) / 30 * 2  # row 0 is the top
    assert_allclose(out, 2.0 * px[None, :] - 3.0 * py[:, None] + 1.0, atol=1e-5)


def test_to_pixels_maps_the_corners_of_the_ranges():
    canvas = raster.Canvas((-1.0, 3.0), (0.0, 2.0), width=40, height=30)
    assert_allclose(canvas.to_pixels(np.array([[-1, 2], [3, 0], [1, 1]])), [[0, 0], [40, 30], [20, 15]])


def test_line_coverage_is_the_width_of_the_line_with_a_one_pixel_soft_edge():
    x = np.tile(np.arange(50, dtype=float), (5, 1)) * 0.1  # slope 0.1 per pixel along a row
    cover = raster.line_coverage(x, [2.0], width=3.0)[2]  # the level sits at pixel 20
    distance = np.abs(np.arange(50) - 20)
    assert_allclose(cover, np.clip(2.0 - distance, 0, 1), atol=1e-4)  # 1 within 1 px, 0 from 2 px on
    flat = raster.line_coverage(np.ones((4, 4)), [1.0], width=2.0)
    assert (flat == 0).all()  # a field lying on the level everywhere: nothing to draw, not a filled square


def test_a_region_lying_on_the_level_gets_an_outline_not_a_fill():
    x = np.arange(60, dtype=float)
    row = np.clip(np.abs(x - 30) - 10, 0, None) * 0.1  # 0 on pixels 20..40 (a tie), sloping outside
    cover = raster.line_coverage(np.tile(row, (5, 1)), [0.0], width=3.0)[2]
    assert cover[25:36].max() == 0  # inside the flat region
    assert cover[19] > 0.5 and cover[41] > 0.5  # its two edges
    assert cover[:10].max() == 0 and cover[-10:].max() == 0  # far from it


def test_colorize_survives_nan_and_an_empty_range():
    table = raster.lookup_table([[0.0, "#000000"], [1.0, "#ffffff"]], n=3)
    assert_allclose(raster.colorize(np.array([np.nan, np.inf, -np.inf]), table), table[[0, 2, 0]])
    assert_allclose(raster.colorize(np.array([5.0, 5.0]), table, 5.0, 5.0), table[[0, 0]])


def test_paint_blends_by_coverage_and_leaves_the_rest():
    picture = np.full((2, 2, 3), 200.0, dtype=np.float32)
    cover = np.array([[0.0, 1.0], [0.5, 0.0]])
    out = raster.paint(picture, cover, "#000000")
    assert_allclose(out[:, :, 0], [[200, 0], [100, 200]])


def test_markers_are_drawn_in_their_colour_where_the_points_are():
    base = np.full((60, 80, 3), 255.0)
    groups = [raster.Markers(np.array([[20.0, 30.0]]), "circle", "#ff0000", 10, "#000000"),
              raster.Markers(np.array([[60.0, 30.0]]), "star", "#00ff00", 16),
              raster.Markers(np.array([[40.0, 10.0]]), "cross", "#0000ff", 10, line_width=2)]
    out = raster.draw_markers(base, groups)
    assert out.dtype == np.uint8 and out.shape == (60, 80, 3)
    assert_array_equal(out[30, 20], [255, 0, 0])
    assert_array_equal(out[30, 60], [0, 255, 0])
    assert out[10, 40, 2] > 200 and out[10, 40, 0] < 100  # the middle of the cross
    assert_array_equal(out[55, 5], [255, 255, 255])  # untouched far away
    with pytest.raises(ValueError):
        raster.draw_markers(base, [raster.Markers(np.zeros((1, 2)), "hexagon", "#000000", 4)])


def test_jpeg_round_trip():
    picture = np.zeros((30, 40, 3), dtype=np.uint8)
    picture[:, 20:] = [230, 120, 40]
    uri = raster.jpeg_data_uri(picture)
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert decoded.shape == (30, 40, 3)
    assert np.abs(decoded[:, 25:].astype(int) - [230, 120, 40]).max() <= 6


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    (-2.8, 2.9, [-2, -1, 0, 1, 2]),
    (0.0, 1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (-1.4, 1.6, [-1, -0.5, 0, 0.5, 1, 1.5]),
    (0.001, 0.0042, [0.001, 0.002, 0.003, 0.004]),
    (-10_000.0, 30_000.0, [-10_000, 0, 10_000, 20_000, 30_000]),
])
def test_nice_ticks_are_round_evenly_spaced_and_inside_the_range(lo, hi, expected):
    ticks = raster.nice_ticks(lo, hi)
    assert_allclose(ticks, expected)
    assert lo <= ticks.min() and ticks.max() <= hi
    step = np.diff(ticks)
    assert_allclose(step, step[0])
    mantissa = step[0] / 10 ** np.floor(np.log10(step[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


def test_nice_ticks_of_an_empty_or_undefined_range_and_their_labels():
    assert_array_equal(raster.nice_ticks(3.0, 3.0), [3.0])
    assert raster.nice_ticks(float("nan"), 1.0).size == 0
    assert raster.tick_labels(raster.nice_ticks(-1.0, 1.0)) == ["−1.0", "−0.5", "0.0", "0.5", "1.0"]
    assert raster.tick_labels(np.array([-0.25, 0.0, 0.25])) == ["−0.25", "0.00", "0.25"]
    assert raster.tick_labels(raster.nice_ticks(-3.0, 3.0)) == ["−3", "−2", "−1", "0", "1", "2", "3"]
    assert raster.tick_labels([3.0]) == ["3"]


def test_tick_labels_far_from_zero_stay_distinct_and_exact():
    ticks = raster.nice_ticks(12_345_000, 12_345_030)
    labels = raster.tick_labels(ticks)
    assert len(set(labels)) == len(labels) == len(ticks)
    assert labels[:2] == ["12345000", "12345005"]
    assert [float(t) for t in labels] == list(ticks)


def test_html_axes_put_each_tick_at_its_value_and_the_picture_in_the_frame():
    canvas = raster.Canvas((-2.0, 6.0), (10.0, 20.0), width=40, height=50)
    html = raster.html_axes(canvas, "data:image/jpeg;base64,AAAA", label='a "quoted" <label>', layers="x,y")
    assert '<img src="data:image/jpeg;base64,AAAA"' in html and "aspect-ratio:40/50" in html
    assert 'aria-label="a &quot;quoted&quot; &lt;label&gt;"' in html and 'data-layers="x,y"' in html
    xs, ys = raster.nice_ticks(-2, 6), raster.nice_ticks(10, 20)
    lefts = {t: 100 * (v + 2) / 8 for v, t in zip(xs, raster.tick_labels(xs), strict=True)}
    tops = {t: 100 * (20 - v) / 10 for v, t in zip(ys, raster.tick_labels(ys), strict=True)}
    found_x = dict((t, float(p)) for p, t in re.findall(r"left:([\d.]+)%;top:100%;transform:[^>]*>([^<]+)<", html))
    found_y = dict((t, float(p)) for p, t in re.findall(r"top:([\d.]+)%;right:100%;transform:[^>]*>([^<]+)<", html))
    assert found_x.keys() == lefts.keys() and found_y.keys() == tops.keys()
    for label, at in lefts.items():
        assert found_x[label] == pytest.approx(at, abs=1e-3)
    for label, at in tops.items():
        assert found_y[label] == pytest.approx(at, abs=1e-3)


def test_html_axes_name_the_axes_only_when_asked_and_make_room_for_the_names():
    canvas = raster.Canvas((0.0, 1.0), (0.0, 1.0), width=40, height=40)
    bare = raster.html_axes(canvas, "data:image/jpeg;base64,AAAA")
    named = raster.html_axes(canvas, "data:image/jpeg;base64,AAAA", x_title="x₁", y_title="<x₂>")
    assert "data-axis" not in bare and "padding:0 0 22px 34px" in bare
    assert re.findall(r'data-axis="(x|y)"[^>]*>([^<]+)<', named) == [("x", "x₁"), ("y", "&lt;x₂&gt;")]
    assert "padding:0 0 42px 54px" in named
