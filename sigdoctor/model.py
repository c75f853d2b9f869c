"""The report's vocabulary: statuses, findings, probe results, root causes, the report itself.

Everything here is a frozen dataclass or a StrEnum so a report, once built, cannot drift while it is rendered.
"""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum
from typing import Any

from sigdoctor.records import datarecord


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SourceState(StrEnum):
    ABSENT = "absent"
    CONFIGURED = "configured"
    FAILED = "failed"
    WINNER = "winner"
    SHADOWED = "shadowed"


# Worst first: used to fold many statuses into one.
STATUS_ORDER = (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
CONFIDENCE_ORDER = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The most serious status of several (an empty list passes)."""
    for s in STATUS_ORDER:
        if s in statuses:
            return s
    return Status.PASS


@datarecord(frozen=True)
class Finding:
    """One observation of a probe. `id` is stable (`<probe>.<what>`) and is what cause files match on."""

    id: str
    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@datarecord(frozen=True)
class Outcome:
    """What a probe returns; the runner adds id, title and timing to make a ProbeResult."""

    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()
    # Probe-specific structured data that belongs at the report's top level (e.g. the `credentials` section).
    data: dict[str, Any] = field(default_factory=dict)


@datarecord(frozen=True)
class ProbeResult:
    id: str
    title: str
    status: Status
    summary: str
    duration_ms: int
    findings: tuple[Finding, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


# Evidence keys and fix lines of decode's readings that a text cannot decide, shared by the readings that set them
# (awserrors.rules), the ranking that groups them (causes) and the reports that show them (decode.probe, render): here
# because every one of those imports this module, and the run's start-up should not import awserrors for a few strings.
UNDECIDED = "undecided"  # a reading path's error whose cause the text cannot decide, with why (awserrors.hit)
CANNOT_DECIDE = "cannot_decide"  # the first candidate of a group of readings the text cannot decide between, with why
SETTLE_LINES = ("Settle it", "Confirm with", "Text alone cannot decide:")  # how a fix line names the deciding command
CANNOT_DECIDE_LEAD = "The text cannot decide; most likely "  # how the first candidate's message begins (cannot_decide_lead)


def cannot_decide_lead(cause: str) -> str:
    """What the first candidate's message starts with, naming its cause: put before its reading by
    awserrors.rules._cannot_decide, taken off again where a report shows the candidate under its group's heading
    (render.undecided.candidate_evidence)."""
    return f"{CANNOT_DECIDE_LEAD}{cause}: "


@datarecord(frozen=True)
class RootCause:
    id: str
    severity: Severity
    confidence: Confidence
    title: str
    summary: str
    evidence: tuple[str, ...]
    fix: tuple[str, ...]
    docs: str
    # A cause the text cannot decide (decode): one of the ranked candidates of an undecided group, numbered from 1 in
    # the report (0: decided, or not a candidate of one). Every member of a group carries the group's `why` (what the
    # text does not show) and `settle` (the one command that decides between them); `possible` is the cause's summary
    # worded as a possibility (its cause file's `summary_if`).
    group: int = 0
    possible: str = ""
    why: str = ""
    settle: str = ""

    @property
    def decided(self) -> bool:
        return self.group == 0


@datarecord(frozen=True)
class Report:
    command: str
    started_at: str
    duration_ms: int
    environment: dict[str, Any]
    probes: tuple[ProbeResult, ...]
    root_causes: tuple[RootCause, ...]
    credentials: dict[str, Any] | None = None
    version: str = ""
    schema_version: int = 1

    @property
    def has_error(self) -> bool:
        return any(c.severity is Severity.ERROR for c in self.root_causes)
