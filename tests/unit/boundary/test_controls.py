"""The decision-boundary page's glue: large data fitted on a bounded, seeded subsample; the texts a learning-curve
run shows (progress, Cancel, a run the server stopped)."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from core.boundary import controls as bd
from core.boundary import curves as lc
from core.boundary import data as ds


def _own_data(n: int, rare: int = 0) -> ds.Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n + rare, 2))
    y = np.concatenate([rng.integers(0, 2, n), np.full(rare, 2)])
    return ds.Dataset(X, y, X[:10], y[:10], ("0", "1", "2"))


def test_small_data_is_fitted_whole():
    data = _own_data(300)
    X, y, X_te, y_te, key = bd.panel_points(data, 0)
    assert X is data.X_train and y is data.y_train and X_te is data.X_test and key == data.fingerprint()
    assert bd.panel_points_note(data) is None


def test_large_data_is_fitted_and_scored_on_seeded_subsamples_with_every_class():
    data = _own_data(14_000, rare=1)  # one point of class 2: it must stay
    data = ds.Dataset(data.X_train, data.y_train, data.X_train[:5000], data.y_train[:5000], data.class_names)
    X, y, X_te, y_te, key = bd.panel_points(data, 3)
    assert len(y) == bd.MAX_FIT_POINTS and set(y) == {0, 1, 2}
    assert len(y_te) == bd.MAX_SCORE_POINTS and set(map(tuple, X_te)) <= set(map(tuple, data.X_test))
    assert set(map(tuple, X)) <= set(map(tuple, data.X_train))
    X2, _, _, _, key2 = bd.panel_points(data, 3)
    assert_array_equal(X, X2) and key == key2  # same seed, same subsample, same cache key
    assert bd.panel_points(data, 4)[4] != key and key != data.fingerprint()
    assert bd.panel_points_note(data) == (
        "Every model here is fitted on a random 1,400 of your 14,001 training points and scored on a random 600 of "
        "your 5,000 test points (as many as the built-in data has at most), so that one change does not hold the "
        "server for the whole class. For more, run scikit-learn on your own machine.")


def test_progress_and_cancel_texts():
    assert bd.curves_progress(None) == (0.0, "Starting on the server's training workers…")
    estimating = lc.CurvesProgress("estimating", 3, 24, None)
    assert bd.curves_progress(estimating) == (0.0, "Estimating the cost: 3 of 24 trial fits")
    fitting = lc.CurvesProgress("fitting", 37, 240, None, cpu_s=12.34)
    assert bd.curves_progress(fitting) == (37 / 240, "37 of 240 fits")
    assert bd.cancelled_note(fitting).startswith("Cancelled after 37 of 240 fits (12.3 s of the server's CPU)")
    assert bd.cancelled_note(estimating).startswith("Cancelled before any fit of the run was done.")


def test_a_run_the_server_stopped_says_why_without_buttons_this_page_lacks():
    note = bd.interrupted_note("The training worker this model ran on stopped, so the model was rebuilt. "
                               "Press ▶ Train to go on.")
    assert note == ("The learning curves stopped before the end. The training worker this model ran on stopped, so "
                    "the model was rebuilt. Press *Compute learning curves* to start again.")
    assert bd.interrupted_note("ValueError: bad").startswith("The learning curves stopped before the end. "
                                                             "ValueError: bad. Press")


def test_the_learning_curve_notes_warn_before_the_chart_and_name_leaders_only_after_a_finished_run():
    sizes = np.array([8, 600])
    result = lc.CurveResult(sizes, {"A": np.array([[0.1, 0.3], [0.4, np.nan]]), "B": np.array([[0.5, 0.5], [0.2, 0.2]])})
    running = lc.CurvesProgress("fitting", 3, 8, result, note="The worker was busy.")
    assert bd.curves_notes(running) == ([("warning", "The worker was busy.")], [])  # no leaders mid-run
    done = lc.CurvesProgress("done", 8, 8, result)
    before, after = bd.curves_notes(done)
    assert before == []
    assert after[0] == ("caption", "Lowest mean test error: m = 8: A (0.200); m = 600: B (0.200).")
    assert [k for k, _ in after] == ["caption", "caption"] and after[1][1].startswith("A: 1 of 4 fits")
    assert bd.curves_notes(lc.CurvesProgress("estimating", 0, 3, None)) == ([], [])


def test_a_curve_request_says_its_problem_or_its_note():
    job = lc.CurvesJob(("Logistic regression",))
    assert bd.CurveJob(job).notes() == []
    assert bd.CurveJob(job, problem="Pick a model.", note="ignored").notes() == [("info", "Pick a model.")]
    assert bd.CurveJob(job, note="Sizes capped at 600.").notes() == [("caption", "Sizes capped at 600.")]


def test_the_generative_extras_grey_out_what_cannot_apply():
    from tests.unit.page_state import defaults

    state = defaults(bd.CONTROLS)
    assert [c for column in bd.EXTRAS for c in column if bd.extra_disabled(c, state, 2)] == [bd.N_DRAW, bd.PRIOR]
    on = state | {bd.SAMPLE.key: True, bd.USE_PRIOR.key: True}
    assert [c for column in bd.EXTRAS for c in column if bd.extra_disabled(c, on, 2)] == []
    assert [c for column in bd.EXTRAS for c in column if bd.extra_disabled(c, on, 3)] == [bd.USE_PRIOR, bd.PRIOR]


def test_a_panel_card_is_its_picture_and_scores_or_only_its_name_when_the_fit_failed():
    from core.boundary import models as clf
    from tests.unit.page_state import defaults

    state = defaults(bd.CONTROLS) | {bd.MODELS.key: ["Gaussian naive Bayes", "LDA"]}
    data = bd.lab_data(bd.data_settings(state), None, [])
    grid = clf.Grid(*ds.bounds(data.X_all))
    panels = bd.panels(state, data, grid, None)
    assert bd.panels_notes(state, panels) == []
    failed = clf.Panel(**{**panels[1].__dict__, "error": "LDA cannot be fitted here."})
    good, bad = bd.panel_cards([panels[0], failed], data, grid, state)
    assert "<img" in good and "generative" in good and bd.score_line(panels[0].scores) in good
    assert "<img" not in bad and "LDA" in bad
    assert bd.panels_notes(state | {bd.MODELS.key: []}, []) == [("info", "Pick one or more models above: each gets a panel.")]
    assert bd.panels_notes(state, [])[0][0] == "warning"
