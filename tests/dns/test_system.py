"""getaddrinfo, bounded: every address kept, errors named, a hung call abandoned."""

from __future__ import annotations

import socket
import threading
from typing import Any

from sigdoctor.netdns.system import system_resolve


def _infos(*addrs: str) -> list[tuple[Any, ...]]:
    return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in addrs]


def test_every_address_in_order_without_duplicates() -> None:
    r = system_resolve("x", 1.0, lambda *a: _infos("52.94.0.20", "2600:1f18::1", "52.94.0.20"))
    assert r.addresses == ["52.94.0.20", "2600:1f18::1"] and r.error is None


def test_no_such_name() -> None:
    def gai(*a: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    r = system_resolve("x", 1.0, gai)
    assert r.error_kind == "nxdomain"
    assert "Name or service not known" in (r.error or "")


def test_temporary_failure() -> None:
    def gai(*a: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    assert system_resolve("x", 1.0, gai).error_kind == "temporary"


def test_a_hung_getaddrinfo_is_abandoned() -> None:
    release = threading.Event()

    def gai(*a: Any) -> list[tuple[Any, ...]]:
        release.wait(10)
        return _infos("52.94.0.20")

    try:
        r = system_resolve("x", 0.2, gai)
    finally:
        release.set()
    assert r.timed_out and r.error_kind == "timeout" and not r.addresses
    assert "did not return" in (r.error or "")
