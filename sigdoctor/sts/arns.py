"""Principal ARNs as STS reports them, and the IAM entity whose policies apply to each.

GetCallerIdentity names the *session* (`arn:aws:sts::111122223333:assumed-role/Name/session`); IAM policies belong
to the role (`arn:aws:iam::111122223333:role/PATH/Name`). The role's path is not in the session ARN: only
`iam:GetRole` knows it, so `path_known` says whether the policy source ARN can be trusted as is.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sigdoctor.records import datarecord

# Roles whose path AWS fixes, so it is known without iam:GetRole (IAM Identity Center permission sets).
_SSO_ROLE_PREFIX = "AWSReservedSSO_"


@datarecord(frozen=True)
class Principal:
    arn: str
    partition: str
    account: str | None
    # user | assumed-role | role | federated-user | root | unknown
    principal_type: str
    name: str | None = None  # user name, federated user name
    role_name: str | None = None
    session_name: str | None = None
    path: str | None = None  # IAM path, when the ARN carries it (users, roles)
    # The IAM ARN whose policies decide what this principal may do (iam:SimulatePrincipalPolicy's PolicySourceArn).
    policy_source_arn: str | None = None
    path_known: bool = True
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _split_path(resource: str) -> tuple[str, str]:
    """`role/a/b/Name` → ('/a/b/', 'Name')."""
    parts = resource.split("/")
    name = parts[-1]
    path = "/" + "/".join(parts[1:-1]) + "/" if len(parts) > 2 else "/"
    return path, name


def parse_principal(arn: str) -> Principal:
    """Parse a principal ARN from GetCallerIdentity (or an IAM role/user ARN). Never raises."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return Principal(arn, "aws", None, "unknown", note="not an ARN")
    _, partition, service, _region, account, resource = parts
    acct = account or None
    kind = resource.split("/", 1)[0]
    if service == "iam" and resource == "root":
        return Principal(arn, partition, acct, "root", policy_source_arn=None,
                         note="the account's root user: IAM policies do not limit it (only SCPs do)")
    if service == "iam" and kind == "user":
        path, name = _split_path(resource)
        return Principal(arn, partition, acct, "user", name=name, path=path, policy_source_arn=arn)
    if service == "iam" and kind == "role":
        path, name = _split_path(resource)
        return Principal(arn, partition, acct, "role", role_name=name, path=path, policy_source_arn=arn)
    if service == "sts" and kind == "assumed-role":
        bits = resource.split("/")
        role_name = bits[1] if len(bits) > 1 else None
        session = "/".join(bits[2:]) or None
        source: str | None = None
        note: str | None = None
        known = False
        if role_name:
            if role_name.startswith(_SSO_ROLE_PREFIX):
                # Identity Center roles live under this path (newer ones add a region segment: GetRole tells).
                source = f"arn:{partition}:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role_name}"
                note = "IAM Identity Center role: path assumed /aws-reserved/sso.amazonaws.com/ (iam:GetRole confirms)"
            else:
                source = f"arn:{partition}:iam::{account}:role/{role_name}"
                note = "role path unknown from the session ARN (iam:GetRole tells); assumed /"
        return Principal(arn, partition, acct, "assumed-role", role_name=role_name, session_name=session,
                         policy_source_arn=source, path_known=known, note=note)
    if service == "sts" and kind == "federated-user":
        fed_name = resource.split("/", 1)[1] if "/" in resource else None
        return Principal(arn, partition, acct, "federated-user", name=fed_name, policy_source_arn=None,
                         note="federated user (GetFederationToken): its policies are the calling user's "
                              "intersected with the session policy; IAM cannot simulate it")
    return Principal(arn, partition, acct, "unknown", note=f"unrecognised principal {kind!r}")


@datarecord(frozen=True)
class RoleArn:
    arn: str
    partition: str
    account: str
    path: str
    name: str


def parse_role_arn(arn: str) -> RoleArn | None:
    """A role ARN as given to --role-arn / sigv4.role_arn, or None when it is not one."""
    parts = arn.strip().split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    if not (parts[4].isdigit() and len(parts[4]) == 12):
        return None
    path, name = _split_path(parts[5])
    if not name:
        return None
    return RoleArn(arn.strip(), parts[1], parts[4], path, name)


def assumes_itself(base: Principal, role: RoleArn) -> bool:
    """The agent already runs as the role it is told to assume (a session of role X asked to assume role X)."""
    return (base.principal_type == "assumed-role" and base.role_name == role.name
            and base.account == role.account and base.partition == role.partition)


def principal_label(p: Principal) -> str:
    """How the report names a principal type to a person."""
    return {"user": "IAM user", "assumed-role": "assumed role", "role": "role", "federated-user": "federated user",
            "root": "root user", "unknown": "unknown principal"}[p.principal_type]
