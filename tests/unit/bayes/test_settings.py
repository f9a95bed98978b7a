"""The Bayes page's settings: the widget defaults are the story's defaults, and the widgets make the story."""

from __future__ import annotations

from core.bayes import settings as bs
from core.bayes.story import UmbrellaStory
from tests.unit.page_state import defaults


def test_the_widgets_make_the_story():
    assert bs.story_of(defaults(bs.CONTROLS)) == UmbrellaStory()
    state = defaults(bs.CONTROLS) | {bs.P_RAIN.key: 0.05, bs.INDEPENDENT.key: True}
    assert bs.story_of(state) == UmbrellaStory(p_rain=0.05, independent=True)
