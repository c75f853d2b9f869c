"""The `clock` probe: how far the local clock is from true time, and what SigV4 makes of that.

Sources, asked side by side within about 2.5 s — and no longer than it takes a trusted NTP source (Amazon Time
Sync, or a server at stratum ≤ 3) and one AWS `Date` to agree; sources still unanswered then are "not needed":
* NTP: the `--ntp-server`s, else Amazon Time Sync (169.254.169.123, and fd00:ec2::123 where IPv6 applies),
  time.aws.com and pool.ntp.org.
* The HTTP `Date` header of every AWS API endpoint of the run (one unsigned `GET /` each), which works where NTP is
  blocked. The probe starts at t = 0 beside identity, permissions and connectivity, so it does not read the Dates
  they record (`ctx.state.http_dates`): whether one had arrived yet would depend on timing, and so would the answer.

`offset_s` everywhere is true time − local time: positive means the local clock is behind.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from typing import Any

from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.endpoints import Endpoint, endpoints_of_run, from_url
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.netconn.proxy import go_decide, proxy_secrets
from sigdoctor.probes.base import Probe
from sigdoctor.timecheck import daemon as time_daemon
from sigdoctor.timecheck import httpdate, ntp
from sigdoctor.timecheck.parallel import run_until
from sigdoctor.timecheck.sample import Sample
from sigdoctor.timecheck.verdict import (
    DISAGREE_S,
    S3_WINDOW_S,
    SIGV4_WINDOW_S,
    WARN_S,
    Verdict,
    combine,
    describe_offset,
    describe_span,
    is_s3,
    iso,
    parse_expiry,
    settling_pair,
    severity_of,
    targets_affected,
)

NTP_TIMEOUT_S = 1.0
HTTP_TIMEOUT_S = 1.5
# Everything silent, the probe still answers within this (plus local work).
BUDGET_S = 2.5
MAX_PARALLEL = 12

_STATUS = {"pass": Status.PASS, "warn": Status.WARN, "fail": Status.FAIL}


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    daemon = time_daemon.detect(ctx)
    daemon_finding = _daemon_finding(daemon)
    if ctx.offline:
        offline: dict[str, Any] = {"offset_s": None, "sources": [], "agree": True, "daemon": daemon.to_dict()}
        return Outcome(Status.SKIP, "--offline: no NTP or HTTPS request sent", (daemon_finding,), {"clock": offline})

    local_now = ctx.now()
    samples = _measure(ctx, prior)
    verdict = combine(samples)
    settled_by = settling_pair(samples) if any(s.not_needed for s in samples) else None
    findings = [_source_finding(s, settled_by) for s in samples]
    verdict_findings = _verdict_findings(ctx, verdict, samples, daemon)
    # Measured at t = 0 beside the credentials probe; only judging expiry needs what it saw: wait for that (the
    # survey of the credential sources may still run), never past the run's deadline.
    expiries = ctx.state.expiries.wait(max(0.0, ctx.remaining() - DEADLINE_MARGIN_S)) or []
    expired = _expiry_findings(expiries, verdict, local_now)
    verdict_findings.extend(expired)
    findings.extend(verdict_findings)
    findings.append(daemon_finding)

    status = worst([f.status for f in verdict_findings if f.status in (Status.WARN, Status.FAIL)])
    data: dict[str, Any] = {
        "offset_s": None if verdict.offset_s is None else round(verdict.offset_s, 4),
        "sources": [s.to_dict() for s in samples],
        "agree": verdict.agree,
        "basis": [s.label for s in verdict.basis],
        "local_time": iso(local_now),
        "true_time": None if verdict.offset_s is None else iso(local_now + verdict.offset_s),
        "daemon": daemon.to_dict(),
    }
    summary = _summary(verdict, samples)
    for f in expired:
        if f.status is Status.FAIL:
            summary += f"; {f.evidence['what']} expired {describe_span(f.evidence['left_true_s'])} ago by true time"
    return Outcome(status, summary, tuple(findings), {"clock": data})


# ---- measuring --------------------------------------------------------------------------------------------------
def _measure(ctx: Context, prior: Mapping[str, ProbeResult]) -> list[Sample]:
    tasks: list[tuple[str, Callable[[], Sample]]] = []
    placeholders: dict[str, Sample] = {}
    # What each task is waiting for, so a timeout can say "name lookup" rather than just "timed out".
    stages: dict[str, str] = {}
    samples: list[Sample] = []

    ntp_timeout = ctx.timeout(NTP_TIMEOUT_S)
    servers: list[ntp.Server] = []
    for text in ctx.ntp_servers:
        try:
            servers.append(ntp.parse_server(text))
        except ValueError as exc:
            samples.append(Sample("ntp", text, error=str(exc)))
    if not ctx.ntp_servers:
        servers = ntp.servers_to_ask(ctx)
    for server in servers:
        key = f"ntp {server.name}"
        if key not in placeholders:
            tasks.append((key, _bind_ntp(server, ntp_timeout, ctx.now, _marker(stages, key))))
            placeholders[key] = Sample("ntp", server.name)

    seen: set[str] = set()
    http_timeout = ctx.timeout(HTTP_TIMEOUT_S)
    tls = httpdate.tls_context(ctx)
    for secret in proxy_secrets(ctx.env):
        ctx.redactor.add_secret(secret)
    for ep in _aws_endpoints(ctx, prior):
        name = httpdate.display(ep.host, ep.port, ep.scheme)
        key = f"http {name}"
        if name in seen or key in placeholders:
            continue
        # The agents are Go programs: go where Go's net/http would (through HTTPS_PROXY unless NO_PROXY says not).
        proxy = go_decide(ctx.env, ep.url).proxy
        tasks.append((key, _bind_http(ep, http_timeout, tls, ctx.now, _marker(stages, key), proxy)))
        placeholders[key] = Sample("http-date", name)

    budget = max(0.1, min(BUDGET_S, ctx.remaining() - 0.2))
    # The default survey stops once a trusted NTP source and AWS's Date agree; servers the user named with
    # --ntp-server are the question itself and are all waited for.
    results, settled = run_until(tasks, budget, MAX_PARALLEL, None if ctx.ntp_servers else _settled)
    for key, _ in tasks:
        out = results.get(key)
        empty = placeholders[key]
        if isinstance(out, Sample):
            samples.append(out)
        elif isinstance(out, BaseException):
            samples.append(Sample(empty.kind, empty.server, error=f"{type(out).__name__}: {out}"))
        elif settled:
            samples.append(Sample(empty.kind, empty.server, not_needed=True))
        else:
            where = stages.get(key, "waiting for a free worker")
            samples.append(Sample(empty.kind, empty.server, error=f"timeout ({where} did not finish in {budget:.1f} s)"))
    return samples


def _settled(partial: Mapping[str, Sample | BaseException | None]) -> bool:
    return settling_pair([out for out in partial.values() if isinstance(out, Sample)]) is not None


def _marker(stages: dict[str, str], key: str) -> Callable[[str], None]:
    def mark(stage: str) -> None:
        stages[key] = stage

    return mark


def _bind_ntp(
    server: ntp.Server, timeout: float, now: Callable[[], float], mark: Callable[[str], None]
) -> Callable[[], Sample]:
    return lambda: ntp.query(server, timeout, now, mark)


def _bind_http(
    ep: Endpoint, timeout: float, tls: ssl.SSLContext | str, now: Callable[[], float], mark: Callable[[str], None],
    proxy: str | None,
) -> Callable[[], Sample]:
    return lambda: httpdate.fetch(ep.host, ep.port, ep.scheme, timeout, tls, now, mark, proxy)


def _aws_endpoints(ctx: Context, prior: Mapping[str, ProbeResult]) -> list[Endpoint]:
    try:
        endpoints = endpoints_of_run(ctx)
    except Exception:
        # Without botocore's STS resolution the targets still carry a Date worth reading.
        endpoints = [ep for t in ctx.targets if not t.startswith("arn:") and (ep := from_url("target", t))]
    return [ep for ep in endpoints if ep.is_aws_api]


# ---- judging ----------------------------------------------------------------------------------------------------
def _source_finding(s: Sample, settled_by: tuple[Sample, Sample] | None) -> Finding:
    if s.not_needed:
        why = f"{settled_by[0].label} and {settled_by[1].label} agreed first" if settled_by else "settled"
        return Finding("clock.source", Status.SKIP, f"{s.label}: not needed ({why})", s.to_dict())
    if s.offset_s is None:
        return Finding("clock.source", Status.SKIP, f"{s.label}: {s.error or 'no answer'}", s.to_dict())
    details = [f"±{_span_ms(s.uncertainty_s)}"] if s.uncertainty_s is not None else []
    if s.stratum is not None:
        details.append(f"stratum {s.stratum}")
    if s.rtt_ms is not None:
        details.append(f"rtt {_span_ms(s.rtt_ms / 1000)}")
    if s.via:
        details.append(f"via proxy {s.via}")
    return Finding("clock.source", Status.PASS,
                   f"{s.label}: clock {describe_offset(s.offset_s)} ({', '.join(details)})", s.to_dict())


def _span_ms(seconds: float) -> str:
    if seconds < 0.001:
        return "<1 ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _labels(samples: list[Sample], limit: int = 3) -> str:
    names = [s.label for s in samples]
    if len(names) > limit:
        names = [*names[:limit], f"{len(names) - limit} more"]
    return ", ".join(names)


def _summary(verdict: Verdict, samples: list[Sample]) -> str:
    if verdict.offset_s is None:
        return _unmeasured_text(samples)
    head = f"clock is {describe_offset(verdict.offset_s)}"
    if not verdict.agree:
        verb = "disagrees" if len(verdict.outliers) == 1 else "disagree"
        return f"{head} by {_labels(verdict.basis)}; {_labels(verdict.outliers)} {verb}"
    answered = [s for s in samples if s.answered]
    return f"{head} ({_labels(answered)}{' agree' if len(answered) > 1 else ''})"


def _unmeasured_text(samples: list[Sample]) -> str:
    ntp_part = _grouped([s for s in samples if s.kind == "ntp"]) or "no server to ask"
    http = [s for s in samples if s.kind == "http-date"]
    http_part = f"no AWS endpoint answered ({_grouped(http)})" if http else "no AWS endpoint to read a Date from"
    return f"could not measure: NTP {ntp_part}; {http_part}"


def _grouped(samples: list[Sample]) -> str:
    """'a timed out, b and c name lookup failed': one clause per kind of failure, servers in first-seen order."""
    by_error: dict[str, list[str]] = {}
    for s in samples:
        by_error.setdefault(_short(s.error), []).append(s.server)
    clauses = []
    for error, servers in by_error.items():
        names = servers[0] if len(servers) == 1 else ", ".join(servers[:-1]) + " and " + servers[-1]
        clauses.append(f"{names} {error}")
    return ", ".join(clauses)


def _short(error: str | None) -> str:
    if not error:
        return "no answer"
    if error.startswith("timeout"):
        return "timed out"
    # Details stay in each source's own line; the summary keeps the gist.
    return error.split(" (")[0].split(": ")[0]


def _verdict_findings(ctx: Context, verdict: Verdict, samples: list[Sample],
                      daemon: time_daemon.DaemonInfo) -> list[Finding]:
    if verdict.offset_s is None:
        fix = [
            "Allow UDP 123 to an NTP server (on EC2: 169.254.169.123, Amazon Time Sync) or name one with --ntp-server",
            "If no AWS endpoint answered either, see the dns and connectivity probes",
        ]
        return [Finding("clock.unmeasured", Status.WARN, _unmeasured_text(samples),
                        {"sources": [s.to_dict() for s in samples], "fix": fix})]
    findings = [_skew_finding(ctx, verdict, samples, daemon)]
    if not verdict.agree:
        findings.append(_disagree_finding(verdict))
    return findings


def _skew_finding(ctx: Context, verdict: Verdict, samples: list[Sample],
                  daemon: time_daemon.DaemonInfo) -> Finding:
    offset = verdict.offset_s or 0.0
    level = severity_of(offset)
    by = verdict.basis if not verdict.agree else [s for s in samples if s.answered]
    where = f"local clock is {describe_offset(offset)} of true time ({_labels(by)})"
    evidence: dict[str, Any] = {"offset_s": round(offset, 4), "sources": [s.label for s in by]}
    if level == "pass":
        return Finding("clock.clock-skew", Status.PASS, f"{where}: well inside SigV4's 5-minute window", evidence)
    if level == "warn":
        left = SIGV4_WINDOW_S - abs(offset)
        message = (f"{where}: AWS still accepts signatures, but {describe_span(left)} more drift and SigV4 requests "
                   f"fail (5-minute window)")
    else:
        affected, spared = targets_affected(ctx.targets, offset)
        message = f"{where}: outside SigV4's 5-minute window — AWS rejects signed requests (STS included)"
        s3 = [t for t in ctx.targets if is_s3(t)]
        if spared:
            message += f"; S3 allows 15 minutes, so S3 target(s) {', '.join(spared)} still work"
        elif s3:
            message += f"; beyond S3's 15 minutes too, so S3 target(s) {', '.join(s3)} fail as well"
        evidence.update({"affected_targets": affected, "s3_targets_within_window": spared,
                         "window_s": SIGV4_WINDOW_S, "s3_window_s": S3_WINDOW_S})
    evidence["fix"] = time_daemon.repair_fix(daemon)
    return Finding("clock.clock-skew", _STATUS[level], message, evidence)


def _disagree_finding(verdict: Verdict) -> Finding:
    def says(samples: list[Sample]) -> str:
        return ", ".join(f"{s.label} says {describe_offset(s.offset_s or 0.0)}" for s in samples)

    offsets = [s.offset_s for s in (*verdict.basis, *verdict.outliers) if s.offset_s is not None]
    spread = max(offsets) - min(offsets)
    if any(s.kind == "http-date" for s in verdict.basis):
        judged = "AWS's own Date, what SigV4 is checked against"
    elif verdict.majority:
        judged = "the majority"
    else:
        judged = "the first source asked (no majority)"
    message = (f"time sources disagree by {describe_span(spread)} (more than {DISAGREE_S:g} s): "
               f"{says(verdict.basis)}; {says(verdict.outliers)} — judged by {judged}")
    fix = ["An NTP server that disagrees with AWS is itself wrong: check its upstreams (`chronyc sources -v`, "
           "`ntpq -p`); on EC2 prefer 169.254.169.123"]
    return Finding("clock.sources-disagree", Status.WARN, message, {
        "spread_s": round(spread, 3),
        "basis": [s.to_dict() for s in verdict.basis],
        "others": [s.to_dict() for s in verdict.outliers],
        "fix": fix,
    })


def _expiry_findings(expiries: list[tuple[str, object]], verdict: Verdict, local_now: float) -> list[Finding]:
    """What the credentials probe saw expire (the winning credentials, a web identity token's `exp`), by true time."""
    if verdict.offset_s is None:
        return []  # the credentials probe already judged by the local clock; we have nothing better
    found = [_judge_expiry(what, value, verdict.offset_s, local_now) for what, value in expiries]
    return [f for f in found if f is not None]


def _judge_expiry(what: str, value: object, offset: float, local_now: float) -> Finding | None:
    expiry = parse_expiry(value)
    if expiry is None:
        return None
    many = what == "credentials"
    true_now = local_now + offset
    left_true = expiry.timestamp() - true_now
    left_local = expiry.timestamp() - local_now
    evidence: dict[str, Any] = {
        "what": what, "expiry": iso(expiry.timestamp()), "true_time": iso(true_now), "local_time": iso(local_now),
        "offset_s": round(offset, 4), "expired_by_local_clock": left_local <= 0,
        "left_true_s": round(left_true, 1), "left_local_s": round(left_local, 1),
    }
    if left_true <= 0:
        message = f"{what} expired {describe_span(left_true)} ago by true time (at {evidence['expiry']})"
        if left_local > 0:
            message += (f": the local clock, {describe_offset(offset)}, still thinks "
                        f"{'they are' if many else 'it is'} valid for {describe_span(left_local)}, so nothing "
                        f"refreshes {'them' if many else 'it'} while AWS rejects {'them' if many else 'it'}")
        else:
            message += f": by the local clock too ({describe_span(left_local)} ago)"
        fix = (["Get fresh credentials: a role source the SDK refreshes (instance profile, IRSA, Pod Identity) "
                "rather than copied session keys"] if many else
               ["The kubelet refreshes projected service account tokens: check the token volume is projected, "
                "not copied, and that the node's clock is right"])
        if abs(offset) >= WARN_S:
            fix.append("Fix the clock as well: refreshes are timed by the local clock")
        evidence["fix"] = fix
        return Finding("clock.credentials-expired", Status.FAIL, message, evidence)
    message = f"{what} {'expire' if many else 'expires'} in {describe_span(left_true)} by true time (at {evidence['expiry']})"
    if left_local <= 0:
        message += (f"; the local clock, {describe_offset(offset)}, already thinks "
                    f"{'they have' if many else 'it has'} expired")
    return Finding("clock.credentials-expiry", Status.PASS, message, evidence)


def _daemon_finding(info: time_daemon.DaemonInfo) -> Finding:
    evidence: dict[str, Any] = info.to_dict()
    # A daemon config that is a FIFO or device (not read, or the probe would hang) is said, not silently skipped.
    unread = "".join(f"; {u}" for u in info.unreadable)
    if info.running:
        message = f"time daemon running: {', '.join(info.running)}"
        if info.synchronized is False and "systemd-timesyncd" in info.running:
            message += " (systemd-timesyncd has not synchronised yet)"
        if info.where == "ec2" and info.chrony_uses_time_sync is False:
            message += "; chrony is not configured with Amazon Time Sync (169.254.169.123)"
            evidence["fix"] = time_daemon.repair_fix(info)
        return Finding("clock.time-daemon", Status.PASS, message + unread, evidence)
    evidence["fix"] = time_daemon.install_fix(info)
    if info.where in ("kubernetes", "container"):
        # Expected: the clock belongs to the node/host, whose daemons this process cannot see.
        kind = "a Kubernetes pod" if info.where == "kubernetes" else "a container"
        return Finding("clock.time-daemon", Status.SKIP,
                       f"no time daemon visible from {kind}: the clock is the node's, and so is its time sync"
                       + unread,
                       evidence)
    configured = f" ({', '.join(info.configured)} configured but not running)" if info.configured else ""
    return Finding("clock.time-daemon", Status.WARN,
                   f"no time daemon running (chronyd, systemd-timesyncd, ntpd){configured}: nothing keeps the clock "
                   f"from drifting{unread}", evidence)


PROBE = Probe(
    id="clock",
    title="Clock: how far from true time",
    run=run,
    # Measuring takes ~2.5 s at most; judging credential expiry waits for the credentials probe (timeout 15 s).
    timeout=16.0,
    emits=(
        "clock.source",
        "clock.clock-skew",
        "clock.sources-disagree",
        "clock.unmeasured",
        "clock.credentials-expired",
        "clock.credentials-expiry",
        "clock.time-daemon",
    ),
)
