"""Readings of what a pasted thread's own sentences say caused it, where no error line says it.

People paste the explanation as often as the error: "the clock on my computer was 1 minute slow. This seemed to
cause a forbidden error", "imds is not working from inside docker", "only checks for AWS_CONTAINER_AUTHORIZATION_TOKEN
but EKS Pod Identity uses AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE". checks/errors/prose11.toml lists mechanisms, each
as two word groups (what the mechanism is called, what it did) that must stand in one sentence or in two sentences
next to each other; a sentence that negates it ("not a clock issue", "NTP is synced") does not count.
checks/errors/prose12.toml gives each catalog cause its vocabulary (the words its own text, AWS's pages and many
threads use for the mechanism) tied to one shared group of failure and fix words ("fails", "the reason is", "caused
by", "the fix", "had to add", "it worked"): a thread words its cause its own way, but says it failed or what fixed it.

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
# The cause vocabularies, read after prose11.toml's mechanisms (a mechanism's own symptom words are the more specific).
VOCABULARY_FILE = "prose12.toml"
# A paste, not a log: larger input is not read for sentences.
MAX_TEXT = 64 * 1024
MAX_SAID = 200
# Behind every reading of an error line (their own ranks and their candidates' stay well below), ahead of the readings
# of a failure word and an AWS name alone (generic_readings.RANK_AFTER = 50); among themselves in the files' order
# (the more specific mechanism first), numbered over the causes one text names so the rank stays below 50.
RANK = 30

# A line a program printed rather than a person wrote (a log record's opening: a timestamp, a level, logfmt, JSON; a
# stack frame, an exception's head, a shell command) opens a unit of its own: never joined to the sentences before it.
_LOG_LINE_RE = re.compile(
    r"\s*(?:\[?\d{4}[-/.]\d\d[-/.]\d\d|\[?\d\d:\d\d:\d\d|\[?[A-Z][a-z]{2}\s+\d+\s+\d\d:"
    r"|\[(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b[\s:\[]"
    r"|\{\s*\"|(?:time|ts|level|lvl|msg)=|at\s+[\w$.<>]+\(|File\s+\"|Traceback\b|[IWEF]\d{4}\s"
    r"|[\w.$]*(?:Error|Exception)\b:|\$\s|\+\s)")
# A program's record inside a person's line (a JSON log's keys, logfmt pairs, a klog header): prose12.toml's
# vocabularies do not read such a sentence (persons_only).
_PRINTED_IN_RE = lazy(
    r"\"(?:level|msg|message|log|time|ts|error|err|stream)\"\s*:|\b\w+=\"[^\"]*\"\s+\w+=|\b[IWEF]\d{4}\s+\d\d:\d\d:\d\d")
_JSON_RECORD_RE = lazy(r"\s*\{\s*\"")
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
    # prose12.toml's vocabularies read only what a person wrote: an SDK's or a tool's printed line names the same
    # mechanisms ("ec2metadata is not available", "operation error STS: GetCallerIdentity") without stating a cause.
    persons_only: bool = False
    # Words that state the mechanism and its effect at once ("the role requires KMS privileges"): no symptom needed.
    stated: LazyPattern[str] | None = None


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


def _symptom(raw: dict[str, object], failure: list[str], what: str, file: str) -> LazyPattern[str]:
    own = raw.get("symptom")
    if own is None:
        return _join(failure, what + " (the file's [[failure]] words)", file)
    if raw.get("failure") is True:
        return _join([*own, *failure] if isinstance(own, list) else own, what, file)
    return _join(own, what, file)


def load(data: dict[str, object], causes: frozenset[str], file: str = DATA_FILE) -> Prose:
    """The entries and negations of a parsed prose11.toml or prose12.toml; raises ProseDataError on a wrong reference.
    An entry without its own `symptom` takes the file's shared `[[failure]]` words, one with `failure = true` both."""
    entries = []
    failure_words = [w for n in data.get("failure", []) for w in n.get("words", [])]  # type: ignore[attr-defined]
    for raw in data.get("prose", []):  # type: ignore[attr-defined]
        name = raw.get("id")
        if raw.get("cause") not in causes:
            raise ProseDataError(f"{file}: {name!r}: cause {raw.get('cause')!r} is not in checks/causes")
        if not raw.get("source") or not raw.get("needs") or not raw.get("decide") or not raw.get("says"):
            raise ProseDataError(f"{file}: {name!r}: says, needs, decide and source are required")
        unless = raw.get("unless")
        entries.append(Entry(
            str(name), str(raw["cause"]), str(raw["says"]), _join(raw.get("mechanism"), f"{name!r}: mechanism", file),
            _symptom(raw, failure_words, f"{name!r}: symptom", file),
            _join(unless, f"{name!r}: unless", file) if unless else None, str(raw["needs"]), str(raw["decide"]),
            data.get("persons_only") is True,
            _join(raw["stated"], f"{name!r}: stated", file) if raw.get("stated") is not None else None))
    words = [w for n in data.get("negation", []) for w in n.get("words", [])]  # type: ignore[attr-defined]
    return Prose(tuple(entries), _join(words, "negation words", file))


def merged(first: Prose, data: dict[str, object], causes: frozenset[str], file: str) -> Prose:
    """`first` followed by the entries of another parsed file, its negations added to first's."""
    if not data.get("negation"):
        data = {**data, "negation": [{"words": ["(?!)"]}]}  # matches nothing: first's negations are the file's
    more = load(data, causes, file)
    return Prose(first.entries + more.entries, lazy(f"{first.negation.pattern}|{more.negation.pattern}", re.I))


@functools.cache
def prose() -> Prose:
    causes = cause_ids()
    first = load(parsed(errors_dir() / DATA_FILE), causes)
    return merged(first, parsed(errors_dir() / VOCABULARY_FILE), causes, VOCABULARY_FILE)


@datarecord(frozen=True)
class Sentence:
    text: str
    line: int  # 1-based line of the input it starts on
    unit: int  # the paragraph, list item or heading it belongs to
    # It stands in fenced code, or in a unit opened by a line a program printed, or reads like one itself; a JSON
    # record's string may carry a person's paste: there only the first sentence is the record's.
    printed: bool = False


def sentences(text: str) -> list[Sentence]:
    """The sentences a person wrote in `text`: lines joined within a paragraph (a hard wrap is no sentence end), a
    heading, list item or table row a unit of its own, fenced code and lines a program printed left out."""
    out: list[Sentence] = []
    unit: list[tuple[int, str]] = []
    n_unit = 0
    fenced = printed = in_fence = record = False

    def close() -> None:
        nonlocal n_unit, printed, in_fence, record
        if not unit:
            return
        joined, lines = "", []
        for no, part in unit:
            lines.append((len(joined), no))
            joined += part + " "
        at = 0
        opening = True
        for piece in _SENTENCE_END_RE.split(joined):
            s = " ".join(piece.split())
            if s:
                line = next(no for start, no in reversed(lines) if start <= at)
                own = bool(_LOG_LINE_RE.match(s))
                out.append(Sentence(s, line, n_unit, in_fence or own or (printed and (opening or not record))))
                opening = False
            at += len(piece)
            m = _SENTENCE_END_RE.match(joined, at)
            at = m.end() if m else at
        unit.clear()
        n_unit += 1
        printed = in_fence = record = False

    for no, line in enumerate(text.split("\n"), 1):
        margin = _MARGIN_RE.match(line)
        body = line[margin.end():] if margin else line
        if not body.strip() or _FENCE_RE.match(body):
            close()
            fenced = fenced != bool(_FENCE_RE.match(body))
            continue
        log = _LOG_LINE_RE.match(body) is not None
        if log or _UNIT_START_RE.match(body):
            close()
            printed, record = log, _JSON_RECORD_RE.match(body) is not None
        in_fence = in_fence or fenced
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


def _printed(s: Sentence) -> bool:
    return s.printed or _PRINTED_IN_RE.search(s.text) is not None


def _states(e: Entry, table: Prose, s: Sentence) -> bool:
    if e.persons_only and _printed(s):
        return False
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
        if e.persons_only and _printed(s):
            continue
        mech = e.mechanism.search(s.text)
        if mech is None or not _states(e, table, s):
            continue
        if _symptom_outside(e, s, mech) or (e.stated is not None and e.stated.search(s.text)):
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
                           {"prose": e.id, "line": said.sentence.line, "candidate_rank": RANK + len(out)})
    return list(out.values())
