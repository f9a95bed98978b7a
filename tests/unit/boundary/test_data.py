"""Built-in datasets, the train/test split, CSV parsing with its exact messages, and clicked points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from core.boundary import data as ds


@pytest.mark.parametrize("name", ds.BUILTIN)
def test_builtin_shapes_labels_and_seed(name):
    s = ds.DataSettings(dataset=name, n_samples=200, seed=3)
    a, b = ds.make_dataset(s), ds.make_dataset(s)
    assert_array_equal(a.X_train, b.X_train)  # same seed, same data
    assert_array_equal(a.y_test, b.y_test)
    c = ds.make_dataset(ds.DataSettings(dataset=name, n_samples=200, seed=4))
    assert not np.array_equal(a.X_train, c.X_train)
    assert len(a.y_train) + len(a.y_test) == 200
    assert a.X_train.shape[1] == 2 and np.isfinite(a.X_all).all()
    K = 3 if name == ds.THREE_BLOBS else 2
    assert a.n_classes == K
    assert set(np.unique(a.y_train)) == set(range(K)) == set(np.unique(a.y_test))


def test_class_balance_and_test_share():
    d = ds.make_dataset(ds.DataSettings(dataset="moons", n_samples=400, balance=0.2, test_fraction=0.25))
    assert np.mean(d.y_all == 1) == pytest.approx(0.2)
    assert len(d.y_test) == 100
    # stratified: the test set has the same class shares
    assert np.mean(d.y_test == 1) == pytest.approx(0.2, abs=0.011)


def test_class_counts_keep_every_class():
    assert ds.class_counts(20, 0.9).tolist() == [2, 18]
    assert ds.class_counts(3, 0.1).tolist() == [2, 1]  # never zero points in a class
    assert ds.class_counts(10, 0.5, 3).tolist() == [4, 3, 3]


def test_blob_spread_and_correlation_match_their_settings():
    rng = np.random.default_rng(0)
    X, y = ds.generate(ds.BLOBS, 40_000, noise=0.3, balance=0.5, correlation=0.8, rng=rng)
    for k in (0, 1):
        Xk = X[y == k]
        # 20,000 draws: sd of a correlation estimate ≈ (1-ρ²)/√n ≈ 0.003, of a std ≈ 0.8/√(2n) ≈ 0.004
        assert np.corrcoef(Xk.T)[0, 1] == pytest.approx(0.8, abs=0.015)
        assert_allclose(Xk.std(axis=0), 0.8, atol=0.02)
        assert_allclose(Xk.mean(axis=0), ds.BLOB_MEANS[k], atol=0.03)


def test_noise_zero_puts_circles_on_their_radii():
    X, y = ds.generate("circles", 100, noise=0.0, balance=0.5, correlation=0.0, rng=np.random.default_rng(1))
    r = np.hypot(X[:, 0], X[:, 1])
    assert_allclose(r[y == 0], 1.0)
    assert_allclose(r[y == 1], 0.4)


def test_xor_labels_follow_the_quadrants_without_noise():
    X, y = ds.generate("xor", 200, noise=0.0, balance=0.5, correlation=0.0, rng=np.random.default_rng(2))
    assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------
GOOD = b"x1,x2,label\n0,0,a\n1,0,a\n0,1,b\n1,1,b\n2,2,b\n"


def test_parse_good_csv_with_text_labels():
    pts = ds.parse_csv(GOOD)
    assert pts.class_names == ("a", "b")
    assert_array_equal(pts.y, [0, 0, 1, 1, 1])
    assert_allclose(pts.X, [[0, 0], [1, 0], [0, 1], [1, 1], [2, 2]])


def test_label_column_found_by_name_in_any_position():
    pts = ds.parse_csv(b"class,u,v\n1,0.5,7\n2,1.5,8\n1,2.5,9\n2,3.5,10\n3,0,0\n3,1,1\n")
    assert pts.class_names == ("1", "2", "3")
    assert_allclose(pts.X[:, 0], [0.5, 1.5, 2.5, 3.5, 0, 1])


def test_csv_round_trip_through_download():
    d = ds.make_dataset(ds.DataSettings(dataset=ds.THREE_BLOBS, n_samples=90))
    back = ds.parse_csv(ds.to_csv(d))
    assert_allclose(back.X, d.X_all, rtol=1e-5, atol=1e-5)  # 6 significant digits
    assert_array_equal(back.y, d.y_all)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"  \n\n ", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not text: upload a comma-separated .csv file (UTF-8)."),
    (b"\xff\xfe\xfa,1,2\n", "The file is not text: upload a comma-separated .csv file (UTF-8)."),
    (b"x1,x2,label\n", "The file has a header but no data rows."),
    (b"x1,x2\n1,2\n3,4\n", "Expected 3 columns (two numeric features and a label), found 2: 'x1', 'x2'."),
    (b"a,b,c,d\n1,2,3,0\n", "Expected 3 columns (two numeric features and a label), found 4: 'a', 'b', 'c', 'd'."),
    (b"x1,x2,label\n1,2,0\n3,4,0\n5,6,0\n", "The label column 'label' has only one class ('0'): a classifier needs at least two."),
    (b"x1,x2,label\n1,2,0\n,4,0\n5,NaN,1\n7,8,1\n",
     "Column 'x1' has missing (NaN or blank) cells in line(s) 3. "
     "Column 'x2' has missing (NaN or blank) cells in line(s) 4."),
    (b"x1,x2,label\n1,2,0\n3,abc,0\n5,6,1\n7,8,1\n",
     "Column 'x2' has non-numeric cells in line(s) 3 (for example 'abc')."),
    (b"x1,x2,label\n1,2,0\n3,inf,0\n5,6,1\n7,8,1\n", "Column 'x2' has infinite values in line(s) 3."),
    (b"x1,x2,label\n1,2,0\n3,4,0\n5,6,1\n", "Class '1' has only 1 point; each class needs at least 2 (one to train on, one to test on)."),
    (b"x1,x2,label\n" + b"".join(b"%d,%d,%d\n" % (i, i, i % 5) for i in range(20)),
     "The label column 'label' has 5 different values; at most 4 classes are supported."),
    (b"x1,x2,label\n1,2,0\n3,4,\n5,6,1\n7,8,1\n", "Column 'label' has missing (NaN or blank) cells in line(s) 3."),
    (b'x1,x2,label\n1,2,0\n"3,4,0\n', "The file could not be read as CSV: "),
])
def test_bad_csv_messages(data, message):
    with pytest.raises(ds.CsvError) as err:
        ds.parse_csv(data)
    assert str(err.value).startswith(message)
    if not message.endswith(": "):
        assert str(err.value) == message


def test_too_many_rows_and_too_big():
    rows = b"x1,x2,label\n" + b"1,2,0\n3,4,1\n" * 10_001
    with pytest.raises(ds.CsvError, match=r"^The file has 20,002 rows; the limit is 20,000\.$"):
        ds.parse_csv(rows)
    big = b"x1,x2,label\n" + b"1.000000000,2.000000000,0\n" * 250_000
    with pytest.raises(ds.CsvError, match=r"^The file is 6\.2 MB; the limit is 5 MB\.$"):
        ds.parse_csv(big)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_points_or_a_csv_error(data):
    try:
        pts = ds.parse_csv(data)
    except ds.CsvError as err:
        assert str(err)
    else:
        assert np.isfinite(pts.X).all() and len(pts.class_names) >= 2


# --------------------------------------------------------------------------------------------------
# Your own points
# --------------------------------------------------------------------------------------------------
def test_clicked_positions_keep_only_click_grid_points():
    picked = [{"gx": 0.5, "gy": -1.0}, {"x1": 9, "x2": 9}, {"gx": 1, "gy": 2}, {"gx": None, "gy": 1},
              {"gx": float("nan"), "gy": 0.0}, {"gx": "3", "gy": 1}]
    assert ds.clicked_positions(picked) == [(0.5, -1.0), (1.0, 2.0)]


def test_a_clicked_new_class_never_takes_the_name_of_an_existing_one():
    base = ds.Dataset(np.zeros((2, 2)), np.array([0, 1]), np.zeros((0, 2)), np.zeros(0), ("2", "5"))  # a CSV's
    grown = ds.with_added(base, [[0.5, 0.5, 2], [0.2, 0.2, 3]])
    assert grown.class_names == ("2", "5", "2′", "3")
    assert [ds.class_name(("2", "5"), k) for k in range(4)] == ["2", "5", "2′", "3"]  # what the radio shows
    assert len(set(grown.class_names)) == 4 and list(grown.y_train) == [0, 1, 2, 3]


def test_add_clicks_appends_with_the_chosen_class_and_caps_the_count():
    added = ds.add_clicks([], [(0.0, 1.0), (2.0, 3.0)], 1)
    assert added == [[0.0, 1.0, 1.0], [2.0, 3.0, 1.0]]
    assert ds.add_clicks(added, [(5.0, 5.0)], 0, max_points=2) == [[2.0, 3.0, 1.0], [5.0, 5.0, 0.0]]


def test_with_added_extends_training_only_and_new_classes():
    d = ds.make_dataset(ds.DataSettings(n_samples=50))
    more = ds.with_added(d, [[0.1, 0.2, 1], [0.3, 0.4, 2]])
    assert len(more.y_train) == len(d.y_train) + 2 and len(more.y_test) == len(d.y_test)
    assert_allclose(more.X_train[-2:], [[0.1, 0.2], [0.3, 0.4]])
    assert more.class_names == ("0", "1", "2")
    assert more.fingerprint() != d.fingerprint()
    assert ds.with_added(d, []) is d


def test_custom_dataset_from_nothing_is_empty_and_from_points_is_split():
    empty = ds.dataset_from_points(None, 0.3, 0)
    assert len(empty.y_all) == 0
    assert ds.bounds(empty.X_all) == ((-2.0, 2.0), (-2.0, 2.0))
    pts = ds.parse_csv(GOOD)
    d = ds.dataset_from_points(pts, 0.4, 0)
    assert len(d.y_test) == 2 and set(d.y_test) == {0, 1}  # one of each class held out


def test_bounds_cover_the_data_with_a_margin():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    (x0, x1), (y0, y1) = ds.bounds(X, pad=0.1)
    assert (x0, x1) == pytest.approx((-0.2, 2.2))
    assert (y0, y1) == pytest.approx((-1.4, 3.4))
    (x0, x1), _ = ds.bounds(np.array([[1.0, 1.0]]))
    assert x0 < 1.0 < x1
