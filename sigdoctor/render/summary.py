"""The one-line verdict ("Found 2 problems … in 1 of 7 areas"), shared by the text renderer and the CLI.

The CLI prints it on the terminal when the full report goes to `--output`, so it lives apart from `text`.
"""

from __future__ import annotations

from sigdoctor.model import Report, Severity, Status
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

    @property
    def problems(self) -> int:
        return self.errors + self.warnings


def count(report: Report) -> Counts:
    causes = report.root_causes
    skipped = [p for p in report.probes if p.status == Status.SKIP]
    not_impl = [p for p in skipped if p.summary.strip().lower().startswith(NOT_IMPLEMENTED)]
    return Counts(
        errors=sum(c.severity == Severity.ERROR for c in causes),
        warnings=sum(c.severity == Severity.WARNING for c in causes),
        notes=sum(c.severity == Severity.INFO for c in causes),
        areas=len(report.probes),
        problem_areas=sum(p.status in (Status.FAIL, Status.WARN, Status.ERROR) for p in report.probes),
        not_run=len(skipped) - len(not_impl),
        not_implemented=len(not_impl),
        unfinished=sum(p.status == Status.ERROR
                       or any(f.id.endswith(".diagnosis-incomplete") for f in p.findings) for p in report.probes),
    )


def summary_line(report: Report) -> str:
    c = count(report)
    if c.problems:
        kinds = [k for k in (_plural(c.errors, "error") if c.errors else "",
                             _plural(c.warnings, "warning") if c.warnings else "") if k]
        head = (f"Found {_plural(c.problems, 'problem')} ({', '.join(kinds)}) "
                f"in {c.problem_areas} of {_plural(c.areas, 'area')}")
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
