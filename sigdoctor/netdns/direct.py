"""Ask one nameserver directly (our own wire client, netdns.wire), walking the search list the way glibc does, so each nameserver's own
answer — CNAME chain, addresses, TTL, rcode, time — is visible, not just the system resolver's verdict.

The port is a parameter: resolv.conf has no port (53), tests point it at a fake on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sigdoctor.netdns import wire

# Outcomes of one query and of one lookup, worst last for aggregation.
ANSWER, NODATA, NXDOMAIN, SERVFAIL, REFUSED, ERROR, TIMEOUT = (
    "answer", "nodata", "nxdomain", "servfail", "refused", "error", "timeout")
_SEVERITY = (ANSWER, NXDOMAIN, NODATA, SERVFAIL, REFUSED, ERROR, TIMEOUT)
# glibc's res_search ends the lookup on these instead of trying the next candidate name.
_STOPS_SEARCH = (REFUSED, ERROR, TIMEOUT)


@dataclass
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


@dataclass
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


def _walk(answer: list[wire.Record], qname: str, rdtype: int) -> tuple[list[str], list[str], int | None]:
    """Follow the answer section from qname: (cname targets in order, addresses, smallest TTL on the path)."""
    # Records of one owner and type form one RRset: its TTL is the smallest, its data has no duplicates.
    by_owner: dict[tuple[str, int], tuple[int, list[str]]] = {}
    for rr in answer:
        if rr.rdclass != wire.CLASS_IN:
            continue
        key = (rr.owner.lower(), rr.rdtype)
        ttl, data = by_owner.get(key, (rr.ttl, []))
        if rr.data not in data:
            data.append(rr.data)
        by_owner[key] = (min(ttl, rr.ttl), data)
    name, chain, ttls = qname.lower().rstrip("."), [], []
    for _ in range(16):  # a CNAME loop must not spin
        cname = by_owner.get((name, wire.CNAME))
        if cname is None:
            break
        ttls.append(cname[0])
        name = cname[1][0].lower()
        chain.append(name)
    addrs: list[str] = []
    final = by_owner.get((name, rdtype))
    if final is not None:
        ttls.append(final[0])
        addrs = list(final[1])
    return chain, addrs, (min(ttls) if ttls else None)


def query(name: str, rdtype: str, nameserver: str, port: int, timeout: float) -> Query:
    """One query over UDP (TCP when the answer is truncated), never raising."""
    start = time.monotonic()
    try:
        _, message = wire.make_query(name, rdtype)
        response, tcp = wire.exchange(message, nameserver, port, timeout)
    except TimeoutError:  # before OSError: it is one
        return Query(name, rdtype, TIMEOUT, elapsed_ms=_ms(start), error="no answer")
    except OSError as exc:  # e.g. no route to the nameserver: sendto fails at once
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start), error=exc.strerror or str(exc))
    except wire.WireError as exc:
        return Query(name, rdtype, ERROR, elapsed_ms=_ms(start), error=str(exc))
    elapsed = _ms(start)
    rcode = response.rcode
    if rcode == wire.NXDOMAIN:
        return Query(name, rdtype, NXDOMAIN, elapsed_ms=elapsed, tcp=tcp)
    if rcode == wire.SERVFAIL:
        return Query(name, rdtype, SERVFAIL, elapsed_ms=elapsed, tcp=tcp)
    if rcode == wire.REFUSED:
        return Query(name, rdtype, REFUSED, elapsed_ms=elapsed, tcp=tcp)
    if rcode != wire.NOERROR:
        return Query(name, rdtype, ERROR, elapsed_ms=elapsed, error=f"rcode {wire.rcode_text(rcode)}", tcp=tcp)
    # The answer's owner names are in wire form (IDNA for a non-ASCII name), so the walk starts from the same.
    qname = response.question[0] if response.question else name
    chain, addrs, ttl = _walk(response.answer, qname, wire.RDTYPES[rdtype.upper()])
    return Query(name, rdtype, ANSWER if addrs else NODATA, addrs, chain, ttl, elapsed, tcp=tcp)


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def _both(name: str, nameserver: str, port: int, timeout: float) -> tuple[Query, Query]:
    """A and AAAA in parallel, as glibc and Go send them by default."""
    box: dict[str, Query] = {}
    t = threading.Thread(target=lambda: box.__setitem__("aaaa", query(name, "AAAA", nameserver, port, timeout)),
                         name=f"dns-aaaa-{name}", daemon=True)
    t.start()
    a = query(name, "A", nameserver, port, timeout)
    t.join(timeout + 1.0)
    aaaa = box.get("aaaa") or Query(name, "AAAA", TIMEOUT, error="no answer")
    return a, aaaa


def lookup(candidates: list[str], nameserver: str, *, port: int = 53, timeout: float = 1.0,
           deadline: float | None = None) -> Lookup:
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
        a, aaaa = _both(cand, nameserver, port, timeout if left is None else min(timeout, left))
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
