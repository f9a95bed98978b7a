"""The decision-boundary page in AppTest: every dataset and model, every slider at its extremes, bad CSVs."""

from __future__ import annotations

import html
import json
import re
import time

import numpy as np
import pandas as pd
import pytest

from core.boundary import controls as bd
from core.boundary import curves as lc
from core.boundary import data as ds
from core.boundary import models as clf
from tests.app.conftest import assert_clean, open_page

PAGE = "pages/2_Decision_boundaries.py"
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
ALL = list(clf.MODEL_NAMES)


def table(at) -> pd.DataFrame:
    frames = [d for d in at.dataframe if list(d.value.columns) == list(clf.RESULT_COLUMNS)]
    assert len(frames) == 1
    return frames[0].value.set_index("model")


def charts(at) -> list[dict]:
    """The page's Vega-Lite specs (the data plot, then the learning curves when shown)."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def panels(at) -> list[dict]:
    """Each panel picture's data-* attributes: model (its name) and layers (what it shows, a list)."""
    bodies = [h.proto.body for h in at.get("html")]
    found = [{k: html.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', b)} for b in bodies
             if "data-model=" in b]
    return [{**p, "layers": json.loads(p["layers"])} for p in found]


def panel_lines(at) -> list[str]:
    """The caption lines under the panel pictures (scores, "Cannot sample: ..."), in page order."""
    return [html.unescape(t) for h in at.get("html") for t in re.findall(r"<div data-line[^>]*>([^<]*)</div>", h.proto.body)]


def panel_warnings(at) -> list[str]:
    return [w.value for w in at.warning]


LC_JOB = "boundary.lc.job"


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def curves_finished(at) -> bool:
    """The final learning curves are on the page: their chart and caption, no progress bar."""
    return (not at.get("progress") and len(charts(at)) == 2
            and any(c.value.startswith("Lowest mean test error") for c in at.caption))


def tick_until(at, condition, handle, timeout: float = 120.0):
    """Run the page (each run one tick of the live fragment) until ``condition(at)``, waiting between runs for the
    worker's next snapshot (``handle.wait``, which returns at once once the handle is released); fails after
    ``timeout`` seconds. AppTest does not fire the fragment's timer itself."""
    deadline = time.monotonic() + timeout
    while not condition(at):
        assert not at.exception, [e.value for e in at.exception]
        assert time.monotonic() < deadline, f"not within {timeout} s: {progress_texts(at)}"
        handle.wait(min(2.0, max(0.05, deadline - time.monotonic())))
        at.run()
    return at


def compute_curves(at):
    """Press *Compute learning curves* and run the page until the curves are done."""
    at.button(key="boundary.lc_run").click().run()
    handle = at.session_state[LC_JOB] if LC_JOB in at.session_state else None
    if handle is None:  # done within the click's own run
        return at
    return tick_until(at, lambda a: curves_finished(a) or bool(a.error), handle)


def test_default_page_shows_six_panels_and_the_results_table():
    at = open_page(PAGE)
    assert_clean(at)
    t = table(at)
    assert list(t.index) == list(clf.DEFAULT_MODELS)
    assert len(charts(at)) == 1  # the data plot
    assert [p["model"] for p in panels(at)] == list(clf.DEFAULT_MODELS)  # one picture per model
    assert t.notna().all().all() and ((t[["train accuracy", "test accuracy"]] > 0.8).all().all())
    assert not at.error and not panel_warnings(at)


@pytest.mark.parametrize("dataset", ds.BUILTIN)
def test_every_dataset_with_all_twelve_models(dataset):
    at = open_page(PAGE, {"boundary.dataset": dataset, "boundary.models": ALL})
    assert_clean(at)
    t = table(at)
    assert list(t.index) == ALL
    assert not panel_warnings(at), panel_warnings(at)
    assert t.notna().all().all()
    assert ((t["test accuracy"] >= 0) & (t["test accuracy"] <= 1)).all()
    assert len(charts(at)) == 1 and [p["model"] for p in panels(at)] == ALL


def _slider_kinds(at):
    return {s.key: (at.slider, s.min, s.max) for s in at.slider} | {
        s.key: (at.select_slider, s.options[0], s.options[-1]) for s in at.select_slider}


def _set(kind, key, value, like):
    kind(key=key).set_value(value if isinstance(like, str) else type(like)(value))


def test_every_slider_at_its_extremes():
    """One slider at a time to its minimum and maximum (the others at their defaults), one model per pass."""
    at = open_page(PAGE, {"boundary.models": ["Gaussian naive Bayes"], "boundary.sample": "true",
                          "boundary.use_prior": "true"})
    seen = set()
    for model in [None, *dict.fromkeys(h.model for h in clf.HYPERS)]:
        if model:
            at.multiselect(key="boundary.models").set_value([model]).run()
        kinds = _slider_kinds(at)
        keys = [c.key for c in bd.hyper_controls([model])] if model else [k for k in kinds if k not in
                                                                             {h.key for h in clf.HYPERS}]
        for key in keys:
            kind, lo, hi = kinds[key]
            default = kind(key=key).value
            for value in (lo, hi):
                _set(kind, key, value, default)
                at.run()
                assert_clean(at)
                assert table(at).shape[0] == 1, (key, value)
            _set(kind, key, default, default)
            at.run()
            seen.add(key)
    assert seen == {c.key for c in bd.CONTROLS if c.lo is not None or c.options and c.key not in (
        bd.DATASET.key, bd.MODELS.key, bd.LC_MODELS.key)} - {bd.SEED.key}
    for value in (0, 9999):
        at.number_input(key=bd.SEED.key).set_value(value).run()
        assert_clean(at)


@pytest.mark.parametrize("end", ["min", "max"])
def test_all_sliders_at_once_at_an_end_with_all_models(end):
    at = open_page(PAGE, {"boundary.models": ALL, "boundary.sample": "true", "boundary.use_prior": "true"})
    for key, (kind, lo, hi) in _slider_kinds(at).items():
        _set(kind, key, lo if end == "min" else hi, kind(key=key).value)
    at.run()
    assert_clean(at)
    assert list(table(at).index) == ALL


def test_noise_changes_every_panel():
    at = open_page(PAGE)
    before = table(at)
    at.slider(key="boundary.noise").set_value(0.5).run()
    assert_clean(at)
    after = table(at)
    assert (after["test log-loss"] != before["test log-loss"]).all()


def test_a_hyperparameter_refits_only_its_own_model():
    at = open_page(PAGE)
    before = table(at)
    at.slider(key="boundary.nn_width").set_value(4).run()
    assert_clean(at)
    # only the net's panel and the results table ran again (the rest of the page stays as it was)
    assert [p["model"] for p in panels(at)] == ["Neural net"] and not at.slider and not at.get("vega_lite_chart")
    after = table(at)
    assert after.loc["Neural net", "test log-loss"] != before.loc["Neural net", "test log-loss"]
    assert panel_lines(at) == [bd.score_line(clf.Scores(*after.loc["Neural net"].iloc[:3]))]
    others = [m for m in clf.DEFAULT_MODELS if m != "Neural net"]
    # identical rows, fit times included: the other five came from the cache
    pd.testing.assert_frame_equal(after.loc[others], before.loc[others])
    assert at.query_params["boundary.nn_width"] == "4"  # the share link follows
    at.run()  # a later full run shows the same fit
    assert [p["model"] for p in panels(at)] == list(clf.DEFAULT_MODELS)
    pd.testing.assert_frame_equal(table(at), after)


def test_a_hyperparameter_of_a_learning_curve_model_reruns_the_curves_too():
    at = open_page(PAGE, {"boundary.seed": "7"})  # curves no other test computes (they are cached for everyone)
    compute_curves(at)
    assert_clean(at)
    assert len(charts(at)) == 2  # the data plot and the curves
    at.slider(key="boundary.lr_degree").set_value(2).run()  # logistic regression is on the curves
    assert_clean(at)
    assert [p["model"] for p in panels(at)] == ["Logistic regression"]
    assert not charts(at)  # the old curves are gone (they were for degree 1) ...
    assert at.button(key="boundary.lc_run")  # ... and the button to compute them again is there


def test_a_hyperparameter_with_no_panel_on_the_page_reruns_the_models_part():
    at = open_page(PAGE, {"boundary.dataset": ds.CUSTOM})  # no data: no panels
    at.slider(key="boundary.nn_width").set_value(4).run()
    assert_clean(at)
    assert at.slider(key="boundary.nn_width").value == 4  # the whole models' part ran, its sliders included
    assert any("No data of your own yet" in i.value for i in at.info)
    # A panel remembered as shown but whose fragment is not on the page: Streamlit refuses the keyed rerun,
    # and the callback lets the usual rerun happen instead of showing the error.
    at.session_state["boundary.shown_panels"] = ["Neural net"]
    at.slider(key="boundary.nn_width").set_value(5).run()
    assert_clean(at)
    assert at.slider(key="boundary.nn_width").value == 5


def test_shifting_the_prior_moves_generative_panels_only():
    at = open_page(PAGE)
    before = table(at)
    at.toggle(key="boundary.use_prior").set_value(True).run()
    at.slider(key="boundary.prior").set_value(0.95).run()
    assert_clean(at)
    after = table(at)
    gen = [m for m in clf.DEFAULT_MODELS if m in clf.GENERATIVE]
    dis = [m for m in clf.DEFAULT_MODELS if m not in clf.GENERATIVE]
    assert (after.loc[gen, "test log-loss"] != before.loc[gen, "test log-loss"]).all()
    pd.testing.assert_frame_equal(after.loc[dis], before.loc[dis])
    assert (after.loc[gen, "fit time (s)"] == before.loc[gen, "fit time (s)"]).all()  # no refit
    assert any("0.95" in latex.value for latex in at.latex)


def test_sampling_draws_stars_for_generative_models_and_explains_the_others():
    at = open_page(PAGE, {"boundary.sample": "true", "boundary.n_draw": "50"})
    assert_clean(at)
    sampled = [sum(name.startswith("sampled") for name in p["layers"]) for p in panels(at)]
    assert sampled == [2 if m in clf.GENERATIVE else 0 for m in clf.DEFAULT_MODELS]
    notes = [line for line in panel_lines(at) if line.startswith("Cannot sample")]
    assert len(notes) == sum(m not in clf.GENERATIVE for m in clf.DEFAULT_MODELS)


BAD_CSVS = [
    ("empty.csv", b"", "The file is empty."),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not text: upload a comma-separated .csv file (UTF-8)."),
    ("one.csv", b"x1,x2,label\n1,2,0\n3,4,0\n", "The label column 'label' has only one class ('0'): a classifier needs at least two."),
    ("nan.csv", b"x1,x2,label\n1,NaN,0\n3,4,0\n5,6,1\n7,8,1\n", "Column 'x2' has missing (NaN or blank) cells in line(s) 2."),
    ("text.csv", b"x1,x2,label\n1,2,0\nabc,4,0\n5,6,1\n7,8,1\n", "Column 'x1' has non-numeric cells in line(s) 3 (for example 'abc')."),
    ("cols.csv", b"a,b\n1,2\n", "Expected 3 columns (two numeric features and a label), found 2: 'a', 'b'."),
    ("big.csv", b"x1,x2,label\n" + b"1.00000000000,2.00000000000,0\n" * 200_000, "The file is 5.7 MB; the limit is 5 MB."),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_CSVS, ids=[b[0] for b in BAD_CSVS])
def test_bad_csv_says_what_is_wrong_and_keeps_the_data(name, content, message):
    at = open_page(PAGE)
    before = table(at)
    at.file_uploader(key="boundary.csv").set_value((name, content, "text/csv")).run()
    assert_clean(at)
    assert [e.value for e in at.error] == [f"{name}: {message} The previous data is kept."]
    assert at.selectbox(key="boundary.dataset").value == "moons"
    pd.testing.assert_frame_equal(table(at), before)


def test_good_csv_with_three_labels_becomes_the_data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.4, (30, 2)) for c in ((0, 0), (2, 0), (1, 2))])
    body = "".join(f"{a:.4f},{b:.4f},{lab}\n" for (a, b), lab in zip(X, ["cat"] * 30 + ["dog"] * 30 + ["eel"] * 30,
                                                                     strict=True))
    at = open_page(PAGE)
    at.file_uploader(key="boundary.csv").set_value(("pets.csv", ("u,v,label\n" + body).encode(), "text/csv")).run()
    assert_clean(at)
    assert not at.error
    assert at.selectbox(key="boundary.dataset").value == ds.CUSTOM
    assert any(c.value.startswith("63 training points") for c in at.caption)
    assert table(at).notna().all().all()
    assert at.toggle(key="boundary.use_prior").disabled  # the prior slider is for two classes
    assert at.radio(key="boundary.click_class").options == ["cat", "dog", "eel"]  # clicks name the classes
    assert panels(at)[0]["layers"][:2] == ["argmax P(y|x)", "boundary"]  # class colours


def test_a_large_csv_is_fitted_on_a_bounded_subsample_and_says_so():
    X, y = ds.generate("moons", 3000, noise=0.25, balance=0.5, correlation=0.0, rng=np.random.default_rng(1))
    body = "".join(f"{a:.4f},{b:.4f},{lab}\n" for (a, b), lab in zip(X, y, strict=True))
    at = open_page(PAGE)
    at.file_uploader(key="boundary.csv").set_value(("big.csv", ("x1,x2,label\n" + body).encode(), "text/csv")).run()
    assert_clean(at)
    assert any(c.value.startswith(f"Every model here is fitted on a random {bd.MAX_FIT_POINTS:,} of your 2,100 "
                                  f"training points and scored on a random {bd.MAX_SCORE_POINTS:,} of your 900 test")
               for c in at.caption)
    assert table(at).notna().all().all()


def test_own_data_without_points_asks_for_some():
    at = open_page(PAGE, {"boundary.dataset": ds.CUSTOM})
    assert_clean(at)
    assert any("No data of your own yet" in i.value for i in at.info)
    assert not [d for d in at.dataframe if list(d.value.columns) == list(clf.RESULT_COLUMNS)]


def test_no_models_selected_asks_for_some():
    at = open_page(PAGE)
    at.multiselect(key="boundary.models").set_value([]).run()
    assert_clean(at)
    assert any("Pick one or more models" in i.value for i in at.info)
    assert len(charts(at)) == 1 and not panels(at)


def test_clicked_points_join_the_training_set():
    at = open_page(PAGE, {"boundary.dataset": ds.CUSTOM})
    at.session_state["boundary.added"] = [[0.0, 0.0, 0], [0.2, 0.1, 0], [0.1, 0.3, 0],
                                          [2.0, 2.0, 1], [2.2, 1.9, 1], [1.8, 2.1, 1]]
    at.run()
    assert_clean(at)
    assert any(c.value.startswith("6 training points ● (incl. 6 clicked)") for c in at.caption)
    t = table(at)
    assert t["test accuracy"].isna().all()  # clicked points only train: no test set
    assert (t.loc[["Gaussian naive Bayes", "Logistic regression"], "train accuracy"] == 1.0).all()
    assert "QDA needs more training points" not in " ".join(panel_warnings(at))


def test_a_model_that_cannot_fit_explains_itself_in_its_panel():
    at = open_page(PAGE, {"boundary.n_samples": "20", "boundary.gmm_components": "8"})
    assert_clean(at)
    assert any(w.startswith("Gaussian mixture: class 0 has 7 training point(s) but 8 components") for w in panel_warnings(at))
    t = table(at)
    assert np.isnan(t.loc["Gaussian mixture", "test accuracy"])
    assert t.drop(index="Gaussian mixture").notna().all().all()
    assert [p["model"] for p in panels(at)] == [m for m in clf.DEFAULT_MODELS if m != "Gaussian mixture"]


def test_learning_curves_after_the_button_and_from_the_cache():
    at = open_page(PAGE)
    n = len(charts(at))
    compute_curves(at)
    assert_clean(at)
    assert len(charts(at)) == n + 1
    curves = charts(at)[-1]
    assert curves["layer"][1]["encoding"]["color"]["scale"]["domain"] == list(bd.LC_DEFAULT_MODELS)
    assert LC_JOB not in at.session_state  # finished: the trainer is released
    at.run()  # no click: the cached curves stay on the page
    assert len(charts(at)) == n + 1
    again = open_page(PAGE)  # another session with the same settings: the curves at once, from the server's cache
    assert curves_finished(again) and charts(again)[-1] == curves and LC_JOB not in again.session_state


def test_compute_shows_progress_then_the_curves():
    models = ["Gaussian naive Bayes", "Logistic regression", "Decision tree", "k-NN"]
    at = open_page(PAGE, {"boundary.seed": "11", "boundary.lc_models": models})
    assert not at.get("progress") and len(charts(at)) == 1
    at.button(key="boundary.lc_run").click().run()
    assert_clean(at)
    seen = progress_texts(at)
    assert len(seen) == 1 and re.fullmatch(r"Starting on the server's training workers…|Estimating the cost: \d+ of "
                                            r"8 trial fits|\d+ of 800 fits", seen[0]), seen
    assert at.button(key="boundary.lc_cancel")
    handle = at.session_state[LC_JOB]
    tick_until(at, lambda a: curves_finished(a) or bool(a.error), handle)
    assert_clean(at)
    assert not at.warning and not at.error  # within the budget: nothing cut, nothing stopped
    assert handle.released and LC_JOB not in at.session_state
    assert charts(at)[-1]["layer"][1]["encoding"]["color"]["scale"]["domain"] == models


def test_cancel_releases_the_job_and_says_what_was_done():
    at = open_page(PAGE, {"boundary.seed": "12", "boundary.lc_models": ALL, "boundary.lc_extra": "30"})
    at.button(key="boundary.lc_run").click().run()
    handle = at.session_state[LC_JOB]
    fitting = r"(\d+) of (\d+) fits"
    tick_until(at, lambda a: any(re.fullmatch(fitting, t) and int(re.fullmatch(fitting, t)[1]) > 0
                                 for t in progress_texts(a)), handle)
    assert_clean(at)
    at.button(key="boundary.lc_cancel").click().run()
    assert_clean(at)
    notes = [i.value for i in at.info if i.value.startswith("Cancelled")]
    assert len(notes) == 1 and re.match(r"Cancelled after \d+ of \d+ fits \(\d+\.\d s of the server's CPU\)",
                                        notes[0]), notes
    assert handle.released and LC_JOB not in at.session_state and not at.get("progress")
    assert "boundary.lc_cancel" not in [b.key for b in at.button]
    assert len(charts(at)) == 2  # the partial curves, what was done
    at.run()
    assert [i.value for i in at.info if i.value.startswith("Cancelled")] == notes


def test_over_the_budget_the_page_says_what_was_cut(monkeypatch):
    monkeypatch.setattr(lc, "BUDGET_S", 0.05)  # any run is over this budget
    at = open_page(PAGE, {"boundary.lc_models": ["Random forest", "Gaussian naive Bayes"]})
    compute_curves(at)
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert any("more than the 0.05 s one click may use" in w and "5 random training sets per size instead of 20" in w
               for w in warnings), warnings
    assert any(w.startswith("Stopped at the budget after") for w in warnings), warnings


def test_learning_curves_on_an_uploaded_csv_run_on_the_pool():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(c, 0.5, (100, 2)) for c in ((0, 0), (2, 0), (1, 2))])
    body = "".join(f"{a:.4f},{b:.4f},{lab}\n" for (a, b), lab in zip(X, ["cat"] * 100 + ["dog"] * 100 + ["eel"] * 100,
                                                                     strict=True))
    at = open_page(PAGE, {"boundary.seed": "13"})
    at.file_uploader(key="boundary.csv").set_value(("pets.csv", ("u,v,label\n" + body).encode(), "text/csv")).run()
    compute_curves(at)  # your points travel to the worker as arrays
    assert_clean(at)
    assert curves_finished(at) and not at.error and not at.warning
    assert charts(at)[-1]["layer"][1]["encoding"]["color"]["scale"]["domain"] == list(bd.LC_DEFAULT_MODELS)


def test_ng_jordan_setup_sets_the_data_and_the_extra_features():
    # AppTest reruns the whole script, fragment or not; that the button reruns the whole page from inside
    # the fragment is checked in the browser (tests/e2e/test_boundary_e2e.py).
    at = open_page(PAGE)
    at.button(key="boundary.lc_preset").click().run()
    assert_clean(at)
    assert at.selectbox(key="boundary.dataset").value == ds.BLOBS
    assert at.slider(key="boundary.correlation").value == pytest.approx(0.6)
    assert at.slider(key="boundary.lc_extra").value == 30


def test_url_sets_the_widgets_and_hyperparameters_show_for_selected_models_only():
    at = open_page(PAGE, {"boundary.dataset": "circles", "boundary.models": ["QDA", "k-NN"], "boundary.knn_k": "3",
                          "boundary.rbf_C": "10"})
    assert_clean(at)
    assert at.selectbox(key="boundary.dataset").value == "circles"
    assert at.slider(key="boundary.knn_k").value == 3
    keys = {s.key for s in at.slider} | {s.key for s in at.select_slider}
    assert "boundary.rbf_C" not in keys and "boundary.nn_width" not in keys
    assert list(table(at).index) == ["QDA", "k-NN"]
    at.slider(key="boundary.knn_k").set_value(5).run()
    assert at.query_params["boundary.knn_k"] == "5"  # the share link follows the widget
