"""The one-line verdict ("Found 2 problems … in 1 of 7 areas"), shared by the text renderer and the CLI.

The CLI prints it on the terminal when the full report goes to `--output`, so it lives apart from `text`.
"""

from __future__ import annotations

from sigdoctor.model import Report, RootCause, Severity, Status
from sigdoctor.records import datarecord

NOT_IMPLEMENTED = "not implemented"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@datarecord(frozen=True)
class Counts:
    errors: int
    warnings: int
    notes: int
    areas: int
    problem_areas: int
    not_run: int
    not_implemented: int
    unfinished: int = 0
    # Problems the text cannot decide (each one group of ranked candidates, RootCause.group) and their candidates,
    # which are not counted as warnings.
    undecided: int = 0
    candidates: int = 0

    @property
    def problems(self) -> int:
        return self.errors + self.warnings + self.undecided


def undecided_groups(causes: tuple[RootCause, ...]) -> dict[int, list[RootCause]]:
    """The candidates of each problem the text cannot decide, by group number, in the report's order."""
    out: dict[int, list[RootCause]] = {}
    for c in causes:
        if c.group:
            out.setdefault(c.group, []).append(c)
    return out


def problems(causes: tuple[RootCause, ...]) -> list[list[RootCause]]:
    """The ranked causes as problems, in the report's order: a decided cause alone, or the candidates of a group the
    text cannot decide, where its first candidate ranks."""
    groups = undecided_groups(causes)
    return [groups[c.group] if c.group else [c] for c in causes if not c.group or c is groups[c.group][0]]


def top_lines(report: Report, n: int = 3) -> list[str]:
    """The first `n` problems, a line each (the terminal's short summary beside `--output`): a group the text cannot
    decide is one line naming its candidates."""
    out: list[str] = []
    for i, members in enumerate(problems(report.root_causes)[:n], 1):
        c = members[0]
        if c.group:
            ids = ", ".join(x.id for x in members)
            out.append(f"{i}. [{c.severity.value}] the text cannot decide between {ids} (most likely first)"
                       if len(members) > 1 else
                       f"{i}. [{c.severity.value}] the text cannot decide whether it is {ids} — {c.title}")
        else:
            out.append(f"{i}. [{c.severity.value}] {c.id} — {c.title}")
    return out


def count(report: Report) -> Counts:
    causes = report.root_causes
    skipped = [p for p in report.probes if p.status == Status.SKIP]
    not_impl = [p for p in skipped if p.summary.strip().lower().startswith(NOT_IMPLEMENTED)]
    groups = undecided_groups(causes)
    return Counts(
        errors=sum(c.severity == Severity.ERROR and not c.group for c in causes),
        warnings=sum(c.severity == Severity.WARNING and not c.group for c in causes),
        notes=sum(c.severity == Severity.INFO for c in causes),
        areas=len(report.probes),
        problem_areas=sum(p.status in (Status.FAIL, Status.WARN, Status.ERROR) for p in report.probes),
        not_run=len(skipped) - len(not_impl),
        not_implemented=len(not_impl),
        unfinished=sum(p.status == Status.ERROR
                       or any(f.id.endswith(".diagnosis-incomplete") for f in p.findings) for p in report.probes),
        undecided=len(groups),
        candidates=sum(len(g) for g in groups.values()),
    )


def summary_line(report: Report) -> str:
    c = count(report)
    if c.problems:
        kinds = [k for k in (_plural(c.errors, "error") if c.errors else "",
                             _plural(c.warnings, "warning") if c.warnings else "") if k]
        # A group of candidates is one problem, not as many warnings as it has candidates.
        if not kinds:
            what = f"{_plural(c.problems, 'problem')} the text cannot decide ({_plural(c.candidates, 'candidate')})"
        elif c.undecided:
            what = (f"{_plural(c.problems, 'problem')} ({', '.join(kinds)}, {c.undecided} the text cannot decide: "
                    f"{_plural(c.candidates, 'candidate')})")
        else:
            what = f"{_plural(c.problems, 'problem')} ({', '.join(kinds)})"
        head = f"Found {what} in {c.problem_areas} of {_plural(c.areas, 'area')}"
    elif c.problem_areas:
        # Probes saw something but no cause file matched it: say so rather than claim all is well.
        head = f"No root cause identified, but {c.problem_areas} of {_plural(c.areas, 'area')} reported problems"
    else:
        checked = c.areas - c.not_run - c.not_implemented
        head = (f"No problems found in {_plural(c.areas, 'area')}" if checked == c.areas
                else f"No problems found in {checked} of {_plural(c.areas, 'area')}")
    tail = []
    if c.not_run:
        tail.append(f"{c.not_run} not run")
    if c.not_implemented:
        tail.append(f"{c.not_implemented} not implemented yet")
    if c.notes:
        tail.append(_plural(c.notes, "note"))
    line = head + ("; " + ", ".join(tail) if tail else "") + "."
    if c.unfinished:
        # A timed-out or crashed probe proves nothing either way: never let "no problems" stand alone.
        line += (f" Diagnosis incomplete: {_plural(c.unfinished, 'area')} did not finish "
                 "(timed out, crashed or cut by --deadline).")
    return line
