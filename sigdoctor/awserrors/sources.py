"""A credential source that an SDK names as the one that failed, and how (checks/errors/credential-sources.toml).

Such a message is more specific than the chain's "no credentials" it often comes wrapped in (aws-sdk-go-v2's
"failed to refresh cached credentials, unexpected empty EC2 IMDS role list"): read first, its cause keeps the
generic empty-chain reading from being named over it.
"""

from __future__ import annotations

from sigdoctor.awserrors.parse import AwsError
from sigdoctor.awserrors.table import Match
from sigdoctor.model import Status

KIND = "source"


def source_hits(e: AwsError, found: Match, named: set[str]) -> list[tuple[str, Status, str, list[str], str]]:
    """(cause, status, message, fix, entry name) for each `source` entry in the text whose first cause no rule has
    named yet; a first cause of low confidence is only a warning. The entry's other causes are ranked after it by
    the caller's candidate ranking (its `error_entry` is the entry's name)."""
    out = []
    for entry in found.of(KIND):
        if not entry.causes or entry.causes[0].cause in named:
            continue
        top = entry.causes[0]
        status = Status.FAIL if top.confidence != "low" else Status.WARN
        said = f"{e.code}: " if e.code and e.code in entry.codes else ""
        msg = f"{said}{entry.name} — {top.needs}" if top.needs else f"{said}{entry.name}"
        out.append((top.cause, status, msg, [f"Settle it: `{top.decide}`"] if top.decide else [], entry.name))
        named.add(top.cause)
    return out
