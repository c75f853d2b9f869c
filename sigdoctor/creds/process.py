"""Running a profile's `credential_process` without trusting it: bounded in time and output, its process group
killed on timeout and on Ctrl-C, and its stderr never quoted verbatim.

botocore runs the helper with `Popen(...).communicate()` — no time limit, everything buffered — and puts the whole
stderr into the error message. Here stdout is capped (credentials are a few KiB of JSON), stderr keeps its first
lines only, shell trace lines (`set -x`: `+ SECRET=…`) are dropped, and secret-looking words are masked before
botocore ever sees the text.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import threading
import time

from sigdoctor.boundedio import KIB, MIB, human
from sigdoctor.redact import MASK, process_redactor

STDOUT_LIMIT = 1 * MIB
STDERR_KEEP = 2 * KIB  # what is kept for the report; the rest is read and dropped
_STDERR_LINES = 5

# High-entropy words: ≥ 20 characters of a base64/hex alphabet with both letters and digits (keys, tokens,
# passwords a helper echoes). Paths and ordinary words don't qualify.
_SECRETISH = re.compile(r"(?<![A-Za-z0-9+/=_-])(?=[A-Za-z0-9+/=_-]*[0-9])(?=[A-Za-z0-9+/=_-]*[A-Za-z])"
                        r"[A-Za-z0-9+/=_-]{20,}(?![A-Za-z0-9+/=_-])")
_ASSIGNMENT = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*=)(\S+)")

_children: set[int] = set()  # process group ids of helpers still running
_lock = threading.Lock()


class ProcessTimeout(Exception):
    pass


class ProcessOutputTooLarge(Exception):
    pass


def scrub_stderr(data: bytes, dropped: int = 0) -> bytes:
    """The part of a helper's stderr a report may quote: a few non-trace lines, secret-looking words masked."""
    text = process_redactor().text(data.decode("utf-8", "replace"))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    trace = [ln for ln in lines if ln.lstrip().startswith("+")]
    kept = [ln for ln in lines if not ln.lstrip().startswith("+")][:_STDERR_LINES]
    kept = [_ASSIGNMENT.sub(lambda m: m.group(1) + MASK, _SECRETISH.sub(MASK, ln))[:300] for ln in kept]
    notes = []
    if trace:
        notes.append(f"({len(trace)} shell trace line(s) not shown)")
    more = len(lines) - len(trace) - len(kept)
    if more > 0 or dropped:
        notes.append(f"({more} more line(s), {human(dropped)} not read)" if dropped else f"({more} more line(s))")
    return "\n".join(kept + notes).encode()


def communicate(proc: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bytes]:
    """stdout (≤ STDOUT_LIMIT) and scrubbed stderr of `proc`, within `timeout` seconds; the process group is
    killed on timeout, on too much output, and if this thread is interrupted."""
    with _lock:
        _children.add(proc.pid)
    try:
        return _collect(proc, time.monotonic() + timeout, timeout)
    finally:
        with _lock:
            _children.discard(proc.pid)


def _collect(proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> tuple[bytes, bytes]:
    out, err = bytearray(), bytearray()
    dropped = 0
    sel = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            sel.register(stream, selectors.EVENT_READ)
    try:
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                kill_group(proc)
                raise ProcessTimeout(f"did not finish within {timeout:.1f}s")
            for key, _ in sel.select(min(left, 0.5)):
                chunk = os.read(key.fd, 64 * KIB)
                if not chunk:
                    sel.unregister(key.fileobj)
                elif key.fileobj is proc.stdout:
                    out += chunk
                    if len(out) > STDOUT_LIMIT:
                        kill_group(proc)
                        raise ProcessOutputTooLarge(
                            f"wrote more than {human(STDOUT_LIMIT)} to stdout")
                else:
                    keep = max(0, STDERR_KEEP - len(err))
                    err += chunk[:keep]
                    dropped += len(chunk) - min(len(chunk), keep)
        proc.wait(max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ProcessTimeout(f"did not exit within {timeout:.1f}s") from None
    except BaseException:
        kill_group(proc)
        raise
    finally:
        sel.close()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    process_redactor().learn(out.decode("utf-8", "replace"))
    return bytes(out), scrub_stderr(bytes(err), dropped)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The whole process group: a shell script's children would otherwise keep running (and the pipes open)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        with contextlib.suppress(OSError):
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(2)


def kill_running() -> None:
    """On exit or Ctrl-C: no helper outlives sigdoctor (they run in their own session, out of reach of the
    terminal's SIGINT)."""
    with _lock:
        groups = list(_children)
        _children.clear()
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
