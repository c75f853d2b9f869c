"""A fake NTP server whose clock is `offset` seconds off ours.

    with NtpResponder("127.0.0.1", 0, offset=90.0) as ntp:
        ctx.ntp_servers = [ntp.server]        # "127.0.0.1:PORT"

mode: "ok" (answer), "silent" (read and never answer), "kod" (kiss-of-death RATE, stratum 0),
"unsync" (leap indicator 3: the server admits it has no time). Safe to start and stop from any thread.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from types import TracebackType

_NTP_EPOCH = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def _ntp_ts(t: float) -> bytes:
    return struct.pack("!II", int(t) + _NTP_EPOCH, int((t - int(t)) * 2**32))


class NtpResponder:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, offset: float = 0.0, mode: str = "ok",
                 stratum: int = 3, refid: bytes = b"FAKE") -> None:
        if mode not in ("ok", "silent", "kod", "unsync"):
            raise ValueError(mode)
        self.offset, self.mode, self.stratum, self.refid = offset, mode, stratum, refid
        self.requests = 0
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.1)
        self.host, self.port = host, self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"fake-ntp-{self.port}", daemon=True)

    @property
    def server(self) -> str:
        """The `--ntp-server` value that reaches this responder."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) < 48:
                continue
            self.requests += 1
            if self.mode == "silent":
                continue
            now = time.time() + self.offset
            leap = 3 if self.mode == "unsync" else 0
            stratum = 0 if self.mode == "kod" else self.stratum
            refid = b"RATE" if self.mode == "kod" else self.refid
            head = struct.pack("!BBbb", (leap << 6) | (4 << 3) | 4, stratum, 4, -20) + b"\0" * 8 + refid
            # reference, originate (= the client's transmit), receive, transmit
            packet = head + _ntp_ts(now) + data[40:48] + _ntp_ts(now) + _ntp_ts(time.time() + self.offset)
            try:
                self.sock.sendto(packet, peer)
            except OSError:
                return

    def start(self) -> NtpResponder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.sock.close()

    def __enter__(self) -> NtpResponder:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
