"""Trainers for the pool's tests: built in a worker process, so they live in an importable module."""

from __future__ import annotations

import os
import time


class Counter:
    """Counts its steps; each step burns ``step_s`` of CPU. Fails, diverges, finishes or hangs where told."""

    def __init__(self, step_s: float = 0.0, *, fail_at: int | None = None, diverge_at: int | None = None,
                 done_at: int | None = None, hang_at: int | None = None, hang: str = "busy",
                 build_fails: bool = False) -> None:
        if build_fails:
            raise ValueError("these settings cannot be built")
        self.step_s, self.fail_at, self.diverge_at, self.done_at = step_s, fail_at, diverge_at, done_at
        self.hang_at, self.hang = hang_at, hang
        self.n = 0
        self.value = 0.0

    def step(self) -> None:
        if self.hang_at is not None and self.n == self.hang_at:
            if self.hang == "busy":
                while True:
                    pass
            time.sleep(3600)
        if self.fail_at is not None and self.n == self.fail_at:
            raise ArithmeticError("the step failed on purpose")
        end = time.thread_time() + self.step_s
        while time.thread_time() < end:
            pass
        self.n += 1

    def diverged(self) -> str | None:
        if self.diverge_at is not None and self.n >= self.diverge_at:
            return f"diverged at step {self.n}"
        return None

    def done(self) -> bool:
        return self.done_at is not None and self.n >= self.done_at

    def set_value(self, value: float) -> None:
        self.value = value

    def snapshot(self) -> dict:
        return {"n": self.n, "value": self.value, "pid": os.getpid(), "priority": os.sched_getscheduler(0)}


def learning_rates(trainer) -> tuple[float, float]:
    """(G's, D's) learning rate as a GAN trainer's optimisers use them now (asked of a worker)."""
    return trainer.opt_g.param_groups[0]["lr"], trainer.opt_d.param_groups[0]["lr"]


def written_out(trainer, context, layer: int, head: int, query: int):
    """The attention of a next-token trainer's model written out by ``core.nexttoken.gpt`` (asked of a worker)."""
    from core.nexttoken.gpt import attention_written_out

    return attention_written_out(trainer.model, context, layer, head, query)


def process_settings(trainer=None) -> dict:
    """The process-wide settings ``core.runtime.configure`` makes, as this process has them now (also asked of a
    worker, hence the unused ``trainer``): torch and BLAS threads, the warning filters, the GIL switch interval."""
    import sys
    import warnings

    from threadpoolctl import threadpool_info

    torch = sys.modules.get("torch")
    exceptions = sys.modules.get("sklearn.exceptions")
    ignored = None
    if exceptions is not None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.warn("a probe", exceptions.ConvergenceWarning, stacklevel=1)
        ignored = not caught
    return {
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "blas": sorted([lib["filepath"], lib["num_threads"]] for lib in threadpool_info() if lib["user_api"] == "blas"),
        "filters": [repr(f) for f in warnings.filters],
        "convergence_warning_ignored": ignored,
        "switch_interval": sys.getswitchinterval(),
        "environ": dict(os.environ),
        "modules": {name: name in sys.modules for name in ("torch", "sklearn")},
    }
