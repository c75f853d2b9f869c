"""`sigdoctor chain`: the credential chain alone, like `aws configure list` but with every source and its state.

botocore stops at the first source that yields credentials and hides the rest; this view shows the rest — the
shadowed role that should have won, the source that failed and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import RenderableType
from rich.text import Text

from sigdoctor.model import Report, Status
from sigdoctor.render.console import render_to_string
from sigdoctor.render.markdown import credential_winner, md_code, md_text, sources_section
from sigdoctor.render.prepare import prepare
from sigdoctor.render.text import (
    CREDENTIALS_PROBE,
    MARK,
    STATUS_STYLE,
    chain_context_lines,
    hang,
    header_line,
    sources_table,
)

_PROBLEM = (Status.FAIL, Status.WARN, Status.ERROR)


def _go_sdk_lines(creds: Mapping[str, Any]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for model, pick in sorted((creds.get("go_sdk") or {}).items()):
        pick = pick or {}
        body = Text()
        body.append(str(pick.get("source") or "none"), style="bold")
        if pick.get("why"):
            body.append(f" — {pick['why']}")
        out.append(hang(Text(f"{model} would use: "), body))
    return out


def _problem_findings(report: Report) -> list[RenderableType]:
    out: list[RenderableType] = []
    for p in report.probes:
        if p.id != CREDENTIALS_PROBE:
            continue
        if p.status is Status.ERROR:
            out.append(hang(Text(f"{MARK[p.status]} ", style=STATUS_STYLE[p.status]),
                            Text(f"(probe error) {p.summary}")))
        for f in p.findings:
            if f.status in _PROBLEM:
                out.append(hang(Text(f"{MARK[f.status]} ", style=STATUS_STYLE[f.status]), Text(f.message)))
    return out


def _not_examined(report: Report) -> str:
    for p in report.probes:
        if p.id == CREDENTIALS_PROBE:
            # A crash is listed with the problems below; saying it twice would only add noise.
            reason = "" if p.status is Status.ERROR else f" ({p.status.value}: {p.summary})"
            return f"The credential chain was not examined{reason}."
    return "The credential chain was not examined (the credentials probe did not run)."


def render_chain_text(report: Report, *, color: bool, width: int = 100) -> str:
    report = prepare(report)
    creds = report.credentials
    out: list[RenderableType] = [header_line(report, scope=False), Text("")]
    if creds is None:
        out.append(Text(_not_examined(report)))
    else:
        out.append(hang(Text("Winner: ", style="bold"), Text(credential_winner(creds))))
        out += [Text(""), sources_table(list(creds.get("sources") or []), indent=0, mark_winner=True), Text("")]
        out += chain_context_lines(creds, indent=0)
        out += _go_sdk_lines(creds)
    findings = _problem_findings(report)
    if findings:
        out += [Text(""), *findings]
    return render_to_string(out, color=color, width=width)


def render_chain_markdown(report: Report) -> str:
    report = prepare(report)
    creds = report.credentials
    out = ["# sigdoctor credential chain", ""]
    if creds is None:
        out += [md_text(_not_examined(report)), ""]
    else:
        out += [f"Winner: **{md_text(credential_winner(creds))}**", "", *sources_section(creds), ""]
    problems = []
    for p in report.probes:
        if p.id != CREDENTIALS_PROBE:
            continue
        if p.status is Status.ERROR:
            problems.append(f"- error (probe error) — {md_text(p.summary)}")
        problems += [f"- {md_text(f.status.value)} {md_code(f.id)} — {md_text(f.message)}"
                     for f in p.findings if f.status in _PROBLEM]
    if problems:
        out += ["## Problems", "", *problems, ""]
    return "\n".join(out).rstrip("\n") + "\n"
