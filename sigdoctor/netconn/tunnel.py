"""The HTTP CONNECT tunnel an HTTPS client asks a forward proxy for, as Go's transport and urllib3 send it."""

from __future__ import annotations

import base64
import socket
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from sigdoctor.hostport import hostport
from sigdoctor.records import datarecord

_MAX_HEAD = 64 * 1024


@datarecord(frozen=True)
class TunnelResult:
    state: str  # ok | refused (non-2xx) | timeout | closed | bad-response
    status: int | None
    reason: str
    ms: float
    server: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "status": self.status, "reason": self.reason, "ms": round(self.ms, 1),
                "server": self.server}


def proxy_authorization(proxy_url: str) -> str | None:
    """The Basic `Proxy-Authorization` value a client sends for a proxy URL with user info (Go and urllib3 do)."""
    parts = urlsplit(proxy_url)
    if parts.username is None:
        return None
    creds = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(creds.encode()).decode()


def open_tunnel(sock: socket.socket, host: str, port: int, timeout: float, authorization: str | None) -> TunnelResult:
    """Ask the proxy on `sock` for a tunnel to host:port; on `ok` the socket carries the tunnel."""
    t0 = time.monotonic()
    authority = hostport(host, port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", "User-Agent: sigdoctor"]
    if authorization:
        lines.append(f"Proxy-Authorization: {authorization}")
    sock.settimeout(timeout)
    head = b""
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        # Byte by byte: whatever follows the header belongs to the tunnel (the TLS handshake), never to us.
        while b"\r\n\r\n" not in head and len(head) < _MAX_HEAD:
            chunk = sock.recv(1)
            if not chunk:
                return TunnelResult("closed", None, "the proxy closed the connection without answering CONNECT",
                                    _ms(t0))
            head += chunk
    except TimeoutError:
        return TunnelResult("timeout", None, f"no answer to CONNECT within {timeout:.1f} s", _ms(t0))
    except OSError as exc:
        return TunnelResult("closed", None, f"connection to the proxy failed: {exc.strerror or exc}", _ms(t0))
    status_line, _, rest = head.decode("iso-8859-1").partition("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return TunnelResult("bad-response", None, f"not an HTTP answer: {status_line[:80]!r}", _ms(t0))
    status = int(parts[1])
    reason = parts[2].strip() if len(parts) > 2 else ""
    server = None
    for line in rest.split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() in ("server", "via") and value.strip():
            server = value.strip()
            break
    return TunnelResult("ok" if 200 <= status < 300 else "refused", status, reason, _ms(t0), server)


def _ms(t0: float) -> float:
    return (time.monotonic() - t0) * 1000
