"""A bounded training history: the whole run in at most ``capacity`` rows, whatever its length.

A live trainer records one row per step (the step number, then its values). Kept as a list, a run
left training for an hour grows without bound, and so does every snapshot a worker publishes. Here,
when the buffer is full, neighbouring rows are merged in pairs and from then on each row stands for
twice as many steps (the same halving as ``core.gan.model.History``): memory and snapshot size stay
bounded, the curve still spans the whole run, and the newest row is always shown as it is now.

Two ways to merge: ``mean=True`` averages the values of the steps a row stands for (a noisy
minibatch loss becomes the mean of its steps, as the chart's buckets do), ``mean=False`` keeps the
first row of each pair (values measured on the whole data set, like a train MSE after a step, are
not noisy: a sample of them keeps the curve, and step 0 stays the first row).
"""

from __future__ import annotations

import numpy as np


class History:
    """Rows ``(step, value, ...)`` in a buffer of ``capacity`` rows that merges pairs when full."""

    def __init__(self, n_values: int, capacity: int = 512, *, mean: bool = False) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self.mean = mean
        self._rows = np.zeros((capacity, 1 + n_values), dtype=np.float64)
        self._n = 0  # completed rows
        self.stride = 1  # steps per completed row
        self._count = 0  # steps in the row being filled
        self._bucket = np.zeros(1 + n_values)  # the row being filled: first row (sample) or running sum (mean)
        self._last = np.zeros(1 + n_values)  # the newest row as added
        self.added = 0  # rows ever added

    def add(self, step: float, *values: float) -> None:
        """Record one step's values."""
        row = np.array((step, *values), dtype=np.float64)
        self._last = row
        self.added += 1
        if self._count == 0:
            self._bucket = row.copy()
        elif self.mean:
            self._bucket[1:] += row[1:]  # a running sum; the row's step is its newest
            self._bucket[0] = row[0]
        self._count += 1
        if self._count < self.stride:
            return
        done = self._bucket.copy()
        if self.mean:
            done[1:] /= self._count
        self._count = 0
        if self._n == self.capacity:
            self._merge()
            # the row just completed covers half a new row: it is where the next one starts filling
            self._bucket = done.copy()
            if self.mean:
                self._bucket[1:] *= self.stride // 2
            self._count = self.stride // 2
            return
        self._rows[self._n] = done
        self._n += 1

    def _merge(self) -> None:
        rows = self._rows
        half = self.capacity // 2
        if self.mean:
            merged = np.empty((half, rows.shape[1]))
            merged[:, 0] = rows[1::2, 0]  # a row's step is the last step it stands for
            merged[:, 1:] = 0.5 * (rows[0::2, 1:] + rows[1::2, 1:])
        else:
            merged = rows[0::2].copy()  # a row's step is the first step it stands for
        rows[:half] = merged
        self._n = half
        self.stride *= 2

    def __len__(self) -> int:
        return len(self.array())

    def array(self) -> np.ndarray:
        """(n, 1 + n_values) float64: the completed rows, then the newest state (the row still filling,
        averaged so far with ``mean``, else the newest row as added). At most ``capacity + 1`` rows."""
        rows = [self._rows[: self._n]]
        if self._count:
            if self.mean:
                partial = self._bucket.copy()
                partial[1:] /= self._count
                partial[0] = self._last[0]
                rows.append(partial[None])
            else:
                rows.append(self._last[None])
        elif not self.mean and self._n and self.added and not np.array_equal(self._rows[self._n - 1], self._last):
            rows.append(self._last[None])
        return np.concatenate(rows)

    def column(self, i: int) -> list[float]:
        """Column ``i`` of ``array()`` (0 is the step) as a list."""
        return self.array()[:, i].tolist()

    def last(self) -> np.ndarray:
        """The newest row as added."""
        return self._last.copy()
