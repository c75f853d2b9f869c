"""The Markdown report pasted into a support ticket: it must render as the tables and lists it claims to be."""

from __future__ import annotations

import re
from dataclasses import replace

from sigdoctor.model import Report, Status
from sigdoctor.render.markdown import md_cell, md_code, md_text, render_markdown


def _tables(md: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def _columns(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_every_table_row_has_as_many_cells_as_its_header(any_report: Report) -> None:
    tables = _tables(render_markdown(any_report))
    assert tables
    for t in tables:
        assert {_columns(row) for row in t} == {_columns(t[0])}, t


def test_pipes_in_data_are_escaped(several_causes_report: Report) -> None:
    md = render_markdown(several_causes_report)
    assert r"role/agent \| token file" in md
    row = next(line for line in md.splitlines() if line.startswith("| `assume-role-with-web-identity`"))
    assert _columns(row) == 3


def test_sections_in_order(any_report: Report) -> None:
    md = render_markdown(any_report)
    assert md.startswith("# sigdoctor report\n")
    positions = [md.index(h) for h in ("\n## Root causes\n", "\n## Probes\n", "\n## Credential sources\n")]
    assert positions == sorted(positions)
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_environment_table(several_causes_report: Report) -> None:
    md = render_markdown(several_causes_report)
    assert "| Command | `sigdoctor run` |" in md
    assert "| Region | us-east-1 |" in md
    assert "| Credentials | env (AKIA…WXYZ) |" in md
    assert "remote_write<br>https://logs.us-east-1.amazonaws.com |" in md


def test_every_probe_is_in_the_probes_table(any_report: Report) -> None:
    md = render_markdown(any_report)
    probes = md.split("\n## Probes\n", 1)[1]
    for p in any_report.probes:
        assert re.search(rf"^\| {re.escape(p.title)} \(`{p.id}`\) \| [^|]*{p.status.value} \|", probes, flags=re.M)


def test_probe_error_is_labelled(probe_error_report: Report) -> None:
    assert "| ✗ error | (probe error) KeyError: 'credential_source'" in render_markdown(probe_error_report)


def test_root_causes_numbered_with_severity_evidence_and_fix(several_causes_report: Report) -> None:
    md = render_markdown(several_causes_report)
    heads = re.findall(r"^(\d+)\. \*\*\[(\w+)\] `([^`]+)`\*\*", md, flags=re.M)
    assert heads == [("1", "error", "env-shadows-role"), ("2", "warning", "clock-skew"),
                     ("3", "warning", "long-lived-keys")]
    assert "   - Remove static keys from the agent's environment so the role is used" in md
    assert "`sigdoctor explain clock-skew`" in md


def test_no_causes_says_so(healthy_report: Report) -> None:
    assert "## Root causes\n\nNo root cause found.\n" in render_markdown(healthy_report)


def test_winner_is_bold_in_the_sources_table(several_causes_report: Report) -> None:
    assert "| **`env`** | **winner** |" in render_markdown(several_causes_report)


def test_markdown_in_data_is_literal(healthy_report: Report) -> None:
    weird = replace(healthy_report.probes[1], status=Status.WARN,
                    summary="s3:* on arn:aws:s3:::bucket/* <script> `x` _y_")
    md = render_markdown(replace(healthy_report, probes=(healthy_report.probes[0], weird,
                                                         *healthy_report.probes[2:])))
    assert r"s3:\* on arn:aws:s3:::bucket/\* \<script\> \`x\` \_y\_" in md


def test_escaping_helpers() -> None:
    assert md_cell("a|b\nc") == r"a\|b<br>c"
    assert md_text("AWS_ACCESS_KEY_ID") == "AWS_ACCESS_KEY_ID"  # intra-word underscores are left readable
    assert md_code("a`b") == "``a`b``"
