"""From lookups to findings: what is wrong with the way each endpoint name resolves, and what to change.

Finding ids are the probe's (`dns.<name>`); cause files match on them. Each finding carries the resolver that said
so and, in `fix`, steps for this situation.
"""

from __future__ import annotations

from sigdoctor.awserrors.awshosts import known_regions
from sigdoctor.model import Finding, Status
from sigdoctor.netdns import classify, expand
from sigdoctor.netdns.direct import ERROR, NXDOMAIN, SERVFAIL, TIMEOUT
from sigdoctor.netdns.gather import NameResult
from sigdoctor.netdns.resolvconf import ResolvConf
from sigdoctor.targets import TargetError, parse_target

AWS_API_PURPOSES = ("sts", "target", "iam")


def _aws_api(r: NameResult) -> bool:
    return r.purpose in AWS_API_PURPOSES or classify.is_aws_name(r.host)


def _ns_summary(r: NameResult) -> dict[str, str]:
    return {d.label: (", ".join(d.addresses) if d.ok else (d.error_text() or d.outcome)) for d in r.direct}


def _service_region(host: str) -> tuple[str, str]:
    parts = host.lower().rstrip(".").split(".")
    if len(parts) >= 4 and parts[-2:] == ["amazonaws", "com"]:
        return parts[-4], parts[-3]
    return (parts[0] if parts else "SERVICE"), "REGION"


def endpoint_hint(host: str) -> str | None:
    """Why a target name may not exist: not an endpoint pattern sigdoctor knows (a typo?), or an unknown region."""
    try:
        t = parse_target(f"https://{host}/")
        regions = known_regions()  # botocore's partitions.json, read once (awserrors/awshosts.py)
    except (TargetError, OSError, ValueError):
        return None
    if not t.recognised:
        return f"{host} matches no endpoint pattern sigdoctor knows (checks/targets/): a typo in the service name?"
    if t.region and regions and t.region not in regions:
        return f"{t.region} is not a region this botocore knows"
    return None


def hosts_override(r: NameResult, nsswitch: list[str] | None, kubernetes: bool) -> Finding | None:
    if r.literal or not r.hosts_lines or not classify.is_aws_name(r.host):
        return None
    e = r.hosts_lines[0]
    used = nsswitch is None or "files" in nsswitch
    dns_answer = next((d.addresses for d in r.direct if d.ok), [])
    fix = [f"Remove line {e.line_no} of /etc/hosts ({e.line!r}) so {r.host} resolves through DNS"
           + (" — in Kubernetes, from the pod's spec.hostAliases" if kubernetes else "")]
    evidence = {"name": r.host, "path": "/etc/hosts", "line": e.line_no, "entry": e.line, "address": e.address,
                "dns_answer": dns_answer, "getaddrinfo": r.system.addresses if r.system else [], "fix": fix}
    if not used:
        evidence["nsswitch_hosts"] = nsswitch
        return Finding("dns.hosts-file-override", Status.WARN,
                       f"/etc/hosts line {e.line_no} names {r.host} ({e.address}), but nsswitch.conf's hosts line "
                       f"({' '.join(nsswitch or [])}) does not read files: the pin is dormant", evidence)
    return Finding("dns.hosts-file-override", Status.FAIL,
                   f"/etc/hosts line {e.line_no} pins {r.host} to {e.address}"
                   + (f" (DNS says {', '.join(dns_answer)})" if dns_answer and e.address not in dns_answer else ""),
                   evidence)


def resolution_failed(r: NameResult, conf: ResolvConf, kubernetes: bool) -> Finding | None:
    if r.resolved:
        return None
    why = r.failure() or "no answer"
    sys_err = r.system.error if r.system else None
    outcomes = {d.outcome for d in r.direct}
    fix: list[str] = []
    direct_ok = r.first_direct_answer
    if direct_ok is not None:
        why = f"getaddrinfo: {sys_err}, while {direct_ok.label} answers {', '.join(direct_ok.addresses)}"
        fix.append("The system resolver path fails where DNS answers: check /etc/nsswitch.conf (hosts: files dns), "
                   "a local cache (nscd, systemd-resolved, dnsmasq) and that /etc/resolv.conf is the file the agent "
                   "sees")
    hint = endpoint_hint(r.host) if NXDOMAIN in outcomes and r.purpose == "target" else None
    if hint:
        why += f" — {hint}"
    if NXDOMAIN in outcomes:
        fix.append(f"Check the name {r.host}: region and service spelled right, and the service has an endpoint in "
                   "that region (https://docs.aws.amazon.com/general/latest/gr/rande.html)")
    if r.direct:
        fix.append(f"Ask the nameserver yourself: dig @{r.direct[0].nameserver} {r.host}")
    if TIMEOUT in outcomes:
        silent = [d.nameserver for d in r.direct if d.outcome == TIMEOUT]
        fix.append(f"Nameserver {', '.join(silent)} does not answer: allow UDP and TCP port 53 to it (security "
                   "groups, NACLs, NetworkPolicies) and check the VPC attribute enableDnsSupport")
    if ERROR in outcomes:
        broken = [d.nameserver for d in r.direct if d.outcome == ERROR]
        fix.append(f"Nameserver {', '.join(broken)} cannot be queried from here: check the route to it "
                   f"(ip route get {broken[0]}) and the network interface")
    if SERVFAIL in outcomes:
        fix.append("SERVFAIL: the resolver cannot get an answer upstream; check its forwarders (Route 53 Resolver "
                   "rules, on-premises DNS, conditional forwarding for amazonaws.com)")
    if kubernetes:
        fix.append("In Kubernetes check CoreDNS: kubectl -n kube-system logs -l k8s-app=kube-dns")
    evidence = {"name": r.host, "purpose": r.purpose, "getaddrinfo_error": sys_err, "nameservers": _ns_summary(r),
                "tried": r.candidates, "fix": fix}
    if not conf.exists:
        evidence["resolv_conf"] = f"{conf.path} missing: queries go to 127.0.0.1"
    return Finding("dns.dns-resolution-failed", Status.FAIL, f"{r.host} does not resolve: {why}", evidence)


def vpc_bypass(results: list[NameResult], vpc_endpoints: bool) -> list[Finding]:
    """Public answers where a VPC interface endpoint is expected (--vpc-endpoints), or where other AWS names of this
    run resolve privately (inferred, so a warning: the VPC may simply lack an endpoint for this service)."""
    judged = [r for r in results if not r.literal and r.addresses and r.purpose in AWS_API_PURPOSES
              and not classify.is_global_name(r.host)]
    # A name pinned in /etc/hosts says nothing about the VPC's DNS.
    private = [r for r in judged if (r.classification == "private" or r.vpce) and not r.hosts_lines]
    out = []
    for r in judged:
        if r.classification not in ("public", "mixed") or r.hosts_lines:
            continue
        public = [a for a in r.addresses if classify.classify_address(a) == "public" and ":" not in a] or [
            a for a in r.addresses if classify.classify_address(a) == "public"]
        service, region = _service_region(r.host)
        fix = [f"Check the interface endpoint for com.amazonaws.{region}.{service} exists and has private DNS: "
               "aws ec2 describe-vpc-endpoints --filters "
               f"Name=service-name,Values=com.amazonaws.{region}.{service} "
               "--query 'VpcEndpoints[].[VpcEndpointId,VpcId,PrivateDnsEnabled,State]'",
               "Enable it: aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --private-dns-enabled (or create it: "
               f"aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name "
               f"com.amazonaws.{region}.{service} --private-dns-enabled …)"]
        evidence = {"name": r.host, "addresses": r.addresses, "public": public, "via": r.via, "fix": fix}
        if vpc_endpoints:
            out.append(Finding("dns.vpc-endpoint-bypassed", Status.FAIL,
                               f"--vpc-endpoints: {r.host} resolves to public {', '.join(public)}: the agent's "
                               "traffic bypasses the VPC endpoint", evidence))
        elif private:
            others = [f"{p.host} → {', '.join(p.addresses)}" for p in private]
            evidence["private_names"] = others
            out.append(Finding("dns.vpc-endpoint-bypassed", Status.WARN,
                               f"{r.host} resolves to public {', '.join(public)} while {others[0]} is private "
                               "(VPC endpoint): this service may lack its endpoint or private DNS", evidence))
    return out


def disagreements(r: NameResult) -> Finding | None:
    """Different answers from different resolvers. Address sets alone may differ (AWS rotates its answers), so only
    a difference in kind counts: answer vs failure, private vs public, getaddrinfo vs every nameserver."""
    if r.literal or r.hosts_lines:
        return None
    notes: list[str] = []
    ok = [d for d in r.direct if d.ok]
    failed = [d for d in r.direct if not d.ok]
    if ok and failed:
        notes.append(f"{', '.join(d.label for d in ok)} answer{'s' if len(ok) == 1 else ''}; "
                     + "; ".join(f"{d.label}: {d.error_text()}" for d in failed))
    kinds = {d.label: classify.classify_answers(d.addresses) for d in ok}
    if len(set(kinds.values())) > 1:
        notes.append("answers differ in kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    sys_addrs = r.system.addresses if r.system else []
    if sys_addrs and ok:
        sys_kind = classify.classify_answers(sys_addrs)
        if sys_kind not in kinds.values():
            notes.append(f"getaddrinfo gives {sys_kind} {', '.join(sys_addrs)} but the nameservers "
                         f"{'/'.join(sorted(set(kinds.values())))} {', '.join(ok[0].addresses)}")
    elif sys_addrs and r.direct and not ok:
        notes.append(f"getaddrinfo answers {', '.join(sys_addrs)} but no nameserver of resolv.conf does: the system "
                     "resolver uses another source (nsswitch, a local cache or stub resolver)")
    if not notes:
        return None
    return Finding("dns.resolvers-disagree", Status.WARN, f"{r.host}: " + "; ".join(notes),
                   {"name": r.host, "nameservers": _ns_summary(r), "getaddrinfo": sys_addrs,
                    "fix": ["Make every nameserver in /etc/resolv.conf give the same answers (split-horizon zones, "
                            "forwarders); glibc moves to the next nameserver only on timeout or SERVFAIL, so the "
                            "answer depends on which one the agent reaches first"]})


def unusual(r: NameResult) -> Finding | None:
    """An AWS API name answering with loopback/link-local, or captured by a search-domain wildcard."""
    if r.literal or r.hosts_lines or not _aws_api(r):
        return None
    odd = [a for a in r.addresses if classify.classify_address(a) in ("loopback", "link-local", "unspecified",
                                                                     "special")]
    caught = [d for d in r.direct if d.ok and d.answered_name and d.answered_name != r.host.rstrip(".").lower()]
    if odd:
        return Finding("dns.unusual-answer", Status.WARN,
                       f"{r.host} resolves to {', '.join(f'{a} ({classify.classify_address(a)})' for a in odd)}: "
                       "no AWS endpoint lives there (DNS filtering or a hijacking resolver?)",
                       {"name": r.host, "addresses": r.addresses, "via": r.via})
    if caught:
        d = caught[0]
        return Finding("dns.unusual-answer", Status.WARN,
                       f"{r.host} is answered as {d.answered_name} by {d.label}: a wildcard record in a search "
                       "domain captures the name before the real one is tried",
                       {"name": r.host, "answered_name": d.answered_name, "addresses": d.addresses,
                        "tried": r.candidates,
                        "fix": ["Remove the wildcard from the search domain's zone, or lower ndots so AWS names are "
                                "queried as is first"]})
    return None


def ndots_cost(results: list[NameResult], conf: ResolvConf, kubernetes: bool) -> Finding | None:
    if not (kubernetes or conf.ndots >= 2):
        return None
    names = [r for r in results if not r.literal]
    if not names:
        return None
    costs = [expand.cost(r.host, conf.search, conf.ndots) for r in names]
    extra = [c for c in costs if c.extra_names]
    evidence = {"ndots": conf.ndots, "search": conf.search,
                "names": {c.name: {"tried": list(c.tried), "extra_queries": c.extra_queries} for c in costs}}
    if not extra:
        return Finding("dns.ndots-cost", Status.PASS,
                       f"ndots {conf.ndots}: every endpoint name is queried as is first (no extra queries)", evidence)
    total = sum(c.extra_queries for c in extra)
    evidence["fix"] = [
        "Set ndots:2 for the agent's pod: spec.dnsConfig.options: [{name: ndots, value: \"2\"}] — AWS names have "
        "at least 2 dots, so they are then queried as is first",
        "A trailing dot (sts.us-east-1.amazonaws.com.) skips the search list too, but it changes the Host header "
        "the agent signs: prefer ndots",
    ]
    head = extra[0].explain()
    more = f"; {len(extra) - 1} more name{'s' if len(extra) > 2 else ''} likewise" if len(extra) > 1 else ""
    return Finding("dns.ndots-cost", Status.WARN,
                   f"{head}{more} ({total} extra queries per lookup of all {len(names)} names)", evidence)
