"""Reading files an attacker or an accident may have made hostile: a FIFO (open and read block forever), a device
(/dev/zero never ends), a file of gigabytes. Every read of a user-supplied path goes through here: regular files
only, opened non-blocking, at most `limit` bytes. A refusal is an OSError whose `strerror` says why in words a report
can quote ("is a FIFO, not a regular file")."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

KIB = 1024
MIB = 1024 * KIB

# Limits by what is read: generous for the real thing, small enough that a hostile input costs nothing.
CONFIG_LIMIT = 1 * MIB  # AWS config/credentials files, agent configs
AGENT_CONFIG_LIMIT = 16 * MIB  # Grafana Agent / Alloy / Prometheus / OTel configs (large ones are ~1 MiB)
TOKEN_LIMIT = 256 * KIB  # web identity / container tokens (real ones are 1–4 KiB)
SMALL_LIMIT = 64 * KIB  # /sys and /proc facts, SSO caches
REQUEST_LIMIT = 64 * MIB  # `sign --request` files (a remote_write batch can be large)
# Agent executables, mapped rather than read (agents are 100-400 MiB; only the build info pages are touched).
BINARY_LIMIT = 1024 * MIB


class ReadRefused(OSError):
    """The path is not something sigdoctor reads (not a regular file, or larger than the limit)."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def human(n: int) -> str:
    for unit, size in (("GiB", 1024 * MIB), ("MiB", MIB), ("KiB", KIB)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def open_regular(path: str | os.PathLike[str], limit: int) -> int:
    """A read-only descriptor of a regular file of at most `limit` bytes (the caller closes it); ReadRefused for
    anything else or anything larger. For readers that map or seek instead of reading the whole file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise ReadRefused(errno.EINVAL, f"is {_kind(st.st_mode)}, not a regular file", str(path))
        if st.st_size > limit:
            raise ReadRefused(errno.EFBIG, f"is {human(st.st_size)}, more than the {human(limit)} sigdoctor reads",
                              str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most `limit` bytes of a regular file; ReadRefused for anything else or anything larger."""
    fd = open_regular(path, limit)
    try:
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(limit + 1 - got, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # /proc files report size 0; files that grow while read
            raise ReadRefused(errno.EFBIG, f"is more than the {human(limit)} sigdoctor reads", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int, *, errors: str = "strict") -> str:
    return read_bytes(path, limit).decode("utf-8", errors)


def check_regular(path: str | os.PathLike[str], limit: int) -> None:
    """Raise ReadRefused unless `path` is a regular file of at most `limit` bytes (for files a library will open
    itself, e.g. botocore's config parser). Missing files raise FileNotFoundError."""
    st = Path(path).stat()
    if not stat.S_ISREG(st.st_mode):
        raise ReadRefused(errno.EINVAL, f"is {_kind(st.st_mode)}, not a regular file", str(path))
    if st.st_size > limit:
        raise ReadRefused(errno.EFBIG, f"is {human(st.st_size)}, more than the {human(limit)} sigdoctor reads",
                          str(path))


def bound_botocore_config() -> None:
    """Every botocore session in the process (not only the chain's) reads AWS_CONFIG_FILE and the credentials file
    through `configloader.raw_config_parse`, which would parse a 5 GiB file for minutes: one that is not a regular
    file of at most CONFIG_LIMIT is treated as absent, as botocore already treats a directory or /dev/null. The
    credentials probe reports why (creds/files.py)."""
    import botocore.configloader as cl
    from botocore.exceptions import ConfigNotFound

    original = cl.raw_config_parse
    if getattr(original, "sigdoctor_bounded", False):
        return

    def raw_config_parse(config_filename: Any, parse_subsections: bool = True) -> dict[str, object]:
        if config_filename is not None:
            path = os.path.expanduser(os.path.expandvars(config_filename))
            try:
                check_regular(path, CONFIG_LIMIT)
            except OSError:
                raise ConfigNotFound(path=path) from None
        result: dict[str, object] = original(config_filename, parse_subsections)
        return result

    raw_config_parse.sigdoctor_bounded = True  # type: ignore[attr-defined]
    cl.raw_config_parse = raw_config_parse
