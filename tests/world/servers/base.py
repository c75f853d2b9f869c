"""What every fake server of the world shares: a threaded HTTP server that can be stopped even while a handler hangs.

Each fake module exposes `start(spec: dict, ctx: ServerContext) -> Running`. `Running.report()` returns what the
fake saw (paths and methods, never header values: those can be tokens), so a test can assert what the tool asked.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class ServerContext:
    """What inside.py hands to a fake: the world's scratch directory and the TLS material, if any."""

    world_dir: Path
    tls: Any = None  # tests.world.tls.Tls, created on demand
    # Secrets minted inside the world (e.g. by moto) that the test cannot know in advance.
    issued_secrets: list[str] = field(default_factory=list)


class Running:
    """A started fake. `stop()` must be idempotent and must not block on hanging handlers."""

    def stop(self) -> None:
        raise NotImplementedError

    def report(self) -> dict[str, Any]:
        return {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class HttpFake(Running):
    """A ThreadingHTTPServer in a thread; `handle(req)` is the fake's logic.

    `release` is set on stop so a handler that simulates a hang (hop limit, stuck endpoint) returns promptly.
    """

    def __init__(self, address: str, port: int, handle: Callable[[Request], None], name: str) -> None:
        self.name = name
        self.release = threading.Event()
        self.log: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

            def log_message(self, format: str, *args: Any) -> None:  # quiet: stderr belongs to the test
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(self, body, fake)
                fake.log.append({"method": self.command, "path": self.path,
                                 "headers": sorted(k.lower() for k in self.headers)})
                handle(req)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self.server = (_Server6 if ":" in address else _Server)((address, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"fake-{name}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def report(self) -> dict[str, Any]:
        return {"requests": self.log}


class Request:
    """The bits of an HTTP request a fake needs, plus reply helpers."""

    def __init__(self, h: BaseHTTPRequestHandler, body: bytes, fake: HttpFake) -> None:
        self.h = h
        self.method = h.command
        self.path = h.path.split("?", 1)[0]
        self.headers = h.headers
        self.body = body
        self.fake = fake

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def reply(self, status: int, body: str | bytes = b"", ctype: str = "text/plain",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.h.send_response(status)
        self.h.send_header("Content-Type", ctype)
        self.h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.h.send_header(k, v)
        self.h.end_headers()
        if self.method != "HEAD":
            self.h.wfile.write(data)

    def json(self, status: int, obj: Any) -> None:
        self.reply(status, json.dumps(obj), "application/json")

    def endless(self, status: int = 200, ctype: str = "application/json") -> None:
        """An answer that never ends: a JSON-looking body streamed until the client hangs up or the world stops."""
        self.h.send_response(status)
        self.h.send_header("Content-Type", ctype)
        self.h.end_headers()
        chunk = b'{"AccessKeyId": "' + b"A" * 65536
        try:
            while not self.fake.release.is_set():
                self.h.wfile.write(chunk)
        except OSError:
            pass
        self.h.close_connection = True

    def hang(self) -> None:
        """Accept the request at TCP level and never answer (until the world stops)."""
        self.fake.release.wait()
        self.h.close_connection = True
