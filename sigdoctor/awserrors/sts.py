"""What an STS error answer says about its cause, given what else we know (the key's kind, whether a session token
was sent, the region, the endpoint, the server's clock).

AWS's codes are coarse: "The security token included in the request is invalid" covers an unknown access key, a
temporary key without its token, a token from another session and a global-endpoint token in an opt-in region. The
evidence picks among them; the verdict's message says which evidence did. What a code means comes from the error table
(checks/errors/); a `SignatureDoesNotMatch` whose message carries AWS's canonical request is diffed against the
request botocore signed (the diff the signature probe and `decode` use) before a secret key is blamed.
"""

from __future__ import annotations

from dataclasses import field

from sigdoctor.awserrors.table import table
from sigdoctor.model import Status
from sigdoctor.records import datarecord
from sigdoctor.skew_windows import window
from sigdoctor.sts.regions import is_opt_in

ASSUME_OPS = frozenset({"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})
SIGV4_WINDOW_S = window("sts").seconds  # STS refuses an X-Amz-Date more than 15 minutes from its clock


@datarecord(frozen=True)
class Evidence:
    operation: str  # the operation that failed (AssumeRoleWithWebIdentity when a deferred refresh failed)
    code: str
    message: str
    access_key_id: str | None = None  # masked is enough: only the prefix and whitespace matter
    has_token: bool = False
    region: str | None = None
    endpoint: str = ""
    endpoint_global: bool = False
    clock_offset_s: float | None = None  # server − local, from the error answer's Date header
    base_arn: str | None = None
    role_arn: str | None = None
    role_assumes_itself: str | None = None  # the role name when a session of role X is asked to assume X
    signed_canonical: str | None = None  # the canonical request botocore signed, when it could be rebuilt


@datarecord(frozen=True)
class Verdict:
    name: str  # finding name: a catalog cause id, or `sts-error` / `role-arn-invalid`
    status: Status
    message: str
    fix: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


def classify(ev: Evidence) -> Verdict:
    code, msg = ev.code, ev.message
    # The message's first paragraph: a SignatureDoesNotMatch message goes on with AWS's canonical request.
    said = f"STS {ev.operation}: {code}: {msg.split(chr(10) + chr(10), 1)[0].strip()}".rstrip(": ")
    found = table().match(f"{code} {msg}")
    kind = table().kind(code)
    if ev.operation in ASSUME_OPS and kind == "denied":
        return _trust_denied(ev, said)
    if (kind == "web-identity" or (kind == "expired-token" and code.endswith("Exception"))) \
            and ev.operation == "AssumeRoleWithWebIdentity":
        return Verdict("web-identity-rejected", Status.FAIL, f"{said} — STS does not accept the web identity token",
                       ["Check the IAM OIDC provider for the token's issuer exists and lists its audience",
                        "Check the role's trust policy conditions on the token's sub and aud"])
    if found.has("clock"):
        return _clock(ev, said)
    if kind == "invalid-key":
        return _invalid_key(ev, said)
    if kind == "expired-token":
        return Verdict("credentials-expired", Status.FAIL, f"{said} — the session credentials have expired",
                       ["Get fresh credentials from a source the SDK refreshes itself (role, IRSA, instance profile)"])
    if kind == "signature" or found.has("scope-region"):
        return _bad_signature(ev, said)
    if code == "ValidationError" and ev.operation == "AssumeRole":
        return Verdict("role-arn-invalid", Status.FAIL, f"{said} — the role ARN or session parameters are invalid",
                       [f"Check the role ARN {ev.role_arn!r}: arn:aws:iam::ACCOUNT:role/NAME"])
    if table().entry(code) is table().entry("RegionDisabledException"):
        return Verdict("sts-error", Status.FAIL, f"{said} — STS is deactivated for this account in {ev.region}",
                       [f"Activate STS in {ev.region} (IAM console → Account settings → STS endpoints), or set "
                        "AWS_REGION to a region where it is active"])
    return Verdict("sts-error", Status.FAIL, f"{said} — an STS error sigdoctor does not map to a cause")


def _trust_denied(ev: Evidence, said: str) -> Verdict:
    if ev.role_assumes_itself:
        x = ev.role_assumes_itself
        return Verdict(
            "role-trust-denied", Status.FAIL,
            f"{said} — the agent already runs as role {x}; remove sigv4.role_arn or allow {x} to assume itself "
            "in its trust policy",
            [f"Remove role_arn from the agent's sigv4 block: its base credentials already are role {x}",
             f"Or add {ev.base_arn and _role_of(ev)} as a principal allowed sts:AssumeRole in {x}'s trust policy "
             "(roles no longer trust themselves implicitly)"],
        )
    who = ev.base_arn or "the base credentials"
    return Verdict(
        "role-trust-denied", Status.FAIL,
        f"{said} — {ev.role_arn or 'the role'}'s trust policy does not admit {who}, or {who} may not call "
        "sts:AssumeRole on it",
        [f"Add {who if not ev.base_arn else _role_of(ev)} to the trust policy of {ev.role_arn or 'the role'} "
         "(Principal.AWS) with Action sts:AssumeRole",
         f"Allow sts:AssumeRole on {ev.role_arn or 'the role'} in the base principal's own policy"],
    )


def _role_of(ev: Evidence) -> str:
    """The IAM ARN to put in a trust policy for the base principal (a role, not its session)."""
    arn = ev.base_arn or ""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[5].startswith("assumed-role/"):
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{parts[5].split('/')[1]}"
    return arn


def _clock(ev: Evidence, said: str) -> Verdict:
    off = ev.clock_offset_s
    by = f" (the answer's Date header puts the local clock {abs(off):.0f}s {'behind' if off > 0 else 'ahead'})" \
        if off is not None else ""
    return Verdict("clock-skew", Status.FAIL, f"{said} — AWS refused the request's timestamp (SigV4 allows 15 minutes either way): the local clock is off"
                   f"{by}", ["Sync the clock: chronyc makestep (or timedatectl set-ntp true) and check chronyd runs"])


def _invalid_key(ev: Evidence, said: str) -> Verdict:
    key = ev.access_key_id or ""
    temporary = key.startswith("ASIA")
    if temporary and ev.has_token and is_opt_in(ev.region) and not ev.endpoint_global:
        return Verdict(
            "sts-opt-in-region", Status.FAIL,
            f"{said} — {ev.region} is an opt-in region, and session tokens from the global STS endpoint "
            "(sts.amazonaws.com) are not valid there; the session credentials were likely issued by it",
            ["Get the session from the regional STS endpoint: AWS_STS_REGIONAL_ENDPOINTS=regional and "
             f"AWS_REGION={ev.region} (otel sigv4auth: assume_role.sts_region)",
             "Or make the global endpoint issue tokens valid in all regions: "
             "aws iam set-security-token-service-preferences --global-endpoint-token-version v2Token"],
        )
    if temporary and not ev.has_token:
        return Verdict("session-token-missing", Status.FAIL,
                       f"{said} — {key} is a temporary (ASIA…) key, but no session token was sent with it",
                       ["Set AWS_SESSION_TOKEN (or aws_session_token) from the same STS answer as the key pair"])
    if temporary:
        return Verdict("session-token-missing", Status.FAIL,
                       f"{said} — STS does not accept the session token sent with {key}: it belongs to another "
                       "session, or was truncated or altered",
                       ["Copy key id, secret and session token together from one STS answer, or let the SDK "
                        "assume the role itself"])
    if key.startswith("AKIA") and ev.has_token:
        return Verdict("session-token-missing", Status.FAIL,
                       f"{said} — a session token was sent with the long-lived key {key}; long-lived keys take no "
                       "token, so STS rejects the pair",
                       ["Unset AWS_SESSION_TOKEN (or remove aws_session_token) left over from an earlier session"])
    hints = []
    if key and not key.startswith(("AKIA", "ASIA")):
        hints.append(f"{key} does not start with AKIA/ASIA: not an AWS access key, or not from this partition")
    return Verdict("access-key-invalid", Status.FAIL,
                   f"{said} — STS does not know the access key {key or '(unknown)'}: deleted, deactivated, "
                   "mistyped, or from another partition",
                   hints)


def _bad_signature(ev: Evidence, said: str) -> Verdict:
    off = ev.clock_offset_s
    if off is not None and abs(off) >= SIGV4_WINDOW_S:
        return _clock(ev, said)
    diffed = _diffed(ev, said)
    if diffed is not None:
        return diffed
    if table().match(ev.message).has("scope-region"):
        return Verdict("region-mismatch", Status.FAIL,
                       f"{said} — requests were signed for region {ev.region} but the endpoint {ev.endpoint} "
                       "serves another", ["Set AWS_REGION to the region of the STS endpoint, or unset "
                                          "AWS_ENDPOINT_URL_STS"])
    clock = (f"the clock is within {abs(off):.0f}s of STS's" if off is not None
             else "no Date header to rule out the clock (see the clock probe)")
    return Verdict("secret-key-mismatch", Status.FAIL,
                   f"{said} — STS knows the key {ev.access_key_id or ''} but the signature made with its secret "
                   f"does not match: the secret key is wrong (botocore signed the request; {clock}; the region is "
                   "the endpoint's)",
                   ["Replace the secret key with the one issued together with this access key id "
                    "(watch for trailing whitespace or quotes)"])


def _diffed(ev: Evidence, said: str) -> Verdict | None:
    """AWS's canonical request (in the message) against the one signed here: a changed part is direct evidence
    and outranks the secret key, which is only what is left when both are the same."""
    from sigdoctor.awserrors.canonical import parse_canonical_request
    from sigdoctor.awserrors.diff import MODIFIED, diff_canonical, unified_diff
    from sigdoctor.awserrors.parse import server_signing
    from sigdoctor.awserrors.unescape import unescape

    server, _ = server_signing(unescape(ev.message))
    client = parse_canonical_request(ev.signed_canonical) if ev.signed_canonical else None
    if server is None or client is None:
        return None
    diffs = diff_canonical(server, client)
    modified = [d for d in diffs if d.kind == MODIFIED]
    extra: dict[str, object] = {"differences": [d.as_evidence() for d in diffs], "diff": unified_diff(server, client,
                                                                                                       diffs)}
    if modified:
        parts = ", ".join(d.component for d in modified)
        return Verdict("request-modified-after-signing", Status.FAIL,
                       f"{said} — the request STS received differs from the one signed here: {parts} (AWS's "
                       "canonical request against ours); the secret key is not what failed",
                       [f"Find what rewrites {parts} between this host and STS (a TLS-inspecting proxy, a mesh "
                        "sidecar) and exempt AWS endpoints from it (NO_PROXY, an egress bypass rule)"], extra)
    if diffs:
        parts = ", ".join(d.component for d in diffs)
        return Verdict("canonicalization-mismatch", Status.FAIL,
                       f"{said} — AWS canonicalised the same request differently: {parts}",
                       ["Upgrade the SDK that signs (its canonicalisation of " + parts + " differs from AWS's)"], extra)
    return None
