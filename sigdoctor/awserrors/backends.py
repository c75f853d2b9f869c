"""S3-compatible servers that are not AWS (checks/errors/backends.toml): an error they answer follows AWS's format,
but its cause is that server's own, so no AWS cause is named as an error for it."""

from __future__ import annotations

import functools
import ipaddress
import re

from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed

_FILE = "backends.toml"


@datarecord(frozen=True)
class Backend:
    name: str
    hosts: tuple[re.Pattern[str], ...]
    marks: tuple[re.Pattern[str], ...]
    source: tuple[str, ...]
    names: tuple[re.Pattern[str], ...] = ()  # the product's own name, also read in the lines before the error


@datarecord(frozen=True)
class Recognised:
    name: str
    by: str  # what in the text showed it: the host, or the mark's own text


@functools.cache
def backends() -> tuple[Backend, ...]:
    data = parsed(errors_dir() / _FILE)
    out = []
    for raw in data.get("backend", []):
        if not raw.get("source"):
            raise ValueError(f"{_FILE}: {raw.get('name')}: no source")
        out.append(Backend(raw["name"], tuple(re.compile(h, re.I) for h in raw.get("hosts", [])),
                           tuple(re.compile(m) for m in raw.get("marks", [])), tuple(raw["source"]),
                           tuple(re.compile(rf"(?<![\w.-])(?:{n})(?![\w-])", re.I) for n in raw.get("names", []))))
    return tuple(out)


def private_endpoint(host: str | None) -> str | None:
    """`host` when it is an address of a private network (RFC 1918) with a port other than HTTPS's: AWS's endpoints
    are public names on 443 (or 80), so a server answering there is one on the user's own network — an S3-compatible
    store (MinIO listens on 9000, a Kubernetes NodePort is 30000-32767) or a proxy of the user's in front of AWS."""
    if not host:
        return None
    addr, _, port = host.rpartition(":")
    if not addr or not port.isdigit() or port in ("443", "80"):
        return None
    try:
        ip = ipaddress.ip_address(addr.strip("[]"))
    except ValueError:
        return None
    # is_private also covers loopback and link-local (a local signing proxy, instance metadata): not those.
    if ip.version != 4 or not ip.is_private or ip.is_loopback or ip.is_link_local:
        return None
    return host


def recognise(text: str, host: str | None, before: str = "") -> Recognised | None:
    """The non-AWS server `text` (an error and the lines around it) was answered by, if it shows one. A mark is
    also looked for with every run of whitespace one space: a paste that doubled spaces or wrapped a line hides no
    server. A product's name is also looked for in `before`, the lines the reporter wrote above the error."""
    flat = " ".join(text.split())
    around = " ".join(f"{before}\n{text}".split()) if before else flat
    for b in backends():
        if host and any(h.search(host) for h in b.hosts):
            return Recognised(b.name, f"the endpoint {host}")
        for m in b.marks:
            found = m.search(text) or (m.search(flat) if flat != text else None)
            if found:
                return Recognised(b.name, f"'{found.group(0)[:60]}'")
        for n in b.names:
            if found := n.search(around):
                return Recognised(b.name, f"the name '{found.group(0)[:60]}' in the text")
    return None
