"""Each target's harmless request (`harmless.kind` in checks/targets/*.toml), unsigned, then signed here.

AMP's empty remote write is built by hand, as the permissions probe builds it (`sigdoctor.iam.live`). The API calls
(DescribeLogStreams, ListObjectsV2, …) are serialised by botocore itself — a client that never signs hands over the
request it was about to send — so their bodies, headers and targets are exactly what an SDK would put on the wire.
Signing is botocore's `SigV4Auth` at a time taken from `ctx.now()` (as `sigdoctor.sigv4.signer` pins it), which
leaves the canonical request signed here in hand for the diff against AWS's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sigdoctor.botoseam import sign_at
from sigdoctor.context import Context
from sigdoctor.endpoints import with_endpoint_override
from sigdoctor.iam.calls import Frozen
from sigdoctor.iam.live import EMPTY_WRITE_REQUEST
from sigdoctor.records import datarecord
from sigdoctor.sigv4.signer import SIGV4_TIMESTAMP_FORMAT, SignResult
from sigdoctor.targets import Target

# Headers the SDK adds or that signing adds again: dropped from a captured request before it is signed here.
_UNSIGNABLE = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "content-length",
               "expect", "amz-sdk-invocation-id", "amz-sdk-request")


class Unsupported(Exception):
    """The target has no harmless request sigdoctor can send (the message says why)."""


@datarecord(frozen=True)
class _Api:
    """A harmless request that is one read-only (or empty) API call."""

    service: str  # botocore service name
    operation: str
    field: str | None  # the target field the call needs
    params: Callable[[str], dict[str, Any]]


_API: dict[str, _Api] = {
    "logs-describe-log-streams": _Api("logs", "DescribeLogStreams", "log_group",
                                      lambda n: {"logGroupName": n, "limit": 1}),
    "s3-list-objects-max-keys-0": _Api("s3", "ListObjectsV2", "bucket", lambda n: {"Bucket": n, "MaxKeys": 0}),
    "xray-put-telemetry-empty": _Api("xray", "PutTelemetryRecords", None, lambda _n: {"TelemetryRecords": []}),
    "firehose-describe-delivery-stream": _Api("firehose", "DescribeDeliveryStream", "delivery_stream",
                                              lambda n: {"DeliveryStreamName": n, "Limit": 1}),
    "kinesis-describe-stream-summary": _Api("kinesis", "DescribeStreamSummary", "stream",
                                            lambda n: {"StreamName": n}),
}
KINDS = ("amp-empty-remote-write", *_API)


@datarecord
class LiveRequest:
    kind: str
    service: str  # botocore service name (for AWS_ENDPOINT_URL_<SERVICE_ID> and the call record)
    operation: str
    request: AWSRequest = field(repr=False)
    s3: bool = False

    @property
    def url(self) -> str:
        return str(self.request.url)


@datarecord(frozen=True)
class Signed:
    signing_service: str
    signing_region: str
    # The canonical request and string to sign are exact (for the diff); `display` masks the session token.
    result: SignResult = field(repr=False)

    @property
    def canonical_request(self) -> str:
        return self.result.canonical_request

    @property
    def display(self) -> str:
        return self.result.display_canonical_request


def endpoint_url(ctx: Context, target: Target, service: str) -> str:
    """The target's URL with scheme and host replaced where the environment points botocore elsewhere
    (`AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`), as for every other AWS call sigdoctor makes."""
    assert target.url is not None
    return with_endpoint_override(ctx, target.url, service)


def build(ctx: Context, target: Target) -> LiveRequest:
    kind = target.harmless.get("kind")
    if not target.url:
        raise Unsupported("the target names no URL to send to")
    if kind == "amp-empty-remote-write":
        return _amp(ctx, target)
    if kind in _API:
        return _api(ctx, target, _API[kind])
    raise Unsupported(f"no harmless request is implemented for {target.kind} ({kind or 'none declared'})")


def _amp(ctx: Context, target: Target) -> LiveRequest:
    workspace = target.fields.get("workspace")
    if not workspace:
        raise Unsupported("the URL names no workspace (expected /workspaces/<id>/…)")
    parts = urlsplit(endpoint_url(ctx, target, "amp"))
    # Always the remote_write path: a query URL in --target still proves how the workspace checks signatures.
    url = urlunsplit((parts.scheme, parts.netloc, f"/workspaces/{workspace}/api/v1/remote_write", "", ""))
    req = AWSRequest(method="POST", url=url, data=EMPTY_WRITE_REQUEST, headers={
        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0", "User-Agent": "sigdoctor (harmless empty remote write)"})
    return LiveRequest("amp-empty-remote-write", "amp", "RemoteWrite", req)


class _Captured(Exception):
    def __init__(self, request: AWSRequest) -> None:
        super().__init__("captured")
        self.request = request


def _api(ctx: Context, target: Target, api: _Api) -> LiveRequest:
    import botocore
    import botocore.session
    from botocore.config import Config

    name = target.fields.get(api.field) if api.field else ""
    if name is None:
        raise Unsupported(f"the target names no {(api.field or '').replace('_', ' ')} (pass its ARN or URL)")
    base = urlsplit(endpoint_url(ctx, target, api.service))
    host = base.netloc
    if api.service == "s3" and name and host.startswith(name + "."):
        host = host[len(name) + 1:]  # botocore puts the bucket back in front (virtual-hosted style)
    # A client that never signs and never sends: it serialises the call and hands the request over at signing time.
    # Nothing from the user's config may change a request that only needs serialising (nor may a broken profile
    # stop it): no config file, no profile, no credentials file.
    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session.set_config_variable("config_file", "/dev/null")
    session.set_config_variable("credentials_file", "/dev/null")
    client = ctx.share_loader(session).create_client(
        api.service, region_name=target.region or "us-east-1", endpoint_url=f"{base.scheme}://{host}",
        aws_access_key_id="unused", aws_secret_access_key="unused",
        config=Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}))

    def capture(request: AWSRequest, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register_first("before-sign.*.*", capture)
    method = getattr(client, _snake(api.operation))
    try:
        method(**api.params(name or ""))
    except _Captured as c:
        got = c.request
    else:  # pragma: no cover - botocore always signs before sending
        raise Unsupported("botocore did not build the request")
    url = str(got.url)
    if host != base.netloc:
        # Back to the virtual-hosted form the target (and the agent) uses: bucket.s3.<region>.amazonaws.com/…
        u = urlsplit(url)
        if u.path == f"/{name}" or u.path.startswith(f"/{name}/"):
            url = urlunsplit((u.scheme, base.netloc, u.path[len(name) + 1:] or "/", u.query, ""))
    req = AWSRequest(method=got.method, url=url, data=got.data)
    for k, v in got.headers.items():
        if k.lower() not in _UNSIGNABLE:
            req.headers[k] = v
    if req.headers.get("User-Agent") is not None:
        del req.headers["User-Agent"]
    req.headers["User-Agent"] = "sigdoctor (harmless live signature check)"
    return LiveRequest(target.harmless["kind"], api.service, api.operation, req, s3=api.service == "s3")


def _snake(operation: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def sign(live: LiveRequest, creds: Frozen, *, service: str, region: str, when: float) -> Signed:
    """Sign `live.request` in place with botocore at `when` (seconds since the epoch)."""
    credentials = Credentials(creds.access_key, creds.secret_key, creds.token)
    auth: SigV4Auth = S3SigV4Auth(credentials, service, region) if live.s3 else SigV4Auth(credentials, service,
                                                                                           region)
    request = live.request
    # botocore's add_auth() reads the wall clock itself; these are its steps after that, with our clock instead
    # (the same sequence sigdoctor.sigv4.signer runs for `sigdoctor sign`).
    canonical, string_to_sign, signature, signed_headers = sign_at(
        auth, request, datetime.datetime.fromtimestamp(when, datetime.UTC).strftime(SIGV4_TIMESTAMP_FORMAT))
    result = SignResult(canonical_request=canonical, string_to_sign=string_to_sign, signed_headers=signed_headers,
                        credential_scope=auth.credential_scope(request), signature=signature,
                        authorization=str(request.headers["Authorization"]), session_token=creds.token)
    return Signed(service, region, result)
