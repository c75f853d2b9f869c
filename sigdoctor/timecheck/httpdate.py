"""The HTTP `Date` header of AWS endpoints as a clock: works where NTP (UDP 123) is blocked but HTTPS is not.

An unsigned `GET /` gets an AWS error back, which is fine: only its `Date` header matters. The header has one-second
resolution, truncated, so the server's time at the midpoint of our request is best estimated as Date + 0.5 s.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from sigdoctor.context import Context
from sigdoctor.netconn.proxy import mask
from sigdoctor.netconn.tls import ca_bundle, verifying_context
from sigdoctor.netconn.tunnel import proxy_authorization
from sigdoctor.timecheck.sample import Sample, lookup_error

USER_AGENT = "sigdoctor-clock/1 (unsigned request: reading the Date header)"


def tls_context(ctx: Context) -> ssl.SSLContext | str:
    """A verifying TLS context with the SDK's CA bundle, or why there is none (an unreadable bundle fails every
    HTTPS request of the SDK too; the connectivity probe reports it)."""
    bundle = ca_bundle(ctx)
    if bundle.problem:
        return f"CA bundle unusable: {bundle.problem}"
    try:
        return verifying_context(bundle)
    except (OSError, ssl.SSLError) as exc:
        return f"CA bundle {bundle.path} ({bundle.source}) unusable: {getattr(exc, 'strerror', None) or exc}"


def display(host: str, port: int, scheme: str) -> str:
    default = 443 if scheme == "https" else 80
    host_part = f"[{host}]" if ":" in host else host
    return host if port == default else f"{host_part}:{port}"


def offset_from(date_header: str, t_sent: float, t_received: float) -> float:
    """true − local, from a `Date` header and the local times the request left and the answer arrived."""
    when = parsedate_to_datetime(date_header)
    if when.tzinfo is None:  # "-0000" means UTC with no zone stated; HTTP dates are always UTC
        when = when.replace(tzinfo=UTC)
    server = when.timestamp() + 0.5
    return server - (t_sent + t_received) / 2


def fetch(
    host: str, port: int, scheme: str, timeout: float, tls: ssl.SSLContext | str, now: Callable[[], float],
    stage: Callable[[str], None] = lambda _: None, proxy: str | None = None,
) -> Sample:
    """One unsigned GET; never raises. `now` is the local clock being judged; `stage` hears what it is waiting for
    (a lookup has no timeout of its own: the caller may give up on it). `proxy`: an http:// forward proxy URL to go
    through (CONNECT for https), as the agent would."""
    name = display(host, port, scheme)
    via = mask(proxy) if proxy else None
    hop = "proxy " if proxy else ""
    current = [f"{hop}name lookup"]

    def failed(why: str) -> Sample:
        return Sample("http-date", name, error=why, via=via)

    def at(step: str) -> None:
        current[0] = step
        stage(step)

    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    target, path = (host, port), "/"
    proxy_headers: dict[str, str] = {}
    if proxy:
        parts = urlsplit(proxy)
        if parts.scheme != "http" or not parts.hostname:
            return failed(f"proxy {via}: only http:// forward proxies are supported here")
        target = (parts.hostname, parts.port or 80)
        if auth := proxy_authorization(proxy):
            proxy_headers["Proxy-Authorization"] = auth
    conn: http.client.HTTPConnection
    if scheme == "https":
        if isinstance(tls, str):
            return failed(tls)
        conn = http.client.HTTPSConnection(*target, timeout=timeout, context=tls)
        if proxy:
            conn.set_tunnel(host, port, headers=proxy_headers)
    else:
        conn = http.client.HTTPConnection(*target, timeout=timeout)
        if proxy:
            path = f"http://{name}/"
            headers.update(proxy_headers)

    def connect(address: tuple[str, int], timeout: float, source: tuple[str, int] | None = None) -> socket.socket:
        at(f"{hop}name lookup")
        infos = socket.getaddrinfo(address[0], address[1], type=socket.SOCK_STREAM)
        at(f"{hop}TCP connect")
        family, kind, proto, _, sockaddr = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except BaseException:
            sock.close()
            raise
        if scheme == "https":
            at("proxy CONNECT, then TLS handshake" if proxy else "TLS handshake")
        else:
            at("waiting for the HTTP answer")
        return sock

    # http.client resolves and connects in one call; splitting it tells a hung resolver from a silent server.
    setattr(conn, "_create_connection", connect)  # noqa: B010
    try:
        # Connect (and handshake) first so the midpoint brackets only the request and its answer.
        conn.connect()
        at("waiting for the HTTP answer")
        t_sent = now()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        t_received = now()
        date_header = response.getheader("Date")
    except socket.gaierror as exc:
        return failed(lookup_error(exc))
    except TimeoutError:
        return failed(f"timeout after {timeout:.1f} s ({current[0]})")
    except ConnectionRefusedError:
        return failed(f"refused by proxy {via}" if proxy else "refused")
    except ssl.SSLCertVerificationError:
        # Not our finding: the connectivity probe explains TLS failures; an unverified Date proves nothing.
        return failed("TLS verification failed (see the connectivity probe)")
    except ssl.SSLError as exc:
        return failed(f"TLS error: {exc.reason or exc}")
    except (OSError, http.client.HTTPException) as exc:
        if proxy and str(exc).startswith("Tunnel connection failed"):
            return failed(f"proxy {via} refused CONNECT ({str(exc).partition(': ')[2]})")
        return failed(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()
    rtt_ms = max(0.0, (t_received - t_sent) * 1000)
    if not date_header:
        return Sample("http-date", name, rtt_ms=rtt_ms, error=f"HTTP {response.status} without a Date header", via=via)
    try:
        offset = offset_from(date_header, t_sent, t_received)
    except (TypeError, ValueError):
        return Sample("http-date", name, rtt_ms=rtt_ms, error=f"unreadable Date header {date_header[:40]!r}", via=via)
    return Sample("http-date", name, offset_s=offset, rtt_ms=rtt_ms, via=via)
