"""Fake NTP server (default: Amazon Time Sync, 169.254.169.123:123) that reports `time.time() + offset`."""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Any

from tests.world.servers.base import Running, ServerContext

_NTP_EPOCH = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def _ntp_ts(t: float) -> bytes:
    secs = int(t) + _NTP_EPOCH
    frac = int((t - int(t)) * 2**32)
    return struct.pack("!II", secs, frac)


class _Ntp(Running):
    def __init__(self, spec: dict[str, Any]) -> None:
        self.offset = float(spec.get("offset", 0.0))
        self.count = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((spec.get("address", "169.254.169.123"), int(spec.get("port", 123))))
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="fake-ntp", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) < 48:
                continue
            recv = time.time() + self.offset
            self.count += 1
            # LI=0, VN=4, mode=4 (server); stratum 3; the client's transmit timestamp becomes our originate.
            head = struct.pack("!BBbb", (0 << 6) | (4 << 3) | 4, 3, 4, -20) + b"\0" * 8 + b"AMZN"
            pkt = head + _ntp_ts(recv) + data[40:48] + _ntp_ts(recv) + _ntp_ts(time.time() + self.offset)
            self.sock.sendto(pkt, peer)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def report(self) -> dict[str, Any]:
        return {"requests": self.count}


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    return _Ntp(spec)
