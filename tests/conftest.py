"""Every test runs under the app's process-wide settings (``core.runtime.configure``): one BLAS and one torch
thread, scikit-learn's ConvergenceWarning ignored, as on the server and in the training workers."""

from __future__ import annotations

import pytest

from core import runtime


@pytest.fixture(autouse=True)
def _process_settings():
    """Before each test, not once: pytest gives every test a copy of the warning filters and restores them after."""
    runtime.configure()
