"""The fleet view: which causes, on how many hosts, which hosts share a diagnosis, and who stands alone.

A host is `environment.host` (else where its report came from). When one host reported more than once (a
DaemonSet that ran twice, logs collected twice), its newest report counts and the older ones are noted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sigdoctor.merge.load import Inputs, Loaded, Skipped

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
# Below this many hosts every cause on one host would be "alone": outliers only mean something in a crowd.
OUTLIER_MIN_HOSTS = 3


@dataclass(frozen=True)
class HostCause:
    id: str
    severity: str
    title: str


@dataclass(frozen=True)
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


@dataclass
class CauseRow:
    id: str
    severity: str  # the worst seen on any host (clock-skew can be a warning on one host, an error on another)
    title: str
    hosts: list[str] = field(default_factory=list)
    top_on: int = 0  # on how many hosts it is the most likely cause


@dataclass(frozen=True)
class Group:
    causes: tuple[tuple[str, str], ...]  # (id, severity) in fleet order; empty = healthy
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class Outlier:
    """A host with causes no other host has (a lone clock skew, a hand-edited config)."""

    host: str
    causes: tuple[tuple[str, str], ...]  # (id, severity), in fleet order


@dataclass
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


def host_of(item: Loaded) -> Host:
    doc = item.report
    name = _text(doc["environment"].get("host")) or item.source
    causes = tuple(
        HostCause(c["id"], _text(c.get("severity"), "error"), _text(c.get("title"), c["id"]))
        for c in doc["root_causes"]
    )
    return Host(name=name, source=item.source, started_at=_text(doc.get("started_at")), causes=causes)


def _newest_per_host(hosts: Iterable[Host]) -> tuple[list[Host], list[str]]:
    newest: dict[str, Host] = {}
    superseded: list[str] = []
    for h in hosts:
        old = newest.get(h.name)
        if old is None:
            newest[h.name] = h
        elif h.started_at >= old.started_at:  # ISO-8601 UTC strings order as times; later input wins a tie
            superseded.append(old.source)
            newest[h.name] = h
        else:
            superseded.append(h.source)
    return sorted(newest.values(), key=lambda h: h.name), superseded


def aggregate(inputs: Inputs) -> Fleet:
    hosts, superseded = _newest_per_host(host_of(r) for r in inputs.reports)
    rows: dict[str, CauseRow] = {}
    for h in hosts:
        for i, c in enumerate(h.causes):
            row = rows.setdefault(c.id, CauseRow(c.id, c.severity, c.title))
            if SEVERITY_RANK.get(c.severity, 9) < SEVERITY_RANK.get(row.severity, 9):
                row.severity = c.severity
            if h.name not in row.hosts:
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
    return Fleet(hosts, causes, groups, outliers, list(inputs.skipped), superseded)
