"""The layout's import rules, read from the source (AST, nothing imported): only ``core/ui.py`` imports streamlit
in core; a lab never imports another lab or ``core.ui``; the shared modules import no lab (``core/lessons.py`` names
the labs' settings: the one documented exception); a page imports ``core.ui``, its own lab and the shared modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CORE = ROOT / "core"
LABS = ("bayes", "boundary", "loss", "gan", "backprop", "nexttoken")
PAGE_LAB = {"1_Bayes_rule.py": "bayes", "2_Decision_boundaries.py": "boundary", "3_Loss_surface.py": "loss",
            "4_GAN.py": "gan", "5_Backprop.py": "backprop", "6_Next_token.py": "nexttoken", "7_Lessons.py": None}
"""Each page and the lab whose package it draws (the lessons page has none)."""
READS_LABS = {"core/lessons.py"}
"""Shared modules allowed to import labs: the lessons name the labs' settings (README, "Layout")."""


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (a lazy import inside a function counts): ``from core import ui``
    is ``core.ui``."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import"
            module = node.module or ""
            out |= {f"{module}.{alias.name}" for alias in node.names} if module == "core" else {module}
    return out


def lab_of(module: str) -> str | None:
    """The lab package ``module`` belongs to (``core.gan.model`` -> ``gan``), or None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "core" and parts[1] in LABS else None


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


CORE_FILES = sorted(CORE.rglob("*.py"))
LAB_FILES = [p for p in CORE_FILES if p.relative_to(CORE).parts[0] in LABS]
SHARED_FILES = [p for p in CORE_FILES if p not in LAB_FILES]


def test_the_rules_see_every_lab_and_page():
    assert {p.relative_to(CORE).parts[0] for p in LAB_FILES} == set(LABS)
    assert {p.name for p in (ROOT / "pages").glob("*.py")} == set(PAGE_LAB)
    assert (CORE / "ui.py") in SHARED_FILES and (CORE / "lessons.py") in SHARED_FILES


@pytest.mark.parametrize("path", CORE_FILES, ids=rel)
def test_only_core_ui_imports_streamlit(path):
    uses = {m for m in imported(path) if m.split(".")[0] == "streamlit"}
    assert not uses or rel(path) == "core/ui.py", uses


@pytest.mark.parametrize("path", LAB_FILES, ids=rel)
def test_a_lab_imports_no_other_lab_and_not_core_ui(path):
    own = path.relative_to(CORE).parts[0]
    modules = imported(path)
    assert "core.ui" not in modules
    assert {lab_of(m) for m in modules} <= {None, own}, sorted(m for m in modules if lab_of(m) not in (None, own))


@pytest.mark.parametrize("path", SHARED_FILES, ids=rel)
def test_a_shared_module_imports_no_lab(path):
    """``core/ui.py`` above all: the shared module every page draws with depends on no lab."""
    labs = sorted(m for m in imported(path) if lab_of(m))
    assert not labs or rel(path) in READS_LABS, labs


@pytest.mark.parametrize("page", sorted(PAGE_LAB))
def test_a_page_imports_core_ui_its_own_lab_and_the_shared_modules(page):
    modules = {m for m in imported(ROOT / "pages" / page) if m.split(".")[0] == "core"}
    assert "core.ui" in modules
    others = sorted(m for m in modules if lab_of(m) not in (None, PAGE_LAB[page]))
    assert not others, others
