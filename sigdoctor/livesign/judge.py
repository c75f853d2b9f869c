"""What AWS's answer to a request signed here says about signing on this host.

Two sources of evidence, strongest first:
* what we know before sending: the region and signing name we signed with (the agent's `--region` / `--service`)
  against the target's own;
* what AWS answered: on `SignatureDoesNotMatch` its canonical request, diffed against ours component by component
  with the parser and differ of `sigdoctor.awserrors` (the one classifier `decode` and the other probes use), so a
  changed header is named; an authorization error or a "not found" proves the signature itself was accepted, and a
  "not found" for the target is `target-not-found` whatever IAM simulation said.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Any

from sigdoctor.livesign.request import Signed
from sigdoctor.livesign.send import Answer
from sigdoctor.model import Status
from sigdoctor.records import datarecord
from sigdoctor.targets import Target

# sigdoctor.awserrors (the error table and its rules) is imported only to read an AWS rejection: a run whose
# requests are accepted, the common case, never pays for it.
if TYPE_CHECKING:
    from sigdoctor.awserrors.hit import Hit

# The causes this probe names (finding `signature.<cause>`); any other cause AWS's answer shows belongs to another
# probe (identity, clock, permissions) and is only reported as the reason the signature could not be judged.
SIGNATURE_CAUSES = ("request-modified-after-signing", "region-mismatch", "service-name-mismatch",
                    "secret-key-mismatch", "canonicalization-mismatch", "request-not-signed", "clock-skew",
                    "target-not-found")
# Kinds of answer (checks/errors/) that come after AWS verified the signature: the caller is known, only
# authorization or the resource failed, or the request itself.
_AFTER_SIGNATURE = ("denied", "not-found", "other")
ACCEPTED, REJECTED, UNDECIDED, NOT_SENT = "accepted", "rejected", "undecided", "not-sent"


@datarecord
class Verdict:
    state: str  # accepted | rejected | undecided | not-sent
    hits: list[Hit] = field(default_factory=list)
    code: str | None = None
    message: str = ""
    diff: str = ""
    differences: list[dict[str, str]] = field(default_factory=list)


def scope_hits(target: Target, signed: Signed) -> list[Hit]:
    """Region and signing name we signed with against the target's: the agent's own overrides, judged up front."""
    hits: list[Hit] = []
    if target.region and signed.signing_region != target.region:
        from sigdoctor.awserrors.hit import Hit

        hits.append(Hit(
            "region-mismatch", Status.FAIL,
            f"Signed for region '{signed.signing_region}' (the agent's region setting) but {target.host} is in "
            f"'{target.region}'",
            [f"Set the agent's signing region to {target.region} (Prometheus/Agent `sigv4: region: {target.region}`, "
             f"OTel `sigv4auth: region: {target.region}`), or send to the {signed.signing_region} endpoint"],
            {"signed_region": signed.signing_region, "endpoint_region": target.region}))
    if target.signing_name and signed.signing_service != target.signing_name:
        from sigdoctor.awserrors.hit import Hit

        hits.append(Hit(
            "service-name-mismatch", Status.FAIL,
            f"Signed for service '{signed.signing_service}' but {target.host} expects signing name "
            f"'{target.signing_name}'",
            [f"Sign with service name '{target.signing_name}' (OTel `sigv4auth: service: {target.signing_name}`; "
             "remove the `service` override from the agent's sigv4 settings)"],
            {"signed_service": signed.signing_service, "expected_service": target.signing_name}))
    return hits


def judge(target: Target, signed: Signed, answer: Answer) -> Verdict:
    up_front = scope_hits(target, signed)
    if answer.error is not None or answer.status is None:
        return Verdict(NOT_SENT, up_front, message=answer.error or "no answer")
    if 200 <= answer.status < 300:
        return Verdict(ACCEPTED, up_front)
    from sigdoctor.awserrors.canonical import parse_canonical_request, parse_string_to_sign
    from sigdoctor.awserrors.parse import extract
    from sigdoctor.awserrors.rules import classify
    from sigdoctor.awserrors.table import table

    e = extract(answer.as_text(), 1, 1)
    # The request as signed here is the "client" side of decode's diff; the host is the agent's, not an override.
    e.client_canonical = parse_canonical_request(signed.canonical_request)
    e.client_sts = parse_string_to_sign(signed.result.string_to_sign)
    e.host = target.host
    c = classify(e, live=True)  # the request is ours: its readings are decided here (rules._text_cannot_decide)
    found = table().match(e.text)
    message = (e.message or "").split("\n", 1)[0].strip()
    hits = list(up_front)
    ours = _signed_date(signed)
    server_date = e.server_canonical.header("x-amz-date") if e.server_canonical else None
    date_hit = _date_rewritten(ours, e.text)
    if date_hit is not None:
        hits.append(date_hit)
    # AWS judged a date we never signed: the clock is not the problem, whatever rewrote the header is.
    date_changed = date_hit is not None or (server_date is not None and server_date.strip() != ours)
    for h in c.hits:
        if h.cause not in SIGNATURE_CAUSES or h.cause == "target-not-found" or (
                h.cause == "clock-skew" and date_changed):
            continue
        # We know the region and signing name we signed with: decode's guess from the host AWS saw only counts
        # when AWS itself complains about the scope (a rewritten Host is reported as the change it is).
        if h.cause in ("region-mismatch", "service-name-mismatch") and not found.has("scope-region", "scope-service"):
            continue
        known = next((x for x in hits if x.cause == h.cause), None)
        if known is None:
            hits.append(h)
        else:
            known.extra.update({k: v for k, v in h.extra.items() if k not in known.extra})
    # A confirmed scope mismatch explains the signature mismatch; decode's "or maybe" guesses would only distract.
    if up_front:
        hits = [h for h in hits if h.status == Status.FAIL and h.cause != "secret-key-mismatch"]
    diffs = [d.as_evidence() for d in c.diffs or []]
    if any(h.status == Status.FAIL for h in hits if h not in up_front):
        return Verdict(REJECTED, hits, e.code, message, c.diff_text, diffs)
    kind = table().kind(e.code)
    if kind in _AFTER_SIGNATURE or answer.status == 404:
        # The server's own "not found" for the target is direct evidence: IAM simulation allowing the action
        # (on a wildcard resource) does not make a missing workspace, log group or bucket exist.
        missing = next((h for h in c.hits if h.cause == "target-not-found"), None)
        if missing is not None:
            missing.message = f"{answer.status} {e.code or ''}: {message} — {missing.message}".replace("  ", " ")
            hits.append(missing)
        return Verdict(ACCEPTED, hits, e.code, message)
    return Verdict(REJECTED if up_front else UNDECIDED, hits, e.code, message, c.diff_text, diffs)


def _signed_date(signed: Signed) -> str:
    return signed.result.string_to_sign.split("\n")[1]


def _date_rewritten(ours: str, text: str) -> Hit | None:
    """`Signature expired: <date> is now earlier than …` names the X-Amz-Date AWS received; compare it with ours."""
    from sigdoctor.awserrors.clock_readings import date_aws_saw

    saw = date_aws_saw(text)
    if saw is None or saw == ours:
        return None
    from sigdoctor.awserrors.diff import MODIFIED
    from sigdoctor.awserrors.hit import Hit

    diff = {"component": "header x-amz-date", "server": saw, "client": ours, "kind": MODIFIED,
            "why": "the value changed after signing"}
    return Hit("request-modified-after-signing", Status.FAIL,
               f"The request AWS received differs from the one signed here: header x-amz-date (signed {ours}, "
               f"AWS saw {saw})",
               ["Find what rewrites x-amz-date between the agent and AWS (forward proxy, service mesh sidecar, API "
                "gateway) and exempt AWS traffic from it (NO_PROXY, mesh egress rule)"],
               {"differences": [diff]})


def evidence(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {"error_code": v.code, "message": v.message}
    if v.differences:
        out["differences"] = v.differences
    if v.diff:
        out["diff"] = v.diff
    return {k: x for k, x in out.items() if x}
