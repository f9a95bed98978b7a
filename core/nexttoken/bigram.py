"""A count-based bigram model: P(next | previous) read straight off a table of counts.

An explicit generative model you can read: P(x₁ … xₙ) ≈ P(x₁) Πₜ P(xₜ | xₜ₋₁). With add-α smoothing
(Lidstone; α = 1 is Laplace),

    P(next = j | previous = i) = (c_ij + α) / (Σ_k c_ik + α V),

so a pair never seen in the text still gets a small probability instead of zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

ALPHA = 0.01
"""Default smoothing: small, so the table stays close to the counts."""


@dataclass
class Bigram:
    """Add-α smoothed bigram model; ``fit`` learns ``counts_`` and ``probs_`` (rows: previous token)."""

    alpha: float = ALPHA
    counts_: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    probs_: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    def fit(self, ids: np.ndarray, vocab_size: int) -> Bigram:
        """Count every adjacent pair (ids[t], ids[t+1]) and normalise each row (with smoothing)."""
        ids = np.asarray(ids, dtype=np.int64)
        pairs = ids[:-1] * vocab_size + ids[1:]
        self.counts_ = np.bincount(pairs, minlength=vocab_size * vocab_size).reshape(vocab_size, vocab_size)
        smoothed = self.counts_ + self.alpha
        totals = smoothed.sum(axis=1, keepdims=True)
        # A row with no counts and α = 0 has no data: fall back to uniform rather than 0/0.
        with np.errstate(invalid="ignore", divide="ignore"):
            self.probs_ = np.where(totals > 0, smoothed / totals, 1.0 / vocab_size)
        return self

    def next_probs(self, context: Sequence[int]) -> np.ndarray:
        """P(next | last token of ``context``): the row of the table (uniform if the context is empty)."""
        if len(context) == 0:
            return np.full(self.probs_.shape[1], 1.0 / self.probs_.shape[1])
        return self.probs_[int(context[-1])]

    def next_logprobs(self, context: Sequence[int]) -> np.ndarray:
        """log P(next | last token), -inf where the probability is exactly 0 (only when α = 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.next_probs(context))

    def batch_next_probs(self, contexts: Sequence[Sequence[int]]) -> np.ndarray:
        """(N, V): P(next | context) for a batch of contexts (only each one's last token matters)."""
        return np.stack([self.next_probs(c) for c in contexts]) if contexts else np.zeros((0, self.probs_.shape[1]))
