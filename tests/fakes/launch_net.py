"""Several network fakes in one process, for the namespace world's `process` kind.

    python -m tests.fakes.launch_net SPEC.json

SPEC: {"ready": "HOST:PORT", "report": "PATH", "fakes": [...]} where each fake is one of
* {"kind": "aws", "address", "port", "config": FakeAws.to_config(), "cert": CHAIN.pem, "key": KEY.pem,
   "date_offset": s} — the SigV4-verifying fake AWS over TLS with that certificate; `date_offset` moves its clock
   (both its signature window and the `Date` header it sends), as an AWS whose time differs from ours;
* {"kind": "ntp", "address", "port", "offset", "mode"} — tests.fakes.ntp (mode ok | silent | kod | unsync);
* {"kind": "blackhole", "address", "port", "mode"} — tests.fakes.blackhole (accept | drop-syn);
* {"kind": "proxy", "address", "port", "mode"} — tests.fakes.proxy resolving names itself (pass | refuse | silent).

Every fake is started before the process listens on `ready` (UDP fakes give the world nothing to poll, so the
readiness port stands for all of them). On SIGTERM everything stops and `report` gets what the fakes saw
(AWS calls, secrets the fake AWS issued, NTP request counts, proxy CONNECTs).
"""

from __future__ import annotations

import http.server
import json
import signal
import socket
import ssl
import sys
import threading
from email.utils import formatdate
from typing import Any

from tests.fakes.aws_api import FakeAws
from tests.fakes.blackhole import Blackhole
from tests.fakes.ntp import NtpResponder
from tests.fakes.proxy import ForwardProxy


def _aws(f: dict[str, Any]) -> tuple[Any, Any]:
    fake = FakeAws.from_config(f["config"])
    fake.clock_offset = float(f.get("date_offset", 0.0))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f["cert"], f["key"])
    fake.start(f["address"], int(f.get("port", 443)), ctx)
    return fake, lambda: {"calls": fake.calls, "issued_secrets": fake.issued_secrets}


def _start(f: dict[str, Any]) -> tuple[Any, Any]:
    kind = f["kind"]
    if kind == "aws":
        return _aws(f)
    if kind == "ntp":
        ntp = NtpResponder(f["address"], int(f.get("port", 123)), float(f.get("offset", 0.0)),
                           f.get("mode", "ok")).start()
        return ntp, lambda: {"requests": ntp.requests}
    if kind == "blackhole":
        hole = Blackhole(f["address"], int(f["port"]), f.get("mode", "accept")).start()
        return hole, lambda: {"accepted": hole.accepted}
    if kind == "proxy":
        proxy = ForwardProxy(f.get("mode", "pass"), host=f["address"], port=int(f["port"]), resolve=True).start()
        return proxy, lambda: {"connects": proxy.connects}
    raise ValueError(f"unknown fake kind {kind!r}")


def _offset_dates(fakes: list[dict[str, Any]]) -> None:
    """FakeAws sends the standard library's Date (our clock): make it the fake's clock, as AWS sends its own.

    One process, one offset: a spec with AWS fakes on different clocks is refused."""
    offsets = {float(f.get("date_offset", 0.0)) for f in fakes if f["kind"] == "aws"}
    if len(offsets) > 1:
        raise ValueError(f"AWS fakes of one process share a clock; got offsets {sorted(offsets)}")
    offset = offsets.pop() if offsets else 0.0
    if offset:
        import time

        def date_time_string(self: Any, timestamp: float | None = None) -> str:
            return formatdate((time.time() + offset) if timestamp is None else timestamp, usegmt=True)

        http.server.BaseHTTPRequestHandler.date_time_string = date_time_string  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        spec = json.load(fh)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _offset_dates(spec["fakes"])
    running: list[tuple[dict[str, Any], Any, Any]] = []
    ready: socket.socket | None = None
    try:
        for f in spec["fakes"]:
            obj, report = _start(f)
            running.append((f, obj, report))
        host, _, port = spec["ready"].rpartition(":")
        ready = socket.create_server((host, int(port)))
        stop.wait()
    finally:
        if ready is not None:
            ready.close()
        seen = []
        for f, obj, report in reversed(running):
            obj.stop()
            seen.append({"kind": f["kind"], "address": f.get("address"), **report()})
        with open(spec["report"], "w", encoding="utf-8") as fh:
            json.dump(seen, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
