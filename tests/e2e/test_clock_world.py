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
    world.address(TIME_SYNC_ADDRESS)  # on loopback, nothing listening: the port-unreachable is not an answer
    res = run_clock(world)
    assert res["status"] == "warn", res
    assert res["summary"].startswith(f"could not measure: NTP {TIME_SYNC_ADDRESS} timed out")
    assert "no AWS endpoint answered" in res["summary"]
    assert findings(res, "clock.unmeasured")


def _public_ntp_dropped(world: World) -> World:
    """time.aws.com and pool.ntp.org resolve, but UDP 123 to them is dropped (an egress rule): silent servers."""
    for name, address in (("time.aws.com", "198.51.100.123"), ("pool.ntp.org", "198.51.100.124")):
        world.dns(name, "A", address).server("ntp", address=address, port=123, mode="silent")
    return world


def test_time_sync_and_aws_date_agreeing_settle_the_clock(world: World) -> None:
    # The usual EKS pod: Amazon Time Sync answers, public NTP is blocked. Once Time Sync and STS's Date agree the
    # public servers are not waited for, and their silence is not reported as a failure.
    _public_ntp_dropped(world).time_sync(0.0).sts()
    res = run_clock(world)
    assert res["status"] == "pass", res
    assert f"NTP {TIME_SYNC_ADDRESS}" in res["summary"] and "agree" in res["summary"]
    public = {s["server"]: s for s in res["data"]["clock"]["sources"] if s["server"] in ("time.aws.com", "pool.ntp.org")}
    assert {name: (s.get("not_needed"), s["error"]) for name, s in public.items()} == {
        "time.aws.com": (True, None), "pool.ntp.org": (True, None)}
    notes = [f["message"] for f in findings(res, "clock.source") if "not needed" in f["message"]]
    assert len(notes) == 2 and all(f"NTP {TIME_SYNC_ADDRESS} and HTTP Date of sts." in m for m in notes), notes
    assert "clock-skew" not in res["causes"]


def test_without_an_aws_date_the_public_servers_are_waited_for(world: World) -> None:
    _public_ntp_dropped(world).time_sync(-400.0)
    res = run_clock(world)
    # No AWS Date to agree with (no STS in this world): nothing settles early, the public servers time out.
    assert res["status"] == "fail", res
    public = [s for s in res["data"]["clock"]["sources"] if s["server"] in ("time.aws.com", "pool.ntp.org")]
    assert [s.get("not_needed") for s in public] == [None, None]
    assert all("timeout" in (s["error"] or "") for s in public), public
