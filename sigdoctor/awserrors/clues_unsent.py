"""Calls that never left the client: an error the client raises before it sends anything says what happened, and
no reading of an AWS answer can be behind it, whatever wraps the error (checks/errors/unsent.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sigdoctor.awserrors.hit import Hit
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError
    from sigdoctor.awserrors.table import Match

_CHECK = "Check it: `sigdoctor run --only credentials --only identity` with the agent's environment"
# The field a validation error names (Go: "minimum field size of 20, AssumeRoleInput.RoleArn.", "missing required
# field, PutLogEventsInput.LogGroupName."; before 1.1 "field too short, minimum length 1: LogGroupName"; botocore:
# "Invalid length for parameter RoleArn, value: 0", "Missing required parameter in input: \"Bucket\"").
_FIELD_RE = lazy(r"(?:minimum field size of \d+|missing required field|minimum length \d+)[:,]?\s*([\w.]+?)\.?(?=\s|$)"
                       r"|(?:parameter in input:|parameter)\s+\"?([\w.]+?)\"?(?=,|\s|$)")


def unsent_call(e: AwsError, found: Match, hits: list[Hit]) -> list[Hit]:
    """`hits`, or — where the client refused to send the call — the one reading that says so, as no error-severity
    cause: no catalog cause is a client's missing or invalid setting, and every reading of an answer (a trust policy,
    a token, a signature, the network to AWS) is refuted, as there was no request. A wrapper that names the call it
    was making (a credential provider's AssumeRoleWithWebIdentity) only says which client it was."""
    entry = next(iter(found.of("no-region", "invalid-input")), None)
    if entry is None:
        return hits
    m = entry.regex.search(e.flat)
    said = " ".join(m.group(0).split()) if m else entry.name
    if entry.kind == "no-region":
        return [Hit("other-error", Status.WARN,
                    f"The client has no region ('{said}'): it built no endpoint and sent nothing — the call never "
                    "reached AWS, so no answer of AWS's (a trust policy, a token, a signature) is behind it",
                    ["Set the region where this client reads it: AWS_REGION (AWS_DEFAULT_REGION for the AWS CLI and "
                     "botocore), the profile's `region`, or the agent's own `region` setting — for a credential "
                     "provider's STS call (IRSA's web identity, a role_arn) AWS_REGION must reach that process too",
                     _CHECK],
                    {"decided_by": f"'{said}': the client had no region", "error_entry": entry.name})]
    f = _FIELD_RE.search(e.flat)
    field = (f.group(1) or f.group(2)) if f else None
    what = f"the field {field}" if field else "a field of the call"
    return [Hit("other-error", Status.WARN,
                f"The SDK refused the call before sending it ('{said}'): {what} is missing or too short (an empty "
                "setting — a role ARN, a log group, a bucket name) — the call never reached AWS, so no answer of "
                "AWS's is behind it",
                [f"Set {what} in the agent's configuration (an unset variable or an empty `role_arn` / log group / "
                 "bucket setting gives an empty value)", _CHECK],
                {"decided_by": f"'{said}': the SDK's own input validation", "error_entry": entry.name,
                 **({"field": field} if field else {})})]
