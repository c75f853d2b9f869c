"""Look every endpoint name up both ways at once: the system resolver (as the agent) and each nameserver directly.

All lookups run concurrently; each direct walk stops at its deadline, and getaddrinfo is abandoned at its own
timeout, so a fully silent network costs about max(query timeout, getaddrinfo wait), whatever the number of names.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import field
from typing import Any

from sigdoctor.netdns import classify, expand
from sigdoctor.netdns.direct import Lookup, load_dnspython, lookup
from sigdoctor.netdns.resolvconf import HostsEntry, ResolvConf, effective_nameservers, hosts_lines_for
from sigdoctor.netdns.system import GetAddrInfo, SystemAnswer, system_resolve
from sigdoctor.records import datarecord


@datarecord
class NameResult:
    host: str
    purpose: str
    literal: bool = False
    candidates: list[str] = field(default_factory=list)
    system: SystemAnswer | None = None
    direct: list[Lookup] = field(default_factory=list)
    hosts_lines: list[HostsEntry] = field(default_factory=list)

    @property
    def first_direct_answer(self) -> Lookup | None:
        return next((d for d in self.direct if d.ok), None)

    @property
    def addresses(self) -> list[str]:
        """What the agent would connect to: getaddrinfo's answer, else a nameserver's (still worth a TCP test)."""
        if self.literal:
            return [self.host]
        if self.system and self.system.addresses:
            return list(self.system.addresses)
        d = self.first_direct_answer
        return list(d.addresses) if d else []

    @property
    def via(self) -> str | None:
        if self.literal:
            return "literal"
        if self.system and self.system.addresses:
            return "getaddrinfo"
        d = self.first_direct_answer
        return d.label if d else None

    @property
    def resolved(self) -> bool:
        """Whether the agent's own lookup succeeds."""
        return self.literal or bool(self.system and self.system.addresses)

    @property
    def classification(self) -> str:
        return classify.classify_answers(self.addresses)

    @property
    def cname_chain(self) -> list[str]:
        d = self.first_direct_answer
        return list(d.cname_chain) if d else []

    @property
    def vpce(self) -> bool:
        return any(classify.has_vpce(d.cname_chain) for d in self.direct)

    @property
    def ttl(self) -> int | None:
        d = self.first_direct_answer
        return d.ttl if d else None

    def failure(self) -> str | None:
        """Why the agent's lookup fails, naming the resolver that said so; None when it resolves."""
        if self.resolved:
            return None
        # Nameservers that failed the same way are named together: "timeout after 1.0s at 10.0.0.2, 10.0.0.3".
        groups: dict[tuple[str, str], list[str]] = {}
        for d in self.direct:
            if not d.ok:
                err = d.error_text() or d.outcome
                key = ("cannot query ", f": {err}") if d.outcome == "error" else (
                    f"{err} {'at' if d.outcome == 'timeout' else 'from'} ", "")
                groups.setdefault(key, []).append(d.nameserver)
        if groups:
            return "; ".join(f"{pre}{', '.join(servers)}{post}" for (pre, post), servers in groups.items())
        if self.system and self.system.error:
            return f"getaddrinfo: {self.system.error}"
        return "no answer"

    def as_data(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "purpose": self.purpose,
            "addresses": self.addresses,
            "classification": self.classification,
            "cname_chain": self.cname_chain,
            "vpce": self.vpce,
            "ttl": self.ttl,
            "via": self.via,
            "error": self.failure(),
            "elapsed_ms": self.system.elapsed_ms if self.system else 0,
        }
        if self.literal:
            return d
        d["tried"] = self.candidates
        if self.system:
            d["getaddrinfo"] = {"addresses": self.system.addresses, "error": self.system.error,
                                "elapsed_ms": self.system.elapsed_ms, "timed_out": self.system.timed_out}
        d["nameservers"] = [x.as_dict() for x in self.direct]
        if self.hosts_lines:
            d["hosts_file"] = [{"line": e.line_no, "address": e.address, "text": e.line} for e in self.hosts_lines]
        return d


def gather(
    names: list[tuple[str, str]],
    conf: ResolvConf,
    hosts: list[HostsEntry],
    *,
    getaddrinfo: GetAddrInfo,
    port: int,
    query_timeout: float,
    gai_timeout: float,
    budget: float,
) -> list[NameResult]:
    """`names` = [(host, purpose)]; `budget` = seconds the direct walks may take in all."""
    deadline = time.monotonic() + budget
    servers = effective_nameservers(conf)
    # Queries look like the agent's: glibc adds EDNS0 only when resolv.conf asks for it.
    edns = "edns0" in conf.options
    results = []
    for host, purpose in names:
        r = NameResult(host, purpose, literal=classify.is_ip(host))
        if not r.literal:
            r.candidates = expand.candidates(host, conf.search, conf.ndots)
            r.hosts_lines = hosts_lines_for(hosts, host)
        results.append(r)
    todo = [r for r in results if not r.literal]
    if not todo:
        return results
    # One worker per lookup, so a silent network costs one timeout, not one per queued batch.
    workers = min(64, len(todo) * (len(servers) + 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dns")
    try:
        sys_f: dict[str, Future[SystemAnswer]] = {}
        direct_f: dict[str, list[Future[Lookup]]] = {}
        for r in todo:
            sys_f[r.host] = pool.submit(system_resolve, r.host, gai_timeout, getaddrinfo)
        # The system resolver's queries are under way while dnspython is imported, once, here.
        if servers:
            load_dnspython()
        for r in todo:
            direct_f[r.host] = [
                pool.submit(lookup, r.candidates, ns, port=port, timeout=query_timeout, deadline=deadline,
                            edns=edns)
                for ns in servers
            ]
        for r in todo:
            r.system = sys_f[r.host].result()
            r.direct = [f.result() for f in direct_f[r.host]]
    finally:
        pool.shutdown(wait=False)
    return results
