"""STS calls as the agent's SDK would make them: botocore's client for the diagnosed environment (so endpoint
selection honours AWS_STS_REGIONAL_ENDPOINTS, AWS_ENDPOINT_URL[_STS] and the profile), one attempt, short timeouts.

Every call is recorded as (service, operation, endpoint) in ctx.state.aws_calls, and the `Date` header of its
answer — success or error — in ctx.state.http_dates.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
)

from sigdoctor.botohttp import aws_client, one_attempt
from sigdoctor.botoseam import set_session_credentials
from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.endpoints import region_of
from sigdoctor.netconn.tls import verify_file
from sigdoctor.records import datarecord

CALL_TIMEOUT_S = 3.0
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, SSLError, ProxyConnectionError,
                ConnectionClosedError, HTTPClientError)


@datarecord
class StsCall:
    operation: str
    endpoint: str
    response: dict[str, Any] | None = None
    # An AWS error answer.
    code: str | None = None
    message: str | None = None
    http_status: int | None = None
    # The operation the error came from: differs from `operation` when botocore refreshed the credentials first
    # (AssumeRoleWithWebIdentity / AssumeRole behind a deferred source) and that call failed.
    failed_operation: str | None = None
    # No answer at all (DNS, TCP, TLS, proxy, timeout): the network probes explain it.
    unreachable: str | None = None
    # Anything else botocore raised (no credentials, bad parameters, …).
    other: str | None = None
    date_header: str | None = None
    t_sent: float | None = None
    t_received: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The request as botocore sent it (signed): what AWS's canonical request in an error is compared with.
    sent_request: Any = None

    @property
    def ok(self) -> bool:
        return self.response is not None

    @property
    def clock_offset_s(self) -> float | None:
        """Server time − local time from the answer's `Date` header (whole seconds only; None without one)."""
        if not (self.date_header and self.t_sent is not None and self.t_received is not None):
            return None
        from email.utils import parsedate_to_datetime

        try:
            server = parsedate_to_datetime(self.date_header).timestamp() + 0.5
        except (TypeError, ValueError):
            return None
        return server - (self.t_sent + self.t_received) / 2


def client(ctx: Context, credentials: Any = None, keys: tuple[str, str, str | None] | None = None) -> Any:
    """An STS client for the agent's environment, signing with `credentials` (botocore credentials object) or with
    explicit `keys` (access key, secret key, session token)."""
    session: Any = chain_session(ctx)
    config = one_attempt(ctx.timeout(CALL_TIMEOUT_S, margin=DEADLINE_MARGIN_S))
    if keys is not None:
        ak, sk, tok = keys
        return aws_client(session, "sts", verify=verify_file(ctx), region_name=region_of(ctx), config=config,
                          aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=tok)
    if credentials is not None:
        # The session signs with exactly the credentials the chain produced (deferred ones refresh here).
        set_session_credentials(session, credentials)
    return aws_client(session, "sts", verify=verify_file(ctx), region_name=region_of(ctx), config=config)


def call(ctx: Context, sts: Any, operation: str, **params: Any) -> StsCall:
    """Make one STS call; never raises for AWS errors or network failures (they are the diagnosis)."""
    endpoint = str(sts.meta.endpoint_url)
    out = StsCall(operation, endpoint)
    ctx.state.aws_calls.add(("sts", operation, endpoint))

    def sent(**kw: Any) -> None:
        out.t_sent = ctx.now()
        out.sent_request = kw.get("request")

    sts.meta.events.register(f"before-send.sts.{operation}", sent)
    method = getattr(sts, _snake(operation))
    try:
        with ctx.step(f"STS to answer {operation} at {endpoint}"):
            out.response = method(**params)
        out.t_received = ctx.now()
        meta = out.response.get("ResponseMetadata", {})
    except ClientError as e:
        out.t_received = ctx.now()
        err = e.response.get("Error", {})
        out.code = str(err.get("Code") or "Unknown")
        out.message = ctx.redactor.text(str(err.get("Message") or ""))
        out.failed_operation = e.operation_name
        meta = e.response.get("ResponseMetadata", {})
        out.http_status = meta.get("HTTPStatusCode")
    except _UNREACHABLE as e:
        out.unreachable = ctx.redactor.text(f"{type(e).__name__}: {e}")
        return out
    except (BotoCoreError, ValueError) as e:
        out.other = ctx.redactor.text(f"{type(e).__name__}: {e}")
        return out
    out.headers = {str(k).lower(): str(v) for k, v in (meta.get("HTTPHeaders") or {}).items()}
    out.date_header = out.headers.get("date")
    if out.date_header and out.t_sent is not None and out.failed_operation in (None, operation):
        ctx.state.http_dates.add((endpoint, out.date_header, out.t_sent, out.t_received))
    return out


def _snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def chain_session(ctx: Context) -> Any:
    """The session the credential chain was resolved in (configured from the diagnosed environment), else a fresh
    one. Called by probes that have waited for the chain (identity) or run after it (permissions, signature)."""
    answer = ctx.state.chain.get()
    return ctx.share_loader(answer.session) if answer and answer.session is not None else ctx.botocore_session()


def chain_credentials(ctx: Context) -> Any:
    """The credentials the chain produced (None: none usable); same callers as `chain_session`."""
    answer = ctx.state.chain.get()
    return answer.credentials if answer else None


def signing_credentials(ctx: Context) -> Any:
    """What later probes sign with: the identity probe's effective credentials (the assumed role's with --role-arn),
    else the chain's. For probes that run after identity."""
    answer = ctx.state.identity.get()
    return (answer.credentials if answer else None) or chain_credentials(ctx)


def base_client(ctx: Context) -> Any:
    """The STS client of the chain's own credentials, built once per run (~20–40 ms): the identity probe calls
    through it, and the permissions probe's warm-up builds it early."""
    return ctx.once("sts_base_client", lambda: client(ctx, chain_credentials(ctx)))


def get_caller_identity(ctx: Context, credentials: Any = None,
                        keys: tuple[str, str, str | None] | None = None) -> StsCall:
    base = keys is None and credentials is not None and credentials is chain_credentials(ctx)
    return call(ctx, base_client(ctx) if base else client(ctx, credentials, keys), "GetCallerIdentity")
