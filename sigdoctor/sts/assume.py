"""The --role-arn assumption, made the way an agent's `sigv4.role_arn` makes it.

Prometheus' sigv4 (and so Grafana Agent / Alloy `remote_write`) wraps the base credentials in the Go SDK's stscreds
provider: AssumeRole on the STS endpoint its session resolves, RoleSessionName = the current time in nanoseconds
(aws-sdk-go's default when none is configured), the default 15-minute duration. We do the same with botocore, so the
session shows up in CloudTrail like the agent's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sigdoctor.context import Context
from sigdoctor.records import datarecord
from sigdoctor.sts import caller

DURATION_S = 900  # aws-sdk-go stscreds.DefaultDuration


@datarecord
class Assumed:
    call: caller.StsCall
    session_name: str
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    expiration: datetime | None = None

    @property
    def keys(self) -> tuple[str, str, str | None] | None:
        if self.access_key and self.secret_key:
            return self.access_key, self.secret_key, self.token
        return None

    def credentials(self) -> Any:
        """botocore credentials for later probes (a run is far shorter than the 15-minute session)."""
        from botocore.credentials import Credentials

        return Credentials(self.access_key or "", self.secret_key or "", self.token, method="assume-role")


def session_name(ctx: Context) -> str:
    return str(int(ctx.now() * 1_000_000_000))


def assume_role(ctx: Context, credentials: Any, role_arn: str) -> Assumed:
    name = session_name(ctx)
    sts = caller.client(ctx, credentials)
    result = caller.call(ctx, sts, "AssumeRole", RoleArn=role_arn, RoleSessionName=name, DurationSeconds=DURATION_S)
    out = Assumed(result, name)
    if result.response is not None:
        c = result.response.get("Credentials", {})
        out.access_key, out.secret_key, out.token = c.get("AccessKeyId"), c.get("SecretAccessKey"), c.get("SessionToken")
        exp = c.get("Expiration")
        out.expiration = exp if isinstance(exp, datetime) else None
        ctx.redactor.add_secret(out.secret_key)
        ctx.redactor.add_secret(out.token)
        # The response dict holds the secrets too: keep only what the report may show.
        result.response = {"AssumedRoleUser": result.response.get("AssumedRoleUser", {}),
                           "ResponseMetadata": result.response.get("ResponseMetadata", {})}
    return out
