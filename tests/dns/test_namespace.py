"""End to end in a network namespace: the real getaddrinfo reads the bind-mounted resolv.conf, hosts and
nsswitch.conf and asks the fake DNS on 127.0.0.53:53, exactly as an agent on the host would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@cache
def _namespace_problem() -> str:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare(1) or ip(8) not installed"
    try:
        p = subprocess.run(["unshare", "-rnm", "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`unshare -rnm true` failed: {e}"
    return "" if p.returncode == 0 else f"`unshare -rnm true` failed (user namespaces disabled?): {p.stderr.strip()}"


@pytest.fixture(scope="module")
def inside(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if problem := _namespace_problem():
        pytest.skip(f"needs user + network + mount namespaces: {problem}")
    home = tmp_path_factory.mktemp("home")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": str(home),
           "LANG": "C.UTF-8", "SIGDOCTOR_IN_NAMESPACE": "1"}
    p = subprocess.run(["unshare", "-rnm", "--", sys.executable, "-m", "tests.dns.inside_namespace"], cwd=REPO,
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"rc={p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(p.stdout)
    return result


def _finding(inside: dict[str, Any], fid: str, name: str) -> dict[str, Any]:
    found = [f for f in inside["findings"] if f["id"] == fid and name in f["message"]]
    assert found, f"no {fid} about {name}: {inside['findings']}"
    return found[0]


def test_real_getaddrinfo_sees_public_and_vpc_endpoint_answers(inside: dict[str, Any]) -> None:
    names = inside["dns"]["names"]
    assert names["sts.us-east-1.amazonaws.com"]["via"] == "getaddrinfo"
    assert sorted(names["sts.us-east-1.amazonaws.com"]["addresses"]) == ["2600:1f18::20", "52.94.0.20"]
    aps = names["aps-workspaces.us-east-1.amazonaws.com"]
    assert aps["addresses"] == ["10.0.1.5"] and aps["vpce"] and aps["classification"] == "private"
    assert inside["dns"]["resolvers"] == ["127.0.0.53"]


def test_real_hosts_file_pin(inside: dict[str, Any]) -> None:
    f = _finding(inside, "dns.hosts-file-override", "monitoring.us-east-1.amazonaws.com")
    assert f["status"] == "fail" and "line 3" in f["message"] and "52.94.3.3" in f["message"]
    assert inside["dns"]["names"]["monitoring.us-east-1.amazonaws.com"]["addresses"] == ["10.9.9.9"]


def test_real_nxdomain_and_timeout(inside: dict[str, Any]) -> None:
    nx = _finding(inside, "dns.dns-resolution-failed", "logs.us-east-1.amazonaws.com")
    assert "NXDOMAIN from 127.0.0.53" in nx["message"]
    silent = _finding(inside, "dns.dns-resolution-failed", "xray.us-east-1.amazonaws.com")
    assert "timeout" in silent["message"] and "127.0.0.53" in silent["message"]
    assert inside["status"] == "fail"


def test_glibc_tried_the_name_before_the_search_domain(inside: dict[str, Any]) -> None:
    asked = [n for n, _ in inside["queries"] if n.startswith("logs.us-east-1.amazonaws.com")]
    assert asked[0] == "logs.us-east-1.amazonaws.com"
    assert "logs.us-east-1.amazonaws.com.corp.example" in asked
