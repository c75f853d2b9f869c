"""Reading another process through /proc: its environment, credentials, executable, command line and root.

Everything here raises PermissionError when the kernel refuses (another user's process without root, or a process
outside our PID namespace); the caller turns that into a usage error that says which privilege is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from sigdoctor import boundedio
from sigdoctor.records import datarecord

PROC = Path("/proc")
# /proc files report size 0: boundedio caps what is read. A process's environment and command line are limited by
# the kernel to a quarter of its stack limit (2 MiB by default) — more than ENVIRON_LIMIT is refused with
# boundedio.ReadRefused (an OSError), as is anything mounted over these files that is not a regular file.
ENVIRON_LIMIT = 8 * boundedio.MIB


@datarecord(frozen=True)
class ProcessInfo:
    pid: int
    name: str  # /proc/PID/comm (the kernel truncates it to 15 characters)
    exe: str | None  # the executable as the process's mount namespace names it; None when unreadable
    cmdline: tuple[str, ...]
    uid: int
    gid: int

    def line(self) -> str:
        """`pid name cmdline` — how a list of candidates shows it."""
        cmd = " ".join(self.cmdline) or f"[{self.name}]"
        return f"{self.pid} {self.name} {cmd[:120]}"


def _status_ids(pid: int, field: str) -> int:
    # "Uid:\treal\teffective\tsaved\tfs": the effective id decides which files the process may open.
    for line in boundedio.read_text(PROC / str(pid) / "status", boundedio.SMALL_LIMIT).splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[2])
    raise ValueError(f"no {field} in /proc/{pid}/status")


def info(pid: int) -> ProcessInfo:
    """What anyone may read about a process (no ptrace access needed); FileNotFoundError when it does not exist."""
    base = PROC / str(pid)
    name = boundedio.read_text(base / "comm", boundedio.SMALL_LIMIT, errors="replace").strip()
    try:
        raw = boundedio.read_bytes(base / "cmdline", ENVIRON_LIMIT)
    except OSError:
        raw = b""
    cmdline = tuple(a.decode("utf-8", "replace") for a in raw.split(b"\0") if a)
    try:
        exe: str | None = os.readlink(base / "exe")
    except OSError:
        exe = None
    return ProcessInfo(pid, name, exe, cmdline, _status_ids(pid, "Uid"), _status_ids(pid, "Gid"))


def environ(pid: int) -> dict[str, str]:
    """The environment the process was started with (later setenv() calls inside it are invisible here)."""
    raw = boundedio.read_bytes(PROC / str(pid) / "environ", ENVIRON_LIMIT)
    env: dict[str, str] = {}
    for item in raw.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode("utf-8", "surrogateescape")] = v.decode("utf-8", "surrogateescape")
    return env


def root(pid: int) -> Path:
    """Where we open the process's files: "/" when it shares our mount namespace and root, else /proc/PID/root.

    Comparing the root directories alone is not enough: a process in another mount namespace can have the same
    root directory with different mounts on top (a container's bind-mounted token files)."""
    base = PROC / str(pid)
    proc_root = base / "root"
    # Access to the root link needs the same privilege as environ; listing it proves we have it.
    os.listdir(proc_root)
    same_ns = os.readlink(base / "ns" / "mnt") == os.readlink(PROC / "self" / "ns" / "mnt")
    st_them, st_us = os.stat(proc_root), os.stat("/")
    if same_ns and (st_them.st_dev, st_them.st_ino) == (st_us.st_dev, st_us.st_ino):
        return Path("/")
    return proc_root


def passwd_home(root_dir: Path, uid: int) -> str | None:
    """The home directory of `uid` in the process's own /etc/passwd (a container has its own)."""
    try:
        text = boundedio.read_text(root_dir / "etc" / "passwd", boundedio.CONFIG_LIMIT, errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 6 and parts[2] == str(uid):
            return parts[5] or None
    return None


def pids() -> list[int]:
    return sorted(int(p.name) for p in PROC.iterdir() if p.name.isdigit())
