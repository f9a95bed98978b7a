"""Parsing and formatting of query parameters (the share-link mechanism: core/controls.py, drawn by core/ui.py)."""

from __future__ import annotations

import pytest

from core.controls import Control, format_value, parse_value
from core.ui import LABS, ROOT


def Param(default, lo=None, hi=None, options=None) -> Control:  # noqa: N802 - reads like the declarations below
    """A control with only what parsing looks at."""
    return Control("k", "k", default, lo, hi, options=options)


def test_parse_types_and_bounds():
    assert parse_value("0.25", Param(0.3, 0.0, 1.0)) == 0.25
    assert parse_value("7", Param(3, 1, 10)) == 7
    assert parse_value("true", Param(False)) is True
    assert parse_value("0", Param(True)) is False
    assert parse_value("moons", Param("blobs", options=["blobs", "moons"])) == "moons"
    assert parse_value(["LDA", "QDA"], Param(["LDA"], options=["LDA", "QDA", "KDE"])) == ["LDA", "QDA"]
    for bad, spec in [("banana", Param(0.3, 0.0, 1.0)), ("1.5", Param(0.3, 0.0, 1.0)), ("nan", Param(0.3)),
                      ("inf", Param(0.3)), ("maybe", Param(False)), ("x", Param("a", options=["a", "b"])),
                      (["LDA", "nope"], Param(["LDA"], options=["LDA", "QDA"]))]:
        with pytest.raises(ValueError):
            parse_value(bad, spec)


@pytest.mark.parametrize("value, spec", [(0.3, Param(0.5)), (5, Param(1)), (True, Param(False)),
                                         ("moons", Param("a")), (["a", "b"], Param(["a"]))])
def test_round_trip(value, spec):
    assert parse_value(format_value(value), spec) == value


def test_registered_labs_are_unique_and_sectioned():
    assert len({lab.path for lab in LABS}) == len(LABS)
    assert {lab.section for lab in LABS} <= {"Probability", "Classifiers", "Training"}
    assert (ROOT / "pages" / "1_Bayes_rule.py").exists()
