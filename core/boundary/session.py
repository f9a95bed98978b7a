"""The decision-boundary page's session state: your own points (upload, clicks), which parts a change reruns, and
this session's learning-curve run.

Plain functions over a dict-like state (the page passes ``st.session_state``), so each decision is unit-tested
without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from core.boundary import controls as bd
from core.boundary import curves as lc
from core.boundary import data as ds
from core.boundary.panels import CLICK_PARAM

State = MutableMapping[str, Any]

ADDED, CLICKS, CLICK_CLASS = "boundary.added", "boundary.clicks", "boundary.click_class"
CSV, CSV_POINTS, CSV_ERROR = "boundary.csv", "boundary.csv_points", "boundary.csv_error"
SHOWN_PANELS = "boundary.shown_panels"
LC_JOB, LC_FOR, LC_CANCELLED = "boundary.lc.job", "boundary.lc.for", "boundary.lc.cancelled"
"""This session's handle on the training pool, the CurvesJob it runs, and what Cancel left (key, note, snapshot)."""


# -- your own data ---------------------------------------------------------------------------------------------
def load_csv(state: State) -> None:
    """Parse an upload: on success it becomes the data; on failure the message shows and the data stays."""
    upload, state[CSV_ERROR] = state[CSV], None
    if upload is None:
        return
    try:
        state[CSV_POINTS] = ds.parse_csv(upload.getvalue())
    except ds.CsvError as err:
        state[CSV_ERROR] = f"{upload.name}: {err} The previous data is kept."
        return
    state.update({bd.DATASET.key: ds.CUSTOM, ADDED: []})


def lab_data(state: State) -> ds.Dataset:
    """This session's data: the generator's (or your CSV's) points, and your clicked points added to training."""
    return bd.lab_data(bd.data_settings(state), state.get(CSV_POINTS), state.setdefault(ADDED, []))


def data_caption(state: State, data: ds.Dataset) -> str:
    """The caption under the data plot: how many points of each kind, and how to add one."""
    return (f"{len(data.y_train)} training points ● (incl. {len(state.get(ADDED, ()))} clicked), "
            f"{len(data.y_test)} test points ✕. Click anywhere on the plot to add a training point.")


def data_notes(state: State, data: ds.Dataset) -> list[tuple[str, str]]:
    """What the page says under the data, as (kind, message): why an upload was refused, or that there is no data."""
    notes = [("error", state[CSV_ERROR])] if state.get(CSV_ERROR) else []
    if state[bd.DATASET.key] == ds.CUSTOM and not len(data.y_all):
        notes.append(("info", "No data of your own yet: upload a CSV, or pick a class and click on the plot."))
    return notes


def data_plot_key(state: State) -> str:
    """A new key after every click: the new chart has no selection, so the same spot can be clicked again."""
    return f"boundary.data_plot.{state.setdefault(CLICKS, 0)}"


def add_clicked(state: State) -> None:
    """The data plot's click (its selection) becomes a training point of the chosen class."""
    clicks = ds.clicked_positions(state[data_plot_key(state)].selection.get(CLICK_PARAM, []))
    state[ADDED] = ds.add_clicks(state[ADDED], clicks, int(state[CLICK_CLASS]))
    state[CLICKS] += 1


def clear_added(state: State) -> None:
    """Forget the clicked points."""
    state[ADDED] = []


def ng_jordan_setup(state: State) -> None:
    """Correlated blobs with 30 irrelevant features, and no clicked points (the data changes: rerun the page)."""
    state.update({**bd.NG_JORDAN, ADDED: []})


# -- rerun routing -----------------------------------------------------------------------------------------------
def fragments_for(model: str, state: State) -> list[str] | None:
    """The fragments a change of ``model``'s own setting reruns: its panel and the results table, and the learning
    curves when they include the model; None when the model has no panel on the page (the usual rerun)."""
    if model not in state.get(SHOWN_PANELS, ()):
        return None
    return ([bd.panel_fragment(model), bd.RESULTS_FRAGMENT]
            + ([bd.CURVES_FRAGMENT] if model in state[bd.LC_MODELS.key] else []))


# -- this session's learning-curve run ---------------------------------------------------------------------------
def release_curves(state: State) -> None:
    """Close this session's learning-curve trainer (the worker forgets it at once)."""
    handle = state.pop(LC_JOB, None)
    state.pop(LC_FOR, None)
    if handle is not None:
        handle.close()


def start_curves(state: State, job: lc.CurvesJob, trainer: Callable[..., Any]) -> None:
    """Start ``job`` on a new trainer, ``trainer(LC_JOB, factory, job, lab=...)`` (``ui.trainer``: the page's
    handle on the pool, kept under that key)."""
    release_curves(state)
    state.pop(LC_CANCELLED, None)
    trainer(LC_JOB, lc.build_curves, job, lab="learning curves").start()
    state[LC_FOR] = job


def cancel_curves(state: State) -> None:
    """Cancel: release the trainer, keep what it had done. A second call (a click seen twice) finds nothing to do."""
    job, handle = state.get(LC_FOR), state.get(LC_JOB)
    if job is None or handle is None:
        return
    snap = handle.snapshot
    state[LC_CANCELLED] = (job.key(), bd.cancelled_note(snap), snap)
    release_curves(state)


def still_running(state: State, request: bd.CurveJob) -> lc.CurvesJob | None:
    """The job this session's trainer still runs for these settings, or None: a finished run is kept for every
    session, a run for other settings is released, and so is one the server stopped (with a note saying so)."""
    job, handle = state.get(LC_FOR), state.get(LC_JOB)
    if job is None or handle is None:
        return None
    snap = handle.snapshot
    if request.problem or job.key() != request.key:
        release_curves(state)  # the settings changed: that run is not wanted any more
    elif snap is not None and snap.finished:
        lc.remember(job, snap)  # and the worker can forget it
        release_curves(state)
    elif handle.message and not handle.running:  # a fault, or put away by the server
        state[LC_CANCELLED] = (job.key(), bd.interrupted_note(handle.message), snap)
        release_curves(state)
    return state.get(LC_FOR)


def live_handle(state: State) -> Any | None:
    """This session's handle on a learning-curve run, or None when there is no run."""
    return state.get(LC_JOB) if state.get(LC_FOR) is not None else None


def run_over(handle: Any) -> bool:
    """True when the run has finished or the server stopped it: the page then keeps what there is."""
    snap = handle.snapshot
    return bool(snap is not None and snap.finished or handle.message and not handle.running)


def cancelled_for(state: State, request: bd.CurveJob) -> tuple[str, Any] | None:
    """What Cancel (or the server) left for these settings: its note and its last snapshot; None otherwise."""
    cancelled = state.get(LC_CANCELLED)
    if cancelled is None or cancelled[0] != request.key:
        return None
    return cancelled[1], cancelled[2]


KEPT, LIVE, CANCELLED, NOTHING = "kept", "live", "cancelled", "nothing"


def curves_view(state: State, request: bd.CurveJob, run: bool, trainer: Callable[..., Any]) -> tuple[str, Any]:
    """What the learning-curve part shows for these settings (after ``still_running``): ``(KEPT, progress)``, a
    finished run (from any session; this session's trainer is released); ``(LIVE, handle)``, the run to follow (when
    the button was pressed and none runs, started now on ``trainer``: see ``start_curves``);
    ``(CANCELLED, (note, snapshot))``; or ``(NOTHING, None)``."""
    kept = lc.recall(request.job)
    if kept is not None:
        release_curves(state)  # a run of the same settings finished in another session meanwhile
        return KEPT, kept
    running = state.get(LC_FOR)
    if run or running is not None:
        if running is None:
            start_curves(state, request.job, trainer)
        return LIVE, state[LC_JOB]
    cancelled = cancelled_for(state, request)
    return (CANCELLED, cancelled) if cancelled is not None else (NOTHING, None)
