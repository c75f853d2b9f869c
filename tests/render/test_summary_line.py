"""The one-line verdict: its counts are what a user quotes in a ticket, so they must add up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sigdoctor.model import Report, Severity, Status
from sigdoctor.render.summary import count, summary_line


@pytest.mark.parametrize(
    ("fixture", "line"),
    [
        ("healthy_report", "No problems found in 3 of 7 areas; 4 not implemented yet."),
        ("no_credentials_report", "Found 1 problem (1 error) in 1 of 7 areas; 2 not run, 3 not implemented yet."),
        ("probe_error_report",
         "No root cause identified, but 1 of 7 areas reported problems; 2 not run, 3 not implemented yet."
         " Diagnosis incomplete: 1 area did not finish (timed out, crashed or cut by --deadline)."),
        ("several_causes_report", "Found 3 problems (1 error, 2 warnings) in 2 of 7 areas; 4 not implemented yet."),
    ],
)
def test_summary_of_each_fixture(fixture: str, line: str, request: pytest.FixtureRequest) -> None:
    assert summary_line(request.getfixturevalue(fixture)) == line


def test_all_areas_checked_and_clean(healthy_report: Report) -> None:
    all_pass = tuple(replace(p, status=Status.PASS, summary="ok") for p in healthy_report.probes)
    assert summary_line(replace(healthy_report, probes=all_pass)) == "No problems found in 7 areas."


def test_info_causes_are_notes_not_problems(several_causes_report: Report, healthy_report: Report) -> None:
    info = replace(several_causes_report.root_causes[2], severity=Severity.INFO)
    line = summary_line(replace(healthy_report, root_causes=(info,)))
    assert line == "No problems found in 3 of 7 areas; 4 not implemented yet, 1 note."


def test_counts_accept_plain_string_statuses(several_causes_report: Report) -> None:
    # What Redactor.obj hands back: StrEnum fields as plain str.
    probes = tuple(replace(p, status=str(p.status.value)) for p in several_causes_report.probes)  # type: ignore[arg-type]
    causes = tuple(replace(c, severity=str(c.severity.value)) for c in several_causes_report.root_causes)  # type: ignore[arg-type]
    c = count(replace(several_causes_report, probes=probes, root_causes=causes))
    assert (c.errors, c.warnings, c.problem_areas, c.not_implemented) == (1, 2, 2, 4)
