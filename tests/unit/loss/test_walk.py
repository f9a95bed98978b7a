"""The loss lab's walk along a path: Step, Play, Reset, a click on the map, and Play's ticks, on a plain dict."""

from __future__ import annotations

import pytest

from core.loss import descent, walk


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
    while not ended:
        pos, ended = walk.advance(s, n)
        positions.append(pos)
        assert len(positions) <= 40
    assert positions == sorted(positions) and positions[-1] == n and not s[walk.PLAYING]
    assert all(b - a == descent.play_stride(n) for a, b in zip(positions[:-2], positions[1:-1], strict=True))


def test_a_shorter_new_path_pulls_the_position_back_and_a_paused_walk_stays():
    s = state(pos=50)
    assert walk.advance(s, 20) == (20, False) and s[walk.N] == 20
    assert walk.advance(s, 20) == (20, False)  # not playing: no tick


def test_a_click_picks_the_start_inside_the_window_rounded_and_from_the_beginning():
    s = state(pos=30, playing=True)
    walk.pick_start(s, [{"w": 1.0, "b": 1.0}, {"w": 4.04, "b": -3.96}])  # the last point is the click
    assert (s[walk.W0], s[walk.B0], s[walk.POS], s[walk.PLAYING]) == (4.0, -4.0, 0, False)
    walk.pick_start(s, [{"w": 99.0, "b": -99.0}])
    assert (s[walk.W0], s[walk.B0]) == (descent.WINDOW.w[1], descent.WINDOW.b[0])
    before = dict(s)
    walk.pick_start(s, [])  # a click that selected nothing changes nothing
    assert s == before
