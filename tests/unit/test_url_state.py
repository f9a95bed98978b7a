"""Parsing and formatting of query parameters (the share-link mechanism in core/ui.py)."""

from __future__ import annotations

import pytest

from core.ui import LABS, ROOT, Param, format_param, parse_param


def test_parse_types_and_bounds():
    assert parse_param("0.25", Param(0.3, 0.0, 1.0)) == 0.25
    assert parse_param("7", Param(3, 1, 10)) == 7
    assert parse_param("true", Param(False)) is True
    assert parse_param("0", Param(True)) is False
    assert parse_param("moons", Param("blobs", options=["blobs", "moons"])) == "moons"
    assert parse_param(["LDA", "QDA"], Param(["LDA"], options=["LDA", "QDA", "KDE"])) == ["LDA", "QDA"]
    for bad, spec in [("banana", Param(0.3, 0.0, 1.0)), ("1.5", Param(0.3, 0.0, 1.0)), ("nan", Param(0.3)),
                      ("inf", Param(0.3)), ("maybe", Param(False)), ("x", Param("a", options=["a", "b"])),
                      (["LDA", "nope"], Param(["LDA"], options=["LDA", "QDA"]))]:
        with pytest.raises(ValueError):
            parse_param(bad, spec)


@pytest.mark.parametrize("value, spec", [(0.3, Param(0.5)), (5, Param(1)), (True, Param(False)),
                                         ("moons", Param("a")), (["a", "b"], Param(["a"]))])
def test_round_trip(value, spec):
    assert parse_param(format_param(value), spec) == value


def test_registered_labs_are_unique_and_sectioned():
    assert len({lab.path for lab in LABS}) == len(LABS)
    assert {lab.section for lab in LABS} <= {"Probability", "Classifiers", "Training"}
    assert (ROOT / "pages" / "1_Bayes_rule.py").exists()
