"""Who signed a request (checks/errors/signers.toml): an AWS SDK, or a signer written outside AWS, as the names a
pasted text holds show it."""

from __future__ import annotations

import functools
import re
from typing import Any

from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed

_FILE = "signers.toml"
OFFICIAL, THIRD_PARTY = "official", "third-party"
_FAMILIES = (OFFICIAL, THIRD_PARTY)


@datarecord(frozen=True)
class Signer:
    name: str
    family: str  # OFFICIAL or THIRD_PARTY
    marks: tuple[str, ...]  # regexes on the text, case-sensitive unless a pattern says (?i:…)
    source: tuple[str, ...]


@datarecord(frozen=True)
class Signed:
    signer: Signer
    by: str  # the text the mark matched


@functools.cache
def signers() -> tuple[Signer, ...]:
    return load(parsed(errors_dir() / _FILE))


def load(data: dict[str, Any]) -> tuple[Signer, ...]:
    out = []
    for raw in data.get("signer", []):
        name = raw.get("name")
        if not raw.get("source"):
            raise ValueError(f"{_FILE}: {name}: no source")
        if raw.get("family") not in _FAMILIES or not raw.get("marks"):
            raise ValueError(f"{_FILE}: {name}: family must be one of {_FAMILIES}, with marks")
        out.append(Signer(name, raw["family"], tuple(raw["marks"]), tuple(raw["source"])))
    return tuple(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def who_signed(text: str) -> Signed | None:
    """The signer the text names: a third-party one before an official one (a SigV4 plugin often takes its keys from
    an AWS SDK, whose frames the same trace prints), else the first official one, else None."""
    official: Signed | None = None
    for s in signers():
        if official and s.family == OFFICIAL:
            continue
        for mark in s.marks:
            m = _compiled(mark).search(text)
            if m:
                if s.family == THIRD_PARTY:
                    return Signed(s, m.group(0))
                official = Signed(s, m.group(0))
                break
    return official
