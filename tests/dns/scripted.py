"""A nameserver on loopback that sends whatever bytes a test scripts — for what dnslib will not produce: truncation
over UDP only, answers for another query, datagrams from another port, floods, malformed and looping packets.

    with ScriptedDns("127.0.0.1") as ns:          # "::1" for IPv6; tcp=False: nothing listens on TCP
        ns.udp = lambda q: [respond(q, ("sts.example", 60, "A", "192.0.2.1"))]
        ns.tcp = lambda q: framed(respond(q, ...))   # raw bytes, length prefix included (or not); None: silent

A UDP script returns a list of items: bytes go out from the server's port; ("stray", bytes) from another port of
the same host; ("flood", bytes) is resent every 20 ms for 8 s or until the server stops.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

UdpItem = bytes | tuple[str, bytes]


def respond(query: bytes, *rrsets: tuple[str, int, str, str | list[str]], rcode: int = 0,
            tc: bool = False) -> bytes:
    """dnspython's answer to `query` with `rrsets` ((owner, ttl, type, value or values), names compressed)."""
    q = dns.message.from_wire(query)
    r = dns.message.make_response(q)
    r.set_rcode(dns.rcode.Rcode(rcode))
    if tc:
        r.flags |= dns.flags.TC
    for owner, ttl, rdtype, values in rrsets:
        vals = [values] if isinstance(values, str) else values
        r.answer.append(dns.rrset.from_text(owner, ttl, "IN", rdtype, *vals))
    return r.to_wire(want_shuffle=False)  # a fixed order: two clients asking must read the same bytes


def raw(query: bytes, answer: bytes, ancount: int, *, flags: int = 0x8180, qid: int | None = None,
        with_question: bool = True) -> bytes:
    """A hand-made response: the query's id and question, then `answer` bytes claimed to hold `ancount` records."""
    question = query[12:] if with_question else b""
    header = struct.pack("!HHHHHH", struct.unpack("!H", query[:2])[0] if qid is None else qid, flags,
                         1 if with_question else 0, ancount, 0, 0)
    return header + question + answer


def framed(message: bytes) -> bytes:
    return struct.pack("!H", len(message)) + message


class ScriptedDns:
    def __init__(self, host: str = "127.0.0.1", *, tcp: bool = True) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.udp: Callable[[bytes], list[UdpItem]] = lambda q: []
        # None: hold the connection open, silent, until the server stops.
        self.tcp: Callable[[bytes], bytes | None] = framed
        self.queries: list[tuple[str, bytes]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tcp: socket.socket | None = None
        for attempt in range(20):  # the UDP port the OS picks may be taken for TCP (other tests run): pick again
            self._udp = socket.socket(family, socket.SOCK_DGRAM)
            self._udp.bind((host, 0))
            self.port = int(self._udp.getsockname()[1])
            if not tcp:
                break
            self._tcp = socket.socket(family, socket.SOCK_STREAM)
            self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self._tcp.bind((host, self.port))
            except OSError:
                self._tcp.close()
                self._udp.close()
                if attempt == 19:
                    raise
                continue
            self._tcp.listen(8)
            self._tcp.settimeout(0.05)
            break
        self._stray = socket.socket(family, socket.SOCK_DGRAM)
        self._stray.bind((host, 0))
        self._udp.settimeout(0.05)
        self._spawn(self._serve_udp)
        if self._tcp is not None:
            self._spawn(self._serve_tcp)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        t = threading.Thread(target=target, args=args, daemon=True, name=f"scripted-dns-{self.port}")
        self._threads.append(t)
        t.start()

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                query, client = self._udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.queries.append(("udp", query))
            for item in self.udp(query):
                if isinstance(item, bytes):
                    self._udp.sendto(item, client)
                elif item[0] == "stray":
                    self._stray.sendto(item[1], client)
                else:
                    self._spawn(self._flood, item[1], client)

    def _flood(self, datagram: bytes, client: Any) -> None:
        for _ in range(400):
            if self._stop.wait(0.02):
                return
            try:
                self._udp.sendto(datagram, client)
            except OSError:
                return

    def _serve_tcp(self) -> None:
        assert self._tcp is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(2, socket.MSG_WAITALL)
                    query = conn.recv(struct.unpack("!H", head)[0], socket.MSG_WAITALL)
                    self.queries.append(("tcp", query))
                    reply = self.tcp(query)
                    if reply is None:
                        self._stop.wait()
                    else:
                        conn.sendall(reply)
                except (OSError, struct.error):
                    continue

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)
        for s in (self._udp, self._tcp, self._stray):
            if s is not None:
                s.close()

    def __enter__(self) -> ScriptedDns:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
