"""core.numbers.number: the one way a number is written for a student, and the callers that specialise it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.boundary.controls import score_line
from core.boundary.formulas import num
from core.boundary.models import Scores
from core.numbers import number


def test_fixed_decimals_by_default():
    assert number(0.5) == "0.500"
    assert number(2 / 3) == "0.667"
    assert number(2 / 3, 1) == "0.7"
    assert number(-1.23456, 2) == "-1.23"
    assert number(12) == "12.000"
    assert number(np.float32(0.25)) == "0.250" and number(np.int64(3), 0) == "3"


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("-inf")])
def test_nan_inf_and_none_are_words(bad):
    assert number(bad) == "undefined"
    assert number(bad, undefined="—") == "—"
    assert number(bad, 4, undefined="exploded", large=1e4) == "exploded"


def test_zero_and_negative_zero_carry_no_sign():
    assert number(0) == number(0.0) == number(-0.0) == "0.000"
    assert number(-0.0004) == "0.000"  # rounds to zero: no "-0.000"
    assert number(-0.0004, 4) == "-0.0004"
    assert number(-0.0005, 2) == "0.00" and number(-0.4, 0) == "0"
    assert number(-0.6, 0) == "-1"


def test_tiny_values_round_to_the_digits_asked_for():
    assert number(1e-300) == "0.000"
    assert number(4e-4, 3) == "0.000" and number(6e-4, 3) == "0.001"
    assert number(1e-300, 4, large=1e4) == "0.0000"  # only huge values switch notation


def test_huge_values_switch_to_significant_digits_only_when_asked():
    assert number(123456.0, 4, large=1e4) == "1.23e+05"
    assert number(-123456.0, 4, large=1e4) == "-1.23e+05"
    assert number(9999.0, 4, large=1e4) == "9999.0000"
    assert number(1e4, 4, large=1e4) == "1e+04"
    assert number(1.5e300, large=1e4, significant=2) == "1.5e+300"
    assert number(123456.0) == "123456.000"  # without ``large``: plain decimals


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_never_nan_inf_or_a_signed_zero_and_always_the_value(x):
    text = number(x, 3, large=1e6)
    assert "nan" not in text and "inf" not in text and text != "-0.000"
    if abs(x) < 1.79e308:  # rounded to 3 significant digits, the largest floats would read back as inf
        assert float(text) == pytest.approx(x, abs=5e-4, rel=5e-3)
    elif math.isfinite(x):
        assert text.endswith("e+308")
    else:
        assert text == "undefined"


# --------------------------------------------------------------------------------------------------
# The callers' own forms
# --------------------------------------------------------------------------------------------------
def test_latex_numbers_say_undefined_as_text():
    assert num(0.1234) == "0.123" and num(-2.0, 1) == "-2.0"
    assert num(math.nan) == num(None) == num(-math.inf) == r"\text{undefined}"


def test_score_line_uses_a_dash_where_there_is_no_test_set():
    assert score_line(Scores(0.95, 0.9333, 0.2101)) == "accuracy train 0.950 · test 0.933 · test log-loss 0.210"
    assert score_line(Scores(1.0, None, math.nan)) == "accuracy train 1.000 · test — · test log-loss —"
