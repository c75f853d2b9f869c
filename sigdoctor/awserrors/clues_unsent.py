"""Calls that never left the client: an error the client raises before it sends anything says what happened, and
no reading of an AWS answer can be behind it, whatever wraps the error (checks/errors/region-unset.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sigdoctor.awserrors.hit import Hit
from sigdoctor.model import Status

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError
    from sigdoctor.awserrors.table import Match


def unsent_call(e: AwsError, found: Match, hits: list[Hit]) -> list[Hit]:
    """`hits`, or — where the client had no region — the one reading that says so, as no error-severity cause: no
    catalog cause is a client's missing setting, and every reading of an answer (a trust policy, a token, a
    signature, the network to AWS) is refuted, as there was no request. An SDK builds the endpoint from the region
    first (endpoint rule sets: "Invalid Configuration: Missing Region"; the older resolvers' MissingRegion errors),
    so a wrapper that names the call it was making (a credential provider's AssumeRoleWithWebIdentity) only says
    which client lacked it."""
    entry = next((x for x in found.of("no-region")), None)
    if entry is None:
        return hits
    m = entry.regex.search(e.flat)
    said = " ".join(m.group(0).split()) if m else entry.name
    return [Hit("other-error", Status.WARN,
                f"The client has no region ('{said}'): it built no endpoint and sent nothing — the call never reached "
                "AWS, so no answer of AWS's (a trust policy, a token, a signature) is behind it",
                ["Set the region where this client reads it: AWS_REGION (AWS_DEFAULT_REGION for the AWS CLI and "
                 "botocore), the profile's `region`, or the agent's own `region` setting — for a credential "
                 "provider's STS call (IRSA's web identity, a role_arn) AWS_REGION must reach that process too",
                 "Check it: `sigdoctor run --only credentials --only identity` with the agent's environment"],
                {"decided_by": f"'{said}': the client had no region", "error_entry": entry.name})]
