"""The Dockerfile and deploy/ carry the pieces a public install needs (parsed, not just grepped)."""
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, args = line.partition(" ")
            out.append((op.upper(), args.strip()))
    return out


def test_dockerfile_pieces():
    ins = dockerfile_instructions()
    ops = [op for op, _ in ins]
    assert ins[0] == ("FROM", "python:3.11-slim")
    installs = [a for op, a in ins if op == "RUN" and "pip install" in a]
    assert installs and all("-r requirements.txt" in a for a in installs)  # the file with the CPU index line
    copies = [shlex.split(a) for op, a in ins if op == "COPY"]
    assert any(c[-2:] == [".streamlit/config.toml", ".streamlit/config.toml"] for c in copies)
    users = [a for op, a in ins if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ops.index("USER") < ops.index("CMD")
    health = next(a for op, a in ins if op == "HEALTHCHECK")
    assert "/_stcore/health" in health
    assert "app.py" in next(a for op, a in ins if op == "CMD")


def test_haproxy_cfg_is_valid_and_sticky_by_cookie():
    cfg = (ROOT / "deploy" / "haproxy.cfg").read_text()
    lines = [ln.split("#")[0].strip() for ln in cfg.splitlines()]
    assert "cookie SERVERID insert indirect nocache" in lines
    assert not any(ln.startswith("balance source") or "stick on src" in ln for ln in lines)
    assert any(ln.startswith("timeout tunnel") for ln in lines)
    assert "option httpchk GET /_stcore/health" in lines
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    env = dict(os.environ, HAPROXY_BIND="127.0.0.1:1", REPLICA1="127.0.0.1:2", REPLICA2="127.0.0.1:3",
               REPLICA3="127.0.0.1:4")
    check = subprocess.run([haproxy, "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_compose_shares_one_cookie_secret_over_the_replicas():
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    apps = [s for name, s in services.items() if name.startswith("app")]
    assert len(apps) >= 2
    secrets = {s["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"] for s in apps}
    assert len(secrets) == 1
    proxy = services["proxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert {proxy["environment"][f"REPLICA{i}"].split(":")[0] for i in (1, 2, 3)} <= set(services)


def test_kubernetes_manifest():
    docs = {d["kind"]: d for d in yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yml").read_text())}
    assert {"Deployment", "Service", "Ingress"} <= set(docs)
    container = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"
    assert container["livenessProbe"]["httpGet"]["path"] == "/_stcore/health"
    assert container["resources"]["limits"]["memory"]
    assert any(e["name"] == "STREAMLIT_SERVER_COOKIE_SECRET" for e in container["env"])
    assert docs["Ingress"]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
