"""Input that ends at the command's --deadline: `decode -` and `merge -` read pipes that may never close
(`kubectl logs -f … | sigdoctor decode -`) or never send (`sleep 1000 | …`).

A read on a pipe, tty or socket first waits with `select` for at most the time left; when the deadline passes the
input is treated as ended and the cut is recorded, so the command reports what it read and says it was cut. Regular
files are read as they are: a read on one never waits for a writer.
"""

from __future__ import annotations

import io
import os
import select
import stat
import time
from dataclasses import field
from typing import Any

from sigdoctor.records import datarecord

_BLOCK = 1 << 20


@datarecord
class ReadDeadline:
    """One --deadline for all of a command's input, counted from when the command started reading."""

    seconds: float
    end: float = field(init=False)
    cut: bool = False  # some input was still open when the deadline passed
    cut_after_bytes: int = 0
    cut_sources: list[str] = field(default_factory=list)  # the inputs cut, by name ("stdin", a FIFO's path)
    cut_reports: int = 0  # merge: reports read from those inputs before the cut

    def __post_init__(self) -> None:
        self.end = time.monotonic() + self.seconds

    def wrap(self, stream: Any) -> Any:
        """`stream` itself when reading it cannot wait (a regular file, no file descriptor), else a reader whose
        reads end at the deadline. Nothing may have been read from `stream` through its own buffer before."""
        try:
            fd = stream.fileno()
            mode = os.fstat(fd).st_mode
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return stream  # an in-memory stream (tests, embedding): it cannot block
        if stat.S_ISREG(mode):
            return stream
        return _TimedFd(fd, self)

    def lines(self, stream: Any) -> Any:
        """`stream` for `readline()`: as it is when it cannot wait, else buffered over a reader ending at the
        deadline."""
        timed = self.wrap(stream)
        return stream if timed is stream else io.BufferedReader(timed)

    @staticmethod
    def ended_here(stream: Any) -> bool:
        """Whether the deadline, not the writer, ended `stream` (one from `wrap` or `lines`)."""
        raw = getattr(stream, "raw", stream)
        return isinstance(raw, _TimedFd) and raw.cut_here


class _TimedFd(io.RawIOBase):
    def __init__(self, fd: int, deadline: ReadDeadline) -> None:
        self._fd = fd
        self._deadline = deadline
        self.bytes = 0
        self._ended = False
        self.cut_here = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        n = len(data)
        b[:n] = data
        return n

    def read(self, size: int | None = -1, /) -> bytes:
        if self._ended:
            return b""
        n = _BLOCK if size is None or size < 0 else size
        if n == 0:
            return b""
        left = self._deadline.end - time.monotonic()
        ready = left > 0 and select.select([self._fd], [], [], left)[0]
        if not ready:
            self._ended = self.cut_here = True
            self._deadline.cut = True
            self._deadline.cut_after_bytes += self.bytes
            return b""
        data = os.read(self._fd, n)
        if not data:
            self._ended = True
        self.bytes += len(data)
        return data
