"""A fake AWS front end whose `Date` header is `offset` seconds off our clock: answers every request like an
unsigned call to AWS (403, an AWS error body, x-amzn-RequestId).

    ca = trustme.CA()
    with DateServer(offset=-400, tls=ca) as srv:          # https://127.0.0.1:PORT/ (cert for 127.0.0.1, localhost)
        ctx.env["AWS_CA_BUNDLE"] = path_of(ca)             # see ca.cert_pem.write_to_path
        ctx.targets = [srv.url]

mode: "ok", "silent" (accept TCP and never say a word, not even the TLS handshake), "no-date" (no Date header).
Safe to start and stop from any thread.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import trustme

from tests.fakes.tls_accept import HandshakeInThread

_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
         b"<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>"
         b"</Error><RequestId>5c3b9a4e-0000-4000-8000-000000000000</RequestId></ErrorResponse>")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

    def do_GET(self) -> None:
        self.server.requests += 1
        self.send_response(403)
        self.send_header("x-amzn-RequestId", "5c3b9a4e-0000-4000-8000-000000000000")
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(_BODY)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(_BODY)

    do_POST = do_GET

    def send_response(self, code: int, message: str | None = None) -> None:
        # BaseHTTPRequestHandler adds Date itself: replace its clock with ours + offset.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", "fake-aws")
        if self.server.mode != "no-date":
            self.send_header("Date", formatdate(time.time() + self.server.offset, usegmt=True))

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(HandshakeInThread, ThreadingHTTPServer):
    daemon_threads = True
    offset: float = 0.0
    mode: str = "ok"
    requests: int = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-handshake is normal here


class DateServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, offset: float = 0.0,
                 tls: trustme.CA | None = None, mode: str = "ok", names: tuple[str, ...] = ("127.0.0.1", "localhost"),
                 ) -> None:
        if mode not in ("ok", "silent", "no-date"):
            raise ValueError(mode)
        self.mode, self.offset, self.host = mode, offset, host
        self.scheme = "https" if tls is not None else "http"
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._httpd: _Server | None = None
        self._listener: socket.socket | None = None
        if mode == "silent":
            self._listener = socket.create_server((host, port))
            self._listener.settimeout(0.1)
            self.port = self._listener.getsockname()[1]
            self._thread = threading.Thread(target=self._hold, name=f"fake-silent-{self.port}", daemon=True)
            return
        httpd = _Server((host, port), _Handler)
        httpd.offset, httpd.mode = offset, mode
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.issue_cert(*names).configure_cert(context)
            httpd.tls_context = context
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"fake-date-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/"

    @property
    def requests(self) -> int:
        return self._httpd.requests if self._httpd else len(self._held)

    def _hold(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)

    def start(self) -> DateServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            if self._thread.is_alive():
                self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        for conn in self._held:
            conn.close()

    def __enter__(self) -> DateServer:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
