"""A fake recursive DNS server (dnslib) with per-name behaviour, on a chosen host and port, UDP and TCP.

    with FakeDns("127.0.0.1", 0) as ns:           # port 0: the OS picks one free port for both UDP and TCP
        ns.a("sts.us-east-1.amazonaws.com", "52.94.0.20", ttl=30)
        ns.aaaa("sts.us-east-1.amazonaws.com", "2600:1f18::1")
        ns.cname("logs.us-east-1.amazonaws.com", "vpce-0abc-1.logs.us-east-1.vpce.amazonaws.com")
        ns.nxdomain("bad.example"); ns.servfail("broken.example"); ns.silent("blackhole.example")
        ns.port, ns.queries  # [("sts.us-east-1.amazonaws.com", "A"), ...]

Names are matched case-insensitively, without the trailing dot; a name may be a shell pattern (`*.corp.example`).
CNAMEs are followed through the fake's own records, as a recursive resolver would. A name with records of another
type answers NOERROR with no data. Unknown names get `default` ("nxdomain", "servfail", "refused" or "silent").
"Silent" means no answer at all: UDP queries are dropped, TCP connections are held open until the server stops.
Thread-safe: records may be changed while the server runs; `stop()` is idempotent and does not block on held queries.
"""

from __future__ import annotations

import contextlib
import fnmatch
import socket
import threading
from types import TracebackType
from typing import Any

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

MODES = ("nxdomain", "servfail", "refused", "silent")


class _Drop(Exception):
    """Raised by the resolver so that no reply is sent."""


class _Handler(DNSHandler):  # type: ignore[misc]
    # A plain (non-EDNS) UDP answer is limited to 512 bytes: bigger ones go out truncated, the client retries on TCP.
    udplen = 512

    def handle(self) -> None:
        with contextlib.suppress(_Drop):
            super().handle()


class _Resolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, fake: FakeDns) -> None:
        self.fake = fake

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        fake = self.fake
        qname = str(request.q.qname).lower().rstrip(".")
        qtype = QTYPE[request.q.qtype]
        with fake.lock:
            fake.queries.append((qname, qtype))
        reply = request.reply()
        name = qname
        for hop in range(9):  # follow our own CNAMEs, never forever
            mode, records = fake.lookup(name)
            if mode is not None or (not records and hop == 0):
                mode = mode or fake.default
                if mode == "silent":
                    if handler.protocol == "tcp":
                        fake.release.wait()
                    raise _Drop
                reply.header.rcode = {"nxdomain": RCODE.NXDOMAIN, "servfail": RCODE.SERVFAIL,
                                      "refused": RCODE.REFUSED}[mode]
                return reply  # after a CNAME hop the chain stays in the answer, as real resolvers send it
            cname = [r for r in records if r[0] == "CNAME"]
            if cname and qtype != "CNAME":
                target = cname[0][1]
                reply.add_answer(*RR.fromZone(f"{name}. {cname[0][2]} IN CNAME {target}."))
                name = target
                continue
            for rtype, value, ttl in records:
                if rtype == qtype:
                    reply.add_answer(*RR.fromZone(f"{name}. {ttl} IN {rtype} {value}"))
            return reply
        return reply


class FakeDns:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, default: str = "nxdomain") -> None:
        if default not in MODES:
            raise ValueError(f"default must be one of {MODES}")
        self.host = host
        self.default = default
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.queries: list[tuple[str, str]] = []
        self._records: dict[str, list[tuple[str, str, int]]] = {}
        self._modes: dict[str, str] = {}
        self._servers: list[DNSServer] = []
        self._stopped = False
        self.port = self._start(port)

    # ---- records ----------------------------------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return name.lower().rstrip(".")

    def record(self, name: str, rtype: str, value: str, ttl: int = 60) -> FakeDns:
        with self.lock:
            self._records.setdefault(self._key(name), []).append((rtype.upper(), value.rstrip("."), ttl))
        return self

    def a(self, name: str, *addresses: str, ttl: int = 60) -> FakeDns:
        for addr in addresses:
            self.record(name, "A", addr, ttl)
        return self

    def aaaa(self, name: str, *addresses: str, ttl: int = 60) -> FakeDns:
        for addr in addresses:
            self.record(name, "AAAA", addr, ttl)
        return self

    def cname(self, name: str, target: str, ttl: int = 60) -> FakeDns:
        return self.record(name, "CNAME", target, ttl)

    def mode(self, name: str, mode: str) -> FakeDns:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with self.lock:
            self._modes[self._key(name)] = mode
        return self

    def nxdomain(self, name: str) -> FakeDns:
        return self.mode(name, "nxdomain")

    def servfail(self, name: str) -> FakeDns:
        return self.mode(name, "servfail")

    def refused(self, name: str) -> FakeDns:
        return self.mode(name, "refused")

    def silent(self, name: str) -> FakeDns:
        return self.mode(name, "silent")

    def lookup(self, name: str) -> tuple[str | None, list[tuple[str, str, int]]]:
        """(forced mode or None, records) for a query name; exact names win over patterns."""
        with self.lock:
            if name in self._modes or name in self._records:
                return self._modes.get(name), list(self._records.get(name, []))
            for pat, mode in self._modes.items():
                if fnmatch.fnmatchcase(name, pat):
                    return mode, []
            recs = [r for pat, rs in self._records.items() if fnmatch.fnmatchcase(name, pat) for r in rs]
            return None, recs

    def queried(self, name: str) -> list[str]:
        """The query types asked for `name`, in order."""
        key = self._key(name)
        with self.lock:
            return [t for n, t in self.queries if n == key]

    # ---- lifecycle --------------------------------------------------------------------------------------------
    def _start(self, port: int) -> int:
        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        last: OSError | None = None
        for _ in range(20):  # with port 0, the UDP port the OS picks may be taken for TCP: pick again
            udp = DNSServer(_Resolver(self), address=self.host, port=port, logger=quiet, handler=_Handler)
            chosen = int(udp.server.server_address[1])
            try:
                tcp = DNSServer(_Resolver(self), address=self.host, port=chosen, tcp=True, logger=quiet,
                                handler=_Handler)
            except OSError as exc:
                udp.server.server_close()
                last = exc
                if port:
                    raise
                continue
            self._servers = [udp, tcp]
            for s in self._servers:
                # A short poll interval: shutdown() waits for it, and tests stop many servers.
                s.thread = threading.Thread(target=s.server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"fake-dns-{self.host}:{chosen}", daemon=True)
                s.thread.start()
            return chosen
        raise OSError(f"no free port for UDP and TCP on {self.host}: {last}")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.release.set()
        for s in self._servers:
            s.server.shutdown()
            s.server.server_close()
            s.thread.join(timeout=5)

    def __enter__(self) -> FakeDns:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def free_host_port() -> tuple[str, int]:
    """A loopback address and a port nothing listens on (for 'nameserver unreachable' cases)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return "127.0.0.1", int(s.getsockname()[1])
