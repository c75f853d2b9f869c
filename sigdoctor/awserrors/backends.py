"""S3-compatible servers that are not AWS (checks/errors/backends.toml): an error they answer follows AWS's format,
but its cause is that server's own, so no AWS cause is named as an error for it."""

from __future__ import annotations

import functools
import re
import tomllib

from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir

_FILE = "backends.toml"


@datarecord(frozen=True)
class Backend:
    name: str
    hosts: tuple[re.Pattern[str], ...]
    marks: tuple[re.Pattern[str], ...]
    source: tuple[str, ...]


@datarecord(frozen=True)
class Recognised:
    name: str
    by: str  # what in the text showed it: the host, or the mark's own text


@functools.cache
def backends() -> tuple[Backend, ...]:
    data = tomllib.loads((errors_dir() / _FILE).read_text(encoding="utf-8"))
    out = []
    for raw in data.get("backend", []):
        if not raw.get("source"):
            raise ValueError(f"{_FILE}: {raw.get('name')}: no source")
        out.append(Backend(raw["name"], tuple(re.compile(h, re.I) for h in raw.get("hosts", [])),
                           tuple(re.compile(m) for m in raw.get("marks", [])), tuple(raw["source"])))
    return tuple(out)


def recognise(text: str, host: str | None) -> Recognised | None:
    """The non-AWS server `text` (an error and the lines around it) was answered by, if it shows one. A mark is
    also looked for with every run of whitespace one space: a paste that doubled spaces or wrapped a line hides no
    server."""
    flat = " ".join(text.split())
    for b in backends():
        if host and any(h.search(host) for h in b.hosts):
            return Recognised(b.name, f"the endpoint {host}")
        for m in b.marks:
            found = m.search(text) or (m.search(flat) if flat != text else None)
            if found:
                return Recognised(b.name, f"'{found.group(0)[:60]}'")
    return None
