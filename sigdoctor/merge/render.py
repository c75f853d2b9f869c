"""The fleet view as text (a terminal), JSON (scripts) or Markdown (a ticket or an incident document)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

from rich.table import Table
from rich.text import Text

from sigdoctor import __version__
from sigdoctor.merge.aggregate import Fleet, Group
from sigdoctor.render.console import render_to_string
from sigdoctor.render.markdown import md_cell, md_text

# Host lists in text and Markdown stop here; the JSON always has them all.
HOSTS_SHOWN = 8
# Up to this many hosts, Markdown also gets the full causes × hosts matrix (one column per host).
MATRIX_MAX_HOSTS = 12
MARK = {"error": "✗", "warning": "!", "info": "i"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _hosts(names: list[str] | tuple[str, ...], limit: int = HOSTS_SHOWN) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" +{len(names) - limit} more" if len(names) > limit else "")


def _headline(fleet: Fleet) -> str:
    n = len(fleet.hosts)
    problems = sum(1 for h in fleet.hosts if h.causes)
    errors = sum(1 for h in fleet.hosts if h.has_error)
    return (f"{n} host{'s' if n != 1 else ''}: {errors} with an error-severity cause, "
            f"{problems - errors} with warnings only, {len(fleet.healthy)} healthy")


def _causes_label(causes: tuple[tuple[str, str], ...]) -> str:
    return " + ".join(cid if sev == "error" else f"{cid} ({sev})" for cid, sev in causes)


def _group_label(g: Group) -> str:
    return _causes_label(g.causes) if g.causes else "(healthy: no root cause)"


def _outlier_ids(fleet: Fleet) -> set[str]:
    return {cid for o in fleet.outliers for cid, _ in o.causes}


def render_text(fleet: Fleet, *, color: bool, width: int | None = None) -> str:
    width = width or max(80, min(160, shutil.get_terminal_size((100, 24)).columns))
    out: list[Any] = [Text(f"sigdoctor merge — {_headline(fleet)}", style="bold"), Text("")]
    total = len(fleet.hosts)
    if fleet.causes:
        t = Table(title="Causes, most common first", title_justify="left", box=None, pad_edge=False)
        for col in ("hosts", "severity", "cause", "which hosts"):
            t.add_column(col, overflow="fold")
        outlier_ids = _outlier_ids(fleet)
        for r in fleet.causes:
            mark = "  ← outlier" if r.id in outlier_ids else ""
            t.add_row(f"{len(r.hosts)}/{total}", Text(r.severity, style=SEVERITY_STYLE.get(r.severity, "")),
                      r.id, _hosts(r.hosts) + mark)
        out += [t, Text("")]
    else:
        out += [Text("No root cause on any host.", style="green"), Text("")]
    g = Table(title="Hosts with the same diagnosis", title_justify="left", box=None, pad_edge=False)
    for col in ("hosts", "diagnosis", "which hosts"):
        g.add_column(col, overflow="fold")
    for grp in fleet.groups:
        g.add_row(str(len(grp.hosts)), _group_label(grp), _hosts(grp.hosts))
    out += [g]
    if fleet.outliers:
        out += [Text(""), Text("Outliers (causes only one host has)", style="bold")]
        out += [Text(f"  {o.host}: {_causes_label(o.causes)} — sigdoctor explain {o.causes[0][0]}")
                for o in fleet.outliers]
    out += _notes_text(fleet)
    if fleet.causes:
        out += [Text(""), Text(f"Next: sigdoctor explain {fleet.causes[0].id}", style="dim")]
    return render_to_string(out, color=color, width=width)


def _notes_text(fleet: Fleet) -> list[Any]:
    out: list[Any] = []
    if fleet.skipped:
        out += [Text(""), Text(f"Skipped {len(fleet.skipped)} input(s) that are not sigdoctor reports:",
                               style="yellow")]
        out += [Text(f"  {s.source}: {s.reason}") for s in fleet.skipped]
    if fleet.superseded:
        out += [Text(""), Text(f"{len(fleet.superseded)} older report(s) of a host that reported again were "
                               f"ignored: {_hosts(fleet.superseded)}", style="dim")]
    return out


class Each:
    """An array of the JSON view made one element at a time as it is written: the 100,000 host entries of a large
    fleet never exist all at once (as dicts they were ~40 MB beside the view's 29 MB string)."""

    __slots__ = ("fn", "items")

    def __init__(self, items: Sequence[Any], fn: Callable[[Any], Any]) -> None:
        self.items, self.fn = items, fn


def fleet_to_dict(fleet: Fleet) -> dict[str, Any]:
    """The JSON view's structure; the per-host arrays are `Each` (see json_lines)."""
    healthy = sum(1 for h in fleet.hosts if not h.causes)
    return {
        "schema_version": 1,
        "tool": {"name": "sigdoctor", "version": __version__},
        "command": "merge",
        "summary": {"hosts": len(fleet.hosts), "with_error": sum(1 for h in fleet.hosts if h.has_error),
                    "healthy": healthy},
        "causes": [{"id": r.id, "severity": r.severity, "title": r.title, "count": len(r.hosts),
                    "top_on": r.top_on, "hosts": r.hosts} for r in fleet.causes],
        "groups": [{"causes": [c for c, _ in g.causes], "severities": [s for _, s in g.causes],
                    "hosts": g.hosts} for g in fleet.groups],
        "outliers": [{"host": o.host, "causes": [c for c, _ in o.causes], "severities": [s for _, s in o.causes]}
                     for o in fleet.outliers],
        "hosts": Each(fleet.hosts, lambda h: {"host": h.name, "source": h.source, "started_at": h.started_at,
                                              "root_causes": [c.id for c in h.causes]}),
        "skipped": Each(fleet.skipped, lambda s: {"source": s.source, "reason": s.reason}),
        "superseded": fleet.superseded,
    }


def render_json(fleet: Fleet) -> str:
    return "".join(json_lines(fleet))


def json_lines(fleet: Fleet) -> Iterator[str]:
    """The JSON view line by line (each with its newline), made as it is written: memory holds the fleet, not its
    view. Lines, because the redacting stdout rescans a whole write that holds an anchor word ("credential" is in
    `no-credentials`): 0.34 s for the 80,000 lines of 10,000 hosts written one by one, 1.6 s in 4 kB writes."""
    rest = ""
    for piece in _pieces(fleet_to_dict(fleet), 0):
        if "\n" not in piece:
            rest += piece
            continue
        lines = (rest + piece).split("\n")
        rest = lines.pop()
        for line in lines:
            yield line + "\n"
    yield rest + "\n"


# Host names of a cause or group (up to every host of the fleet) are encoded this many at a time.
_NAMES_AT_ONCE = 256


def _pieces(value: Any, level: int) -> Iterator[str]:
    """indented_json(value, level) in pieces: containers one member at a time, `Each` arrays one made element at
    a time, long lists of strings a slice at a time."""
    items = value.items if isinstance(value, Each) else value
    if not isinstance(value, dict | list | tuple | Each) or not items:
        yield indented_json([] if isinstance(value, Each) else value, level)
        return
    pad = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        sep = "{"
        for k, v in value.items():
            yield sep + pad + encode_basestring(str(k)) + ": "
            yield from _pieces(v, level + 1)
            sep = ","
        yield "\n" + "  " * level + "}"
        return
    if isinstance(value, Each):
        fn, sep = value.fn, "["
        for item in items:
            yield sep + pad + indented_json(fn(item), level + 1)
            sep = ","
    elif all(isinstance(v, str) for v in items):
        joint = "," + pad
        for i in range(0, len(items), _NAMES_AT_ONCE):
            yield ("[" if i == 0 else ",") + pad + joint.join(map(encode_basestring, items[i:i + _NAMES_AT_ONCE]))
    else:
        sep = "["
        for v in items:
            yield sep + pad
            yield from _pieces(v, level + 1)
            sep = ","
    yield "\n" + "  " * level + "]"


def indented_json(value: Any, level: int = 0) -> str:
    """Exactly json.dumps(value, indent=2, ensure_ascii=False) for string keys, built bottom-up. With an indent, json.dumps uses
    its pure-Python encoder, which holds every token as its own string until the end: for 100,000 hosts that was
    ~1.5 million strings and 150 MB for a 22 MB view; here each host becomes one string."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "\n" + "  " * (level + 1)
        items = [pad + encode_basestring(str(k)) + ": " + indented_json(v, level + 1) for k, v in value.items()]
        return "{" + ",".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        pad = "\n" + "  " * (level + 1)
        return "[" + ",".join(pad + indented_json(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return json.dumps(value)  # numbers, booleans, None


def render_markdown(fleet: Fleet) -> str:
    lines = ["# sigdoctor fleet report", "", md_text(_headline(fleet)) + ".", ""]
    total = len(fleet.hosts)
    outlier_ids = _outlier_ids(fleet)
    if fleet.causes:
        lines += ["## Causes, most common first", "", "| hosts | severity | cause | which hosts |", "| --- | --- | --- | --- |"]
        for r in fleet.causes:
            mark = " (outlier)" if r.id in outlier_ids else ""
            lines.append(f"| {len(r.hosts)}/{total} | {r.severity} | `{r.id}`{mark} | {md_cell(_hosts(r.hosts))} |")
        lines.append("")
    if fleet.causes and len(fleet.hosts) <= MATRIX_MAX_HOSTS:
        lines += _matrix(fleet)
    lines += ["## Hosts with the same diagnosis", "", "| hosts | diagnosis | which hosts |", "| --- | --- | --- |"]
    lines += [f"| {len(g.hosts)} | {md_cell(_group_label(g))} | {md_cell(_hosts(g.hosts))} |" for g in fleet.groups]
    if fleet.outliers:
        lines += ["", "## Outliers", ""]
        lines += [f"- {md_text(o.host)}: {', '.join(f'`{c}` ({sev})' for c, sev in o.causes)} — "
                  f"`sigdoctor explain {o.causes[0][0]}`" for o in fleet.outliers]
    if fleet.skipped:
        lines += ["", "## Skipped inputs", ""]
        lines += [f"- {md_text(s.source)}: {md_text(s.reason)}" for s in fleet.skipped]
    if fleet.superseded:
        lines += ["", f"Older reports ignored (the host reported again): {md_text(_hosts(fleet.superseded))}"]
    return "\n".join(lines) + "\n"


def _matrix(fleet: Fleet) -> list[str]:
    hosts = [h.name for h in fleet.hosts]
    severity = {(h.name, c.id): c.severity for h in fleet.hosts for c in h.causes}
    lines = ["## Causes × hosts", "", "✗ error · ! warning · i info", "",
             "| cause | " + " | ".join(md_cell(h) for h in hosts) + " |",
             "| --- |" + " :-: |" * len(hosts)]
    for r in fleet.causes:
        cells = [MARK.get(severity.get((h, r.id), ""), "") for h in hosts]
        lines.append(f"| `{r.id}` | " + " | ".join(cells) + " |")
    return [*lines, ""]
