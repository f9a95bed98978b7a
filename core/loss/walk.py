"""The loss lab's walk along a descent path: Step, Play, Reset, a click that picks the start, and Play's ticks.

Plain functions over a dict-like state (the page passes ``st.session_state``), so the rules are tested
without streamlit. The keys: ``loss.pos`` (the position on the path), ``loss.playing``, ``loss.n`` (the
path's last position), and the start ``loss.w0``, ``loss.b0``.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from core.loss.descent import WINDOW, Window, play_stride

POS, PLAYING, N, W0, B0 = "loss.pos", "loss.playing", "loss.n", "loss.w0", "loss.b0"
State = MutableMapping[str, Any]


def start(state: State) -> None:
    """A new session stands at the start of the path, not playing."""
    state.setdefault(POS, 0)
    state.setdefault(PLAYING, False)


def step(state: State) -> None:
    """One point further along the path (never past its end); a Step stops Play."""
    state[PLAYING], state[POS] = False, min(state[POS] + 1, state[N])


def play(state: State) -> None:
    """Play, or Pause if playing; Play at the end of the path starts again from its beginning."""
    state[POS] = 0 if state[POS] >= state[N] else state[POS]
    state[PLAYING] = not state[PLAYING]


def reset(state: State) -> None:
    """Back to the start of the path, not playing."""
    state[PLAYING], state[POS] = False, 0


def pick_start(state: State, points: Sequence[dict[str, float]], window: Window = WINDOW) -> None:
    """A click on the contour map (``points``: the selected grid points, the last one clicked): the path starts
    there, inside the window, rounded to the sliders' step of 0.1, from its beginning."""
    if not points:
        return
    state[W0] = round(min(max(float(points[-1]["w"]), window.w[0]), window.w[1]), 1)
    state[B0] = round(min(max(float(points[-1]["b"]), window.b[0]), window.b[1]), 1)
    state[POS], state[PLAYING] = 0, False


def advance(state: State, n: int) -> tuple[int, bool]:
    """Take the new path's length ``n`` and, while playing, move one Play tick along it (about 40 ticks for any
    path). Returns the position to show and whether Play just reached the end (then it has stopped)."""
    state[N] = n
    ended = False
    if state[PLAYING]:
        state[POS] = min(state[POS] + play_stride(n), n)
        if state[POS] >= n:
            state[PLAYING], ended = False, True
    state[POS] = min(state[POS], n)
    return state[POS], ended
