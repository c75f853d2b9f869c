"""The report as Markdown, for a support ticket or a pull request: tables for the overview, lists for the detail.

Report strings are data: Markdown syntax in them is escaped so an ARN ending in `*` or a `|` in a detail cannot
reshape the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sigdoctor import __version__
from sigdoctor.model import ProbeResult, Report, RootCause, Status
from sigdoctor.render import undecided
from sigdoctor.render.prepare import prepare
from sigdoctor.render.summary import problems, summary_line

STATUS_LABEL: Mapping[Status, str] = {
    Status.PASS: "✓ pass",
    Status.WARN: "! warn",
    Status.FAIL: "✗ fail",
    Status.SKIP: "- skip",
    Status.ERROR: "✗ error",
}

# Emphasis, code, HTML and escapes. `_` only at a word edge: GFM ignores intra-word underscores, and escaping
# every one would make AWS_ACCESS_KEY_ID unreadable in a ticket system that shows the raw text.
_SPECIAL = re.compile(r"([\\`*<>~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def md_text(s: str) -> str:
    """A string as literal Markdown inline text."""
    return _SPECIAL.sub(r"\\\1", s)


def md_cell(s: str) -> str:
    """A string as one table cell: inline-escaped, pipes escaped, line breaks kept as <br>."""
    return md_text(s).replace("|", r"\|").replace("\r\n", "\n").replace("\n", "<br>")


def md_code(s: str) -> str:
    """Inline code, with a fence long enough for any backticks inside."""
    fence = "`" * (max((len(m) for m in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """Rows of already-formatted cells (use md_cell on data)."""
    head = list(header)
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out.extend("| " + " | ".join(cells) + " |" for cells in rows)
    return out


def _value(v: Any, sep: str = ", ") -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return sep.join(_value(x, sep) for x in v) if v else "none"
    return json.dumps(v, ensure_ascii=False, default=str, sort_keys=True)


def credential_winner(creds: Mapping[str, Any] | None) -> str:
    if creds is None:
        return "not examined"
    winner = creds.get("winner")
    if not winner:
        return "none (no source yields credentials)"
    bits = [str(winner)]
    if creds.get("access_key_id"):
        bits.append(str(creds["access_key_id"]))
    if creds.get("expiry"):
        bits.append(f"expires {creds['expiry']}")
    return bits[0] + (f" ({', '.join(bits[1:])})" if len(bits) > 1 else "")


def sources_section(creds: Mapping[str, Any]) -> list[str]:
    """The chain table plus profile, files and Go SDK picks: shared by `run` and `chain` Markdown."""
    rows = []
    for s in creds.get("sources") or []:
        state = md_cell(str(s.get("state") or ""))
        method = md_code(str(s.get("method") or "")).replace("|", r"\|")
        if s.get("state") == "winner":
            method, state = f"**{method}**", f"**{state}**"
        rows.append([method, state, md_cell(str(s.get("detail") or ""))])
    out = table(["Method", "State", "Detail"], rows) if rows else ["No credential source was examined."]
    extra: list[str] = []
    if creds.get("profile") is not None:
        src = creds.get("profile_source")
        extra.append(f"- Profile: {md_code(str(creds['profile']))}" + (f" (from {md_text(str(src))})" if src else ""))
    for f in creds.get("files") or []:
        state = "exists" if f.get("exists") else "missing"
        origin = f", from {md_text(str(f['from']))}" if f.get("from") else ""
        extra.append(f"- {md_text(str(f.get('kind') or 'file').capitalize())} file: "
                     f"{md_code(str(f.get('path')))} ({state}{origin})")
    for model, pick in sorted((creds.get("go_sdk") or {}).items()):
        pick = pick or {}
        source = md_code(str(pick["source"])) if pick.get("source") else "none"
        why = f" — {md_text(str(pick['why']))}" if pick.get("why") else ""
        extra.append(f"- {md_text(str(model))} would use {source}{why}")
    if extra:
        out += ["", *extra]
    return out


def _environment(report: Report) -> list[str]:
    env = report.environment
    rows = [
        ["Command", md_code(f"sigdoctor {report.command}")],
        ["Version", md_cell(report.version or __version__)],
        ["Started", md_cell(report.started_at)],
        ["Duration", f"{report.duration_ms} ms"],
    ]
    if "region" in env or report.command == "run":
        rows.append(["Region", md_cell(str(env.get("region") or "not set"))])
    if "targets" in env or report.command == "run":
        rows.append(["Targets", md_cell(_value(list(env.get("targets") or []), "\n"))])
    for key in sorted(k for k in env if k not in ("region", "targets")):
        rows.append([md_cell(key), md_cell(_value(env[key]))])
    rows.append(["Credentials", md_cell(credential_winner(report.credentials))])
    return table(["", ""], rows)


def _cause(n: int, c: RootCause, *, base: str = "") -> list[str]:
    """One cause; a candidate of a problem the text cannot decide (c.group) is worded as a possibility, as an item of
    its group's nested list (`base`: that list's indent)."""
    conf = "" if c.confidence.value == "high" else f" ({c.confidence.value} confidence)"
    pad = base + " " * len(f"{n}. ")
    out = [f"{base}{n}. **[{c.severity.value}] {md_code(c.id)}** — {md_text(c.title)}{conf}"]
    summary = c.possible if c.group else c.summary
    if summary:
        out += ["", f"{pad}{md_text(summary)}"]
    evidence = undecided.candidate_evidence(c) if c.group else c.evidence
    fix = undecided.candidate_fix(c) if c.group else c.fix
    for label, items in (("Evidence", evidence), ("Fix", fix)):
        if items:
            out += ["", f"{pad}{label}:", ""]
            out += [f"{pad}- {md_text(i)}" for i in items]
    more = f"{md_code('sigdoctor explain ' + c.id)}"
    if c.docs:
        more += f", {md_code(c.docs)}"
    out += ["", f"{pad}More: {more}", ""]
    return out


def _group(n: int, members: list[RootCause]) -> list[str]:
    """A problem the text cannot decide: its heading, why, the one command that decides, its candidates ranked."""
    first = members[0]
    out = [f"{n}. **{md_text(undecided.heading(len(members)))}**", ""]
    if first.why:
        out += [f"   Why: {md_text(undecided.why_line(first.why))}", ""]
    if first.settle:
        out += [f"   **{md_text(undecided.settle_line(first.settle))}**", ""]
    for i, c in enumerate(members, start=1):
        out += _cause(i, c, base="   ")
    return out


def _causes(causes: tuple[RootCause, ...]) -> list[str]:
    """The ranked causes, numbered as problems: a group the text cannot decide is one, where its first candidate
    ranks."""
    out: list[str] = []
    for n, members in enumerate(problems(causes), 1):
        out += _group(n, members) if members[0].group else _cause(n, members[0])
    return out


def _probe_findings(p: ProbeResult) -> list[str]:
    if not p.findings:
        return []
    out = [f"### {md_text(p.title)} ({md_code(p.id)})", ""]
    for f in p.findings:
        first, _, rest = f.message.partition("\n")
        out.append(f"- {STATUS_LABEL[f.status]} {md_code(f.id)} — {md_text(first)}")
        if rest:
            # Multi-line messages (canonical-request diffs) keep their layout in a fenced block.
            out += ["", "  ```diff", *(f"  {line}" for line in rest.split("\n")), "  ```", ""]
        for key in sorted(f.evidence):
            out.append(f"  - {md_text(key)}: {md_text(_value(f.evidence[key]))}")
    return [*out, ""]


def render_markdown(report: Report) -> str:
    report = prepare(report)
    out = ["# sigdoctor report", "", *_environment(report), "", f"**{md_text(summary_line(report))}**", ""]

    out += ["## Root causes", ""]
    if report.root_causes:
        out += _causes(report.root_causes)
    else:
        out += ["No root cause found.", ""]

    out += ["## Probes", ""]
    out += table(
        ["Probe", "Status", "Summary"],
        (
            [f"{md_cell(p.title)} ({md_code(p.id).replace('|', chr(92) + '|')})", STATUS_LABEL[p.status],
             md_cell(("(probe error) " if p.status is Status.ERROR else "") + p.summary)]
            for p in report.probes
        ),
    )
    out.append("")
    for p in report.probes:
        out += _probe_findings(p)

    out += ["## Credential sources", ""]
    if report.credentials is None:
        out += ["The credential chain was not examined.", ""]
    else:
        out += [*sources_section(report.credentials), ""]
    return "\n".join(out).rstrip("\n") + "\n"
