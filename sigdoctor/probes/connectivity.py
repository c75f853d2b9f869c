"""The `connectivity` probe: TCP, proxy and TLS to each endpoint — reachable, who terminates TLS, latency.

For every endpoint of the run: the proxy Go and Python (botocore) would pick (flagging where they differ and
metadata traffic sent to a proxy), TCP to every address or through the proxy with CONNECT, TLS verified against the
bundle the SDK would load, and one unsigned request that shows an AWS front end answers. Endpoints are checked
side by side; every step waits at most ~1.5 s, so a silent network costs a few seconds, not the run's deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.endpoints import Endpoint, endpoints_of_run
from sigdoctor.hostport import hostport
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.netconn import proxy as proxymod
from sigdoctor.netconn.reach import Budget, Trace, trace
from sigdoctor.netconn.tcp import TcpResult
from sigdoctor.netconn.tls import CaBundle, ca_bundle
from sigdoctor.probes.base import Probe

ENDPOINT_BUDGET_S = 7.0

REACHABLE = "connectivity.reachable"
UNREACHABLE = "connectivity.endpoint-unreachable"
PROXY_BAD = "connectivity.proxy-misconfigured"
RULES_DIFFER = "connectivity.proxy-rules-differ"
UNTRUSTED = "connectivity.tls-untrusted"
INTERCEPTED = "connectivity.tls-intercepted"
NOT_AWS = "connectivity.not-aws"
UNRESOLVED = "connectivity.unresolved"
CRED_UNREACHABLE = "connectivity.credential-endpoint-unreachable"
PROXY_SETTINGS = "connectivity.proxy-settings"

EMITS = (REACHABLE, UNREACHABLE, PROXY_BAD, RULES_DIFFER, UNTRUSTED, INTERCEPTED, NOT_AWS, UNRESOLVED,
         CRED_UNREACHABLE, PROXY_SETTINGS)


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    silent: dict[str, TcpResult] = {}

    def used(wait_s: float) -> list[Endpoint]:
        endpoints = endpoints_of_run(ctx, ctx.state.credential_endpoints.wait(wait_s) or [])
        for name, (state, error) in (ctx.state.silent_endpoints.wait(0) or {}).items():
            host, _, port = name.rpartition(":")
            silent[name] = TcpResult(host.strip("[]"), int(port), state, None, f"{error} (the credentials probe's "
                                     "connect, not repeated)")
        return endpoints

    return check(ctx, endpoints_of_run(ctx), later=used, known_silent=silent)


def check(
    ctx: Context,
    endpoints: list[Endpoint],
    prior: Mapping[str, ProbeResult] | None = None,  # unused: kept for callers (what dns found is ctx.state.addresses)
    addresses: Mapping[str, list[str]] | None = None,
    later: Callable[[float], list[Endpoint]] | None = None,
    known_silent: Mapping[str, TcpResult] | None = None,
) -> Outcome:
    """Check `endpoints`. `addresses` pins a host's addresses (tests, or a caller that resolved already); otherwise
    they come from the dns probe's results, else from getaddrinfo here. `later(seconds)`, once those are checked,
    may name more (the credential endpoints, once the credentials probe says which it used); a credential endpoint
    in `known_silent` ("host:port" → that TCP result) is reported from it rather than connected to again."""
    for secret in proxymod.proxy_secrets(ctx.env):
        ctx.redactor.add_secret(secret)
    endpoints = list(endpoints)
    section: dict[str, Any] = {"proxy": proxy_section(ctx.env), "endpoints": []}
    if ctx.offline:
        return Outcome(Status.SKIP, "--offline: nothing sent", data={"connectivity": section})
    bundle = ca_bundle(ctx)
    section["ca_bundle"] = bundle.as_dict()
    # Finish (judge, return) before the run's deadline cuts the probe off: a cut-off probe loses every trace.
    budget_s = max(0.1, min(ENDPOINT_BUDGET_S, ctx.remaining() - DEADLINE_MARGIN_S))
    end = ctx.monotonic() + budget_s
    routes: dict[Endpoint, proxymod.Route] = {}
    # What the dns probe found (it starts beside us and answers within its own budget); without it, getaddrinfo.
    resolved = ctx.state.addresses.wait(budget_s) or {} if not addresses else {}

    def one(ep: Endpoint) -> Trace:
        tcp = (known_silent or {}).get(_name(ep))
        if tcp is not None and not ep.is_aws_api:
            return Trace(ep, routes[ep], address_source="the credentials probe", addresses=[tcp.address], tcp=[tcp])
        given, source = _addresses(ep, resolved, addresses or {})
        left = max(0.1, end - ctx.monotonic())
        return trace(ep, routes[ep], given, source, bundle, Budget(left, ctx.monotonic), ctx.now)

    def wave(eps: list[Endpoint]) -> list[Trace]:
        routes.update({ep: _route(ctx, ep) for ep in eps})
        if not eps:
            return []
        with ThreadPoolExecutor(max_workers=min(16, len(eps)), thread_name_prefix="connectivity") as pool:
            return list(pool.map(one, eps))

    traces = wave(endpoints)
    # What is dead now stays dead for this run: the signature probe need not wait out the same silence.
    ctx.state.dead_endpoints.set({_name(t.endpoint): why for t in traces if (why := dead_reason(t))})
    if later is not None:
        known = {(ep.host, ep.port) for ep in endpoints}
        more = [ep for ep in later(max(0.0, end - ctx.monotonic())) if (ep.host, ep.port) not in known]
        endpoints += more
        traces += wave(more)

    findings: list[Finding] = []
    settings = _proxy_settings_finding(ctx.env, endpoints, routes)
    if settings:
        findings.append(settings)
    for t in traces:
        findings.extend(judge(ctx, t, bundle))
        _share_date(ctx, t)
    section["endpoints"] = [t.as_dict() for t in traces]
    status = worst([f.status for f in findings if f.status is not Status.SKIP]) if findings else Status.SKIP
    return Outcome(status, _summary(traces, findings), tuple(findings), {"connectivity": section})


def _route(ctx: Context, ep: Endpoint) -> proxymod.Route:
    # botocore builds its container-credential client without proxies; everything else follows the environment.
    return proxymod.route(ctx.env, ep.url, python_uses_proxies=ep.purpose != "container")


def _addresses(
    ep: Endpoint, resolved: Mapping[str, list[str]], given: Mapping[str, list[str]]
) -> tuple[list[str] | None, str]:
    if ep.host in given:
        return list(given[ep.host]), "given"
    if proxymod.parse_ip(ep.host) is not None:
        return [ep.host], "literal"
    found = resolved.get(ep.host.lower())
    if found is not None:
        # An empty list is the dns probe's verdict (NXDOMAIN, timeout): asking again would only cost time.
        return list(found), "dns probe"
    return None, "getaddrinfo"


def proxy_section(env: Mapping[str, str]) -> dict[str, Any]:
    """What the environment says about proxies, and where the well-known metadata addresses would go."""
    names = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY",
             "all_proxy")
    variables = {n: (proxymod.mask(env[n]) if "proxy" in n.lower() and not n.lower().startswith("no") else env[n])
                 for n in names if n in env}
    metadata = []
    for addr in proxymod.METADATA_ADDRESSES:
        url = f"http://[{addr}]/" if ":" in addr else f"http://{addr}/"
        r = proxymod.route(env, url, python_uses_proxies=not addr.startswith("169.254.170"))
        metadata.append({"address": addr, "go": r.go.as_dict()["proxy"], "python": r.python.as_dict()["proxy"]})
    return {"variables": variables, "metadata": metadata}


def _proxy_settings_finding(
    env: Mapping[str, str], endpoints: list[Endpoint], routes: Mapping[Endpoint, proxymod.Route]
) -> Finding | None:
    if not any(n.lower() in ("https_proxy", "http_proxy", "no_proxy") for n in env):
        return None
    via = {ep.host: routes[ep].go.proxy for ep in endpoints}
    proxied = sorted(h for h, p in via.items() if p)
    direct = sorted(h for h, p in via.items() if not p)
    msg = "proxy variables set: " + ", ".join(f"{k}={v}" for k, v in proxy_section(env)["variables"].items())
    return Finding(PROXY_SETTINGS, Status.PASS, msg, {"proxied_by_go": proxied, "direct_by_go": direct})


def judge(ctx: Context, t: Trace, bundle: CaBundle) -> list[Finding]:
    """A trace's findings; at most one problem finding per step, the first step that failed."""
    out: list[Finding] = []
    ep = t.endpoint
    name = _name(ep)
    ev: dict[str, Any] = {"endpoint": name, "purpose": ep.purpose, "via": t.via}
    if t.route.differ:
        out.append(_rules_differ(ctx, t, ev))
    if not ep.is_aws_api:
        return out + _judge_credential_endpoint(ctx, t, ev)
    if t.not_tested:
        return [*out, Finding(REACHABLE, Status.SKIP, f"{name} via {t.via}: {t.not_tested}", ev)]
    if t.proxy_url:
        problem = _judge_proxy(t, ev)
        if problem:
            return [*out, problem]
    elif not t.addresses:
        why = t.resolve_error or ("the dns probe found no address" if t.address_source == "dns probe" else "no address")
        return [*out, Finding(UNRESOLVED, Status.WARN, f"{name}: cannot resolve {ep.host} ({why}); see the dns probe",
                              {**ev, "source": t.address_source})]
    elif t.connected is None:
        return [*out, _tcp_unreachable(ctx, t, ev)]
    tls = t.tls
    if bundle.problem:
        out.append(Finding(UNTRUSTED, Status.FAIL, f"{name}: {bundle.problem}; the SDK cannot verify any endpoint",
                           {**ev, "ca_bundle": bundle.as_dict(),
                            "fix": [f"Fix the path in {bundle.source} or unset it, so the default CA bundle applies"]}))
    elif tls is None:
        return out
    elif tls.state == "untrusted":
        out.append(_untrusted(t, bundle, ev))
    elif tls.state in ("timeout", "error"):
        return [*out, _tls_unreachable(t, ev)]
    if tls is None or tls.state not in ("ok", "untrusted"):
        return out
    if tls.verified and tls.amazon_issued is False:
        out.append(_intercepted(t, bundle, ev))
    front = t.front
    # Silence after a verified handshake with Amazon's own certificate is a slow AWS, not a middlebox (one that
    # terminates TLS cannot present Amazon's certificate): only an answer that is not AWS's, or silence behind another
    # issuer's certificate, says something else answers. A loaded host or a slow STS made healthy runs name
    # tls-intercepted from a 1.5 s silence (session 12, 8 world runs at once).
    if front is not None and not front.is_aws and not (front.timed_out and tls.amazon_issued):
        issue = front.error or f"{front.describe()} without an AWS request id or AWS error body"
        out.append(Finding(NOT_AWS, Status.WARN, f"{name}: not an AWS front end answering — {issue}",
                           {**ev, "front_end": front.as_dict(),
                            "fix": [f"Something between this host and AWS answers for {ep.host} (a proxy block page, "
                                    "captive portal or firewall): allow the host there, or bypass it via NO_PROXY"]}))
    if tls.verified:
        where = t.connected.address if t.connected else "?"
        latency = t.connected.ms if t.connected else None
        msg = f"{name} reachable {_via_words(t)} at {where}"
        if latency is not None:
            msg += f" ({latency:.0f} ms)"
        msg += f"; TLS {tls.summary()}"
        if front is not None and front.is_aws:
            msg += f"; AWS answers ({front.request_id_header or front.aws_error})"
        out.append(Finding(REACHABLE, Status.PASS, msg, {**ev, "address": where, "ms": _round(latency),
                                                          "tls": tls.brief()}))
    return out


def _judge_credential_endpoint(ctx: Context, t: Trace, ev: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    ep = t.endpoint
    name = _name(ep)
    if t.route.go.proxy:
        additions = [ep.host, f"[{ep.host}]"] if ":" in ep.host else [ep.host]
        out.append(Finding(
            PROXY_BAD, Status.FAIL,
            f"{name} ({ep.purpose} credentials) goes to the proxy {proxymod.mask(t.route.go.proxy)} under Go's rules "
            f"({t.route.go.reason}): link-local credential traffic must never leave the host",
            {**ev, "go": t.route.go.as_dict(), "python": t.route.python.as_dict(),
             "fix": [f"Add {', '.join(additions)} to NO_PROXY (both cases): "
                     + proxymod.no_proxy_line(ctx.env, additions)[0]]},
        ))
    if t.addresses and t.connected is None:
        detail = "; ".join(r.describe() for r in t.tcp)
        out.append(Finding(CRED_UNREACHABLE, Status.WARN, f"{name} ({ep.purpose} credentials): no TCP answer — {detail}",
                           {**ev, "addresses": [r.as_dict() for r in t.tcp]}))
    elif t.connected is not None:
        out.append(Finding(REACHABLE, Status.PASS,
                           f"{name} ({ep.purpose} credentials) accepts TCP at {t.connected.address} "
                           f"({t.connected.ms:.0f} ms)",
                           {**ev, "address": t.connected.address, "ms": _round(t.connected.ms)}))
    elif not t.addresses:
        out.append(Finding(UNRESOLVED, Status.WARN, f"{name}: cannot resolve {ep.host} ({t.resolve_error})", ev))
    return out


def _rules_differ(ctx: Context, t: Trace, ev: dict[str, Any]) -> Finding:
    go, py = t.route.go, t.route.python
    go_s = proxymod.mask(go.proxy) if go.proxy else "direct"
    py_s = proxymod.mask(py.proxy) if py.proxy else "direct"
    name = _name(t.endpoint)
    host = t.endpoint.host
    additions = [host, f"[{host}]"] if ":" in host else [host]
    fix: list[str] = []
    for entry in dict.fromkeys(e for e in (go.entry, py.entry) if e):
        line = proxymod.entry_fix(ctx.env, entry, host)
        if line:
            fix.append(line)
    if any(" differ:" in d for d in t.route.differences):
        fix.append("Give the upper- and lower-case variables the same value (HTTPS_PROXY/https_proxy, "
                   "HTTP_PROXY/http_proxy, NO_PROXY/no_proxy)")
    if not fix:
        fix.append(f"To send {host} direct for every runtime, list it literally: "
                   + proxymod.no_proxy_line(ctx.env, additions)[0])
    return Finding(RULES_DIFFER, Status.WARN,
                   f"{name}: Go agents go {go_s}, Python/botocore goes {py_s} — " + "; ".join(t.route.differences),
                   {**ev, "go": go.as_dict(), "python": py.as_dict(), "differences": t.route.differences, "fix": fix})


def _judge_proxy(t: Trace, ev: dict[str, Any]) -> Finding | None:
    ep = t.endpoint
    name = _name(ep)
    url = proxymod.mask(t.proxy_url or "")
    var = t.route.go.variable or "HTTPS_PROXY"
    ev = {**ev, "proxy": url, "variable": var}
    off = [f"Fix or unset {var} ({url}) in the agent's environment; if AWS is reachable without it, "
           f"add {ep.host} (or .amazonaws.com) to NO_PROXY"]
    if not t.proxy_addresses:
        return Finding(PROXY_BAD, Status.FAIL, f"{name}: the proxy {url} from {var} cannot be resolved "
                       f"({t.proxy_resolve_error})", {**ev, "fix": off})
    if t.connected is None:
        detail = "; ".join(r.describe() for r in t.proxy_tcp)
        return Finding(PROXY_BAD, Status.FAIL, f"{name}: the proxy {url} from {var} does not accept connections — "
                       f"{detail}", {**ev, "proxy_tcp": [r.as_dict() for r in t.proxy_tcp], "fix": off})
    tun = t.tunnel
    if tun is None or tun.ok:
        return None
    ev["connect"] = tun.as_dict()
    if tun.status in (502, 503, 504):
        return Finding(UNREACHABLE, Status.FAIL, f"{name}: the proxy {url} cannot reach {ep.host}:{ep.port} "
                       f"(CONNECT answered {tun.status} {tun.reason})",
                       {**ev, "fix": [f"The proxy's own egress to {ep.host}:{ep.port} fails: check its firewall, "
                                      "DNS and upstream route"]})
    if tun.status == 407:
        fix = [f"The proxy wants authentication: put it in the URL ({var}=http://user:password@host:port) or "
               f"have the proxy admit this host without it"]
        return Finding(PROXY_BAD, Status.FAIL, f"{name}: the proxy {url} demands authentication (407)",
                       {**ev, "fix": fix})
    if tun.status is not None:
        fix = [f"Allow CONNECT to {ep.host}:{ep.port} on the proxy (e.g. squid: `acl aws dstdomain .amazonaws.com` "
               "and `http_access allow CONNECT aws`)", *off[1:],
               f"Or bypass the proxy for AWS: add {ep.host} (or .amazonaws.com) to NO_PROXY"]
        return Finding(PROXY_BAD, Status.FAIL, f"{name}: the proxy {url} refuses CONNECT to {ep.host}:{ep.port} "
                       f"({tun.status} {tun.reason})", {**ev, "fix": fix})
    return Finding(PROXY_BAD, Status.FAIL, f"{name}: the proxy {url} accepts connections but {tun.reason}",
                   {**ev, "fix": off})


def _tcp_unreachable(ctx: Context, t: Trace, ev: dict[str, Any]) -> Finding:
    ep = t.endpoint
    detail = "; ".join(r.describe() for r in t.tcp)
    states = {r.state for r in t.tcp}
    fix: list[str] = []
    if states == {"refused"}:
        fix.append(f"Something at {', '.join(t.addresses)} rejects port {ep.port}: check that these are AWS's "
                   "addresses (dns probe, /etc/hosts) and that no local firewall rejects the traffic")
    else:
        fix.append(f"Outbound TCP {ep.port} to {', '.join(t.addresses)} is dropped: check security group and NACL "
                   "egress, the route table (NAT / internet gateway), and the VPC endpoint's security group (it must "
                   f"admit {ep.port} from this host)")
    if not (ctx.env.get("HTTPS_PROXY") or ctx.env.get("https_proxy")):
        if ctx.env.get("HTTP_PROXY") or ctx.env.get("http_proxy"):
            fix.append("HTTP_PROXY is set but HTTPS_PROXY is not: AWS calls are https and go direct — set HTTPS_PROXY")
        else:
            fix.append("If this network's egress goes through a proxy, set HTTPS_PROXY (and NO_PROXY) for the agent")
    return Finding(UNREACHABLE, Status.FAIL, f"{_name(ep)}: no address answers — {detail}",
                   {**ev, "addresses": [r.as_dict() for r in t.tcp], "fix": fix})


def _tls_unreachable(t: Trace, ev: dict[str, Any]) -> Finding:
    tls = t.tls
    assert tls is not None
    ep = t.endpoint
    where = t.connected.address if t.connected else "?"
    msg = f"{_name(ep)}: TCP to {where} connects {_via_words(t)} but TLS fails — {tls.error}"
    return Finding(UNREACHABLE, Status.FAIL, msg, {
        **ev, "tls": tls.brief(),
        "fix": [f"Something accepts connections for {ep.host} and then drops or resets them (SNI filtering firewall, "
                f"transparent proxy, wrong service on the port): allow {ep.host}:{ep.port} there"]})


def _untrusted(t: Trace, bundle: CaBundle, ev: dict[str, Any]) -> Finding:
    tls = t.tls
    assert tls is not None
    ep = t.endpoint
    code = tls.verify_code
    msg = f"{_name(ep)}: certificate rejected (verify code {code}: {tls.meaning})"
    presented = tls.subject or (tls.sans[0] if tls.sans else None)
    if presented or tls.issuer_o or tls.issuer_cn:
        msg += f"; presented: {presented or '?'} issued by {tls.issuer}"
    fix: list[str] = []
    if code in (2, 18, 19, 20, 21):
        if tls.amazon_issued is False:
            msg += " — not Amazon's CA: a TLS-inspecting middlebox"
            fix.append(f"Add the inspecting proxy's CA to a bundle and point the agent at it: "
                       f"AWS_CA_BUNDLE=/etc/ssl/certs/corp-ca-bundle.pem (Go agents also read SSL_CERT_FILE or the "
                       f"system store: update-ca-certificates); or exempt {ep.host} from inspection")
        fix.append(f"The bundle used is {bundle.path} ({bundle.source}): make sure it holds the issuing CA")
    elif code in (62, 64):
        sans = ", ".join(tls.sans[:6]) or "?"
        fix.append(f"The certificate is for {sans}, not {ep.host}: DNS or /etc/hosts sends {ep.host} to another "
                   "server, or a proxy answers with its own certificate")
    elif code in (9, 10):
        fix.append(f"The certificate's validity ends {tls.not_after or '?'}: if the local clock is wrong fix it "
                   "(clock probe); otherwise whatever presents this certificate is not AWS")
    return Finding(UNTRUSTED, Status.FAIL, msg, {**ev, "tls": tls.brief(), "ca_bundle": bundle.as_dict(), "fix": fix})


def _intercepted(t: Trace, bundle: CaBundle, ev: dict[str, Any]) -> Finding:
    tls = t.tls
    assert tls is not None
    ep = t.endpoint
    msg = (f"{_name(ep)}: TLS is terminated by {tls.issuer}, not Amazon — trusted only through "
           f"{bundle.source} ({bundle.path})")
    fix = [f"The agent must trust the same CA: set AWS_CA_BUNDLE={bundle.path} in its environment (Go agents: "
           f"SSL_CERT_FILE={bundle.path} or add the CA to the system store)"]
    return Finding(INTERCEPTED, Status.WARN, msg, {**ev, "tls": tls.brief(), "fix": fix})


def _share_date(ctx: Context, t: Trace) -> None:
    """Record AWS's Date header (only over verified TLS from a real AWS front end)."""
    f = t.front
    if f and t.tls and t.tls.verified and f.is_aws and f.date and f.t_sent is not None and f.t_received is not None:
        ctx.state.http_dates.add((f.url, f.date, f.t_sent, f.t_received))


def _round(ms: float | None) -> float | None:
    return None if ms is None else round(ms, 1)


def _via_words(t: Trace) -> str:
    return f"through the proxy {t.via}" if t.proxy_url else "directly"


def _name(ep: Endpoint) -> str:
    return hostport(ep.host, ep.port)


def _summary(traces: list[Trace], findings: list[Finding]) -> str:
    if not traces:
        return "no endpoints to check"
    reachable = {f.evidence.get("endpoint") for f in findings if f.id == REACHABLE and f.status is Status.PASS}
    parts = [f"{len(reachable)} of {len(traces)} endpoints reachable"]
    labels = {UNREACHABLE: "unreachable", PROXY_BAD: "proxy misconfigured", UNTRUSTED: "TLS untrusted",
              INTERCEPTED: "TLS intercepted", NOT_AWS: "not AWS answering", RULES_DIFFER: "Go/Python proxy rules differ",
              UNRESOLVED: "unresolved", CRED_UNREACHABLE: "credential endpoint silent"}
    stalled = {_name(t.endpoint): step for t in traces if (step := _timed_out_step(t))}
    for fid, label in labels.items():
        hosts = sorted({str(f.evidence.get("endpoint")) for f in findings if f.id == fid})
        if hosts:
            parts.append(f"{label}: {', '.join(h + (f' ({stalled[h]})' if h in stalled else '') for h in hosts)}")
    return "; ".join(parts)


def dead_reason(t: Trace) -> str | None:
    """Why nothing can reach this AWS endpoint along the agent's path (None: something answered, or not tested)."""
    if not t.endpoint.is_aws_api or t.not_tested:
        return None
    stalled = _timed_out_step(t)
    if stalled:
        return stalled
    if t.proxy_url:
        return None if t.connected and (t.tunnel is None or t.tunnel.state == "ok") else "the proxy path failed"
    if not t.addresses:
        return f"cannot resolve {t.endpoint.host} ({t.resolve_error or 'no address'})"
    if t.connected is None:
        return "no TCP connection (refused or unreachable)"
    return None


def _timed_out_step(t: Trace) -> str | None:
    """Which step of a silent path waited in vain: a blackholed network should be named as such in the summary."""
    if t.proxy_url:
        if t.proxy_tcp and all(r.state == "timeout" for r in t.proxy_tcp):
            return "proxy TCP connect timed out"
        if t.tunnel is not None and t.tunnel.state == "timeout":
            return "CONNECT timed out"
    elif t.tcp and all(r.state == "timeout" for r in t.tcp):
        return "TCP connect timed out"
    if t.tls is not None and t.tls.state == "timeout":
        return "TLS handshake timed out"
    return None


PROBE = Probe(
    id="connectivity",
    title="Connectivity: TCP, proxy and TLS to each endpoint",
    run=run,
    timeout=8.0,
    emits=EMITS,
)
