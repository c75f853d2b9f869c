"""The `iam-role` source: the instance metadata service (IMDSv2 token, then the role and its credentials).

Every step is one request with botocore's metadata_service_timeout (1 s unless configured; at most 5 s here, so the
four steps fit the probe's budget) and no retry, so a silent address costs about a second. The token
PUT is timed: when TCP connects but the PUT never answers, the reply was dropped on the way back — the signature
of `HttpPutResponseHopLimit = 1` seen from a container.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.creds.files import AwsFiles
from sigdoctor.creds.model import SourceDiag
from sigdoctor.records import datarecord
from sigdoctor.redact import mask_key_id

DEFAULT_V4 = "http://169.254.169.254/"
DEFAULT_V6 = "http://[fd00:ec2::254]/"
ROLE_PATH = "latest/meta-data/iam/security-credentials/"
TOKEN_PATH = "latest/api/token"


def _truthy(value: object) -> bool:
    return str(value).strip().lower() == "true"


@datarecord
class ImdsConfig:
    disabled: bool
    base_url: str
    endpoint_from: str
    v1_disabled: bool
    v1_disabled_from: str | None = None
    expected_why: list[str] = field(default_factory=list)
    # botocore's metadata_service_timeout (AWS_METADATA_SERVICE_TIMEOUT): how long each request may wait.
    timeout_s: float = 1.0


def _setting(ctx: Context, files: AwsFiles, var: str, key: str) -> tuple[str | None, str | None]:
    if ctx.env.get(var):
        return ctx.env[var], var
    value = files.config_profile(files.profile).get(key)
    return (str(value), f"profile {files.profile} {key}") if value is not None else (None, None)


def ec2_hints(ctx: Context) -> list[str]:
    """Why this host looks like an EC2 instance (DMI / hypervisor identifiers), or nothing."""
    hints: list[str] = []

    def read(p: str) -> str:
        try:
            return boundedio.read_text(ctx.path(p), boundedio.SMALL_LIMIT, errors="replace").strip()
        except OSError:
            return ""

    if read("/sys/devices/virtual/dmi/id/sys_vendor") == "Amazon EC2":
        hints.append("DMI sys_vendor is 'Amazon EC2'")
    if read("/sys/devices/virtual/dmi/id/board_asset_tag").startswith("i-"):
        hints.append("DMI board_asset_tag is an instance id")
    if read("/sys/devices/virtual/dmi/id/product_uuid").lower().startswith("ec2"):
        hints.append("DMI product_uuid starts with ec2")
    if read("/sys/hypervisor/uuid").lower().startswith("ec2"):
        hints.append("hypervisor uuid starts with ec2")
    return hints


def container_hints(ctx: Context) -> list[str]:
    hints: list[str] = []
    if ctx.path("/.dockerenv").exists():
        hints.append("/.dockerenv exists")
    try:
        cgroup = boundedio.read_text(ctx.path("/proc/1/cgroup"), boundedio.SMALL_LIMIT, errors="replace")
    except OSError:
        cgroup = ""
    for word in ("kubepods", "docker", "containerd", "ecs"):
        if word in cgroup:
            hints.append(f"/proc/1/cgroup mentions {word}")
            break
    if ctx.env.get("KUBERNETES_SERVICE_HOST"):
        hints.append("KUBERNETES_SERVICE_HOST is set")
    return hints


_MAX_TIMEOUT_S = 5.0


def _timeout(value: str | None) -> float:
    """botocore's metadata_service_timeout: seconds, default 1 (a value it cannot read counts as the default)."""
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        return 1.0
    return min(seconds, _MAX_TIMEOUT_S) if seconds > 0 else 1.0


def configure(ctx: Context, files: AwsFiles) -> ImdsConfig:
    disabled = _truthy(ctx.env.get("AWS_EC2_METADATA_DISABLED", "false"))
    endpoint, endpoint_from = _setting(ctx, files, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
    mode, _ = _setting(ctx, files, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
    use_v6, _ = _setting(ctx, files, "AWS_IMDS_USE_IPV6", "imds_use_ipv6")
    v1_off, v1_from = _setting(ctx, files, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
    if endpoint:
        base, origin = endpoint, endpoint_from or ""
    elif (mode or "").lower() == "ipv6" or (mode is None and _truthy(use_v6)):
        base, origin = DEFAULT_V6, "endpoint mode IPv6"
    else:
        base, origin = DEFAULT_V4, "default"
    cfg = ImdsConfig(disabled, base, origin, _truthy(v1_off), v1_from if _truthy(v1_off) else None)
    cfg.timeout_s = _timeout(_setting(ctx, files, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")[0])
    cfg.expected_why = ec2_hints(ctx)
    if endpoint:
        cfg.expected_why.append(f"{endpoint_from} is set")
    profile = files.merged_profiles().get(files.profile, {})
    if str(profile.get("credential_source", "")).lower() == "ec2instancemetadata":
        cfg.expected_why.append(f"profile {files.profile} has credential_source = Ec2InstanceMetadata")
    return cfg


@datarecord
class ImdsProbe:
    checked: bool
    reason: str = ""
    tcp: str | None = None  # open | refused | timeout | unreachable
    tcp_error: str | None = None
    put: str | None = None  # token | timeout | refused | http NNN | error
    put_ms: int | None = None
    get_v1: str | None = None  # ok | http NNN | timeout | error | None when not tried
    roles_status: int | None = None
    roles: list[str] = field(default_factory=list)
    creds_error: str | None = None
    creds_code: str | None = None
    key_id: str | None = None
    expiration: str | None = None
    via: str | None = None  # IMDSv2 | IMDSv1
    # The survey was stopped before IMDS answered, because its answer could not change the diagnosis (`reason`).
    not_needed: bool = False

    @property
    def answered(self) -> bool:
        return self.tcp == "open" and (self.put == "token" or self.roles_status is not None)


class _Http:
    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or ""
        self.port = parts.port or 80
        self.prefix = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.timeout = timeout

    def tcp(self) -> tuple[str, str | None]:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout):
                return "open", None
        except ConnectionRefusedError:
            return "refused", f"connection refused by {self.host}:{self.port}"
        except TimeoutError:
            return "timeout", f"no TCP answer from {self.host}:{self.port} within {self.timeout:.1f}s"
        except OSError as e:
            return "unreachable", f"{self.host}:{self.port} unreachable: {e.strerror or e}"

    def request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, self.prefix + path, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read(65536)
        finally:
            conn.close()


def _outcome(e: BaseException) -> str:
    if isinstance(e, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    return "error"


def probe(ctx: Context, cfg: ImdsConfig, on_tcp_answer: Callable[[], None] | None = None) -> ImdsProbe:
    """`on_tcp_answer` is called once the TCP connect has an answer (open, refused, unreachable): until then the
    endpoint is silent, and a caller may stop waiting for it (`not_needed`)."""
    if cfg.disabled:
        return ImdsProbe(False, "AWS_EC2_METADATA_DISABLED=true")
    if ctx.offline:
        return ImdsProbe(False, "not checked (--offline)")
    web = _Http(cfg.base_url, ctx.timeout(cfg.timeout_s))
    out = ImdsProbe(True)
    out.tcp, out.tcp_error = web.tcp()
    if on_tcp_answer is not None and out.tcp != "timeout":
        on_tcp_answer()
    if out.tcp != "open":
        return out
    token: str | None = None
    started = time.monotonic()
    try:
        status, body = web.request("PUT", TOKEN_PATH, {"x-aws-ec2-metadata-token-ttl-seconds": "21600"})
        out.put = "token" if status == 200 else f"http {status}"
        if status == 200:
            token = body.decode("utf-8", "replace")
            ctx.redactor.add_secret(token)
    except (OSError, http.client.HTTPException) as e:
        out.put = _outcome(e)
    out.put_ms = int((time.monotonic() - started) * 1000)

    headers = {"x-aws-ec2-metadata-token": token} if token else {}
    try:
        status, body = web.request("GET", ROLE_PATH, headers)
    except (OSError, http.client.HTTPException) as e:
        out.creds_error = f"role list request failed ({_outcome(e)})"
        if not token:
            out.get_v1 = _outcome(e)
        return out
    out.roles_status = status
    if not token:
        out.get_v1 = "ok" if status == 200 else f"http {status}"
        if cfg.v1_disabled:
            # botocore would not have sent this tokenless GET; we did only to tell the user whether v1 works.
            return out
    out.roles = [r for r in body.decode("utf-8", "replace").split("\n") if r.strip()] if status == 200 else []
    if not out.roles:
        return out
    try:
        status, body = web.request("GET", ROLE_PATH + out.roles[0], headers)
    except (OSError, http.client.HTTPException) as e:
        out.creds_error = f"credentials request failed ({_outcome(e)})"
        return out
    _judge_creds(ctx, out, status, body)
    if out.key_id:
        out.via = "IMDSv2" if token else "IMDSv1"
    return out


def _judge_creds(ctx: Context, out: ImdsProbe, status: int, body: bytes) -> None:
    if status != 200:
        out.creds_error = f"HTTP {status} for the role's credentials"
        return
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        out.creds_error = "the role's credentials are not JSON"
        return
    if not isinstance(data, dict):
        out.creds_error = "the role's credentials are not a JSON object"
        return
    ctx.redactor.add_secret(str(data.get("SecretAccessKey") or ""))
    ctx.redactor.add_secret(str(data.get("Token") or ""))
    out.creds_code = str(data.get("Code")) if "Code" in data else None
    missing = [k for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration") if k not in data]
    if missing:
        msg = str(data.get("Message", ""))[:200]
        out.creds_error = f"credentials JSON lacks {', '.join(missing)}" + (
            f" (Code {out.creds_code}: {msg})" if msg else ""
        )
        return
    out.key_id = mask_key_id(str(data["AccessKeyId"]))
    out.expiration = str(data["Expiration"])


def source(cfg: ImdsConfig, result: ImdsProbe) -> SourceDiag:
    loc = f"{cfg.base_url} ({cfg.endpoint_from})"
    if cfg.disabled:
        return SourceDiag(False, "disabled by AWS_EC2_METADATA_DISABLED=true", loc, usable=False)
    if result.not_needed:
        # Silent so far and not needed: configured only where this host looks like EC2 (as when it stays silent).
        return SourceDiag(bool(cfg.expected_why), result.reason, loc, usable=None)
    if not result.checked:
        return SourceDiag(True, result.reason, loc, usable=None)
    if result.tcp != "open":
        not_ec2 = "" if cfg.expected_why else " (not EC2?)"
        return SourceDiag(
            bool(cfg.expected_why),
            f"no instance metadata service answered{not_ec2}: {result.tcp_error}",
            loc,
            usable=False,
        )
    parts = [f"token PUT: {result.put} after {result.put_ms} ms"]
    if result.get_v1:
        parts.append(f"IMDSv1 GET: {result.get_v1}")
    if result.roles:
        parts.append(f"role {result.roles[0]}")
    elif result.roles_status is not None:
        parts.append(f"no IAM role attached (role list HTTP {result.roles_status})")
    if result.key_id:
        parts.append(f"{result.key_id} via {result.via}, expires {result.expiration}")
    if result.creds_error:
        parts.append(result.creds_error)
    return SourceDiag(True, "; ".join(parts), loc, usable=bool(result.key_id))
