"""Every pin has a wheel for the Pythons Community Cloud offers (3.12 and 3.13; 3.11 is what the tests run on).

pip resolves for the target Python without installing: `pip install --dry-run --no-deps --only-binary=:all:
--python-version X --target ...` reads each wheel's metadata from PyPI (PEP 658), so torch costs a few kB,
not its 900 MB wheel. Needs PyPI, which the build machines reach.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            out[name.lower()] = version
    return out


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_every_pin_has_a_linux_wheel_for(python, tmp_path):
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check",
           "--ignore-installed", "--no-deps", "--only-binary=:all:", "--python-version", python,
           "--implementation", "cp", "--platform", "manylinux_2_28_x86_64", "--target", str(tmp_path / "t"),
           "--report", str(report)] + [f"{n}=={v}" for n, v in pins().items()]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    tag = "cp" + python.replace(".", "")
    got = {}
    for item in json.loads(report.read_text())["install"]:
        wheel = item["download_info"]["url"].rsplit("/", 1)[-1]
        assert f"-{tag}-" in wheel or "-py3-none-any" in wheel, wheel
        got[item["metadata"]["name"].lower()] = item["metadata"]["version"]
    assert got == pins()
