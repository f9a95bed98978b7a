"""One live-training mechanism for every lab that trains while you watch (GAN, backprop, next-token).

A ``LiveRunner`` owns a trainer (any object with ``step() -> None``, ``diverged() -> str | None``)
and, while training, calls ``trainer.step()`` in a per-session worker thread, so training goes on
between the page's redraws instead of only inside them. The page reads the trainer under
``runner.lock`` (``with runner.lock: snapshot = ...``, or ``runner.read(fn)``) and draws that
snapshot outside the lock.

The worker holds the lock while it trains, in slices of ``slice_s`` seconds, and gives the lock up
after the current step as soon as a reader asks for it: a redraw waits for one step, not a slice.

Python threads share one interpreter lock (GIL). Torch releases it inside every operation, and with
the default 5 ms switch interval a worker that wants it back can wait up to 5 ms per operation while
the page draws: a small network's step (a hundred operations) then crawls. ``start()`` lowers the
process's switch interval to ``SWITCH_INTERVAL`` (1 ms) so the two threads hand over quickly.

The thread touches only the trainer (torch objects), never Streamlit. It stops when paused, when the
trainer reports divergence (the message is kept in ``runner.message``), when a trainer's own
``done()`` says so, when ``step()`` raises (the error becomes the message), or when the page has not
drawn for ``idle_timeout`` seconds: a closed or abandoned browser session stops training by itself,
and its trainer is released with the session.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class Trainer(Protocol):
    """What a LiveRunner drives."""

    def step(self) -> None: ...

    def diverged(self) -> str | None: ...


class ReaderFirstLock:
    """A re-entrant lock that counts the threads waiting for it, so the worker can step aside.

    Used like ``threading.RLock`` (``with lock:``, ``acquire()``, ``release()``).
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._waiting = 0
        self._count = threading.Lock()

    @property
    def waiting(self) -> int:
        """How many threads are blocked in ``acquire`` right now."""
        return self._waiting

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        if not blocking:
            return False
        with self._count:
            self._waiting += 1
        try:
            return self._lock.acquire(timeout=timeout)
        finally:
            with self._count:
                self._waiting -= 1

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> ReaderFirstLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits (Python's default is 0.005)."""


class LiveRunner:
    """Train a ``Trainer`` in a background thread; pause, step and reset it from button callbacks."""

    def __init__(self, trainer: Trainer, *, idle_timeout: float = 20.0, slice_s: float = 0.05) -> None:
        self.trainer = trainer
        self.lock = ReaderFirstLock()
        self.message: str | None = None
        self.idle_timeout = idle_timeout
        self.slice_s = slice_s
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_seen = time.monotonic()
        self.iterations_trained = 0
        self.rate = 0.0
        """Training iterations per second of wall time while running (smoothed)."""

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
        if self._running.is_set() and self._thread is not None and self._thread.is_alive():
            return
        self._join()  # a worker that is just finishing (paused, idle) must end before a new one starts
        self.message = None
        self.heartbeat()
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self._running.set()
        self._thread = threading.Thread(target=self._work, name="live-trainer", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop training; returns once the current iteration has finished."""
        self._running.clear()
        self._join()

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
            try:
                self.trainer.step()
            except Exception as err:  # a bad setting must not crash the page
                self.message = _error_message(err)
                return
            self.iterations_trained += 1
            self.message = self.trainer.diverged()

    def replace(self, trainer: Trainer) -> None:
        """Swap in a new trainer (Reset, or a changed architecture): pauses first."""
        self.pause()
        with self.lock:
            self.trainer = trainer
            self.message = None
            self.iterations_trained = 0
            self.rate = 0.0

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """Call ``fn(trainer)`` under the lock: the way a page takes a consistent snapshot."""
        with self.lock:
            return fn(self.trainer)

    def _join(self) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and thread.is_alive():
            thread.join(timeout=5.0)

    # -- the worker -----------------------------------------------------------------------------------
    def _work(self) -> None:
        started, first = time.perf_counter(), self.iterations_trained
        while self._running.is_set():
            if time.monotonic() - self._last_seen > self.idle_timeout:
                self._running.clear()
                break
            deadline = time.perf_counter() + self.slice_s
            with self.lock:
                trainer = self.trainer
                while self._running.is_set():
                    try:
                        trainer.step()
                    except Exception as err:  # stop with a message instead of dying silently
                        self.message = _error_message(err)
                        self._running.clear()
                        break
                    self.iterations_trained += 1
                    problem = trainer.diverged()
                    if problem:
                        self.message = problem
                        self._running.clear()
                        break
                    done = getattr(trainer, "done", None)
                    if done is not None and done():
                        self._running.clear()
                        break
                    if self.lock.waiting or time.perf_counter() >= deadline:
                        break  # a reader is waiting (the page wants to draw), or the slice is over
            elapsed = time.perf_counter() - started
            if elapsed > 0.5:
                self.rate = (self.iterations_trained - first) / elapsed
            # Let a waiting reader take the lock before the next slice.
            time.sleep(0.0005 if not self.lock.waiting else 0.002)


def _error_message(err: Exception) -> str:
    return f"Training stopped: {type(err).__name__}: {err}. Change the settings or press Reset."
