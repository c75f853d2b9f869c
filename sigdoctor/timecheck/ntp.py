"""NTP: which servers to ask, and one query with ntplib's packet format over a connected UDP socket.

The socket is connected (unlike `ntplib.NTPClient.request`) so an ICMP port-unreachable comes back as "refused"
at once instead of a silent wait, and the answer is matched to our request by its originate timestamp.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass

import ntplib

from sigdoctor.context import Context
from sigdoctor.timecheck.sample import Sample, lookup_error

NTP_PORT = 123
# Amazon Time Sync Service: link-local on every Nitro/Xen instance, no internet access needed.
TIME_SYNC_V4 = "169.254.169.123"
TIME_SYNC_V6 = "fd00:ec2::123"
PUBLIC_SERVERS = ("time.aws.com", "pool.ntp.org")


@dataclass(frozen=True)
class Server:
    host: str
    port: int = NTP_PORT

    @property
    def name(self) -> str:
        if self.port == NTP_PORT:
            return self.host
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


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
        lines = ctx.path("/proc/net/if_inet6").read_text().splitlines()
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
    """One NTP exchange; never raises. `now` is the local clock being judged; `stage` hears what it is waiting for
    (a lookup has no timeout of its own: the caller may give up on it)."""

    def failed(why: str) -> Sample:
        return Sample("ntp", server.name, error=why)

    stage("name lookup")
    try:
        infos = socket.getaddrinfo(server.host, server.port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        return failed(lookup_error(exc))
    family, _, _, _, sockaddr = infos[0]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        request = ntplib.NTPPacket(mode=3, version=4, tx_timestamp=ntplib.system_to_ntp_time(now()))
        data = request.to_data()
        sock.send(data)
        stage("waiting for the NTP answer")
        while True:
            reply = sock.recv(512)
            received = now()
            # A stale or forged datagram does not echo our transmit timestamp: wait for the real answer.
            if len(reply) >= 48 and reply[24:32] == data[40:48]:
                break
    except TimeoutError:
        return failed(f"timeout after {timeout:.1f} s")
    except ConnectionRefusedError:
        return failed("refused (nothing listens on that port)")
    except OSError as exc:
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
            return failed(f"unreachable ({exc.strerror})")
        return failed(f"{type(exc).__name__}: {exc.strerror or exc}")
    finally:
        sock.close()
    stats = ntplib.NTPStats()
    try:
        stats.from_data(reply)
    except ntplib.NTPException as exc:
        return failed(f"malformed answer: {exc}")
    stats.dest_timestamp = ntplib.system_to_ntp_time(received)
    rtt_ms = max(0.0, float(stats.delay) * 1000)
    if stats.stratum == 0:
        code = reply[12:16].decode("ascii", "replace").strip("\0")
        return Sample("ntp", server.name, rtt_ms=rtt_ms, stratum=0, error=f"kiss-of-death {code or '?'} (refused to serve)")
    if stats.leap == 3:
        return Sample("ntp", server.name, rtt_ms=rtt_ms, stratum=stats.stratum,
                      error="server is not synchronised (leap indicator 3)")
    return Sample("ntp", server.name, offset_s=float(stats.offset), rtt_ms=rtt_ms, stratum=int(stats.stratum))
