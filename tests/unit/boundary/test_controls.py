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
