"""A stand-in for ``core.training.TrainerHandle`` that records what a page's decisions ask of it."""

from __future__ import annotations

from typing import Any

from core.training import TrainerHandle


class FakeHandle:
    """Builds nothing: ``replace`` records the new factory and args (a new trainer), ``keep``/``had`` follow
    TrainerHandle's rules (a live setting is forgotten by a new trainer), ``send`` and ``wait`` are recorded."""

    def __init__(self, factory: Any, *args: Any) -> None:
        self.factory, self.args = factory, args
        self.generation, self.replaced, self.sent, self.waits = 0, [], [], []
        self.fresh, self.steps, self.running, self.message, self.snapshot = True, 0, False, None, None
        self.closed = self.started = False
        self._live: dict[str, tuple[int, Any]] = {}

    def replace(self, factory: Any, *args: Any) -> None:
        self.factory, self.args = factory, args
        self.generation += 1
        self.steps = 0
        self.replaced.append(args)

    # TrainerHandle's own rules, not a copy of them: they read only generation, _live and send.
    had = TrainerHandle.had
    keep = TrainerHandle.keep

    def send(self, name: str, *args: Any) -> None:
        self.sent.append((name, *args))

    def wait(self, timeout: float) -> None:
        self.waits.append(timeout)

    def start(self) -> None:
        self.started = self.running = True

    def close(self) -> None:
        self.closed = True
