"""The SPEC's JSON report (`schema_version` 1): the stable interface for scripts and `sigdoctor merge`.

Schema keys come in SPEC order so a human reading the file sees `schema_version` and `tool` first; free-form maps
(environment, credentials, evidence) have sorted keys so two runs of the same situation diff cleanly.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import PurePath
from typing import Any

from sigdoctor import __version__
from sigdoctor.model import Finding, ProbeResult, Report, RootCause
from sigdoctor.render.prepare import prepare
from sigdoctor.render.summary import undecided_groups

TOOL_NAME = "sigdoctor"


def _plain(value: Any) -> Any:
    """JSON-able copy of free-form data: enums as their values, tuples/sets as lists, dict keys sorted."""
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, dict):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, PurePath):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    # Anything else a probe put into evidence (datetime, exception…) is shown as text rather than crash the report.
    return str(value)


def _finding(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "status": f.status.value, "message": f.message, "evidence": _plain(f.evidence)}


def _probe(p: ProbeResult) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "status": p.status.value,
        "summary": p.summary,
        "duration_ms": p.duration_ms,
        "findings": [_finding(f) for f in p.findings],
        # Each probe's structured results (dns answers, connectivity paths, clock sources…); the credentials
        # probe's section is also lifted to the top-level `credentials` key the SPEC names.
        "data": _plain(p.data),
    }


def _cause(c: RootCause, group: list[RootCause] | None = None) -> dict[str, Any]:
    """A root cause; `decided` false marks a candidate of a problem the text cannot decide, and `undecided` names that
    problem: its number in the report, the candidates in their order (this one's `rank` among them, from 1), why the
    text cannot decide and the one command that does. `possible` is its summary worded as a possibility."""
    more: dict[str, Any] = {"decided": c.decided}
    if group:
        more["possible"] = c.possible
        more["undecided"] = {"group": c.group, "rank": group.index(c) + 1, "candidates": [x.id for x in group],
                             "why": c.why, "settle": c.settle}
    return {
        "id": c.id,
        "severity": c.severity.value,
        "confidence": c.confidence.value,
        "title": c.title,
        "summary": c.summary,
        "evidence": list(c.evidence),
        "fix": list(c.fix),
        "docs": c.docs,
        **more,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as SPEC's JSON document: a plain dict of JSON types, secret-shaped strings masked."""
    report = prepare(report)
    groups = undecided_groups(report.root_causes)
    return {
        "schema_version": report.schema_version,
        "tool": {"name": TOOL_NAME, "version": report.version or __version__},
        "command": report.command,
        "started_at": report.started_at,
        "duration_ms": report.duration_ms,
        "environment": _plain(report.environment),
        "credentials": None if report.credentials is None else _plain(report.credentials),
        "probes": [_probe(p) for p in report.probes],
        "root_causes": [_cause(c, groups.get(c.group)) for c in report.root_causes],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
