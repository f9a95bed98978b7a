"""Turning a next-token distribution into text: softmax with temperature, top-k, and generation.

    P_T(j) = exp(zⱼ / T) / Σₖ exp(zₖ / T)

with z the logits (or log-probabilities). T = 1 is the model itself; T < 1 sharpens the distribution
and T → 0 puts all the mass on the argmax (greedy decoding); T > 1 flattens it towards uniform.
Top-k keeps the k most probable tokens and renormalises. Generating is the chain rule run forwards:
draw x₁ from P(x₁), then x₂ from P(x₂ | x₁), and so on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax


def softmax_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z / T); at T = 0 (the limit) a one-hot vector on the argmax (ties: the first one)."""
    z = np.asarray(logits, dtype=float)
    if temperature <= 0:
        out = np.zeros_like(z)
        out[int(np.argmax(z))] = 1.0
        return out
    return softmax(z / temperature)


def top_k_filter(probs: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` largest probabilities and renormalise; k = 0 or k ≥ V keeps all of them."""
    probs = np.asarray(probs, dtype=float)
    if k <= 0 or k >= probs.size:
        return probs
    keep = np.argsort(-probs, kind="stable")[:k]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out / out.sum()


def sampling_distribution(logprobs: np.ndarray, temperature: float, top_k: int) -> np.ndarray:
    """The distribution a token is actually drawn from: temperature first, then top-k."""
    return top_k_filter(softmax_temperature(logprobs, temperature), top_k)


@dataclass(frozen=True)
class Choice:
    """One generated token: its id, the model's P(token | context) and the probability it was drawn with."""

    token: int
    p_model: float
    p_sampled: float


@dataclass(frozen=True)
class Generation:
    """A continuation, token by token, and how long it took."""

    choices: tuple[Choice, ...]
    seconds: float

    @property
    def ms_per_token(self) -> float:
        return 1000 * self.seconds / len(self.choices) if self.choices else float("nan")


def generate(next_logprobs: Callable[[Sequence[int]], np.ndarray], context: Sequence[int], n_tokens: int, *,
             temperature: float, top_k: int, rng: np.random.Generator) -> Generation:
    """Sample ``n_tokens`` tokens one at a time, each from P(next | everything so far)."""
    t0 = time.perf_counter()
    ids, choices = list(context), []
    for _ in range(n_tokens):
        logprobs = next_logprobs(ids)
        dist = sampling_distribution(logprobs, temperature, top_k)
        token = int(rng.choice(dist.size, p=dist))
        choices.append(Choice(token, float(np.exp(logprobs[token])), float(dist[token])))
        ids.append(token)
    return Generation(tuple(choices), time.perf_counter() - t0)


def tempered(probs: np.ndarray, temperature: float, top_k: int) -> np.ndarray:
    """``sampling_distribution`` from probabilities: P_T(j) ∝ P(j)^(1/T), then top-k."""
    with np.errstate(divide="ignore"):
        return sampling_distribution(np.log(np.asarray(probs, dtype=float)), temperature, top_k)


@dataclass(frozen=True)
class GenerateSettings:
    """How much "Generate" writes."""

    n_tokens: int = 20
