"""End to end: the clock probe in a simulated AWS world (a network namespace: Amazon Time Sync on
169.254.169.123, STS by its real names over TLS, the world's DNS), with no test-only settings.

The fakes run on this machine's clock, so "the local clock is N s off" is played by servers N s off the other way.
"""

from __future__ import annotations

from typing import Any

from tests.world import TIME_SYNC_ADDRESS, World


def run_clock(w: World) -> dict[str, Any]:
    """The clock probe's JSON result, with the report's root cause ids under "causes"."""
    w.env(AWS_REGION="us-east-1")
    r = w.run("run", "--only", "clock", "--format", "json")
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    rep = r.json
    probe = next(p for p in rep["probes"] if p["id"] == "clock")
    return {**probe, "causes": [c["id"] for c in rep["root_causes"]]}


def findings(result: dict[str, Any], fid: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["id"] == fid]


def test_healthy_world_amazon_time_sync_and_sts_agree(world: World) -> None:
    world.time_sync(0.0).sts()
    res = run_clock(world)
    assert res["status"] == "pass", res
    assert f"NTP {TIME_SYNC_ADDRESS}" in res["summary"]
    assert "HTTP Date of sts.us-east-1.amazonaws.com" in res["summary"] and "agree" in res["summary"]
    assert "clock-skew" not in res["causes"]


def test_skewed_clock_world(world: World) -> None:
    world.time_sync(-400.0)  # Amazon Time Sync is 400 s behind us: our clock is 400 s ahead
    res = run_clock(world)
    assert res["status"] == "fail", res
    assert "400 s (6.7 min) ahead" in res["summary"]
    (skew,) = findings(res, "clock.clock-skew")
    assert skew["status"] == "fail" and "5-minute window" in skew["message"]
    # time.aws.com, pool.ntp.org and STS have no records in this world: each says so
    errors = [f["message"] for f in findings(res, "clock.source") if f["status"] == "skip"]
    assert any("time.aws.com: no such host" in m for m in errors), errors
    assert res["causes"][:1] == ["clock-skew"]


def test_ntp_that_disagrees_with_aws_is_named_and_aws_decides(world: World) -> None:
    world.time_sync(400.0).sts()
    res = run_clock(world)
    (disagree,) = findings(res, "clock.sources-disagree")
    assert f"NTP {TIME_SYNC_ADDRESS}" in disagree["message"]
    assert "HTTP Date of sts.us-east-1.amazonaws.com" in disagree["message"]
    (skew,) = findings(res, "clock.clock-skew")
    assert skew["status"] == "pass"  # AWS's own clock agrees with ours
    assert res["status"] == "warn"


def test_world_without_time_sources_is_unmeasured(world: World) -> None:
    world.address(TIME_SYNC_ADDRESS)  # on loopback, nothing listening: refused
    res = run_clock(world)
    assert res["status"] == "warn", res
    assert res["summary"].startswith(f"could not measure: NTP {TIME_SYNC_ADDRESS} refused")
    assert "no AWS endpoint answered" in res["summary"]
    assert findings(res, "clock.unmeasured")
