"""A small thread-safe LRU shared by every session of the server: fits, figures and pictures that are
the same for everyone are made once (Streamlit's st.cache_data would pickle and copy them on every read);
and ``fingerprint``, the one way to make a short cache key from arrays and the settings beside them."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np


def fingerprint(*parts: Any) -> str:
    """A short hash (24 hex digits, BLAKE2b) of arrays, strings, numbers and sequences of them: a cache key.

    An array counts by its shape, dtype and values (not by its memory layout); the parts are framed, so
    ``("ab", "c")`` and ``("a", "bc")``, or one array split in two places, give different keys.
    """
    h = hashlib.blake2b(digest_size=12)
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def _feed(h: Any, part: Any) -> None:
    if isinstance(part, np.generic):
        part = part.item()  # a numpy scalar counts as the Python number it equals
    if isinstance(part, np.ndarray):
        a = np.ascontiguousarray(part)
        h.update(f"a{a.shape}{a.dtype.str}:{a.nbytes}:".encode())
        h.update(a.tobytes())
    elif isinstance(part, (tuple, list)):
        h.update(f"t{len(part)}:".encode())
        for item in part:
            _feed(h, item)
    elif isinstance(part, str):
        raw = part.encode()
        h.update(f"s{len(raw)}:".encode() + raw)
    elif isinstance(part, bytes):
        h.update(f"b{len(part)}:".encode() + part)
    else:
        text = repr(part).encode()  # None, bool, int, float, frozen dataclasses: a stable repr
        h.update(f"r{type(part).__name__}{len(text)}:".encode() + text)


class Memo:
    """``memo(key, make)`` returns the value kept under ``key``, or makes it with ``make()`` and keeps it.

    With ``owner=obj`` the entry belongs to that very object (keyed by its id, checked by a weak
    reference), so a value derived from an object (a figure of a fitted panel) is reused for as long as
    that object lives and never handed to a newer object that happens to get the same id. The least
    recently used entries go beyond ``size``.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[weakref.ref | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, key: Hashable, make: Callable[[], Any], owner: Any = None) -> Any:
        full = key if owner is None else (id(owner), key)
        with self._lock:
            hit = self._entries.get(full)
            if hit is not None and (owner is None or hit[0]() is owner):
                self._entries.move_to_end(full)
                return hit[1]
        value = make()
        with self._lock:
            self._entries[full] = (None if owner is None else weakref.ref(owner), value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __contains__(self, key: Hashable) -> bool:
        return self.has(key)

    def has(self, key: Hashable, owner: Any = None) -> bool:
        """Whether ``memo(key, make, owner=owner)`` would return a kept value without calling ``make``."""
        full = key if owner is None else (id(owner), key)
        with self._lock:
            hit = self._entries.get(full)
            return hit is not None and (owner is None or hit[0]() is owner)


def map_uncached(pool: Executor, items: Sequence[Hashable], one: Callable[[Any], Any], cached: Callable[[Any], bool],
                 first: Callable[[Any], Any] | None = None) -> list[Any]:
    """``[one(x) for x in items]``, where the items not ``cached`` run on ``pool`` (submitted in the order of the
    key ``first``, if given) and the cached ones are read in the calling thread. With fewer than two to make,
    everything runs in the calling thread (handing one job to a pool gains nothing)."""
    missing = [x for x in items if not cached(x)]
    if len(missing) <= 1:
        return [one(x) for x in items]
    if first is not None:
        missing.sort(key=first)
    made = dict(zip(missing, pool.map(one, missing), strict=True))
    return [made[x] if x in made else one(x) for x in items]
