"""One training service per server: a few worker processes shared by every session's trainers.

A page holds a ``TrainerHandle``: it asks for a trainer ``factory(*args)`` (a module-level function and
plain, picklable settings), and from then on sends queued commands (start, pause, step, ``send`` a
live setting) and reads the newest published snapshot. Nothing a page does waits on a busy worker:
commands go to a per-worker sender thread, snapshots arrive on a reader thread, and the one wait there
is (``wait``, after a click) has a timeout.

The pool (``get_pool()``, one per server process, started on first use):
- **workers**: ``size`` processes (default: the cores this process may run on), each started when a
  trainer needs it and ended when it has hosted nothing for ``worker_idle_s``;
- **placement**: a new trainer goes to the worker with the fewest trainers (a Reset may move it);
- **a cap** of ``max_trainers``; past it, handles wait in a first-come queue (``queue_position``);
- **clean-up**: a trainer is released when its handle is garbage-collected, when its browser session
  has been gone for ``session_grace_s`` (``session_alive`` is told by the app: Streamlit's runtime),
  or when its page has not drawn for ``idle_release_s``;
- **stalled views**: a running trainer whose session is connected but whose page has not drawn for
  ``stall_s`` (15 s; a live view draws at least every 8 s) gets its page run again (``on_stall``, told by the app:
  a run of the whole page that reached the browser cut short leaves the view without its timer);
- **faults**: a worker that dies (killed, crashed, or ended by its watchdog for a hung step) is
  replaced; every trainer it hosted is rebuilt from its settings on a live worker, paused at step 0,
  with a message saying so (the trainer whose step hung is left stopped: its settings hang).

Settings come from the environment (``PLAYGROUND_TRAINING_WORKERS``, ``PLAYGROUND_MAX_TRAINERS``,
``PLAYGROUND_IDLE_RELEASE_S``, ``PLAYGROUND_STALL_S``; ``PLAYGROUND_POOL_STATS``, a file the pool writes its counts to every second):
on Streamlit Community Cloud, top-level secrets become environment
variables, so a host sets them in the app's secrets.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

WORKER_LOST = ("The training worker this model ran on stopped, so the model was rebuilt from its settings and "
               "starts again from step 0. Press ▶ Train to go on.")
RELEASED_IDLE = ("This model was put away because its page was not open for {minutes:.0f} minutes (the server's "
                 "memory is shared by the whole class). Press ↺ Reset to start a new one.")
HUNG = "Training stopped: {why}, so its worker was restarted. Change the settings and press ↺ Reset."
NO_WORKER = "The training service is not answering. Wait a moment, then press ↺ Reset."


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@dataclass
class PoolSettings:
    size: int = 0
    """Worker processes (0: one per core this process may use)."""
    max_trainers: int = 0
    """Trainers alive at once, server-wide (0: the default below)."""
    idle_release_s: float = 0.0
    """A trainer whose page has not drawn for this long is released."""
    session_grace_s: float = 30.0
    """A trainer whose browser session has been disconnected this long is released."""
    redraw_budget: float = 0.15
    """Cores the server process may use while sessions train (pages, live redraws, everything): past it, live
    pages redraw less often, and training, on the workers, gets the rest."""
    worker_idle_s: float = 15.0
    """A worker with no trainer for this long ends (its memory goes back to the system)."""
    stall_s: float = 0.0
    """A running trainer's connected page that has not drawn for this long is run again (``Pool.on_stall``; 0: the
    default below)."""
    preload: tuple[str, ...] = ("torch", "torch._dynamo", "core.gan.model", "core.backprop.mlp", "core.nexttoken.gpt")

    def resolved(self) -> PoolSettings:
        return PoolSettings(
            size=self.size or _env_int("PLAYGROUND_TRAINING_WORKERS", usable_cores()),
            max_trainers=self.max_trainers or _env_int("PLAYGROUND_MAX_TRAINERS", 120),
            idle_release_s=self.idle_release_s or float(os.environ.get("PLAYGROUND_IDLE_RELEASE_S", 300)),
            session_grace_s=self.session_grace_s, redraw_budget=self.redraw_budget, worker_idle_s=self.worker_idle_s,
            stall_s=self.stall_s or float(os.environ.get("PLAYGROUND_STALL_S", 15)), preload=self.preload)


LOG = logging.getLogger("core.training")


# --------------------------------------------------------------------------------------------------
# Server-side state of one trainer
# --------------------------------------------------------------------------------------------------
class _Slot:
    def __init__(self, sid: int, factory: Callable, args: tuple, session_id: str | None, lab: str,
                 page: str | None = None) -> None:
        self.sid = sid
        self.factory, self.args = factory, args
        self.session_id, self.lab, self.page = session_id, lab, page
        self.worker: _Worker | None = None
        self.seq = 0  # commands sent
        self.control_seq = 0  # the last start/pause/step/build sent
        self.real_seq = 0  # the last command that is not a request for a snapshot
        self.generation = 0  # trainers built for this slot so far (Reset, new settings, a lost worker)
        self.desired_running = False
        self.status: dict[str, Any] = {"running": False, "steps": 0, "rate": 0.0, "message": None, "acked": 0,
                                       "built": False, "cpu_s": 0.0}
        self.snapshot: Any = None
        self.snapshot_seq = -1  # the command sequence the snapshot had seen
        self.note: str | None = None  # a message from the pool itself (rebuilt, released, queued)
        self.released = False
        self.last_drawn = time.monotonic()
        self.last_stall_kick = 0.0
        self.session_gone_since: float | None = None
        self.changed = threading.Condition()


class _Worker:
    """One worker process, its socket, a sender thread and a reader thread."""

    def __init__(self, pool: Pool, index: int) -> None:
        self.pool, self.index = pool, index
        parent, child = socket.socketpair()
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.training.worker", str(child.fileno()), *pool.settings.preload],
            pass_fds=(child.fileno(),), cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL)
        child.close()
        self.conn = Connection(parent.detach())
        self.slots: set[int] = set()
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.alive = True
        self.priority = "?"
        self.hung: dict[int, str] = {}
        self.empty_since: float | None = time.monotonic()
        threading.Thread(target=self._send_loop, name=f"training-send-{index}", daemon=True).start()
        threading.Thread(target=self._read_loop, name=f"training-read-{index}", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def post(self, message: tuple) -> None:
        self.outbox.put(message)

    def _send_loop(self) -> None:
        while True:
            message = self.outbox.get()
            if message is None:
                return
            try:
                self.conn.send(message)
            except (OSError, ValueError):
                return  # the reader sees the end and reports it

    def _read_loop(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError, ValueError):
                break
            except Exception:  # a snapshot that does not unpickle here: skip it, keep reading
                continue
            kind = message[0]
            if kind == "state":
                self.pool._on_state(self, *message[1:])
            elif kind == "hello":
                self.priority = message[2]
            elif kind == "hung":
                self.hung[message[1]] = message[2]
            elif kind == "answer":
                self.pool._on_answer(*message[1:])
        self.alive = False
        self.outbox.put(None)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.conn.close()
        self.pool._on_worker_end(self)

    def stop(self) -> None:
        self.post(("exit",))


# --------------------------------------------------------------------------------------------------
# The pool
# --------------------------------------------------------------------------------------------------
class Pool:
    def __init__(self, settings: PoolSettings | None = None) -> None:
        self.settings = (settings or PoolSettings()).resolved()
        self.lock = threading.RLock()
        self.slots: dict[int, _Slot] = {}
        self.queue: deque[int] = deque()
        self.workers: list[_Worker] = []
        self._ids = itertools.count(1)
        self._worker_ids = itertools.count()
        self._answers: dict[int, tuple[list, threading.Event]] = {}
        self.session_alive: Callable[[str], bool | None] = lambda session_id: None
        """Tells whether a browser session is still connected (None: cannot tell); set by the app."""
        self.on_stall: Callable[[str, str | None], None] = lambda session_id, page: None
        """Runs a session's page (``page``: where its trainer's view is) again; set by the app."""
        self.closed = False
        self.redraw_cost_s = 0.02
        """Smoothed server CPU seconds one live redraw costs (measured by the page)."""
        self.server_load = 0.0
        """Smoothed CPU this server process uses (cores; every thread: pages, redraws, sending), while training."""
        self.draws = 0
        """Live draws so far, all sessions (for the benchmark: redraws per second)."""
        self.stretch = 1.0
        """How much longer than its own interval a live page waits between redraws (1 alone, more under load)."""
        threading.Thread(target=self._monitor, name="training-monitor", daemon=True).start()

    # -- slots --------------------------------------------------------------------------------------------
    def open(self, factory: Callable, args: tuple, session_id: str | None, lab: str, page: str | None = None) -> _Slot:
        with self.lock:
            slot = _Slot(next(self._ids), factory, args, session_id, lab, page)
            self.slots[slot.sid] = slot
            if self.active_count() > self.settings.max_trainers:
                self.queue.append(slot.sid)
            else:
                self._place(slot)
            return slot

    def active_count(self) -> int:
        return sum(1 for s in self.slots.values() if not s.released)

    def placed_count(self) -> int:
        return sum(1 for s in self.slots.values() if s.worker is not None)

    def queue_position(self, slot: _Slot) -> int | None:
        with self.lock:
            try:
                return self.queue.index(slot.sid) + 1
            except ValueError:
                return None

    def _place(self, slot: _Slot) -> None:
        """Build ``slot``'s trainer on the least-loaded live worker (starting one if there are fewer than ``size``)."""
        live = [w for w in self.workers if w.alive]
        if len(live) < self.settings.size and (not live or min(len(w.slots) for w in live) > 0):
            worker = _Worker(self, next(self._worker_ids))
            self.workers.append(worker)
        else:
            worker = min(live, key=lambda w: len(w.slots))
        slot.worker = worker
        worker.slots.add(slot.sid)
        worker.empty_since = None
        slot.generation += 1
        self.command(slot, "build", slot.factory, slot.args, control=True)

    def command(self, slot: _Slot, kind: str, *args: Any, control: bool = False) -> None:
        with self.lock:
            slot.seq += 1
            if control:
                slot.control_seq = slot.seq
            if kind != "want":
                slot.real_seq = slot.seq
            if slot.worker is not None and slot.worker.alive:
                slot.worker.post((kind, slot.sid, slot.seq, *args))

    def rebuild(self, slot: _Slot, factory: Callable, args: tuple) -> None:
        """A new trainer for ``slot`` (Reset, new settings): on the least-loaded worker, paused at step 0."""
        with self.lock:
            slot.factory, slot.args, slot.note = factory, args, None
            slot.desired_running = False
            slot.snapshot, slot.snapshot_seq = None, -1
            if slot.released:
                slot.released = False
                slot.last_drawn = time.monotonic()
                if self.active_count() > self.settings.max_trainers:
                    self.queue.append(slot.sid)
                    return
            if slot.sid in self.queue:
                return
            if slot.worker is not None:
                self._unplace(slot)
            self._place(slot)

    def _unplace(self, slot: _Slot) -> None:
        worker, slot.worker = slot.worker, None
        if worker is not None:
            worker.slots.discard(slot.sid)
            if worker.alive:
                worker.post(("close", slot.sid, 0))
            if not worker.slots:
                worker.empty_since = time.monotonic()

    def release(self, sid: int, note: str | None = None, *, forget: bool = False) -> None:
        """Free ``sid``'s trainer (its handle may build a new one with ``rebuild``); ``forget``: the handle is gone."""
        with self.lock:
            slot = self.slots.get(sid)
            if slot is None:
                return
            if sid in self.queue:
                self.queue.remove(sid)
            self._unplace(slot)
            slot.released, slot.note = True, note
            slot.desired_running = False
            slot.snapshot = None
            slot.status = dict(slot.status, running=False)
            if forget:
                del self.slots[sid]
            self._admit()
        with slot.changed:
            slot.changed.notify_all()

    def _admit(self) -> None:
        while self.queue and self.placed_count() < self.settings.max_trainers:
            slot = self.slots.get(self.queue.popleft())
            if slot is not None and not slot.released:
                self._place(slot)

    # -- questions for a trainer (tests, tools; pages draw snapshots) ------------------------------------
    def ask(self, slot: _Slot, what: Any, args: tuple, timeout: float) -> Any:
        token = next(self._ids)
        answer: list[Any] = []
        done = threading.Event()
        self._answers[token] = (answer, done)
        try:
            self.command(slot, "ask", what, args, token)
            if not done.wait(timeout):
                raise TimeoutError(f"the training worker did not answer within {timeout:g} s")
        finally:
            self._answers.pop(token, None)
        ok, value = answer
        if not ok:
            raise RuntimeError(value)
        return value

    def _on_answer(self, token: int, ok: bool, value: Any) -> None:
        waiting = self._answers.get(token)
        if waiting is not None:
            waiting[0][:] = [ok, value]
            waiting[1].set()

    # -- from the workers -----------------------------------------------------------------------------
    def _on_state(self, worker: _Worker, sid: int, status: dict, snapshot: Any, took: bool) -> None:
        slot = self.slots.get(sid)
        if slot is None or slot.worker is not worker:
            return
        with slot.changed:
            slot.status = status
            if took:
                slot.snapshot, slot.snapshot_seq = snapshot, status["acked"]
            slot.changed.notify_all()

    def _on_worker_end(self, worker: _Worker) -> None:
        with self.lock:
            if worker in self.workers:
                self.workers.remove(worker)
            orphans = [self.slots[sid] for sid in worker.slots if sid in self.slots]
            worker.slots.clear()
            if self.closed:
                return
            for slot in orphans:
                slot.worker = None
                why = worker.hung.get(slot.sid)
                if why is not None:  # its step hung: keep it stopped, its settings would hang again
                    slot.snapshot = None
                    slot.status = dict(slot.status, running=False, message=HUNG.format(why=why))
                    slot.desired_running = False
                    slot.control_seq = slot.seq
                    slot.status["acked"] = slot.seq
                    continue
                slot.desired_running = False
                slot.snapshot, slot.snapshot_seq = None, -1
                self._place(slot)
                slot.note = WORKER_LOST
        for slot in orphans:
            with slot.changed:
                slot.changed.notify_all()

    # -- redraw budget --------------------------------------------------------------------------------
    def live_count(self, within_s: float = 10.0) -> int:
        """Sessions drawing a running trainer now (drawn within ``within_s``: a loaded page draws every 8 s)."""
        now = time.monotonic()
        with self.lock:
            return sum(1 for s in self.slots.values()
                       if (s.status.get("running") or s.desired_running) and now - s.last_drawn < within_s)

    def pace(self, load: float) -> None:
        """Feed back the server's CPU use (cores, over the last second) into the pace of live redraws.

        While sessions train, the server process may use ``settings.redraw_budget`` of a core; above it, live
        pages redraw less often (up to 30 × their own interval), below 80 % of it they speed up again."""
        self.server_load = 0.6 * self.server_load + 0.4 * load
        budget = self.settings.redraw_budget
        if not self.live_count():
            self.stretch = 1.0
        elif self.server_load > budget:
            self.stretch = min(30.0, self.stretch * min(2.0, (self.server_load / budget) ** 0.5))
        elif self.server_load < 0.8 * budget:
            self.stretch = max(1.0, self.stretch * 0.9)

    def note_redraw(self, cpu_s: float) -> None:
        self.redraw_cost_s = 0.9 * self.redraw_cost_s + 0.1 * max(0.0, cpu_s)

    # -- housekeeping ---------------------------------------------------------------------------------
    def _monitor(self) -> None:
        stats_file = os.environ.get("PLAYGROUND_POOL_STATS")
        mark = (time.monotonic(), time.process_time())
        while not self.closed:
            time.sleep(1.0)
            try:
                now = (time.monotonic(), time.process_time())
                self.pace((now[1] - mark[1]) / max(1e-3, now[0] - mark[0]))
                mark = now
                self.sweep()
                if stats_file:  # for operators and the classroom benchmark: what the pool holds now
                    part = Path(f"{stats_file}.part")
                    part.write_text(json.dumps(self.stats()))
                    os.replace(part, stats_file)  # whole: a reader never sees a half-written file
            except Exception:  # the monitor must outlive any surprise
                pass

    def sweep(self) -> None:
        """Release what nobody watches, end idle workers, admit the queue."""
        now = time.monotonic()
        s = self.settings
        for slot in list(self.slots.values()):
            if slot.released:
                continue
            alive = self.session_alive(slot.session_id) if slot.session_id else None
            if alive is False:
                slot.session_gone_since = slot.session_gone_since or now
                if now - slot.session_gone_since >= s.session_grace_s:
                    self.release(slot.sid, forget=True)
                    continue
                if slot.desired_running or slot.status.get("running"):
                    self.pause(slot)  # nobody is watching it train
            else:
                slot.session_gone_since = None
                if alive and (slot.desired_running or slot.status.get("running")) and slot.worker is not None \
                        and now - max(slot.last_drawn, slot.last_stall_kick) > s.stall_s:
                    slot.last_stall_kick = now  # once per stall_s at most, until the page draws again
                    LOG.warning("%s trainer %d trains but its page has not drawn for %.0f s: running the page again",
                                slot.lab, slot.sid, now - slot.last_drawn)
                    try:
                        self.on_stall(slot.session_id, slot.page)
                    except Exception:  # the app's hook must not stop the sweep
                        LOG.exception("could not run the page of trainer %d again", slot.sid)
            if now - slot.last_drawn > s.idle_release_s:
                self.release(slot.sid, RELEASED_IDLE.format(minutes=s.idle_release_s / 60))
        with self.lock:
            for worker in list(self.workers):
                if worker.alive and not worker.slots and worker.empty_since is not None \
                        and now - worker.empty_since > s.worker_idle_s:
                    worker.stop()
                    self.workers.remove(worker)
            self._admit()

    def pause(self, slot: _Slot) -> None:
        slot.desired_running = False
        self.command(slot, "pause", control=True)

    def shutdown(self) -> None:
        self.closed = True
        with self.lock:
            for worker in self.workers:
                worker.stop()
            workers, self.workers = list(self.workers), []
        for worker in workers:
            try:
                worker.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.process.kill()

    def stats(self) -> dict[str, Any]:
        """What the pool holds now (for the benchmark and the tests)."""
        with self.lock:
            return {"workers": [w.pid for w in self.workers if w.alive], "trainers": self.placed_count(),
                    "queued": len(self.queue), "slots": len(self.slots),
                    "priorities": [w.priority for w in self.workers], "live": self.live_count(),
                    "redraw_cost_s": round(self.redraw_cost_s, 4), "server_load": round(self.server_load, 3), "draws": self.draws,
                    "stretch": round(self.stretch, 2),
                    "steps": sum(int(slot.status.get("steps", 0)) for slot in self.slots.values()),
                    "trainer_cpu_s": round(sum(float(slot.status.get("cpu_s", 0.0)) for slot in self.slots.values()), 2)}


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> Pool:
    """The server's pool, created on first use."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.closed:
            _POOL = Pool()
        return _POOL


def set_pool(pool: Pool | None) -> Pool | None:
    """Replace the server's pool (tests); returns the old one."""
    global _POOL
    with _POOL_LOCK:
        old, _POOL = _POOL, pool
    return old


# --------------------------------------------------------------------------------------------------
# What a page holds
# --------------------------------------------------------------------------------------------------
class TrainerHandle:
    """One session's trainer on the pool: queued controls, the newest snapshot, and its state.

    ``TrainerHandle(factory, *args)`` asks for ``factory(*args)`` built in a worker. ``snapshot`` is the
    newest ``trainer.snapshot()`` the worker published (None before the first); ``drawn()`` (every draw)
    says the page is open and asks for the next one. ``start``/``pause``/``toggle``/``step_once`` and
    ``send(name, *args)`` (a call of ``trainer.name(*args)``) are queued in order and return at once;
    ``wait(timeout)`` waits until the worker has handled them all, never longer than ``timeout``.
    """

    def __init__(self, factory: Callable, *args: Any, session_id: str | None = None, lab: str = "",
                 pool: Pool | None = None, page: str | None = None) -> None:
        self.pool = pool or get_pool()
        self._slot = self.pool.open(factory, args, session_id, lab, page)
        self._live: dict[str, tuple[int, Any]] = {}
        """Live settings sent with ``keep``: name -> (the trainer's generation, the value)."""
        self.shown_running: bool | None = None
        """Whether the page's buttons, as last drawn, said training (set by ``ui.live_buttons``)."""
        self._finalizer = weakref.finalize(self, self.pool.release, self._slot.sid, forget=True)

    # -- state ------------------------------------------------------------------------------------------
    @property
    def snapshot(self) -> Any:
        return self._slot.snapshot

    @property
    def args(self) -> tuple:
        """The settings the current trainer was asked to be built from."""
        return self._slot.args

    @property
    def generation(self) -> int:
        """Counts the trainers built for this handle: a live setting sent to one must be sent again to the next."""
        return self._slot.generation

    @property
    def factory(self) -> Callable:
        return self._slot.factory

    @property
    def running(self) -> bool:
        """Training, as far as the page should show it: what was asked until the worker confirms."""
        slot = self._slot
        if slot.status["acked"] < slot.control_seq:
            return slot.desired_running
        return bool(slot.status["running"])

    @property
    def pending(self) -> bool:
        """Commands the worker has not handled yet (a request for the next snapshot aside)."""
        slot = self._slot
        return slot.worker is not None and slot.status["acked"] < slot.real_seq

    @property
    def fresh(self) -> bool:
        """The snapshot was taken after every command sent (a want for the next one aside)."""
        slot = self._slot
        return slot.snapshot_seq >= slot.real_seq or (slot.status["acked"] >= slot.real_seq
                                                       and not slot.status.get("built"))

    @property
    def settled(self) -> bool:
        """Nothing to wait for: every command handled and the snapshot fresh (or the handle has no worker)."""
        return self._slot.worker is None or (not self.pending and self.fresh)

    @property
    def steps(self) -> int:
        return int(self._slot.status["steps"])

    @property
    def rate(self) -> float:
        return float(self._slot.status["rate"])

    @property
    def cpu_s(self) -> float:
        return float(self._slot.status.get("cpu_s", 0.0))

    @property
    def message(self) -> str | None:
        """Why training stopped (the trainer's own words), or the pool's note (rebuilt, released), or None."""
        slot = self._slot
        if slot.status["acked"] >= slot.control_seq and slot.status.get("message"):
            return slot.status["message"]
        return slot.note

    @property
    def queue_position(self) -> int | None:
        """1 for the next in line, None when not waiting."""
        return self.pool.queue_position(self._slot)

    @property
    def released(self) -> bool:
        return self._slot.released

    @property
    def worker_pid(self) -> int | None:
        w = self._slot.worker
        return w.pid if w is not None else None

    # -- controls ---------------------------------------------------------------------------------------
    def start(self) -> None:
        slot = self._slot
        if slot.released:
            self.pool.rebuild(slot, slot.factory, slot.args)
        slot.note = None
        slot.desired_running = True
        slot.last_drawn = time.monotonic()
        self.pool.command(slot, "start", control=True)

    def pause(self) -> None:
        self.pool.pause(self._slot)

    def toggle(self) -> None:
        self.pause() if self.running else self.start()

    def step_once(self) -> None:
        slot = self._slot
        if slot.released:
            self.pool.rebuild(slot, slot.factory, slot.args)
        slot.note = None
        slot.desired_running = False
        self.pool.command(slot, "step", control=True)

    def replace(self, factory: Callable, *args: Any) -> None:
        """Pause and build ``factory(*args)`` in place of the trainer (Reset, new settings): step 0."""
        self.pool.rebuild(self._slot, factory, args)

    def send(self, name: str, *args: Any) -> None:
        """``trainer.name(*args)`` in the worker, after every command sent before it."""
        self.pool.command(self._slot, "call", name, args)

    def ask(self, what: str | Callable[..., Any], *args: Any, timeout: float = 10.0) -> Any:
        """``trainer.what(*args)`` (or the attribute), or ``what(trainer, *args)`` for a module-level function,
        computed in the worker between steps; TimeoutError after ``timeout``. For tests and tools: a page draws
        the published snapshot instead, and never waits for a worker like this."""
        return self.pool.ask(self._slot, what, args, timeout)

    def had(self, name: str, built: Any = None) -> Any:
        """The value the trainer has now for the live setting ``name``: the last one ``keep`` sent to this trainer,
        else ``built`` (what it was built with: a Reset, new settings or a lost worker build a new trainer)."""
        generation, value = self._live.get(name, (None, None))
        return value if generation == self.generation else built

    def keep(self, name: str, value: Any, built: Any = None) -> None:
        """Send ``trainer.name(value)`` unless the trainer has ``value`` already (see ``had``)."""
        if self.had(name, built) != value:
            self.send(name, value)
        self._live[name] = (self.generation, value)

    def drawn(self) -> None:
        """The page drew this handle's snapshot: it is open; publish the next one."""
        slot = self._slot
        slot.last_drawn = time.monotonic()
        self.pool.draws += 1
        if self.running or not self.fresh:  # a paused model's fresh snapshot is its picture until something changes
            self.pool.command(slot, "want")

    def wait(self, timeout: float = 1.0) -> bool:
        """Until every command sent so far is handled and a snapshot taken after them arrived; at most ``timeout`` s.

        True when that happened; False on the timeout, or when the handle has no worker (queued, released)."""
        slot = self._slot
        if not self.fresh:
            self.pool.command(slot, "want")
        target = slot.seq
        deadline = time.monotonic() + timeout
        with slot.changed:
            while True:
                if slot.worker is None:
                    return False
                status = slot.status
                if status["acked"] >= target and (slot.snapshot_seq >= target or not status.get("built")):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                slot.changed.wait(left)

    def close(self) -> None:
        self._finalizer()
