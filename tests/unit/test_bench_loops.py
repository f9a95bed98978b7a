"""The classroom benchmark's reference loops build the same trainers the pages train (a renamed module would
otherwise break the benchmark only when someone runs it)."""

from __future__ import annotations

import pytest

from bench import classroom


@pytest.mark.parametrize("lab", sorted(classroom.BARE))
def test_each_bare_loop_builds_its_labs_trainer_and_steps(lab):
    scope: dict = {}
    exec(classroom.BARE[lab], scope)  # noqa: S102 - the benchmark's own code, as it runs it
    trainer = scope["t"]
    steps = (lambda: trainer.iteration) if lab == "gan" else (lambda: trainer.snapshot().steps)
    before = steps()
    trainer.step()
    assert steps() == before + 1
    assert classroom.LABS[lab][1].endswith(".train")
