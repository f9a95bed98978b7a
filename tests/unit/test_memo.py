"""core.memo: the shared LRU and the one fingerprint that every cache key is made with."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core.boundary import curves as lc
from core.boundary import data as ds
from core.boundary import panels
from core.loss import descent, figures
from core.memo import Memo, fingerprint, map_uncached
from core.nexttoken.corpus import CorpusSettings, corpus_text

ARRAYS = hnp.arrays(hnp.floating_dtypes(sizes=(32, 64)) | hnp.integer_dtypes(sizes=(8, 64)),
                    hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))


# --------------------------------------------------------------------------------------------------
# fingerprint
# --------------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(ARRAYS)
def test_equal_arrays_give_equal_keys_whatever_their_memory_layout(a):
    key = fingerprint(a)
    assert fingerprint(a.copy()) == key
    assert fingerprint(np.asfortranarray(a)) == key
    assert fingerprint(np.ascontiguousarray(a[::-1][::-1])) == key
    assert len(key) == 24 and int(key, 16) >= 0


@settings(max_examples=60, deadline=None)
@given(ARRAYS, st.data())
def test_a_change_of_one_value_shape_or_dtype_changes_the_key(a, data):
    key = fingerprint(a)
    changed = a.copy().ravel()
    i = data.draw(st.integers(0, changed.size - 1))
    changed[i] = 0 if changed[i] != 0 else 1  # NaN != 0 too
    assert fingerprint(changed.reshape(a.shape)) != key
    assert fingerprint(a.reshape(-1, 1) if a.ndim == 1 else a.ravel()) != key  # the same bytes, another shape
    if a.dtype != np.float64:
        with np.errstate(invalid="ignore"):
            assert fingerprint(a.astype(np.float64)) != key  # the same numbers, another dtype


def test_the_parts_are_framed():
    x = np.arange(6.0)
    assert fingerprint(x[:2], x[2:]) != fingerprint(x[:3], x[3:])  # the same bytes split elsewhere
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert fingerprint(("a", "b")) != fingerprint("a", "b") != fingerprint("ab")
    assert fingerprint(None) != fingerprint("None") != fingerprint()
    assert fingerprint(1) != fingerprint(1.0) != fingerprint("1")
    assert fingerprint(np.float64(0.5)) == fingerprint(0.5) and fingerprint(np.int64(3)) == fingerprint(3)
    assert fingerprint(x.astype(np.float32)) != fingerprint(x)
    assert fingerprint(np.zeros((2, 3))) != fingerprint(np.zeros((3, 2)))


def test_settings_beside_arrays_count():
    s = CorpusSettings()
    assert fingerprint(np.ones(3), s) == fingerprint(np.ones(3), CorpusSettings())
    assert fingerprint(np.ones(3), s) != fingerprint(np.ones(3), replace(s, seed=s.seed + 1))


# --------------------------------------------------------------------------------------------------
# The cache keys made with it: equal when the data is, different when it changes
# --------------------------------------------------------------------------------------------------
def test_a_dataset_key_follows_its_arrays_and_class_names():
    d = ds.make_dataset(ds.DataSettings())
    assert d.fingerprint() == ds.make_dataset(ds.DataSettings()).fingerprint()
    assert d.fingerprint() == replace(d, X_train=d.X_train.copy(order="F")).fingerprint()
    assert d.fingerprint() != ds.make_dataset(ds.DataSettings(seed=1)).fingerprint()
    moved = d.X_test.copy()
    moved[0, 0] += 1e-9
    assert d.fingerprint() != replace(d, X_test=moved).fingerprint()
    assert d.fingerprint() != replace(d, class_names=tuple(reversed(d.class_names))).fingerprint()
    # the same points, one moved from train to test: a different split is a different key
    X, y = np.vstack([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test])
    n = len(d.X_train)
    resplit = replace(d, X_train=X[: n - 1], y_train=y[: n - 1], X_test=X[n - 1:], y_test=y[n - 1:])
    assert resplit.fingerprint() != d.fingerprint()


def test_a_corpus_key_follows_its_text():
    text = corpus_text()
    assert text.fingerprint == corpus_text().fingerprint
    assert text.fingerprint != corpus_text(CorpusSettings(seed=1)).fingerprint
    ids = text.ids.copy()
    ids[0] = (ids[0] + 1) % len(text.vocab)
    assert replace(text, ids=ids).fingerprint != text.fingerprint
    assert replace(text, vocab=(*text.vocab[1:], text.vocab[0])).fingerprint != text.fingerprint


def test_learning_curves_on_own_data_are_keyed_by_pool_and_test_set():
    X, y = np.arange(40.0).reshape(20, 2), np.array([0, 1] * 10)
    job = lc.CurvesJob(("Gaussian naive Bayes",), pool=(X, y), test=(X, y))
    assert lc.CurvesJob(job.models, pool=(X.copy(), y.copy()), test=(X.copy(), y.copy())).key() == job.key()
    assert lc.CurvesJob(job.models, pool=(X, y), test=None).key() != job.key()
    split = lc.CurvesJob(job.models, pool=(X[:10], y[:10]), test=(X[10:], y[10:]))
    assert split.key() != lc.CurvesJob(job.models, pool=(X[:11], y[:11]), test=(X[11:], y[11:])).key()
    flipped = y.copy()
    flipped[3] = 1 - flipped[3]
    assert lc.CurvesJob(job.models, pool=(X, flipped), test=(X, y)).key() != job.key()


def test_a_panel_picture_key_follows_the_drawn_samples():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 2, 8)
    key = panels._picture_key(True, (X, y))
    assert panels._picture_key(True, (X.copy(), y.copy())) == key
    assert panels._picture_key(True, None) != key
    assert panels._picture_key(True, (X, 1 - y)) != key
    assert panels._picture_key(True, (X[:4], y[:4])) != key
    assert panels._picture_key(False, (X, y)) != key


def test_the_loss_surface_figure_is_reused_for_equal_inputs_and_remade_when_they_change():
    data = descent.make_data("Overlapping")
    surface = descent.surface_grid(data.x, data.y, n=12)
    path = descent.descend(data.x, data.y, descent.DescentSettings(steps=5))
    fig = figures.surface_figure(surface, path, 3)
    again = descent.Surface(surface.ws.copy(), surface.bs.copy(), surface.Z.copy())
    assert figures.surface_figure(again, path, 3) is fig
    assert figures.surface_figure(surface, path, 4) is not fig  # one more step walked
    other = descent.surface_grid(data.x, data.y, l2=0.1, n=12)
    assert figures.surface_figure(other, path, 3) is not fig
    assert figures.surface_figure(surface, None, 3) is not fig


# --------------------------------------------------------------------------------------------------
# Memo and map_uncached
# --------------------------------------------------------------------------------------------------
def test_memo_keeps_the_most_recently_used_and_respects_owners():
    memo, made = Memo(2), []

    def make(v):
        return lambda: made.append(v) or v

    assert memo("a", make(1)) == 1 and memo("a", make(2)) == 1 and made == [1]
    memo("b", make(3))
    memo("a", make(4))  # a is used again: b is now the oldest
    memo("c", make(5))
    assert "a" in memo and "c" in memo and "b" not in memo

    class Owner:
        pass

    first, second = Owner(), Owner()
    owned = Memo(4)
    assert owned("k", lambda: "first", owner=first) == "first"
    assert owned("k", lambda: "second", owner=second) == "second"  # the same key, another owner
    assert owned("k", make(6), owner=first) == "first" and 6 not in made
    assert owned.has("k", owner=first) and not owned.has("k") and "k" not in owned


def test_map_uncached_reads_cached_items_and_makes_the_rest():
    memo = Memo(10)
    memo(1, lambda: "one")
    with ThreadPoolExecutor(2) as pool:
        out = map_uncached(pool, [1, 2, 3], lambda x: memo(x, lambda: str(x)), lambda x: x in memo)
    assert out == ["one", "2", "3"]


@pytest.mark.parametrize("bad", [np.array([np.nan, 1.0]), np.array([np.inf, -np.inf])])
def test_non_finite_arrays_have_a_stable_key(bad):
    assert fingerprint(bad) == fingerprint(bad.copy())
    assert fingerprint(bad) != fingerprint(np.nan_to_num(bad))
