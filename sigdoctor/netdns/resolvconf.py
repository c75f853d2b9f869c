"""Parse /etc/resolv.conf and /etc/hosts the way glibc (and Go's pure resolver) read them.

Only what changes which queries go where is kept: nameservers, the search list, ndots, timeout, attempts and the
options that alter lookup behaviour. Unknown lines are kept as notes, never errors: a resolver ignores them too.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import field
from pathlib import Path

from sigdoctor import boundedio
from sigdoctor.records import datarecord

# resolv.conf and nsswitch.conf are a few lines; /etc/hosts can be a multi-megabyte block list. Past these (or a
# FIFO / device bind-mounted there) the file is not read, and the dns probe says so (dns.system-file-unreadable).
SYSTEM_FILE_LIMIT = boundedio.CONFIG_LIMIT
HOSTS_LIMIT = boundedio.AGENT_CONFIG_LIMIT


def _read(path: Path, limit: int, problems: list[str] | None) -> str:
    """The file's text; OSError as it was. A refusal (not a regular file, too big) is also added to `problems`."""
    try:
        return boundedio.read_text(path, limit, errors="replace")
    except boundedio.ReadRefused as exc:
        if problems is not None:
            problems.append(f"{path} {exc.strerror}: not read")
        raise

# glibc's MAXNS: further nameserver lines are ignored (Go applies the same limit).
MAX_NAMESERVERS = 3
# glibc's RES_MAXNDOTS; Go caps at the same value.
MAX_NDOTS = 15


@datarecord
class ResolvConf:
    path: str
    exists: bool = True
    nameservers: list[str] = field(default_factory=list)
    # Nameserver lines past MAX_NAMESERVERS: listed so the report can say they are never used.
    ignored_nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    search_from: str = "resolv.conf"  # resolv.conf | hostname | LOCALDOMAIN | none
    ndots: int = 1
    timeout_s: int = 5
    attempts: int = 2
    options: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def defaulted_nameservers(self) -> bool:
        return not self.nameservers


def _int_option(value: str, default: int, low: int, high: int) -> int:
    digits = ""
    for ch in value:
        if not ch.isdigit():
            break
        digits += ch
    if not digits:
        return default
    return max(low, min(high, int(digits)))


def _apply_options(conf: ResolvConf, words: list[str]) -> None:
    for opt in words:
        if opt.startswith("ndots:"):
            conf.ndots = _int_option(opt[6:], conf.ndots, 0, MAX_NDOTS)
        elif opt.startswith("timeout:"):
            conf.timeout_s = _int_option(opt[8:], conf.timeout_s, 1, 30)
        elif opt.startswith("attempts:"):
            conf.attempts = _int_option(opt[9:], conf.attempts, 1, 5)
        conf.options.append(opt)


def parse_resolv_conf(text: str, path: str = "/etc/resolv.conf", *, env: dict[str, str] | None = None,
                      hostname: str | None = None) -> ResolvConf:
    """`env` is the diagnosed process's environment: glibc honours LOCALDOMAIN and RES_OPTIONS over the file."""
    conf = ResolvConf(path=path)
    search_seen = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        words = line.split()
        key, args = words[0], words[1:]
        if key == "nameserver" and args:
            addr = args[0]
            try:
                ipaddress.ip_address(addr.split("%", 1)[0])
            except ValueError:
                conf.notes.append(f"nameserver {addr!r} is not an IP address; resolvers ignore it")
                continue
            if len(conf.nameservers) < MAX_NAMESERVERS:
                conf.nameservers.append(addr)
            else:
                conf.ignored_nameservers.append(addr)
        elif key in ("search", "domain"):
            # The last search/domain line wins, in glibc and in Go.
            conf.search = [d.rstrip(".") for d in (args if key == "search" else args[:1]) if d.rstrip(".")]
            search_seen = True
        elif key == "options":
            _apply_options(conf, args)
    if env and env.get("LOCALDOMAIN"):
        conf.search = [d.rstrip(".") for d in env["LOCALDOMAIN"].split() if d.rstrip(".")]
        conf.search_from = "LOCALDOMAIN"
        search_seen = True
    if env and env.get("RES_OPTIONS"):
        _apply_options(conf, env["RES_OPTIONS"].split())
        conf.notes.append(f"RES_OPTIONS={env['RES_OPTIONS']} overrides the file's options (glibc)")
    if not search_seen:
        # Without search/domain both glibc and Go search the domain part of the host name.
        name = hostname if hostname is not None else socket.gethostname()
        if "." in name.strip("."):
            conf.search = [name.strip(".").split(".", 1)[1]]
            conf.search_from = "hostname"
        else:
            conf.search_from = "none"
    if conf.ignored_nameservers:
        conf.notes.append(
            f"only the first {MAX_NAMESERVERS} nameservers are used; ignored: {', '.join(conf.ignored_nameservers)}"
        )
    return conf


def read_resolv_conf(path: Path, shown_as: str = "/etc/resolv.conf", *, env: dict[str, str] | None = None,
                     hostname: str | None = None, problems: list[str] | None = None) -> ResolvConf:
    try:
        text = _read(path, SYSTEM_FILE_LIMIT, problems)
    except OSError as exc:
        conf = parse_resolv_conf("", shown_as, env=env, hostname=hostname)
        conf.exists = False
        conf.notes.append(f"{shown_as} unreadable ({exc.strerror or exc}); resolvers fall back to 127.0.0.1")
        return conf
    return parse_resolv_conf(text, shown_as, env=env, hostname=hostname)


def effective_nameservers(conf: ResolvConf) -> list[str]:
    """Where queries go: the file's nameservers, or the loopback default both glibc and Go fall back to."""
    return conf.nameservers or ["127.0.0.1"]


@datarecord(frozen=True)
class HostsEntry:
    line_no: int
    address: str
    names: tuple[str, ...]
    line: str


def parse_hosts(text: str) -> list[HostsEntry]:
    entries = []
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        words = line.split()
        if len(words) < 2:
            continue
        try:
            ipaddress.ip_address(words[0].split("%", 1)[0])
        except ValueError:
            continue
        entries.append(HostsEntry(no, words[0], tuple(n.lower().rstrip(".") for n in words[1:]), raw.strip()))
    return entries


def read_hosts(path: Path, problems: list[str] | None = None) -> list[HostsEntry]:
    try:
        return parse_hosts(_read(path, HOSTS_LIMIT, problems))
    except OSError:
        return []


def hosts_lines_for(entries: list[HostsEntry], name: str) -> list[HostsEntry]:
    """Every /etc/hosts line that names `name` (case-insensitive, trailing dot ignored), in file order."""
    want = name.lower().rstrip(".")
    return [e for e in entries if want in e.names]


def nsswitch_hosts(path: Path, problems: list[str] | None = None) -> list[str] | None:
    """The `hosts:` sources of nsswitch.conf (e.g. ["files", "dns"]), or None when the file or line is absent."""
    try:
        text = _read(path, SYSTEM_FILE_LIMIT, problems)
    except OSError:
        return None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("hosts:"):
            return [w for w in line[6:].split() if not w.startswith("[")]
    return None
