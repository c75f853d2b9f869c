"""An HTTPS server that answers like an AWS API front end, with certificates from test CAs.

    pki = Pki()                                          # CAs: amazon (O=Amazon), corp (O=Corp Proxy), other
    cert = pki.leaf("sts.us-east-1.amazonaws.com")       # issued by the "Amazon" test CA
    with TlsEndpoint(cert) as ep:                        # https://127.0.0.1:ep.port/
        env["AWS_CA_BUNDLE"] = str(pki.bundle(tmp_path, "amazon"))
        ...

`pki.leaf(name, ca="corp")` gives an interceptor's certificate, `expired=True` one past its validity.
mode: "aws" (403 with x-amzn-RequestId and an AWS XML error body), "block" (a proxy's HTML block page, no AWS
marks), "silent-http" (TLS completes, the HTTP request is never answered).
Start and stop from any thread; every connection is closed on stop.
"""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme

from tests.fakes.tls_accept import HandshakeInThread

REQUEST_ID = "0d4b6a3e-1111-4222-8333-444455556666"
AWS_BODY = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            b"<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>"
            b"</Error><RequestId>" + REQUEST_ID.encode() + b"</RequestId></ErrorResponse>")
BLOCK_BODY = (b"<html><head><title>Access Denied</title></head><body><h1>Blocked by Corporate Web Filter</h1>"
              b"<p>Category: Uncategorized</p></body></html>")


class Pki:
    """Test CAs named like the issuers the probe tells apart."""

    def __init__(self) -> None:
        self.cas = {
            "amazon": trustme.CA(organization_name="Amazon"),
            "corp": trustme.CA(organization_name="Corp Proxy"),
            "other": trustme.CA(organization_name="Somebody Else"),
        }

    def leaf(self, *names: str, ca: str = "amazon", expired: bool = False) -> trustme.LeafCert:
        if expired:
            now = datetime.datetime.now(datetime.UTC)
            return self.cas[ca].issue_cert(*names, not_before=now - datetime.timedelta(days=30),
                                           not_after=now - datetime.timedelta(days=1))
        return self.cas[ca].issue_cert(*names)

    def bundle(self, directory: Path, *cas: str) -> Path:
        """A PEM bundle holding the named CAs (what AWS_CA_BUNDLE would point to)."""
        path = directory / f"bundle-{'-'.join(cas)}.pem"
        path.write_bytes(b"".join(self.cas[c].cert_pem.bytes() for c in cas))
        return path


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.server.mode == "silent-http":
            self.server.stopped.wait(10)
            return
        aws = self.server.mode == "aws"
        body = AWS_BODY if aws else BLOCK_BODY
        self.send_response_only(403, "Forbidden")
        self.send_header("Date", formatdate(time.time(), usegmt=True))
        if aws:
            self.send_header("x-amzn-RequestId", REQUEST_ID)
            self.send_header("Content-Type", "text/xml")
        else:
            self.send_header("Server", "CorpFilter/2.1")
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(HandshakeInThread, ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext, mode: str) -> None:
        self.tls_context = context
        self.mode = mode
        self.requests: list[str] = []
        self.stopped = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class TlsEndpoint:
    def __init__(self, cert: trustme.LeafCert, host: str = "127.0.0.1", port: int = 0, mode: str = "aws") -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        self._server = _Server((host, port), context, mode)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def requests(self) -> list[str]:
        return list(self._server.requests)

    def start(self) -> TlsEndpoint:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-tls-endpoint", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> TlsEndpoint:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
