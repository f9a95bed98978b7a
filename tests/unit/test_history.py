"""The bounded training history: bounded, spans the whole run, means and samples kept exactly."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core.history import History


def test_below_capacity_every_row_is_kept():
    h = History(2, capacity=8)
    for step in range(5):
        h.add(step, step * 0.5, -step)
    assert_allclose(h.array(), [[s, s * 0.5, -s] for s in range(5)])
    assert h.column(1) == [0.0, 0.5, 1.0, 1.5, 2.0] and len(h) == 5


@pytest.mark.parametrize("n", [9, 16, 17, 100, 1000, 4321])
def test_sampled_history_is_bounded_keeps_step_zero_and_the_newest(n):
    h = History(1, capacity=8)
    for step in range(n):
        h.add(step, float(step) ** 2)
    a = h.array()
    assert len(a) <= 9 and a[0, 0] == 0 and a[-1, 0] == n - 1
    assert_allclose(a[:, 1], a[:, 0] ** 2)  # each row is one step's own values
    assert np.all(np.diff(a[:, 0]) > 0)
    stored = a[:-1, 0] if a[-1, 0] % h.stride else a[:, 0]
    assert np.all(stored % h.stride == 0)  # evenly spread: every stride-th step
    assert len(a) >= 4  # never fewer than half the buffer once it has filled


@pytest.mark.parametrize("n", [7, 8, 9, 24, 100, 1001])
def test_mean_history_keeps_the_mean_of_every_step(n):
    rng = np.random.default_rng(n)
    values = rng.normal(size=n)
    h = History(1, capacity=8, mean=True)
    for step, v in enumerate(values, start=1):
        h.add(step, v)
    a = h.array()
    assert len(a) <= 9 and a[-1, 0] == n
    widths = np.diff(np.concatenate([[0], a[:, 0]]))  # the steps each row stands for
    assert widths.sum() == n
    assert_allclose((a[:, 1] * widths).sum() / n, values.mean(), rtol=1e-9, atol=1e-12)
    ends = np.concatenate([[0], a[:, 0]]).astype(int)
    for lo, hi, mean in zip(ends[:-1], ends[1:], a[:, 1], strict=True):
        assert_allclose(mean, values[lo:hi].mean(), rtol=1e-9, atol=1e-12)  # each row: the mean of its steps


def test_capacity_must_be_even():
    with pytest.raises(ValueError):
        History(1, capacity=7)
