"""The dns probe as a user sees it: status, summary, findings, the causes they trigger, and the data the
connectivity probe reads. Fake nameserver(s) on loopback; resolv.conf and hosts under a tmp root."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from sigdoctor.causes import diagnose, load_rules
from sigdoctor.doctor import run_report
from sigdoctor.model import Finding, Outcome, ProbeResult, Status
from sigdoctor.probes.base import Probe
from sigdoctor.probes.dns import EMITS, PROBE, run_dns
from tests.dns.conftest import APS, APS_TARGET, LOGS, LOGS_TARGET, STS, DnsWorld, stub_getaddrinfo
from tests.fakes.dns import FakeDns


def _ids(o: Outcome, status: Status | None = None) -> list[str]:
    return [f.id for f in o.findings if status is None or f.status is status]


def _one(o: Outcome, fid: str) -> Finding:
    found = [f for f in o.findings if f.id == fid]
    assert len(found) == 1, f"{fid}: {[(f.id, f.message) for f in o.findings]}"
    return found[0]


def _causes(o: Outcome) -> list[str]:
    res = ProbeResult("dns", PROBE.title, o.status, o.summary, 1, o.findings, o.data)
    return [c.id for c in diagnose([res], load_rules())]


def test_healthy_public_names(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20", ttl=30).aaaa(STS, "2600:1f18::1").a(APS, "52.94.1.1").a("iam.amazonaws.com",
                                                                                         "52.94.2.2")
    o = dnsw.run(dnsw.context(targets=[APS_TARGET]))
    assert o.status is Status.PASS, o.summary
    assert o.summary == "3 names resolved (3 public)"
    names = o.data["dns"]["names"]
    assert names[STS]["addresses"] == ["52.94.0.20", "2600:1f18::1"]
    assert names[STS]["classification"] == "public" and names[STS]["via"] == "getaddrinfo"
    assert names[STS]["ttl"] == 30
    assert o.data["dns"]["resolvers"] == ["127.0.0.1"]
    assert _causes(o) == []


def test_nxdomain_for_a_target_fails_naming_the_resolver(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20").a("iam.amazonaws.com", "52.94.2.2")
    o = dnsw.run(dnsw.context(targets=[LOGS_TARGET]))
    assert o.status is Status.FAIL
    f = _one(o, "dns.dns-resolution-failed")
    assert f.message == f"{LOGS} does not resolve: NXDOMAIN from 127.0.0.1"
    assert "1 failed" in o.summary and "NXDOMAIN from 127.0.0.1" in o.summary
    assert o.data["dns"]["names"][LOGS]["addresses"] == []
    assert _causes(o) == ["dns-resolution-failed"]


@pytest.mark.parametrize(("host", "hint"), [
    ("aps-workspace.us-east-1.amazonaws.com", "matches no endpoint pattern sigdoctor knows"),
    ("aps-workspaces.us-east-9.amazonaws.com", "us-east-9 is not a region this botocore knows"),
])
def test_nxdomain_target_says_what_looks_wrong_with_the_name(dnsw: DnsWorld, host: str, hint: str) -> None:
    dnsw.ns.a(STS, "52.94.0.20").a("iam.amazonaws.com", "52.94.2.2")
    o = dnsw.run(dnsw.context(targets=[f"https://{host}/workspaces/ws-1/api/v1/remote_write"]))
    f = _one(o, "dns.dns-resolution-failed")
    assert f.message.startswith(f"{host} does not resolve: NXDOMAIN from 127.0.0.1 — ")
    assert hint in f.message


def test_servfail(dnsw: DnsWorld) -> None:
    dnsw.ns.servfail(STS)
    o = dnsw.run()
    f = _one(o, "dns.dns-resolution-failed")
    assert "SERVFAIL from 127.0.0.1" in f.message
    assert any("forwarders" in line for line in f.evidence["fix"])


def test_silent_nameserver_finishes_and_says_what_timed_out(dnsw: DnsWorld) -> None:
    dnsw.ns.default = "silent"
    ctx = dnsw.context(targets=[APS_TARGET, LOGS_TARGET])
    o = dnsw.run(ctx)
    assert o.status is Status.FAIL
    failed = [f for f in o.findings if f.id == "dns.dns-resolution-failed"]
    assert {f.evidence["name"] for f in failed} == {STS, APS, LOGS, "iam.amazonaws.com"}
    assert all("timeout" in f.message and "127.0.0.1" in f.message for f in failed)
    assert any("port 53" in line for line in failed[0].evidence["fix"])


def test_hosts_file_pin_of_an_aws_name(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    dnsw.hosts("10.9.9.9 sts.us-east-1.amazonaws.com")
    o = dnsw.run()
    f = _one(o, "dns.hosts-file-override")
    assert f.status is Status.FAIL
    assert f.evidence["line"] == 3
    assert f.evidence["fix"] == [f"Remove line 3 of /etc/hosts ('10.9.9.9 {STS}') so {STS} resolves through DNS"]
    assert f.message == "/etc/hosts line 3 pins sts.us-east-1.amazonaws.com to 10.9.9.9 (DNS says 52.94.0.20)"
    assert o.data["dns"]["names"][STS]["addresses"] == ["10.9.9.9"]
    assert "dns.resolvers-disagree" not in _ids(o)
    assert _causes(o) == ["hosts-file-override"]


def test_hosts_pin_is_dormant_when_nsswitch_skips_files(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    dnsw.hosts("10.9.9.9 sts.us-east-1.amazonaws.com")
    ctx = dnsw.context()
    (dnsw.root / "etc/nsswitch.conf").write_text("hosts: dns\n")
    assert _one(dnsw.run(ctx), "dns.hosts-file-override").status is Status.WARN


def test_vpc_endpoint_expected_but_public(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    o = dnsw.run(dnsw.context(vpc_endpoints=True))
    f = _one(o, "dns.vpc-endpoint-bypassed")
    assert f.status is Status.FAIL
    assert "--vpc-endpoints" in f.message and "52.94.0.20" in f.message
    assert any("com.amazonaws.us-east-1.sts" in line for line in f.evidence["fix"])
    assert _causes(o) == ["vpc-endpoint-bypassed"]


def test_vpc_endpoint_in_use(dnsw: DnsWorld) -> None:
    vpce = "vpce-0abc123-xyz.sts.us-east-1.vpce.amazonaws.com"
    dnsw.ns.cname(STS, vpce).a(vpce, "10.0.1.5", ttl=60)
    o = dnsw.run(dnsw.context(vpc_endpoints=True))
    assert o.status is Status.PASS
    assert o.summary == "1 name resolved (1 private via vpce)"
    name = o.data["dns"]["names"][STS]
    assert name["cname_chain"] == [vpce] and name["classification"] == "private" and name["vpce"]
    assert _one(o, "dns.answers").message.startswith(f"{STS} → {vpce} → 10.0.1.5 (private via VPC endpoint")


def test_other_names_private_this_one_public_is_a_warning(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "10.0.1.5").a(APS, "52.94.1.1").a("iam.amazonaws.com", "52.94.2.2")
    o = dnsw.run(dnsw.context(targets=[APS_TARGET]))
    f = _one(o, "dns.vpc-endpoint-bypassed")
    assert f.status is Status.WARN and f.evidence["name"] == APS
    assert o.status is Status.WARN
    assert "iam.amazonaws.com" not in {x.evidence.get("name") for x in o.findings if x.id == f.id}


def test_getaddrinfo_disagrees_with_the_nameserver(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")

    def gai(host: str, *a: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.1.5", 443))]

    dnsw.getaddrinfo = gai
    o = dnsw.run()
    f = _one(o, "dns.resolvers-disagree")
    assert "getaddrinfo gives private 10.0.1.5" in f.message
    assert o.status is Status.WARN


@pytest.fixture
def second_ns(fake_dns: FakeDns) -> Iterator[FakeDns]:
    with FakeDns("127.0.0.2", fake_dns.port) as ns:
        yield ns


def test_nameservers_disagree(dnsw: DnsWorld, second_ns: FakeDns) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    second_ns.a(STS, "10.0.1.5")
    o = dnsw.run(_ctx_two_ns(dnsw))
    f = _one(o, "dns.resolvers-disagree")
    assert "differ in kind" in f.message and "127.0.0.2" in f.message
    assert [n["nameserver"] for n in o.data["dns"]["names"][STS]["nameservers"]] == ["127.0.0.1", "127.0.0.2"]


def test_second_nameserver_silent(dnsw: DnsWorld, second_ns: FakeDns) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    second_ns.default = "silent"
    o = dnsw.run(_ctx_two_ns(dnsw))
    f = _one(o, "dns.resolvers-disagree")
    assert "127.0.0.2" in f.message and "timeout" in f.message


def _ctx_two_ns(dnsw: DnsWorld) -> Any:
    dnsw.resolv("nameserver 127.0.0.1", "nameserver 127.0.0.2", "search corp.example")
    return dnsw.context()


def test_kubernetes_ndots_cost_and_glibc_query_order(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    dnsw.resolv("nameserver 127.0.0.1", "search monitoring.svc.cluster.local svc.cluster.local cluster.local",
                "options ndots:5")
    o = dnsw.run(dnsw.context(env={"KUBERNETES_SERVICE_HOST": "172.20.0.1"}))
    f = _one(o, "dns.ndots-cost")
    assert f.status is Status.WARN
    assert f.message.startswith("sts.us-east-1.amazonaws.com has 3 dots < ndots 5: 3 search domains tried first = "
                                "6 extra queries (A+AAAA)")
    assert any("ndots" in line for line in f.evidence["fix"])
    names_in_order = list(dict.fromkeys(n for n, _ in dnsw.ns.queries))
    assert names_in_order[:4] == [f"{STS}.monitoring.svc.cluster.local", f"{STS}.svc.cluster.local",
                                  f"{STS}.cluster.local", STS]
    assert o.data["dns"]["names"][STS]["tried"][-1] == STS
    assert _causes(o) == []


def test_ndots_cost_passes_when_names_go_first(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    dnsw.resolv("nameserver 127.0.0.1", "search svc.cluster.local cluster.local", "options ndots:2")
    o = dnsw.run(dnsw.context(env={"KUBERNETES_SERVICE_HOST": "172.20.0.1"}))
    assert _one(o, "dns.ndots-cost").status is Status.PASS
    assert o.status is Status.PASS


def test_search_domain_wildcard_captures_an_aws_name(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20").a("*.corp.example", "10.20.30.40")
    dnsw.resolv("nameserver 127.0.0.1", "search corp.example", "options ndots:5")
    o = dnsw.run()
    f = _one(o, "dns.unusual-answer")
    assert f"{STS}.corp.example" in f.message


def test_loopback_answer_for_an_aws_name(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "127.0.0.1")
    assert "loopback" in _one(dnsw.run(), "dns.unusual-answer").message


def test_ip_literals_are_classified_not_resolved(dnsw: DnsWorld) -> None:
    dnsw.ns.a(STS, "52.94.0.20")
    ctx = dnsw.context()
    # The credentials probe won with the instance role: the network probes look at its endpoint too.
    ctx.state.credential_endpoints.set([("imds", "http://169.254.169.254/")])
    o = dnsw.run(ctx)
    imds = o.data["dns"]["names"]["169.254.169.254"]
    assert imds["classification"] == "link-local" and imds["via"] == "literal"
    assert imds["addresses"] == ["169.254.169.254"]
    assert not [n for n, _ in dnsw.ns.queries if "169" in n]


def test_offline_sends_nothing(dnsw: DnsWorld) -> None:
    o = dnsw.run(dnsw.context(offline=True))
    assert o.status is Status.SKIP and "--offline" in o.summary
    assert dnsw.ns.queries == []


def test_through_the_runner_every_finding_is_declared(dnsw: DnsWorld) -> None:
    dnsw.ns.nxdomain(STS)
    ctx = dnsw.context()
    probe = Probe(id="dns", title=PROBE.title, timeout=PROBE.timeout, emits=EMITS,
                  run=partial(run_dns, getaddrinfo=stub_getaddrinfo(dnsw.root, dnsw.ns.port), port=dnsw.ns.port))
    report = run_report(ctx, [probe])
    assert report.probes[0].status == Status.FAIL, report.probes[0].summary
    assert report.root_causes[0].id == "dns-resolution-failed"
    assert f"Ask the nameserver yourself: dig @127.0.0.1 {STS}" in report.root_causes[0].fix

