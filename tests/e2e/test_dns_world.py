"""End to end: the dns probe in a simulated AWS world (a network namespace whose /etc/resolv.conf names only the
world's DNS on 127.0.0.53, its own /etc/hosts and nsswitch.conf), with the real getaddrinfo and no test-only settings.
"""

from __future__ import annotations

from typing import Any

from tests.world import World

STS = "sts.us-east-1.amazonaws.com"
APS = "aps-workspaces.us-east-1.amazonaws.com"
LOGS = "logs.us-east-1.amazonaws.com"
APS_TARGET = f"https://{APS}/workspaces/ws-1/api/v1/remote_write"
VPCE = "vpce-0abc123-xyz.aps-workspaces.us-east-1.vpce.amazonaws.com"


def run_dns(w: World, *targets: str, vpc_endpoints: bool = False) -> dict[str, Any]:
    """The dns probe's JSON result, with the report's root cause ids under "causes" and the wall time."""
    w.env(AWS_REGION="us-east-1")
    args = [a for t in targets for a in ("--target", t)] + (["--vpc-endpoints"] if vpc_endpoints else [])
    r = w.run("run", "--only", "dns", "--format", "json", *args)
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    rep = r.json
    probe = next(p for p in rep["probes"] if p["id"] == "dns")
    return {**probe, "causes": [c["id"] for c in rep["root_causes"]], "elapsed": r.elapsed}


def findings(result: dict[str, Any], fid: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["id"] == fid]


def test_healthy_public_world(world: World) -> None:
    world.sts().dns(APS, "A", "52.94.1.1").dns("iam.amazonaws.com", "A", "52.94.2.2")
    res = run_dns(world, APS_TARGET)
    assert res["status"] == "pass", res
    assert res["summary"] == "3 names resolved (3 public)"
    assert res["causes"] == []


def test_healthy_vpc_endpoint_world(world: World) -> None:
    world.dns(STS, "A", "10.0.1.6").dns(APS, "CNAME", VPCE).dns(VPCE, "A", "10.0.1.5")
    world.dns("iam.amazonaws.com", "A", "52.94.2.2")  # global: no VPC endpoint of its own, public is expected
    res = run_dns(world, APS_TARGET, vpc_endpoints=True)
    assert res["status"] == "pass", res
    assert res["summary"] == "3 names resolved (1 private, 1 private via vpce, 1 public)"
    (aps,) = [f for f in findings(res, "dns.answers") if f["message"].startswith(APS)]
    assert f"{APS} → {VPCE} → 10.0.1.5 (private via VPC endpoint" in aps["message"]


def test_nxdomain_world(world: World) -> None:
    world.sts().dns("iam.amazonaws.com", "A", "52.94.2.2")
    res = run_dns(world, f"https://{LOGS}/")
    (f,) = findings(res, "dns.dns-resolution-failed")
    assert f["message"] == f"{LOGS} does not resolve: NXDOMAIN from 127.0.0.53"
    assert res["status"] == "fail"
    assert res["causes"][:1] == ["dns-resolution-failed"]


def test_hosts_file_override_world(world: World) -> None:
    world.sts().hosts(f"10.9.9.9 {STS}")
    res = run_dns(world)
    (f,) = findings(res, "dns.hosts-file-override")
    assert f["status"] == "fail"
    assert f["message"] == f"/etc/hosts line 3 pins {STS} to 10.9.9.9 (DNS says 52.94.0.20)"
    assert res["causes"][:1] == ["hosts-file-override"]


def test_vpc_endpoint_bypassed_world(world: World) -> None:
    world.dns(STS, "A", "10.0.1.6").dns(APS, "A", "52.94.1.1").dns("iam.amazonaws.com", "A", "52.94.2.2")
    res = run_dns(world, APS_TARGET, vpc_endpoints=True)
    (f,) = findings(res, "dns.vpc-endpoint-bypassed")
    assert f["status"] == "fail" and APS in f["message"] and "52.94.1.1" in f["message"]
    assert res["causes"][:1] == ["vpc-endpoint-bypassed"]


def test_blackholed_dns_world_says_what_timed_out(world: World) -> None:
    world.dns("*", "TIMEOUT")
    res = run_dns(world, APS_TARGET)
    failed = findings(res, "dns.dns-resolution-failed")
    assert {f["message"].split(" ", 1)[0] for f in failed} == {STS, APS, "iam.amazonaws.com"}
    assert all("timeout" in f["message"] and "127.0.0.53" in f["message"] for f in failed)
    assert res["status"] == "fail"
