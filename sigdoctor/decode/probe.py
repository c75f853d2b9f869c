"""The `decode` probe: a stand-in for the runner that hands over the outcome decoded before the run.

Decoding happens before `run_report` (it must be able to raise a usage error, and a 100 MB log should not race the
network deadline); the probe only returns that outcome, so the report goes through the same runner, causes engine
and redaction as `sigdoctor run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sigdoctor.context import Context
from sigdoctor.model import CANNOT_DECIDE, Outcome, ProbeResult, Status
from sigdoctor.probe import Probe

# Every cause decode can name, as `decode.<cause-id>`.
CAUSES: tuple[str, ...] = (
    "clock-skew", "secret-key-mismatch", "request-modified-after-signing", "canonicalization-mismatch",
    "region-mismatch", "service-name-mismatch", "session-token-missing", "request-not-signed", "access-key-invalid",
    "sts-opt-in-region", "credentials-expired", "web-identity-rejected", "web-identity-token-unreadable",
    "permission-missing", "explicit-deny", "role-trust-denied", "target-not-found", "imds-hop-limit",
    "imds-unreachable", "imds-no-role", "container-credentials-failed", "tls-untrusted", "tls-intercepted",
    "proxy-misconfigured", "dns-resolution-failed", "endpoint-unreachable", "sdk-unsupported-credential-source",
    "env-credentials-incomplete", "no-credentials", "sts-global-endpoint", "profile-invalid", "env-shadows-role",
)
EMITS: tuple[str, ...] = (
    "decode.summary", "decode.canonical-diff", "decode.other-error", *(f"decode.{c}" for c in CAUSES),
    "decode.diagnosis-incomplete",  # the input was still open at --deadline
)


def _run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    return Outcome(Status.SKIP, "no input was decoded")


# Its title says "Errors" only where the text decides one (a failing finding): a text whose errors of AWS's it cannot
# decide the cause of, or whose readings are all warnings, has AWS errors in it, not errors sigdoctor names.
TITLE = "Errors in the pasted input"
TITLE_NO_ERROR = "AWS errors in the pasted input"
TITLE_UNDECIDED = "AWS errors in the pasted input (their cause undecided)"
# Nothing in it was read: the causes are those whose corpus texts its words resemble (awserrors/resemblance.py).
TITLE_RESEMBLANCE = "The pasted input (no AWS error read; causes by resemblance)"


def title(outcome: Outcome) -> str:
    if any(f.status is Status.FAIL for f in outcome.findings):
        return TITLE
    if any(f.status is Status.WARN and f.evidence.get("resemblance") for f in outcome.findings):
        return TITLE_RESEMBLANCE
    if any(f.status is Status.WARN and f.evidence.get(CANNOT_DECIDE) for f in outcome.findings):
        return TITLE_UNDECIDED
    return TITLE_NO_ERROR


def returning(outcome: Outcome) -> Probe:
    """The decode probe for one run: it hands over `outcome`, decoded before the run."""
    return replace(DECODE_PROBE, title=title(outcome), run=lambda ctx, prior: outcome)


DECODE_PROBE = Probe(
    id="decode",
    title=TITLE,
    run=_run,
    timeout=30.0,
    emits=EMITS,
)
