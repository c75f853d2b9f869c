"""Readings of what a pasted thread's own sentences say caused it, where no error line says it.

People paste the explanation as often as the error: "the clock on my computer was 1 minute slow. This seemed to
cause a forbidden error", "imds is not working from inside docker", "only checks for AWS_CONTAINER_AUTHORIZATION_TOKEN
but EKS Pod Identity uses AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE". checks/errors/prose11.toml lists mechanisms, each
as two word groups (what the mechanism is called, what it did) that must stand in one sentence or in two sentences
next to each other; a sentence that negates it ("not a clock issue", "NTP is synced") does not count.

Only a paste is read (at most MAX_TEXT bytes): never a log's lines, so a 100 MB log costs nothing. Every reading is a
warning — a person's belief, not AWS's answer — with the sentence it stands on (redacted, control characters
escaped, cut to MAX_SAID), what must be true for it and the command that settles it. decode/decoder.py names it only
where no record of the text gave the cause, behind every reading of an error line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from sigdoctor.awserrors.hit import Hit
from sigdoctor.awserrors.table import cause_ids
from sigdoctor.awserrors.unescape import crlf_to_lf, joined_at, unescape, unframe, wrap_cuts
from sigdoctor.lazyre import LazyPattern, lazy
from sigdoctor.model import Status
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed

DATA_FILE = "prose11.toml"
# A paste, not a log: larger input is not read for sentences.
MAX_TEXT = 64 * 1024
MAX_SAID = 200
# Behind every reading of an error line (their own ranks and their candidates' stay well below), ahead of the readings
# of a failure word and an AWS name alone (generic_readings.RANK_AFTER = 50); among themselves in the file's order
# (the more specific mechanism first).
RANK = 30

# A line a program printed rather than a person wrote (a log record's opening: a timestamp, a level, logfmt, JSON; a
# stack frame, an exception's head, a shell command) opens a unit of its own: never joined to the sentences before it.
_LOG_LINE_RE = re.compile(
    r"\s*(?:\[?\d{4}[-/.]\d\d[-/.]\d\d|\[?\d\d:\d\d:\d\d|\[?[A-Z][a-z]{2}\s+\d+\s+\d\d:"
    r"|\[(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b[\s:\[]"
    r"|\{\s*\"|(?:time|ts|level|lvl|msg)=|at\s+[\w$.<>]+\(|File\s+\"|Traceback\b|[IWEF]\d{4}\s"
    r"|[\w.$]*(?:Error|Exception)\b:|\$\s|\+\s)")
_FENCE_RE = re.compile(r"\s*(?:```|~~~)")
# What opens a unit of its own: a Markdown heading, a list item, a table row.
_UNIT_START_RE = re.compile(r"\s*(?:#{2,6}\s|[-*+]\s|\d+[.)]\s|\|)")
# A margin before a person's line: a quote, a code comment's marker.
_MARGIN_RE = re.compile(r"\s*(?:(?:>|#(?!#)|//|--)\s?)+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]`*]*\s+")


class ProseDataError(ValueError):
    pass


@datarecord(frozen=True)
class Entry:
    id: str
    cause: str
    says: str
    mechanism: LazyPattern[str]
    symptom: LazyPattern[str]
    unless: LazyPattern[str] | None
    needs: str
    decide: str


@datarecord(frozen=True)
class Prose:
    entries: tuple[Entry, ...]
    negation: LazyPattern[str]


def _join(words: object, what: str, file: str) -> LazyPattern[str]:
    # Compiled on first use: every paste searches the mechanisms, but a symptom, an exception or the negations only
    # once a mechanism was named (~8 of the ~14 ms these patterns take to compile, on every decode of a paste).
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise ProseDataError(f"{file}: {what} must be a non-empty list of regexes")
    return lazy("|".join(f"(?:{w})" for w in words), re.I)


def load(data: dict[str, object], causes: frozenset[str], file: str = DATA_FILE) -> Prose:
    """The entries and negations of a parsed prose11.toml; raises ProseDataError on a wrong reference."""
    entries = []
    for raw in data.get("prose", []):  # type: ignore[attr-defined]
        name = raw.get("id")
        if raw.get("cause") not in causes:
            raise ProseDataError(f"{file}: {name!r}: cause {raw.get('cause')!r} is not in checks/causes")
        if not raw.get("source") or not raw.get("needs") or not raw.get("decide") or not raw.get("says"):
            raise ProseDataError(f"{file}: {name!r}: says, needs, decide and source are required")
        unless = raw.get("unless")
        entries.append(Entry(
            str(name), str(raw["cause"]), str(raw["says"]), _join(raw.get("mechanism"), f"{name!r}: mechanism", file),
            _join(raw.get("symptom"), f"{name!r}: symptom", file),
            _join(unless, f"{name!r}: unless", file) if unless else None, str(raw["needs"]), str(raw["decide"])))
    words = [w for n in data.get("negation", []) for w in n.get("words", [])]  # type: ignore[attr-defined]
    return Prose(tuple(entries), _join(words, "negation words", file))


@functools.cache
def prose() -> Prose:
    return load(parsed(errors_dir() / DATA_FILE), cause_ids())


@datarecord(frozen=True)
class Sentence:
    text: str
    line: int  # 1-based line of the input it starts on
    unit: int  # the paragraph, list item or heading it belongs to


def sentences(text: str) -> list[Sentence]:
    """The sentences a person wrote in `text`: lines joined within a paragraph (a hard wrap is no sentence end), a
    heading, list item or table row a unit of its own, fenced code and lines a program printed left out."""
    out: list[Sentence] = []
    unit: list[tuple[int, str]] = []
    n_unit = 0

    def close() -> None:
        nonlocal n_unit
        if not unit:
            return
        joined, lines = "", []
        for no, part in unit:
            lines.append((len(joined), no))
            joined += part + " "
        at = 0
        for piece in _SENTENCE_END_RE.split(joined):
            s = " ".join(piece.split())
            if s:
                line = next(no for start, no in reversed(lines) if start <= at)
                out.append(Sentence(s, line, n_unit))
            at += len(piece)
            m = _SENTENCE_END_RE.match(joined, at)
            at = m.end() if m else at
        unit.clear()
        n_unit += 1

    for no, line in enumerate(text.split("\n"), 1):
        margin = _MARGIN_RE.match(line)
        body = line[margin.end():] if margin else line
        if not body.strip() or _FENCE_RE.match(body):
            close()
            continue
        if _UNIT_START_RE.match(body) or _LOG_LINE_RE.match(body):
            close()
        unit.append((no, body.strip()))
    close()
    return out


def readable(text: str) -> list[str]:
    """`text` as a person wrote it, undoing what a paste may have done to it: a quote's or a box's frame taken off,
    escapes undone (a JSON log's `\\n`, HTML entities, typographic quotes, CRLF); and, when a terminal may have cut
    its lines at its width (inside words too, before the escapes were undone), a second form with those lines joined
    again — a person's hard wrap at one width looks the same, so both forms are read."""
    framed = unframe(crlf_to_lf(text))
    cuts = wrap_cuts(framed)
    return [unescape(framed), *([unescape(joined_at(framed, cuts))] if cuts else [])]


@datarecord(frozen=True)
class Said:
    entry: Entry
    sentence: Sentence
    near: Sentence | None  # the neighbouring sentence holding the symptom, if not the same one


def _states(e: Entry, table: Prose, s: Sentence) -> bool:
    return not table.negation.search(s.text) and not (e.unless and e.unless.search(s.text))


def _symptom_outside(e: Entry, s: Sentence, mech: re.Match[str]) -> bool:
    return any(not (mech.start() <= m.start() < mech.end()) for m in e.symptom.finditer(s.text))


def read(text: str, table: Prose | None = None) -> Iterator[Said]:
    """For each entry, the first sentence of `text` that states its mechanism (none for a text over MAX_TEXT)."""
    if len(text) > MAX_TEXT:
        return
    table = table or prose()
    forms = [sentences(t) for t in readable(text)]
    for e in table.entries:
        said = next((x for ss in forms if (x := _first(e, table, ss)) is not None), None)
        if said is not None:
            yield said


def _first(e: Entry, table: Prose, ss: list[Sentence]) -> Said | None:
    for i, s in enumerate(ss):
        mech = e.mechanism.search(s.text)
        if mech is None or not _states(e, table, s):
            continue
        if _symptom_outside(e, s, mech):
            return Said(e, s, None)
        near = next((o for o in (ss[i + 1] if i + 1 < len(ss) else None, ss[i - 1] if i else None)
                     if o is not None and o.unit == s.unit and e.symptom.search(o.text) and _states(e, table, o)),
                    None)
        if near is not None:
            return Said(e, s, near)
    return None


def _cut(s: str) -> str:
    return s if len(s) <= MAX_SAID else s[: MAX_SAID - 1] + "…"


def prose_hits(text: str, redact: Callable[[str], str]) -> list[Hit]:
    """Warnings of the causes `text`'s sentences state, one per cause (its first entry that fires), each quoting its
    sentence through `redact`."""
    out: dict[str, Hit] = {}
    order = {e.id: n for n, e in enumerate(prose().entries)}
    for said in read(text):
        e = said.entry
        if e.cause in out:
            continue
        quote = f"“{_cut(redact(said.sentence.text))}”"
        if said.near is not None:
            quote += f" / “{_cut(redact(said.near.text))}”"
        msg = (f"The text says it in words, with no error line that does: {quote} — read as {e.cause}: {e.says}. "
               f"A sentence is a belief, not AWS's answer: it holds if {e.needs}")
        out[e.cause] = Hit(e.cause, Status.WARN, msg, [f"Settle it: `{e.decide}`"],
                           {"prose": e.id, "line": said.sentence.line, "candidate_rank": RANK + order[e.id]})
    return list(out.values())
