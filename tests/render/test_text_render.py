"""What a person at a terminal sees: one line per area, problems explained, causes ranked, one verdict."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from sigdoctor.model import Report, Status
from sigdoctor.redact import Redactor
from sigdoctor.render.text import render_text
from tests.render.conftest import REPORT_FIXTURES

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _probe_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"\[[✓!✗-]\] ", line)]


@pytest.mark.parametrize("verbose", [False, True])
def test_no_ansi_escapes_without_color(any_report: Report, verbose: bool) -> None:
    out = render_text(any_report, color=False, verbose=verbose)
    assert "\x1b" not in out


def test_color_adds_styles_but_not_words(several_causes_report: Report) -> None:
    coloured = render_text(several_causes_report, color=True, verbose=True)
    plain = render_text(several_causes_report, color=False, verbose=True)
    assert ANSI.search(coloured)
    stripped = "\n".join(line.rstrip() for line in ANSI.sub("", coloured).splitlines())
    assert stripped + "\n" == plain


def test_every_probe_has_one_line_in_order(any_report: Report) -> None:
    lines = _probe_lines(render_text(any_report, color=False, verbose=False))
    assert [line.split("] ", 1)[1].split(" — ")[0] for line in lines] == [p.title for p in any_report.probes]


def test_marks_follow_status(several_causes_report: Report, probe_error_report: Report) -> None:
    lines = _probe_lines(render_text(several_causes_report, color=False, verbose=False))
    marks = {line.split("] ", 1)[1].split(" — ")[0]: line[:3] for line in lines}
    assert marks == {"Credentials": "[✗]", "Identity (STS)": "[✓]", "Permissions (IAM)": "[-]", "Clock": "[!]",
                     "DNS": "[-]", "Connectivity": "[-]", "Signature": "[-]"}
    (error_line,) = [ln for ln in _probe_lines(render_text(probe_error_report, color=False, verbose=False))
                     if ln.startswith("[✗]")]
    assert "(probe error) KeyError" in error_line


def test_header_names_version_command_region_and_targets(several_causes_report: Report) -> None:
    first = render_text(several_causes_report, color=False, verbose=False).splitlines()[0]
    assert first == "sigdoctor 0.1.0 — run — region us-east-1, 2 targets"


def test_last_line_is_the_summary(several_causes_report: Report) -> None:
    out = render_text(several_causes_report, color=False, verbose=False)
    assert out.endswith("\nFound 3 problems (1 error, 2 warnings) in 2 of 7 areas; 4 not implemented yet.\n")


def test_root_causes_numbered_in_rank_order_with_explain_hint(several_causes_report: Report) -> None:
    out = render_text(several_causes_report, color=False, verbose=False)
    heads = re.findall(r"^(\d+)\. \[(\w+)\] (\S+) — ", out, flags=re.M)
    assert heads == [("1", "error", "env-shadows-role"), ("2", "warning", "clock-skew"),
                     ("3", "warning", "long-lived-keys")]
    for cause in several_causes_report.root_causes:
        assert f"More: sigdoctor explain {cause.id}" in out
    assert out.index("Root causes (most likely first)") < out.index("1. [error]")


def test_problem_findings_shown_and_pass_findings_only_when_verbose(several_causes_report: Report) -> None:
    short = render_text(several_causes_report, color=False, verbose=False)
    long = render_text(several_causes_report, color=False, verbose=True)
    assert "✗ Static keys in the environment win" in short
    assert "! Local clock is 94.0 s ahead" in short
    assert "Credentials come from env" not in short
    assert "✓ Credentials come from env" in long
    assert "offset_s: 94.0" in long and "offset_s" not in short


def test_healthy_report_hides_findings_unless_verbose(healthy_report: Report) -> None:
    assert "STS GetCallerIdentity accepted" not in render_text(healthy_report, color=False, verbose=False)
    assert "✓ STS GetCallerIdentity accepted" in render_text(healthy_report, color=False, verbose=True)


def test_credentials_probe_always_shows_sources(healthy_report: Report) -> None:
    out = render_text(healthy_report, color=False, verbose=False)
    assert re.search(r"^ {4}Method +State +Detail$", out, flags=re.M)
    assert re.search(r"^ {4}assume-role-with-web-identity +winner +role arn:aws:iam::111122223333:role/agent",
                     out, flags=re.M)
    assert re.search(r"^ {4}iam-role +shadowed ", out, flags=re.M)
    # Absent sources are folded into one line unless -v.
    assert "Not configured: env, assume-role, sso," in out
    verbose = render_text(healthy_report, color=False, verbose=True)
    assert re.search(r"^ {4}sso +absent +not configured$", verbose, flags=re.M)


def test_report_strings_are_not_rich_markup(several_causes_report: Report) -> None:
    out = render_text(several_causes_report, color=False, verbose=True)
    assert "Profile: [prod] (from AWS_PROFILE)" in out


def test_lines_fit_the_width(any_report: Report) -> None:
    for width in (60, 100):
        out = render_text(any_report, color=False, verbose=True, width=width)
        assert max(len(line) for line in out.splitlines()) <= width


def test_no_trailing_blanks(any_report: Report) -> None:
    out = render_text(any_report, color=False, verbose=True)
    assert all(line == line.rstrip() for line in out.splitlines())


def test_secret_shaped_text_is_masked_even_if_a_probe_leaked_it(healthy_report: Report) -> None:
    key_id = "AKIA" + "Q" * 16
    secret_line = "aws_secret_access_key = " + "s3cr3t" * 7
    leaky = replace(healthy_report, probes=(
        replace(healthy_report.probes[0], status=Status.FAIL, summary=f"key {key_id}; {secret_line}"),
        *healthy_report.probes[1:],
    ))
    out = render_text(leaky, color=False, verbose=True)
    assert key_id not in out and "s3cr3t" not in out
    assert "AKIA…QQQQ" in out


def test_a_report_already_through_the_redactor_renders_the_same(any_report: Report) -> None:
    # Redactor.obj turns StrEnum fields into plain strings; the renderers must not care.
    scrubbed = Redactor().obj(any_report)
    assert render_text(scrubbed, color=False, verbose=True) == render_text(any_report, color=False, verbose=True)


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_output_ends_with_one_newline(fixture: str, request: pytest.FixtureRequest) -> None:
    out = render_text(request.getfixturevalue(fixture), color=False, verbose=False)
    assert out.endswith("\n") and not out.endswith("\n\n")
