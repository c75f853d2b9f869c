"""Turns findings into ranked root causes, from the declarative files in checks/causes/.

The files only combine finding ids (see docs/dev/contracts.md); all measuring and judging happens in the probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from sigdoctor.catalog import CATALOG
from sigdoctor.model import (
    CANNOT_DECIDE,
    CONFIDENCE_ORDER,
    SETTLE_LINES,
    SEVERITY_ORDER,
    UNDECIDED,
    Confidence,
    Finding,
    ProbeResult,
    RootCause,
    Severity,
    Status,
)
from sigdoctor.records import datarecord
from sigdoctor.resources import causes_dir
from sigdoctor.tomlcache import parsed

# About the diagnosis, not the system: it ranks after every cause the finished checks found, whatever its layer.
_ABOUT_THE_RUN = "diagnosis-incomplete"
_KEYS = {"id", "title", "severity", "confidence", "priority", "summary", "when", "suppresses", "fix"}
# Optional: the summary worded as a possibility ("If …"), for the cause as one candidate of a problem the text
# cannot decide (RootCause.possible).
_OPTIONAL = {"summary_if"}
_TRIGGERING = (Status.FAIL, Status.WARN)


class CauseFileError(ValueError):
    pass


@datarecord(frozen=True)
class CauseRule:
    id: str
    title: str
    severity: Severity
    confidence: Confidence
    priority: int
    summary: str
    when: tuple[str, ...]
    suppresses: tuple[str, ...]
    fix: tuple[str, ...]
    summary_if: str = ""

    @property
    def docs(self) -> str:
        return f"docs/causes/{self.id}.md"


def load_rules(folder: Path | None = None) -> dict[str, CauseRule]:
    """Load and validate every cause file; a broken file fails fast with its name."""
    folder = folder or causes_dir()
    rules: dict[str, CauseRule] = {}
    for path in sorted(folder.glob("*.toml")):
        rule = _parse(path)
        rules[rule.id] = rule
    for rule in rules.values():
        for s in rule.suppresses:
            if s not in CATALOG:
                raise CauseFileError(f"{rule.id}.toml: suppresses unknown cause {s!r}")
            if s in rules and rule.id in rules[s].suppresses:
                raise CauseFileError(f"{rule.id}.toml and {s}.toml suppress each other")
    return rules


def _parse(path: Path) -> CauseRule:
    try:
        raw: dict[str, Any] = parsed(path)
    except (OSError, ValueError) as exc:
        # tomllib (~4 ms to import) is imported only by a parse of the TOML, which the shipped JSON copy spares.
        import tomllib

        if isinstance(exc, (OSError, tomllib.TOMLDecodeError)):
            raise CauseFileError(f"{path.name}: {exc}") from exc
        raise
    missing = _KEYS - raw.keys()
    extra = raw.keys() - _KEYS - _OPTIONAL
    if missing or extra:
        raise CauseFileError(f"{path.name}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
    if raw["id"] != path.stem or raw["id"] not in CATALOG:
        raise CauseFileError(f"{path.name}: id {raw['id']!r} must equal the file name and be a catalog id")
    try:
        return CauseRule(
            id=raw["id"],
            title=str(raw["title"]),
            severity=Severity(raw["severity"]),
            confidence=Confidence(raw["confidence"]),
            priority=int(raw["priority"]),
            summary=str(raw["summary"]).strip(),
            when=tuple(raw["when"]),
            suppresses=tuple(raw["suppresses"]),
            fix=tuple(raw["fix"]),
            summary_if=str(raw.get("summary_if", "")).strip(),
        )
    except ValueError as exc:
        raise CauseFileError(f"{path.name}: {exc}") from exc


@datarecord
class _Fired:
    rule: CauseRule
    severity: Severity
    evidence: list[str]
    fix: list[str]
    # Position of the earliest probe that saw it: a broken lower layer (credentials) is fixed before the ones
    # above it (network, signature), so among equally severe causes it ranks first.
    layer: int = 0
    # A cause named only as a ranked candidate of another one's error (evidence "candidate_rank": 1, 2, …) keeps that
    # order, which reads the text around the error, rather than the catalog's generic confidence; 0: seen directly.
    candidate_rank: int = 0
    # The causes every triggering finding listed as the rivals it could not decide between (evidence "candidates"),
    # and the records (decode's first line of each) the triggers came from: see _settles.
    undecided: frozenset[str] = frozenset()
    records: frozenset[int] = frozenset()
    # The severity it ranks by: a reading whose error the text cannot decide (evidence "undecided", a warning — see
    # awserrors/rules.py _text_cannot_decide) keeps the place its error had, so saying "cannot decide" changes the
    # severity shown, never the order nor what explains what.
    rank_severity: Severity = Severity.INFO
    # Of an undecided group (see _groups): the records (probe, lines) whose first candidate it is, with the why; the
    # records it is a lesser candidate of, with the first candidate it is named a rival of ("" where the reading does
    # not say: any first candidate of that record); whether any trigger is neither (a reading of its own: decided).
    heads: dict[tuple[Any, ...], str] = field(default_factory=dict)
    candidate_in: frozenset[tuple[tuple[Any, ...], str]] = frozenset()
    plain: bool = False


def diagnose(results: Sequence[ProbeResult], rules: dict[str, CauseRule]) -> tuple[RootCause, ...]:
    layer_of = {r.id: i for i, r in enumerate(results)}
    findings = [f for r in results for f in r.findings if f.status in _TRIGGERING]
    fired: dict[str, _Fired] = {}
    for rule in rules.values():
        triggers = [f for f in findings if f.id in rule.when]
        if triggers:
            fired[rule.id] = _fire(rule, triggers)
            fired[rule.id].candidate_rank = min(_candidate_rank(f) for f in triggers)
            fired[rule.id].undecided = frozenset.intersection(*(_rivals(f) for f in triggers))
            fired[rule.id].records = frozenset(line for f in triggers if (line := _record(f)) is not None)
            _mark_undecided(fired[rule.id], triggers)
            fired[rule.id].layer = (len(results) if rule.id == _ABOUT_THE_RUN else
                                    min(layer_of.get(f.id.split(".", 1)[0], 0) for f in triggers))

    # Fold each explained symptom into the first (best-ranked) cause that explains it.
    for cid in list(_ranked(fired.values())):
        if cid not in fired:
            continue
        explainer = fired[cid]
        if explainer.candidate_rank:
            continue  # a mere candidate explains nothing away: it and its rivals are alternatives
        for sid in explainer.rule.suppresses:
            symptom = fired.get(sid)
            # A cause seen only as a possibility (warning) does not explain away one seen as a failure (error):
            # a "maybe canonicalization" must not hide a secret key that AWS rejected. Nor does a cause explain away
            # one named only as another reading of the same error (a ranked candidate): that is no symptom of it but
            # its rival — "instance metadata did not answer" and "nothing before it was configured" are two readings
            # of one PHP chain-end message, and folding the second into the first would leave one reading unsaid.
            if symptom is not None and (symptom.candidate_rank or (_outranks(symptom, explainer)
                                                                   and not _settles(explainer, symptom))):
                continue
            symptom = fired.pop(sid, None)
            if symptom is not None:
                if _outranks(symptom, explainer):
                    # The failure the summary reported, now named. A summary the text alone could not decide (an
                    # undecided warning ranked as its error) is decided by the record that names the failing rival:
                    # that one is an error.
                    settled = symptom.severity is not symptom.rank_severity and _settles(explainer, symptom)
                    explainer.severity = symptom.rank_severity if settled else symptom.severity
                    explainer.rank_severity = symptom.rank_severity
                explainer.evidence.extend(f"{symptom.rule.id}: {e}" for e in symptom.evidence)
    ranked = [fired[cid] for cid in _ranked(fired.values())]
    groups = _groups(ranked)
    return tuple(_to_cause(f, groups.get(f.rule.id)) for f in _contiguous(ranked, groups))


def _contiguous(ranked: list[_Fired], groups: dict[str, _Group]) -> list[_Fired]:
    """The ranking with each undecided group's candidates right after its first: a group is one problem, and the
    report lists it in one place (text, Markdown and JSON alike)."""
    out: list[_Fired] = []
    placed: set[str] = set()
    for f in ranked:
        if f.rule.id in placed:
            continue
        g = groups.get(f.rule.id)
        members = [f] if g is None else [m for m in ranked if groups.get(m.rule.id) == g]
        out.extend(members)
        placed.update(m.rule.id for m in members)
    return out


def _where(f: Finding) -> tuple[Any, ...]:
    lines = f.evidence.get("lines")
    return f.id.split(".", 1)[0], *(lines if isinstance(lines, list) else ())


def _mark_undecided(fired: _Fired, triggers: list[Finding]) -> None:
    candidate_in = set()
    for f in triggers:
        why = f.evidence.get(CANNOT_DECIDE)
        if f.status is Status.WARN and why:
            fired.heads[_where(f)] = str(why)
        elif f.status is Status.WARN and (_candidate_rank(f) or f.evidence.get("candidate_of")):
            candidate_in.add((_where(f), str(f.evidence.get("candidate_of") or "")))
        else:
            fired.plain = True
    fired.candidate_in = frozenset(candidate_in)


@datarecord(frozen=True)
class _Group:
    number: int
    why: str
    settle: str


def _undecided(f: _Fired) -> bool:
    return f.severity is Severity.WARNING and not f.plain and bool(f.heads or f.candidate_in)


def _groups(ranked: list[_Fired]) -> dict[str, _Group]:
    """The problems the text cannot decide: each first candidate (a reading marked cannot_decide, still a warning and
    read nowhere else) with the candidates ranked after it that are only its rivals on the same record — one problem,
    its ranked candidates, the why of its first and one command that decides (the first's, else a rival's)."""
    out: dict[str, _Group] = {}
    for i, head in enumerate(ranked):
        if head.rule.id in out or not head.heads or not _undecided(head):
            continue
        members = [head, *(f for f in ranked[i + 1:] if f.rule.id not in out and not f.heads and _undecided(f)
                           and any(where in head.heads and of in ("", head.rule.id) for where, of in f.candidate_in))]
        settle = next((x for f in members for x in f.fix if x.startswith(SETTLE_LINES)), "")
        group = _Group(len({g.number for g in out.values()}) + 1, next(iter(head.heads.values())), settle)
        out.update((f.rule.id, group) for f in members)
    return out


def _rivals(f: Finding) -> frozenset[str]:
    cands = f.evidence.get("candidates")
    if not isinstance(cands, list):
        return frozenset()
    return frozenset(str(c.get("cause")) for c in cands if isinstance(c, dict) and c.get("cause"))


def _record(f: Finding) -> int | None:
    lines = f.evidence.get("lines")
    return lines[0] if isinstance(lines, list) and lines and isinstance(lines[0], int) else None


def _settles(explainer: _Fired, symptom: _Fired) -> bool:
    """A summary that could not say which of its rivals failed, and another record that names one of them by a reading
    of its own: that record says which — e.g. botocore's "Unable to locate credentials" (the credential chain came up
    empty: instance metadata, a profile, the environment …, the text alone cannot tell) after kube2iam's access log of
    the same pod's `GET /latest/meta-data/iam/security-credentials/ (404)` (the metadata proxy had no role for it).
    The failure the summary reports is then the one the other record names, even where that record alone reads only
    as a possibility (a warning): the empty chain is folded into it, as the cause files say (`suppresses`)."""
    return (explainer.rule.id in symptom.undecided and bool(explainer.records) and bool(symptom.records)
            and explainer.records.isdisjoint(symptom.records))


def _candidate_rank(f: Finding) -> int:
    rank = f.evidence.get("candidate_rank", 0)
    return rank if isinstance(rank, int) else 0


def _outranks(symptom: _Fired, explainer: _Fired) -> bool:
    return SEVERITY_ORDER.index(symptom.rank_severity) < SEVERITY_ORDER.index(explainer.rank_severity)


def _fire(rule: CauseRule, triggers: list[Finding]) -> _Fired:
    severity = rule.severity
    if all(f.status is Status.WARN for f in triggers) and severity is Severity.ERROR:
        severity = Severity.WARNING
    fix: list[str] = []
    for f in triggers:
        fix.extend(_as_list(f.evidence.get("fix")))
    fix.extend(rule.fix)
    undecided = any(f.status is Status.WARN and f.evidence.get(UNDECIDED) for f in triggers)
    return _Fired(rule, severity, _dedupe([f.message for f in triggers]), _dedupe(fix),
                  rank_severity=rule.severity if undecided else severity)


def _ranked(fired: Iterable[_Fired]) -> list[str]:
    def key(f: _Fired) -> tuple[int, int, int, int, int, str]:
        return (
            SEVERITY_ORDER.index(f.rank_severity),
            f.layer,
            f.candidate_rank,
            CONFIDENCE_ORDER.index(f.rule.confidence),
            f.rule.priority,
            f.rule.id,
        )

    return [f.rule.id for f in sorted(fired, key=key)]


def _to_cause(f: _Fired, group: _Group | None = None) -> RootCause:
    r = f.rule
    undecided: dict[str, Any] = {} if group is None else {
        "group": group.number, "possible": r.summary_if or f"Possible: {r.summary}",
        "why": group.why, "settle": group.settle}
    return RootCause(
        id=r.id, severity=f.severity, confidence=r.confidence, title=r.title, summary=r.summary,
        evidence=tuple(_dedupe(f.evidence)), fix=tuple(f.fix), docs=r.docs, **undecided,
    )


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
