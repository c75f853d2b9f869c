"""What one live answer says about the request, in the permissions probe's terms: allowed, rejected before
authorization (signature, key, token, clock), denied (implicitly or explicitly), target not found, or failed."""

from __future__ import annotations

from sigdoctor.awserrors.table import table

ALLOWED, DENIED, EXPLICIT_DENY, NOT_FOUND, REJECTED, FAILED = (
    "allowed", "denied", "explicit-deny", "not-found", "rejected", "failed")
# Kinds that stop a request before IAM decides: not a permission problem (the identity and signature probes own them).
_BEFORE_AUTHORIZATION = ("signature", "clock", "unsigned", "scope-region", "scope-service", "invalid-key",
                         "expired-token")


def live_outcome(status: int | None, code: str | None, message: str) -> str:
    if status is not None and 200 <= status < 300:
        return ALLOWED
    found = table().match(f"{code or ''} {message}")
    if found.has(*_BEFORE_AUTHORIZATION):
        return REJECTED
    denied = found.of("denied")
    if denied:
        explicit = any(c.cause == "explicit-deny" and c.confidence == "high" for e in denied for c in e.causes)
        return EXPLICIT_DENY if explicit else DENIED
    if status == 404 or found.has("not-found"):
        return NOT_FOUND
    return FAILED
