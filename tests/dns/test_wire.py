"""The dns probe's own DNS client (netdns.wire behind direct.query): what it reads from a nameserver must be what
dnspython reads from the same server, and no packet — truncated, looping, for another query — may make it raise."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterator
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigdoctor.netdns import wire
from sigdoctor.netdns.direct import Query, lookup, query
from tests.dns.scripted import ScriptedDns, framed, raw, respond
from tests.fakes.dns import FakeDns

STS = "sts.us-east-1.amazonaws.com"
VPCE = "vpce-0abc123-xyz.sts.us-east-1.vpce.amazonaws.com"


# ---- dnspython as the reference: the client sigdoctor used before, on the same server --------------------------
def _reference_walk(response: dns.message.Message, qname: str, rdtype: int) -> tuple[list[str], list[str],
                                                                                        int | None]:
    by_owner: dict[tuple[str, int], Any] = {}
    for rrset in response.answer:
        by_owner[(rrset.name.to_text(omit_final_dot=True).lower(), rrset.rdtype)] = rrset
    name, chain, ttls = qname.lower().rstrip("."), [], []
    for _ in range(16):
        cname = by_owner.get((name, dns.rdatatype.CNAME))
        if cname is None:
            break
        ttls.append(int(cname.ttl))
        name = cname[0].target.to_text(omit_final_dot=True).lower()
        chain.append(name)
    addrs: list[str] = []
    final = by_owner.get((name, rdtype))
    if final is not None:
        ttls.append(int(final.ttl))
        addrs = [r.address for r in final]
    return chain, addrs, (min(ttls) if ttls else None)


def reference(name: str, rdtype: str, nameserver: str, port: int, timeout: float = 1.0) -> tuple[Any, ...]:
    """(outcome, addresses, cname chain, ttl, tcp) as dnspython sees the nameserver's answer."""
    q = dns.message.make_query(name + ".", rdtype)
    try:
        response, tcp = dns.query.udp_with_fallback(q, nameserver, timeout=timeout, port=port)
    except dns.exception.Timeout:
        return ("timeout", [], [], None, False)
    except OSError:
        return ("error", [], [], None, False)
    rcode = response.rcode()
    words = {dns.rcode.NXDOMAIN: "nxdomain", dns.rcode.SERVFAIL: "servfail", dns.rcode.REFUSED: "refused"}
    if rcode != dns.rcode.NOERROR:
        return (words.get(rcode, "error"), [], [], None, bool(tcp))
    chain, addrs, ttl = _reference_walk(response, name, dns.rdatatype.from_text(rdtype))
    return ("answer" if addrs else "nodata", addrs, chain, ttl, bool(tcp))


def seen(q: Query) -> tuple[Any, ...]:
    return (q.outcome, q.addresses, q.cname_chain, q.ttl, q.tcp)


@pytest.fixture
def scripted() -> Iterator[ScriptedDns]:
    with ScriptedDns("127.0.0.1") as ns:
        yield ns


# ---- same answers as dnspython from the dnslib fake -------------------------------------------------------------
FAKE_CASES: dict[str, tuple[Callable[[FakeDns], Any], str, str]] = {
    "a": (lambda ns: ns.a(STS, "52.94.0.20", ttl=30), STS, "A"),
    "aaaa": (lambda ns: ns.aaaa(STS, "2600:1f18::1", "::ffff:10.0.0.1", ttl=90), STS, "AAAA"),
    "several-a": (lambda ns: ns.a(STS, "52.94.0.20", "52.94.0.21", "52.94.0.22"), STS, "A"),
    "cname-chain-ttl-min": (lambda ns: ns.cname(STS, "hop.example", ttl=300).cname("hop.example", VPCE, ttl=30)
                            .a(VPCE, "10.0.1.5", ttl=60), STS, "A"),
    "cname-to-nodata": (lambda ns: ns.cname(STS, VPCE).a(VPCE, "10.0.1.5"), STS, "AAAA"),
    "cname-loop": (lambda ns: ns.cname("a.example", "b.example").cname("b.example", "a.example"), "a.example", "A"),
    "nxdomain": (lambda ns: ns.nxdomain(STS), STS, "A"),
    "servfail": (lambda ns: ns.servfail(STS), STS, "A"),
    "refused": (lambda ns: ns.refused(STS), STS, "AAAA"),
    "nodata": (lambda ns: ns.record(STS, "TXT", '"hello"'), STS, "A"),
    "mixed-case-query": (lambda ns: ns.a(STS, "52.94.0.20"), STS.upper(), "A"),
    "truncated-then-tcp": (lambda ns: ns.a("big.example", *(f"52.1.0.{i}" for i in range(60))), "big.example", "A"),
}


@pytest.mark.parametrize("case", FAKE_CASES)
def test_reads_what_dnspython_reads(fake_dns: FakeDns, case: str) -> None:
    setup, name, rdtype = FAKE_CASES[case]
    setup(fake_dns)
    ours = query(name, rdtype, "127.0.0.1", fake_dns.port, 1.0)
    assert ours.outcome != "error", ours.error
    assert seen(ours) == reference(name, rdtype, "127.0.0.1", fake_dns.port)


def test_chain_and_ttl_as_the_probe_shows_them(fake_dns: FakeDns) -> None:
    FAKE_CASES["cname-chain-ttl-min"][0](fake_dns)
    q = query(STS, "A", "127.0.0.1", fake_dns.port, 1.0)
    assert (q.outcome, q.cname_chain, q.addresses, q.ttl) == ("answer", ["hop.example", VPCE], ["10.0.1.5"], 30)


# ---- same answers as dnspython from hand-scripted servers -------------------------------------------------------
def test_mixed_case_compressed_chain(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, (STS.upper() + ".", 300, "CNAME", "Hop.Example."),
                                      ("HOP.example.", 20, "CNAME", VPCE.upper() + "."),
                                      (VPCE + ".", 60, "A", ["10.0.1.5", "10.0.1.6"]))]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert seen(q) == reference(STS, "A", "127.0.0.1", scripted.port)
    assert q.cname_chain == ["hop.example", VPCE] and q.addresses == ["10.0.1.5", "10.0.1.6"] and q.ttl == 20


def test_truncated_over_udp_is_asked_again_over_tcp(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, tc=True)]
    scripted.tcp = lambda q: framed(respond(q, (STS + ".", 45, "AAAA", ["2600:1f18::1", "2600:1f18::2"])))
    q = query(STS, "AAAA", "127.0.0.1", scripted.port, 1.0)
    assert (q.outcome, q.tcp, q.addresses, q.ttl) == ("answer", True, ["2600:1f18::1", "2600:1f18::2"], 45)
    assert seen(q) == reference(STS, "AAAA", "127.0.0.1", scripted.port)
    assert [proto for proto, _ in scripted.queries] == ["udp", "tcp", "udp", "tcp"]


def test_truncated_answer_and_nothing_on_tcp_is_an_error() -> None:
    with ScriptedDns("127.0.0.1", tcp=False) as ns:
        ns.udp = lambda q: [respond(q, tc=True)]
        q = query(STS, "A", "127.0.0.1", ns.port, 1.0)
        assert (q.outcome, q.error) == ("error", "Connection refused")
        assert reference(STS, "A", "127.0.0.1", ns.port)[0] == "error"


def test_other_rcodes_are_named(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [respond(q, rcode=dns.rcode.NOTIMP)]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert (q.outcome, q.error) == ("error", "rcode NOTIMP")


def test_refusal_without_a_question_section_is_still_a_refusal(scripted: ScriptedDns) -> None:
    scripted.udp = lambda q: [raw(q, b"", 0, flags=0x8105, with_question=False)]
    q = query(STS, "A", "127.0.0.1", scripted.port, 1.0)
    assert q.outcome == "refused"
    assert reference(STS, "A", "127.0.0.1", scripted.port)[0] == "refused"


def test_ipv6_nameserver() -> None:
    try:
        ns = ScriptedDns("::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with ns:
        ns.udp = lambda q: [respond(q, (STS + ".", 60, "A", "52.94.0.20"))]
        assert query(STS, "A", "::1", ns.port, 1.0).addresses == ["52.94.0.20"]


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
                b"\x00\x01\x02",                                                 # not even a header
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
    # Generous: a budget restarted by every stray datagram would never end while the flood lasts.
    assert q.elapsed_ms < 5000


# ---- malformed answers: an error outcome with a reason, never an exception ---------------------------------------
def _loop_to_itself(q: bytes) -> bytes:
    here = len(q)  # the answer starts right after the echoed header and question
    return raw(q, struct.pack("!H", 0xC000 | here) + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1)


MALFORMED: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "record-cut-short": (lambda q: raw(q, b"\xc0\x0c\x00\x01\x00", 1), "runs past the end"),
    "fewer-records-than-counted": (lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 2),
                                   "runs past the end"),
    "rdata-past-the-end": (lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 40) + bytes(4), 1),
                           "runs past the end"),
    "pointer-to-itself": (_loop_to_itself, "loop"),
    "pointer-forwards": (lambda q: raw(q, b"\xc0\xff" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1), "loop"),
    "a-of-3-bytes": (lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 3) + bytes(3), 1), "3 bytes"),
    "cname-overruns-rdata": (lambda q: raw(q, b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 2) + b"\x03abc\x00", 1),
                             "CNAME record of 2 bytes"),
    "extended-label-type": (lambda q: raw(q, b"\x41abc\x00" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4), 1),
                            "label type"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_answer_is_an_error_outcome(scripted: ScriptedDns, case: str) -> None:
    make, why = MALFORMED[case]
    scripted.udp = lambda q: [make(q)]
    r = lookup([STS], "127.0.0.1", port=scripted.port, timeout=1.0)
    assert r.outcome == "error"
    text = r.error_text() or ""
    assert text.startswith("malformed answer: ") and why in text


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


# ---- names and nameservers that cannot be asked -------------------------------------------------------------------
def test_non_ascii_names_are_asked_in_idna(fake_dns: FakeDns) -> None:
    fake_dns.a("xn--bcher-kva.example", "192.0.2.7")
    q = query("bücher.example", "A", "127.0.0.1", fake_dns.port, 1.0)
    assert (q.outcome, q.addresses) == ("answer", ["192.0.2.7"])
    assert fake_dns.queried("xn--bcher-kva.example") == ["A"]


@pytest.mark.parametrize(("name", "why"), [
    ("a" * 64 + ".example", "longer than 63 octets"),
    (".".join(["a" * 60] * 5), "longer than 253 characters"),
    ("a..example", "empty label"),
])
def test_names_dns_cannot_carry_are_errors_without_a_query(fake_dns: FakeDns, name: str, why: str) -> None:
    q = query(name, "A", "127.0.0.1", fake_dns.port, 1.0)
    assert q.outcome == "error" and why in (q.error or "")
    assert fake_dns.queries == []


def test_longest_legal_name_is_asked(fake_dns: FakeDns) -> None:
    name = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters
    fake_dns.a(name, "192.0.2.9")
    assert query(name, "A", "127.0.0.1", fake_dns.port, 1.0).addresses == ["192.0.2.9"]


def test_a_nameserver_that_is_not_an_address_is_an_error() -> None:
    q = query(STS, "A", "dns.corp.example", 53, 1.0)
    assert q.outcome == "error" and "not an IP address" in (q.error or "")


# ---- the parser on its own ----------------------------------------------------------------------------------------
_LABEL = st.binary(min_size=1, max_size=12)
_NAME = st.lists(_LABEL, min_size=1, max_size=4).map(lambda labels: dns.name.Name([*labels, b""]))
_RDATA = st.one_of(
    st.tuples(st.just("A"), st.ip_addresses(v=4).map(str)),
    st.tuples(st.just("AAAA"), st.ip_addresses(v=6).map(str)),
    st.tuples(st.just("CNAME"), _NAME.map(lambda n: n.to_text())),
)


@settings(max_examples=150, deadline=None)
@given(owners=st.lists(st.tuples(_NAME, st.integers(0, 2**31 - 1), _RDATA), min_size=0, max_size=8))
def test_parse_agrees_with_dnspython(owners: list[tuple[dns.name.Name, int, tuple[str, str]]]) -> None:
    msg = dns.message.make_response(dns.message.make_query("q.example.", "A"))
    for owner, ttl, (rdtype, value) in owners:
        msg.answer.append(dns.rrset.from_text(owner, ttl, "IN", rdtype, value))
    data = msg.to_wire()
    theirs = dns.message.from_wire(data, one_rr_per_rrset=True)
    want = [(rr.name.to_text(omit_final_dot=True), rr.rdtype, rr.ttl,
             rr[0].target.to_text(omit_final_dot=True) if rr.rdtype == dns.rdatatype.CNAME else rr[0].address)
            for rr in theirs.answer]
    got = wire.parse(data)
    assert [(r.owner, r.rdtype, r.ttl, r.data) for r in got.answer] == want
    assert got.id == msg.id and got.rcode == 0 and got.question == ("q.example", 1, 1)


_VALID = respond(dns.message.make_query(STS + ".", "A").to_wire(),
                 (STS + ".", 300, "CNAME", VPCE + "."), (VPCE + ".", 60, "A", ["10.0.1.5", "10.0.1.6"]))


@settings(max_examples=400, deadline=None)
@given(data=st.one_of(
    st.binary(max_size=600),
    st.tuples(st.integers(0, len(_VALID)), st.lists(st.tuples(st.integers(0, len(_VALID) - 1),
                                                              st.integers(0, 255)), max_size=6))
    .map(lambda cut_edits: _mutate(_VALID, *cut_edits)),
))
def test_parser_raises_nothing_but_its_own_error(data: bytes) -> None:
    try:
        parsed = wire.parse(data)
    except wire.WireError as exc:
        assert str(exc)  # a reason the report can show
    else:
        assert all(isinstance(r, wire.Record) for r in parsed.answer)
    query_wire = wire.make_query(STS, "A")[1]
    assert isinstance(wire._answers(query_wire, data), bool)


def _mutate(data: bytes, cut: int, edits: list[tuple[int, int]]) -> bytes:
    buf = bytearray(data)
    for pos, value in edits:
        buf[pos] = value
    return bytes(buf[:cut])


def test_query_is_a_standard_recursive_query() -> None:
    qid, data = wire.make_query("Sts.Example", "AAAA")
    parsed = dns.message.from_wire(data)
    assert parsed.id == qid and parsed.flags == dns.flags.RD and parsed.edns < 0
    assert [(q.name.to_text(), q.rdtype) for q in parsed.question] == [("Sts.Example.", dns.rdatatype.AAAA)]


def test_unbound_loopback_port_is_timeout_not_error() -> None:
    # An ICMP port-unreachable is not an answer: like dnspython and glibc, the client waits out its budget.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    assert query(STS, "A", "127.0.0.1", port, 0.2).outcome == "timeout"
