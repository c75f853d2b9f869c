"""sigdoctor's DNS queries (direct.query / direct.lookup, dnspython underneath) against real servers on loopback: the
dnslib fake for ordinary answers, a scripted server for what dnslib will not send — truncation, answers for another
query, floods, malformed and looping packets. Whatever a nameserver sends, the outcome is one of the probe's words
with a reason, never an exception."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterator
from typing import Any

import dns.message
import dns.rcode
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigdoctor.netdns.direct import OUTCOMES, Query, lookup, query
from tests.dns.scripted import ScriptedDns, framed, raw, respond
from tests.fakes.dns import FakeDns

STS = "sts.us-east-1.amazonaws.com"
VPCE = "vpce-0abc123-xyz.sts.us-east-1.vpce.amazonaws.com"


def seen(q: Query) -> tuple[Any, ...]:
    return (q.outcome, q.addresses, q.cname_chain, q.ttl, q.tcp)


@pytest.fixture
def scripted() -> Iterator[ScriptedDns]:
    with ScriptedDns("127.0.0.1") as ns:
        yield ns


# ---- what the dnslib fake answers, as the probe reads it ---------------------------------------------------------
FAKE_CASES: dict[str, tuple[Callable[[FakeDns], Any], str, str, tuple[Any, ...]]] = {
    "a": (lambda ns: ns.a(STS, "52.94.0.20", ttl=30), STS, "A", ("answer", ["52.94.0.20"], [], 30, False)),
    "aaaa": (lambda ns: ns.aaaa(STS, "2600:1f18::1", "2600:1f18::2", ttl=90), STS, "AAAA",
             ("answer", ["2600:1f18::1", "2600:1f18::2"], [], 90, False)),
    "several-a": (lambda ns: ns.a(STS, "52.94.0.20", "52.94.0.21", "52.94.0.22"), STS, "A",
                  ("answer", ["52.94.0.20", "52.94.0.21", "52.94.0.22"], [], 60, False)),
    "cname-chain-ttl-min": (lambda ns: ns.cname(STS, "hop.example", ttl=300).cname("hop.example", VPCE, ttl=30)
                            .a(VPCE, "10.0.1.5", ttl=60), STS, "A",
                            ("answer", ["10.0.1.5"], ["hop.example", VPCE], 30, False)),
    "cname-to-nodata": (lambda ns: ns.cname(STS, VPCE, ttl=60).a(VPCE, "10.0.1.5"), STS, "AAAA",
                        ("nodata", [], [VPCE], 60, False)),
    "cname-loop": (lambda ns: ns.cname("a.example", "b.example", ttl=60).cname("b.example", "a.example", ttl=60),
                   "a.example", "A", ("nodata", [], ["b.example", "a.example"] * 8, 60, False)),
    "nxdomain": (lambda ns: ns.nxdomain(STS), STS, "A", ("nxdomain", [], [], None, False)),
    "servfail": (lambda ns: ns.servfail(STS), STS, "A", ("servfail", [], [], None, False)),
    "refused": (lambda ns: ns.refused(STS), STS, "AAAA", ("refused", [], [], None, False)),
    "nodata": (lambda ns: ns.record(STS, "TXT", '"hello"'), STS, "A", ("nodata", [], [], None, False)),
    "mixed-case-query": (lambda ns: ns.a(STS, "52.94.0.20", ttl=60), STS.upper(), "A",
                         ("answer", ["52.94.0.20"], [], 60, False)),
    "truncated-then-tcp": (lambda ns: ns.a("big.example", *(f"52.1.0.{i}" for i in range(60)), ttl=60),
                           "big.example", "A", ("answer", [f"52.1.0.{i}" for i in range(60)], [], 60, True)),
}


@pytest.mark.parametrize("case", FAKE_CASES)
def test_what_the_fake_answers(fake_dns: FakeDns, case: str) -> None:
    setup, name, rdtype, want = FAKE_CASES[case]
    setup(fake_dns)
    ours = query(name, rdtype, "127.0.0.1", fake_dns.port, 1.0)
    assert seen(ours) == want, ours.error


# ---- hand-scripted servers -----------------------------------------------------------------------------------------
def test_mixed_case_compressed_chain(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, (STS.upper() + ".", 300, "CNAME", "Hop.Example."),
                                      ("HOP.example.", 20, "CNAME", VPCE.upper() + "."),
                                      (VPCE + ".", 60, "A", ["10.0.1.5", "10.0.1.6"]))]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert seen(q) == ("answer", ["10.0.1.5", "10.0.1.6"], ["hop.example", VPCE], 20, False)


def test_truncated_over_udp_is_asked_again_over_tcp(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, tc=True)]
    scripted.tcp = lambda q: framed(respond(q, (STS + ".", 45, "AAAA", ["2600:1f18::1", "2600:1f18::2"])))
    q = query(STS, "AAAA", "127.0.0.1", scripted.port, 1.0)
    assert (q.outcome, q.tcp, q.addresses, q.ttl) == ("answer", True, ["2600:1f18::1", "2600:1f18::2"], 45)
    assert [proto for proto, _ in scripted.queries] == ["udp", "tcp"]


def test_truncated_answer_and_nothing_on_tcp_is_an_error() -> None:
    with ScriptedDns("127.0.0.1", tcp=False) as ns:
        ns.udp = lambda q: [respond(q, tc=True)]
        q = query(STS, "A", "127.0.0.1", ns.port, 1.0)
        assert (q.outcome, q.error) == ("error", "Connection refused")


def test_other_rcodes_are_named(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, rcode=dns.rcode.NOTIMP)]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert (q.outcome, q.error) == ("error", "rcode NOTIMP")


def test_refusal_without_a_question_section_is_still_a_refusal(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [raw(q, b"", 0, flags=0x8105, with_question=False)]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert q.outcome == "refused"


def test_ipv6_nameserver() -> None:
    try:
        ns = ScriptedDns("::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with ns:
        ns.udp = lambda q: [respond(q, (STS + ".", 60, "A", "52.94.0.20"))]
        assert query(STS, "A", "::1", ns.port, 1.0).addresses == ["52.94.0.20"]


def test_queries_carry_edns_only_when_resolv_conf_asks(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, (STS + ".", 60, "A", "52.94.0.20"))]
    query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    query(STS, "A", "127.0.0.1", scripted.port, 1.0, edns=True)
    sent = [dns.message.from_wire(wire) for _, wire in scripted.queries]
    assert [m.edns for m in sent] == [-1, 0]
    assert all(m.flags & 0x0100 for m in sent)  # RD: a recursive query, like the stub resolver's


# ---- datagrams that are not the answer ----------------------------------------------------------------------------
def _other_id(q: bytes) -> bytes:
    return struct.pack("!H", struct.unpack("!H", q[:2])[0] ^ 0x5A5A) + q[2:]


def test_answers_to_other_queries_are_ignored(scripted: ScriptedDns) -> None:
    def script(q: bytes) -> list[Any]:
        other_name = dns.message.make_query("evil.example.", "A")
        other_name.id = struct.unpack("!H", q[:2])[0]
        return [respond(_other_id(q), (STS + ".", 60, "A", "6.6.6.1")),       # another id
                respond(other_name.to_wire(), ("evil.example.", 60, "A", "6.6.6.2")),  # another question
                ("stray", respond(q, (STS + ".", 60, "A", "6.6.6.3"))),        # another port
                q,                                                               # not a response (QR clear)
                respond(q, (STS + ".", 60, "A", "52.94.0.20"))]
    scripted.udp = script
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert (q.outcome, q.addresses) == ("answer", ["52.94.0.20"])


def test_a_server_that_never_answers_is_a_timeout(scripted: ScriptedDns) -> None:
    q = query(STS, "A", "127.0.0.1", scripted.port, 0.3)
    assert (q.outcome, q.error) == ("timeout", "no answer")
    assert q.elapsed_ms >= 300


def test_a_flood_of_wrong_answers_does_not_extend_the_budget(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [("flood", respond(_other_id(q), (STS + ".", 60, "A", "6.6.6.6")))]
    q = query(STS, "A", "127.0.0.1", scripted.port, 0.3)
    assert q.outcome == "timeout"
    # Generous: a budget restarted by every stray datagram would never end while the flood lasts (8 s).
    assert q.elapsed_ms < 5000


def test_udp_and_tcp_share_one_budget(scripted: ScriptedDns) -> None:
    # UDP says "truncated", TCP accepts and never answers: the lookup still ends at its one timeout.
    scripted.udp = lambda q: [respond(q, tc=True)]
    scripted.tcp = lambda q: None
    q = query(STS, "A", "127.0.0.1", scripted.port, 0.4)
    assert (q.outcome, q.error) == ("timeout", "no answer")
    assert [proto for proto, _ in scripted.queries] == ["udp", "tcp"]


# ---- malformed answers: an error outcome with a reason, never an exception ---------------------------------------
def _loop_to_itself(q: bytes) -> bytes:
    here = len(q)  # the answer starts right after the echoed header and question
    return raw(q, struct.pack("!H", 0xC000 | here) + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1)


MALFORMED: dict[str, Callable[[bytes], bytes]] = {
    "not-even-a-header": lambda q: b"\x00\x01\x02",
    "record-cut-short": lambda q: raw(q, b"\xc0\x0c\x00\x01\x00", 1),
    "fewer-records-than-counted": lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 2),
    "rdata-past-the-end": lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 40) + bytes(4), 1),
    "pointer-to-itself": _loop_to_itself,
    "pointer-forwards": lambda q: raw(q, b"\xc0\xff" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1),
    "a-of-3-bytes": lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 3) + bytes(3), 1),
    "cname-overruns-rdata": lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 2) + b"\x03abc\x00", 1),
    "extended-label-type": lambda q: raw(q, b"\x41abc\x00" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_answer_is_an_error_outcome(scripted: ScriptedDns, case: str) -> None:
    scripted.udp = lambda q: [MALFORMED[case](q)]
    r = lookup([STS], "127.0.0.1", port=scripted.port, timeout=1.0)
    assert r.outcome == "error"
    text = r.error_text() or ""
    assert text.startswith("malformed answer: ") and len(text) > len("malformed answer: ")


def test_tcp_connection_closed_mid_answer_is_an_error(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, tc=True)]
    scripted.tcp = lambda q: framed(respond(q, (STS + ".", 60, "A", "52.94.0.20")))[:20]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert q.outcome == "error" and "closed the TCP connection" in (q.error or "")


def test_tcp_answer_to_another_query_is_an_error(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, tc=True)]
    scripted.tcp = lambda q: framed(respond(_other_id(q), (STS + ".", 60, "A", "52.94.0.20")))
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert q.outcome == "error" and "does not answer the query" in (q.error or "")


_VALID = respond(dns.message.make_query(STS + ".", "A").to_wire(),
                 (STS + ".", 300, "CNAME", VPCE + "."), (VPCE + ".", 60, "A", ["10.0.1.5", "10.0.1.6"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(12, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.integers(12, len(_VALID)))
def test_no_mutated_answer_makes_the_client_raise(scripted: ScriptedDns, edits: list[tuple[int, int]],
                                                  cut: int) -> None:
    def mutated(q: bytes) -> list[Any]:
        buf = bytearray(respond(q, (STS + ".", 300, "CNAME", VPCE + "."), (VPCE + ".", 60, "A", ["10.0.1.5"])))
        for pos, value in edits:
            if pos < len(buf):
                buf[pos] = value
        return [bytes(buf[:cut])]

    scripted.udp = mutated
    q = query(STS, "A", "127.0.0.1", scripted.port, 0.2)
    assert q.outcome in OUTCOMES
    if q.outcome == "error":
        assert q.error


# ---- names and nameservers that cannot be asked -------------------------------------------------------------------
def test_non_ascii_names_are_asked_in_idna(fake_dns: FakeDns) -> None:
    fake_dns.a("xn--bcher-kva.example", "192.0.2.7")
    q = query("bücher.example", "A", "127.0.0.1", fake_dns.port, 1.0)
    assert (q.outcome, q.addresses) == ("answer", ["192.0.2.7"])
    assert fake_dns.queried("xn--bcher-kva.example") == ["A"]


@pytest.mark.parametrize(("name", "why"), [
    ("a" * 64 + ".example", "label is > 63 octets"),
    (".".join(["a" * 60] * 5), "name is > 255 octets"),
    ("a..example", "label is empty"),
])
def test_names_dns_cannot_carry_are_errors_without_a_query(fake_dns: FakeDns, name: str, why: str) -> None:
    q = query(name, "A", "127.0.0.1", fake_dns.port, 1.0)
    assert q.outcome == "error" and (q.error or "").startswith("invalid name") and why in (q.error or "")
    assert fake_dns.queries == []


def test_longest_legal_name_is_asked(fake_dns: FakeDns) -> None:
    name = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters
    fake_dns.a(name, "192.0.2.9")
    assert query(name, "A", "127.0.0.1", fake_dns.port, 1.0).addresses == ["192.0.2.9"]


def test_a_nameserver_that_is_not_an_address_is_an_error() -> None:
    q = query(STS, "A", "dns.corp.example", 53, 1.0)
    assert q.outcome == "error" and "not an IP address" in (q.error or "")


def test_unbound_loopback_port_is_timeout_not_error() -> None:
    # An ICMP port-unreachable is not an answer: like glibc, the client waits out its budget.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    assert query(STS, "A", "127.0.0.1", port, 0.2).outcome == "timeout"
