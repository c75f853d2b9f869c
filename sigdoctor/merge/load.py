"""Reading fleet reports: files, folders and stdin, each holding one JSON report or many (see documents.py).

A missing path is a usage error, found before anything is read (a typo should not silently shrink the fleet).
Content that is not a sigdoctor schema-1 report (a stray log line, a report from a future sigdoctor, a document
nested too deeply or too large) is skipped with a one-line note naming it, so one bad line among hundreds of
collected hosts does not hide the others; if nothing valid remains it is an error (raised by the caller, which
sees the whole stream).

Reports are yielded one at a time and never kept: the caller keeps what the fleet view needs.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from sigdoctor.errors import UsageError
from sigdoctor.merge.documents import MAX_DOCUMENT_CHARS, Unreadable, documents, lines_of, parse
from sigdoctor.records import datarecord
from sigdoctor.timed_input import ReadDeadline

SCHEMA_VERSION = 1
SUFFIXES = (".json", ".jsonl", ".log", ".ndjson")


# std dataclass: one per report in a merge (10,000s); datarecord's slower __init__ would cost more than it saves
@dataclass(frozen=True)
class Loaded:
    source: str  # where it came from: a path, "path:LINE" or "stdin:LINE"
    report: dict[str, Any]


@datarecord(frozen=True)
class Skipped:
    source: str
    reason: str


def check_report(doc: Any) -> str | None:
    """Why `doc` is not a report `merge` can read, or None when it is."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    tool = doc.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "sigdoctor" or "schema_version" not in doc:
        return "not a sigdoctor JSON report (no tool.name \"sigdoctor\" / schema_version)"
    version = doc["schema_version"]
    if version != SCHEMA_VERSION:
        # Only a plain number is repeated: the value may be anything a hand could type, nested or huge.
        shown = repr(version) if isinstance(version, int) and abs(version) < 10**6 else "that is not 1"
        return f"schema_version {shown}; this sigdoctor reads {SCHEMA_VERSION}"
    if not isinstance(doc.get("root_causes"), list) or not isinstance(doc.get("environment"), dict):
        return "no root_causes list or environment object"
    bad = [c for c in doc["root_causes"] if not isinstance(c, dict) or not isinstance(c.get("id"), str)]
    if bad:
        return "a root cause without an id"
    return None


def _walk(folder: str) -> Iterator[str]:
    """Regular files (or links to them) with a report suffix under `folder`, ordered as paths order (by component,
    not as strings: "a/x" before "a-b/x"), not following linked folders; FIFOs and devices in a folder are left
    alone (opening a FIFO would wait for a writer). Each folder's entries are sorted as plain paths (they share its
    prefix, so that is by name) and walked depth first: for 100,000 files, no DirEntry list and no per-path key
    list (those held 49 MB at once beside the 20 MB of paths)."""
    paths: list[str] = []
    folders: set[str] = set()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    paths.append(entry.path)
                    folders.add(entry.path)
                elif entry.name.endswith(SUFFIXES) and entry.is_file():
                    paths.append(entry.path)
    except OSError as e:
        raise UsageError(f"cannot read folder {folder}: {e.strerror or e}", "check the path and its permissions") \
            from None
    paths.sort()
    for path in paths:
        if path in folders:
            yield from _walk(path)
        else:
            yield path


def _files(path: Path) -> list[str]:
    if path.is_dir():
        return list(_walk(str(path)))
    if path.exists():
        return [str(path)]
    raise UsageError(f"no such report file or folder: {path}",
                     "pass report files, a folder of them, or - to read one JSON report per line from stdin")


def plan(sources: list[str]) -> list[str | None]:
    """Every input in order (None = stdin), checked before any is read."""
    if not sources:
        raise UsageError("no reports given",
                         "sigdoctor merge reports/ or: cat *.json | jq -c . | sigdoctor merge -")
    inputs: list[str | None] = []
    for s in sources:
        if s == "-":
            inputs.append(None)
            continue
        files = _files(Path(s))
        if not files:
            raise UsageError(f"no report files (*.json, *.jsonl, *.ndjson, *.log) in folder {s}",
                             "write reports with: sigdoctor run --format json --output HOST.json")
        inputs.extend(files)
    return inputs


def _stdin(stdin: TextIO | None) -> IO[str] | IO[bytes]:
    stream = stdin if stdin is not None else sys.stdin
    if stream is None or stream.closed:
        raise UsageError("cannot read reports from stdin: it is closed",
                         "pipe reports in (kubectl logs … | sigdoctor merge -) or name files and folders")
    # Bytes when there are any: the reports are UTF-8 whatever the locale (PYTHONIOENCODING=ascii included).
    return getattr(stream, "buffer", None) or stream


def _docs_of_file(path: str, deadline: ReadDeadline | None = None) -> Iterator[tuple[int, Any]]:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
                yield 0, Unreadable("not a regular file or a pipe")
                return
            if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_DOCUMENT_CHARS:
                # The usual input (one report per file, `run --output HOST.json`): one read, one parse.
                data = f.read(st.st_size + 1)  # a larger size would be allocated whole first
                try:
                    yield 0, parse(data)
                    return
                except ValueError:
                    pass
                yield from documents(lines_of(_BytesLines(data)))
                return
            if deadline is None:
                yield from documents(lines_of(f))
                return
            yield from _docs_until(deadline, f, path)  # a FIFO may never close
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}", "check the path and its permissions") from None


class _BytesLines:
    """readline() over bytes already read (io.BytesIO would copy them)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def readline(self, limit: int = -1) -> bytes:
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        if limit >= 0:
            end = min(end, self.pos + limit)
        line, self.pos = self.data[self.pos:end], end
        return line


def _named(source: str, docs: Iterator[tuple[int, Any]]) -> Iterator[Loaded | Skipped]:
    """Items named `source` when it holds one document, else `source:LINE` (one document of lookahead)."""
    first = next(docs, None)
    if first is None:
        return
    second = next(docs, None)
    if second is None:
        yield _item(source, first[1])
        return
    for line, doc in (first, second):
        yield _item(f"{source}:{line}", doc)
    for line, doc in docs:
        yield _item(f"{source}:{line}", doc)


def _item(source: str, doc: Any) -> Loaded | Skipped:
    if isinstance(doc, Unreadable):
        return Skipped(source, doc.reason)
    why = check_report(doc)
    return Skipped(source, why) if why else Loaded(source, doc)


def load(sources: list[str], stdin: TextIO | None = None,
         deadline: ReadDeadline | None = None) -> Iterator[Loaded | Skipped]:
    """Every document of every source, in order. Usage errors (missing paths, no inputs, a closed stdin) are raised
    before the first item. `deadline`: stdin or a FIFO still open when it passes counts as ended, recorded in
    `deadline.cut_sources` with the reports read from them in `deadline.cut_reports`."""
    inputs = plan(sources)
    text_stdin = stdin if stdin is not None else sys.stdin  # kept referenced: its buffer closes with it
    streams = [_stdin(text_stdin) if p is None else p for p in inputs]

    def items(keep: Any = text_stdin) -> Iterator[Loaded | Skipped]:
        for p in streams:
            if isinstance(p, str):
                yield from _counted(_named(p, _docs_of_file(p, deadline)), deadline, p)
            else:
                try:
                    docs = _docs_until(deadline, p, "stdin") if deadline is not None else documents(lines_of(p))
                    yield from _counted(_named("stdin", docs), deadline, "stdin")
                except OSError as e:
                    raise UsageError(f"cannot read reports from stdin: {e.strerror or e}",
                                     "pipe reports in or name files and folders") from None
                except UnicodeDecodeError:
                    raise UsageError("cannot read reports from stdin: not text",
                                     "merge reads JSON reports") from None

    return items()


def _docs_until(deadline: ReadDeadline, stream: Any, name: str) -> Iterator[tuple[int, Any]]:
    """The documents of a stream that may never close, read until the deadline; a cut is recorded as `name`."""
    lines = deadline.lines(stream)
    yield from documents(lines_of(lines))
    if deadline.ended_here(lines):
        deadline.cut_sources.append(name)


def _counted(items: Iterator[Loaded | Skipped], deadline: ReadDeadline | None, source: str
             ) -> Iterator[Loaded | Skipped]:
    """`items`, adding the reports among them to `deadline.cut_reports` when the deadline ended `source`."""
    n = 0
    for item in items:
        n += isinstance(item, Loaded)
        yield item
    if deadline is not None and source in deadline.cut_sources:
        deadline.cut_reports += n
