"""Fixtures for the clock probe: a clean Context rooted in tmp_path, a trustme CA the "SDK" trusts, and a name
lookup guard so no test can ever send a DNS query off the machine."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from sigdoctor.context import Context

CLEAN_ENV = {
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_REGION": "us-east-1",
    "PATH": "/usr/bin:/bin",
}


class Names:
    """Names the tests let resolve (all to loopback); every other name is 'no such host', without a query."""

    def __init__(self) -> None:
        self.pinned: dict[str, str] = {"localhost": "127.0.0.1"}
        self.asked: list[str] = []

    def pin(self, name: str, address: str = "127.0.0.1") -> None:
        self.pinned[name.lower()] = address


@pytest.fixture(autouse=True)
def names(monkeypatch: pytest.MonkeyPatch) -> Names:
    real = socket.getaddrinfo
    table = Names()

    def guarded(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        text = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(text.strip("[]"))
        except ValueError:
            table.asked.append(text)
            if text.lower() not in table.pinned:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            text = table.pinned[text.lower()]
        return real(text, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    return table


@pytest.fixture
def ca(tmp_path: Path) -> trustme.CA:
    """The CA behind every fake HTTPS endpoint; the diagnosed environment trusts it via AWS_CA_BUNDLE=/ca.pem."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return authority


@pytest.fixture
def make_ctx(tmp_path: Path, ca: trustme.CA) -> Callable[..., Context]:
    def make(*, ntp: list[str] | None = None, targets: list[str] | None = None, sts: str = "http://127.0.0.1:9/",
             env: dict[str, str] | None = None, **kw: Any) -> Context:
        ctx = Context(env={**CLEAN_ENV, "AWS_CA_BUNDLE": "/ca.pem", **(env or {})}, root=tmp_path,
                      ntp_servers=list(ntp or []), targets=list(targets or []), **kw)
        # The STS endpoint botocore would pick is a real AWS name: point it at loopback instead.
        ctx.once("sts_url", lambda: sts)
        return ctx

    return make


@pytest.fixture
def dead_udp_port() -> Iterator[int]:
    """A UDP port on 127.0.0.1 where nothing listens (the kernel answers 'port unreachable')."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    yield port
