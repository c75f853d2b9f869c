"""What every renderer does first: a last redaction pass (control characters made visible), and enums restored to
enums.

`Redactor.obj` walks dataclasses and rewrites every `str` — StrEnum members included, which come back as plain
strings. A renderer compares statuses by identity, so the enums are rebuilt from their values here.
"""

from __future__ import annotations

from dataclasses import replace

from sigdoctor.model import Confidence, Finding, ProbeResult, Report, RootCause, Severity, Status
from sigdoctor.redact import process_redactor


def _finding(f: Finding) -> Finding:
    return replace(f, status=Status(f.status))


def _probe(p: ProbeResult) -> ProbeResult:
    return replace(p, status=Status(p.status), findings=tuple(_finding(f) for f in p.findings))


def _cause(c: RootCause) -> RootCause:
    return replace(c, severity=Severity(c.severity), confidence=Confidence(c.confidence))


def prepare(report: Report) -> Report:
    """The report as renderers may show it: secret-shaped strings masked, control characters (from a pasted log, a
    config value, another process's environment) shown as escapes, enum fields as enum members."""
    # Defence in depth: the CLI redacts with the run's registered secrets already; the process-wide registry and
    # the patterns still catch a secret a probe let slip into a message or evidence.
    r = process_redactor().obj(report, show=True)
    return replace(
        r,
        probes=tuple(_probe(p) for p in r.probes),
        root_causes=tuple(_cause(c) for c in r.root_causes),
    )
