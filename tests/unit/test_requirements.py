"""The deploy requirements and the copy the tests install differ by exactly PyTorch's CPU-index line."""
import difflib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INDEX_LINE = "--extra-index-url https://download.pytorch.org/whl/cpu"


def test_local_copy_differs_by_exactly_the_index_line():
    out = subprocess.run(["bash", "scripts/local-requirements.sh"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    deploy = (ROOT / "requirements.txt").read_text().splitlines()
    local = (ROOT / out).read_text().splitlines()
    changes = [d for d in difflib.ndiff(deploy, local) if d[:2] in ("- ", "+ ")]
    assert changes == ["- " + INDEX_LINE]
    assert "torch==2.13.0" in local


def test_dev_requirements_do_not_pull_the_index_line_back_in():
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r build/requirements-local.txt" in dev
    assert "-r requirements.txt" not in dev and INDEX_LINE not in dev
