"""The Bayes lab's shareable settings: the umbrella story's sliders and the independence switch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.bayes.story import UmbrellaStory
from core.controls import Control

_S = UmbrellaStory()
P_RAIN = Control("bayes.p_rain", "P(rain): the prior", _S.p_rain, 0.0, 1.0, 0.01)
P_UMBRELLA_GIVEN_RAIN = Control("bayes.p_umbrella_given_rain", "P(umbrella | rain)", _S.p_umbrella_given_rain, 0.0, 1.0, 0.01)
P_UMBRELLA_GIVEN_DRY = Control("bayes.p_umbrella_given_dry", "P(umbrella | no rain)", _S.p_umbrella_given_dry, 0.0, 1.0, 0.01)
INDEPENDENT = Control("bayes.independent", "Umbrella independent of rain", _S.independent,
                      help="Sets P(umbrella | no rain) = P(umbrella | rain): the umbrella then says nothing about rain.")
CONTROLS = (P_RAIN, P_UMBRELLA_GIVEN_RAIN, P_UMBRELLA_GIVEN_DRY, INDEPENDENT)
"""Every widget whose value belongs in a share link."""


def story_of(state: Mapping[str, Any]) -> UmbrellaStory:
    """The umbrella story the widgets show."""
    return UmbrellaStory(*(state[c.key] for c in CONTROLS))
