"""Naive Bayes by hand against scikit-learn's GaussianNB, and the table checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose
from scipy.stats import norm
from sklearn.naive_bayes import GaussianNB

from core.bayes.by_hand import (
    FEATURES,
    LABEL,
    check_table,
    example_days,
    example_new_day,
    naive_bayes_steps,
    steps_table,
)


def _example():
    check = check_table(example_days())
    assert not check.errors and not check.warnings
    x_new = np.array(list(example_new_day().values()))
    return check.X, check.y, x_new


def test_by_hand_equals_gaussian_nb():
    X, y, x_new = _example()
    steps = naive_bayes_steps(X, y, x_new)
    reference = GaussianNB().fit(X, y)
    assert_allclose(steps.posterior, reference.predict_proba(x_new[None])[0], rtol=1e-9, atol=1e-12)
    assert_allclose(steps.mean, reference.theta_, rtol=1e-12)
    assert_allclose(steps.var, reference.var_, rtol=1e-12)
    assert_allclose(steps.prior, reference.class_prior_, rtol=1e-12)
    # The example day is deliberately in between: neither class is a foregone conclusion.
    assert 0.1 < steps.posterior[1] < 0.9


def test_every_step_follows_the_formula():
    X, y, x_new = _example()
    s = naive_bayes_steps(X, y, x_new)
    for k, c in enumerate(s.classes):
        rows = X[y == c]
        assert_allclose(s.prior[k], len(rows) / len(X))
        lik = norm.pdf(x_new, rows.mean(axis=0), np.sqrt(rows.var(axis=0) + 1e-9 * X.var(axis=0).max()))
        assert_allclose(s.likelihood[k], lik, rtol=1e-9)
        assert_allclose(s.product[k], np.prod(lik), rtol=1e-9)
    joint = s.prior * s.product
    assert_allclose(s.posterior, joint / joint.sum(), rtol=1e-9)
    assert_allclose(s.posterior.sum(), 1.0)
    table = steps_table(s)
    assert list(table.index) == ["dry (y=0)", "rain (y=1)"]


def test_more_humid_day_raises_p_rain():
    X, y, x_new = _example()
    humid = x_new.copy()
    humid[0] = 16.0
    assert naive_bayes_steps(X, y, humid).posterior[1] > naive_bayes_steps(X, y, x_new).posterior[1]


def test_the_first_day_is_the_seed_example_and_the_story_holds():
    df = example_days()
    assert [c.split(" ")[0] for c in FEATURES] == ["h", "T", "T_i"]
    assert df.iloc[0].tolist() == [21.0, 20.0, 10.0, 1]
    assert len(df) == 10
    rain, dry = df[df[LABEL] == 1], df[df[LABEL] == 0]
    assert rain[FEATURES[0]].min() > dry[FEATURES[0]].max()  # rainy days are more humid
    assert rain[FEATURES[1]].mean() < dry[FEATURES[1]].mean()  # and cooler
    assert sorted(rain[FEATURES[2]]) == sorted(dry[FEATURES[2]])  # the cellar does not care
    X, y, x_new = _example()
    steps = naive_bayes_steps(X, y, x_new)
    assert_allclose(steps.log_likelihood[1, 2], steps.log_likelihood[0, 2], rtol=1e-12)  # N(T_i) the same
    for t_i in (5.0, 11.0, 30.0):  # so T_i cancels in Bayes' rule
        assert_allclose(naive_bayes_steps(X, y, np.array([x_new[0], x_new[1], t_i])).posterior, steps.posterior,
                        rtol=1e-9)


def test_table_errors_are_explained():
    df = example_days()
    only_rain = df[df[LABEL] == 1]
    assert any("no dry days" in e for e in check_table(only_rain).errors)
    blank = df.copy()
    blank.loc[2, FEATURES[0]] = None
    assert any("blank cell in row(s) 3" in e for e in check_table(blank).errors)
    text = df.astype(object)
    text.loc[4, FEATURES[1]] = "warm"
    assert any("non-numeric cell in row(s) 5" in e for e in check_table(text).errors)
    assert any("single day" in e.lower() for e in check_table(df.iloc[:1]).errors)
    assert check_table(df.iloc[:0]).errors == ["The table is empty: add some days."]
    bad_label = df.copy()
    bad_label.loc[0, LABEL] = 2
    assert any("only 0" in e for e in check_table(bad_label).errors)
    assert check_table(pd.DataFrame({"x": [1]})).errors


def test_values_whose_squares_overflow_are_refused_with_their_rows():
    df = example_days()
    huge = df.copy()
    huge.loc[0, FEATURES[0]] = -1e300  # its variance would be inf, and every Gaussian 0
    huge.loc[6, FEATURES[2]] = 2e6
    check = check_table(huge)
    assert check.errors and "Row(s) 1, 7" in check.errors[0] and check.X is None
    edge = df.copy()
    edge.loc[0, FEATURES[0]] = 1e6  # the largest size allowed still gives finite numbers everywhere
    steps = naive_bayes_steps(check_table(edge).X, check_table(edge).y, np.array(list(example_new_day().values())))
    assert np.all(np.isfinite(steps.posterior))


def test_zero_variance_warns_but_still_matches_sklearn():
    df = example_days()
    df.loc[df[LABEL] == 1, FEATURES[1]] = 15.0
    check = check_table(df)
    assert not check.errors
    assert any("zero variance" in w for w in check.warnings)
    x_new = np.array(list(example_new_day().values()))
    steps = naive_bayes_steps(check.X, check.y, x_new)
    assert np.isfinite(steps.posterior).all()
    assert_allclose(steps.posterior, GaussianNB().fit(check.X, check.y).predict_proba(x_new[None])[0], atol=1e-9)
