"""Which IAM principal to ask IAM about: the policy source ARN behind the caller's ARN.

`SimulatePrincipalPolicy` wants the IAM user or role (with its path), not the STS session: the role ARN behind an
assumed-role ARN. The session ARN carries no path, so it is looked up with `iam:GetRole` where allowed; when that is
denied the path-less ARN is used and the report says the path is unknown.
"""

from __future__ import annotations

import re

from sigdoctor.records import datarecord

_ASSUMED = re.compile(r"^arn:(?P<p>[^:]+):sts::(?P<a>\d{12}):assumed-role/(?P<role>[^/]+)/(?P<session>.+)$")
_IAM = re.compile(r"^arn:(?P<p>[^:]+):iam::(?P<a>\d{12}):(?P<kind>user|role|group)(?P<path>/(?:.*/)?)(?P<name>[^/]+)$")
_ROOT = re.compile(r"^arn:(?P<p>[^:]+):iam::(?P<a>\d{12}):root$")
_FEDERATED = re.compile(r"^arn:(?P<p>[^:]+):sts::(?P<a>\d{12}):federated-user/.+$")


@datarecord(frozen=True)
class PolicySource:
    caller_arn: str
    arn: str | None  # None: this principal cannot be simulated (root, federated user, unknown form)
    partition: str = "aws"
    account: str | None = None
    kind: str | None = None  # user | role | group
    name: str | None = None
    path_known: bool = True
    why_not: str | None = None

    def with_path(self, path: str) -> PolicySource:
        arn = f"arn:{self.partition}:iam::{self.account}:{self.kind}{path}{self.name}"
        return PolicySource(self.caller_arn, arn, self.partition, self.account, self.kind, self.name, True)


def policy_source(caller_arn: str) -> PolicySource:
    m = _ASSUMED.match(caller_arn)
    if m:
        arn = f"arn:{m['p']}:iam::{m['a']}:role/{m['role']}"
        # A role's path is not in its session ARN: GetRole tells it (see module docstring).
        return PolicySource(caller_arn, arn, m["p"], m["a"], "role", m["role"], path_known=False)
    m = _IAM.match(caller_arn)
    if m:
        return PolicySource(caller_arn, caller_arn, m["p"], m["a"], m["kind"], m["name"])
    m = _ROOT.match(caller_arn)
    if m:
        return PolicySource(caller_arn, None, m["p"], m["a"],
                            why_not="the account root user: IAM policies do not limit it (only SCPs do)")
    m = _FEDERATED.match(caller_arn)
    if m:
        return PolicySource(caller_arn, None, m["p"], m["a"],
                            why_not="a federated user session: its permissions are the federating user's policies "
                                    "intersected with the session policy, which IAM cannot simulate")
    parts = caller_arn.split(":")
    return PolicySource(caller_arn, None, parts[1] if len(parts) > 1 else "aws",
                        why_not=f"{caller_arn!r} is not an IAM user, role or assumed-role ARN")
