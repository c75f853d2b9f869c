"""Reading fleet reports: files, folders and stdin, each holding one JSON report or one report per line.

A missing path is a usage error (a typo should not silently shrink the fleet). Content that is not a sigdoctor
schema-1 report (a stray log line, a report from a future sigdoctor) is skipped and listed in the merged view, so
one bad line among hundreds of collected hosts does not hide the others; if nothing valid remains it is an error.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sigdoctor.errors import UsageError

SCHEMA_VERSION = 1
# `kubectl logs --prefix` puts "[pod/name/container] " before each line.
_LOG_PREFIX = re.compile(r"\[[^\]]*\]\s+(?=\{)")


@dataclass(frozen=True)
class Loaded:
    source: str  # where it came from: a path, "path:LINE" or "stdin:LINE"
    report: dict[str, Any]


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class Inputs:
    reports: list[Loaded] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def check_report(doc: Any) -> str | None:
    """Why `doc` is not a report `merge` can read, or None when it is."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    tool = doc.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "sigdoctor" or "schema_version" not in doc:
        return "not a sigdoctor JSON report (no tool.name \"sigdoctor\" / schema_version)"
    if doc["schema_version"] != SCHEMA_VERSION:
        return f"schema_version {doc['schema_version']!r}; this sigdoctor reads {SCHEMA_VERSION}"
    if not isinstance(doc.get("root_causes"), list) or not isinstance(doc.get("environment"), dict):
        return "no root_causes list or environment object"
    bad = [c for c in doc["root_causes"] if not isinstance(c, dict) or not isinstance(c.get("id"), str)]
    if bad:
        return "a root cause without an id"
    return None


def _documents(text: str, source: str) -> list[tuple[str, Any]]:
    """(source, parsed JSON or a ValueError) for each document in `text`: one JSON document, JSON lines, or
    pretty-printed reports one after another (`cat *.json`). A line that does not parse is skipped up to its end."""
    decoder = json.JSONDecoder()
    found: list[tuple[int, Any]] = []
    pos, size = 0, len(text)
    while pos < size:
        while pos < size and text[pos].isspace():
            pos += 1
        if pos >= size:
            break
        if pos == 0 or text[pos - 1] == "\n":
            m = _LOG_PREFIX.match(text, pos)
            if m:
                pos = m.end()
        line = text.count("\n", 0, pos) + 1
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except ValueError as e:
            eol = text.find("\n", pos)
            # The line itself is not quoted: a stray log line may hold anything, secrets included.
            found.append((line, ValueError(f"not JSON ({getattr(e, 'msg', e)})")))
            pos = size if eol < 0 else eol + 1
            continue
        found.append((line, doc))
    if len(found) == 1:
        return [(source, found[0][1])]
    return [(f"{source}:{line}", doc) for line, doc in found]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}", "check the path and its permissions") from None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl", ".log", ".ndjson"))
    if path.exists():
        return [path]
    raise UsageError(f"no such report file or folder: {path}",
                     "pass report files, a folder of them, or - to read one JSON report per line from stdin")


def load(sources: list[str], stdin: TextIO | None = None) -> Inputs:
    if not sources:
        raise UsageError("no reports given",
                         "sigdoctor merge reports/ or: cat *.json | jq -c . | sigdoctor merge -")
    inputs = Inputs()
    texts: list[tuple[str, str]] = []
    for s in sources:
        if s == "-":
            texts.append(("stdin", (stdin or sys.stdin).read()))
            continue
        files = _files(Path(s))
        if not files:
            raise UsageError(f"no report files (*.json, *.jsonl, *.ndjson, *.log) in folder {s}",
                             "write reports with: sigdoctor run --format json --output HOST.json")
        texts.extend((str(f), _read(f)) for f in files)
    for source, text in texts:
        for where, doc in _documents(text, source):
            if isinstance(doc, ValueError):
                inputs.skipped.append(Skipped(where, str(doc)))
                continue
            why = check_report(doc)
            if why:
                inputs.skipped.append(Skipped(where, why))
            else:
                inputs.reports.append(Loaded(where, doc))
    if not inputs.reports:
        first = inputs.skipped[0] if inputs.skipped else None
        detail = f": {first.source}: {first.reason}" if first else " (the inputs are empty)"
        raise UsageError(f"no sigdoctor JSON report found{detail}",
                         "merge reads `sigdoctor run --format json` output (schema_version 1)")
    return inputs
