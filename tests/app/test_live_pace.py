"""A live view's pace: one redraw timer, never two, and the line above the pictures says how often it updates.

The outer fragment takes the pace every ``ui.PACE_S`` seconds and redraws the view when it does; the inner
fragment's timer makes up the rest of the wanted rate, and from ``PACE_S``/2 on there is no inner timer at all.
"""

from __future__ import annotations

import pytest

from core import ui
from core.training import Pool, PoolSettings, set_pool
from tests.app.conftest import assert_clean, open_page, settle

PAGE = "pages/5_Backprop.py"
KEY = "backprop.runner"


@pytest.mark.parametrize("wanted", [0.25, 0.5, 1.0, 2.0, 3.0, 3.9])
def test_the_inner_timer_and_the_outer_runs_together_redraw_at_the_wanted_rate(wanted):
    inner = ui.inner_interval(wanted)
    assert inner is not None and inner >= wanted
    assert 1 / inner + 1 / ui.PACE_S == pytest.approx(1 / wanted, rel=0.01)


@pytest.mark.parametrize("wanted", [ui.PACE_S / 2, 5.0, ui.PACE_S, 30.0])
def test_from_half_the_pace_on_the_outer_runs_alone_are_the_pace(wanted):
    assert ui.inner_interval(wanted) is None


@pytest.fixture
def training():
    """The backprop page training on a pool of its own: no other test's trainers count as "others", and a budget
    this test process (busy running pages) never exceeds, so the pace is the page's own."""
    pool = Pool(PoolSettings(size=1, redraw_budget=100.0))
    old = set_pool(pool)
    app = settle(open_page(PAGE), KEY)
    app.button(key="backprop.train").click().run()
    settle(app, KEY)
    yield app
    app.session_state[KEY].close()  # no training process outlives its test
    set_pool(old)
    pool.shutdown()


def live_line(app) -> str:
    lines = [c.value for c in app.caption if c.value.startswith("Live:")]
    assert len(lines) == 1, [c.value for c in app.caption]
    return lines[0]


@pytest.mark.trains
@pytest.mark.parametrize(("wanted", "others", "shown"), [
    (2.0, 9, "every 2 s; 9 others are training"),
    (6.0, 39, "every 8 s; 39 others are training"),  # past PACE_S/2: the outer fragment's runs, every 8 s
    (1.0, 1, "every 1 s; 1 other is training"),
])
def test_a_crowded_class_is_told_how_often_its_view_updates(training, monkeypatch, wanted, others, shown):
    monkeypatch.setattr(ui, "redraw_interval", lambda handle, every: (wanted, others))
    training.run()
    assert_clean(training)
    assert shown in live_line(training)


@pytest.mark.trains
def test_alone_the_view_updates_as_often_as_it_asks(training):
    training.session_state[KEY].pool.redraw_cost_s = 0.001  # a cheap redraw: the budget's floor is far below 0.35 s
    training.run()
    assert_clean(training)
    assert live_line(training) == "Live: this view updates every 0.35 s."  # the page asks for 0.35 s
