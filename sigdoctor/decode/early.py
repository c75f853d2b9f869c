"""The tail child of `sigdoctor decode FILE`, forked before the CLI and the readings are imported.

A large file's tail is scanned by a forked child while this process reads the head (tailscan.py). Forked from
`decode_stream`, the child started only after this process had imported typer, the CLI and every reading (~0.13 s
of CPU, most of a 100 MB decode's wall time on a second core that stood idle). `entry.py` calls `start` first thing
for `decode`: it finds the FILE argument, builds the prefilter's scanner from the error table's JSON copy (the
words `reader.SCANNER` is built from, see reader.py's `_kept_words`) and forks the child on a larger share of the
file, as this process has all of its start-up still to do. `claim` hands the child over to `decode_stream` — only
for the very file it opens (same device and inode, read from offset 0) and the prefilter's own scanner (the same
object: `scan.scanner` builds one per word list); anything else closes it and the usual late child (or none) is
used. The child finds what the late one would (where the words stand is a property of the bytes alone): the
report is the same, only sooner. A decode that ends before `claim` (a usage error) leaves it to entry.py, which
kills its children at exit.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading

from sigdoctor.decode import tailscan
from sigdoctor.decode.scan import Scanner, scanner

# The child's share when it starts before the imports: the parent still imports the CLI and the readings, makes the
# table's first readings and reads the tail's records (~0.15 s of CPU with recache.py's regexes) beside the ~0.35 s
# the two scans of a 100 MB log cost together, so the two end together near 0.7 (critical path = max(parent CPU,
# CPU at the fork + the child's): 0.65 / 0.75 / 0.85 measured 0.368 / 0.390 / 0.406 s, load 8, 7 runs each).
TAIL_SHARE = 0.7
# decode's options that take a value (`--format json`, `-o FILE`); any other option keeps the late child.
_VALUED = frozenset({"--client", "--deadline", "--format", "--output", "-o"})
_FLAGS = frozenset({"--no-color", "--verbose", "-v", "--debug"})

_pending: tuple[int, int, Scanner, tailscan.TailScan] | None = None


def file_argument(args: list[str]) -> str | None:
    """The FILE of `decode`'s arguments (after the word `decode`), or None when there is none (stdin), or when the
    arguments are anything but the plain options above: then the CLI's own parser decides, and the late child is
    used."""
    found: list[str] = []
    it = iter(args)
    for a in it:
        if a in _VALUED:
            if next(it, None) is None:
                return None
        elif a in _FLAGS or (a.startswith("--") and a.split("=", 1)[0] in _VALUED):
            continue
        elif a.startswith("-"):
            return None  # `-` (stdin), --help, `--`, an unknown or combined option
        else:
            found.append(a)
    return found[0] if len(found) == 1 else None


def start(args: list[str]) -> None:
    """Fork the tail child for the FILE of `decode`'s arguments when it is a large plain file; never raises."""
    global _pending
    path = file_argument(args)
    if path is None or not hasattr(os, "fork") or threading.active_count() > 1:
        return
    with contextlib.suppress(Exception):  # anything unexpected: the late child, as before
        from sigdoctor.resources import errors_dir
        from sigdoctor.tomlcache import derived

        kept = derived(errors_dir()).get("prefilter", {})
        words = kept.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            return
        # Looked at before it is opened: opening a named pipe waits for its writer, and closing it again before
        # the CLI opens it could leave that writer without a reader.
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size < tailscan.MIN_SIZE:
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            size = st.st_size
            if not stat.S_ISREG(st.st_mode) or size < tailscan.MIN_SIZE or _not_plain(os.pread(fd, 4, 0)):
                return
            sc = scanner(words, kept.get("scanner"))
            if sc.literals:
                return
            tail = tailscan.TailScan(sc, fd, 0, int(size * (1 - TAIL_SHARE)), size)
            _pending = (st.st_dev, st.st_ino, sc, tail)
        finally:
            os.close(fd)  # the child has its own copy


def _not_plain(head: bytes) -> bool:
    """gzip or UTF-16 (prepare_stream's other readers): their tail is not the file's bytes."""
    return head.startswith((b"\x1f\x8b", b"\xff\xfe", b"\xfe\xff"))


def claim(sc: Scanner, stream: object, base: int | None) -> tailscan.TailScan | None:
    """The early child, when it scans `stream` (read from `base`) with `sc`; else None (and it is stopped)."""
    global _pending
    pending, _pending = _pending, None
    if pending is None:
        return None
    dev, ino, built, tail = pending
    try:
        st = os.fstat(stream.fileno())  # type: ignore[attr-defined]
        mine = base == 0 and (st.st_dev, st.st_ino) == (dev, ino) and built is sc
    except (AttributeError, OSError, ValueError):
        mine = False
    if not mine:
        tail.close()
        return None
    return tail
