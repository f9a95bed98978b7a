"""AppTest of the decision-boundary page's "How each model decides": an expander per model, numbers, checks."""

from __future__ import annotations

import re

import pytest

from core.boundary import data as ds
from core.boundary import formulas as fm
from core.boundary import models as clf
from tests.app.conftest import assert_clean, open_page

PAGE = "pages/2_Decision_boundaries.py"
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def section(at) -> dict[str, str]:
    """{model: every text in its expander} for the expanders of the section."""
    out = {}
    for e in at.expander:
        if e.label in clf.MODEL_NAMES:
            texts = [x.value for x in (*e.markdown, *e.latex, *e.caption)]
            out[e.label] = "\n".join(texts)
    return out


def assert_numbers_agree(text: str, model: str) -> None:
    assert not re.search(r"\b(nan|inf|undefined)\b", text.lower()), (model, text)
    assert "Check:" in text and "(agree" in text and "differ" not in text, (model, text)
    assert re.search(r"\d\.\d{3}", text), model


@pytest.mark.parametrize("dataset", ["moons", "three-class blobs"])
def test_every_worked_model_gets_an_expander_with_numbers_that_agree(dataset):
    at = open_page(PAGE, {"boundary.dataset": dataset})
    at.multiselect(key="boundary.models").set_value(list(clf.MODEL_NAMES)).run()
    assert_clean(at)
    found = section(at)
    assert list(found) == list(fm.WORKED_MODELS)  # in the page's model order; the others have no entry
    for model, text in found.items():
        assert_numbers_agree(text, model)
        assert "At the first test point" in text
    assert "softmax" not in found["k-NN"] and r"\frac{2}{\lVert w \rVert}" in found["Linear SVM"]
    assert re.search(r"G_\{\\text\{root\}\}\(\d+,\\ \d+", found["Decision tree"])


def test_a_model_setting_reruns_the_section_with_the_new_fit():
    at = open_page(PAGE, {"boundary.models": ["k-NN", "Random forest"]})
    assert_clean(at)
    before = section(at)
    assert r"k = 15" in before["k-NN"]
    at.slider(key="boundary.knn_k").set_value(3)
    at.slider(key="boundary.forest_trees").set_value(2).run()
    after = section(at)
    assert r"k = 3:" in after["k-NN"] and r"\frac{1}{2}" in after["Random forest"]
    for model, text in after.items():
        assert_numbers_agree(text, model)


def test_the_default_page_explains_the_models_it_does_not_write_out_and_shifts_the_prior():
    at = open_page(PAGE)
    assert_clean(at)
    assert list(section(at)) == [m for m in fm.WORKED_MODELS if m in clf.DEFAULT_MODELS]
    assert any("naive Bayes is worked by hand" in m.value for m in at.markdown)
    at.multiselect(key="boundary.models").set_value(["QDA"]).run()
    at.toggle(key="boundary.use_prior").set_value(True).run()
    at.slider(key="boundary.prior").set_value(0.9).run()
    assert_clean(at)
    assert r"\pi_{\text{1}} = 0.900" in section(at)["QDA"]
    assert_numbers_agree(section(at)["QDA"], "QDA")


def test_clicked_points_only_use_the_first_training_point():
    at = open_page(PAGE, {"boundary.dataset": ds.CUSTOM, "boundary.models": ["Decision tree", "k-NN"],
                          "boundary.knn_k": "3"})
    at.session_state["boundary.added"] = [[0.0, 0.0, 0], [0.2, 0.1, 0], [0.1, 0.3, 0],
                                          [2.0, 2.0, 1], [2.2, 1.9, 1], [1.8, 2.1, 1]]
    at.run()
    assert_clean(at)
    found = section(at)
    assert list(found) == ["Decision tree", "k-NN"]
    for model, text in found.items():
        assert "At the first training point, x = (0.000, 0.000)" in text
        assert_numbers_agree(text, model)


def test_no_models_no_section_entries():
    at = open_page(PAGE, {"boundary.models": ["Gaussian mixture"]})
    assert_clean(at)
    assert not section(at)
    assert any("each gets its decision written out" in c.value for c in at.caption)


def test_identical_clicked_points_explain_themselves_and_the_section_carries_on():
    at = open_page(PAGE, {"boundary.dataset": ds.CUSTOM, "boundary.models": ["LDA", "Linear SVM", "k-NN"],
                          "boundary.knn_k": "1"})
    at.session_state["boundary.added"] = [[0.4, 1.3, 0], [0.4, 1.3, 1], [0.4, 1.3, 0], [0.4, 1.3, 1]]
    at.run()
    assert_clean(at)
    assert any("all training points are identical" in w.value for w in at.warning)
    found = section(at)
    assert list(found) == ["Linear SVM", "k-NN"] and "unbounded margin" in found["Linear SVM"]
    for model, text in found.items():
        assert_numbers_agree(text, model)
