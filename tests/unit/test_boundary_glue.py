"""The decision-boundary page's glue: large data fitted on a bounded, seeded subsample; the texts a learning-curve
run shows (progress, Cancel, a run the server stopped)."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from core import boundary as bd
from core import datasets as ds
from core import learning_curves as lc


def _own_data(n: int, rare: int = 0) -> ds.Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n + rare, 2))
    y = np.concatenate([rng.integers(0, 2, n), np.full(rare, 2)])
    return ds.Dataset(X, y, X[:10], y[:10], ("0", "1", "2"))


def test_small_data_is_fitted_whole():
    data = _own_data(300)
    X, y, key = bd.fit_points(data, 0)
    assert X is data.X_train and y is data.y_train and key == data.fingerprint()
    assert bd.fit_points_note(data) is None


def test_large_data_is_fitted_on_a_seeded_subsample_with_every_class():
    data = _own_data(14_000, rare=1)  # one point of class 2: it must stay
    X, y, key = bd.fit_points(data, 3)
    assert len(y) == bd.MAX_FIT_POINTS and set(y) == {0, 1, 2}
    assert set(map(tuple, X)) <= set(map(tuple, data.X_train))
    X2, y2, key2 = bd.fit_points(data, 3)
    assert_array_equal(X, X2) and key == key2  # same seed, same subsample, same cache key
    assert bd.fit_points(data, 4)[2] != key and key != data.fingerprint()
    note = bd.fit_points_note(data)
    assert "14,001 training points" in note and f"a random {bd.MAX_FIT_POINTS:,} of them" in note


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
