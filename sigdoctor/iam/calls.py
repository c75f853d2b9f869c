"""AWS API calls of the permissions probe: bounded botocore clients, and a record of every call made.

Every call lands in `ctx.state.aws_calls` as (service, operation, endpoint) so a test can hold a full run to
SPEC's allow-list, and every response's `Date` header in `ctx.state.http_dates`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigdoctor.botohttp import aws_client, one_attempt
from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.netconn.tls import verify_file
from sigdoctor.records import datarecord

# IAM is global per partition; its endpoint lives in one region of each (botocore resolves the host from it).
IAM_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


@datarecord(frozen=True)
class Frozen:
    access_key: str
    secret_key: str
    token: str | None


def frozen(ctx: Context, credentials: Any) -> Frozen:
    """A consistent snapshot of botocore credentials (refreshable ones may refresh here, over STS)."""
    f = credentials.get_frozen_credentials()
    ctx.redactor.add_secret(f.secret_key)
    ctx.redactor.add_secret(f.token)
    return Frozen(f.access_key, f.secret_key, f.token)


def session(ctx: Context) -> Any:
    from sigdoctor.sts.caller import chain_session

    return chain_session(ctx)


def client(ctx: Context, service: str, creds: Frozen, region: str) -> Any:
    """A client per service, region and credentials, built once per run (clients are thread-safe; building one
    is ~20 ms of model loading)."""
    return ctx.once(f"client:{service}:{region}:{hash(creds)}",
                    lambda: _build(ctx, service, creds, region))


def _build(ctx: Context, service: str, creds: Frozen, region: str) -> Any:
    cfg = one_attempt(ctx.timeout(3.0, margin=DEADLINE_MARGIN_S))
    return aws_client(session(ctx), service, verify=verify_file(ctx), region_name=region,
                      aws_access_key_id=creds.access_key,
                      aws_secret_access_key=creds.secret_key, aws_session_token=creds.token, config=cfg)


def record(ctx: Context, service: str, operation: str, endpoint: str) -> None:
    ctx.state.aws_calls.add((service, operation, endpoint))


def record_date(ctx: Context, url: str, headers: dict[str, str] | None, t_sent: float, t_received: float) -> None:
    date = {k.lower(): v for k, v in (headers or {}).items()}.get("date")
    if date:
        ctx.state.http_dates.add((url, date, t_sent, t_received))


@datarecord
class CallResult:
    response: dict[str, Any] | None = None
    code: str | None = None  # AWS error code, or the exception class for a transport failure
    message: str = ""
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None


def call(ctx: Context, api: Any, service: str, operation: str, method: Callable[..., Any], **kw: Any) -> CallResult:
    """One API call, recorded and bounded; errors come back as data, never as exceptions."""
    endpoint = str(api.meta.endpoint_url)
    record(ctx, service, operation, endpoint)
    t_sent = ctx.now()
    try:
        with ctx.step(f"{service.upper()} to answer {operation}"):
            resp = method(**kw)
    except ClientError as e:
        meta = e.response.get("ResponseMetadata", {})
        record_date(ctx, endpoint, meta.get("HTTPHeaders"), t_sent, ctx.now())
        err = e.response.get("Error", {})
        return CallResult(None, str(err.get("Code") or "Unknown"), str(err.get("Message") or e),
                          meta.get("HTTPStatusCode"))
    except BotoCoreError as e:
        return CallResult(None, type(e).__name__, ctx.redactor.text(str(e)))
    record_date(ctx, endpoint, resp.get("ResponseMetadata", {}).get("HTTPHeaders"), t_sent, ctx.now())
    return CallResult(resp, status=resp.get("ResponseMetadata", {}).get("HTTPStatusCode"))
