"""The terminal report, flutter-doctor style: one line per area, details for what is wrong, ranked causes, a verdict.

Everything a probe wrote goes into `rich.text.Text` objects, never through markup: a profile named `[prod]` or a
detail with `[bold]` in it is data, not styling.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sigdoctor import __version__
from sigdoctor.model import Finding, ProbeResult, Report, RootCause, Severity, Status
from sigdoctor.render import undecided
from sigdoctor.render.console import render_to_string
from sigdoctor.render.prepare import prepare
from sigdoctor.render.summary import count, problems, summary_line

CREDENTIALS_PROBE = "credentials"
WINNER_MARK = "→"

MARK: Mapping[Status, str] = {
    Status.PASS: "✓",
    Status.WARN: "!",
    Status.FAIL: "✗",
    Status.SKIP: "-",
    Status.ERROR: "✗",
}
STATUS_STYLE: Mapping[Status, str] = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "red",
    Status.SKIP: "dim",
    Status.ERROR: "magenta",
}
SEVERITY_STYLE: Mapping[Severity, str] = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold cyan",
}
SOURCE_STATE_STYLE: Mapping[str, str] = {
    "winner": "bold green",
    "failed": "red",
    "shadowed": "yellow",
    "configured": "",
    "absent": "dim",
}
_PROBLEM = (Status.FAIL, Status.WARN, Status.ERROR)


def hang(prefix: Text | str, body: Text | str, *, indent: int = 0) -> Table:
    """`prefix body`, with `body` wrapping under itself rather than under the prefix."""
    # An empty column still costs rich a cell of width now and then: leave out the ones with nothing in them.
    cells: list[Text | str] = []
    grid = Table.grid(padding=0)
    if indent:
        grid.add_column(width=indent, no_wrap=True)
        cells.append(" " * indent)
    if (prefix.plain if isinstance(prefix, Text) else prefix):
        grid.add_column(no_wrap=True)
        cells.append(prefix)
    grid.add_column(overflow="fold")
    grid.add_row(*cells, body)
    return grid


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def header_line(report: Report, *, scope: bool = True) -> Text:
    """`sigdoctor 0.1.0 — run — region us-east-1, 1 target`; `scope=False` leaves out region and targets."""
    parts = [f"sigdoctor {report.version or __version__}", report.command]
    if not scope or report.command not in ("run", "chain"):
        return Text(" — ".join(parts), style="bold")
    env = report.environment
    where: list[str] = []
    if "region" in env or report.command == "run":
        where.append(f"region {env.get('region') or 'not set'}"
                     + (" (guessed)" if env.get("region_guessed") else ""))
    if "targets" in env or report.command == "run":
        targets = env.get("targets") or []
        where.append(_plural(len(targets), "target") if targets else "no targets")
    if where:
        parts.append(", ".join(where))
    return Text(" — ".join(parts), style="bold")


def _evidence_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _message_text(message: str) -> Text:
    """One-line messages as they are; multi-line ones (canonical-request diffs) with `-`/`+` lines highlighted."""
    if "\n" not in message:
        return Text(message)
    text = Text()
    for i, line in enumerate(message.split("\n")):
        if i:
            text.append("\n")
        style = "red" if line.startswith("- ") else "green" if line.startswith("+ ") else ""
        text.append(line, style=style)
    return text


def _finding_lines(f: Finding, *, verbose: bool) -> list[RenderableType]:
    out: list[RenderableType] = [
        hang(Text(f"{MARK[f.status]} ", style=STATUS_STYLE[f.status]), _message_text(f.message), indent=4)
    ]
    if verbose:
        for key in sorted(f.evidence):
            out.append(hang(Text(f"{key}: ", style="dim"), Text(_evidence_value(f.evidence[key])), indent=6))
    return out


class SourcesView:
    """The credential chain, in chain order: a Method / State / Detail table when the detail gets room, else (a
    narrow terminal) one `method  state` line per source with its detail beneath, so no word is cut in pieces."""

    MIN_DETAIL = 32

    def __init__(self, sources: list[Mapping[str, Any]], *, mark_winner: bool = False) -> None:
        self.sources = sources
        self.mark_winner = mark_winner

    def _row(self, s: Mapping[str, Any]) -> tuple[Text, Text, Text, Text]:
        state = str(s.get("state") or "")
        style = SOURCE_STATE_STYLE.get(state, "")
        win = state == "winner"
        return (
            Text(WINNER_MARK if win else "", style=style),
            Text(str(s.get("method") or ""), style=style),
            Text(state, style=style),
            Text(str(s.get("detail") or ""), style="bold" if win and self.mark_winner else ""),
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = [self._row(s) for s in self.sources]
        mark_w = 3 if self.mark_winner else 0
        method_w = max([len("Method"), *(r[1].cell_len for r in rows)])
        state_w = max([len("State"), *(r[2].cell_len for r in rows)])
        if options.max_width - mark_w - method_w - state_w - 4 >= self.MIN_DETAIL:
            yield self._table(rows)
            return
        for mark, method, state, detail in rows:
            head = Text.assemble(method, "  ", state)
            yield hang(Text(f"{mark.plain:<3}", style=mark.style) if self.mark_winner else "", head)
            if detail.plain:
                yield hang("", detail, indent=mark_w + 2)

    def _table(self, rows: list[tuple[Text, Text, Text, Text]]) -> Table:
        table = Table(box=None, padding=(0, 2, 0, 0), pad_edge=False, show_edge=False, header_style="bold")
        if self.mark_winner:
            table.add_column("", no_wrap=True, width=1)
        table.add_column("Method", no_wrap=True)
        table.add_column("State", no_wrap=True)
        table.add_column("Detail", overflow="fold")
        for row in rows:
            table.add_row(*(row if self.mark_winner else row[1:]))
        return table


def sources_table(sources: list[Mapping[str, Any]], *, indent: int, mark_winner: bool = False) -> RenderableType:
    view = SourcesView(sources, mark_winner=mark_winner)
    return Padding(view, (0, 0, 0, indent)) if indent else view


def _compact_sources(sources: list[Mapping[str, Any]], *, verbose: bool) -> list[RenderableType]:
    """Sources that are in play get a row; the absent ones share one line, unless `verbose` asks for all or no
    source won — then why each one is absent is the diagnosis."""
    if verbose or not any(s.get("state") == "winner" for s in sources):
        return [sources_table(sources, indent=4)]
    present = [s for s in sources if s.get("state") != "absent"]
    absent = [str(s.get("method")) for s in sources if s.get("state") == "absent"]
    out: list[RenderableType] = []
    if present:
        out.append(sources_table(present, indent=4))
    if absent:
        out.append(hang(Text("Not configured: ", style="dim"), Text(", ".join(absent), style="dim"), indent=4))
    return out


def chain_context_lines(creds: Mapping[str, Any], *, indent: int) -> list[RenderableType]:
    """Which profile botocore uses and which files it read: the context a sources table needs."""
    out: list[RenderableType] = []
    if creds.get("profile") is not None:
        src = creds.get("profile_source")
        text = str(creds["profile"]) + (f" (from {src})" if src else "")
        out.append(hang(Text("Profile: ", style="bold"), Text(text), indent=indent))
    for f in creds.get("files") or []:
        bits = ["exists" if f.get("exists") else "missing"]
        if f.get("from"):
            bits.append(f"from {f['from']}")
        label = f"{str(f.get('kind') or 'file').capitalize()} file: "
        out.append(hang(Text(label, style="bold"), Text(f"{f.get('path')} ({', '.join(bits)})"), indent=indent))
    return out


def _probe_line(p: ProbeResult) -> RenderableType:
    mark = Text(f"[{MARK[p.status]}] ", style=STATUS_STYLE[p.status])
    body = Text()
    body.append(p.title, style="bold")
    body.append(" — ")
    if p.status is Status.ERROR:
        body.append("(probe error) ", style=STATUS_STYLE[Status.ERROR])
    body.append(p.summary, style="dim" if p.status is Status.SKIP else "")
    return hang(mark, body)


def _probe_block(p: ProbeResult, report: Report, *, verbose: bool) -> list[RenderableType]:
    out = [_probe_line(p)]
    creds = report.credentials if p.id == CREDENTIALS_PROBE else None
    if creds is not None and creds.get("sources"):
        out.extend(_compact_sources(list(creds["sources"]), verbose=verbose))
    if verbose and creds is not None:
        out.extend(chain_context_lines(creds, indent=4))
    if verbose:
        shown = list(p.findings)
    elif p.status in _PROBLEM:
        shown = [f for f in p.findings if f.status in _PROBLEM]
    else:
        shown = []
    for f in shown:
        out.extend(_finding_lines(f, verbose=verbose))
    return out


def _bullets(title: str, items: tuple[str, ...], *, indent: int) -> list[RenderableType]:
    if not items:
        return []
    out: list[RenderableType] = [Padding(Text(title, style="bold"), (0, 0, 0, indent))]
    out.extend(hang("• ", Text(item), indent=indent + 2) for item in items)
    return out


def _cause_block(number: str, c: RootCause, *, base: int = 0) -> list[RenderableType]:
    """One cause; a candidate of a problem the text cannot decide (c.group) is worded as a possibility, under its
    group's heading (`base`: that heading's indent)."""
    indent = base + len(number)
    head = Text()
    head.append(f"[{c.severity.value}] ", style=SEVERITY_STYLE[c.severity])
    head.append(c.id, style="bold")
    head.append(f" — {c.title}")
    if c.confidence.value != "high":
        head.append(f" ({c.confidence.value} confidence)", style="dim")
    out: list[RenderableType] = [hang(number, head, indent=base)]
    summary = c.possible if c.group else c.summary
    if summary:
        out.append(Padding(Text(summary), (0, 0, 0, indent)))
    out.extend(_bullets("Evidence:", undecided.candidate_evidence(c) if c.group else c.evidence, indent=indent))
    out.extend(_bullets("Fix:", undecided.candidate_fix(c) if c.group else c.fix, indent=indent))
    more = Text()
    more.append("More: ", style="dim")
    more.append(f"sigdoctor explain {c.id}")
    out.append(Padding(more, (0, 0, 0, indent)))
    return out


def _group_block(n: int, members: list[RootCause]) -> list[RenderableType]:
    """A problem the text cannot decide: its heading, why, the one command that decides, its candidates ranked."""
    number = f"{n}. "
    indent = len(number)
    first = members[0]
    out: list[RenderableType] = [hang(number, Text(undecided.heading(len(members)), style="bold"))]
    if first.why:
        out.append(hang(Text("Why: ", style="dim"), Text(undecided.why_line(first.why)), indent=indent))
    if first.settle:
        line = undecided.settle_line(first.settle)
        label, colon, rest = line.partition(": ")
        # The command wraps under itself, as "Why:" does, so the label stays the one thing in its column.
        out.append(hang(Text(label + colon, style="bold"), Text(rest, style="bold"), indent=indent)
                   if colon and len(label) <= 20 else Padding(Text(line, style="bold"), (0, 0, 0, indent)))
    for i, c in enumerate(members):
        out.append(Text(""))
        out.extend(_cause_block(f"{chr(ord('a') + i) if i < 26 else i + 1}. ", c, base=indent))
    return out


def cause_blocks(causes: tuple[RootCause, ...]) -> list[RenderableType]:
    """The ranked causes, numbered as problems: a group the text cannot decide is one, shown where its first
    candidate ranks, with its candidates in their order."""
    out: list[RenderableType] = []
    for n, members in enumerate(problems(causes), 1):
        out.append(Text(""))
        out.extend(_group_block(n, members) if members[0].group else _cause_block(f"{n}. ", members[0]))
    return out


def _summary(report: Report) -> Text:
    c = count(report)
    style = "bold red" if c.errors else "bold yellow" if (c.warnings or c.undecided or c.problem_areas) else "bold green"
    return Text(summary_line(report), style=style)


def text_renderables(report: Report, *, verbose: bool) -> list[RenderableType]:
    """The report as rich renderables; `report` must have gone through `prepare`."""
    out: list[RenderableType] = [header_line(report), Text("")]
    for p in report.probes:
        out.extend(_probe_block(p, report, verbose=verbose))
    if report.root_causes:
        out.extend([Text(""), Text("Root causes (most likely first)", style="bold underline")])
        out.extend(cause_blocks(report.root_causes))
    out.extend([Text(""), _summary(report)])
    return out


def render_text(report: Report, *, color: bool, verbose: bool, width: int = 100) -> str:
    report = prepare(report)
    return render_to_string([Group(*text_renderables(report, verbose=verbose))], color=color, width=width)
