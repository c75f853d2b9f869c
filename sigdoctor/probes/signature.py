"""The `signature` probe: is a request signed here, with the agent's region and signing name, accepted by each
target — and when AWS says `SignatureDoesNotMatch`, which part of the request it saw differently.

Each target's harmless request (checks/targets/*.toml) is signed with botocore and sent through the agent's own path
(its proxy environment as Go decides it, its CA bundle); see `sigdoctor/livesign/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sigdoctor import incomplete
from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.endpoints import region_of
from sigdoctor.hostport import of_url
from sigdoctor.iam.calls import frozen
from sigdoctor.livesign.judge import ACCEPTED, NOT_SENT, REJECTED, SIGNATURE_CAUSES, Verdict, evidence, judge
from sigdoctor.livesign.request import Unsupported, build, sign
from sigdoctor.livesign.send import send
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.probes.base import Probe
from sigdoctor.sts.caller import signing_credentials
from sigdoctor.targets import Target, TargetError, parse_target

# How long one signed request may wait (livesign.send): waiting for connectivity's verdict never costs more.
SEND_TIMEOUT_S = 3.0

EMITS = ("signature.accepted", "signature.rejected", "signature.not-sent", "signature.target-skipped",
         "signature.no-targets", *(f"signature.{c}" for c in SIGNATURE_CAUSES))


def _run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    if not ctx.targets:
        return Outcome(Status.SKIP, "no --target given: nothing to sign a request for",
                       (Finding("signature.no-targets", Status.SKIP, "pass --target URL (the agent's remote_write or "
                                "API endpoint) to check that a request signed here is accepted"),))
    if ctx.offline:
        return Outcome(Status.SKIP, "--offline: no request sent")
    creds = signing_credentials(ctx)
    if creds is None:
        return Outcome(Status.SKIP, "no credentials to sign with")
    snapshot = frozen(ctx, creds)
    findings: list[Finding] = []
    results: list[dict[str, Any]] = []
    for text in ctx.targets:
        target = _target(ctx, text, findings)
        if target is None:
            continue
        if ctx.remaining() < 0.2 + DEADLINE_MARGIN_S:
            findings.append(Finding("signature.not-sent", Status.SKIP, f"{text}: the run's deadline was reached "
                                    "before its request could be sent (raise --deadline)", {"target": text}))
            findings.append(incomplete.gave_up("signature", f"no time left to send the request to {text}",
                                               ctx.monotonic() - ctx.started_monotonic, ctx.deadline_s))
            continue
        results.append(_check(ctx, target, snapshot, findings))
    # Not finishing is said by its own finding (cause diagnosis-incomplete), not by failing the signature check.
    statuses = [f.status for f in findings if f.id != "signature.diagnosis-incomplete"] or [Status.SKIP]
    status = worst(statuses)
    accepted = sum(1 for r in results if r["status"] == ACCEPTED and not r["causes"])
    summary = f"{accepted} of {len(ctx.targets)} target(s) accepted a request signed here"
    problems = sorted({c for r in results for c in r["causes"]})
    if problems:
        summary += f"; {', '.join(problems)}"
    return Outcome(status, summary, tuple(findings), {"signature": results})


def _target(ctx: Context, text: str, findings: list[Finding]) -> Target | None:
    try:
        target = parse_target(text, region=ctx.region or region_of(ctx))
    except TargetError as e:
        findings.append(Finding("signature.target-skipped", Status.SKIP, f"{text}: {e}", {"target": text}))
        return None
    if not target.recognised or not target.url:
        why = "; ".join(target.notes) or "unrecognised target"
        findings.append(Finding("signature.target-skipped", Status.SKIP, f"{text}: {why}", {"target": text}))
        return None
    return target


def _check(ctx: Context, target: Target, creds: Any, findings: list[Finding]) -> dict[str, Any]:
    service = ctx.service or target.signing_name or ""
    # The agent signs for its configured region even when the URL names another: so do we, and say so.
    region = ctx.region or target.region or region_of(ctx)
    row: dict[str, Any] = {"target": target.input, "url": target.url, "signing_region": region,
                           "signing_service": service, "status": NOT_SENT, "causes": []}
    try:
        live = build(ctx, target)
    except Unsupported as e:
        findings.append(Finding("signature.target-skipped", Status.SKIP, f"{target.input}: {e}",
                                {"target": target.input}))
        row["reason"] = str(e)
        return row
    dead = _found_dead(ctx, live.url)
    if dead:
        row.update(request_url=live.url, request=live.kind, reason=dead)
        findings.append(Finding("signature.not-sent", Status.SKIP,
                                f"{target.host}: not sent — the connectivity probe found it dead in this run ({dead})",
                                {"target": target.input, "url": live.url, "signing_region": region,
                                 "signing_service": service}))
        return ctx.redactor.obj(row)
    signed = sign(live, creds, service=service, region=region, when=ctx.now())
    row.update(request_url=live.url, request=live.kind)
    answer = send(ctx, live, target.signing_name or live.service)
    row["route"] = answer.route
    verdict = judge(target, signed, answer)
    row.update(status=verdict.state, http_status=answer.status, error_code=verdict.code,
               message=ctx.redactor.text(verdict.message), diff=verdict.diff or None,
               differences=verdict.differences, causes=[h.cause for h in verdict.hits])
    if verdict.diff:
        row["canonical_request_signed_here"] = signed.display
    base = {"target": target.input, "url": live.url, "signing_region": region, "signing_service": service,
            "http_status": answer.status, "route": answer.route}
    for h in verdict.hits:
        ev = {**base, **h.extra, **evidence(verdict)}
        if h.fix:
            ev["fix"] = h.fix
        findings.append(Finding(f"signature.{h.cause}", h.status, f"{target.host}: {h.message}",
                                ctx.redactor.obj(ev)))
    if not (verdict.state == REJECTED and verdict.hits):  # a rejection explained above needs no second line
        findings.append(_headline(ctx, target, verdict, base))
    return ctx.redactor.obj(row)


def _found_dead(ctx: Context, url: str) -> str | None:
    """Why the connectivity probe found the target's front end dead in this run, if it did: waiting out the same
    silence again would only spend the deadline. Waits for its verdict no longer than sending would take."""
    dead = ctx.state.dead_endpoints.wait(ctx.timeout(SEND_TIMEOUT_S, margin=DEADLINE_MARGIN_S)) or {}
    return dead.get(of_url(url))


def _headline(ctx: Context, target: Target, v: Verdict, base: dict[str, Any]) -> Finding:
    said = f"{v.code}: {v.message}" if v.code else v.message
    said = ctx.redactor.text(said)
    if v.state == NOT_SENT:
        return Finding("signature.not-sent", Status.SKIP,
                       f"{target.host}: the request could not be sent ({said}); the connectivity probe says why",
                       base)
    if v.state == ACCEPTED:
        how = "2xx" if not v.code else f"{v.code} comes after the signature check"
        return Finding("signature.accepted", Status.PASS,
                       f"{target.host} accepted the signature of a request signed here ({how})", base)
    # Rejections this probe explains have their own findings; this one carries answers it cannot explain.
    return Finding("signature.rejected", Status.WARN,
                   f"{target.host} rejected the request: {said or base.get('http_status')}; the identity and clock "
                   "probes explain credential and time errors", {**base, **evidence(v)})


PROBE = Probe(
    id="signature",
    title="Signature: is a request signed here accepted",
    run=_run,
    requires=("credentials",),
    timeout=12.0,
    emits=EMITS,
)
