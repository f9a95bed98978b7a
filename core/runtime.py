"""Every process-wide setting the playground relies on, made in one place: ``configure()``.

Who calls it: every page (``core.ui.page``, which app.py and each lab page run first), each training worker
at its start (``core.training.worker``), and the tests (``tests/conftest.py``). No other module under core/
changes process state, and none does when imported: importing a lab to read its settings, or a test that
imports one module, leaves threads, warning filters and the interpreter as they were.

What it sets, and why:
- **BLAS: one thread** (``threadpoolctl``). The boundary lab's matrices are small (a 150 × 150 grid, a few
  hundred points), so BLAS threads gain nothing there, and a class of 20-40 students shares one server's one or
  two cores: each fit gets one core, and the panels are fitted side by side on threads instead.
- **torch: one intra-op thread**, set only once torch is imported. Pages that never train (home, Bayes,
  loss, boundary) never import torch and start without its ~230 MB and its import time. The torch pages import
  it before they call ``core.ui.page``; a training worker calls configure() after it has imported its preloaded
  modules (torch and the trainers), before the first build, and is started with ``OMP_NUM_THREADS=1``, which a
  torch imported later still reads.
- **scikit-learn's ConvergenceWarning: ignored**, once sklearn is imported (the warning cannot come before
  that, and importing sklearn here would cost a page that never uses it a second). An unconverged fit is still
  a fit worth showing (the panel is the lesson), and the boundary panels are fitted on shared threads, where
  ``warnings.catch_warnings`` is not thread-safe; so the filter is one, for the whole process.
- **The GIL switch interval: Python's default (5 ms), left alone.** Training runs in worker processes, not
  on the app's threads, so nothing needs the GIL handed over sooner; configure() does not touch it.

``configure()`` is idempotent and cheap (a few lookups) once it has run: calling it on every page run, or many
times, is the same as calling it once. It sets again only what something undid (a test harness that restores
``warnings.filters``) or what was not there before (BLAS libraries loaded by a later import, torch imported
since the last call).
"""

from __future__ import annotations

import sys
import threading
import warnings

BLAS_THREADS = 1
"""Threads each BLAS library may use (OpenBLAS, MKL, ... as threadpoolctl finds them)."""
TORCH_THREADS = 1
"""torch's intra-op threads (``torch.set_num_threads``)."""

_BLAS_MODULES = ("numpy", "scipy.linalg", "sklearn", "torch")
"""Imports that load a BLAS library: when one of them appears, the BLAS limit is applied again (finding the
loaded libraries costs ~40 ms, too much for every page run)."""

_lock = threading.Lock()
_blas_seen: tuple[bool, ...] | None = None


def _convergence_filter() -> tuple | None:
    """The warnings.filters entry that ignores sklearn's ConvergenceWarning; None while sklearn is not imported."""
    exceptions = sys.modules.get("sklearn.exceptions")
    if exceptions is None:
        return None
    return ("ignore", None, exceptions.ConvergenceWarning, None, 0)


def configure() -> None:
    """Make every process-wide setting listed in this module's docstring; safe to call any number of times."""
    global _blas_seen
    with _lock:
        seen = tuple(name in sys.modules for name in _BLAS_MODULES)
        if seen != _blas_seen:
            from threadpoolctl import threadpool_limits

            threadpool_limits(BLAS_THREADS, user_api="blas")
            _blas_seen = seen
        item = _convergence_filter()
        if item is not None and item not in warnings.filters:
            warnings.filterwarnings("ignore", category=item[2])
        torch_threads()


def torch_threads() -> None:
    """torch's intra-op threads to ``TORCH_THREADS``, if torch is imported; never imports torch itself."""
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "get_num_threads") and torch.get_num_threads() != TORCH_THREADS:
        torch.set_num_threads(TORCH_THREADS)
