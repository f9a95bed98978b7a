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
import weakref
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


# --------------------------------------------------------------------------------------------------
# The same controls for a trainer that lives in its own process
# --------------------------------------------------------------------------------------------------
class ProcessRunner:
    """LiveRunner's controls for a trainer built and trained in a child process of its own.

    A thread in the server shares the interpreter lock with the page: while the page draws, a
    small network's step (a hundred torch calls, each giving the lock up and waiting to get it back)
    slows to a crawl, and a busy server slows every session's training. A child process has its own
    interpreter: it trains at the speed of a bare loop while the page draws from snapshots.

    ``ProcessRunner(factory, *args)`` builds the trainer in the child as ``factory(*args)`` (both
    must pickle: a module-level function and plain data). The controls are LiveRunner's (``running``,
    ``message``, ``iterations_trained``, ``rate``, ``start``, ``pause``, ``toggle``, ``step_once``,
    ``heartbeat``); ``replace(factory, *args)`` builds a new trainer; ``call(name, *args)`` returns
    ``trainer.name(*args)`` (or the attribute ``trainer.name``) computed in the child, and
    ``read(fn)`` returns ``fn(trainer)`` for a picklable ``fn``. The child trains until paused, until
    the trainer diverges or is done, or until no heartbeat came for ``idle_timeout`` seconds; it exits
    when the runner is garbage-collected (the browser session closed) or the server ends.
    Children are forked from a forkserver that imports ``preload`` once, so a new one starts at once.
    """

    def __init__(self, factory: Callable[..., Trainer], *args: Any, idle_timeout: float = 20.0,
                 preload: tuple[str, ...] = ()) -> None:
        ctx = _forkserver(preload)
        self.idle_timeout = idle_timeout
        self.lock = threading.RLock()
        self.message: str | None = None
        self._iterations = ctx.Value("q", 0, lock=False)
        self._running = ctx.Value("b", 0, lock=False)
        self._rate = ctx.Value("d", 0.0, lock=False)
        self._seen = ctx.Value("d", time.time(), lock=False)
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve, name="live-trainer", daemon=True,
            args=(child, factory, args, self._iterations, self._running, self._rate, self._seen, idle_timeout),
        )
        self._process.start()
        child.close()
        self._finalizer = weakref.finalize(self, _shut_down, self._process, self._conn)
        self._rpc("ping")  # wait until the trainer is built (and report a factory error)

    # -- state ------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the child is training."""
        return bool(self._running.value)

    @property
    def iterations_trained(self) -> int:
        return int(self._iterations.value)

    @property
    def rate(self) -> float:
        """Training iterations per second while running (measured in the child)."""
        return float(self._rate.value)

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def heartbeat(self) -> None:
        """Called by every draw: the page is still open."""
        self._seen.value = time.time()

    # -- controls -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start training in the child (no-op if running; refused with a message if the trainer diverged)."""
        self.heartbeat()
        self._rpc("start")

    def pause(self) -> None:
        """Stop training; returns once the current iteration has finished."""
        self._rpc("pause")

    def toggle(self) -> None:
        """Train/Pause as one button."""
        self.pause() if self.running else self.start()

    def step_once(self) -> None:
        """Exactly one training iteration (pausing first if training)."""
        self._rpc("step")

    def replace(self, factory: Callable[..., Trainer], *args: Any) -> None:
        """Pause and build a new trainer ``factory(*args)`` in the child (Reset, a changed architecture)."""
        self._rpc("replace", factory, args)

    def call(self, name: str, *args: Any) -> Any:
        """``trainer.name(*args)`` in the child, or the attribute ``trainer.name`` if it is not callable."""
        return self._rpc("call", name, args)

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """``fn(trainer)`` in the child (``fn`` must pickle: a module-level function, not a lambda)."""
        return self._rpc("read", fn)

    def close(self) -> None:
        """End the child now (it also ends when the runner is garbage-collected)."""
        self._finalizer()

    def _rpc(self, command: str, *args: Any) -> Any:
        with self.lock:
            if not self._process.is_alive():
                self.message = "The training process has ended. Reload the page to start a new one."
                return None
            try:
                self._conn.send((command, args))
                ok, result, message = self._conn.recv()
            except (EOFError, OSError):
                self.message = "The training process has ended. Reload the page to start a new one."
                return None
        self.message = message
        if not ok:
            raise RuntimeError(result)
        return result


_PRELOAD: set[str] = set()


def _forkserver(preload: tuple[str, ...]) -> Any:
    """The forkserver context; modules to preload count only before its first child starts.

    Where there is no forkserver (Windows), children are spawned: they start slower (each imports
    what it needs) but work the same.
    """
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    if not set(preload) <= _PRELOAD:
        _PRELOAD.update(preload)
        ctx.set_forkserver_preload(sorted(_PRELOAD))
    return ctx


def _shut_down(process: Any, conn: Any) -> None:
    try:
        conn.send(("stop", ()))
    except (OSError, ValueError):
        pass
    process.join(timeout=2.0)
    if process.is_alive():
        process.kill()
        process.join(timeout=2.0)
    conn.close()


def _serve(conn: Any, factory: Callable[..., Trainer], args: tuple, iterations: Any, running: Any, rate: Any,
           seen: Any, idle_timeout: float) -> None:
    """The child: build the trainer, then answer commands, training between them while running."""
    message: str | None = None
    trainer: Any = None
    try:
        trainer = factory(*args)
    except Exception as err:
        message = _error_message(err)

    mark = [time.perf_counter(), iterations.value]  # for the rate: when, and how many iterations then

    def train_until_asked() -> str | None:
        while running.value and not conn.poll():
            try:
                trainer.step()
            except Exception as err:
                running.value = 0
                return _error_message(err)
            iterations.value += 1
            problem = trainer.diverged()
            if problem:
                running.value = 0
                return problem
            done = getattr(trainer, "done", None)
            if done is not None and done():
                running.value = 0
            elif iterations.value % 16 == 0 and time.time() - seen.value > idle_timeout:
                running.value = 0  # the page has not drawn for a while: it is closed or hidden
            now = time.perf_counter()
            if now - mark[0] > 1.0:
                rate.value = (iterations.value - mark[1]) / (now - mark[0])
                mark[:] = [now, iterations.value]
        return None

    while True:
        if running.value and not conn.poll():
            message = train_until_asked() or message
            continue
        try:
            command, args = conn.recv()
        except (EOFError, OSError):
            return
        if command == "stop":
            return
        ok, result = True, None
        try:
            if trainer is None and command not in ("replace", "ping"):
                raise RuntimeError(message or "no trainer")
            if command == "start":
                problem = trainer.diverged()
                if problem:
                    message = problem
                else:
                    message = None
                    seen.value = time.time()
                    mark[:] = [time.perf_counter(), iterations.value]
                    running.value = 1
            elif command == "pause":
                running.value = 0
            elif command == "step":
                running.value = 0
                problem = trainer.diverged()
                if problem:
                    message = problem
                else:
                    trainer.step()
                    iterations.value += 1
                    message = trainer.diverged()
            elif command == "replace":
                running.value = 0
                new_factory, new_args = args
                trainer, message = new_factory(*new_args), None
                iterations.value = 0
                rate.value = 0.0
            elif command == "call":
                name, call_args = args
                attribute = getattr(trainer, name)
                result = attribute(*call_args) if callable(attribute) else attribute
            elif command == "read":
                result = args[0](trainer)
        except Exception as err:  # answer with the error; the child keeps serving
            ok, result = False, f"{type(err).__name__}: {err}"
            if command in ("step", "start"):
                message = _error_message(err)
                ok = True
        try:
            conn.send((ok, result, message))
        except (OSError, ValueError):
            return
