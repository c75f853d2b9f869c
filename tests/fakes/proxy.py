"""A forward proxy that speaks CONNECT, built on the standard library.

    with ForwardProxy(routes={"sts.us-east-1.amazonaws.com:443": ("127.0.0.1", tls_port)}) as p:
        env["HTTPS_PROXY"] = p.url                        # http://127.0.0.1:PORT
        ...
        p.connects                                        # ["sts.us-east-1.amazonaws.com:443", ...]

mode: "pass" (tunnel to the routed address; an authority without a route gets 502 — nothing leaves the machine
unless `resolve=True` lets the proxy resolve names itself, for the namespace world), "refuse" (403 to every
CONNECT), "auth" (407 Proxy Authentication Required), "silent" (accepts, never answers), "dead" (nothing listens on
the port: connections are refused), "rewrite" (also forwards plain-HTTP requests — `GET http://host/path` — to the
routed address, after applying `rewrite`: header name -> new value, or None to drop it; what a header-injecting
corporate proxy or a mesh sidecar does to a signed request. CONNECT tunnels pass untouched unless `mitm` is a
trustme CA: then the proxy terminates TLS with a certificate from that CA for the requested name, rewrites the request
inside and sends it on over TLS — a TLS-intercepting corporate proxy).
Start and stop from any thread; every tunnel and connection is closed on stop.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


class ForwardProxy:
    def __init__(self, mode: str = "pass", routes: dict[str, tuple[str, int]] | None = None, host: str = "127.0.0.1",
                 port: int = 0, resolve: bool = False, rewrite: dict[str, str | None] | None = None,
                 mitm: Any = None) -> None:
        self.mode = mode
        self.rewrite = {k.lower(): v for k, v in (rewrite or {}).items()}
        self.mitm = mitm  # a trustme.CA, or None
        self.forwarded: list[str] = []  # request lines of plain-HTTP requests forwarded (rewrite mode)
        self.routes = dict(routes or {})
        self.resolve = resolve
        self.connects: list[str] = []
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener: socket.socket | None = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self.host, self.port = host, int(self._listener.getsockname()[1])
        if mode == "dead":
            # Keep the port number, free the port: connecting to it is refused.
            self._listener.close()
            self._listener = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ForwardProxy:
        if self._listener is not None:
            self._listener.listen(64)
            self._listener.settimeout(0.1)
            self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for s in self._socks:
                with contextlib.suppress(OSError):
                    s.close()
        for t in list(self._threads):
            t.join(5)

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, target: object, *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True, name="fake-proxy")  # type: ignore[arg-type]
        self._threads.append(t)
        t.start()

    def _track(self, s: socket.socket) -> socket.socket:
        with self._lock:
            self._socks.append(s)
        return s

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, self._track(client))

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(5)
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
        except OSError:
            return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        if len(parts) >= 3 and parts[0] != "CONNECT" and self.mode == "rewrite":
            self._forward(client, head, parts)
            return
        if len(parts) < 2 or parts[0] != "CONNECT":
            self._answer(client, "405 Method Not Allowed")
            return
        authority = parts[1]
        self.connects.append(authority)
        if self.mode == "silent":
            self._stop.wait(30)
            return
        if self.mode == "refuse":
            self._answer(client, "403 Forbidden")
            return
        if self.mode == "auth":
            self._answer(client, "407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"corp\"\r\n")
            return
        target = self._target(authority)
        if target is None:
            self._answer(client, "502 Bad Gateway")
            return
        try:
            upstream = self._track(socket.create_connection(target, timeout=5))
        except OSError:
            self._answer(client, "502 Bad Gateway")
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if self.mode == "rewrite" and self.mitm is not None:
            upstream.close()
            self._intercept(client, authority, target)
            return
        self._pipe(client, upstream)

    def _intercept(self, client: socket.socket, authority: str, target: tuple[str, int]) -> None:
        """TLS to the client with a certificate for the name it asked for; the request inside is rewritten and sent
        on over a new TLS connection (the upstream certificate is not checked: this is the test's own proxy)."""
        host = authority.rpartition(":")[0].strip("[]")
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.mitm.issue_cert(host).configure_cert(server_ctx)
        try:
            tls = server_ctx.wrap_socket(client, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                head += chunk
        except (OSError, ssl.SSLError):
            return
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(parts) < 3:
            return
        client_ctx = ssl.create_default_context()
        client_ctx.check_hostname = False
        client_ctx.verify_mode = ssl.CERT_NONE

        def upstream() -> socket.socket:
            raw = self._track(socket.create_connection(target, timeout=5))
            return client_ctx.wrap_socket(raw, server_hostname=host)

        self._relay(tls, head, parts[0], parts[1], parts[2], host, upstream)

    def _forward(self, client: socket.socket, head: bytes, parts: list[str]) -> None:
        """One plain-HTTP request in absolute form, sent on to the routed address."""
        split = urlsplit(parts[1])
        authority = f"{split.hostname}:{split.port or 80}"
        self.connects.append(authority)
        target = self._target(authority)
        if target is None:
            self._answer(client, "502 Bad Gateway")
            return
        path = (split.path or "/") + (f"?{split.query}" if split.query else "")
        self._relay(client, head, parts[0], path, parts[2], parts[1],
                    lambda: self._track(socket.create_connection(target, timeout=5)))

    def _relay(self, client: socket.socket, head: bytes, method: str, path: str, version: str, shown: str,
               connect: Callable[[], socket.socket]) -> None:
        """Read the rest of the request, rewrite its headers, send it upstream, relay the answer, close."""
        header_blob, _, rest = head.partition(b"\r\n\r\n")
        headers: list[tuple[str, str]] = []
        for line in header_blob.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = int(next((v for k, v in headers if k.lower() == "content-length"), "0") or 0)
        try:
            while len(rest) < length:
                chunk = client.recv(65536)
                if not chunk:
                    break
                rest += chunk
        except OSError:
            return
        out: list[tuple[str, str]] = []
        for name, value in headers:
            if name.lower() in self.rewrite:
                new = self.rewrite[name.lower()]
                if new is not None:
                    out.append((name, new))
            elif name.lower() not in ("connection", "proxy-connection"):
                out.append((name, value))
        present = {n.lower() for n, _ in headers}
        out += [(n, v) for n, v in self.rewrite.items() if v is not None and n not in present]
        out.append(("Connection", "close"))
        self.forwarded.append(f"{method} {shown}")
        try:
            upstream = connect()
            upstream.sendall(f"{method} {path} {version}\r\n".encode("latin-1")
                             + "".join(f"{n}: {v}\r\n" for n, v in out).encode("latin-1") + b"\r\n"
                             + rest[:length])
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                client.sendall(data)
        except OSError:
            self._answer(client, "502 Bad Gateway")
            return
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _target(self, authority: str) -> tuple[str, int] | None:
        if authority in self.routes:
            return self.routes[authority]
        if not self.resolve:
            return None
        host, _, port = authority.rpartition(":")
        return host.strip("[]"), int(port)

    @staticmethod
    def _answer(client: socket.socket, status: str, extra: str = "") -> None:
        with contextlib.suppress(OSError):
            client.sendall(f"HTTP/1.1 {status}\r\nServer: fake-proxy\r\n{extra}Content-Length: 0\r\n"
                           "Connection: close\r\n\r\n".encode())
            client.close()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        a.setblocking(False)
        b.setblocking(False)
        peers = {a: b, b: a}
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([a, b], [], [], 0.1)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].setblocking(True)
                    peers[s].sendall(data)
                    peers[s].setblocking(False)
        except OSError:
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()
