#!/usr/bin/env python3
"""Silent network for the "everything blackholed" benchmark: TCP ports whose SYNs are dropped and UDP ports that
read and never answer, on the addresses given (inside the namespace world only). Readiness: TCP on READY accepts.

Usage: python bench/blackholes.py READY_HOST:PORT tcp:HOST:PORT... udp:HOST:PORT...
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.blackhole import Blackhole


def _udp_sink(host: str, port: int) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    while True:
        s.recv(4096)


def main(argv: list[str]) -> int:
    holes = []
    for spec in argv[1:]:
        proto, host, port = spec.split(":")
        if proto == "tcp":
            holes.append(Blackhole(host, int(port), mode="drop-syn").start())
        else:
            threading.Thread(target=_udp_sink, args=(host, int(port)), daemon=True).start()
    rhost, rport = argv[0].rsplit(":", 1)
    ready = Blackhole(rhost, int(rport), mode="accept").start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    for h in [*holes, ready]:
        h.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
