"""Follow the path to one endpoint the way the agent would take it, step by step, and record every step.

Direct: every address over TCP, then TLS and one unsigned request on the first address that answers. Through a
proxy: TCP to the proxy, `CONNECT`, then TLS and the request inside the tunnel. Plain-HTTP credential endpoints
(IMDS, container) get TCP only. No judgement here: the `connectivity` probe turns a Trace into findings.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from sigdoctor.endpoints import Endpoint
from sigdoctor.netconn import frontdoor, tcp, tunnel
from sigdoctor.netconn import tls as tlsmod
from sigdoctor.netconn.frontdoor import FrontDoor
from sigdoctor.netconn.proxy import Route, mask
from sigdoctor.netconn.tcp import TcpResult
from sigdoctor.netconn.tls import CaBundle, TlsResult
from sigdoctor.netconn.tunnel import TunnelResult
from sigdoctor.records import datarecord

STEP_S = 1.5  # per connect / handshake / CONNECT / HTTP answer
MAX_ADDRESSES = 8


class Budget:
    """Per-step timeouts that never outlive the endpoint's share of the run."""

    def __init__(self, total: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._end = monotonic() + total

    def step(self, preferred: float = STEP_S) -> float:
        return max(0.05, min(preferred, self._end - self._monotonic()))


@datarecord
class Trace:
    endpoint: Endpoint
    route: Route
    via: str = "direct"
    proxy_url: str | None = None
    address_source: str = "getaddrinfo"
    addresses: list[str] = field(default_factory=list)
    resolve_error: str | None = None
    tcp: list[TcpResult] = field(default_factory=list)
    # Through a proxy: the proxy's own address(es) and the CONNECT answer.
    proxy_addresses: list[str] = field(default_factory=list)
    proxy_resolve_error: str | None = None
    proxy_tcp: list[TcpResult] = field(default_factory=list)
    tunnel: TunnelResult | None = None
    tls: TlsResult | None = None
    front: FrontDoor | None = None
    not_tested: str | None = None

    @property
    def connected(self) -> TcpResult | None:
        """The TCP connection the rest of the path ran over (to the endpoint, or to the proxy)."""
        return next((r for r in (self.proxy_tcp if self.proxy_url else self.tcp) if r.ok), None)

    def as_dict(self) -> dict[str, Any]:
        ep = self.endpoint
        d: dict[str, Any] = {
            "host": ep.host, "port": ep.port, "purpose": ep.purpose, "url": ep.url, "via": self.via,
            "route": self.route.as_dict(), "address_source": self.address_source,
            "addresses": [r.as_dict() for r in self.tcp] or [{"address": a} for a in self.addresses],
            "resolve_error": self.resolve_error,
            "tls": self.tls.as_dict() if self.tls else None,
            "front_end": self.front.as_dict() if self.front else None,
        }
        if self.proxy_url:
            d["proxy"] = {
                "url": mask(self.proxy_url), "addresses": [r.as_dict() for r in self.proxy_tcp],
                "resolve_error": self.proxy_resolve_error,
                "connect": self.tunnel.as_dict() if self.tunnel else None,
            }
        if self.not_tested:
            d["not_tested"] = self.not_tested
        return d


def trace(
    endpoint: Endpoint,
    route: Route,
    addresses: list[str] | None,
    address_source: str,
    bundle: CaBundle,
    budget: Budget,
    now: Callable[[], float],
) -> Trace:
    """Walk the path to `endpoint`. `addresses=None` resolves the name here (only when going direct)."""
    t = Trace(endpoint, route, address_source=address_source)
    proxy = route.go.proxy if endpoint.is_aws_api else None
    if proxy:
        t.via = mask(proxy)
        t.proxy_url = proxy
        t.address_source = "resolved by the proxy"
        return _through_proxy(t, proxy, bundle, budget, now)
    if addresses is None:
        addresses, t.resolve_error = tcp.resolve(endpoint.host, endpoint.port, budget.step())
    t.addresses = addresses[:MAX_ADDRESSES]
    if not t.addresses:
        return t
    t.tcp = tcp.probe_all(t.addresses, endpoint.port, budget.step())
    if not endpoint.is_aws_api or endpoint.scheme != "https":
        return t
    first = t.connected
    if first is None:
        return t

    def open_direct() -> socket.socket | None:
        _, sock = tcp.connect(first.address, endpoint.port, budget.step())
        return sock

    _tls_and_front(t, open_direct, bundle, budget, now)
    return t


def _through_proxy(t: Trace, proxy: str, bundle: CaBundle, budget: Budget, now: Callable[[], float]) -> Trace:
    parts = urlsplit(proxy)
    if parts.scheme.lower() != "http":
        t.not_tested = f"{parts.scheme}:// proxies are not tested (only http:// proxies with CONNECT)"
        return t
    host = parts.hostname or ""
    try:
        port = parts.port or 80
    except ValueError:
        t.proxy_resolve_error = f"invalid port in proxy URL {mask(proxy)}"
        return t
    addresses, t.proxy_resolve_error = tcp.resolve(host, port, budget.step())
    t.proxy_addresses = addresses[:MAX_ADDRESSES]
    if not t.proxy_addresses:
        return t
    t.proxy_tcp = tcp.probe_all(t.proxy_addresses, port, budget.step())
    first = t.connected
    if first is None:
        return t
    auth = tunnel.proxy_authorization(proxy)
    ep = t.endpoint

    def open_tunnel() -> socket.socket | None:
        _, sock = tcp.connect(first.address, port, budget.step())
        if sock is None:
            return None
        result = tunnel.open_tunnel(sock, ep.host, ep.port, budget.step(), auth)
        if t.tunnel is None:
            t.tunnel = result
        if not result.ok:
            sock.close()
            return None
        return sock

    _tls_and_front(t, open_tunnel, bundle, budget, now)
    return t


def _tls_and_front(
    t: Trace, opener: Callable[[], socket.socket | None], bundle: CaBundle, budget: Budget,
    now: Callable[[], float],
) -> None:
    ep = t.endpoint
    sock = opener()
    if sock is None:
        return
    session: ssl.SSLSocket | None
    if bundle.real is None:
        # No usable bundle: the SDK fails before connecting; still show who answers and with what certificate.
        t.tls = TlsResult("ok")
        session = tlsmod.inspect(sock, ep.host, budget.step(), t.tls)
        if session is None:
            t.tls = TlsResult("error", error="TLS handshake failed")
    else:
        t.tls, session = tlsmod.handshake(sock, ep.host, tlsmod.verifying_context(bundle), budget.step())
        if t.tls.state == "untrusted":
            again = opener()
            session = tlsmod.inspect(again, ep.host, budget.step(), t.tls) if again is not None else None
    if session is None:
        return
    path = urlsplit(ep.url).path or "/"
    t.front = frontdoor.ask(session, ep.host, ep.port, path, budget.step(), now)
