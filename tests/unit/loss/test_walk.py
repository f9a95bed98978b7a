"""The loss lab's walk along a path: Step, Play, Reset, a click on the map, Play's ticks and when they need the whole
page, the numbers and notes at a position and the 3-D surfaces' position, on a plain dict."""

from __future__ import annotations

import pytest

from core.loss import descent, walk
from core.loss import settings as ls
from tests.unit.page_state import defaults


def state(pos: int = 0, n: int = 60, playing: bool = False) -> dict:
    return {walk.POS: pos, walk.N: n, walk.PLAYING: playing, walk.W0: -6.0, walk.B0: 6.0}


def test_a_new_session_starts_at_the_beginning_and_keeps_what_it_has():
    s: dict = {}
    walk.start(s)
    assert s == {walk.POS: 0, walk.PLAYING: False}
    s[walk.POS] = 7
    walk.start(s)
    assert s[walk.POS] == 7


def test_step_moves_one_point_stops_play_and_never_passes_the_end():
    s = state(pos=3, playing=True)
    walk.step(s)
    assert (s[walk.POS], s[walk.PLAYING]) == (4, False)
    s = state(pos=60)
    walk.step(s)
    assert s[walk.POS] == 60


def test_play_toggles_and_at_the_end_starts_again_from_the_beginning():
    s = state(pos=10)
    walk.play(s)
    assert (s[walk.POS], s[walk.PLAYING]) == (10, True)
    walk.play(s)
    assert (s[walk.POS], s[walk.PLAYING]) == (10, False)  # Pause keeps the place
    s = state(pos=60)
    walk.play(s)
    assert (s[walk.POS], s[walk.PLAYING]) == (0, True)


def test_reset_goes_back_and_stops():
    s = state(pos=25, playing=True)
    walk.reset(s)
    assert (s[walk.POS], s[walk.PLAYING]) == (0, False)


@pytest.mark.parametrize("n", [1, 7, 60, 500])
def test_play_ticks_walk_the_whole_path_in_about_forty_ticks_and_stop_at_its_end(n):
    s = state(n=n)
    walk.play(s)
    positions, ended = [], False
    while not ended:  # the page runs whole after Play, so its timer is set for playing
        pos, ended = walk.advance(s, n, was_playing=True)
        positions.append(pos)
        assert len(positions) <= 40
    assert positions == sorted(positions) and positions[-1] == n and not s[walk.PLAYING]
    assert all(b - a == descent.play_stride(n) for a, b in zip(positions[:-2], positions[1:-1], strict=True))


def test_a_shorter_new_path_pulls_the_position_back_and_a_paused_walk_stays():
    s = state(pos=50)
    assert walk.advance(s, 20, was_playing=False) == (20, False) and s[walk.N] == 20
    assert walk.advance(s, 20, was_playing=False) == (20, False)  # not playing: no tick


def test_play_or_pause_pressed_since_the_timer_was_set_runs_the_whole_page_without_a_tick():
    s = state(pos=10)
    walk.play(s)  # in the walk's own run: the timer is still off
    assert walk.advance(s, 60, was_playing=False) == (10, True) and s[walk.PLAYING]
    assert walk.advance(s, 60, was_playing=True) == (10 + descent.play_stride(60), False)  # the whole page: a tick
    walk.play(s)  # Pause: the timer must stop
    assert walk.advance(s, 60, was_playing=True) == (10 + descent.play_stride(60), True) and not s[walk.PLAYING]
    s = state(pos=10, playing=True)
    walk.step(s)  # Step stops Play: the timer must stop too
    assert walk.advance(s, 60, was_playing=True) == (11, True)


def test_a_click_picks_the_start_inside_the_window_rounded_and_from_the_beginning():
    s = state(pos=30, playing=True)
    walk.pick_start(s, [{"w": 1.0, "b": 1.0}, {"w": 4.04, "b": -3.96}])  # the last point is the click
    assert (s[walk.W0], s[walk.B0], s[walk.POS], s[walk.PLAYING]) == (4.0, -4.0, 0, False)
    walk.pick_start(s, [{"w": 99.0, "b": -99.0}])
    assert (s[walk.W0], s[walk.B0]) == (descent.WINDOW.w[1], descent.WINDOW.b[0])
    before = dict(s)
    walk.pick_start(s, [])  # a click that selected nothing changes nothing
    assert s == before


def test_the_walk_settings_from_the_widgets_and_the_numbers_and_notes_at_a_position():
    assert ls.descent_settings(defaults(ls.CONTROLS)) == descent.DescentSettings()
    assert {c.key for c in ls.GRID} == {c.key for c in ls.DESCENT} - {ls.SURFACES.key}
    data = descent.make_data(descent.DATASETS[0])
    path = descent.descend(data.x, data.y, descent.DescentSettings(steps=200))
    rows = walk.readout(path, 3, "BCE")
    assert [label for label, _, _ in rows] == ["BCE at step 3", "∂L/∂w", "∂L/∂b", "w", "b"]
    assert rows[0][1] == f"{path.loss[3]:.3f}" and rows[3][1] == f"{path.params[3][0]:.2f}"
    minimum = descent.dataset_optimum(data.name, 0.0, "BCE")
    assert walk.notes(path, 0, minimum) == []  # the start: nothing to say
    end = path.steps_taken
    assert walk.notes(path, end, minimum) == [descent.flat_point_note(path.loss[end], path.grad[end], minimum)]
    wild = descent.descend(data.x, data.y, descent.DescentSettings(lr=descent.LR_RANGE[1]))
    assert wild.diverged and walk.notes(wild, 0, minimum) == [("error", note) for note in wild.messages]


def test_the_surfaces_keep_their_position_while_playing_and_catch_up_after():
    s = state(pos=5)
    assert walk.surface_position(s, 5) == 5
    s[walk.PLAYING] = True
    assert walk.surface_position(s, 9) == 5 and walk.surface_position(s, 14) == 5
    s[walk.PLAYING] = False
    assert walk.surface_position(s, 60) == 60
