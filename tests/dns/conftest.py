"""A small DNS world for the dns probe's unit tests: a fake nameserver on 127.0.0.1, resolv.conf and hosts under a
tmp root, and a stand-in for getaddrinfo (hosts file first, then dnspython's own stub resolver at the fake) — the
real getaddrinfo cannot be pointed at a port other than 53 outside a network namespace."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.resolver
import pytest

from sigdoctor.context import Context
from sigdoctor.model import Outcome
from sigdoctor.probes.dns import run_dns
from tests.fakes.dns import FakeDns

STS = "sts.us-east-1.amazonaws.com"
APS = "aps-workspaces.us-east-1.amazonaws.com"
LOGS = "logs.us-east-1.amazonaws.com"
APS_TARGET = f"https://{APS}/workspaces/ws-1/api/v1/remote_write"
LOGS_TARGET = f"https://{LOGS}/"


@pytest.fixture(autouse=True)
def _clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def stub_getaddrinfo(root: Path, port: int, timeout: float = 0.8) -> Callable[..., list[tuple[Any, ...]]]:
    """getaddrinfo as glibc would answer it with `hosts: files dns`, against the fake's port."""

    def gai(host: str, svc: int | None, family: int = 0, type: int = 0, proto: int = 0,
            flags: int = 0) -> list[tuple[Any, ...]]:
        for raw in (root / "etc/hosts").read_text().splitlines():
            words = raw.split("#", 1)[0].split()
            if len(words) >= 2 and host.lower() in (w.lower() for w in words[1:]):
                fam = socket.AF_INET6 if ":" in words[0] else socket.AF_INET
                return [(fam, socket.SOCK_STREAM, 6, "", (words[0], svc))]
        r = dns.resolver.Resolver(filename=str(root / "etc/resolv.conf"))
        r.nameservers = r.nameservers[:1]
        r.port = port
        r.lifetime = timeout
        out: list[tuple[Any, ...]] = []
        try:
            for rdtype, fam in (("A", socket.AF_INET), ("AAAA", socket.AF_INET6)):
                try:
                    ans = r.resolve(host, rdtype, search=True)
                except dns.resolver.NoAnswer:
                    continue
                out.extend((fam, socket.SOCK_STREAM, 6, "", (a.address, svc)) for a in ans)
        except dns.resolver.NXDOMAIN:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        except (dns.resolver.NoNameservers, dns.exception.Timeout):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution") from None
        if not out:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return out

    return gai


@dataclass
class DnsWorld:
    root: Path
    ns: FakeDns
    resolv_lines: list[str] = field(default_factory=list)
    hosts_lines: list[str] = field(default_factory=lambda: ["127.0.0.1 localhost", "::1 localhost ip6-localhost"])
    getaddrinfo: Callable[..., list[tuple[Any, ...]]] | None = None

    def resolv(self, *lines: str) -> DnsWorld:
        self.resolv_lines = list(lines)
        return self

    def hosts(self, *lines: str) -> DnsWorld:
        self.hosts_lines.extend(lines)
        return self

    def context(self, **kw: Any) -> Context:
        etc = self.root / "etc"
        etc.mkdir(parents=True, exist_ok=True)
        lines = self.resolv_lines or ["nameserver 127.0.0.1", "search corp.example"]
        (etc / "resolv.conf").write_text("\n".join(lines) + "\n")
        (etc / "hosts").write_text("\n".join(self.hosts_lines) + "\n")
        (etc / "nsswitch.conf").write_text("hosts: files dns\n")
        env = kw.pop("env", {"HOME": str(self.root)})
        ctx = Context(env=env, root=self.root, region="us-east-1", **kw)
        ctx.once("sts_url", lambda: f"https://{STS}")  # what botocore resolves for us-east-1, without building a client
        return ctx

    def run(self, ctx: Context | None = None, prior: dict[str, Any] | None = None) -> Outcome:
        ctx = ctx or self.context()
        gai = self.getaddrinfo or stub_getaddrinfo(self.root, self.ns.port)
        return run_dns(ctx, prior or {}, getaddrinfo=gai, port=self.ns.port)


@pytest.fixture
def fake_dns() -> Iterator[FakeDns]:
    with FakeDns("127.0.0.1", 0) as ns:
        yield ns


@pytest.fixture
def dnsw(tmp_path: Path, fake_dns: FakeDns) -> DnsWorld:
    return DnsWorld(tmp_path / "root", fake_dns)
