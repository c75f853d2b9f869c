"""STS as botocore meets it on AWS: moto's WSGI app behind TLS on port 443 of a "public" address, which the world's
DNS maps `sts.amazonaws.com` and `sts.<region>.amazonaws.com` to.

`setup` is a list of `[service, operation, params]` calls made against the fake before the command runs (e.g. IAM
roles and OIDC providers), signed with moto's default test keys.
`faults` maps an STS Action to an error code; a matching request gets AWS's XML error instead of moto's answer
(moto accepts any web identity token, so this is how a scenario makes STS reject one).
`canary` = {"SecretAccessKey": …, "SessionToken": …}: every credential STS hands out carries these values instead of
moto's (whose session tokens have a well-known prefix a pattern catches; a canary is caught only by structure or
by being learned).
"""

from __future__ import annotations

import io
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import make_server

from tests.world.servers.base import Running, ServerContext

# (HTTP status, message) per error code, with AWS's own wording.
ERRORS: dict[str, tuple[int, str]] = {
    "InvalidIdentityToken": (400, "No OpenIDConnect provider found in your account for "
                                  "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"),
    "ExpiredTokenException": (400, "Token expired: current date/time 1764215000 must be before the expiration "
                                   "date/time 1764211400"),
    "AccessDenied": (403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
    "InvalidClientTokenId": (403, "The security token included in the request is invalid."),
    "SignatureDoesNotMatch": (403, "The request signature we calculated does not match the signature you provided. "
                                   "Check your AWS Secret Access Key and signing method. Consult the service "
                                   "documentation for details."),
    "ExpiredToken": (400, "The security token included in the request is expired"),
    "RegionDisabledException": (403, "STS is not activated in this region for account:123456789012. Your account "
                                     "administrator can activate STS in this region using the IAM Console."),
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _canaried(app: WsgiApp, canary: dict[str, str]) -> WsgiApp:
    import re

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda _data: None

        body = b"".join(app(environ, capture)).decode("utf-8", "replace")
        for tag, value in canary.items():
            body = re.sub(f"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", body)
        data = body.encode()
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        start_response(seen["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]

    return wrapped


def _faulting(app: WsgiApp, faults: dict[str, str], log: list[dict[str, Any]],
              delays: dict[str, float] | None = None) -> WsgiApp:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        action = (params.get("Action") or [""])[0]
        # `at`: when the request arrived, `answered`: when its answer was about to go out (monotonic seconds).
        entry = {"host": environ.get("HTTP_HOST", ""), "action": action,
                 "signed": "HTTP_AUTHORIZATION" in environ, "at": time.monotonic()}
        log.append(entry)
        if (delays or {}).get(action):
            time.sleep(float((delays or {})[action]))  # a slow answer (a loaded or far-away STS)
        entry["answered"] = time.monotonic()
        code = faults.get(action)
        if code is None:
            return app(environ, start_response)
        status, message = ERRORS.get(code, (400, code))
        xml = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
               f"<Code>{code}</Code><Message>{message}</Message></Error>"
               "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>").encode()
        start_response(f"{status} Error", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
        return [xml]

    return wrapped


class _Sts(Running):
    def __init__(self, spec: dict[str, Any], ctx: ServerContext) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.ctx = ctx
        self.log: list[dict[str, Any]] = []
        self.region = spec.get("region", "us-east-1")
        app: WsgiApp = DomainDispatcherApplication(create_backend_app)
        if spec.get("canary"):
            app = _canaried(app, spec["canary"])
        app = _faulting(app, spec.get("faults", {}), self.log, spec.get("delays", {}))
        ssl_ctx = ctx.tls.server_context() if spec.get("tls", True) else None
        port = int(spec.get("port", 443 if ssl_ctx else 80))
        self.server = make_server(spec["address"], port, app, threaded=True, ssl_context=ssl_ctx)
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-sts", daemon=True)
        self.thread.start()
        self.setup_results: list[str] = []
        for service, operation, params in spec.get("setup", []):
            self._call(ssl_ctx is not None, service, operation, params)

    def _call(self, tls: bool, service: str, operation: str, params: dict[str, Any]) -> None:
        import boto3

        # The service's real name, resolved by the world's DNS to this fake (certificates name hosts, not IPs).
        verify: str | bool = str(self.ctx.tls.ca_pem) if tls else False
        client = boto3.client(  # type: ignore[call-overload]
            service, region_name=self.region, verify=verify, aws_access_key_id="testing",
            aws_secret_access_key="testing")
        getattr(client, operation)(**params)
        self.setup_results.append(f"{service}.{operation}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.ctx.issued_secrets.extend(_moto_issued_secrets())

    def report(self) -> dict[str, Any]:
        return {"requests": self.log, "setup": self.setup_results}


def _moto_issued_secrets() -> list[str]:
    """Secret keys and session tokens moto handed out, so the test can check the tool never prints them."""
    from moto.sts.models import sts_backends

    out: list[str] = []
    for account in list(sts_backends.keys()):
        for region in list(sts_backends[account].keys()):
            for role in getattr(sts_backends[account][region], "assumed_roles", []):
                out += [role.secret_access_key, role.session_token]
    return out


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    return _Sts(spec, ctx)
