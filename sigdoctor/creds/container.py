"""The `container-role` source: ECS task role (relative URI) and EKS Pod Identity / custom endpoints (full URI)."""

from __future__ import annotations

import http.client
import ipaddress
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from sigdoctor.context import Context
from sigdoctor.creds.model import SourceDiag
from sigdoctor.creds.web_identity import read_token
from sigdoctor.records import datarecord
from sigdoctor.redact import mask_key_id

RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
ECS_HOST = "169.254.170.2"
POD_IDENTITY_HOSTS = ("169.254.170.23", "fd00:ec2::23")
# botocore.utils.ContainerMetadataFetcher._ALLOWED_HOSTS (plus any loopback address and any https URL).
ALLOWED_HOSTS = (ECS_HOST, *POD_IDENTITY_HOSTS, "localhost")


@datarecord
class ContainerConfig:
    configured: bool
    uri: str | None = None
    uri_from: str | None = None
    kind: str = ""
    uri_problem: str | None = None
    token_from: str | None = None
    token: str | None = None
    token_problem: str | None = None


@datarecord
class ContainerFetch:
    checked: bool
    reason: str = ""
    ok: bool = False
    status: int | None = None
    error: str | None = None
    error_kind: str | None = None  # refused | timeout | unreachable | http | auth | json | fields
    key_id: str | None = None
    expiration: str | None = None
    elapsed_ms: int | None = None


def uri_problem(uri: str) -> str | None:
    """Why botocore would refuse this full URI (it accepts https, loopback and a few link-local hosts)."""
    parts = urlsplit(uri)
    if parts.scheme == "https":
        return None
    if parts.scheme != "http":
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    host = parts.hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    if host in ALLOWED_HOSTS:
        return None
    return f"botocore refuses plain http to {host!r}: only https, loopback or {', '.join(ALLOWED_HOSTS)} are allowed"


def configure(ctx: Context) -> ContainerConfig:
    env = ctx.env
    if RELATIVE in env:
        # botocore prefers the relative URI when both are set.
        cfg = ContainerConfig(True, f"http://{ECS_HOST}{env[RELATIVE]}", RELATIVE, "ECS task role")
    elif FULL in env:
        uri = env[FULL]
        host = urlsplit(uri).hostname or ""
        kind = "EKS Pod Identity" if host in POD_IDENTITY_HOSTS else "custom endpoint"
        cfg = ContainerConfig(True, uri, FULL, kind, uri_problem=uri_problem(uri))
    else:
        return ContainerConfig(False)
    if TOKEN_FILE in env:
        cfg.token_from = TOKEN_FILE
        cfg.token, cfg.token_problem = read_token(ctx, env[TOKEN_FILE])
    elif TOKEN in env:
        cfg.token_from = TOKEN
        cfg.token = env[TOKEN]
        ctx.redactor.add_secret(cfg.token)
        if not cfg.token.strip():
            cfg.token_problem = f"{TOKEN} is empty"
    if cfg.token and ("\r" in cfg.token or "\n" in cfg.token):
        cfg.token_problem = f"the token from {cfg.token_from} contains a newline (botocore refuses it as a header)"
    elif cfg.token_from is None and cfg.kind == "EKS Pod Identity":
        cfg.token_problem = f"{TOKEN_FILE} is not set: the Pod Identity agent requires its token"
    return cfg


def source(cfg: ContainerConfig) -> SourceDiag:
    if not cfg.configured:
        return SourceDiag(False, f"{RELATIVE} and {FULL} not set", usable=False)
    parts = [f"{cfg.kind} {cfg.uri} ({cfg.uri_from})"]
    if cfg.token_from:
        parts.append(f"token from {cfg.token_from}")
    for p in (cfg.uri_problem, cfg.token_problem):
        if p:
            parts.append(p)
    usable = None if not (cfg.uri_problem or cfg.token_problem) else False
    return SourceDiag(True, "; ".join(parts), location=cfg.uri_from or "", usable=usable)


def fetch(ctx: Context, cfg: ContainerConfig) -> ContainerFetch:
    """One GET to the credential endpoint, with our timeout and no retries (botocore retries 3x with 2s)."""
    if not cfg.configured or not cfg.uri:
        return ContainerFetch(False, "not configured")
    if ctx.offline:
        return ContainerFetch(False, "not checked (--offline)")
    if cfg.uri_problem:
        return ContainerFetch(False, "not contacted: " + cfg.uri_problem)
    parts = urlsplit(cfg.uri)
    host = parts.hostname or ""
    timeout = ctx.timeout(2.0)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"Accept": "application/json"}
    if cfg.token and not cfg.token_problem:
        headers["Authorization"] = cfg.token
    out = ContainerFetch(True)
    started = time.monotonic()
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read(65536)
        out.status = resp.status
    except ConnectionRefusedError:
        out.error_kind, out.error = "refused", f"connection refused by {host}:{parts.port or 80}"
        return out
    except TimeoutError:
        out.error_kind, out.error = "timeout", f"no answer from {host} within {timeout:.1f}s"
        return out
    except ssl.SSLError as e:
        out.error_kind, out.error = "unreachable", f"TLS to {host} failed: {e.reason or e}"
        return out
    except OSError as e:
        out.error_kind, out.error = "unreachable", f"{host} unreachable: {e.strerror or e}"
        return out
    finally:
        out.elapsed_ms = int((time.monotonic() - started) * 1000)
        conn.close()
    return _judge_body(ctx, out, cfg, body)


def _judge_body(ctx: Context, out: ContainerFetch, cfg: ContainerConfig, body: bytes) -> ContainerFetch:
    if out.status in (401, 403):
        why = (
            "no authorization token was sent" if not cfg.token_from else f"the token from {cfg.token_from} was refused"
        )
        out.error_kind, out.error = "auth", f"HTTP {out.status}: {why}"
        return out
    if out.status != 200:
        out.error_kind, out.error = "http", f"HTTP {out.status} from the credential endpoint"
        return out
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        out.error_kind, out.error = "json", "the endpoint answered 200 but not with JSON"
        return out
    if not isinstance(data, dict):
        out.error_kind, out.error = "json", "the endpoint answered 200 but not with a JSON object"
        return out
    ctx.redactor.add_secret(str(data.get("SecretAccessKey") or ""))
    ctx.redactor.add_secret(str(data.get("Token") or ""))
    missing = [k for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration") if k not in data]
    if missing:
        out.error_kind, out.error = "fields", "the credentials JSON lacks " + ", ".join(missing)
        return out
    out.ok = True
    out.key_id = mask_key_id(str(data["AccessKeyId"]))
    out.expiration = str(data["Expiration"])
    return out
