"""A credential source that an SDK names as the one that failed, and how (checks/errors/credential-sources.toml).

Such a message is more specific than the chain's "no credentials" it often comes wrapped in (aws-sdk-go-v2's
"failed to refresh cached credentials, unexpected empty EC2 IMDS role list"): read first, its cause keeps the
generic empty-chain reading from being named over it.
"""

from __future__ import annotations

import re
from typing import Any

from sigdoctor.awserrors.hit import cue_text
from sigdoctor.awserrors.parse import AwsError, api_codes
from sigdoctor.awserrors.table import Match
from sigdoctor.model import Status

KIND = "source"
# The status instance metadata answered with, as Go v1 ("status code: 403") and Go v2 ("StatusCode: 403") print it.
# Go v1 prints the body of instance metadata's error answer too: an XHTML page titled "404 - Not Found".
_STATUS_RE = re.compile(r"(?:status\s*code:?|StatusCode:|<title>)\s*(\d{3})\b", re.I)
# The role-list request never reached instance metadata (aws-sdk-go-v2 feature/ec2/imds api_client.go "access
# disabled to EC2 IMDS via client option, or %q environment variable"; aws-sdk-go ec2metadata/service.go "EC2 IMDS
# access disabled via AWS_EC2_METADATA_DISABLED env var"; Go's net package "dial tcp ADDR: connect: invalid argument").
METADATA_DISABLED = r"access disabled to EC2 IMDS|EC2 IMDS access disabled"
_NO_ANSWER_RE = re.compile(METADATA_DISABLED + r"|169\.254\.169\.254:\d+: connect: invalid argument", re.I)


def source_hits(e: AwsError, found: Match, named: set[str]) -> list[tuple[str, Status, str, list[str], dict[str, Any]]]:
    """(cause, status, message, fix, evidence) for each `source` entry in the text whose first cause no rule has
    named yet; a first cause of low confidence is only a warning. Otherwise the entry's other causes are ranked after
    it by the caller's candidate ranking (the evidence's `error_entry` is the entry's name). An entry whose likeliest
    reading is only "low" cannot decide at all (a tool's bare 403, a failure printed without the answer's code): each
    of its readings is a warning, ranked in the table's order (`candidate_rank`), never reordered by the catalog."""
    out: list[tuple[str, Status, str, list[str], dict[str, Any]]] = []
    for entry in found.of(KIND):
        if not entry.causes or entry.causes[0].cause in named:
            continue
        # A tool's status line without AWS's body (an entry with its `http` status: tools11.toml's pgBackRest,
        # ClickHouse, minio-go) says nothing more where the record, or the lines before it, hold AWS's own code (the
        # XML body pgBackRest prints under the status, a record of its own): that code's readings stand.
        if entry.http is not None and ((e.code and e.code in api_codes()) or "<Code>" in cue_text(e)):
            continue
        said = f"{e.code}: " if e.code and e.code in entry.codes else ""
        undecided = entry.causes[0].confidence == "low"
        for rank, top in enumerate(entry.causes if undecided else entry.causes[:1]):
            if top.cause in named:
                continue
            status = Status.FAIL if top.confidence != "low" else Status.WARN
            msg = f"{said}{entry.name} — {top.needs}" if top.needs else f"{said}{entry.name}"
            extra: dict[str, Any] = {"error_entry": entry.name}
            if undecided and rank:
                extra["candidate_rank"] = rank
            out.append((top.cause, status, msg, [f"Settle it: `{top.decide}`"] if top.decide else [], extra))
            named.add(top.cause)
    return out


def status_refutes_no_role(t: str) -> bool:
    """aws-sdk-go's "no EC2 instance role found" and aws-sdk-go-v2's "no EC2 IMDS role found" wrap every failure of
    the role-list request (ec2rolecreds requestCredList); only a 404 answer says the instance has no role. True when
    the text shows answers and none of them is a 404 (401: IMDSv2 token missing, 403: IMDS turned off, 503:
    throttled — EC2 user guide, "Instance metadata query errors"), or shows the request got no answer at all:
    instance metadata disabled in the client (AWS_EC2_METADATA_DISABLED), or a connection the kernel refused to
    make (EINVAL "connect: invalid argument" where no route to the link-local address exists, as on Fargate)."""
    if _NO_ANSWER_RE.search(t) and "404" not in t:
        return True
    codes = {m.group(1) for m in _STATUS_RE.finditer(t)}
    return bool(codes) and "404" not in codes
