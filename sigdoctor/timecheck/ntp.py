"""NTP: which servers to ask, and one query through `ntplib.NTPClient.request`.

ntplib's socket is not connected, so an ICMP port-unreachable is not seen: a closed port reads as a timeout, as it
does for chrony and ntpdate.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable

import ntplib

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.hostport import hostport
from sigdoctor.records import datarecord
from sigdoctor.timecheck.sample import Sample, lookup_error

NTP_PORT = 123
# Amazon Time Sync Service: link-local on every Nitro/Xen instance, no internet access needed.
TIME_SYNC_V4 = "169.254.169.123"
TIME_SYNC_V6 = "fd00:ec2::123"
PUBLIC_SERVERS = ("time.aws.com", "pool.ntp.org")


@datarecord(frozen=True)
class Server:
    host: str
    port: int = NTP_PORT

    @property
    def name(self) -> str:
        if self.port == NTP_PORT:
            return self.host
        return hostport(self.host, self.port)


def parse_server(text: str) -> Server:
    """`HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, ""
    if not host:
        raise ValueError(f"no host in NTP server {text!r}")
    try:
        number = int(port) if port else NTP_PORT
    except ValueError:
        raise ValueError(f"bad port in NTP server {text!r}") from None
    if not 0 < number < 65536:
        raise ValueError(f"bad port in NTP server {text!r}")
    return Server(host, number)


def ipv6_applies(ctx: Context) -> bool:
    """Whether Amazon Time Sync's IPv6 address is worth asking: the SDK is told to use IPv6 IMDS, or the host has a
    global (or unique-local) IPv6 address, without which fd00:ec2::123 is unreachable anyway."""
    if ctx.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "").lower() == "ipv6":
        return True
    try:
        # Bounded: with --pid this is the agent's root, where anything may be mounted (one line per address).
        lines = boundedio.read_text(ctx.path("/proc/net/if_inet6"), boundedio.CONFIG_LIMIT).splitlines()
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        # address, ifindex, prefix length, scope (00 = global, which includes ULA), flags, interface
        if len(fields) >= 6 and fields[3] == "00" and fields[5] != "lo":
            return True
    return False


def servers_to_ask(ctx: Context) -> list[Server]:
    if ctx.ntp_servers:
        return [parse_server(s) for s in ctx.ntp_servers]
    hosts = [TIME_SYNC_V4, *([TIME_SYNC_V6] if ipv6_applies(ctx) else []), *PUBLIC_SERVERS]
    return [Server(h) for h in hosts]


def query(server: Server, timeout: float, now: Callable[[], float],
          stage: Callable[[str], None] = lambda _: None) -> Sample:
    """One NTP exchange through ntplib; never raises. `now` is the local clock being judged; `stage` hears what it
    is waiting for. `timeout` bounds ntplib's wait for the answer; the caller holds the absolute deadline (it stops
    waiting for this thread when the question is settled or its time is up)."""

    def failed(why: str) -> Sample:
        return Sample("ntp", server.name, error=why)

    stage("name lookup")
    try:
        infos = socket.getaddrinfo(server.host, server.port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        return failed(lookup_error(exc))
    address = str(infos[0][4][0])
    stage("waiting for the NTP answer")
    # ntplib stamps with time.time(); the clock being judged may differ from it by a constant (tests, --pid).
    skew = now() - time.time()
    sent = time.time()
    try:
        stats = ntplib.NTPClient().request(address, version=4, port=server.port, timeout=timeout)
    except ntplib.NTPException as exc:
        if str(exc).startswith("No response"):
            return failed(f"timeout after {timeout:.1f} s")
        return failed(f"malformed answer: {exc}")
    except OSError as exc:
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
            return failed(f"unreachable ({exc.strerror})")
        return failed(f"{type(exc).__name__}: {exc.strerror or exc}")
    received = time.time()
    # ntplib takes the first datagram from the server's address: a stale or forged one does not echo the transmit
    # timestamp ntplib sent, which lies between `sent` and `received`.
    if not sent - 0.01 <= ntplib.ntp_to_system_time(stats.orig_timestamp) <= received + 0.01:
        return failed("the answer does not echo our request (stale or forged)")
    rtt_ms = max(0.0, float(stats.delay) * 1000)
    if stats.stratum == 0:
        code = int(stats.ref_id).to_bytes(4, "big").decode("ascii", "replace").strip("\0 ")
        return Sample("ntp", server.name, rtt_ms=rtt_ms, stratum=0, error=f"kiss-of-death {code or '?'} (refused to serve)")
    if stats.leap == 3:
        return Sample("ntp", server.name, rtt_ms=rtt_ms, stratum=stats.stratum,
                      error="server is not synchronised (leap indicator 3)")
    return Sample("ntp", server.name, offset_s=float(stats.offset) - skew, rtt_ms=rtt_ms, stratum=int(stats.stratum))
