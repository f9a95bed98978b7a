"""core.runtime: every process-wide setting in one configure(), and no module under core/ that changes one on import.

Each check runs in a fresh interpreter (this test process has been configured already, by tests/conftest.py),
started without the *_NUM_THREADS variables so that a thread limit set by an import would show. The settings are
read by ``tests.unit.training_toys.process_settings``, which a training worker is asked to run too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import runtime
from core.training import Pool, PoolSettings, TrainerHandle
from tests.unit.training_toys import Counter, process_settings

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120.0
PYTHON_SWITCH_INTERVAL_S = 0.005
"""Python's default GIL switch interval, which configure() documents that it leaves alone."""

IMPORT_EVERYTHING = r"""
import ast, importlib, json, pkgutil, sys
from pathlib import Path

from tests.unit.training_toys import process_settings


def third_party():
    # Every module that some file under core/ imports, core's own excepted: importing these first means a
    # library's own import-time settings are in "before", and only core's can differ.
    names = set()
    for path in sorted(Path("core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    for name in sorted(n for n in names if n.split(".")[0] != "core"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def import_core():
    import core

    for module in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(module.name)
"""

AT_IMPORT = IMPORT_EVERYTHING + r"""
third_party()
before = process_settings()
import_core()
print(json.dumps({"before": before, "after": process_settings()}))
"""

CONFIGURED = IMPORT_EVERYTHING + r"""
from core import runtime

out = {"untouched": process_settings()}
runtime.configure()  # a page that needs neither torch nor sklearn: they stay unimported
out["bare"] = process_settings()
third_party()
import_core()
out["imported"] = process_settings()
runtime.configure()
out["once"] = process_settings()
runtime.configure()
out["twice"] = process_settings()
print(json.dumps(out))
"""


def fresh_python(code: str) -> dict:
    """Run ``code`` in a new interpreter at the repository root; its last line of output, as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=DEADLINE)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_configured(settings: dict) -> None:
    assert settings["torch_threads"] == runtime.TORCH_THREADS
    assert settings["blas"] and all(threads == runtime.BLAS_THREADS for _, threads in settings["blas"])
    assert settings["convergence_warning_ignored"] is True
    assert settings["switch_interval"] == PYTHON_SWITCH_INTERVAL_S


def test_importing_every_core_module_changes_no_process_setting():
    out = fresh_python(AT_IMPORT)
    before, after = out["before"], out["after"]
    assert after["modules"] == {"torch": True, "sklearn": True}  # the modules that would set something are in
    for key in ("torch_threads", "blas", "filters", "convergence_warning_ignored", "switch_interval", "environ"):
        assert after[key] == before[key], key
    assert after["convergence_warning_ignored"] is False  # sklearn's warning still shows: nothing filtered it


def test_configure_sets_each_documented_value_and_twice_is_once():
    out = fresh_python(CONFIGURED)
    untouched, bare = out["untouched"], out["bare"]
    # A page without torch or sklearn: configure() imports neither (their start-up cost), and has nothing of
    # theirs to set; BLAS is already limited for numpy's library, and the interpreter's interval is as it was.
    assert bare["modules"] == {"torch": False, "sklearn": False}
    assert bare["torch_threads"] is None and bare["convergence_warning_ignored"] is None
    assert all(threads == runtime.BLAS_THREADS for _, threads in bare["blas"])
    assert bare["switch_interval"] == untouched["switch_interval"] == PYTHON_SWITCH_INTERVAL_S
    assert bare["environ"] == untouched["environ"]

    imported = out["imported"]  # torch, sklearn and scipy's own BLAS arrived after the first call
    assert imported["torch_threads"] != runtime.TORCH_THREADS or os.cpu_count() == 1
    assert imported["convergence_warning_ignored"] is False
    assert_configured(out["once"])
    assert out["twice"] == out["once"]  # the same filters, in the same order, no entry added twice
    assert sum("ConvergenceWarning" in f for f in out["once"]["filters"]) == 1


def test_this_test_process_runs_configured():
    import sklearn.exceptions  # noqa: F401 - the filter is for sklearn's warning
    import torch  # noqa: F401

    runtime.configure()  # tests/conftest.py has called it before this test; again is the same
    assert_configured(process_settings())
    assert "torch" in sys.modules


@pytest.fixture
def pool():
    p = Pool(PoolSettings(size=1, preload=("torch", "sklearn.exceptions", "scipy.linalg"), worker_idle_s=0.5))
    yield p
    p.shutdown()


def test_a_training_worker_runs_configured(pool):
    handle = TrainerHandle(Counter, pool=pool)
    assert handle.wait(DEADLINE), "the trainer was not built"
    settings = handle.ask(process_settings, timeout=DEADLINE)
    assert settings["modules"] == {"torch": True, "sklearn": True}
    assert_configured(settings)
