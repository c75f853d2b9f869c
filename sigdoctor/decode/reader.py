"""Stream pasted input and cut out the records worth reading, with flat memory however large the input is.

A 100 MB agent log is mostly healthy lines. Instead of looking at every line in Python, each block is searched
for anchor strings (error codes and phrases AWS, the SDKs and Go's net stack print) by `scan.Scanner`, and only
around a hit is the input split into lines: back to where the log record starts, forward over its continuation
lines (a pretty-printed XML body, an SDK debug dump, a pasted Go error chain). Everything is bounded: a block, a
look-ahead window, a record's size and a line's length.
"""

from __future__ import annotations

import bisect
import codecs
import io
import itertools
import re
from collections import Counter
from collections.abc import Generator
from typing import TYPE_CHECKING, NamedTuple, Protocol

from sigdoctor.awserrors.anchors import CORE_WORDS, RECORD_ANCHORS, shape_positions, table_anchors
from sigdoctor.awserrors.generic_readings import line_positions
from sigdoctor.awserrors.table import table
from sigdoctor.awserrors.unescape import crlf_to_lf, joined_at, unframe, wrap_cuts
from sigdoctor.decode.scan import marked_set, scanner
from sigdoctor.decode.tailscan import TailScan
from sigdoctor.errors import UsageError
from sigdoctor.lazyre import lazy
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import derived

if TYPE_CHECKING:
    import gzip

BLOCK = 1 << 20
LOOKAHEAD = 256 * 1024
LOOKBEHIND = 64 * 1024
MAX_RECORD = 128 * 1024
MAX_LINES_BEFORE = 40
MAX_LINES_AFTER = 400
CONTEXT_BYTES = 512
# Input no larger than this, read whole in its first block, is a paste rather than a log: besides the prefilter's
# words it is searched for every shape of the error table as the table reads it (any case, any whitespace or quotes
# between the words), and when nothing is found at all it is read as one record. The cost (a few ms) is the table's
# search of the text, which a log of many MB could not afford.
PASTE = 256 * 1024

def prefilter_words() -> list[str]:
    """The core words, the anchors the error table chose, and of its other codes and shapes those that cost the scan
    nothing: a word that holds a
    character the core words already mark, or that holds a core word. A table shape of common characters only
    (`is not authorized to perform`) would slow every block by a fifth; AWS prints those next to a code or a core
    word, which finds the record."""
    core = set(CORE_WORDS)
    marked = marked_set(core)
    chosen, others = table_anchors()
    # Every code (a CamelCase word: rare in healthy lines whatever its letters), and the other shapes when cheap.
    words = core | set(chosen) | set(table().codes) | {w for w in others if marked & set(w) or any(c in w for c in core)}
    # Pasted text doubles spaces or wraps lines inside a phrase: a phrase is also found by its longest capitalised
    # word (`Credential should be scoped` by `Credential`), which holds a marked character and so costs the scan
    # next to nothing; the rules then read the record with any whitespace between the words.
    words |= {max(parts, key=len) for w in words if " " in w
              and (parts := [p for p in w.split() if len(p) >= 6 and marked & set(p) and p[0].isupper()])}
    # A line that holds a word holds every word inside it: the longer one adds nothing but scanning cost.
    return sorted(set(words) - _holders(words))


def _holders(words: set[str]) -> set[str]:
    """The words that hold another of the words. Each word is looked for in all of them joined (a C search per
    word, where testing every pair in Python took ~20 ms of each start-up)."""
    ordered = sorted(words)
    joined = "\0".join(ordered)
    starts = list(itertools.accumulate((len(w) + 1 for w in ordered[:-1]), initial=0))
    out = set()
    for w in ordered:
        at = joined.find(w)
        while at >= 0:
            holder = ordered[bisect.bisect_right(starts, at) - 1]
            if holder != w:
                out.add(holder)
            at = joined.find(w, at + 1)
    return out


def _kept_words() -> list[str] | None:
    """`prefilter_words()` as the error table's JSON copy keeps it (tomlcache.py: computed when the copy was written,
    ~10 ms of every start-up otherwise), while the copy is current and was made from these core words."""
    kept = derived(errors_dir()).get("prefilter", {})
    words = kept.get("words")
    if kept.get("core") == sorted(CORE_WORDS) and isinstance(words, list) and all(isinstance(w, str) for w in words):
        return words
    return None


SCANNER = scanner(_kept_words() or prefilter_words(), derived(errors_dir()).get("prefilter", {}).get("scanner"))
_ERROR_ANCHOR_RE = lazy("|".join(re.escape(a) for a in RECORD_ANCHORS).encode())



# The first line of a log record: a timestamp, logfmt's usual first keys, a JSON log object, klog, syslog, a
# bare XML document. Lines that do not match continue the record above them.
RECORD_START_RE = lazy(
    rb"(?:\s*\d{4}[-/]\d\d[-/]\d\d|ts=|time=|t=|level=|lvl=|\{\s*\"(?:level|lvl|ts|time|timestamp|@timestamp|t|msg"
    rb"|severity|log)\"|\[\d{4}|[IWEF]\d{4} |[A-Z][a-z]{2} +\d+ \d\d:|<\?xml|An error occurred \()"
)
# Where a log entry starts inside one long line: a logfmt timestamp key or a JSON log object after a separator.
_INLINE_START_RE = lazy(
    rb'(?:(?<=[\s,\[}])|^)(?:ts=|time=|\{"(?:level|lvl|ts|time|timestamp|@timestamp|msg|severity)")')
LONG_LINE_WINDOW = 8 * 1024
# A line that opens no new error by itself: part of an XML body, an indented dump, a chain's `caused by:` (spaces
# doubled or not), the next frame of a stack.
_CONTINUATION_RE = lazy(rb"(?:\s|<|'|\{|\[|caused\s+by:|---\[|HTTP/)")
# What a paste puts in front of every line: Markdown's quote (`> `, nested), the margin Terraform and a terminal
# box draw (`│ `, U+2502; heavy and double variants). Lines are read after it.
_MARGIN_RE = lazy(rb"(?:[ \t]*(?:>|\xe2\x94\x82|\xe2\x94\x83|\xe2\x95\x91)(?![^ \t\r\n>]))+[ \t]?")
# The end of a line that the next one completes: `caused by:` or `error:` with the cause below it, a list cut at a
# comma (a Go error chain printed over lines), a bracket opened and not closed (Go's `{{ Code} []}` cut after `{{`).
# A right box border (or a box's inside a box's) and spaces before it do not count.
_OPEN_END_RE = lazy(rb"[:,\[{(]\s*(?:(?:\xe2\x94\x82|\xe2\x94\x83|\xe2\x95\x91)\s*)*$")
# The end of a line a wrap may have cut: anything but the end of a sentence or of a bracketed or tagged whole (a
# word, a number, a quote, a hyphen, an opening bracket). The next line completes it unless it opens an error of
# its own.
_CUT_END_RE = lazy(rb"[^\s.!?;)\]}>]\s*(?:(?:\xe2\x94\x82|\xe2\x94\x83|\xe2\x95\x91)\s*)?$")
# An error's head at the start of a line: a code or exception class and its colon (`InvalidClientTokenId: …`,
# `botocore.exceptions.NoCredentialsError: …`, `User: arn:…`), an SDK's or a runtime's own opening.
_ERROR_HEAD_RE = lazy(rb"(?:[\w.$\\:-]*(?:Error|Exception|Fault)\b|[A-Z][\w.$-]*:\s|An error occurred|ERROR\b|"
                            rb"panic:|fatal\b|FATAL\b)")
# The Go v2 SDK's (smithy's) error on one line, `operation error STS: AssumeRole, https response error StatusCode:
# 403, RequestID: …, HostID: …, api error AccessDenied: …`, wrapped at a space: a line that opens with one of its
# fields (which look like an error's head) continues it, as does any line after one that ends in the word `error` the
# format puts before the service, the status and the code.
_SMITHY_FIELD_RE = lazy(rb"(?:StatusCode|RequestID|HostID):\s")
_SMITHY_OPEN_END_RE = lazy(rb"(?:operation|response|api)\s+error\s*(?:(?:\xe2\x94\x82|\xe2\x94\x83|\xe2\x95\x91)\s*)*$")
# Go v1's request failure prints the response body inside its message (ec2metadata: "failed to make EC2Metadata
# request\n" + body), then `\tstatus code: 403, request id: …`: an XML or HTML document between a message and that
# line is the message's body, not a record of its own.
_GO_STATUS_LINE_RE = lazy(rb"\s+status\s+code:\s*\d{3},\s*request\s+id:")
_BODY_OPEN_RE = lazy(rb"<(?:\?xml|!DOCTYPE|html|\w+ xmlns)", re.I)
MAX_BODY_LINES = 80
# Lines a paste puts before the text it frames: blank ones, a box's top edge or Terraform's `╷` (U+2500-U+257F), a
# Markdown code fence.
_LEAD_RE = lazy(rb"(?:[ \t]*(?:(?:\xe2(?:\x94[\x80-\xbf]|\x95[\x80-\xbf]))+|```\w*|~~~\w*)?[ \t]*\r?\n)+")


def _body(buf: bytes, line_s: int, line_e: int) -> int:
    """Where a line's own text starts, after any quote marker or margin a paste put before it."""
    m = _MARGIN_RE.match(buf, line_s, line_e)
    return m.end() if m else line_s


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Record(NamedTuple):
    # A tuple: one is made per error, and a log of nothing but errors has millions.
    first_line: int
    last_line: int
    raw: bytes
    before: bytes = b""  # up to CONTEXT_BYTES of what precedes it (hints, not the error)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace")


@datarecord
class Stats:
    bytes: int = 0
    lines: int = 0
    records: int = 0


class _Utf16Reader(io.RawIOBase):
    """Re-encodes a UTF-16 stream (a PowerShell `>` redirect) as UTF-8, block by block."""

    def __init__(self, raw: Readable, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        n = BLOCK if size is None or size < 0 else size
        while len(self._pending) < n:
            chunk = self._raw.read(n)
            if not chunk:
                self._pending += self._decoder.decode(b"", final=True).encode("utf-8")
                break
            self._pending += self._decoder.decode(chunk).encode("utf-8")
        out, self._pending = self._pending[:n], self._pending[n:]
        return out


def prepare_stream(stream: Readable) -> Readable:
    """Unwrap gzip and UTF-16; refuse input that is binary rather than text."""
    head = _read_head(stream)
    if head[:2] == b"\x1f\x8b":
        import gzip  # only for compressed input

        gz = gzip.GzipFile(fileobj=_Prefixed(head, stream), mode="rb")
        return prepare_stream(_Checked(gz))
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return _Utf16Reader(_Prefixed(head[2:], stream), enc)
    if head and _looks_binary(head):
        raise UsageError(
            "the input is binary data, not a log or an HTTP body",
            "pass the agent's log as text, e.g. `kubectl logs POD > agent.log`, or paste the error on stdin",
        )
    return _Prefixed(head, stream)


def reads_plain(prepared: Readable, stream: Readable) -> bool:
    """Whether `prepared` (from prepare_stream) passes `stream`'s own bytes through: not gzip, not UTF-16."""
    return isinstance(prepared, _Prefixed) and prepared.rest is stream


def _looks_binary(sample: bytes) -> bool:
    if sample.count(b"\x00") > max(1, len(sample) // 100):
        return True
    head = sample[:8192]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    # Bytes that are not UTF-8: a log with a few Latin-1 names has some, random or compressed data ~half.
    invalid = len(head) - len(head.decode("utf-8", errors="ignore").encode("utf-8"))
    return controls > len(head) // 10 or invalid > len(head) * 3 // 10


def _read_head(stream: Readable, size: int = 65536) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < size:
        try:
            chunk = stream.read(size - got)
        except (OSError, EOFError, ValueError) as exc:
            raise UsageError(f"the input cannot be read: {exc}", "check the file is complete and readable") from None
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


class _Prefixed(io.RawIOBase):
    """A stream with some already-read bytes put back in front of it."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        n = -1 if size is None else size
        if self._head:
            n = len(self._head) if n < 0 else n
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self.rest.read(n)


class _Checked(io.RawIOBase):
    """Turns a corrupt or truncated gzip stream into a usage error instead of a traceback."""

    def __init__(self, inner: gzip.GzipFile) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        try:
            return self._inner.read(-1 if size is None else size)
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise UsageError(f"the gzip-compressed input is corrupt or truncated ({exc})",
                             "pass the uncompressed log, or a complete .gz file") from None


def iter_records(stream: Readable, stats: Stats, tail: TailScan | None = None) -> Generator[Record, None, None]:
    """Every record around an anchor, in input order, each at most once. `tail`: where the anchors stand in the
    input's tail, found by another process (see tailscan.py); that part is then read without being scanned. The
    child is reaped when the records end or are abandoned (a library caller decodes many files in one process)."""
    try:
        yield from _records(stream, stats, tail)
    finally:
        if tail is not None:
            tail.close()


def _records(stream: Readable, stats: Stats, tail: TailScan | None) -> Generator[Record, None, None]:
    buf = b""
    buf_start = 0  # global offset of buf[0]
    cursor = 0  # offset in buf up to which newlines are counted
    cursor_line = 1  # line number at `cursor`
    scan_from = 0
    covered = 0  # global offset up to which records were emitted
    cut = 0  # bytes at the front of buf no longer needed, dropped when the next block is appended
    eof = False
    while not eof:
        try:
            chunk = stream.read(BLOCK)
        except (OSError, EOFError, ValueError) as exc:
            raise UsageError(f"reading the input failed after {stats.bytes} bytes: {exc}",
                             "check the file is complete and readable") from None
        if not chunk:
            eof = True
        stats.bytes += len(chunk)
        # An over-long line needs no special case: the buffer is trimmed behind the scan position whether or
        # not a newline was seen, and a record never exceeds MAX_RECORD.
        # Trimming and appending in one copy: each copy of a buffer this size costs as much as scanning it.
        buf = b"".join((memoryview(buf)[cut:], chunk))
        buf_start += cut
        scan_from -= cut
        cursor -= cut

        limit = len(buf) if eof else max(scan_from, len(buf) - LOOKAHEAD)
        if limit > scan_from:
            found = _positions(buf, buf_start, scan_from, limit, tail)
            cut_ends: frozenset[int] = frozenset()
            if eof and buf_start == 0 and len(buf) <= PASTE:
                found, cut_ends = _paste_positions(buf, found)
            for pos in found:
                if buf_start + pos < covered:
                    continue
                start, end = _expand(buf, pos, max(0, covered - buf_start), cut_ends)
                if start > cursor:
                    cursor_line += _newlines(buf, buf_start, cursor, start, tail)
                    cursor = start
                first = cursor_line
                raw = buf[start:end]
                last = first + raw.count(b"\n", 0, max(0, len(raw) - 1))
                covered = buf_start + end
                stats.records += 1
                yield Record(first, last, raw, buf[max(0, start - CONTEXT_BYTES):start])
            scan_from = limit
        cut = max(0, scan_from - LOOKBEHIND)
        if cut > cursor:
            cursor_line += _newlines(buf, buf_start, cursor, cut, tail)
            cursor = cut
    cursor_line += _newlines(buf, buf_start, cursor, len(buf), tail)
    stats.lines = cursor_line - 1 + (1 if buf and not buf.endswith(b"\n") else 0)


def _positions(buf: bytes, buf_start: int, lo: int, hi: int, tail: TailScan | None) -> list[int]:
    """The scanner's positions in buf[lo:hi]; the part of it inside `tail`'s span comes from `tail`."""
    a = max(lo, tail.start - buf_start) if tail is not None else hi
    b = min(hi, tail.end - buf_start) if tail is not None else hi
    found = tail.positions(buf_start + a, buf_start + b) if tail is not None and a < b else None
    if found is None:
        return SCANNER.scan(buf, lo, hi)
    return [*(SCANNER.scan(buf, lo, a) if lo < a else ()), *(p - buf_start for p in found),
            *(SCANNER.scan(buf, b, hi) if b < hi else ())]


def _paste_positions(buf: bytes, found: list[int]) -> tuple[list[int], frozenset[int]]:
    """The prefilter's positions in a paste, with those of the table's shapes; the start of the paste when there is
    none (the rules then read it whole: a message whose words no table shape holds verbatim). And where a terminal
    cut the paste's lines at its width (several lines of one width: see `wrap_cuts`), as the offsets of those line
    ends in `buf`: a line a cut continues belongs to the record of the line it continues."""
    text = buf.decode("utf-8", errors="replace")
    at = shape_positions(text)
    # A phrase broken by a margin or box a paste drew around its lines, or a code or phrase a terminal cut at its
    # width, is found in the lines without the frame (unframe keeps the lines as they are) and joined again, and
    # read from the start of its line in the paste.
    framed = unframe(text)
    lines: set[int] = set()
    if framed != text:
        lines |= {framed.count("\n", 0, p) for p in shape_positions(framed)}
    # A terminal's cut is judged on the lines without their CRLF ends (a line ending in `\r` ends in whitespace, which
    # no cut does); removing the `\r`s keeps every line where it was.
    lf = crlf_to_lf(framed)
    cuts = wrap_cuts(lf)
    if cuts:
        joined_cuts = [c - k for k, c in enumerate(cuts)]
        lines |= {lf.count("\n", 0, p + bisect.bisect_right(joined_cuts, p))
                  for p in shape_positions(joined_at(lf, cuts))}
    if lines:
        starts = [0, *(m.end() for m in re.finditer("\n", text))]
        at = sorted({*at, *(starts[n] for n in lines if n < len(starts))})
    if at and not text.isascii():
        # Character offsets to byte offsets (the replacement character of an invalid byte is 3 bytes: an offset
        # after one is only ever a little late, and still inside the line the shape starts in).
        at = [len(text[:p].encode("utf-8")) for p in at]
    # The lines where a failure word meets an AWS name (awserrors/generic_readings.py): read even where no word or
    # shape of the table stands, as a tool's own wording of a failure may hold none.
    generic = line_positions(text)
    if generic and not text.isascii():
        generic = [len(text[:p].encode("utf-8")) for p in generic]
    merged = sorted({*found, *at, *generic})
    if not merged and buf.strip():
        # From its first line of text: a box's top edge, Terraform's `╷` or a code fence opens no record of its own.
        lead = _LEAD_RE.match(buf)
        merged = [lead.end() if lead and lead.end() < len(buf) else len(buf) - len(buf.lstrip())]
    return merged, _cut_ends(buf, lf, cuts)


def _cut_ends(buf: bytes, framed: str, cuts: list[int]) -> frozenset[int]:
    """The offsets in `buf` of the line ends a terminal's width made in `framed` (its text without a paste's frame):
    several lines of one width, each followed by one that neither starts a log record, nor repeats it, nor stands
    more than once in the text (a retry's lines are as long as the ones before them). Once the width is a terminal's, a line of it ending in a space or two was cut
    after them (a terminal that pads its lines pads them all: more than two spaces end no cut). `cuts`: wrap_cuts of
    `framed`, which the caller has."""
    if len(cuts) < 2:
        return frozenset()
    lines = framed.split("\n")
    width = max(len(line) for line in lines)
    repeated = {line for line, n in Counter(lines).items() if n > 1}
    ends = [n for n, line in enumerate(lines[:-1])
            if len(line) == width and len(line.rstrip()) >= width - 2 and (nxt := lines[n + 1]).strip()
            and not RECORD_START_RE.match(nxt.encode()) and not nxt.startswith(line[:16]) and nxt not in repeated]
    if len(ends) < 2:
        return frozenset()
    newlines = [m.start() for m in re.finditer(b"\n", buf)]
    return frozenset(newlines[n] for n in ends if n < len(newlines))


def _newlines(buf: bytes, buf_start: int, lo: int, hi: int, tail: TailScan | None) -> int:
    """The newlines in buf[lo:hi]; between the child's marks inside `tail`'s span, as the child counted them."""
    span = tail.newlines(buf_start + lo, buf_start + hi) if tail is not None else None
    if span is None:
        return buf.count(b"\n", lo, hi)
    a, b, n = span
    return buf.count(b"\n", lo, a - buf_start) + n + buf.count(b"\n", b - buf_start, hi)


def _in_long_line(buf: bytes, pos: int, floor: int) -> tuple[int, int]:
    """In a line longer than a record (a whole log without newlines, a collapsed paste), the entry around `pos`:
    from the last place before it where a log entry starts to the next one, within a window (so a record holds
    one entry, and retries of it are recognised as such)."""
    lo = max(floor, pos - LONG_LINE_WINDOW)
    start = lo
    for m in _INLINE_START_RE.finditer(buf, lo, pos):
        start = m.start()
    hi = min(len(buf), pos + LONG_LINE_WINDOW)
    nxt = _INLINE_START_RE.search(buf, pos + 1, hi)
    end = nxt.start() if nxt else hi
    nl = buf.find(b"\n", pos, end)
    return start, (nl + 1 if nl >= 0 else end)


def _expand(buf: bytes, pos: int, floor: int, cut_ends: frozenset[int] = frozenset()) -> tuple[int, int]:
    """The record around the anchor at `pos`: from its start line to the line before the next record. `cut_ends`:
    line ends a terminal's width made (a paste's), which join lines into one whatever the lines hold."""
    lo = max(floor, pos - MAX_RECORD)
    nl = buf.rfind(b"\n", lo, pos)
    line_s = nl + 1 if nl >= 0 else lo
    nl = buf.find(b"\n", pos, pos + MAX_RECORD)
    line_e = nl + 1 if nl >= 0 else len(buf)
    if (nl < 0 and pos + MAX_RECORD < len(buf)) or (line_s == lo and lo > floor):
        return _in_long_line(buf, pos, floor)
    start = line_s
    while start - 1 in cut_ends and start - 1 >= floor:
        start = buf.rfind(b"\n", floor, start - 1) + 1 or floor
    if not RECORD_START_RE.match(buf, _body(buf, start, line_e)):
        probe = start
        for _ in range(MAX_LINES_BEFORE):
            if probe <= floor or probe == 0:
                # A paste with no log prefix at all (a wrapped SDK message): its first lines belong to the error.
                if probe == 0 and floor == 0:
                    start = 0
                break
            prev_s = buf.rfind(b"\n", 0, probe - 1) + 1
            if prev_s < floor or line_s - prev_s > MAX_RECORD // 2:
                break
            prev_line = buf[prev_s:probe]
            at = _body(buf, prev_s, probe) - prev_s
            if _ERROR_ANCHOR_RE.search(prev_line) and not _CONTINUATION_RE.match(prev_line, at):
                break
            if RECORD_START_RE.match(prev_line, at):
                start = prev_s
                break
            probe = prev_s
    start = max(start, floor)
    end = line_e
    prev = buf[line_s:line_e]
    for _ in range(MAX_LINES_AFTER):
        if end >= len(buf) or end - start >= MAX_RECORD:
            break
        nxt_e = buf.find(b"\n", end)
        nxt_e = len(buf) if nxt_e < 0 else nxt_e + 1
        line = buf[end:nxt_e]
        if end - 1 in cut_ends:
            end = nxt_e
            prev = line
            continue
        at = _body(buf, end, nxt_e) - end
        if RECORD_START_RE.match(line, at) and not (_BODY_OPEN_RE.match(line, at) and _body_of_go_error(buf, end)):
            break
        if _ERROR_ANCHOR_RE.search(line) and not _continues(prev, line, at) and not _in_error_body(buf, start, end):
            break
        end = nxt_e
        prev = line
    return start, min(end, start + MAX_RECORD)


def _continues(prev: bytes, line: bytes, at: int) -> bool:
    """Whether `line` (its text from `at`), which holds an error anchor, continues the error of the line before it
    rather than opening one: by how it opens (indented, a chain's `caused by:`), or because the line before was cut
    (a wrap inside a message, Go's chain split after its colon) — Go's status line ends an error however it ends."""
    if _CONTINUATION_RE.match(line, at) or _SMITHY_FIELD_RE.match(line, at):
        return True
    if _GO_STATUS_LINE_RE.match(prev, _body(prev, 0, len(prev))):
        return False
    return bool(_OPEN_END_RE.search(prev) or _SMITHY_OPEN_END_RE.search(prev)
                or (_CUT_END_RE.search(prev) and not _ERROR_HEAD_RE.match(line, at)))


def _body_of_go_error(buf: bytes, at: int) -> bool:
    """Whether the document opening at `at` is followed, before any other record, by Go v1's status line."""
    pos = at
    for _ in range(MAX_BODY_LINES):
        nxt = buf.find(b"\n", pos)
        nxt = len(buf) if nxt < 0 else nxt + 1
        if nxt <= pos:
            return False
        body = _body(buf, pos, nxt)
        if _GO_STATUS_LINE_RE.match(buf, body, nxt):
            return True
        if pos > at and RECORD_START_RE.match(buf, body, nxt):
            return False
        pos = nxt
    return False


def _in_error_body(buf: bytes, start: int, end: int) -> bool:
    """Whether the record so far has opened an XML error body it has not closed: S3's <Error> printed with its
    message on a line of its own (pretty-printed, or wrapped by a tool) is one error, not one per anchor line. A
    paste that kept only `<Code>` and `<Message>` of it has no `<Error>`: an open `<Message>` holds the line too."""
    at = buf.rfind(b"<Error>", start, end)
    if at >= 0 and buf.find(b"</Error>", at, end) < 0:
        return True
    at = buf.rfind(b"<Message>", start, end)
    return at >= 0 and buf.find(b"</Message>", at, end) < 0
