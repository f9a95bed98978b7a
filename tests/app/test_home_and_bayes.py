"""AppTest: the home page and the Bayes-rule lab run, react to their widgets and never show NaN."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bayes.by_hand import FEATURES, LABEL, example_days
from tests.app.conftest import as_number, assert_clean, metric, open_page

BAYES = "pages/1_Bayes_rule.py"
SLIDERS = ("bayes.p_rain", "bayes.p_umbrella_given_rain", "bayes.p_umbrella_given_dry")


def test_home_runs_and_sample_again_draws_new_points():
    at = open_page("app.py")
    assert_clean(at)
    pictures = [h.proto.body for h in at.get("html")]
    assert [('data-figure="generative"' in b, 'data-figure="discriminative"' in b) for b in pictures] == [
        (True, False), (False, True)]
    assert len(at.latex) >= 2
    before = at.session_state["home.sample_seed"]
    at.button(key="home.sample").click().run()
    assert_clean(at)
    assert at.session_state["home.sample_seed"] == before + 1
    after = [h.proto.body for h in at.get("html")]
    assert after[0] != pictures[0] and after[1] == pictures[1]  # new stars; the discriminative side is the same


def test_bayes_contract_default_posterior():
    at = open_page(BAYES)
    assert_clean(at)
    assert metric(at, "P(rain | umbrella)") == "0.659"
    # The hand calculation and scikit-learn agree on the page.
    assert metric(at, "P(rain | new day), by hand") == metric(at, "P(rain | new day), scikit-learn")


def test_naive_bayes_table_is_the_seed_weather_table():
    at = open_page(BAYES)
    assert_clean(at)
    assert metric(at, "P(rain | new day), by hand") == "0.427"  # h 14, T 19, T_i 11 after the ten days
    assert any("T_i: the indoor temperature" in m.value for m in at.markdown)
    at.number_input(key="bayes.new.2").set_value(5.0).run()  # the cellar at 5 °C: T_i cannot move the posterior
    assert metric(at, "P(rain | new day), by hand") == "0.427"
    at.number_input(key="bayes.new.0").set_value(16.0).run()
    assert float(metric(at, "P(rain | new day), by hand")) > 0.95
    assert [n.label for n in at.number_input] == list(FEATURES)
    assert [c.split(" ")[0] for c in FEATURES] == ["h", "T", "T_i"]


def test_every_slider_at_its_extremes_runs():
    for key in SLIDERS:
        for value in (0.0, 1.0):
            at = open_page(BAYES)
            at.slider(key=key).set_value(value).run()
            assert_clean(at)


def test_moving_a_slider_changes_the_posterior():
    at = open_page(BAYES)
    at.slider(key="bayes.p_rain").set_value(0.6).run()
    # 0.6*0.9 / (0.6*0.9 + 0.4*0.2) = 0.871
    assert metric(at, "P(rain | umbrella)") == "0.871"
    assert at.query_params["bayes.p_rain"] in ("0.6", ["0.6"])


def test_zero_evidence_is_explained_in_words():
    at = open_page(BAYES, {"bayes.p_umbrella_given_rain": "0", "bayes.p_umbrella_given_dry": "0"})
    assert_clean(at)
    assert metric(at, "P(rain | umbrella)") == "undefined"
    assert any("undefined" in i.value for i in at.info)


def test_independent_toggle_gives_zero_information_and_prior_posterior():
    at = open_page(BAYES)
    at.toggle(key="bayes.independent").set_value(True).run()
    assert_clean(at)
    assert metric(at, "P(rain | umbrella)") == "0.300"
    assert metric(at, "Mutual information (bits)") == "0.000"
    assert at.slider(key="bayes.p_umbrella_given_dry").disabled


def test_query_parameters_set_the_widgets():
    at = open_page(BAYES, {"bayes.p_rain": "0.5", "bayes.p_umbrella_given_rain": "0.8",
                           "bayes.p_umbrella_given_dry": "0.4", "bayes.independent": "false"})
    assert at.slider(key="bayes.p_rain").value == 0.5
    assert metric(at, "P(rain | umbrella)") == "0.667"


def test_bad_query_parameters_fall_back_with_a_warning():
    at = open_page(BAYES, {"bayes.p_rain": "2.5", "bayes.independent": "perhaps"})
    assert_clean(at)
    assert at.slider(key="bayes.p_rain").value == 0.3
    assert any("ignored" in w.value for w in at.warning)


def test_edited_tables_with_problems_show_messages_not_tracebacks(monkeypatch):
    """AppTest cannot drive st.data_editor, so the table the editor starts from is replaced instead."""
    import core.bayes.by_hand as nb

    cases = {
        "no dry days": example_days()[example_days()[LABEL] == 1],
        "blank cell": example_days().assign(**{FEATURES[0]: [None] + [80.0] * 9}),
        "single day": example_days().iloc[:1],
    }
    for expected, table in cases.items():
        monkeypatch.setattr(nb, "example_days", lambda table=table: table)
        at = open_page(BAYES)
        assert_clean(at)
        assert any(expected in e.value.lower() for e in at.error), (expected, [e.value for e in at.error])
        # The rest of the page still works.
        assert metric(at, "P(rain | umbrella)") == "0.659"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0),
    st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0),
    st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0),
    st.booleans(),
)
def test_random_settings_never_crash_or_show_nan(p_rain, p_ur, p_ud, independent):
    values = [round(v, 2) for v in (p_rain, p_ur, p_ud)]
    at = open_page(BAYES, {k: str(v) for k, v in zip(SLIDERS, values, strict=True)}
                   | {"bayes.independent": str(independent).lower()})
    assert_clean(at)
    for m in at.metric:
        text = str(m.value)
        if text != "undefined":
            assert math.isfinite(as_number(text))
    shown = metric(at, "P(rain | umbrella)")
    joint_umbrella = values[0] * values[1] + (1 - values[0]) * (values[1] if independent else values[2])
    if joint_umbrella == 0:
        assert shown == "undefined"
    else:
        expected = values[0] * values[1] / joint_umbrella
        assert abs(float(shown) - expected) <= 0.0005 + 1e-9
        assert np.isfinite(float(shown))
