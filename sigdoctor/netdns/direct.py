"""Ask one nameserver directly (dnspython), walking the search list the way glibc does, so each nameserver's own
answer — CNAME chain, addresses, TTL, rcode, time — is visible, not just the system resolver's verdict.

The port is a parameter: resolv.conf has no port (53), tests point it at a fake on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import field
from typing import Any

from sigdoctor.records import datarecord

# Outcomes of one query and of one lookup, worst last for aggregation.
ANSWER, NODATA, NXDOMAIN, SERVFAIL, REFUSED, ERROR, TIMEOUT = (
    "answer", "nodata", "nxdomain", "servfail", "refused", "error", "timeout")
OUTCOMES = _SEVERITY = (ANSWER, NXDOMAIN, NODATA, SERVFAIL, REFUSED, ERROR, TIMEOUT)
_RCODES = {3: NXDOMAIN, 2: SERVFAIL, 5: REFUSED}  # dns.rcode values, without importing dnspython at start-up
# glibc's res_search ends the lookup on these instead of trying the next candidate name.
_STOPS_SEARCH = (REFUSED, ERROR, TIMEOUT)


@datarecord
class Query:
    name: str
    rdtype: str
    outcome: str
    addresses: list[str] = field(default_factory=list)
    cname_chain: list[str] = field(default_factory=list)
    ttl: int | None = None
    elapsed_ms: int = 0
    error: str | None = None
    tcp: bool = False

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.rdtype, "outcome": self.outcome,
                             "elapsed_ms": self.elapsed_ms}
        if self.addresses:
            d["addresses"] = self.addresses
        if self.cname_chain:
            d["cname_chain"] = self.cname_chain
        if self.ttl is not None:
            d["ttl"] = self.ttl
        if self.error:
            d["error"] = self.error
        if self.tcp:
            d["tcp"] = True
        return d


@datarecord
class Lookup:
    """One name looked up at one nameserver, across the search-list candidates."""

    nameserver: str
    port: int
    # The name as given (the candidate without a search domain).
    name: str = ""
    outcome: str = TIMEOUT
    answered_name: str | None = None
    addresses: list[str] = field(default_factory=list)
    cname_chain: list[str] = field(default_factory=list)
    ttl: int | None = None
    elapsed_ms: int = 0
    queries: list[Query] = field(default_factory=list)
    # Candidates never queried because glibc would have stopped (a timeout) before them.
    not_tried: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"nameserver {self.nameserver}" + (f":{self.port}" if self.port != 53 else "")

    @property
    def ok(self) -> bool:
        return self.outcome == ANSWER

    def error_text(self) -> str | None:
        if self.ok:
            return None
        words = {NXDOMAIN: "NXDOMAIN", NODATA: "no A/AAAA records", SERVFAIL: "SERVFAIL", REFUSED: "REFUSED",
                 TIMEOUT: "timeout", ERROR: "error"}
        text = words.get(self.outcome, self.outcome)
        if self.outcome == TIMEOUT:
            timed = next((q for q in self.queries if q.outcome == TIMEOUT), None)
            if timed:
                text = f"timeout after {timed.elapsed_ms / 1000:.1f}s"
                if self.name and timed.name != self.name:
                    text += f" on search candidate {timed.name}"
        elif self.outcome == ERROR:
            err = next((q.error for q in self.queries if q.outcome == ERROR and q.error), None)
            text = err or text
        return text

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"nameserver": self.nameserver, "port": self.port, "outcome": self.outcome,
                             "addresses": self.addresses, "cname_chain": self.cname_chain, "ttl": self.ttl,
                             "answered_name": self.answered_name, "elapsed_ms": self.elapsed_ms,
                             "error": self.error_text(), "queries": [q.as_dict() for q in self.queries]}
        if self.not_tried:
            d["not_tried"] = self.not_tried
        return d


def _walk(response: Any, rdtype: int) -> tuple[list[str], list[str], int | None]:
    """Follow the answer section from the question's name: (cname targets in order, addresses, smallest TTL on the
    path). dnspython merges records of one owner and type into one RRset whose TTL is the smallest."""
    import dns.rdataclass
    import dns.rdatatype

    # dns.name.Name compares and hashes case-insensitively, as DNS does.
    by_owner = {(rrset.name, rrset.rdtype): rrset for rrset in response.answer
                if rrset.rdclass == dns.rdataclass.IN}
    name = response.question[0].name
    chain: list[str] = []
    ttls: list[int] = []
    for _ in range(16):  # a CNAME loop must not spin
        cname = by_owner.get((name, dns.rdatatype.CNAME))
        if cname is None:
            break
        ttls.append(int(cname.ttl))
        name = cname[0].target
        chain.append(name.to_text(omit_final_dot=True).lower())
    addrs: list[str] = []
    final = by_owner.get((name, rdtype))
    if final is not None:
        ttls.append(int(final.ttl))
        addrs = [str(rr.address) for rr in final]
    return chain, addrs, (min(ttls) if ttls else None)


def _exchange(q: Any, nameserver: str, port: int, timeout: float) -> tuple[Any, bool]:
    """(response, over TCP): UDP, then TCP when the answer is truncated, both within one `timeout`.

    dnspython's expirations are absolute, so datagrams that are not the answer — from another address or port, or
    answering another query (a late answer, a spoof, a flood) — are skipped without extending the wait, as glibc
    skips them. A datagram from the nameserver that cannot be parsed is its answer, and an error.
    """
    import dns.flags
    import dns.inet
    import dns.message
    import dns.query

    expiration = time.time() + timeout  # dnspython's clock for expirations
    family = dns.inet.af_for_address(nameserver)
    # The tuple the socket reports senders in (4 fields for IPv6), so dnspython can compare the answer's source.
    destination = dns.inet.low_level_address_tuple((nameserver, port), family)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)  # dnspython waits for readability itself, up to the expiration
        dns.query.send_udp(sock, q, destination, expiration)
        while True:
            try:
                response, _ = dns.query.receive_udp(sock, destination, expiration, ignore_unexpected=True,
                                                    raise_on_truncation=True)
            except dns.message.Truncated as exc:
                # A truncated answer may come without its question (dnslib's does): the id and QR flag suffice, as
                # for glibc, since all it makes us do is ask again over TCP.
                cut = exc.message()  # type: ignore[no-untyped-call]
                if q.is_response(cut) or (cut.id == q.id and cut.flags & dns.flags.QR):
                    break
                continue
            if q.is_response(response):
                return response, False
    left = expiration - time.time()
    if left <= 0:
        raise TimeoutError
    return dns.query.tcp(q, nameserver, timeout=left, port=port), True


def load_dnspython() -> None:
    """Import the dnspython modules the queries use, once, in the calling thread (~20 ms). The lookups run in
    parallel threads; each importing them on its first query made them all wait on the import locks of one
    (and concurrent imports of a package's circularly dependent modules are where Python's import deadlock
    detection hands out half-initialised modules)."""
    import dns.exception
    import dns.flags
    import dns.inet
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype  # noqa: F401 - imported for the side effect of loading them here


def query(name: str, rdtype: str, nameserver: str, port: int, timeout: float, *, edns: bool = False) -> Query:
    """One query over UDP (TCP when the answer is truncated), never raising.

    `edns`: add an EDNS0 OPT record, as glibc does only with `options edns0` in resolv.conf.
    """
    import dns.exception
    import dns.inet
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    start = time.monotonic()
    if not dns.inet.is_address(nameserver.split("%", 1)[0]):
        return Query(name, rdtype, ERROR, error=f"nameserver {nameserver!r} is not an IP address")
    try:
        q = dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:  # a name DNS cannot carry: not asked
        return Query(name, rdtype, ERROR, error=f"invalid name {name!r}: {_text(exc)}")
    try:
        response, tcp = _exchange(q, nameserver, port, timeout)
    except (dns.exception.Timeout, TimeoutError):  # before OSError: TimeoutError is one
        return Query(name, rdtype, TIMEOUT, elapsed_ms=_ms(start), error="no answer")
    except OSError as exc:  # e.g. no route to the nameserver, or nothing listening on TCP after a truncation
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start), error=exc.strerror or str(exc))
    except EOFError:
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start),
                     error="the nameserver closed the TCP connection before the whole answer")
    except dns.query.BadResponse:
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start),
                     error="the TCP answer does not answer the query (id or question differ)")
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:  # from_wire: an answer it cannot read
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start), error=f"malformed answer: {_text(exc)}")
    elapsed = _ms(start)
    rcode = response.rcode()
    outcome = _RCODES.get(rcode)
    if outcome is not None:
        return Query(name, rdtype, outcome, elapsed_ms=elapsed, tcp=tcp)
    if rcode != dns.rcode.NOERROR:
        return Query(name, rdtype, ERROR, elapsed_ms=elapsed, error=f"rcode {dns.rcode.to_text(rcode)}", tcp=tcp)
    chain, addrs, ttl = _walk(response, dns.rdatatype.from_text(rdtype))
    return Query(name, rdtype, ANSWER if addrs else NODATA, addrs, chain, ttl, elapsed, tcp=tcp)


def _text(exc: BaseException) -> str:
    """dnspython's own sentence ("A DNS label is > 63 octets long."), else the exception's name."""
    return (str(exc) or type(exc).__name__).rstrip(".")


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def _both(name: str, nameserver: str, port: int, timeout: float, edns: bool) -> tuple[Query, Query]:
    """A and AAAA in parallel, as glibc and Go send them by default."""
    box: dict[str, Query] = {}
    t = threading.Thread(target=lambda: box.__setitem__("aaaa", query(name, "AAAA", nameserver, port, timeout, edns=edns)),
                         name=f"dns-aaaa-{name}", daemon=True)
    t.start()
    a = query(name, "A", nameserver, port, timeout, edns=edns)
    t.join(timeout + 1.0)
    aaaa = box.get("aaaa") or Query(name, "AAAA", TIMEOUT, error="no answer")
    return a, aaaa


def lookup(candidates: list[str], nameserver: str, *, port: int = 53, timeout: float = 1.0,
           deadline: float | None = None, edns: bool = False) -> Lookup:
    """Walk `candidates` (expand.candidates order) at one nameserver until one has addresses or glibc would stop.

    `deadline` (a time.monotonic() value) stops the walk before a query could outlive it.
    """
    # Search domains only ever lengthen the name, so the shortest candidate is the name itself.
    result = Lookup(nameserver, port, name=min(candidates, key=len) if candidates else "")
    start = time.monotonic()
    seen: list[str] = []
    for i, cand in enumerate(candidates):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left < 0.05:
            result.not_tried = candidates[i:]
            break
        a, aaaa = _both(cand, nameserver, port, timeout if left is None else min(timeout, left), edns)
        result.queries.extend((a, aaaa))
        got = [q for q in (a, aaaa) if q.outcome == ANSWER]
        if got:
            result.outcome, result.answered_name = ANSWER, cand
            for q in got:
                result.addresses.extend(x for x in q.addresses if x not in result.addresses)
                result.cname_chain = result.cname_chain or q.cname_chain
            ttls = [q.ttl for q in got if q.ttl is not None]
            result.ttl = min(ttls) if ttls else None
            break
        outcomes = (a.outcome, aaaa.outcome)
        seen.extend(outcomes)
        stop = next((o for o in _STOPS_SEARCH if o in outcomes), None)
        if stop:
            result.not_tried = candidates[i + 1:]
            break
    if result.outcome != ANSWER:
        result.outcome = max(seen, key=_SEVERITY.index) if seen else TIMEOUT
    result.elapsed_ms = _ms(start)
    return result
