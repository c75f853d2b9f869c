"""TCP connects with a bounded wait, told apart the way an operator needs: refused, timed out, unreachable."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sigdoctor.hostport import hostport
from sigdoctor.records import datarecord

# glibc folds resolver timeouts and SERVFAIL into EAI_AGAIN ("Temporary failure in name resolution").
_GAI_WORDS = {
    socket.EAI_AGAIN: "the resolver gave no answer (timed out or SERVFAIL)",
    socket.EAI_NONAME: "no such name (NXDOMAIN, or not in /etc/hosts)",
}
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}


@datarecord(frozen=True)
class TcpResult:
    address: str
    port: int
    state: str  # ok | refused | timeout | unreachable | error
    ms: float | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"address": self.address, "port": self.port, "tcp": self.state,
                             "ms": None if self.ms is None else round(self.ms, 1)}
        if self.error:
            d["error"] = self.error
        return d

    def describe(self) -> str:
        where = hostport(self.address, self.port)
        if self.state == "ok":
            return f"{where} connected in {self.ms:.0f} ms"
        if self.state == "timeout":
            return f"{where} timed out after {self.ms / 1000:.1f} s" if self.ms else f"{where} timed out"
        if self.state == "refused":
            return f"{where} refused the connection"
        if self.state == "unreachable":
            return f"{where} unreachable ({self.error})"
        return f"{where} failed ({self.error})"


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET


def connect(address: str, port: int, timeout: float) -> tuple[TcpResult, socket.socket | None]:
    """Connect; on success the caller owns the returned socket (its timeout set to `timeout`)."""
    t0 = time.monotonic()
    try:
        sock = socket.socket(_family(address), socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        return TcpResult(address, port, "error", None, str(exc)), None
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except TimeoutError:
        sock.close()
        return TcpResult(address, port, "timeout", (time.monotonic() - t0) * 1000), None
    except ConnectionRefusedError:
        sock.close()
        return TcpResult(address, port, "refused", (time.monotonic() - t0) * 1000), None
    except OSError as exc:
        sock.close()
        state = "unreachable" if exc.errno in _UNREACHABLE else "error"
        return TcpResult(address, port, state, (time.monotonic() - t0) * 1000, exc.strerror or str(exc)), None
    return TcpResult(address, port, "ok", (time.monotonic() - t0) * 1000), sock


def probe(address: str, port: int, timeout: float) -> TcpResult:
    result, sock = connect(address, port, timeout)
    if sock is not None:
        sock.close()
    return result


def probe_all(addresses: list[str], port: int, timeout: float) -> list[TcpResult]:
    """Connect to every address at once (each connection closed again), in the order given."""
    if not addresses:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(addresses)), thread_name_prefix="tcp") as pool:
        return list(pool.map(lambda a: probe(a, port, timeout), addresses))


def resolve(host: str, port: int, timeout: float) -> tuple[list[str], str | None]:
    """getaddrinfo as the agent's resolver would answer it, abandoned after `timeout` (it cannot be cancelled).

    Returns (addresses in getaddrinfo order, error text or None).
    """
    try:
        return [str(ipaddress.ip_address(host))], None
    except ValueError:
        pass
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            box["error"] = _GAI_WORDS.get(exc.errno or 0, str(exc))
        except OSError as exc:
            box["error"] = str(exc)

    # A daemon thread: a resolver stuck past the deadline must not keep the process alive.
    t = threading.Thread(target=work, name=f"resolve-{host}", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        return [], f"name resolution timed out after {timeout:.1f} s"
    if "error" in box:
        return [], str(box["error"])
    out: list[str] = []
    for info in box.get("infos", []):
        addr = str(info[4][0])
        if addr not in out:
            out.append(addr)
    return out, None
