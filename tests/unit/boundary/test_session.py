"""The decision-boundary page's session decisions (your points, rerun routing, the learning-curve run) on a dict."""

from __future__ import annotations

from types import SimpleNamespace

from core.boundary import controls as bd
from core.boundary import curves as lc
from core.boundary import data as ds
from core.boundary import session as sn
from tests.unit.fake_handle import FakeHandle
from tests.unit.page_state import defaults


def page_state(**extra) -> dict:
    return defaults(bd.CONTROLS) | {sn.ADDED: []} | extra


class Upload:
    def __init__(self, name: str, body: bytes) -> None:
        self.name, self._body = name, body

    def getvalue(self) -> bytes:
        return self._body


def test_an_upload_becomes_the_data_and_a_bad_one_keeps_it():
    state = page_state(**{sn.ADDED: [[0.0, 0.0, 1.0]], sn.CSV: Upload("good.csv", b"a,b,label\n0,1,x\n1,0,y\n2,2,x\n3,1,y\n")})
    sn.load_csv(state)
    assert state[sn.CSV_ERROR] is None and state[bd.DATASET.key] == ds.CUSTOM and state[sn.ADDED] == []
    kept = state[sn.CSV_POINTS]
    state.update({bd.DATASET.key: ds.BLOBS, sn.CSV: Upload("bad.csv", b"only one column\n1\n")})
    sn.load_csv(state)
    assert state[sn.CSV_ERROR].startswith("bad.csv: ") and state[sn.CSV_ERROR].endswith("The previous data is kept.")
    assert state[sn.CSV_POINTS] is kept and state[bd.DATASET.key] == ds.BLOBS
    state[sn.CSV] = None  # the upload removed: nothing changes, no error
    sn.load_csv(state)
    assert state[sn.CSV_ERROR] is None and state[sn.CSV_POINTS] is kept


def test_a_click_adds_a_point_of_the_chosen_class_and_renews_the_plot_key():
    state = page_state(**{sn.CLICK_CLASS: 1})
    key = sn.data_plot_key(state)
    assert key == "boundary.data_plot.0"
    state[key] = SimpleNamespace(selection={"click": [{"gx": 0.5, "gy": -1.0}, {"gx": None, "gy": 1.0}]})
    sn.add_clicked(state)
    assert state[sn.ADDED] == [[0.5, -1.0, 1.0]] and sn.data_plot_key(state) == "boundary.data_plot.1"
    sn.clear_added(state)
    assert state[sn.ADDED] == []


def test_the_sessions_data_is_the_generators_with_the_clicked_points_and_the_caption_counts_them():
    state = page_state(**{bd.SEED.key: 3})
    del state[sn.ADDED]  # a new session: no clicks yet
    plain = sn.lab_data(state)
    assert state[sn.ADDED] == []
    expected = ds.make_dataset(bd.data_settings(state))
    assert (plain.X_train == expected.X_train).all() and len(plain.y_test) == len(expected.y_test)
    state[sn.ADDED] = [[0.5, -1.0, 1.0], [0.0, 0.0, 0.0]]
    clicked = sn.lab_data(state)
    assert len(clicked.y_train) == len(plain.y_train) + 2 and list(clicked.X_train[-1]) == [0.0, 0.0]
    assert sn.data_caption(state, clicked).startswith(
        f"{len(plain.y_train) + 2} training points ● (incl. 2 clicked), {len(plain.y_test)} test points ✕.")


def test_the_live_handle_is_the_sessions_run_only_while_it_has_one():
    state = page_state()
    assert sn.live_handle(state) is None
    state[sn.LC_JOB] = handle = FakeHandle(lc.build_curves, None)
    assert sn.live_handle(state) is None  # a handle without its job is not a run
    state[sn.LC_FOR] = object()
    assert sn.live_handle(state) is handle


def test_ng_jordan_setup_sets_its_settings_and_drops_the_clicked_points():
    state = page_state(**{sn.ADDED: [[0.0, 0.0, 0.0]]})
    sn.ng_jordan_setup(state)
    assert {k: state[k] for k in bd.NG_JORDAN} == bd.NG_JORDAN and state[sn.ADDED] == []


def test_a_models_own_setting_reruns_its_panel_the_table_and_the_curves_that_include_it():
    state = page_state(**{sn.SHOWN_PANELS: ["k-NN", "Logistic regression"]})
    assert sn.fragments_for("k-NN", state) == [bd.panel_fragment("k-NN"), bd.RESULTS_FRAGMENT]
    assert sn.fragments_for("Logistic regression", state) == [bd.panel_fragment("Logistic regression"),
                                                              bd.RESULTS_FRAGMENT, bd.CURVES_FRAGMENT]
    assert sn.fragments_for("QDA", state) is None  # no panel: the usual rerun


def _request(state: dict) -> bd.CurveJob:
    data = bd.lab_data(bd.data_settings(state), None, [])
    return bd.curve_job(state, data)


def test_a_curve_run_is_started_released_when_the_settings_change_and_cancelled_with_what_it_did():
    state = page_state()
    request = _request(state)
    made = []

    def trainer(key, factory, *args, lab):
        assert (factory, args, lab) == (lc.build_curves, (request.job,), "learning curves")
        made.append(FakeHandle(factory, *args))
        state[key] = made[-1]
        return made[-1]

    assert sn.still_running(state, request) is None
    sn.start_curves(state, request.job, trainer)
    assert made[0].started and state[sn.LC_FOR] is request.job
    assert sn.still_running(state, request) is request.job and not sn.run_over(made[0])
    made[0].snapshot = lc.CurvesProgress("fitting", 3, 10, None, cpu_s=1.5)
    sn.cancel_curves(state)
    assert made[0].closed and sn.LC_JOB not in state and sn.LC_FOR not in state
    note, snap = sn.cancelled_for(state, request)
    assert note == bd.cancelled_note(made[0].snapshot) and snap is made[0].snapshot
    sn.cancel_curves(state)  # a click seen twice: nothing more to do
    assert sn.cancelled_for(state, request) == (note, snap)
    other = _request(state | {bd.LC_EXTRA.key: 5})
    assert sn.cancelled_for(state, other) is None

    sn.start_curves(state, request.job, trainer)
    assert sn.LC_CANCELLED not in state
    assert sn.still_running(state, other) is None and made[1].closed  # other settings: that run is not wanted


def test_a_run_the_server_stopped_is_released_with_a_note():
    state = page_state()
    request = _request(state)
    handle = FakeHandle(lc.build_curves, request.job)
    sn.start_curves(state, request.job, lambda key, *_, **__: state.setdefault(key, handle))
    handle.running, handle.message = False, "The worker restarted."
    assert sn.run_over(handle)
    assert sn.still_running(state, request) is None and handle.closed
    assert sn.cancelled_for(state, request)[0] == bd.interrupted_note("The worker restarted.")


def test_the_curves_part_shows_a_kept_run_a_live_one_what_cancel_left_or_nothing():
    state = page_state(**{bd.LC_EXTRA.key: 7})
    request = _request(state)
    handle = FakeHandle(lc.build_curves, request.job)

    def trainer(key, factory, *args, lab):
        assert (factory, args, lab) == (lc.build_curves, (request.job,), "learning curves")
        return state.setdefault(key, handle)

    assert sn.curves_view(state, request, False, trainer) == (sn.NOTHING, None) and not handle.started
    assert sn.curves_view(state, request, True, trainer) == (sn.LIVE, handle)  # pressed: one starts
    assert handle.started and state[sn.LC_FOR] is request.job
    assert sn.curves_view(state, request, True, trainer) == (sn.LIVE, handle)  # pressed again: the same run
    assert sn.curves_view(state, request, False, trainer) == (sn.LIVE, handle)  # follow it
    handle.snapshot = lc.CurvesProgress("fitting", 1, 4, None)
    sn.cancel_curves(state)
    assert sn.curves_view(state, request, False, trainer) == (sn.CANCELLED, (bd.cancelled_note(handle.snapshot),
                                                                          handle.snapshot))
    finished = lc.CurvesProgress("done", 4, 4, None)
    sn.start_curves(state, request.job, lambda key, factory, *args, **_: state.setdefault(key, FakeHandle(factory, *args)))
    live = state[sn.LC_JOB]
    kept = lc.remember(request.job, finished)  # another session's run of the same settings finished
    assert sn.curves_view(state, request, True, trainer) == (sn.KEPT, kept)
    assert live.closed and sn.LC_JOB not in state


def test_the_data_notes_say_why_an_upload_was_refused_and_that_there_is_no_data_yet():
    state = page_state()
    data = bd.lab_data(bd.data_settings(state), None, [])
    assert sn.data_notes(state, data) == []
    state.update({sn.CSV_ERROR: "bad.csv: no label column.", bd.DATASET.key: ds.CUSTOM})
    empty = bd.lab_data(bd.data_settings(state), None, [])
    assert sn.data_notes(state, empty) == [
        ("error", "bad.csv: no label column."),
        ("info", "No data of your own yet: upload a CSV, or pick a class and click on the plot.")]
