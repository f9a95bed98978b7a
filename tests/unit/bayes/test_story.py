"""The rain/umbrella probabilities against closed forms and scipy/sklearn references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.metrics import mutual_info_score

from core.bayes.story import (
    UmbrellaStory,
    conditional,
    day_counts,
    independent,
    joint_table,
    marginals,
    mutual_information_bits,
    posteriors,
    with_marginals,
)

probability = st.floats(0.0, 1.0, allow_nan=False)


def test_worked_example_posterior_is_0659():
    # 0.3*0.9 / (0.3*0.9 + 0.7*0.2) = 0.27 / 0.41
    post_u, post_no_u = posteriors(UmbrellaStory(0.3, 0.9, 0.2))
    assert_allclose(post_u, 0.27 / 0.41, rtol=1e-12)
    assert f"{post_u:.3f}" == "0.659"
    # 0.3*0.1 / (0.3*0.1 + 0.7*0.8) = 0.03 / 0.59
    assert_allclose(post_no_u, 0.03 / 0.59, rtol=1e-12)


def test_joint_table_is_product_rule_and_sums_to_one():
    joint = joint_table(UmbrellaStory(0.3, 0.9, 0.2))
    assert_allclose(joint, [[0.27, 0.03], [0.14, 0.56]], atol=1e-12)
    p_r, p_u = marginals(joint)
    assert_allclose(p_r, [0.3, 0.7], atol=1e-12)
    assert_allclose(p_u, [0.41, 0.59], atol=1e-12)


@given(probability, probability, probability)
def test_joint_is_a_distribution(p, a, b):
    joint = joint_table(UmbrellaStory(p, a, b))
    assert (joint >= 0).all()
    assert_allclose(joint.sum(), 1.0, atol=1e-12)


def test_zero_evidence_is_undefined_not_nan():
    post_u, post_no_u = posteriors(UmbrellaStory(0.3, 0.0, 0.0))
    assert post_u is None
    assert_allclose(post_no_u, 0.3)
    assert conditional(0.0, 0.0) is None


def test_independence_makes_posterior_equal_prior_and_mi_zero():
    story = UmbrellaStory(0.3, 0.9, 0.2, independent=True)
    joint = joint_table(story)
    p_r, p_u = marginals(joint)
    assert_allclose(joint, np.outer(p_r, p_u), atol=1e-12)
    post_u, post_no_u = posteriors(story)
    assert_allclose([post_u, post_no_u], [0.3, 0.3], atol=1e-12)
    assert mutual_information_bits(joint) == pytest.approx(0.0, abs=1e-12)


def test_mutual_information_matches_sklearn_on_counts():
    joint = joint_table(UmbrellaStory(0.3, 0.9, 0.2))
    counts = day_counts(joint, 100_000)
    labels_r, labels_u = [], []
    for i in range(2):
        for j in range(2):
            labels_r += [i] * int(counts[i, j])
            labels_u += [j] * int(counts[i, j])
    reference_nats = mutual_info_score(labels_r, labels_u)
    assert_allclose(mutual_information_bits(counts / counts.sum()), reference_nats / np.log(2), rtol=1e-9)
    # A deterministic umbrella carries all of H(rain) = h(0.5) = 1 bit.
    assert_allclose(mutual_information_bits(joint_table(UmbrellaStory(0.5, 1.0, 0.0))), 1.0, rtol=1e-12)


@given(probability, probability, probability, st.integers(1, 500))
def test_day_counts_add_up_and_round_fairly(p, a, b, days):
    joint = joint_table(UmbrellaStory(p, a, b))
    counts = day_counts(joint, days)
    assert counts.sum() == days
    assert (np.abs(counts - joint * days) < 1.0 + 1e-9).all()


def test_mosaic_rectangles_have_the_joint_as_their_areas_and_tile_the_square():
    from core.bayes.figures import mosaic_cells, mosaic_figure

    joint = np.array([[0.27, 0.03], [0.14, 0.56]])
    cells = mosaic_cells(joint)
    areas = ((cells.x1 - cells.x0) * (cells.y1 - cells.y0)).to_numpy()
    np.testing.assert_allclose(areas, joint.ravel(), atol=1e-12)
    np.testing.assert_allclose(cells.area, joint.ravel(), atol=1e-12)
    assert cells.x1.max() == pytest.approx(1.0)
    np.testing.assert_allclose(cells.y1, [0.9, 1.0, 0.2, 1.0])  # P(U | rain) = 0.9, P(U | dry) = 0.2
    assert list(cells.seen[cells.umbrella == "umbrella"].unique()) == ["umbrella seen (the new sample space)"]
    spec = mosaic_figure(joint)
    assert spec["data"]["values"] is not None and len(spec["layer"]) == 2


def test_icon_grid_counts_the_days_of_each_cell():
    from core.bayes.figures import icon_days, icon_grid_figure
    from core.bayes.story import day_counts

    joint = np.array([[0.27, 0.03], [0.14, 0.56]])
    days = icon_days(joint)
    assert len(days) == 100 and days[["col", "row"]].drop_duplicates().shape[0] == 100
    counts = day_counts(joint)
    for i, weather in enumerate(("rain", "dry")):
        for j, umbrella in enumerate(("umbrella", "no umbrella")):
            sel = days[(days.weather == weather) & (days.umbrella == umbrella)]
            assert len(sel) == counts[i, j] and sel.filled.all() == (j == 0)
    assert icon_grid_figure(joint)["layer"][1]["mark"]["filled"] is False


def test_the_table_with_marginals_adds_up_both_ways():
    joint = joint_table(UmbrellaStory(0.3, 0.9, 0.2))
    table = with_marginals(joint)
    assert list(table.index) == ["rain", "no rain", "P(umbrella)"]
    assert list(table.columns) == ["umbrella", "no umbrella", "P(rain)"]
    values = table.to_numpy()
    assert_allclose(values[:2, :2], joint, atol=0)
    assert_allclose(values[:, 2], [0.3, 0.7, 1.0], atol=1e-12)  # rows add up to P(rain); all of it to 1
    assert_allclose(values[2], [0.41, 0.59, 1.0], atol=1e-12)  # columns add up to P(umbrella)


def test_independent_when_the_story_says_so_or_the_information_is_zero():
    assert independent(UmbrellaStory(0.3, 0.9, 0.2, independent=True), joint_table(UmbrellaStory(0.3, 0.9, 0.2)))
    same = UmbrellaStory(0.3, 0.6, 0.6)  # equal likelihoods: the umbrella says nothing about rain
    assert independent(same, joint_table(same))
    assert not independent(UmbrellaStory(0.3, 0.9, 0.2), joint_table(UmbrellaStory(0.3, 0.9, 0.2)))
    assert not independent(UmbrellaStory(0.3, 0.61, 0.6), joint_table(UmbrellaStory(0.3, 0.61, 0.6)))
