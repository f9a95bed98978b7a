"""The loss lab's walk along a descent path: Step, Play, Reset, a click that picks the start, Play's ticks and
when they need the whole page, the numbers and notes at the position, and the 3-D surfaces' position.

Plain functions over a dict-like state (the page passes ``st.session_state``), so the rules are tested
without streamlit. The keys: ``loss.pos`` (the position on the path), ``loss.playing``, ``loss.n`` (the
path's last position), the start ``loss.w0``, ``loss.b0``, and ``loss.surface_pos`` (where the surfaces are).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from core.loss.descent import WINDOW, DescentPath, Window, flat_point_note, play_stride
from core.numbers import number

POS, PLAYING, N, W0, B0 = "loss.pos", "loss.playing", "loss.n", "loss.w0", "loss.b0"
SURFACE_POS = "loss.surface_pos"
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


def advance(state: State, n: int, was_playing: bool) -> tuple[int, bool]:
    """Take the new path's length ``n`` and, while playing, move one Play tick along it (about 40 ticks for any
    path). Returns the position to show and whether the whole page must run again to start or stop Play's timer:
    Play or Pause was pressed since the page set the timer (``was_playing``: then no tick), or Play just reached
    the end (then it has stopped)."""
    state[N] = n
    rerun = state[PLAYING] != was_playing
    if state[PLAYING] and not rerun:
        state[POS] = min(state[POS] + play_stride(n), n)
        if state[POS] >= n:
            state[PLAYING], rerun = False, True
    state[POS] = min(state[POS], n)
    return state[POS], rerun


def readout(path: DescentPath, pos: int, objective: str) -> list[tuple[str, str, None]]:
    """The numbers at the position, as (label, value, help): the loss, its gradient and the weights."""
    (w, b), (gw, gb) = path.params[pos], path.grad[pos]
    return [(label, number(value, digits), None) for label, value, digits in zip(
        (f"{objective} at step {pos}", "∂L/∂w", "∂L/∂b", "w", "b"), (path.loss[pos], gw, gb, w, b), (3, 3, 3, 2, 2),
        strict=True)]


def notes(path: DescentPath, pos: int, minimum: tuple[float, float, float] | None) -> list[tuple[str, str]]:
    """What the page says under the numbers, as (kind, text): why the path stopped early (an error when it
    diverged), then, after the start, whether a flat point is the minimum or a plateau (``flat_point_note``)."""
    out = [("error" if path.diverged else "warning", note) for note in path.messages]
    flat = flat_point_note(path.loss[pos], path.grad[pos], minimum) if pos > 0 else None
    return out + ([flat] if flat else [])


def surface_position(state: State, pos: int) -> int:
    """The position the 3-D surfaces draw the path to: 3-D redraws are slow (WebGL), so while playing they keep
    their last picture, and catch up when Play stops."""
    state[SURFACE_POS] = state.get(SURFACE_POS, pos) if state[PLAYING] else pos
    return state[SURFACE_POS]
