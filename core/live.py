"""One live-training mechanism for every lab that trains while you watch (GAN, backprop, next-token).

A ``LiveRunner`` owns a trainer (any object with ``step() -> None``, ``diverged() -> str | None``)
and, while training, calls ``trainer.step()`` in a per-session worker thread, so training goes on
between the page's redraws instead of only inside them. The page reads the trainer under
``runner.lock`` (``with runner.lock: snapshot = ...``) and draws that snapshot.

The thread touches only the trainer (torch objects), never Streamlit. It stops when paused, when the
trainer reports divergence (the message is kept in ``runner.message``), when a trainer's own
``done()`` says so, or when the page has not drawn for ``idle_timeout`` seconds: a closed or
abandoned browser session stops training by itself, and its trainer is released with the session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class Trainer(Protocol):
    """What a LiveRunner drives."""

    def step(self) -> None: ...

    def diverged(self) -> str | None: ...


class LiveRunner:
    """Train a ``Trainer`` in a background thread; pause, step and reset it from button callbacks."""

    def __init__(self, trainer: Trainer, *, idle_timeout: float = 20.0, slice_s: float = 0.05) -> None:
        self.trainer = trainer
        self.lock = threading.RLock()
        self.message: str | None = None
        self.idle_timeout = idle_timeout
        self.slice_s = slice_s
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_seen = time.monotonic()
        self.iterations_trained = 0

    # -- state --------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the worker thread is training."""
        return self._running.is_set()

    def heartbeat(self) -> None:
        """Called by every draw: the page is still open."""
        self._last_seen = time.monotonic()

    # -- controls (button callbacks) ------------------------------------------------------------------
    def start(self) -> None:
        """Start training in the background (no-op if already running or the trainer diverged)."""
        with self.lock:
            problem = self.trainer.diverged()
        if problem:
            self.message = problem
            return
        self.message = None
        self.heartbeat()
        if self._thread is not None and self._thread.is_alive():
            self._running.set()
            return
        self._running.set()
        self._thread = threading.Thread(target=self._work, name="live-trainer", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop training; returns once the current iteration has finished."""
        self._running.clear()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def toggle(self) -> None:
        """Train/Pause as one button."""
        if self.running:
            self.pause()
        else:
            self.start()

    def step_once(self) -> None:
        """Exactly one training iteration (pausing first if training)."""
        self.pause()
        with self.lock:
            problem = self.trainer.diverged()
            if problem:
                self.message = problem
                return
            self.trainer.step()
            self.iterations_trained += 1
            self.message = self.trainer.diverged()

    def replace(self, trainer: Trainer) -> None:
        """Swap in a new trainer (Reset, or a changed architecture): pauses first."""
        self.pause()
        with self.lock:
            self.trainer = trainer
            self.message = None
            self.iterations_trained = 0

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """Call ``fn(trainer)`` under the lock: the way a page takes a consistent snapshot."""
        with self.lock:
            return fn(self.trainer)

    # -- the worker -----------------------------------------------------------------------------------
    def _work(self) -> None:
        while self._running.is_set():
            if time.monotonic() - self._last_seen > self.idle_timeout:
                self._running.clear()
                break
            deadline = time.perf_counter() + self.slice_s
            with self.lock:
                while self._running.is_set() and time.perf_counter() < deadline:
                    self.trainer.step()
                    self.iterations_trained += 1
                    problem = self.trainer.diverged()
                    if problem:
                        self.message = problem
                        self._running.clear()
                        break
                    done = getattr(self.trainer, "done", None)
                    if done is not None and done():
                        self._running.clear()
                        break
            # Let a waiting reader (the page's draw) take the lock between slices.
            time.sleep(0.0005)
