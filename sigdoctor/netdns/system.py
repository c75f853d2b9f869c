"""The system resolver (getaddrinfo: nsswitch, /etc/hosts, then DNS), bounded by a timeout.

getaddrinfo cannot be cancelled, so it runs in a daemon thread that is abandoned when the wait ends: a stuck
lookup costs its thread, never the run (and never the interpreter's exit, which a pool thread would delay).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import field
from typing import Any

from sigdoctor.records import datarecord

GetAddrInfo = Callable[..., list[tuple[Any, ...]]]

# EAI codes worth a human name; the rest keep the C library's own text.
_EAI = {
    getattr(socket, "EAI_NONAME", -2): "EAI_NONAME: NXDOMAIN, or no address",
    getattr(socket, "EAI_AGAIN", -3): "EAI_AGAIN: SERVFAIL, timeout or no nameserver reachable",
    getattr(socket, "EAI_FAIL", -4): "EAI_FAIL: REFUSED or a malformed answer",
    getattr(socket, "EAI_NODATA", -5): "EAI_NODATA: the name exists but has no address",
}


@datarecord
class SystemAnswer:
    addresses: list[str] = field(default_factory=list)
    error: str | None = None
    # "nxdomain" | "temporary" | "failure" | "timeout" | "other" — a key the probe can judge on.
    error_kind: str | None = None
    elapsed_ms: int = 0
    timed_out: bool = False


def _kind(code: int) -> str:
    if code in (getattr(socket, "EAI_NONAME", -2), getattr(socket, "EAI_NODATA", -5)):
        return "nxdomain"
    if code == getattr(socket, "EAI_AGAIN", -3):
        return "temporary"
    if code == getattr(socket, "EAI_FAIL", -4):
        return "failure"
    return "other"


def system_resolve(host: str, timeout: float, getaddrinfo: GetAddrInfo = socket.getaddrinfo,
                   port: int = 443) -> SystemAnswer:
    """Resolve `host` as an agent's runtime would (AF_UNSPEC, TCP), keeping every address in the order returned."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["infos"] = getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            box["gaierror"] = exc
        except (OSError, UnicodeError) as exc:
            box["error"] = exc
        finally:
            done.set()

    start = time.monotonic()
    threading.Thread(target=work, name=f"getaddrinfo-{host}", daemon=True).start()
    finished = done.wait(timeout)
    elapsed = int((time.monotonic() - start) * 1000)
    if not finished:
        return SystemAnswer(error=f"getaddrinfo did not return within {timeout:.1f}s", error_kind="timeout",
                            elapsed_ms=elapsed, timed_out=True)
    if "gaierror" in box:
        exc = box["gaierror"]
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        text = exc.args[1] if len(exc.args) > 1 else str(exc)
        human = _EAI.get(code)
        return SystemAnswer(error=f"{text} ({human})" if human else str(text),
                            error_kind=_kind(code), elapsed_ms=elapsed)
    if "error" in box:
        return SystemAnswer(error=f"{type(box['error']).__name__}: {box['error']}", error_kind="other",
                            elapsed_ms=elapsed)
    addresses: list[str] = []
    for info in box.get("infos", []):
        addr = str(info[4][0])
        if addr not in addresses:
            addresses.append(addr)
    return SystemAnswer(addresses=addresses, elapsed_ms=elapsed)
