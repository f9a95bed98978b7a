"""The Bayes lab's settings: the umbrella story's sliders and the independence switch (shareable), and the new day
naive Bayes classifies (kept out of share links)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.bayes.by_hand import FEATURES, MAX_ABS, example_new_day
from core.bayes.story import UmbrellaStory
from core.controls import NUMBER, Control

_S = UmbrellaStory()
P_RAIN = Control("bayes.p_rain", "P(rain): the prior", _S.p_rain, 0.0, 1.0, 0.01)
P_UMBRELLA_GIVEN_RAIN = Control("bayes.p_umbrella_given_rain", "P(umbrella | rain)", _S.p_umbrella_given_rain, 0.0, 1.0, 0.01)
P_UMBRELLA_GIVEN_DRY = Control("bayes.p_umbrella_given_dry", "P(umbrella | no rain)", _S.p_umbrella_given_dry, 0.0, 1.0, 0.01)
INDEPENDENT = Control("bayes.independent", "Umbrella independent of rain", _S.independent,
                      help="Sets P(umbrella | no rain) = P(umbrella | rain): the umbrella then says nothing about rain.")
CONTROLS = (P_RAIN, P_UMBRELLA_GIVEN_RAIN, P_UMBRELLA_GIVEN_DRY, INDEPENDENT)
"""Every widget whose value belongs in a share link."""
NEW_DAY = tuple(Control(f"bayes.new.{i}", f, example_new_day()[f], -MAX_ABS, MAX_ABS, kind=NUMBER)
                for i, f in enumerate(FEATURES))
"""The new day's readings, one number per feature: not in share links, as the training table they go with is not
either (the page draws them with ``Control.initial``)."""


def story_of(state: Mapping[str, Any]) -> UmbrellaStory:
    """The umbrella story the widgets show."""
    return UmbrellaStory(*(state[c.key] for c in CONTROLS))
