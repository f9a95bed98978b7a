"""A training worker: one process, many sessions' trainers, time-sliced fairly by CPU time.

Started by ``core.training.pool`` as ``python -m core.training.worker <fd>``, where ``fd`` is its end
of a socket pair, spoken with ``multiprocessing.connection.Connection`` (pickled tuples). Streamlit
runs each page as ``__main__``, so a worker is a fresh interpreter (not a multiprocessing child,
which would import the page again); trainers are built here from a module-level factory and plain
settings.

The loop:
- **Commands** (build, start, pause, step, call, want, ask, close) are read between steps, so Pause lands
  within one step and Step is exactly one iteration.
- **Scheduling**: among the running trainers, the one that has used the least CPU time (its
  "virtual time", measured with the main thread's CPU clock) trains next, for one slice. A trainer
  that starts (or starts again) joins at the smallest virtual time of the running ones, so a pause
  earns no credit. Fair by CPU time, not by steps: a big network gets fewer steps, the same share.
- **Publishing**: a trainer's ``snapshot()`` is taken when the page asked for one (``want``), and
  sent with its status (running, steps, rate, message, and the last command seen). The page draws
  the newest snapshot it has; it never waits for this loop.
- **Priority**: the worker runs at SCHED_IDLE (else nice 19): the Streamlit server comes first.
- **Watchdog**: a thread checks that no single step runs longer than ``STEP_CPU_LIMIT_S`` of CPU or
  stays blocked longer than ``STEP_BLOCKED_LIMIT_S``. Such a step cannot be interrupted; the watchdog
  tells the server which trainer hung and ends the process, and the pool starts a new worker.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

SLICE_S = 0.02
"""CPU seconds a trainer trains before the scheduler looks again (commands are read after every step)."""
STATUS_EVERY_S = 1.0
SNAPSHOT_SHARE = 0.1
"""At most this share of a worker's time goes to taking snapshots (pictures for the pages); past it, a page that
asked for one gets it a little later (the longest-waiting first), and training keeps the rest."""
"""How often a running trainer's status (steps, rate) is sent without being asked."""
STEP_CPU_LIMIT_S = float(os.environ.get("PLAYGROUND_STEP_CPU_LIMIT_S", "20"))
STEP_BLOCKED_LIMIT_S = float(os.environ.get("PLAYGROUND_STEP_BLOCKED_LIMIT_S", "20"))
HUNG_EXIT_CODE = 70


def error_message(err: BaseException) -> str:
    return f"Training stopped: {type(err).__name__}: {err}. Change the settings or press Reset."


@dataclass
class Slot:
    """One session's trainer in this worker."""

    trainer: Any = None
    running: bool = False
    steps: int = 0
    vtime: float = 0.0
    """CPU seconds this trainer has used (steps and snapshots): the scheduler's measure of fairness."""
    message: str | None = None
    acked: int = 0
    """The sequence number of the last command handled."""
    want: bool = True
    dirty: bool = True
    last_snapshot: float = 0.0
    last_status: float = 0.0
    rate_mark: tuple[float, int] = field(default_factory=lambda: (time.perf_counter(), 0))
    rate: float = 0.0
    cpu_s: float = 0.0


class Worker:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.slots: dict[int, Slot] = {}
        self.send_lock = threading.Lock()
        self.snapshot_tokens = 0.05
        """CPU seconds of snapshots this worker may take now (a bucket refilled at SNAPSHOT_SHARE)."""
        self._refilled = time.monotonic()
        self.current: tuple[int, float, float] | None = None
        """(slot id, wall time, main-thread CPU time) while a step runs: for the watchdog."""

    # -- talking to the server ----------------------------------------------------------------------
    def send(self, message: tuple) -> None:
        with self.send_lock:
            self.conn.send(message)

    def publish(self, sid: int, slot: Slot, *, snapshot: bool) -> None:
        snap, took = None, False
        if snapshot and slot.trainer is not None:
            started = time.thread_time()
            try:
                snap, took = slot.trainer.snapshot(), True
            except Exception as err:  # a snapshot that fails stops this trainer, not the worker
                slot.running, slot.message = False, error_message(err)
            cost = time.thread_time() - started
            slot.vtime += cost
            slot.cpu_s += cost
            self.snapshot_tokens -= cost
            slot.last_snapshot = time.monotonic()
        if snapshot:
            slot.want = False
        status = {"running": slot.running, "steps": slot.steps, "rate": slot.rate, "message": slot.message,
                  "acked": slot.acked, "built": slot.trainer is not None, "cpu_s": slot.cpu_s}
        self.send(("state", sid, status, snap, took))
        slot.dirty = False
        slot.last_status = time.perf_counter()

    # -- commands ---------------------------------------------------------------------------------------
    def handle(self, message: tuple) -> bool:
        """Apply one command; False when the server asks the worker to end."""
        kind = message[0]
        if kind == "exit":
            return False
        sid, seq = message[1], message[2]
        if kind == "close":
            self.slots.pop(sid, None)
            return True
        slot = self.slots.get(sid)
        if slot is None and kind == "ask":
            self.send(("answer", message[5], False, "no trainer"))
            return True
        if kind == "build":
            factory, args = message[3], message[4]
            slot = self.slots.setdefault(sid, Slot())
            slot.running, slot.steps, slot.rate, slot.message, slot.trainer = False, 0, 0.0, None, None
            slot.vtime = self.min_vtime()
            started = time.thread_time()
            try:
                slot.trainer = factory(*args)
            except Exception as err:
                slot.message = error_message(err)
            slot.cpu_s += time.thread_time() - started
            slot.want = True
        elif slot is None:
            return True
        elif kind == "start":
            problem = self.problem(slot)
            if problem:
                slot.message = problem
            else:
                slot.message = None
                if not slot.running:
                    slot.vtime = max(slot.vtime, self.min_vtime())
                    slot.rate_mark = (time.perf_counter(), slot.steps)
                slot.running = True
        elif kind == "pause":
            slot.running = False
        elif kind == "step":
            slot.running = False
            problem = self.problem(slot)
            if problem:
                slot.message = problem
            else:
                self.one_step(sid, slot)
            slot.want = True
        elif kind == "call":
            name, args = message[3], message[4]
            if slot.trainer is not None:
                try:
                    getattr(slot.trainer, name)(*args)
                except Exception as err:
                    slot.running, slot.message = False, error_message(err)
            slot.want = True
        elif kind == "want":
            slot.want = True
        elif kind == "ask":
            what, args, token = message[3], message[4], message[5]
            try:
                if callable(what):
                    answer = what(slot.trainer, *args)
                else:
                    attribute = getattr(slot.trainer, what)
                    answer = attribute(*args) if callable(attribute) else attribute
                self.send(("answer", token, True, answer))
            except Exception as err:
                self.send(("answer", token, False, f"{type(err).__name__}: {err}"))
        slot.acked = max(slot.acked, seq)
        if kind not in ("want", "ask"):
            slot.dirty = True  # the page waits for this answer: publish it at once
        elif not slot.running:
            slot.dirty = True  # a paused model: its picture costs one snapshot, now
        return True

    def problem(self, slot: Slot) -> str | None:
        if slot.trainer is None:
            return slot.message or "The model could not be built. Change the settings or press Reset."
        try:
            return slot.trainer.diverged()
        except Exception as err:
            return error_message(err)

    def min_vtime(self) -> float:
        running = [s.vtime for s in self.slots.values() if s.running]
        return min(running) if running else max((s.vtime for s in self.slots.values()), default=0.0)

    # -- training -----------------------------------------------------------------------------------------
    def one_step(self, sid: int, slot: Slot) -> None:
        """One iteration of ``slot``'s trainer; stops it with a message when the step fails or it is finished."""
        cpu0 = time.thread_time()
        self.current = (sid, time.monotonic(), cpu0)
        try:
            slot.trainer.step()
            slot.steps += 1
            problem = slot.trainer.diverged()
            if problem:
                slot.running, slot.message = False, problem
            else:
                done = getattr(slot.trainer, "done", None)
                if done is not None and done():
                    slot.running = False
        except Exception as err:
            slot.running, slot.message = False, error_message(err)
        finally:
            self.current = None
        cost = time.thread_time() - cpu0
        slot.vtime += cost
        slot.cpu_s += cost
        if not slot.running:
            slot.dirty = slot.want = True

    def train_slice(self, sid: int, slot: Slot) -> None:
        end = slot.vtime + SLICE_S
        while slot.running and slot.vtime < end:
            self.one_step(sid, slot)
            if self.conn.poll():
                break
        now = time.perf_counter()
        mark_t, mark_steps = slot.rate_mark
        if now - mark_t > (1.0 if slot.rate else 0.25):  # a first figure soon after Train, then one per second
            slot.rate = (slot.steps - mark_steps) / (now - mark_t)
            slot.rate_mark = (now, slot.steps)

    def run(self) -> None:
        while True:
            running = [(s.vtime, sid) for sid, s in self.slots.items() if s.running]
            timeout = 0.0 if running or any(s.dirty for s in self.slots.values()) else 1.0
            try:
                while self.conn.poll(timeout):
                    if not self.handle(self.conn.recv()):
                        return
                    timeout = 0.0
            except (EOFError, OSError):
                return  # the server is gone
            running = [(s.vtime, sid) for sid, s in self.slots.items() if s.running]
            if running:
                sid = min(running)[1]
                self.train_slice(sid, self.slots[sid])
            try:
                self.publish_due()
            except (OSError, ValueError):
                return

    def publish_due(self) -> None:
        """Send what changed; snapshots within their share of the worker's time, the longest-waiting first.

        A trainer that has just been built, stepped or changed (``dirty``) gets its snapshot at once: the page
        is waiting for the answer to a click. A running trainer's next picture waits for the bucket."""
        now, wall = time.perf_counter(), time.monotonic()
        self.snapshot_tokens = min(0.05, self.snapshot_tokens + SNAPSHOT_SHARE * (wall - self._refilled))
        self._refilled = wall
        for sid, slot in sorted(self.slots.items(), key=lambda item: item[1].last_snapshot):
            take = slot.want and (slot.dirty or self.snapshot_tokens > 0)
            if slot.dirty or take or slot.running and now - slot.last_status > STATUS_EVERY_S:
                self.publish(sid, slot, snapshot=take)


def lowest_priority() -> str:
    """SCHED_IDLE where the OS has it, else nice 19; returns which."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        try:
            os.nice(19)
            return "nice 19"
        except OSError:
            return "normal"


def watchdog(worker: Worker) -> None:
    """End the process when one step runs away (CPU) or is stuck (blocked), after telling the server which."""
    main = threading.main_thread()
    clock = time.pthread_getcpuclockid(main.ident) if hasattr(time, "pthread_getcpuclockid") else None
    stat = f"/proc/self/task/{main.native_id}/stat"
    blocked_since: float | None = None
    while True:
        time.sleep(0.25)
        current = worker.current
        if current is None:
            blocked_since = None
            continue
        sid, wall0, cpu0 = current
        cpu = time.clock_gettime(clock) - cpu0 if clock is not None else 0.0
        state = "R"
        try:
            with open(stat) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            pass
        now = time.monotonic()
        if state in ("S", "D"):  # sleeping or waiting: not starved, stuck
            blocked_since = blocked_since or now
        else:
            blocked_since = None
        blocked = now - blocked_since if blocked_since else 0.0
        if worker.current is not current:
            continue
        if cpu > STEP_CPU_LIMIT_S or blocked > STEP_BLOCKED_LIMIT_S:
            why = (f"one training step used more than {STEP_CPU_LIMIT_S:.0f} s of CPU" if cpu > STEP_CPU_LIMIT_S
                   else f"one training step waited more than {STEP_BLOCKED_LIMIT_S:.0f} s")
            try:
                worker.send(("hung", sid, why))
            finally:
                os._exit(HUNG_EXIT_CODE)


def main() -> None:
    from multiprocessing.connection import Connection

    conn = Connection(int(sys.argv[1]))
    priority = lowest_priority()
    worker = Worker(conn)
    worker.send(("hello", os.getpid(), priority))
    threading.Thread(target=watchdog, args=(worker,), name="step-watchdog", daemon=True).start()
    for name in sys.argv[2:]:  # modules every trainer needs (torch): imported once, before the first build
        try:
            __import__(name)
        except Exception:
            pass
    from core import runtime

    runtime.configure()  # after the preloads, so torch's threads and their BLAS libraries are set too
    worker.run()


if __name__ == "__main__":
    main()
