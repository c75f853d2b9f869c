"""TCP listeners that never answer.

    with Blackhole() as b:            # accepts every connection, never sends a byte (a TLS handshake times out)
        b.port, b.accepted
    with Blackhole(mode="drop-syn") as b:   # the accept queue is full: new SYNs are dropped, connect() times out

"drop-syn" needs no firewall: a listener with backlog 0 whose queue we fill ourselves, so Linux drops further
SYNs and the client's connect waits for retransmissions — a silent port without leaving loopback.
Start and stop from any thread; every connection is closed on stop.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Blackhole:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, mode: str = "accept") -> None:
        self.mode = mode
        self.accepted = 0
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        self._listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host, port))
        self.host, self.port = host, int(self._listener.getsockname()[1])

    def start(self) -> Blackhole:
        if self.mode == "drop-syn":
            self._listener.listen(0)
            for _ in range(2):  # fill the accept queue (backlog 0 admits one; a second makes sure)
                filler = socket.socket(self._listener.family, socket.SOCK_STREAM)
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect((self.host, self.port))
                self._held.append(filler)
        else:
            self._listener.listen(64)
            self._listener.settimeout(0.1)
            self._thread = threading.Thread(target=self._loop, daemon=True, name="fake-blackhole")
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._listener.close()
        for s in self._held:
            with contextlib.suppress(OSError):
                s.close()

    def __enter__(self) -> Blackhole:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
