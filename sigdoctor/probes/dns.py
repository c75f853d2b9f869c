"""The `dns` probe: what each endpoint name resolves to, through which path, and whether that is what AWS traffic
from this host should get (a VPC endpoint's private addresses, no /etc/hosts pin, resolvers that agree).

Each name is resolved as the agent would (getaddrinfo: nsswitch, /etc/hosts, DNS) and, at the same time, directly at
every nameserver of resolv.conf with glibc's search-list walk, so a failure names the resolver that caused it.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.endpoints import Endpoint, endpoints_of_run
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.netdns import expand, judge
from sigdoctor.netdns.gather import NameResult, gather
from sigdoctor.netdns.resolvconf import (
    ResolvConf,
    effective_nameservers,
    nsswitch_hosts,
    read_hosts,
    read_resolv_conf,
)
from sigdoctor.netdns.system import GetAddrInfo
from sigdoctor.probes.base import Probe

TIMEOUT_S = 6.0
QUERY_TIMEOUT_S = 1.0
# getaddrinfo gets a little longer than one query: glibc may try a second nameserver after the first timed out.
GETADDRINFO_WAIT_S = 2.0

EMITS = (
    "dns.system-file-unreadable",
    "dns.dns-resolution-failed",
    "dns.hosts-file-override",
    "dns.vpc-endpoint-bypassed",
    "dns.resolvers-disagree",
    "dns.unusual-answer",
    "dns.ndots-cost",
    "dns.answers",
)


def _kubernetes(ctx: Context, conf: ResolvConf) -> bool:
    return bool(ctx.env.get("KUBERNETES_SERVICE_HOST")) or any(d.endswith(".cluster.local") for d in conf.search)


def _base_data(conf: ResolvConf, nsswitch: list[str] | None) -> dict[str, Any]:
    return {
        "resolvers": effective_nameservers(conf),
        "search": conf.search,
        "ndots": conf.ndots,
        "resolv_conf": {"path": conf.path, "exists": conf.exists, "search_from": conf.search_from,
                        "timeout_s": conf.timeout_s, "attempts": conf.attempts, "options": conf.options,
                        "notes": conf.notes},
        "nsswitch_hosts": nsswitch,
        "names": {},
    }


def _answer(r: NameResult, conf: ResolvConf, env: Mapping[str, str]) -> Finding:
    if r.literal:
        return Finding("dns.answers", Status.PASS, f"{r.host} is an IP address ({r.classification}): nothing to "
                       "resolve", {"name": r.host, "purpose": r.purpose, "classification": r.classification})
    path = " → ".join([r.host, *r.cname_chain, ", ".join(r.addresses)])
    kind = r.classification + (" via VPC endpoint" if r.vpce else "")
    how = [r.via or "?"]
    if r.system:
        how.append(f"{r.system.elapsed_ms} ms")
    if r.hosts_lines:
        how.append(f"from /etc/hosts line {r.hosts_lines[0].line_no}")
    elif r.ttl is not None:
        how.append(f"TTL {r.ttl}s")
    # One line per nameserver here; every query of the walk is in data["dns"]["names"][host]["nameservers"].
    evidence: dict[str, Any] = {"name": r.host, "purpose": r.purpose, "tried": r.candidates, "nameservers": {
        d.label: (f"{', '.join(d.addresses)} (TTL {d.ttl}s, {d.elapsed_ms} ms)" if d.ok else
                  f"{d.error_text()} ({d.elapsed_ms} ms)") for d in r.direct}}
    go = expand.go_differences(r.host, conf.search, conf.ndots, conf.options, dict(env))
    if go:
        evidence["go"] = go
    return Finding("dns.answers", Status.PASS, f"{path} ({kind}; {', '.join(how)})", evidence)


def _summary(results: list[NameResult], findings: list[Finding]) -> str:
    names = [r for r in results if not r.literal]
    ok = [r for r in names if r.resolved]
    failed = [r for r in names if not r.resolved]
    if not names:
        return f"no names to resolve ({len(results)} IP address{'es' if len(results) != 1 else ''})"
    kinds: dict[str, int] = {}
    for r in ok:
        k = r.classification + (" via vpce" if r.vpce else "")
        kinds[k] = kinds.get(k, 0) + 1
    text = f"{len(ok)} name{'s' if len(ok) != 1 else ''} resolved" if ok else "no name resolved"
    if kinds:
        text += " (" + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])) + ")"
    if failed:
        by_reason: dict[str, list[str]] = {}
        for r in failed:
            by_reason.setdefault(r.failure() or "no answer", []).append(r.host)
        parts = [f"{', '.join(hosts)}: {why}" if len(hosts) <= 2 else f"{hosts[0]} and {len(hosts) - 1} more: {why}"
                 for why, hosts in by_reason.items()]
        text += f"; {len(failed)} failed: " + "; ".join(parts)
    pinned = [f for f in findings if f.id == "dns.hosts-file-override" and f.status is Status.FAIL]
    if pinned:
        text += f"; {len(pinned)} pinned by /etc/hosts"
    bypass = [f for f in findings if f.id == "dns.vpc-endpoint-bypassed"]
    if any(f.status is Status.FAIL for f in bypass):
        text += f"; {len(bypass)} public where a VPC endpoint is expected"
    elif bypass:
        text += f"; {len(bypass)} public while other AWS names use VPC endpoints"
    if any(f.id == "dns.resolvers-disagree" for f in findings):
        text += "; resolvers disagree"
    return text


def run_dns(ctx: Context, prior: Mapping[str, ProbeResult], *, getaddrinfo: GetAddrInfo = socket.getaddrinfo,
            port: int = 53) -> Outcome:
    """The probe, with the system resolver and the nameservers' port injectable (tests use a fake on 127.0.0.1)."""
    unread: list[str] = []  # system files that are not regular files of a sane size (a FIFO, /dev/zero)
    conf = read_resolv_conf(ctx.path("/etc/resolv.conf"), env=ctx.env, problems=unread)
    nsswitch = nsswitch_hosts(ctx.path("/etc/nsswitch.conf"), unread)
    data = _base_data(conf, nsswitch)
    if ctx.offline:
        return Outcome(Status.SKIP, "--offline: no lookups sent", data={"dns": data})
    hosts = read_hosts(ctx.path("/etc/hosts"), unread)
    # Leave room under the probe's timeout (and the run's deadline) to judge and return.
    budget = max(0.1, min(TIMEOUT_S - 1.0, ctx.remaining() - DEADLINE_MARGIN_S))
    end = ctx.monotonic() + budget
    names: list[tuple[str, str]] = []
    results: list[NameResult] = []

    def resolve(endpoints: list[Endpoint]) -> None:
        batch: list[tuple[str, str]] = []
        for ep in endpoints:
            host = ep.host.lower()
            if all(h != host for h, _ in names):
                names.append((host, ep.purpose))
                batch.append((host, ep.purpose))
        if batch:
            left = max(0.1, end - ctx.monotonic())
            results.extend(gather(batch, conf, hosts, getaddrinfo=getaddrinfo, port=port,
                                  query_timeout=ctx.timeout(QUERY_TIMEOUT_S),
                                  gai_timeout=min(ctx.timeout(GETADDRINFO_WAIT_S), left), budget=left))

    # The names known from flags, environment and config first, at t = 0; then the credential endpoints the
    # credentials probe used, once it says which (never waiting past this probe's budget).
    resolve(endpoints_of_run(ctx))
    # The connectivity probe connects to these: it need not wait for the credential endpoints below.
    ctx.state.addresses.set({r.host: list(r.addresses) for r in results if not r.literal})
    used = ctx.state.credential_endpoints.wait(max(0.0, end - ctx.monotonic())) or []
    resolve(endpoints_of_run(ctx, used))
    if not names:
        return Outcome(Status.SKIP, "no endpoints to resolve", (_unread(unread),) if unread else (), {"dns": data})
    k8s = _kubernetes(ctx, conf)
    findings: list[Finding] = [_unread(unread)] if unread else []
    for r in results:
        for f in (judge.resolution_failed(r, conf, k8s), judge.hosts_override(r, nsswitch, k8s),
                  judge.disagreements(r), judge.unusual(r)):
            if f is not None:
                findings.append(f)
    findings.extend(judge.vpc_bypass(results, ctx.vpc_endpoints))
    cost = judge.ndots_cost(results, conf, k8s)
    if cost is not None:
        findings.append(cost)
    findings.extend(_answer(r, conf, ctx.env) for r in results if r.resolved)
    data["names"] = {r.host: r.as_data() for r in results}
    data["kubernetes"] = k8s
    status = worst([f.status for f in findings]) if findings else Status.PASS
    return Outcome(status, _summary(results, findings), tuple(findings), {"dns": data})


def _unread(unread: list[str]) -> Finding:
    return Finding("dns.system-file-unreadable", Status.WARN,
                   "; ".join(unread) + " — the resolver reads it (and would block on a pipe or device); the answers "
                   "below come without it", {"files": unread,
                                             "fix": ["Make it a regular file (check what is mounted over it)"]})


def _run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    return run_dns(ctx, prior)


PROBE = Probe(
    id="dns",
    title="DNS: what each endpoint name resolves to",
    run=_run,
    timeout=TIMEOUT_S,
    emits=EMITS,
)
