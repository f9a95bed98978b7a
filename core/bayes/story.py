"""Joint and conditional probability on the rain/umbrella example.

Two binary variables: rain R ∈ {rain, dry} and umbrella U ∈ {umbrella, none}. The story gives the
prior P(R = rain) and the two likelihoods P(U = umbrella | rain), P(U = umbrella | dry); the product
rule P(R, U) = P(U | R) P(R) builds the joint table, and Bayes' rule P(R | U) = P(R, U) / P(U) reads
the posterior back out of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import rel_entr

RAIN_LABELS = ("rain", "dry")
UMBRELLA_LABELS = ("umbrella", "no umbrella")


@dataclass(frozen=True)
class UmbrellaStory:
    """The three numbers of the story; ``independent`` ties both likelihoods to the first one."""

    p_rain: float = 0.3
    p_umbrella_given_rain: float = 0.9
    p_umbrella_given_dry: float = 0.2
    independent: bool = False

    @property
    def likelihoods(self) -> tuple[float, float]:
        """P(umbrella | rain), P(umbrella | dry); equal when the story is made independent."""
        if self.independent:
            return self.p_umbrella_given_rain, self.p_umbrella_given_rain
        return self.p_umbrella_given_rain, self.p_umbrella_given_dry


def joint_table(story: UmbrellaStory) -> np.ndarray:
    """The 2×2 joint P(R, U): rows rain/dry, columns umbrella/no umbrella. P(R, U) = P(U | R) P(R)."""
    p_rain = float(np.clip(story.p_rain, 0.0, 1.0))
    u_rain, u_dry = (float(np.clip(p, 0.0, 1.0)) for p in story.likelihoods)
    prior = np.array([p_rain, 1.0 - p_rain])
    p_umbrella_given = np.array([u_rain, u_dry])
    return np.column_stack([prior * p_umbrella_given, prior * (1.0 - p_umbrella_given)])


def marginals(joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P(R), P(U)): row sums and column sums of the joint (sum rule)."""
    return joint.sum(axis=1), joint.sum(axis=0)


def conditional(joint_cell: float, marginal: float) -> float | None:
    """P(A | B) = P(A, B) / P(B); None when P(B) = 0 (conditioning on an impossible event)."""
    if marginal <= 0.0:
        return None
    return float(np.clip(joint_cell / marginal, 0.0, 1.0))


def posteriors(story: UmbrellaStory) -> tuple[float | None, float | None]:
    """(P(rain | umbrella), P(rain | no umbrella)) by Bayes' rule; None where undefined."""
    joint = joint_table(story)
    _, p_u = marginals(joint)
    return conditional(joint[0, 0], p_u[0]), conditional(joint[0, 1], p_u[1])


def mutual_information_bits(joint: np.ndarray) -> float:
    """I(R; U) = Σ P(r, u) log₂ [P(r, u) / (P(r) P(u))] in bits; 0 exactly when R and U are independent."""
    p_r, p_u = marginals(joint)
    independent = np.outer(p_r, p_u)
    return float(max(rel_entr(joint, independent).sum() / np.log(2.0), 0.0))


INDEPENDENT_BITS = 1e-12
"""Below this mutual information rain and umbrella count as independent (what rounding leaves of 0 bits)."""


def independent(story: UmbrellaStory, joint: np.ndarray) -> bool:
    """Whether rain and umbrella are independent: the story ties the likelihoods, or I(R; U) is 0 up to rounding
    (then every cell equals P(r) P(u) and the posterior equals the prior)."""
    return story.independent or mutual_information_bits(joint) < INDEPENDENT_BITS


def with_marginals(joint: np.ndarray) -> pd.DataFrame:
    """The joint table with its marginals around it (sum rule): P(rain) as the last column, P(umbrella) as the
    last row, and their total 1 in the corner."""
    p_r, p_u = marginals(joint)
    return pd.DataFrame(np.vstack([np.column_stack([joint, p_r]), np.append(p_u, 1.0)]),
                        index=["rain", "no rain", "P(umbrella)"], columns=["umbrella", "no umbrella", "P(rain)"])


def day_counts(joint: np.ndarray, days: int = 100) -> np.ndarray:
    """Split ``days`` days over the four cells in proportion to the joint (largest-remainder rounding)."""
    expected = joint.ravel() * days
    counts = np.floor(expected).astype(int)
    short = days - int(counts.sum())
    if short > 0:
        order = np.argsort(-(expected - counts), kind="stable")
        counts[order[:short]] += 1
    return counts.reshape(joint.shape)
