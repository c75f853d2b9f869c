"""Fake recursive resolver on 127.0.0.53:53 (UDP and TCP), the only one the world's /etc/resolv.conf names.

Records: `{"name": "sts.us-east-1.amazonaws.com", "type": "A", "value": "52.94.0.20"}`; `name` may be a shell
pattern (`*.us-east-1.amazonaws.com`). `{"name": ..., "type": "NXDOMAIN"|"SERVFAIL"|"TIMEOUT"}` force an outcome.
Names with no record are NXDOMAIN; a name that has records of another type answers NOERROR with no data.
"""

from __future__ import annotations

import contextlib
import fnmatch
import threading
from typing import Any

from dnslib import QTYPE, RCODE, RR, DNSRecord  # type: ignore[import-untyped]
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer  # type: ignore[import-untyped]

from tests.world.servers.base import Running, ServerContext


class _Drop(Exception):
    """Raised by the resolver to send no answer at all (a resolver timeout, as the client sees it)."""


class _Handler(DNSHandler):  # type: ignore[misc]
    def handle(self) -> None:
        with contextlib.suppress(_Drop):
            super().handle()


class _Resolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, records: list[dict[str, Any]], log: list[dict[str, str]], release: threading.Event):
        self.records = records
        self.log = log
        self.release = release

    def _matching(self, qname: str) -> list[dict[str, Any]]:
        return [r for r in self.records if fnmatch.fnmatchcase(qname, r["name"].lower().rstrip("."))]

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        qname = str(request.q.qname).lower().rstrip(".")
        qtype = QTYPE[request.q.qtype]
        self.log.append({"name": qname, "type": qtype})
        name, seen = qname, 0
        while seen < 8:  # follow CNAMEs we serve ourselves, like a recursive resolver would
            recs = self._matching(name)
            forced = [r for r in recs if r["type"] in ("NXDOMAIN", "SERVFAIL", "TIMEOUT")]
            if forced:
                kind = forced[0]["type"]
                if kind == "TIMEOUT":
                    self.release.wait()
                    raise _Drop
                reply.header.rcode = RCODE.NXDOMAIN if kind == "NXDOMAIN" else RCODE.SERVFAIL
                return reply
            if not recs:
                if seen == 0:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
            cname = [r for r in recs if r["type"] == "CNAME"]
            if cname and qtype != "CNAME":
                target = cname[0]["value"].rstrip(".")
                reply.add_answer(*RR.fromZone(f"{name}. {cname[0].get('ttl', 60)} IN CNAME {target}."))
                name, seen = target.lower(), seen + 1
                continue
            for r in recs:
                if r["type"] == qtype:
                    reply.add_answer(*RR.fromZone(f"{name}. {r.get('ttl', 60)} IN {r['type']} {r['value']}"))
            return reply
        return reply


class _Dns(Running):
    def __init__(self, spec: dict[str, Any]) -> None:
        self.log: list[dict[str, str]] = []
        self.release = threading.Event()
        resolver = _Resolver(spec.get("records", []), self.log, self.release)
        address, port = spec.get("address", "127.0.0.53"), int(spec.get("port", 53))
        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        self.servers = [DNSServer(resolver, address=address, port=port, tcp=tcp, logger=quiet,
                                  handler=_Handler) for tcp in (False, True)]
        for s in self.servers:
            s.server.daemon_threads = True
            s.start_thread()

    def stop(self) -> None:
        self.release.set()
        for s in self.servers:
            s.stop()
            s.server.server_close()

    def report(self) -> dict[str, Any]:
        return {"queries": self.log}


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    return _Dns(spec)
