"""Small shared types of the credential diagnosis."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from sigdoctor.records import datarecord

# botocore's method names, with the name a human reads in the report.
SOURCE_NAMES: dict[str, str] = {
    "env": "Environment variables",
    "assume-role": "Profile role (role_arn)",
    "assume-role-with-web-identity": "Web identity token (IRSA / OIDC)",
    "sso": "IAM Identity Center (SSO)",
    "shared-credentials-file": "Shared credentials file",
    "login": "Console login session",
    "custom-process": "credential_process",
    "config-file": "Config file keys",
    "ec2-credentials-file": "EC2 CLI credentials file (AWS_CREDENTIAL_FILE)",
    "boto-config": "Boto2 config file",
    "container-role": "Container credentials (ECS / EKS Pod Identity)",
    "iam-role": "Instance profile (IMDS)",
}

# The chain botocore builds when nothing is removed; the live order is read from the resolver itself.
DEFAULT_ORDER: tuple[str, ...] = tuple(SOURCE_NAMES)

STATIC_METHODS = frozenset({"env", "shared-credentials-file", "config-file", "ec2-credentials-file", "boto-config"})
# Sources botocore returns as deferred credentials: chosen without a network call, fetched on first use.
DEFERRED_METHODS = frozenset({"assume-role", "assume-role-with-web-identity", "sso"})
ROLE_METHODS = frozenset({"assume-role-with-web-identity", "container-role", "iam-role"})


@datarecord
class SourceDiag:
    """What we learnt about one source by ourselves, independent of botocore's run.

    `usable` is True when the source would yield credentials, False when it is configured but broken, None when
    that cannot be known without trying (e.g. an STS call).
    """

    configured: bool
    detail: str
    location: str = ""
    usable: bool | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def absent(detail: str, location: str = "") -> SourceDiag:
    return SourceDiag(configured=False, detail=detail, location=location, usable=False)
