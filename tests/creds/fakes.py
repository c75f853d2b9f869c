"""Small loopback servers for the credentials tests: IMDS, a container credential endpoint, and an STS that only
says no (moto says yes to everything)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def role_credentials(key_id: str = "ASIAFAKEIMDS0000WXYZ", expires_in: float = 3600) -> dict[str, Any]:
    return {
        "Code": "Success",
        "LastUpdated": iso(time.time()),
        "Type": "AWS-HMAC",
        "AccessKeyId": key_id,
        "SecretAccessKey": "fakeSecretFromServer0123456789abcdefghij",
        "Token": "fakeSessionTokenFromServer" + "x" * 40,
        "Expiration": iso(time.time() + expires_in),
    }


def make_jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'test'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


class _Server:
    """A threaded HTTP server on 127.0.0.1 with an OS-chosen port; `stop()` releases any handler still waiting."""

    def __init__(self, handle: Callable[[BaseHTTPRequestHandler, str], None]) -> None:
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                handle(self, "GET")

            def do_PUT(self) -> None:
                handle(self, "PUT")

            def do_POST(self) -> None:
                handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self._outer = outer

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _Served:
    """start / url / stop of a fake served by `_Server`; subclasses provide `server` and `_handle`."""

    server: _Server | None

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self.server = _Server(self._handle)
        return self

    @property
    def url(self) -> str:
        assert self.server
        return self.server.url

    def stop(self) -> None:
        if self.server:
            self.server.stop()


def _send(h: BaseHTTPRequestHandler, status: int, body: str | bytes, headers: dict[str, str] | None = None) -> None:
    data = body.encode() if isinstance(body, str) else body
    h.send_response(status)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


@dataclass
class FakeImds(_Served):
    """IMDS as EC2 serves it. `hop_limit` drops the token response (the PUT never answers), `v1` allows tokenless
    GETs, `role` None means no instance profile."""

    role: str | None = "agent-role"
    hop_limit: bool = False
    v1: bool = True
    creds: dict[str, Any] = field(default_factory=role_credentials)
    token: str = "fake-imds-token-0123456789"
    server: _Server | None = None

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        assert self.server
        if method == "PUT" and h.path == "/latest/api/token":
            if self.hop_limit:
                self.server.release.wait(10)
                return
            if "x-aws-ec2-metadata-token-ttl-seconds" not in h.headers:
                _send(h, 400, "missing ttl")
                return
            _send(h, 200, self.token, {"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
            return
        sent = h.headers.get("x-aws-ec2-metadata-token")
        if sent is None and not self.v1:
            _send(h, 401, "")
            return
        if sent is not None and sent != self.token:
            _send(h, 401, "")
            return
        base = "/latest/meta-data/iam/security-credentials/"
        if h.path == base:
            if self.role is None:
                _send(h, 404, "<html>404 - Not Found</html>")
            else:
                _send(h, 200, self.role)
            return
        if self.role and h.path == base + self.role:
            _send(h, 200, json.dumps(self.creds))
            return
        _send(h, 404, "")


@dataclass
class FakeContainer(_Served):
    """An ECS / Pod Identity style endpoint on /creds; `token` None accepts any caller."""

    token: str | None = None
    status: int = 200
    body: str | None = None
    creds: dict[str, Any] = field(default_factory=lambda: role_credentials("ASIAFAKECONTAINER0XY"))
    server: _Server | None = None

    @property
    def url(self) -> str:
        assert self.server
        return self.server.url + "/creds"

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.token is not None and h.headers.get("Authorization") != self.token:
            _send(h, 401, json.dumps({"message": "unauthorized"}))
            return
        if self.status != 200 or self.body is not None:
            _send(h, self.status, self.body or "")
            return
        _send(h, 200, json.dumps(self.creds), {"Content-Type": "application/json"})


@dataclass
class RejectingSts(_Served):
    """Answers every STS call with one error, as STS's query protocol does."""

    code: str = "InvalidIdentityToken"
    message: str = "No OpenIDConnect provider found in your account for https://oidc.example/id/ABC"
    status: int = 400
    server: _Server | None = None
    calls: list[str] = field(default_factory=list)

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length).decode()
        self.calls.append(body.split("Action=")[1].split("&")[0] if "Action=" in body else "?")
        xml = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{self.code}</Code><Message>{self.message}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )
        _send(h, self.status, xml, {"Content-Type": "text/xml"})
