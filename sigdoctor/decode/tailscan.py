"""The anchor positions of a large log file's tail, found by a forked child while this process reads the head.

Scanning (`scan.Scanner`: a `bytes.translate` and two regex passes per block) is most of what `decode` costs on a
large file, and a second core is usually idle. Where the scanner's words stand is a property of the bytes alone —
a word is reported at the place of its pass's lead, whatever block it falls in — so a child can find them in the
tail of the file while this process scans the head, and this process then reads the tail without scanning it: the
same positions, hence the same records, in the same order. The child also counts the newlines of what it scans
and sends the running count at every few KB, so this process numbers a record's lines by counting from the nearest
such mark only (CPython counts a byte with a plain loop: counting every newline of the tail cost it as much as
reading it). Only a plain regular file is split this way (read by
offset, `os.pread`); pipes, gzip and UTF-16 input are scanned here. Whenever the child's answer is missing or
incomplete (no fork on this platform, the child died, too many hits to hand over), this process scans the tail
itself: slower, never different.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import os
import select
import signal
import stat
import struct
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sigdoctor.decode.scan import Scanner

# Below this size the fork costs more than it saves (a 100 MB log: the scan is ~0.3 s of CPU).
MIN_SIZE = 32 << 20
# The child takes this share of the file: this process also reads and cuts records from the tail, and its first
# call into each rule costs it more than the child. At 0.65 the two were even (bench/decode.py --split: 0.212 s
# parent / 0.210 s child CPU) until the error table stopped compiling a fifth of its entries on a log's first records
# (pass 9): then 0.191 s / 0.217 s, and even again near 0.6 (both timed alone, 100 MB bench log, load 7-10).
TAIL_SHARE = 0.6
# The child's block: a frame every ~1.5 ms of its CPU, so this process, once it has caught up, waits briefly.
_READ = 256 << 10
# How long this process waits for the child's next block before it scans on alone: about what scanning a block of
# its own costs it, so waiting never costs more than not waiting (on a busy machine the child may get no CPU).
WAIT = 0.01
_DONE = -1  # the count of the last frame
# The child's newline marks: this process counts at most this many bytes to a record's line from the mark before it.
MARK_EVERY = 8 << 10
# The pipe's capacity: the child writes ~560 bytes of frames per 256 KB it scans, and this process reads them only
# once it reaches the tail. Linux's default 64 KB pipe filled after ~30 MB and stopped the child half-way, so the two
# scans ran one after the other (100 MB: the child's 0.22 s of CPU took 0.31 s of wall). 1 MB is Linux's default
# pipe-max-size for an unprivileged process and lets the child run ~450 MB ahead; past that it waits, as before.
PIPE_SIZE = 1 << 20


class TailScan:
    """Positions of `scanner`'s words in [start, end) of a regular file (offsets from `base`), from a child.

    The child sends a frame per block it scanned — (count, offset up to which it is complete, number of marks,
    positions…, then (offset, newlines in [start, offset)) per mark) as native 64-bit integers — so this process uses the first blocks while the child scans the next ones, and a pipe
    it does not read yet holds the child back (memory stays flat however many hits the tail has)."""

    def __init__(self, scanner: Scanner, fd: int, base: int, start: int, end: int) -> None:
        self.start = start
        # A word that straddles where the child stopped reading is left to this process (the file may grow).
        self.end = end - scanner.longest
        self._found: array.array[int] = array.array("q")
        self._complete = start  # positions below this are all in _found
        # Newline marks: the newlines in [start, _marks[i]) number _lines[i]. Unlike positions, the marks received
        # stay good when the child stops short: they cover a prefix of the tail.
        self._marks = array.array("q", [start])
        self._lines = array.array("q", [0])
        self._pending = bytearray()
        self._failed = False
        read_end, write_end = os.pipe()
        with contextlib.suppress(ImportError, AttributeError, OSError):  # not Linux, or a lower pipe-max-size:
            import fcntl  # the default pipe then, as before

            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; coverage does not follow a fork
            code = 0
            try:
                os.close(read_end)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _scan(scanner, fd, base, start, end, write_end)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid: int | None = pid
        self._pipe = read_end

    def positions(self, lo: int, hi: int) -> list[int] | None:
        """The positions in [lo, hi) ⊆ [start, end), ascending, or None when the child's answer stopped short."""
        while self._complete < hi and not self._failed:
            self._receive()
        if self._complete < hi:
            return None
        found = self._found
        i = bisect.bisect_left(found, lo)
        out = found[i:bisect.bisect_left(found, hi)].tolist()
        if i > 4096:  # requests come in ascending order: what lies below lo is done with
            del found[:i]
        return out

    def newlines(self, lo: int, hi: int) -> tuple[int, int, int] | None:
        """(a, b, n): lo <= a <= b <= hi, the newlines in [a, b) number n, and a and b are marks, the nearest
        inside [lo, hi) the child has sent so far; None when no mark lies there. Never waits for the child."""
        marks = self._marks
        i = bisect.bisect_left(marks, lo)
        j = bisect.bisect_right(marks, hi) - 1
        if j < i:
            return None
        out = (marks[i], marks[j], self._lines[j] - self._lines[i])
        if i > 4096:  # requests come in ascending order: what lies below lo is done with
            del marks[:i]
            del self._lines[:i]
        return out

    def _receive(self) -> None:
        try:
            ready = select.select([self._pipe], [], [], WAIT)[0]
            chunk = os.read(self._pipe, 1 << 16) if ready else b""
        except OSError:
            chunk = b""
        if not chunk:
            # The child ended (or died) before covering what is asked, or is not getting a CPU (a busy machine):
            # this process goes on alone rather than wait.
            self._failed = True
            self.close()
            return
        self._pending += chunk
        while len(self._pending) >= 24:
            count, complete, nmarks = struct.unpack_from("=qqq", self._pending)
            if count == _DONE:
                self._pending.clear()
                self.close()
                return
            at = 24 + 8 * count
            size = at + 16 * nmarks
            if len(self._pending) < size:
                return
            self._found.frombytes(self._pending[24:at])
            pairs = array.array("q", self._pending[at:size])
            self._marks.extend(pairs[0::2])
            self._lines.extend(pairs[1::2])
            del self._pending[:size]
            self._complete = complete

    def close(self) -> None:
        """Stop and reap the child (a decode that ends early must not leave it scanning)."""
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = None
        if self._pipe >= 0:
            with contextlib.suppress(OSError):
                os.close(self._pipe)
            self._pipe = -1


def offset(stream: object) -> int | None:
    """Where `stream` stands in its file before anything is read from it (None: not a file with offsets)."""
    try:
        return int(stream.tell())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


def start(scanner: Scanner, stream: object, base: int | None) -> TailScan | None:
    """A child scanning the tail of `stream` when it is a large regular file that was at offset `base` when reading
    began; else None."""
    if base is None or not hasattr(os, "fork") or scanner.literals or threading.active_count() > 1:
        # No fork (Windows); literal passes report non-overlapping matches, which depend on where a search starts;
        # forking a process with threads is unsafe.
        return None
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        st = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    size = st.st_size - base
    if not stat.S_ISREG(st.st_mode) or size < MIN_SIZE:
        return None
    try:
        return TailScan(scanner, fd, base, int(size * (1 - TAIL_SHARE)), size)
    except OSError:
        return None


def _scan(scanner: Scanner, fd: int, base: int, start: int, end: int, out: int) -> None:
    pad = scanner.longest
    pos = start
    lines = 0  # newlines in [start, pos)
    while pos < end:
        stop = min(end, pos + _READ)
        first = max(0, pos - pad)  # the part of a word before its lead
        data = os.pread(fd, stop + pad - first, base + first)
        if first + len(data) < stop:
            return  # the file shrank: no frame covers `end`, so this process scans the rest itself
        found = array.array("q", (first + p for p in scanner.positions(data, scanner.mapped(data), pos - first,
                                                                       stop - first)))
        marks = array.array("q")
        for a in range(pos, stop, MARK_EVERY):
            b = min(stop, a + MARK_EVERY)
            lines += data.count(b"\n", a - first, b - first)
            marks.extend((b, lines))
        _write(out, struct.pack("=qqq", len(found), stop, len(marks) // 2) + found.tobytes() + marks.tobytes())
        pos = stop
    _write(out, struct.pack("=qqq", _DONE, end, 0))


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
