"""End to end: a world where the network answers nothing, and `sigdoctor run` still ends, each network probe saying
what timed out (GitHub issue 4, "Speed and bounds"). How long it takes against the deadline is bench/deadline.py's
business: no timing is asserted here.

Silent in every way a network can be: the resolver never answers for the target (and for time.aws.com and
pool.ntp.org), STS's address accepts TCP and never says a word (not even the TLS handshake), IAM's address drops
SYNs, Amazon Time Sync reads NTP queries and never replies, and so does the instance metadata service.
"""

from __future__ import annotations

from tests.e2e.test_network_causes_world import AMP, STS, NetWorld, log_scenario, probe
from tests.world import Result, World

STS_HOLE, IAM_HOLE = "52.94.0.41", "52.94.0.42"


def blackholed(world: World) -> NetWorld:
    """The blackholed world (shared with bench/deadline.py)."""
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp(mode="silent")
    net.blackhole(STS_HOLE).blackhole(IAM_HOLE, mode="drop-syn")
    for name in ("sts.amazonaws.com", STS):
        world.dns(name, "A", STS_HOLE)
    world.dns("iam.amazonaws.com", "A", IAM_HOLE)
    for name in (AMP, "time.aws.com", "pool.ntp.org"):
        world.dns(name, "TIMEOUT")
    world.ec2(True)
    net.blackhole("169.254.169.254", 80)
    return net


def summaries(r: Result) -> dict[str, str]:
    return {p["id"]: p["summary"] for p in r.json["probes"]}


def test_blackholed_world_ends_and_each_network_probe_names_its_timeout(world: World) -> None:
    net = blackholed(world)
    r = net.run("--deadline", "5", "--format", "json", timeout=40)
    assert not r.timed_out and r.rc in (0, 1), r.describe()
    s = summaries(r)
    assert "NTP 169.254.169.123 timed out" in s["clock"], s
    assert f"{AMP}: timeout" in s["dns"], s
    assert "sts.us-east-1.amazonaws.com:443 (TLS handshake timed out)" in s["connectivity"], s
    assert "iam.amazonaws.com:443 (TCP connect timed out)" in s["connectivity"], s
    # What the fakes saw: sigdoctor did knock on every silent door.
    seen = {(f["kind"], f.get("address")): f for f in net.seen}
    assert seen[("ntp", "169.254.169.123")]["requests"] >= 1
    assert seen[("blackhole", STS_HOLE)]["accepted"] >= 1
    assert probe(r, "dns")["status"] == "fail"
    r.assert_no_secrets()
    log_scenario(r)

