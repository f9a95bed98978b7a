"""Projector mode: the sidebar switch and ?projector=1 on every page, and every figure the page sends restyled.

Each page's charts are read off what the server sends (Plotly and Vega-Lite specs, the HTML of server-drawn
pictures): in projector mode no colour of the normal palette is left in any of them, their text is the
projector size, and the pictures' axes are lettered larger; in normal mode the same pages send the normal
palette and sizes (so the checks can fail).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core import style
from tests.app.conftest import assert_clean, open_page, run_until, settle

PAGES = {
    "app.py": (),
    "pages/1_Bayes_rule.py": (),
    "pages/2_Decision_boundaries.py": (),
    "pages/3_Loss_surface.py": (),
    "pages/4_GAN.py": ("gan.runner",),
    "pages/5_Backprop.py": ("backprop.runner",),
    "pages/6_Next_token.py": ("nexttoken.runner",),
    "pages/7_Lessons.py": (),
}
"""page → the trainers whose first snapshot its charts wait for."""
NORMAL_PALETTE = {c.lower() for c in (*style.NORMAL.class_colors, style.NORMAL.real_color, style.NORMAL.fake_color)}
PROJECTOR_CSS = "font-size: 125%"


def _elements(node, kind: str) -> list:
    out = []
    if getattr(node, "type", None) == kind:
        out.append(node)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out += _elements(child, kind)
    return out


def _dataset_texts(proto) -> list[str]:
    """The text columns of a Vega-Lite chart's data: Streamlit sends them apart from the spec, as Arrow."""
    out = []
    for arrow in [proto.data, *[d.data for d in proto.datasets]]:
        if arrow.data:
            table = pa.ipc.open_stream(arrow.data).read_all()
            for column in table.columns:
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                    out += [v for v in column.unique().to_pylist() if v is not None]
    return out


def figures(at: AppTest) -> dict[str, list]:
    """The page's Plotly figures and Vega-Lite specs (as dicts, a chart's text data under "_data") and its
    HTML blocks (as text)."""
    return {
        "plotly": [json.loads(e.proto.spec) for e in _elements(at._tree, "plotly_chart")],
        "vega": [json.loads(e.proto.spec) | {"_data": _dataset_texts(e.proto)}
                 for e in _elements(at._tree, "vega_lite_chart")],
        "html": [e.proto.body for e in _elements(at._tree, "html")],
    }


NORMAL_SHADES = {style.shade(style.NORMAL, role) for role, _ in style.SHADES}


def palette_left(spec: object) -> set[str]:
    """Normal-palette colours and shades anywhere in a figure (spec and data)."""
    text = json.dumps(spec).lower().replace(" ", "")
    return {c for c in NORMAL_PALETTE | NORMAL_SHADES if c in text}


def opened(path: str, projector: bool) -> AppTest:
    at = open_page(path, {"projector": "1"} if projector else None)
    keys = PAGES[path]  # a live page draws its charts once the pool has published the model's first snapshot
    if not keys:
        return at
    # Before the first snapshot the next-token page already shows one chart: wait for the snapshot itself, then
    # for a run drawn from it (not just for any chart).
    return run_until(settle(at, *keys), lambda a: figures(a)["vega"], *keys)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_figure_is_restyled_in_projector_mode(path):
    at = opened(path, projector=True)
    assert_clean(at)
    assert at.sidebar.toggle(key="projector.toggle").value is True
    found = figures(at)
    assert any(PROJECTOR_CSS in h for h in found["html"])
    for fig in found["plotly"]:
        assert fig["layout"]["font"]["size"] == style.PROJECTOR.font_size
        assert not palette_left(fig), f"normal colours left in a Plotly figure: {palette_left(fig)}"
    for spec in found["vega"]:
        assert spec["config"]["axis"]["labelFontSize"] == style.PROJECTOR.font_size
        assert not palette_left(spec), f"normal colours left in a Vega-Lite chart: {palette_left(spec)}"
    pictures = [h for h in found["html"] if "data:image" in h]
    for picture in pictures:  # server-drawn pictures: axes lettered at 12 px × (20 / 12)
        assert "font-size:20px" in picture and "font-size:12px" not in picture
    if path != "pages/7_Lessons.py":  # the lessons page is text, links and choices
        assert found["plotly"] or found["vega"] or pictures, "no figure found on the page"


@pytest.mark.parametrize("path", list(PAGES))
def test_normal_mode_sends_the_normal_palette_and_sizes(path):
    at = opened(path, projector=False)
    assert_clean(at)
    found = figures(at)
    assert not any(PROJECTOR_CSS in h for h in found["html"])
    for fig in found["plotly"]:
        assert fig["layout"].get("font", {}).get("size") != style.PROJECTOR.font_size
    for spec in found["vega"]:
        assert "labelFontSize" not in spec.get("config", {}).get("axis", {})
    if path != "pages/7_Lessons.py":
        specs = found["plotly"] + found["vega"] + [h for h in found["html"] if "data:image" in h]
        assert any(palette_left(s) for s in specs), "no normal palette colour on the page: the check proves nothing"


def test_toggle_switches_mode_and_url():
    at = open_page("app.py")
    assert at.sidebar.toggle(key="projector.toggle").value is False
    assert not any(PROJECTOR_CSS in h for h in figures(at)["html"])
    at.sidebar.toggle(key="projector.toggle").set_value(True).run()
    assert at.query_params.get("projector") in ("1", ["1"])
    assert any(PROJECTOR_CSS in h for h in figures(at)["html"])
    at.sidebar.toggle(key="projector.toggle").set_value(False).run()
    assert "projector" not in at.query_params
