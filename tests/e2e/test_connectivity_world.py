"""End to end: the connectivity probe in a simulated AWS world (a network namespace with the world's DNS, its fake
AWS endpoints over TLS on public-looking addresses and its CA), with real getaddrinfo and no test-only settings.
"""

from __future__ import annotations

from typing import Any

from tests.world import World

STS = "sts.us-east-1.amazonaws.com"
APS = "aps-workspaces.us-east-1.amazonaws.com"
APS_TARGET = f"https://{APS}/workspaces/ws-1/api/v1/remote_write"
DEAD_PROXY = "10.9.9.9"


def run_connectivity(w: World, *targets: str) -> dict[str, Any]:
    """The connectivity probe's JSON result, with the report's root cause ids under "causes"."""
    w.env(AWS_REGION="us-east-1")
    args = [a for t in targets for a in ("--target", t)]
    r = w.run("run", "--only", "credentials", "--only", "connectivity", "--format", "json", *args)
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    rep = r.json
    probe = next(p for p in rep["probes"] if p["id"] == "connectivity")
    return {**probe, "causes": [c["id"] for c in rep["root_causes"]]}


def findings(result: dict[str, Any], fid: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["id"] == fid]


def test_world_sts_is_reachable_over_tls(world: World) -> None:
    world.sts().env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    res = run_connectivity(world)
    [ok] = findings(res, "connectivity.reachable")
    assert ok["status"] == "pass" and f"{STS}:443 reachable directly at 52.94.0.20" in ok["message"]
    assert ok["evidence"]["tls"]["verified"] is True
    # The world's CA is not Amazon's: exactly what a TLS-inspecting middlebox looks like.
    assert "tls-intercepted" in res["causes"]


def test_untrusted_ca(world: World) -> None:
    world.sts().trust("none").env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    res = run_connectivity(world)
    [f] = findings(res, "connectivity.tls-untrusted")
    assert f["evidence"]["tls"]["verify_code"] == 20
    assert res["causes"][0] == "tls-untrusted"


def test_refused_target(world: World) -> None:
    world.sts().dns(APS, "A", "52.94.7.7").address("52.94.7.7")
    world.env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    res = run_connectivity(world, APS_TARGET)
    [f] = findings(res, "connectivity.endpoint-unreachable")
    assert f"{APS}:443" in f["message"] and "52.94.7.7:443 refused" in f["message"]
    assert "endpoint-unreachable" in res["causes"]


def test_dead_https_proxy(world: World) -> None:
    world.sts().address(DEAD_PROXY)
    world.env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40,
              HTTPS_PROXY=f"http://{DEAD_PROXY}:3128")
    res = run_connectivity(world)
    [f] = findings(res, "connectivity.proxy-misconfigured")
    assert "does not accept connections" in f["message"]
    assert res["causes"][0] == "proxy-misconfigured"


def test_instance_metadata_sent_to_a_proxy(world: World) -> None:
    world.sts().ec2(True).address(DEAD_PROXY)
    world.imds(mode="ok")
    world.env(HTTP_PROXY=f"http://{DEAD_PROXY}:3128", NO_PROXY="localhost")
    res = run_connectivity(world)
    [f] = findings(res, "connectivity.proxy-misconfigured")
    assert "169.254.169.254:80 (imds credentials) goes to the proxy" in f["message"]
    assert "NO_PROXY=localhost,169.254.169.254" in " ".join(f["evidence"]["fix"])
    assert "proxy-misconfigured" in res["causes"]


def test_silent_dns_says_what_timed_out(world: World) -> None:
    world.dns(STS, "TIMEOUT").dns(APS, "TIMEOUT").dns("iam.amazonaws.com", "TIMEOUT")
    world.env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    res = run_connectivity(world, APS_TARGET)
    unresolved = findings(res, "connectivity.unresolved")
    assert len(unresolved) == 3
    assert all("the resolver gave no answer (timed out or SERVFAIL)" in f["message"] for f in unresolved)
