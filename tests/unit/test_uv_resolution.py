"""requirements.txt resolves under uv (with the repo's uv.toml) and pip alike: torch+cpu from PyTorch's CPU index.

Community Cloud installs requirements.txt with `uv pip install`, falling back to pip. PyTorch's CPU index also
carries old numpy, pillow, jinja2 ..., and uv's default index strategy takes each package from the first index
that has its name, so without uv.toml `numpy==2.4.6` does not resolve. These machines cannot reach
download.pytorch.org, so a loopback PEP 503 index imitates it: torch 2.13.0+cpu for Linux (the installed torch's
own METADATA, served PEP 658-style beside a stand-in wheel of a few hundred bytes) and old versions of the
packages it mirrors. uv reads everything else from PyPI (metadata only; `--no-build`, nothing installed).
"""
import functools
import hashlib
import http.server
import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from uv import find_uv_bin

from tests.unit.test_python_versions import pins

ROOT = Path(__file__).resolve().parents[2]
INDEX_LINE = "--extra-index-url https://download.pytorch.org/whl/cpu"
PLATFORM = "x86_64-manylinux_2_31"  # Community Cloud: x86-64 Debian (bullseye's glibc is 2.31)
LINUX = "manylinux_2_28_x86_64"
# What PyTorch's CPU index mirrors, at versions below requirements.txt's pins and PyPI's newest.
MIRRORED = {"numpy": "2.1.2", "pillow": "11.0.0", "markupsafe": "2.1.5"}  # binary wheels
MIRRORED_PURE = {"jinja2": "3.1.4", "filelock": "3.13.1", "typing-extensions": "4.12.2", "fsspec": "2024.6.1",
                 "networkx": "3.3", "sympy": "1.13.3", "setuptools": "70.2.0"}
MIRRORED_DEPS = {"jinja2": ["MarkupSafe>=2.0"], "sympy": ["mpmath<1.4,>=1.1.0"]}


def metadata(name: str, version: str, requires: list[str]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", "Requires-Python: >=3.10"]
    return "\n".join(lines + [f"Requires-Dist: {r}" for r in requires]) + "\n"


def torch_metadata(version: str) -> str:
    """The installed torch's METADATA as the CPU build `version` (no nvidia-*/triton requirement)."""
    text = importlib.metadata.distribution("torch").read_text("METADATA")
    text = re.sub(r"(?m)^Version: .*$", f"Version: {version}", text)
    return re.sub(r"(?m)^Requires-Dist: (nvidia-|triton|cuda-).*\n", "", text)


def add_wheel(index: Path, files: Path, name: str, filename: str, meta: str) -> None:
    """A PEP 503 link to `filename`, its PEP 658 metadata beside it and a stand-in wheel holding that metadata."""
    dist_info = "-".join(filename.split("-")[:2]) + ".dist-info"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{dist_info}/METADATA", meta)
        z.writestr(f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n")
        z.writestr(f"{dist_info}/RECORD", "")
    files.mkdir(parents=True, exist_ok=True)
    (files / filename).write_bytes(buf.getvalue())
    (files / f"{filename}.metadata").write_text(meta)
    whl, md = (hashlib.sha256(b).hexdigest() for b in (buf.getvalue(), meta.encode()))
    page = index / name / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    old = page.read_text() if page.exists() else ""
    page.write_text(old + f'<a href="/{files.name}/{quote(filename)}#sha256={whl}" data-requires-python="&gt;=3.10" '
                          f'data-dist-info-metadata="sha256={md}" data-core-metadata="sha256={md}">{filename}</a>\n')


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """(CPU-index imitation URL, PyPI stand-in URL for the pip test), served on loopback."""
    root = tmp_path_factory.mktemp("indexes")
    torch = pins()["torch"]
    cpu, cpu_files = root / "cpu", root / "cpu-files"
    add_wheel(cpu, cpu_files, "torch", f"torch-{torch}+cpu-cp311-cp311-{LINUX}.whl", torch_metadata(f"{torch}+cpu"))
    for name, version in MIRRORED.items():
        add_wheel(cpu, cpu_files, name, f"{name}-{version}-cp311-cp311-{LINUX}.whl", metadata(name, version, []))
    for name, version in MIRRORED_PURE.items():
        add_wheel(cpu, cpu_files, name, f"{name.replace('-', '_')}-{version}-py3-none-any.whl",
                  metadata(name, version, MIRRORED_DEPS.get(name, [])))
    # For pip only: PyPI's side of torch (the CUDA build's Linux requirements), numpy and pillow at their pins.
    pypi, pypi_files = root / "pypi", root / "pypi-files"
    cuda = metadata("torch", torch, ["nvidia-cudnn-cu13; platform_system == 'Linux'",
                                     "triton; platform_system == 'Linux'"])
    add_wheel(pypi, pypi_files, "torch", f"torch-{torch}-cp311-cp311-{LINUX}.whl", cuda)
    for name in ("numpy", "pillow"):
        v = pins()[name]
        add_wheel(pypi, pypi_files, name, f"{name}-{v}-cp311-cp311-{LINUX}.whl", metadata(name, v, []))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield f"{base}/cpu", f"{base}/pypi"
    server.shutdown()
    server.server_close()


def requirements_against(cpu_url: str, tmp: Path) -> Path:
    """requirements.txt with its CPU-index line pointing at the imitation, nothing else changed."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert lines.count(INDEX_LINE) == 1
    out = tmp / "requirements.txt"
    out.write_text("\n".join(f"--extra-index-url {cpu_url}" if ln == INDEX_LINE else ln for ln in lines) + "\n")
    return out


def uv_compile(requirements: Path, cwd: Path, python: str, tmp: Path) -> subprocess.CompletedProcess:
    """`uv pip compile` from `cwd` (where uv looks for uv.toml); no UV_* variables, no user-level config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env["XDG_CONFIG_HOME"] = str(tmp / "no-user-config")
    cmd = [find_uv_bin(), "pip", "compile", str(requirements), "--python-version", python, "--python-platform",
           PLATFORM, "--no-build", "--emit-index-annotation", "--no-header", "--cache-dir", str(tmp / "uv-cache")]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def resolved(compiled: str) -> dict[str, tuple[str, str]]:
    """name -> (version, index URL) from `uv pip compile --emit-index-annotation` output."""
    out, name = {}, None
    for line in compiled.splitlines():
        if line and not line[0].isspace() and "==" in line:
            name, _, version = line.partition("==")
            out[name] = (version, "")
        elif line.strip().startswith("# from ") and name:
            out[name] = (out[name][0], line.strip().removeprefix("# from "))
    return out


def test_uv_with_the_repo_config_takes_cpu_torch_and_every_pin(indexes, tmp_path):
    """From the repository root, as Cloud's `uv pip install -r requirements.txt` presumably runs."""
    cpu_url, _ = indexes
    run = uv_compile(requirements_against(cpu_url, tmp_path), ROOT, "3.11", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    got = resolved(run.stdout)
    want = {n: v + "+cpu" if n == "torch" else v for n, v in pins().items()}
    assert {n: got[n][0] for n in want} == want
    assert got["torch"][1] == cpu_url
    assert got["numpy"][1] == got["pillow"][1] == "https://pypi.org/simple"
    # Best match, as pip: the CPU index's old jinja2, filelock ... lose to PyPI's newer ones.
    assert [n for n, (_, index) in got.items() if index == cpu_url] == ["torch"]
    assert not [n for n in got if n.startswith("nvidia-") or n == "triton"]


def test_uv_without_the_config_stops_at_the_cpu_index(indexes, tmp_path):
    """The same command from a directory without uv.toml fails: the config is what makes the test above pass."""
    cpu_url, _ = indexes
    bare = tmp_path / "bare"
    bare.mkdir()
    run = uv_compile(requirements_against(cpu_url, tmp_path), bare, "3.11", tmp_path)
    assert run.returncode != 0, run.stdout
    missing = "|".join(re.escape(f"{n}=={pins()[n]}") for n in ("numpy", "pillow"))
    assert re.search(f"no version of ({missing})", run.stderr), run.stderr[-3000:]
    assert f"was found on {cpu_url}" in run.stderr


def test_pip_the_fallback_takes_cpu_torch(indexes, tmp_path):
    """pip pools both indexes and takes the highest match of torch==2.13.0: 2.13.0+cpu, not the CUDA build."""
    cpu_url, pypi_url = indexes
    keep = (INDEX_LINE, "torch==", "numpy==", "pillow==")
    lines = [ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if ln.startswith(keep)]
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("\n".join(ln.replace(INDEX_LINE, f"--extra-index-url {cpu_url}") for ln in lines) + "\n")
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--isolated", "--dry-run", "--quiet", "--no-deps",
           "--ignore-installed", "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
           "--platform", LINUX, "--target", str(tmp_path / "t"), "--index-url", pypi_url, "--report", str(report),
           "-r", str(reqs)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    got = {i["metadata"]["name"]: (i["metadata"]["version"], i["download_info"]["url"])
           for i in json.loads(report.read_text())["install"]}
    torch = pins()["torch"]
    assert got["torch"][0] == f"{torch}+cpu" and "/cpu-files/" in got["torch"][1]
    for name in ("numpy", "pillow"):
        assert got[name][0] == pins()[name] and "/pypi-files/" in got[name][1]
