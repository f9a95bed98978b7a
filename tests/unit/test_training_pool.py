"""The shared training pool: workers, queued commands, published snapshots, fairness, clean-up, faults.

Every wait here is on a condition with a deadline (a busy machine takes longer); nothing asserts a duration.
The toy trainers live in ``tests.unit.training_toys`` because a worker imports them by name.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from functools import partial

import pytest

from core.training import Pool, PoolSettings, TrainerHandle
from core.training.pool import HUNG, RELEASED_IDLE, WORKER_LOST
from tests.unit.training_toys import Counter

DEADLINE = 60.0


def until(condition, timeout: float = DEADLINE, handles=()) -> None:
    """Wait until ``condition()`` holds, asking ``handles`` for fresh snapshots meanwhile; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        for h in handles:
            h.drawn()
            h.wait(0.5)
        if not handles:
            time.sleep(0.02)  # polling a process from outside: no event to wait on


@pytest.fixture
def pool():
    p = Pool(PoolSettings(size=1, preload=(), worker_idle_s=0.5))
    yield p
    p.shutdown()


def built(handle: TrainerHandle) -> TrainerHandle:
    assert handle.wait(DEADLINE), "the trainer was not built"
    return handle


def test_build_train_pause_step(pool):
    h = built(TrainerHandle(Counter, 0.0005, pool=pool))
    assert h.snapshot["n"] == 0 and not h.running and h.steps == 0
    h.start()
    assert h.running  # shown at once, before the worker answers
    until(lambda: h.steps >= 50, handles=[h])
    h.pause()
    assert not h.running
    assert h.wait(DEADLINE)
    stopped = h.ask("n")
    assert h.snapshot["n"] == stopped == h.steps  # the snapshot after the pause shows where it stopped
    h.drawn()
    assert h.wait(DEADLINE) and h.ask("n") == stopped  # paused means paused
    h.step_once()
    assert h.wait(DEADLINE) and h.ask("n") == stopped + 1 == h.snapshot["n"]  # Step is exactly one iteration
    h.send("set_value", 2.5)
    h.drawn()
    assert h.wait(DEADLINE) and h.snapshot["value"] == 2.5  # a live setting, applied in order


def test_workers_run_at_the_lowest_priority(pool):
    h = built(TrainerHandle(Counter, pool=pool))
    if hasattr(os, "SCHED_IDLE"):
        assert h.snapshot["priority"] == os.SCHED_IDLE
        assert pool.stats()["priorities"] == ["SCHED_IDLE"]
    else:  # pragma: no cover - macOS
        assert os.getpriority(os.PRIO_PROCESS, h.snapshot["pid"]) == 19


def test_many_trainers_share_a_worker_fairly_by_cpu_time(pool):
    cheap = built(TrainerHandle(Counter, 0.0005, pool=pool))
    dear = built(TrainerHandle(Counter, 0.002, pool=pool))
    assert cheap.snapshot["pid"] == dear.snapshot["pid"]  # one worker hosts both
    cheap.start()
    dear.start()
    until(lambda: cheap.cpu_s > 1.0 and dear.cpu_s > 1.0, handles=[cheap, dear])
    cheap.pause()
    dear.pause()
    assert cheap.wait(DEADLINE) and dear.wait(DEADLINE)
    # Equal shares of CPU time, so about four times as many cheap steps as dear ones.
    assert cheap.cpu_s == pytest.approx(dear.cpu_s, rel=0.25)
    assert cheap.steps > 2.5 * dear.steps


def test_new_trainers_go_to_the_least_loaded_worker():
    pool = Pool(PoolSettings(size=2, preload=(), worker_idle_s=0.5))
    try:
        a, b = built(TrainerHandle(Counter, pool=pool)), built(TrainerHandle(Counter, pool=pool))
        c = built(TrainerHandle(Counter, pool=pool))
        pids = [h.snapshot["pid"] for h in (a, b, c)]
        assert pids[0] != pids[1] and pids[2] in pids[:2] and len(pool.stats()["workers"]) == 2
    finally:
        pool.shutdown()


def test_the_page_never_waits_on_a_busy_worker(pool):
    h = built(TrainerHandle(Counter, pool=pool))
    os.kill(h.worker_pid, signal.SIGSTOP)  # a worker that gets no CPU at all
    try:
        h.start()
        h.drawn()
        h.send("set_value", 1.0)
        assert h.snapshot["n"] == 0 and h.running  # read from what was published; the controls only queue
        assert not h.wait(0.2) and h.pending
        with pytest.raises(TimeoutError):
            h.ask("n", timeout=0.2)
    finally:
        os.kill(h.worker_pid, signal.SIGCONT)
    until(lambda: h.steps > 0, handles=[h])  # the queued commands arrive in order once it runs again
    assert h.snapshot["value"] == 1.0


def test_a_cap_on_trainers_and_a_queue_past_it():
    pool = Pool(PoolSettings(size=1, max_trainers=2, preload=(), worker_idle_s=0.5))
    try:
        a, b = built(TrainerHandle(Counter, pool=pool)), built(TrainerHandle(Counter, pool=pool))
        c, d = TrainerHandle(Counter, pool=pool), TrainerHandle(Counter, pool=pool)
        assert (c.queue_position, d.queue_position) == (1, 2) and c.snapshot is None
        assert not c.wait(0.1)  # no worker yet: nothing to wait for
        a.close()
        until(lambda: c.queue_position is None and c.snapshot is not None, handles=[c])
        assert d.queue_position == 1 and pool.stats()["trainers"] == 2
        del b
        gc.collect()
        until(lambda: d.snapshot is not None, handles=[d])
    finally:
        pool.shutdown()


def test_memory_comes_back_when_handles_go_and_idle_workers_end(pool):
    h = built(TrainerHandle(Counter, pool=pool))
    pid = h.worker_pid
    del h
    gc.collect()  # the browser session ended: its session state (and the handle) is gone
    assert pool.stats()["trainers"] == 0
    until(lambda: not _alive(pid))  # the empty worker ends after worker_idle_s
    assert pool.stats()["workers"] == []
    h = built(TrainerHandle(Counter, pool=pool))  # the next one starts a new worker
    assert h.worker_pid != pid


def test_a_trainer_is_released_when_its_session_has_gone():
    pool = Pool(PoolSettings(size=1, preload=(), session_grace_s=0.3, worker_idle_s=0.5))
    gone = {"s1"}
    pool.session_alive = lambda sid: sid not in gone
    try:
        h = built(TrainerHandle(Counter, session_id="s1", pool=pool))
        kept = built(TrainerHandle(Counter, session_id="s2", pool=pool))
        h.start()
        until(lambda: h.released)  # the monitor saw the session go and released it after the grace period
        assert not kept.released and pool.stats()["trainers"] == 1
    finally:
        pool.shutdown()


def test_an_idle_trainer_is_put_away_and_reset_brings_a_new_one():
    pool = Pool(PoolSettings(size=1, preload=(), idle_release_s=0.3, worker_idle_s=0.5))
    try:
        h = built(TrainerHandle(Counter, pool=pool))
        until(lambda: h.released)
        assert h.message == RELEASED_IDLE.format(minutes=0.3 / 60) and h.snapshot is None
        h.replace(Counter)
        assert built(h).snapshot["n"] == 0 and h.message is None and not h.released
    finally:
        pool.shutdown()


def test_a_step_that_raises_stops_only_its_trainer(pool):
    bad = built(TrainerHandle(partial(Counter, fail_at=3), pool=pool))
    good = built(TrainerHandle(Counter, pool=pool))
    bad.start()
    good.start()
    until(lambda: not bad.running, handles=[bad])
    assert "ArithmeticError" in bad.message and "Reset" in bad.message and bad.steps == 3
    until(lambda: good.steps > 10, handles=[good])  # the worker serves the others on
    bad.replace(Counter)
    assert built(bad).message is None and bad.steps == 0


def test_divergence_and_done_stop_training_with_the_trainers_word(pool):
    h = built(TrainerHandle(partial(Counter, diverge_at=5), pool=pool))
    h.start()
    until(lambda: not h.running, handles=[h])
    assert h.message == "diverged at step 5" and h.steps == 5
    h.start()  # refused while it has diverged
    assert h.wait(DEADLINE) and not h.running and h.message == "diverged at step 5"
    done = built(TrainerHandle(partial(Counter, done_at=7), pool=pool))
    done.start()
    until(lambda: not done.running, handles=[done])
    assert done.steps == 7 and done.message is None


def test_a_factory_that_fails_says_why_and_reset_recovers(pool):
    h = built(TrainerHandle(partial(Counter, build_fails=True), pool=pool))
    assert h.snapshot is None and "cannot be built" in h.message
    h.start()
    assert h.wait(DEADLINE) and not h.running and "cannot be built" in h.message
    h.replace(Counter)
    assert built(h).message is None and h.snapshot["n"] == 0


def test_a_killed_worker_is_replaced_and_its_trainers_rebuilt(pool):
    a, b = built(TrainerHandle(Counter, pool=pool)), built(TrainerHandle(Counter, pool=pool))
    a.start()
    until(lambda: a.steps > 10, handles=[a])
    pid = a.worker_pid
    os.kill(pid, signal.SIGKILL)
    until(lambda: a.worker_pid not in (None, pid) and b.worker_pid not in (None, pid))
    for h in (a, b):
        assert built(h).snapshot["n"] == 0 and not h.running and h.message == WORKER_LOST
    a.start()  # Train works on the new worker
    until(lambda: a.steps > 5, handles=[a])
    assert a.message is None


@pytest.mark.parametrize("hang", ["busy", "sleep"])
def test_a_hung_step_ends_its_worker_and_only_that_trainer_stays_stopped(monkeypatch, hang):
    monkeypatch.setenv("PLAYGROUND_STEP_CPU_LIMIT_S", "1")
    monkeypatch.setenv("PLAYGROUND_STEP_BLOCKED_LIMIT_S", "1")
    pool = Pool(PoolSettings(size=1, preload=(), worker_idle_s=0.5))
    try:
        stuck = built(TrainerHandle(partial(Counter, hang_at=2, hang=hang), pool=pool))
        other = built(TrainerHandle(Counter, pool=pool))
        pid = stuck.worker_pid
        stuck.start()
        until(lambda: not _alive(pid) and other.worker_pid not in (None, pid))
        until(lambda: stuck.message is not None and stuck.message.startswith("Training stopped"))
        assert stuck.message == HUNG.format(why="one training step used more than 1 s of CPU" if hang == "busy"
                                            else "one training step waited more than 1 s")
        assert not stuck.running and not stuck.pending
        assert built(other).message == WORKER_LOST and other.snapshot["n"] == 0
        stuck.replace(Counter)  # Reset with other settings works
        assert built(stuck).message is None and stuck.snapshot["n"] == 0
    finally:
        pool.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped) counts as ended
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_running_trainer_whose_connected_page_stopped_drawing_gets_its_page_run_again():
    pool = Pool(PoolSettings(size=1, preload=(), stall_s=0.3, worker_idle_s=5))
    kicks = []
    pool.session_alive = lambda sid: True
    pool.on_stall = lambda sid, page: kicks.append((sid, page))
    try:
        live = built(TrainerHandle(partial(Counter, 0.001), session_id="s1", pool=pool, page="gan-page"))
        paused = built(TrainerHandle(Counter, session_id="s2", pool=pool, page="gan-page"))
        live.start()
        until(lambda: kicks)  # nobody drew the running trainer for stall_s: its page is asked to run again
        assert kicks[0] == ("s1", "gan-page") and ("s2", "gan-page") not in kicks  # a paused one is left alone
        first = len(kicks)
        deadline = time.monotonic() + 1.5  # five times stall_s: a page that draws is never asked
        while time.monotonic() < deadline:
            live.drawn()
            time.sleep(0.02)  # the page's own pace: a draw every 20 ms
        assert len(kicks) == first
        until(lambda: len(kicks) > first)  # it stops drawing again: asked again
        live.pause()
        assert paused.steps == 0
    finally:
        pool.shutdown()


def test_the_speed_is_shown_soon_after_train_and_is_the_steps_per_second(pool):
    step_s = 0.002  # each step burns 2 ms of CPU: never more than 500 steps in a second of wall time
    h = built(TrainerHandle(Counter, step_s, pool=pool))
    h.start()
    until(lambda: h.rate > 0, handles=[h])
    first = h.steps  # the status that first carries a speed: well under a second's worth of steps
    assert first < 0.6 / step_s, f"the first speed came only after {first} steps"
    assert h.rate <= 1.05 / step_s
    until(lambda: h.steps > first + 1.5 / step_s, handles=[h])  # later figures, one a second, agree too
    assert 0 < h.rate <= 1.05 / step_s
    h.pause()
