"""The harmless live request per target kind (`harmless.kind` in checks/targets/*.toml): one signed request that
proves authorization without storing anything, classified as allowed / denied / not found.

Used when the caller may not simulate. Only the kinds below are implemented; any other kind says so.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sigdoctor.awserrors.outcome import (  # the outcomes, re-exported for the permissions probe
    ALLOWED as ALLOWED,
)
from sigdoctor.awserrors.outcome import DENIED as DENIED
from sigdoctor.awserrors.outcome import EXPLICIT_DENY as EXPLICIT_DENY
from sigdoctor.awserrors.outcome import FAILED as FAILED
from sigdoctor.awserrors.outcome import NOT_FOUND as NOT_FOUND
from sigdoctor.awserrors.outcome import REJECTED as REJECTED
from sigdoctor.awserrors.outcome import live_outcome
from sigdoctor.botohttp import TrustOnceSession
from sigdoctor.context import Context
from sigdoctor.endpoints import region_of, with_endpoint_override
from sigdoctor.iam.calls import Frozen, call, client, record, record_date
from sigdoctor.netconn.tls import verify_file
from sigdoctor.records import datarecord
from sigdoctor.targets import Target

# An empty Prometheus WriteRequest (zero protobuf bytes), snappy block-compressed: just the varint length 0.
EMPTY_WRITE_REQUEST = b"\x00"
# The outcomes, as the error table reads an answer (sigdoctor/awserrors/outcome.py).
@datarecord
class LiveResult:
    target: str
    kind: str
    action: str
    resource: str
    outcome: str  # allowed | denied | explicit-deny | not-found | rejected | failed
    status: int | None = None
    code: str | None = None
    message: str = ""
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        decision = {ALLOWED: "allowed", DENIED: "implicitDeny", EXPLICIT_DENY: "explicitDeny"}.get(self.outcome,
                                                                                                  self.outcome)
        return {"target": self.target, "action": self.action, "resource": self.resource, "decision": decision,
                "matched_statements": [], "missing_context": [], "request": self.kind, "http_status": self.status,
                "error_code": self.code, "message": self.message}


def endpoint_url(ctx: Context, target: Target, botocore_service: str) -> str | None:
    """The target's URL, with scheme and host replaced the way botocore would (AWS_ENDPOINT_URL_<SERVICE>,
    AWS_ENDPOINT_URL) so the live request goes where the SDK-configured endpoint says."""
    if not target.url:
        return None
    return with_endpoint_override(ctx, target.url, botocore_service)


def _proxies(ctx: Context, url: str) -> dict[str, str]:
    env = {k.lower(): v for k, v in ctx.env.items() if k.lower() in ("https_proxy", "http_proxy", "no_proxy")}
    scheme = urlsplit(url).scheme
    proxy = env.get(f"{scheme}_proxy")
    if not proxy:
        return {}
    # The stdlib's own NO_PROXY matching (not in typeshed), fed the diagnosed environment instead of os.environ.
    bypass: Callable[[str, dict[str, str]], bool] = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009
    if bypass(urlsplit(url).hostname or "", {"no": env.get("no_proxy", "")}):
        return {}
    return {scheme: proxy}


def _verify(ctx: Context) -> str | bool:
    """The run's CA bundle (netconn.tls.ca_bundle, as connectivity and the clock verify); an unusable one is passed
    on as named, so the request fails the way the SDK's would."""
    return verify_file(ctx) or True


def _classify(status: int | None, code: str | None, message: str) -> str:
    return live_outcome(status, code, message)


@datarecord(frozen=True)
class _Raw:
    """A signed HTTP request outside botocore's API models (AMP's and OpenSearch's data planes)."""

    kind: str
    action: str
    resource: str
    service: str
    operation: str
    region: str


def _send(ctx: Context, target: Target, creds: Frozen, raw: _Raw, method: str, url: str, body: bytes,
          headers: dict[str, str]) -> LiveResult:
    parts = urlsplit(url)
    req = AWSRequest(method=method, url=url, data=body, headers={**headers, "User-Agent": "sigdoctor (harmless)"})
    SigV4Auth(Credentials(creds.access_key, creds.secret_key, creds.token), target.signing_name or raw.service,
              raw.region).add_auth(req)
    record(ctx, raw.service, raw.operation, f"{parts.scheme}://{parts.netloc}")
    # botocore's stubs say bool / int; it takes a CA bundle path and a float timeout like its clients do.
    verify: Any = _verify(ctx)
    timeout: Any = ctx.timeout(3.0)
    http = TrustOnceSession(verify=verify, proxies=_proxies(ctx, url), timeout=timeout)
    t_sent = ctx.now()
    try:
        resp = http.send(req.prepare())
    except Exception as e:  # transport failures belong to the network probes; say what happened
        return LiveResult(target.input, raw.kind, raw.action, raw.resource, FAILED, code=type(e).__name__,
                          message=ctx.redactor.text(str(e)), url=url)
    finally:
        http.close()
    record_date(ctx, url, dict(resp.headers), t_sent, ctx.now())
    code, message = _json_error(resp.headers, resp.content)
    return LiveResult(target.input, raw.kind, raw.action, raw.resource, _classify(resp.status_code, code, message),
                      status=resp.status_code, code=code, message=ctx.redactor.text(message), url=url)


def amp_remote_write(ctx: Context, target: Target, creds: Frozen, account: str | None) -> LiveResult:
    workspace = target.fields.get("workspace", "*")
    region = target.region or region_of(ctx)
    raw = _Raw(target.harmless.get("kind", ""), "aps:RemoteWrite",
               f"arn:{target.partition or 'aws'}:aps:{region}:{target.account or account or '*'}:workspace/{workspace}",
               "aps", "RemoteWrite", region)
    url = endpoint_url(ctx, target, "amp")
    if url is None:
        return LiveResult(target.input, raw.kind, raw.action, raw.resource, FAILED, message="no URL for the workspace")
    parts = urlsplit(url)
    # Always the remote_write path: a query URL in --target still proves the workspace and the identity.
    url = urlunsplit((parts.scheme, parts.netloc, f"/workspaces/{workspace}/api/v1/remote_write", "", ""))
    return _send(ctx, target, creds, raw, "POST", url, EMPTY_WRITE_REQUEST, {
        "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})


def es_get_root(ctx: Context, target: Target, creds: Frozen, account: str | None) -> LiveResult:
    domain = target.fields.get("domain", "*")
    region = target.region or region_of(ctx)
    raw = _Raw(target.harmless.get("kind", ""), "es:ESHttpGet",
               f"arn:{target.partition or 'aws'}:es:{region}:{target.account or account or '*'}:domain/{domain}/",
               "es", "ESHttpGet", region)
    if not target.url or not target.host or not target.host.startswith(("search-", "vpc-")):
        return LiveResult(target.input, raw.kind, raw.action, raw.resource, FAILED,
                          message="the domain's endpoint is not known from the target: pass its URL")
    parts = urlsplit(target.url)
    return _send(ctx, target, creds, raw, "GET", urlunsplit((parts.scheme, parts.netloc, "/", "", "")), b"", {})


def _json_error(headers: Any, body: bytes) -> tuple[str | None, str]:
    """AMP and OpenSearch answer `{"message": …}` (or `{"Message": …}`), the error type in `x-amzn-ErrorType`."""
    etype = headers.get("x-amzn-ErrorType") if headers is not None else None
    code = etype.split(":", 1)[0] if etype else None
    try:
        doc = json.loads(body.decode("utf-8", "replace")) if body else {}
    except ValueError:
        return code, body.decode("utf-8", "replace")[:300]
    if not isinstance(doc, dict):
        return code, ""
    return code, str(doc.get("message") or doc.get("Message") or "")


@datarecord(frozen=True)
class _ApiRequest:
    """A harmless request that is one read-only (or empty) API call through botocore."""

    service: str
    operation: str
    action: str
    field: str | None  # the target field the call needs (log group, bucket, stream…)
    resource: str  # resource ARN template ({partition} {region} {account} {name})
    params: Callable[[str], dict[str, Any]]

    def run(self, ctx: Context, target: Target, creds: Frozen, account: str | None) -> LiveResult:
        name = target.fields.get(self.field) if self.field else ""
        region = target.region or region_of(ctx)
        resource = self.resource.format(partition=target.partition or "aws", region=region,
                                        account=target.account or account or "*", name=name or "*")
        kind = target.harmless.get("kind", "")
        if name is None:
            return LiveResult(target.input, kind, self.action, resource, FAILED,
                              message=f"the target names no {self.field.replace('_', ' ') if self.field else ''} "
                                      "(pass its ARN or URL)")
        api = client(ctx, self.service, creds, region)
        method = getattr(api, re.sub(r"(?<!^)(?=[A-Z])", "_", self.operation).lower())
        r = call(ctx, api, self.service, self.operation, method, **self.params(name))
        outcome = ALLOWED if r.ok else _classify(r.status, r.code, r.message)
        return LiveResult(target.input, kind, self.action, resource, outcome, status=r.status, code=r.code,
                          message=ctx.redactor.text(r.message), url=str(api.meta.endpoint_url))


_API: dict[str, _ApiRequest] = {
    "logs-describe-log-streams": _ApiRequest(
        "logs", "DescribeLogStreams", "logs:DescribeLogStreams", "log_group",
        "arn:{partition}:logs:{region}:{account}:log-group:{name}:*", lambda n: {"logGroupName": n, "limit": 1}),
    "s3-list-objects-max-keys-0": _ApiRequest(
        "s3", "ListObjectsV2", "s3:ListBucket", "bucket", "arn:{partition}:s3:::{name}",
        lambda n: {"Bucket": n, "MaxKeys": 0}),
    "xray-put-telemetry-empty": _ApiRequest(
        "xray", "PutTelemetryRecords", "xray:PutTelemetryRecords", None, "*",
        lambda _n: {"TelemetryRecords": []}),
    "firehose-describe-delivery-stream": _ApiRequest(
        "firehose", "DescribeDeliveryStream", "firehose:DescribeDeliveryStream", "delivery_stream",
        "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}",
        lambda n: {"DeliveryStreamName": n, "Limit": 1}),
    "kinesis-describe-stream-summary": _ApiRequest(
        "kinesis", "DescribeStreamSummary", "kinesis:DescribeStreamSummary", "stream",
        "arn:{partition}:kinesis:{region}:{account}:stream/{name}", lambda n: {"StreamName": n}),
}

LIVE: dict[str, Callable[[Context, Target, Frozen, str | None], LiveResult]] = {
    "amp-empty-remote-write": amp_remote_write,
    "es-get-root": es_get_root,
    **{kind: req.run for kind, req in _API.items()},
}


def implemented(kind: str | None) -> bool:
    return kind in LIVE


def run(ctx: Context, target: Target, creds: Frozen, account: str | None) -> LiveResult:
    return LIVE[target.harmless["kind"]](ctx, target, creds, account)
