"""Every format of every fixture report, compared with the files in snapshots/ (SNAPSHOT_UPDATE=1 rewrites them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from sigdoctor.model import Report
from sigdoctor.render.chain import render_chain_markdown, render_chain_text
from sigdoctor.render.json import render_json
from sigdoctor.render.markdown import render_markdown
from sigdoctor.render.text import render_text
from tests.render.conftest import REPORT_FIXTURES, short_name

Snapshot = Callable[[str, str], None]


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_text(fixture: str, request: pytest.FixtureRequest, snapshot: Snapshot) -> None:
    report: Report = request.getfixturevalue(fixture)
    snapshot(f"text_{short_name(fixture)}.txt", render_text(report, color=False, verbose=False, width=100))


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_text_verbose(fixture: str, request: pytest.FixtureRequest, snapshot: Snapshot) -> None:
    report: Report = request.getfixturevalue(fixture)
    snapshot(f"text_{short_name(fixture)}_verbose.txt", render_text(report, color=False, verbose=True, width=100))


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_json(fixture: str, request: pytest.FixtureRequest, snapshot: Snapshot) -> None:
    report: Report = request.getfixturevalue(fixture)
    snapshot(f"json_{short_name(fixture)}.json", render_json(report))


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_markdown(fixture: str, request: pytest.FixtureRequest, snapshot: Snapshot) -> None:
    report: Report = request.getfixturevalue(fixture)
    snapshot(f"md_{short_name(fixture)}.md", render_markdown(report))


@pytest.mark.parametrize("fixture", REPORT_FIXTURES)
def test_chain(fixture: str, request: pytest.FixtureRequest, snapshot: Snapshot) -> None:
    report: Report = replace(request.getfixturevalue(fixture), command="chain")
    snapshot(f"chain_{short_name(fixture)}.txt", render_chain_text(report, color=False, width=100))
    snapshot(f"chain_{short_name(fixture)}.md", render_chain_markdown(report))


def test_narrow_terminal(several_causes_report: Report, snapshot: Snapshot) -> None:
    snapshot("text_several_causes_width60.txt", render_text(several_causes_report, color=False, verbose=False, width=60))
