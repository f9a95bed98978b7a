"""AppTest of the next-token page: train, tick, pause, reset, generate, bad prompts and text, extreme settings."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from tests.app.conftest import as_number, assert_clean, metric, open_page, run_until, settle, settling

PAGE = "pages/6_Next_token.py"
KEY = "nexttoken.runner"


def next_token_page(query: dict | None = None):
    """The page once its transformer is built, every later run shown as it is after the training pool answered."""
    return settling(settle(open_page(PAGE, query), KEY), KEY)
PARAGRAPH = ("The rain in the valley fell all night and the river rose over its banks. In the morning the "
             "farmers walked along the river and looked at the fields. The sky was grey and low, and nobody "
             "could say when the rain would stop. By noon the wind turned and the clouds broke apart. ") * 2


def bars(at, model: str) -> dict[str, float]:
    """The bar chart of ``model`` ("Bigram" or "Transformer") as {token: P}, read from the chart's data."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if str(spec.get("title", "")).startswith(model):
            df = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pandas()
            return dict(zip(df["token"], df["P"], strict=True))
    raise AssertionError(f"no bar chart for {model}")


def steps(at) -> int:
    return int(as_number(metric(at, "Step")))


def tick_until(at, condition, timeout: float = 180.0) -> None:
    """Run fragment ticks (AppTest never fires run_every) until ``condition(at)``, with a deadline, waiting between
    ticks for the worker's next snapshot. A deadline, not a number of ticks: a slow or busy machine takes longer
    (in seconds and in ticks) to reach the same step."""
    run_until(at, condition, KEY, timeout=timeout)


@pytest.fixture
def at():
    app = next_token_page()
    yield app
    if KEY in app.session_state:
        app.session_state[KEY].close()  # never leave a model training on the pool after a test


def test_page_runs_with_the_contract(at):
    assert_clean(at)
    assert steps(at) == 0
    assert metric(at, "Loss") == "not trained yet"
    assert metric(at, "Agreement").endswith("%")
    assert as_number(metric(at, "Vocabulary size")) == 77
    assert 10_000 < as_number(metric(at, "Parameters")) < 100_000
    keys = {w.key for w in at.button} | {w.key for w in at.slider} | {w.key for w in at.text_input}
    assert {"nexttoken.train", "nexttoken.reset", "nexttoken.generate", "nexttoken.prompt",
            "nexttoken.temperature", "nexttoken.top_k"} <= keys
    assert at.text_input(key="nexttoken.prompt").value == "where the sky"  # the notes' "Where the sky ☐"
    assert any("prod_" in latex.value for latex in at.latex)  # the chain rule
    assert len(at.get("plotly_chart")) == 0 and len(at.get("vega_lite_chart")) >= 5


def test_bigram_bars_ignore_everything_but_the_last_word(at):
    at.text_input(key="nexttoken.prompt").set_value("the skies over the hills").run()
    plural = bars(at, "Bigram")
    at.text_input(key="nexttoken.prompt").set_value("the sky over the hills").run()
    assert bars(at, "Bigram") == plural
    at.text_input(key="nexttoken.prompt").set_value("where the sky").run()
    assert bars(at, "Bigram") != plural
    assert_clean(at)


@pytest.mark.trains
def test_train_ticks_pause_and_reset(at):
    before = bars(at, "Transformer")
    at.button(key="nexttoken.train").click().run()
    assert at.button(key="nexttoken.train").label.endswith("Pause")
    tick_until(at, lambda a: as_number(metric(a, "Agreement")) >= 95)
    assert_clean(at)
    assert steps(at) > 0 and as_number(metric(at, "Loss")) < 4.0
    assert as_number(metric(at, "Tokens/s")) > 0
    # Training goes on: the step that first reaches 95 % may still rank "are" above "is" after "where the sky"
    # (prepositions lead there); the singular verb wins as it trains on, within the deadline.
    tick_until(at, lambda a: (b := bars(a, "Transformer"))["is"] > b["are"])
    assert bars(at, "Transformer") != before
    at.text_input(key="nexttoken.prompt").set_value("the skies over the hills").run()
    tick_until(at, lambda a: (b := bars(a, "Transformer"))["are"] > b["is"])  # the plural subject four words back

    at.button(key="nexttoken.train").click().run()  # Pause
    assert at.button(key="nexttoken.train").label.endswith("Train")
    paused = steps(at)
    assert at.session_state[KEY].ask("steps") == paused  # the page shows where the model stopped
    at.run()
    assert steps(at) == paused == at.session_state[KEY].ask("steps")

    at.button(key="nexttoken.step").click().run()
    assert steps(at) == paused + 1

    at.button(key="nexttoken.reset").click().run()
    assert steps(at) == 0 and metric(at, "Loss") == "not trained yet"
    assert_clean(at)


def test_changing_the_architecture_starts_a_new_model(at):
    at.button(key="nexttoken.step").click().run()
    assert steps(at) == 1
    small = as_number(metric(at, "Parameters"))
    at.selectbox(key="nexttoken.layers").set_value(1).run()
    assert steps(at) == 0 and as_number(metric(at, "Parameters")) < small
    at.selectbox(key="nexttoken.heads").set_value(4).run()
    at.button(key="nexttoken.step").click().run()
    assert steps(at) == 1
    assert_clean(at)


def test_generate_shows_both_continuations_with_probabilities(at):
    at.button(key="nexttoken.generate").click().run()
    assert_clean(at)
    texts = [m.value for m in at.markdown if m.value.startswith(("**Transformer:**", "**Bigram:**"))]
    assert len(texts) == 2 and all("where the sky" in t for t in texts)
    tables = [df.value for df in at.dataframe if "P sampled" in df.value.index]
    assert len(tables) == 2 and all(t.shape == (3, 20) for t in tables)
    assert any("ms per token" in c.value for c in at.caption)


def test_temperature_zero_is_greedy_and_repeatable(at):
    at.slider(key="nexttoken.temperature").set_value(0.0).run()
    bigram = bars(at, "Bigram")
    assert sorted(bigram.values())[-1] == 1.0 and sum(bigram.values()) == pytest.approx(1.0)
    at.button(key="nexttoken.generate").click().run()
    first = [m.value for m in at.markdown if m.value.startswith("**")]
    table = next(df.value for df in at.dataframe if "P sampled" in df.value.index)
    assert set(table.loc["P sampled"]) == {"1.00"}
    at.button(key="nexttoken.generate").click().run()
    assert [m.value for m in at.markdown if m.value.startswith("**")] == first
    assert_clean(at)


@pytest.mark.parametrize(("temperature", "top_k"), [(0.0, 0), (2.0, 0), (0.0, 50), (2.0, 1), (1.0, 50), (2.0, 50)])
def test_extreme_sliders(at, temperature, top_k):
    at.slider(key="nexttoken.temperature").set_value(temperature)
    at.slider(key="nexttoken.top_k").set_value(top_k).run()
    assert_clean(at)
    probs = bars(at, "Transformer")
    assert all(0.0 <= p <= 1.0 for p in probs.values())
    if top_k == 1 or temperature == 0.0:
        assert max(probs.values()) == pytest.approx(1.0)
    at.button(key="nexttoken.generate").click().run()
    assert_clean(at)


def test_unknown_words_are_named_and_dropped(at):
    at.text_input(key="nexttoken.prompt").set_value("where the tornado is").run()
    assert_clean(at)
    warning = " ".join(w.value for w in at.warning)
    assert "**tornado**" in warning and "dropped" in warning
    at.button(key="nexttoken.generate").click().run()
    assert any(m.value.startswith("**Transformer:** where the is") for m in at.markdown)


@pytest.mark.parametrize("prompt", ["", "   ", "zzz qqq", "!!!", pytest.param("the " * 100, id="long")])
def test_empty_or_odd_prompts_keep_the_page_working(at, prompt):
    at.text_input(key="nexttoken.prompt").set_value(prompt).run()
    assert_clean(at)
    assert sum(bars(at, "Transformer").values()) > 0
    at.button(key="nexttoken.step").click().run()
    at.button(key="nexttoken.generate").click().run()
    assert_clean(at)
    assert steps(at) == 1


def test_own_text_errors_then_a_new_model(at):
    at.radio(key="nexttoken.source").set_value("your own text").run()
    assert_clean(at)
    assert any("box is empty" in e.value for e in at.error)
    for bad, fragment in (("the sky is grey .", "too short"), ("x" * 50_001, "limit is 50 KB"),
                          ("\x00\x01\x02\x03" * 100, "does not look like text")):
        at.text_area(key="nexttoken.text").set_value(bad).run()
        assert_clean(at)
        assert any(fragment in e.value for e in at.error), fragment
        assert as_number(metric(at, "Vocabulary size")) == 77  # the corpus is still in use
    at.text_area(key="nexttoken.text").set_value(PARAGRAPH).run()
    assert_clean(at)
    assert not at.error
    assert as_number(metric(at, "Vocabulary size")) != 77
    assert metric(at, "Agreement") == "n/a"
    at.text_input(key="nexttoken.prompt").set_value("the rain in the").run()
    at.button(key="nexttoken.step").click().run()
    at.button(key="nexttoken.generate").click().run()
    assert_clean(at)
    assert steps(at) == 1


def test_url_sets_the_settings():
    at = next_token_page({"nexttoken.prompt": "where the sky", "nexttoken.temperature": "0.5",
                          "nexttoken.top_k": "3", "nexttoken.layers": "1", "nexttoken.heads": "4"})
    assert_clean(at)
    assert at.text_input(key="nexttoken.prompt").value == "where the sky"
    assert at.slider(key="nexttoken.temperature").value == 0.5 and at.slider(key="nexttoken.top_k").value == 3
    assert at.selectbox(key="nexttoken.layers").value == 1 and at.selectbox(key="nexttoken.heads").value == 4
    assert sum(p > 0 for p in bars(at, "Bigram").values()) == 3  # top-k = 3


def test_bad_url_values_are_ignored():
    at = open_page(PAGE, {"nexttoken.temperature": "9", "nexttoken.heads": "3", "nexttoken.top_k": "x"})
    assert_clean(at)
    assert any("Some settings in the link were ignored" in w.value for w in at.warning)
    assert at.slider(key="nexttoken.temperature").value == 1.0 and at.selectbox(key="nexttoken.heads").value == 2
