"""A session that lost its server: the URL says mid-training, the (new) session never saw the page."""

from __future__ import annotations

from core import ui
from tests.app.conftest import assert_clean, open_page

PAGE = "pages/4_GAN.py"


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_url_mid_training_in_a_new_session_says_the_training_was_lost_once():
    at = open_page(PAGE, {"gan.training": "1"})
    assert_clean(at)
    assert ui.LOST_TRAINING in warnings(at)
    assert "gan.training" not in at.query_params  # not training here: the flag is gone
    at.run()
    assert ui.LOST_TRAINING not in warnings(at)


def test_a_fresh_visit_has_no_notice_and_train_sets_the_flag():
    at = open_page(PAGE)
    assert ui.LOST_TRAINING not in warnings(at)
    assert "gan.training" not in at.query_params
    at.button(key="gan.train").click().run()
    try:
        assert at.query_params.get("gan.training") in ("1", ["1"])
        assert ui.LOST_TRAINING not in warnings(at)
    finally:
        at.session_state["gan.runner"].pause()
