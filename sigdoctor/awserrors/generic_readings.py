"""Readings for messages nobody has listed: a failure word and the AWS object it happened to.

A record that no entry of the error table and no rule explained may still say plainly what failed and where — a
tool's own wording around the operating system's, the runtime's or HTTP's words (`Failed to resolve
"fs-….efs.eu-west-1.amazonaws.com"`, `broken connection to 169.254.169.254:80`, `GET
/latest/meta-data/iam/security-credentials (404)`). checks/errors/generic.toml lists the failures, the objects and
what each pair can mean; this module finds the pair and turns it into ranked readings, weaker than a table entry's:
warnings (unless the pair can mean only its first cause), each with what must be true for it and the command that
settles it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from sigdoctor.awserrors.hit import Hit
from sigdoctor.awserrors.parse import AwsError, api_codes
from sigdoctor.awserrors.table import Candidate, cause_ids
from sigdoctor.lazyre import LazyPattern
from sigdoctor.model import Status
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed

DATA_FILE = "generic.toml"
# A failure and an object on different lines of a record (an error chain printed over lines, `Caused by:` / `0:`
# `1:` steps) belong together only when they stand this close in the record's flat text.
NEAR = 240
_QUOTE_MAX = 80
# Readings from words alone rank behind every reading another record of the same text made (causes.py orders equal
# severities by candidate_rank): a record a rule explained says more than one only a failure word and a name did.
RANK_AFTER = 50


@datarecord(frozen=True)
class Words:
    id: str
    said: str  # `means` of a failure, `names` of an object
    # Compiled when first searched: a record is searched for a failure only once `any_object` found an object in it.
    regex: LazyPattern[str]


@datarecord(frozen=True)
class Pair:
    failures: frozenset[str]
    objects: frozenset[str]
    causes: tuple[Candidate, ...]
    error_first: bool


@datarecord(frozen=True)
class Pairs:
    failures: tuple[Words, ...]
    objects: tuple[Words, ...]
    pairs: tuple[Pair, ...]
    any_object: re.Pattern[str]


class GenericDataError(ValueError):
    pass


def _words(raw: dict[str, object], said_key: str, file: str) -> Words:
    words = raw.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise GenericDataError(f"{file}: {raw.get('id')!r}: words must be a non-empty list of regexes")
    if not raw.get("source"):
        raise GenericDataError(f"{file}: {raw.get('id')!r}: no source")
    return Words(str(raw["id"]), str(raw.get(said_key, raw["id"])), LazyPattern("|".join(words), re.I))


def load(data: dict[str, object], causes: frozenset[str], file: str = DATA_FILE) -> Pairs:
    """The failures, objects and pairs of a parsed generic.toml; raises GenericDataError on a wrong reference."""
    failures = tuple(_words(r, "means", file) for r in data.get("failure", []))  # type: ignore[attr-defined]
    objects = tuple(_words(r, "names", file) for r in data.get("object", []))  # type: ignore[attr-defined]
    known_f, known_o = {w.id for w in failures}, {w.id for w in objects}
    pairs = []
    for raw in data.get("pair", []):  # type: ignore[attr-defined]
        fs, os_ = frozenset(raw["failures"]), frozenset(raw["objects"])
        unknown = sorted((fs - known_f) | (os_ - known_o))
        if unknown:
            raise GenericDataError(f"{file}: a pair names an unknown failure or object: {unknown}")
        cands = []
        for c in raw["causes"]:
            if c["id"] not in causes:
                raise GenericDataError(f"{file}: cause {c['id']!r} is not in checks/causes")
            cands.append(Candidate(c["id"], c["confidence"], c.get("needs", ""), c.get("decide", "")))
        if not cands or not raw.get("source"):
            raise GenericDataError(f"{file}: a pair of {sorted(fs)} × {sorted(os_)} without causes or source")
        pairs.append(Pair(fs, os_, tuple(cands), raw.get("first", "warning") == "error"))
    any_object = re.compile("|".join(f"(?:{w.regex.pattern})" for w in objects), re.I)
    return Pairs(failures, objects, tuple(pairs), any_object)


@functools.cache
def pairs() -> Pairs:
    return load(parsed(errors_dir() / DATA_FILE), cause_ids())


@datarecord(frozen=True)
class Found:
    pair: Pair
    failure: Words
    object: Words
    failure_text: str
    object_text: str
    same_line: bool


def _hits_in(words: tuple[Words, ...], text: str, base: int = 0) -> Iterator[tuple[Words, int, str]]:
    for w in words:
        for m in w.regex.finditer(text):
            yield w, base + m.start(), m.group(0)


def _first_pair(table: Pairs, failures: list[tuple[Words, int, str]], objects: list[tuple[Words, int, str]],
                *, near: int | None) -> Found | None:
    """The pair of the lowest rank (the file's order) that a failure and an object found make; `near`: how far apart
    they may stand (None: anywhere in what was searched)."""
    best: tuple[int, int, Found] | None = None
    for f, f_at, f_text in failures:
        for o, o_at, o_text in objects:
            if near is not None and abs(f_at - o_at) > near:
                continue
            # A failure inside the object's own text (`…/not-found-bucket.s3…`) is part of a name, not a failure.
            if o_at <= f_at < o_at + len(o_text):
                continue
            for rank, p in enumerate(table.pairs):
                if f.id in p.failures and o.id in p.objects:
                    key = (rank, min(f_at, o_at))
                    if best is None or key < best[:2]:
                        best = (*key, Found(p, f, o, f_text, o_text, near is None))
                    break
    return best[2] if best else None


def find(text: str, table: Pairs | None = None) -> Found | None:
    """The failure-and-object pair `text` holds: on one line first, else close together in the record."""
    table = table or pairs()
    if not table.any_object.search(text):
        return None  # most records name no AWS object at all: one search decides that
    best: Found | None = None
    best_rank = len(table.pairs)
    all_f: list[tuple[Words, int, str]] = []
    all_o: list[tuple[Words, int, str]] = []
    flat_at = 0
    for line in text.split("\n"):
        flat = " ".join(line.split())
        if flat:
            fs = list(_hits_in(table.failures, flat, flat_at))
            os_ = list(_hits_in(table.objects, flat, flat_at))
            all_f += fs
            all_o += os_
            if fs and os_:
                found = _first_pair(table, fs, os_, near=None)
                if found is not None and (rank := table.pairs.index(found.pair)) < best_rank:
                    best, best_rank = found, rank
            flat_at += len(flat) + 1
    return best if best is not None else _first_pair(table, all_f, all_o, near=NEAR)


def line_positions(text: str) -> list[int]:
    """Where the lines that hold a failure-and-object pair start in `text`: a paste is read there too
    (decode/reader.py), as a tool's own wording of a failure may hold no word or shape of the table."""
    table = pairs()
    if not table.any_object.search(text):
        return []
    out = []
    at = 0
    for line in text.split("\n"):
        if (table.any_object.search(line) and any(w.regex.search(line) for w in table.failures)
                and find(line, table) is not None):
            out.append(at)
        at += len(line) + 1
    return out


def _quote(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= _QUOTE_MAX else s[: _QUOTE_MAX - 1] + "…"


def generic_hits(e: AwsError) -> list[Hit]:
    """Readings of a record nothing else read, from a failure word and the AWS object beside it; none when the
    record holds an AWS error code (AWS's own verdict, reported as it is) or no such pair."""
    if e.code and e.code in api_codes():
        return []
    found = find(e.text)
    if found is None:
        return []
    where = "on one line" if found.same_line else "close together in one record"
    said = (f"'{_quote(found.failure_text)}' and '{_quote(found.object_text)}' {where}: {found.failure.said}, at "
            f"{found.object.said}")
    evidence = {"failure": found.failure.id, "object": found.object.id, "same_line": found.same_line}
    out = []
    causes = found.pair.causes
    for i, c in enumerate(causes):
        if i == 0:
            status = Status.FAIL if found.pair.error_first and found.same_line else Status.WARN
            lead = (f"{said} — no message sigdoctor knows says more, so this is read from those words alone. "
                    f"Most likely {c.cause}")
            extra = {"generic": evidence, "candidates": [x.as_dict() for x in causes], "candidate_rank": RANK_AFTER}
        else:
            status, lead = Status.WARN, f"Or {c.cause}"
            extra = {"generic": evidence, "candidate_rank": RANK_AFTER + i}
        out.append(Hit(c.cause, status, f"{lead}: {c.needs}" if c.needs else lead,
                       [f"Settle it: `{c.decide}`"] if c.decide else [], extra))
    return out
