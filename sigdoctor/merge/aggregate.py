"""The fleet view: which causes, on how many hosts, which hosts share a diagnosis, and who stands alone.

A host is `environment.host` (else where its report came from). When one host reported more than once (a
DaemonSet that ran twice, logs collected twice), its newest report counts and the older ones are noted.
Reports arrive one at a time and only what the view shows is kept of each (its name, source, start time and
causes, cleaned by sanitize.py): memory grows with the number of hosts, not with the size of their reports.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sigdoctor.merge.load import Loaded, Skipped
from sigdoctor.merge.sanitize import Cleaner
from sigdoctor.records import datarecord

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
# Below this many hosts every cause on one host would be "alone": outliers only mean something in a crowd.
OUTLIER_MIN_HOSTS = 3


# std dataclass: slots=True, which datarecord does not implement
@dataclass(frozen=True, slots=True)
class HostCause:
    id: str
    severity: str
    title: str


# std dataclass: slots=True (datarecord has none), and one per report in a merge (10,000s)
@dataclass(frozen=True, slots=True)
class Host:
    name: str
    source: str
    started_at: str
    causes: tuple[HostCause, ...]  # ranked as the host's report ranked them

    @property
    def has_error(self) -> bool:
        return any(c.severity == "error" for c in self.causes)

    @property
    def diagnosis(self) -> frozenset[tuple[str, str]]:
        return frozenset((c.id, c.severity) for c in self.causes)


# std dataclass: ~3,200 built for 10,000 reports; datarecord's slower __init__ would cost more than it saves
@dataclass
class CauseRow:
    id: str
    severity: str  # the worst seen on any host (clock-skew can be a warning on one host, an error on another)
    title: str
    hosts: list[str] = field(default_factory=list)
    top_on: int = 0  # on how many hosts it is the most likely cause


@datarecord(frozen=True)
class Group:
    causes: tuple[tuple[str, str], ...]  # (id, severity) in fleet order; empty = healthy
    hosts: tuple[str, ...]


@datarecord(frozen=True)
class Outlier:
    """A host with causes no other host has (a lone clock skew, a hand-edited config)."""

    host: str
    causes: tuple[tuple[str, str], ...]  # (id, severity), in fleet order


@datarecord
class Fleet:
    hosts: list[Host]
    causes: list[CauseRow]
    groups: list[Group]
    outliers: list[Outlier]
    skipped: list[Skipped]
    superseded: list[str]  # sources of older reports of a host that reported again

    @property
    def exit_code(self) -> int:
        return 1 if any(h.has_error for h in self.hosts) else 0

    @property
    def healthy(self) -> list[Host]:
        return [h for h in self.hosts if not h.causes]


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


class HostReader:
    """Report → Host, keeping one HostCause per distinct (id, severity, title) across the fleet."""

    def __init__(self, clean: Cleaner | None = None) -> None:
        self.clean = clean or Cleaner()
        self._causes: dict[tuple[str, str, str], HostCause] = {}

    def cause(self, c: dict[str, Any]) -> HostCause:
        key = (c["id"], _text(c.get("severity"), "error"), _text(c.get("title"), c["id"]))
        found = self._causes.get(key)
        if found is None:
            found = HostCause(*(self.clean.repeated(v) for v in key))
            if len(self._causes) < 10_000:
                self._causes[key] = found
        return found

    def host(self, item: Loaded) -> Host:
        doc = item.report
        source = self.clean(item.source)
        name = self.clean(_text(doc["environment"].get("host"))) or source
        causes = tuple(self.cause(c) for c in doc["root_causes"])
        return Host(name=name, source=source, started_at=self.clean.repeated(_text(doc.get("started_at"))),
                    causes=causes)


class NewestPerHost:
    def __init__(self) -> None:
        self.newest: dict[str, Host] = {}
        self.superseded: list[str] = []

    def add(self, h: Host) -> None:
        old = self.newest.get(h.name)
        if old is None:
            self.newest[h.name] = h
        elif h.started_at >= old.started_at:  # ISO-8601 UTC strings order as times; later input wins a tie
            self.superseded.append(old.source)
            self.newest[h.name] = h
        else:
            self.superseded.append(h.source)

    def hosts(self) -> list[Host]:
        return sorted(self.newest.values(), key=lambda h: h.name)


def aggregate(items: Iterable[Loaded | Skipped], clean: Cleaner | None = None) -> Fleet:
    """The fleet view of a stream of loaded reports and skipped inputs (consumed once, reports not kept)."""
    reader, newest = HostReader(clean), NewestPerHost()
    skipped: list[Skipped] = []
    # Parsing a report makes ~3,000 containers and drops them at once, with no cycles among them; the cyclic
    # collector would walk the surviving hosts again and again (10,000 reports: 5.7 s of parsing with it, 2.2 without).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for item in items:
            if isinstance(item, Loaded):
                newest.add(reader.host(item))
            else:
                skipped.append(Skipped(reader.clean(item.source), reader.clean.repeated(item.reason)))
    finally:
        if collecting:
            gc.enable()
    hosts = newest.hosts()
    rows: dict[str, CauseRow] = {}
    for h in hosts:
        for i, c in enumerate(h.causes):
            row = rows.setdefault(c.id, CauseRow(c.id, c.severity, c.title))
            if SEVERITY_RANK.get(c.severity, 9) < SEVERITY_RANK.get(row.severity, 9):
                row.severity = c.severity
            # Hosts come one after another: the same host can only be the last one added to this row.
            if not row.hosts or row.hosts[-1] != h.name:
                row.hosts.append(h.name)
                row.top_on += i == 0
    causes = sorted(rows.values(), key=lambda r: (-len(r.hosts), SEVERITY_RANK.get(r.severity, 9), -r.top_on, r.id))
    order = {r.id: n for n, r in enumerate(causes)}

    by_diagnosis: dict[frozenset[tuple[str, str]], list[str]] = {}
    for h in hosts:
        by_diagnosis.setdefault(h.diagnosis, []).append(h.name)
    groups = [Group(tuple(sorted(d, key=lambda c: (order[c[0]], c[1]))), tuple(names))
              for d, names in by_diagnosis.items()]
    # Biggest groups first; among equals, problems before health, then the group's most common cause.
    groups.sort(key=lambda g: (-len(g.hosts), not g.causes, [order[c[0]] for c in g.causes]))

    outliers: list[Outlier] = []
    if len(hosts) >= OUTLIER_MIN_HOSTS:
        lone: dict[str, list[tuple[str, str]]] = {}
        for r in causes:
            if len(r.hosts) == 1:
                lone.setdefault(r.hosts[0], []).append((r.id, r.severity))
        outliers = [Outlier(h, tuple(cs)) for h, cs in lone.items()]
    return Fleet(hosts, causes, groups, outliers, skipped, newest.superseded)
