"""A guard for unit tests whose servers all live on loopback: any other name lookup would leave the machine."""

from __future__ import annotations

import socket
from typing import Any

import pytest

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", None)


def forbid_name_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make getaddrinfo fail loudly for anything but loopback."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kw: Any) -> Any:
        if host not in LOOPBACK_NAMES:
            raise AssertionError(f"test tried to resolve {host!r}: every endpoint must point at a fake")
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
