"""Projector mode: the sidebar switch and ?projector=1 on every page."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import assert_clean, open_page

PAGES = ["app.py", "pages/1_Bayes_rule.py", "pages/2_Decision_boundaries.py", "pages/3_Loss_surface.py"]


def _css(at: AppTest) -> str:
    return " ".join(str(getattr(e, "proto", "")) for e in at.get("html"))


@pytest.mark.parametrize("path", PAGES)
def test_url_parameter_turns_projector_mode_on(path):
    at = open_page(path, {"projector": "1"})
    assert_clean(at)
    assert at.sidebar.toggle(key="projector.toggle").value is True
    assert "font-size: 135%" in _css(at)


def test_toggle_switches_mode_and_url():
    at = open_page("app.py")
    assert at.sidebar.toggle(key="projector.toggle").value is False
    assert "font-size: 135%" not in _css(at)
    at.sidebar.toggle(key="projector.toggle").set_value(True).run()
    assert at.query_params.get("projector") in ("1", ["1"])
    assert "font-size: 135%" in _css(at)
    at.sidebar.toggle(key="projector.toggle").set_value(False).run()
    assert "projector" not in at.query_params
