"""The shared live-training runner: start/pause, one step, divergence, idle stop, no shared trainers."""

from __future__ import annotations

import gc
import operator
import threading
import time
import weakref
from functools import partial

import pytest

from core.live import LiveRunner, ProcessRunner, ReaderFirstLock


class Counter:
    """A trainer that counts its steps, remembers which threads stepped it, and can diverge or fail."""

    def __init__(self, *, diverge_at: int | None = None, fail_at: int | None = None, done_at: int | None = None,
                 step_s: float = 0.0005) -> None:
        self.steps = 0
        self.threads: set[int] = set()
        self.diverge_at, self.fail_at, self.done_at, self.step_s = diverge_at, fail_at, done_at, step_s

    def step(self) -> None:
        if self.fail_at is not None and self.steps + 1 == self.fail_at:
            raise RuntimeError("boom")
        time.sleep(self.step_s)
        self.steps += 1
        self.threads.add(threading.get_ident())

    def diverged(self) -> str | None:
        if self.diverge_at is not None and self.steps >= self.diverge_at:
            return f"diverged at step {self.steps}"
        return None

    def done(self) -> bool:
        return self.done_at is not None and self.steps >= self.done_at


def wait_for(condition, timeout: float = 10.0) -> None:
    """Poll until ``condition()`` holds (a deadline for a hung test, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.005)


def test_start_trains_in_the_background_and_pause_stops_it():
    runner = LiveRunner(Counter())
    assert not runner.running
    runner.start()
    assert runner.running
    wait_for(lambda: runner.read(lambda t: t.steps) >= 20)
    runner.pause()
    assert not runner.running
    stopped_at = runner.trainer.steps
    time.sleep(0.05)
    assert runner.trainer.steps == stopped_at
    assert runner.iterations_trained == stopped_at
    runner.toggle()
    assert runner.running
    runner.toggle()
    assert not runner.running
    assert runner.trainer.steps >= stopped_at


def test_step_once_is_exactly_one_step_and_pauses_first():
    runner = LiveRunner(Counter())
    runner.step_once()
    assert runner.trainer.steps == 1 and runner.iterations_trained == 1
    runner.start()
    wait_for(lambda: runner.read(lambda t: t.steps) >= 5)
    runner.step_once()
    assert not runner.running
    before = runner.trainer.steps
    runner.step_once()
    assert runner.trainer.steps == before + 1


def test_divergence_pauses_with_the_trainers_message():
    runner = LiveRunner(Counter(diverge_at=30))
    runner.start()
    wait_for(lambda: not runner.running)
    assert runner.trainer.steps == 30
    assert runner.message == "diverged at step 30"
    runner.start()  # a diverged trainer does not start again
    assert not runner.running and runner.message == "diverged at step 30"
    runner.step_once()
    assert runner.trainer.steps == 30
    runner.replace(Counter())  # Reset recovers
    assert runner.message is None and runner.iterations_trained == 0
    runner.start()
    wait_for(lambda: runner.read(lambda t: t.steps) >= 40)
    runner.pause()
    assert runner.message is None


def test_done_and_errors_stop_the_worker():
    runner = LiveRunner(Counter(done_at=12))
    runner.start()
    wait_for(lambda: not runner.running)
    assert runner.trainer.steps == 12 and runner.message is None
    failing = LiveRunner(Counter(fail_at=5))
    failing.start()
    wait_for(lambda: not failing.running)
    assert failing.trainer.steps == 4
    assert "RuntimeError: boom" in failing.message


def test_idle_timeout_stops_the_thread():
    runner = LiveRunner(Counter(), idle_timeout=0.2)
    runner.start()
    thread = runner._thread
    wait_for(lambda: not runner.running, timeout=10.0)
    thread.join(timeout=5.0)
    assert not thread.is_alive()
    steps = runner.trainer.steps
    time.sleep(0.05)
    assert runner.trainer.steps == steps


def test_heartbeat_keeps_training_alive():
    runner = LiveRunner(Counter(), idle_timeout=0.3)
    runner.start()
    for _ in range(12):  # 0.6 s of heartbeats, twice the idle timeout
        runner.heartbeat()
        time.sleep(0.05)
    assert runner.running
    runner.pause()


def test_two_runners_never_share_a_trainer():
    a, b = LiveRunner(Counter()), LiveRunner(Counter())
    a.start()
    b.start()
    wait_for(lambda: a.read(lambda t: t.steps) >= 20 and b.read(lambda t: t.steps) >= 20)
    a.pause()
    b.pause()
    assert a.trainer is not b.trainer
    assert a.lock is not b.lock
    assert len(a.trainer.threads) == 1 and len(b.trainer.threads) == 1
    assert a.trainer.threads.isdisjoint(b.trainer.threads)
    assert a.iterations_trained == a.trainer.steps and b.iterations_trained == b.trainer.steps


def test_replace_swaps_trainer_and_start_after_replace_trains_the_new_one():
    runner = LiveRunner(Counter())
    runner.start()
    wait_for(lambda: runner.read(lambda t: t.steps) >= 5)
    old = runner.trainer
    runner.replace(Counter())
    frozen = old.steps
    runner.start()
    wait_for(lambda: runner.read(lambda t: t.steps) >= 5)
    runner.pause()
    assert old.steps == frozen


def test_a_reader_gets_the_lock_within_a_step_not_a_slice():
    # The worker would hold the lock for 10 s slices; a reader must still get in after one step.
    runner = LiveRunner(Counter(step_s=0.002), slice_s=10.0)
    runner.start()
    wait_for(lambda: runner.iterations_trained >= 3)
    seen = []
    for _ in range(5):
        assert runner.lock.acquire(timeout=5.0), "the worker kept the lock for its whole slice"
        seen.append(runner.trainer.steps)
        runner.lock.release()
        time.sleep(0.02)
    runner.pause()
    assert seen == sorted(seen) and seen[-1] > seen[0]


def test_reader_first_lock_is_reentrant_and_counts_waiters():
    lock = ReaderFirstLock()
    with lock, lock:
        got = []
        other = threading.Thread(target=lambda: got.append(lock.acquire(timeout=5.0)))
        other.start()
        wait_for(lambda: lock.waiting == 1)
    other.join()
    assert got == [True] and lock.waiting == 0
    assert not lock.acquire(blocking=False)  # the other thread still holds it


def test_a_stopped_runner_and_its_trainer_are_released():
    # A closed session drops its runner; once the worker has stopped nothing else holds the trainer.
    runner = LiveRunner(Counter(), idle_timeout=0.2)
    runner.start()
    wait_for(lambda r=runner: not r.running)  # the page stopped drawing: the idle timeout ends training
    runner._thread.join(timeout=5.0)
    trainer = weakref.ref(runner.trainer)
    del runner
    gc.collect()
    assert trainer() is None


# -- the same controls with the trainer in a child process ----------------------------------------------
def steps_of(runner: ProcessRunner) -> int:
    return runner.call("steps")


def test_process_runner_start_pause_and_exactly_one_step():
    runner = ProcessRunner(Counter)
    assert not runner.running and steps_of(runner) == 0
    runner.start()
    assert runner.running
    wait_for(lambda: runner.iterations_trained >= 20)
    runner.pause()
    assert not runner.running
    stopped = steps_of(runner)
    time.sleep(0.05)
    assert steps_of(runner) == stopped == runner.iterations_trained
    runner.step_once()
    assert steps_of(runner) == stopped + 1 == runner.iterations_trained
    runner.toggle()
    wait_for(lambda: runner.iterations_trained > stopped + 5)
    runner.step_once()  # pauses first, then exactly one
    assert not runner.running and steps_of(runner) == runner.iterations_trained
    assert runner.read(operator.attrgetter("steps")) == steps_of(runner)
    runner.close()
    assert not runner.alive


def test_process_runner_divergence_errors_and_replace():
    runner = ProcessRunner(partial(Counter, diverge_at=30))
    runner.start()
    wait_for(lambda: not runner.running)
    assert steps_of(runner) == 30 and runner.message == "diverged at step 30"
    runner.start()
    assert not runner.running and runner.message == "diverged at step 30"
    runner.replace(partial(Counter, fail_at=5))
    assert runner.message is None and runner.iterations_trained == 0
    runner.start()
    wait_for(lambda: not runner.running)
    assert steps_of(runner) == 4 and "RuntimeError: boom" in runner.message
    with pytest.raises(RuntimeError, match="AttributeError"):
        runner.call("no_such_thing")
    runner.replace(partial(Counter, done_at=12))
    runner.start()
    wait_for(lambda: not runner.running)
    assert steps_of(runner) == 12 and runner.message is None


def test_process_runner_idle_timeout_and_separate_processes():
    a, b = ProcessRunner(Counter, idle_timeout=0.3), ProcessRunner(Counter)
    assert a._process.pid != b._process.pid
    a.start()
    wait_for(lambda: not a.running)  # no heartbeat: the child stops by itself
    stopped = steps_of(a)
    time.sleep(0.05)
    assert steps_of(a) == stopped and steps_of(b) == 0
    b.start()
    wait_for(lambda: b.iterations_trained >= 10)
    b.pause()
    assert steps_of(a) == stopped


def test_process_runner_child_ends_when_the_runner_is_released():
    runner = ProcessRunner(Counter)
    runner.start()
    process = runner._process
    del runner
    gc.collect()
    process.join(timeout=10.0)
    assert not process.is_alive()


def test_process_runner_measures_its_rate_across_redraws():
    runner = ProcessRunner(partial(Counter, step_s=0.001))
    runner.start()
    deadline = time.monotonic() + 10.0
    while runner.rate == 0.0:  # the page asks for a snapshot every 0.1 s, as a live fragment does
        assert time.monotonic() < deadline
        runner.heartbeat()
        runner.call("steps")
        time.sleep(0.1)
    runner.pause()
    assert 0 < runner.rate <= 1000  # at most one step per millisecond


def test_streamlit_does_not_collect_garbage_after_every_run():
    """A full collection after each run held the GIL for 0.2-1.5 s with torch loaded; live redraws waited."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["headless"] is True


def test_memo_keeps_values_per_key_and_per_living_owner():
    from core.memo import Memo

    memo, made = Memo(2), []

    def make(v):
        made.append(v)
        return v

    assert memo("a", lambda: make(1)) == 1 and memo("a", lambda: make(2)) == 1 and made == [1]
    memo("b", lambda: make(3))
    memo("c", lambda: make(4))  # beyond two entries: the least recently used ("a") goes
    assert "a" not in memo and "c" in memo

    class Owner:
        pass

    first = Owner()
    assert not memo.has("k", owner=first)
    assert memo("k", lambda: make("x"), owner=first) == "x"
    assert memo.has("k", owner=first) and not memo.has("k", owner=Owner()) and not memo.has("k")
    assert memo("k", lambda: make("y"), owner=first) == "x"  # the same living object: kept
    assert memo("k", lambda: make("z"), owner=Owner()) == "z"  # another object: made anew


def test_map_uncached_runs_only_the_missing_on_the_pool_slowest_first_in_the_order_asked():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from core.memo import map_uncached

    caller, where, submitted = threading.current_thread(), {}, []

    def one(x):
        where[x] = threading.current_thread() is caller
        return x * 10

    class Recording(ThreadPoolExecutor):
        def map(self, fn, items):
            submitted.extend(items)
            return super().map(fn, items)

    with Recording(max_workers=2) as pool:
        out = map_uncached(pool, [1, 2, 3, 4], one, cached=lambda x: x % 2 == 0, first=lambda x: -x)
        assert out == [10, 20, 30, 40] and submitted == [3, 1]  # the missing ones, by the key ``first``
        assert where == {1: False, 2: True, 3: False, 4: True}  # cached ones read here, the rest on the pool
        submitted.clear()
        assert map_uncached(pool, [1, 2], one, cached=lambda x: x == 2) == [10, 20] and not submitted  # one job: here
