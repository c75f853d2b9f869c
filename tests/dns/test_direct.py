"""Direct queries to one nameserver, walking the search list the way glibc does (fake DNS on 127.0.0.1)."""

from __future__ import annotations

from sigdoctor.netdns.direct import lookup, query
from tests.fakes.dns import FakeDns, free_host_port

STS = "sts.us-east-1.amazonaws.com"


def test_answer_with_ttl_and_both_families(fake_dns: FakeDns) -> None:
    fake_dns.a(STS, "52.94.0.20", ttl=30).aaaa(STS, "2600:1f18::1", ttl=90)
    r = lookup([STS], "127.0.0.1", port=fake_dns.port)
    assert r.ok and r.answered_name == STS
    assert r.addresses == ["52.94.0.20", "2600:1f18::1"]
    assert r.ttl == 30
    assert sorted(fake_dns.queried(STS)) == ["A", "AAAA"]


def test_cname_chain_to_a_vpc_endpoint(fake_dns: FakeDns) -> None:
    vpce = "vpce-0abc123-xyz.logs.us-east-1.vpce.amazonaws.com"
    fake_dns.cname("logs.us-east-1.amazonaws.com", vpce, ttl=300).a(vpce, "10.0.1.5", ttl=60)
    r = lookup(["logs.us-east-1.amazonaws.com"], "127.0.0.1", port=fake_dns.port)
    assert r.cname_chain == [vpce]
    assert r.addresses == ["10.0.1.5"]
    assert r.ttl == 60


def test_search_walk_moves_on_after_nxdomain_and_servfail(fake_dns: FakeDns) -> None:
    fake_dns.servfail(f"{STS}.svc.cluster.local").a(STS, "52.94.0.20")
    r = lookup([f"{STS}.ns.svc.cluster.local", f"{STS}.svc.cluster.local", STS], "127.0.0.1", port=fake_dns.port)
    assert r.ok and r.answered_name == STS
    assert [q.outcome for q in r.queries if q.rdtype == "A"] == ["nxdomain", "servfail", "answer"]


def test_a_timeout_ends_the_walk_like_glibc(fake_dns: FakeDns) -> None:
    fake_dns.silent(f"{STS}.cluster.local").a(STS, "52.94.0.20")
    r = lookup([f"{STS}.cluster.local", STS], "127.0.0.1", port=fake_dns.port, timeout=0.3)
    assert r.outcome == "timeout"
    assert r.not_tried == [STS]
    assert r.error_text() == f"timeout after 0.3s on search candidate {STS}.cluster.local"
    assert fake_dns.queried(STS) == []


def test_nxdomain_everywhere(fake_dns: FakeDns) -> None:
    r = lookup(["nope.us-east-1.amazonaws.com.corp.example", "nope.us-east-1.amazonaws.com"], "127.0.0.1",
               port=fake_dns.port)
    assert r.outcome == "nxdomain" and r.error_text() == "NXDOMAIN"
    assert len(r.queries) == 4


def test_refused_stops_the_walk(fake_dns: FakeDns) -> None:
    fake_dns.refused(f"{STS}.corp.example")
    r = lookup([f"{STS}.corp.example", STS], "127.0.0.1", port=fake_dns.port)
    assert r.outcome == "refused" and r.not_tried == [STS]


def test_name_with_other_records_only_is_nodata(fake_dns: FakeDns) -> None:
    fake_dns.record("txt-only.example", "TXT", '"hello"')
    assert lookup(["txt-only.example"], "127.0.0.1", port=fake_dns.port).outcome == "nodata"


def test_truncated_answer_is_retried_over_tcp(fake_dns: FakeDns) -> None:
    fake_dns.a("big.example", *(f"52.1.0.{i}" for i in range(60)))
    q = query("big.example", "A", "127.0.0.1", fake_dns.port, 1.0)
    assert q.tcp and len(q.addresses) == 60


def test_nothing_listening_is_a_timeout() -> None:
    host, port = free_host_port()
    r = lookup([STS], host, port=port, timeout=0.3)
    assert r.outcome == "timeout" and not r.addresses


def test_deadline_leaves_candidates_unqueried(fake_dns: FakeDns) -> None:
    r = lookup(["a.example", "b.example"], "127.0.0.1", port=fake_dns.port, deadline=0.0)
    assert r.not_tried == ["a.example", "b.example"] and r.queries == []
