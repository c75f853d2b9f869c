"""Splitting merge input into JSON documents, linear in its size and bounded per document.

An input holds one report, JSON lines (`kubectl logs … | jq -c`), or pretty-printed reports one after another
(`cat *.json`), each line maybe behind a `kubectl logs --prefix` prefix. Lines are read one at a time: a line that
is a whole document is parsed alone; a line that opens a document and ends before it closes starts a pretty-printed
one, which ends at a closing bracket in column 0 (where `json.dumps(indent=…)` puts it) or where the next document
begins. Anything else is one unreadable line, named by its number. A document is never held beyond
MAX_DOCUMENT_CHARS, whatever the input: a fleet of 100,000 reports streams through in constant memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from sigdoctor.records import datarecord

# A report is ~30 KB; 8 MB is far beyond any report sigdoctor writes and far below what would hurt memory.
MAX_DOCUMENT_CHARS = 8 * 1024 * 1024
_MB = MAX_DOCUMENT_CHARS // (1024 * 1024)
# `kubectl logs --prefix` puts "[pod/name/container] " before each line.
_PREFIX = re.compile(r"\[[^\]]*\][ \t]+(?=[{\[])")
_INNER_PREFIX = re.compile(r"\[[^\]]*\] ?")
_OPENERS = ("{", "[")
_CLOSERS = ("}", "]")


@datarecord(frozen=True)
class Unreadable:
    """A line or document that is not a JSON document merge can use; `reason` never quotes the input (a stray
    log line may hold anything, secrets included)."""

    reason: str


def parse(text: str | bytes) -> Any:
    """json.loads, with a document nested deeper than the decoder can follow as a ValueError like any other.
    Bytes are UTF-8 (json.loads would guess the encoding and decode with surrogatepass: twice as slow)."""
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _not_json(e: ValueError) -> Unreadable:
    return Unreadable(f"not JSON ({getattr(e, 'msg', e)})")


class Readable(Protocol):
    def readline(self, limit: int = -1, /) -> str | bytes: ...


def lines_of(stream: Readable) -> Iterator[str | None]:
    """The stream's lines as text (UTF-8, undecodable bytes replaced), None for a line longer than one document may
    be (its content is read and dropped, never held)."""
    limit = MAX_DOCUMENT_CHARS + 1
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if len(raw) == limit and not line.endswith("\n"):
            while True:  # drain the rest of the over-long line
                more = stream.readline(limit)
                if not more or (more.endswith(b"\n") if isinstance(more, bytes) else more.endswith("\n")):
                    break
            yield None
            continue
        yield line


def documents(lines: Iterable[str | None]) -> Iterator[tuple[int, Any]]:
    """(line where it starts, parsed JSON or Unreadable) for each document in `lines`."""
    pending: list[str] | None = None  # the lines of a pretty-printed document being collected
    start = size = 0
    prefixed = oversize = False
    for n, line in enumerate(lines, 1):
        if pending is not None:
            if line is None:
                oversize = True
                continue
            body = _INNER_PREFIX.sub("", line, count=1) if prefixed else line
            if body[:1] in _OPENERS:  # the next document begins: this one was cut short
                yield start, Unreadable("not JSON (the document ends before its closing bracket)")
                pending = None
            else:
                if not oversize:
                    size += len(body)
                    if size > MAX_DOCUMENT_CHARS:
                        oversize = True
                        pending = []
                    else:
                        pending.append(body)
                if body.rstrip() in _CLOSERS:
                    yield start, _finish(pending, oversize)
                    pending = None
                continue
        if line is None:
            yield n, Unreadable(f"a line longer than {_MB} MB")
            continue
        s = line.strip()
        if not s:
            continue
        m = _PREFIX.match(s)
        if m:
            s = s[m.end():]
        try:
            yield n, parse(s)
        except json.JSONDecodeError as e:
            # An opening line that runs out before it closes starts a pretty-printed document.
            if s[0] in _OPENERS and not line[0].isspace() and e.pos >= len(s):
                pending, start, size, prefixed, oversize = [s, "\n"], n, len(s), m is not None, False
            else:
                yield n, _not_json(e)
        except ValueError as e:
            yield n, _not_json(e)
    if pending is not None:
        yield start, _finish(pending, oversize)


def _finish(pending: list[str], oversize: bool) -> Any:
    if oversize:
        return Unreadable(f"a document larger than {_MB} MB")
    try:
        return parse("".join(pending))
    except ValueError as e:
        return _not_json(e)
