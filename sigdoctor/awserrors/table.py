"""The error table (checks/errors/*.toml): AWS error codes and message shapes, the causes each can mean, and where
the knowledge comes from. Loaded once per process; `match` says which entries a text holds.

A shape matches through the ways pasted text gets mangled: any case, any run of whitespace, quotes or backslashes
between its words (a wrapped line, doubled spaces, quotes escaped twice or dropped), an apostrophe or not.

An entry's regex is compiled the first time a text could hold it: compiling the whole table costs ~0.1 s of CPU,
more than the rest of `decode`'s start-up, and most texts hold a handful of entries. "Could hold" is decided by
literals every match must contain (`Entry.literals`): one of its codes (case-sensitive), or for one of its shapes
the longest ASCII run of each of its words (any case, tested on the text's lower-case form): each word, not one, since
a shape's common words (`request`, `signature`) stand in most error records and compiled a fifth of the table on the
first records of a log. A text whose lower-case form
cannot decide that (sigdoctor/casefold.py: the Kelvin sign, a dotless i …), and an entry with a free `patterns`
regex, is always searched.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from sigdoctor.casefold import literal_lower
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import derived, parsed

# The parser behind re.compile (CPython's; untyped): the parsed form of a pattern, for the literals every match holds.
_sre_parse: Any = importlib.import_module("re._parser")

CONFIDENCES = ("high", "medium", "low")
# The evidence rules of rules.py, by the kind an entry names; "data" entries stand by their causes alone, "other"
# entries are errors that are no signing problem.
RULE_KINDS = frozenset({
    "signature", "clock", "unsigned", "scope-region", "scope-service", "invalid-key", "expired-token",
    "web-identity", "web-identity-file", "denied", "not-found", "no-credentials", "partial-credentials", "imds",
    "container", "pod-identity-refused", "key-whitespace", "dns", "connect", "trust", "head", "timeout", "status", "proxy", "tls",
    "source",  # sources.py: a credential source the SDK names as the one that failed
    "no-region", "invalid-input",  # clues_unsent.py: a call the client refused to send
})
KINDS = RULE_KINDS | {"data", "other"}
# Between a shape's words: whitespace, quotes, backslashes, and a line break or tab still escaped (a wrapped message
# logged as a JSON string inside another, which one pass of unescaping leaves as `\n`).
_SEP = r"(?:[\s\"'\\`]|\\[nrt])+"


@datarecord(frozen=True)
class Candidate:
    cause: str
    confidence: str
    needs: str
    decide: str

    def as_dict(self) -> dict[str, str]:
        return {"cause": self.cause, "confidence": self.confidence, "needs": self.needs, "decide": self.decide}


@datarecord(frozen=True)
class Entry:
    code: str
    aliases: tuple[str, ...]
    shapes: tuple[str, ...]
    patterns: tuple[str, ...]
    anchors: tuple[str, ...]
    context: tuple[str, ...]
    explicit_anchors: bool  # `anchors` chosen in the table (else its codes, shapes and context)
    kind: str
    http: int | None
    causes: tuple[Candidate, ...]
    source: tuple[str, ...]
    file: str
    # (case-sensitive codes, lower-case pattern words, each shape's lower-case words); None: no literal is needed
    # (a free regex), always search.
    literals: tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]] | None
    # The packages (namespaces) whose class the codes name: a code written after another package's name is that
    # package's class of the same name (see _compile). Empty: any qualifier.
    packages: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.codes, (*self.shapes, *self.context), self.patterns, self.packages)

    @cached_property
    def _parsed_literals(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
        """`literals` for an entry whose patterns have no leading literal run, read from the patterns parsed (see
        `_required_run`) the first time a text is tested: parsing is a twentieth of compiling, and most logs'
        records hold none of them."""
        return _literals(self.codes, (*self.shapes, *self.context), self.patterns, parse=True)

    def could_match(self, text: str, lower: str | None) -> bool:
        """False only when `text` cannot hold this entry; `lower` is casefold.literal_lower(text)."""
        if lower is None:
            return True
        literals = self.literals if self.literals is not None else self._parsed_literals
        if literals is None:
            return True
        codes, words, shapes = literals
        return (any(c in text for c in codes) or any(w in lower for w in words)
                or any(all(w in lower for w in shape) for shape in shapes))

    def search(self, text: str, lower: str | None) -> re.Match[str] | None:
        return self.regex.search(text) if self.could_match(text, lower) else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.code, *self.aliases) if c)

    @property
    def name(self) -> str:
        return self.code or self.shapes[0] if (self.code or self.shapes) else self.anchors[0]


@datarecord(frozen=True)
class Match:
    """The entries a text holds, in the order they first appear in it."""

    entries: tuple[Entry, ...]

    def has(self, *kinds: str) -> bool:
        return any(e.kind in kinds for e in self.entries)

    def of(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]


def shape_regex(shape: str) -> str:
    """A phrase as a regex that survives mangling (see the module docstring)."""
    words = [w.strip("\"'`") for w in shape.split()]
    parts = [re.escape(w).replace("'", "'?") for w in words if w]
    return _SEP.join(parts)


def _literals(codes: tuple[str, ...], shapes: tuple[str, ...], patterns: tuple[str, ...], *, parse: bool = False
              ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
    """What every match of an entry holds: one of `codes`, or one of the patterns' words, or for one of the shapes
    the chosen run of each of its words (see the module docstring); None when some alternative needs no literal.
    `parse`: a pattern without a leading literal run is parsed for a run it requires elsewhere."""
    words: list[str] = []
    for pattern in patterns:
        lead = _pattern_words(pattern)
        if lead is None and parse and (run := _required_run(pattern)) is not None:
            lead = [run]
        if lead is None:
            return None
        words += lead
    shape_words: list[tuple[str, ...]] = []
    for shape in shapes:
        # shape_regex makes each word's apostrophes optional: only the runs between them are literal.
        runs = [max(rs, key=len).lower() for w in shape.split()
                if (rs := [r for r in w.strip("\"'`").split("'") if r and r.isascii()])]
        if not runs:
            return None
        # The longest first: the likeliest to be missing, so the test ends soonest.
        shape_words.append(tuple(sorted(set(runs), key=lambda w: (-len(w), w))))
    if not codes and not words and not shape_words:
        return None
    return codes, tuple(words), tuple(shape_words)


# A regex's plain characters (escaped punctuation included) and what ends a literal run.
_PLAIN = re.compile(r"[A-Za-z0-9 _:,/'\"=<>@%#!~`;&-]|\\[^A-Za-z0-9]")
_QUANTIFIER = frozenset("?*+{")


def _pattern_words(pattern: str) -> list[str] | None:
    """Lower-case literals one of which every match of `pattern` holds: its leading literal run (after a `\\b`), or
    one per alternative of a leading `(?:a|b|c)` group of plain words followed by the run after it; None when the
    pattern starts otherwise, holds a top-level `|`, or the run is shorter than four characters (the entry is then
    always searched)."""
    pos = 2 if pattern.startswith("\\b") else 0
    heads = [""]
    if pattern.startswith("(?:", pos):
        end = pattern.find(")", pos)
        alts = pattern[pos + 3:end].split("|") if end > 0 else []
        if not alts or any(not a or _literal_run(a)[1] != len(a) for a in alts):
            return None
        if end + 1 < len(pattern) and pattern[end + 1] in _QUANTIFIER:
            return None
        heads, pos = [_literal_run(a)[0] for a in alts], end + 1
    elif _top_level_alternation(pattern):
        return None
    run, _ = _literal_run(pattern[pos:])
    words = [(h + run).lower() for h in heads]
    return words if all(len(w) >= 4 for w in words) else None


def _required_run(pattern: str) -> str | None:
    """The longest run of ASCII characters (four or more, lower case) that every match of `pattern` (as `_compile`
    wraps it, ignoring case) holds side by side, from the parsed pattern: literals one after the other in its
    top-level sequence or in a group that sequence requires once (not repeated, not one of alternatives, not a
    look-around); None when there is none."""
    try:
        parsed = _sre_parse.parse(f"(?i:{pattern})")
    except (re.error, RecursionError):
        return None
    runs: list[str] = []

    def walk(items: Iterable[tuple[Any, Any]]) -> None:
        run: list[str] = []
        for op, av in items:
            if op is _sre_parse.LITERAL and av < 128:
                run.append(chr(av))
                continue
            runs.append("".join(run))
            run = []
            if op is _sre_parse.SUBPATTERN:  # (group, add flags, del flags, contents): required as a whole
                walk(av[3])
        runs.append("".join(run))

    walk(parsed)
    best = max(runs, key=len)
    return best.lower() if len(best) >= 4 else None


def _literal_run(s: str) -> tuple[str, int]:
    """The plain characters `s` starts with (unescaped) and how many characters of `s` they took; a character a
    quantifier follows is not required, so the run stops before it."""
    out: list[str] = []
    i = 0
    while i < len(s):
        m = _PLAIN.match(s, i)
        if m is None:
            break
        j = m.end()
        if j < len(s) and s[j] in _QUANTIFIER:
            break
        out.append(m.group(0)[-1])
        i = j
    return "".join(out), i


def _top_level_alternation(pattern: str) -> bool:
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close > 0 else len(pattern)
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            return True
        i += 1
    return False


def _qualifier(package: str) -> str:
    """A lookbehind for `package` written right before a class name: Java's dots (a nested class's `$` given in the
    table), PHP's namespace backslashes as printed and as a JSON string escapes them. Matching the end of the
    qualifier, it also admits a shaded copy (`com.amazonaws.thirdparty.apache.http.conn.` ends `apache.http.conn.`)."""
    if "\\" in package:
        return "|".join("(?<=" + re.escape(package.replace("\\", sep) + sep) + ")" for sep in ("\\", "\\\\"))
    return "(?<=" + re.escape(package if package.endswith("$") else package + ".") + ")"


def _compile(codes: tuple[str, ...], shapes: tuple[str, ...], patterns: tuple[str, ...],
             packages: tuple[str, ...] = ()) -> re.Pattern[str]:
    alts: list[str] = []
    if codes:
        # A code is a word of its own: `Aws::STS::Errors::ExpiredToken`, `model.ExpiredTokenException:` and
        # `(ExpiredToken)` all hold it, `ExpiredTokenExceptionFoo` does not.
        before = r"(?<![A-Za-z0-9])"
        if packages:
            # A class name another package also defines (Kafka Connect's org.apache.kafka.connect.errors.
            # ConnectException is no java.net.ConnectException): bare, or after one of the entry's packages.
            before = "(?:" + "|".join([r"(?<![A-Za-z0-9.$\\])", *(_qualifier(p) for p in packages)]) + ")"
        alts.append(before + "(?:" + "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
                    + r")(?![A-Za-z0-9])")
    alts += [f"(?i:{shape_regex(s)})" for s in shapes]
    alts += [f"(?i:{p})" for p in patterns]
    return re.compile("|".join(alts))


class TableError(ValueError):
    pass


def _entry(raw: dict[str, object], file: str, causes: frozenset[str], known: object = None) -> Entry:
    """The table entry `raw` describes; `known`: its `_known_literals` kept in the table's JSON copy, if any."""
    def strs(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TableError(f"{file}: {key} must be a list of strings")
        return tuple(value)

    code = str(raw.get("code", ""))
    kind = str(raw.get("kind", ""))
    if kind not in KINDS:
        raise TableError(f"{file}: {code or raw.get('shapes')}: unknown kind {kind!r}")
    cands = []
    for c in raw.get("causes", []):  # type: ignore[attr-defined]
        if c["id"] not in causes:
            raise TableError(f"{file}: {code}: cause {c['id']!r} is not in checks/causes")
        if c["confidence"] not in CONFIDENCES:
            raise TableError(f"{file}: {code}: confidence {c['confidence']!r}")
        cands.append(Candidate(c["id"], c["confidence"], c.get("needs", ""), c.get("decide", "")))
    aliases, shapes, patterns, context = strs("aliases"), strs("shapes"), strs("patterns"), strs("context")
    explicit = strs("anchors")
    anchors = explicit or tuple(x for x in (code, *aliases, *shapes, *context) if x)
    source = strs("source")
    if not source:
        raise TableError(f"{file}: {code or shapes}: no source")
    if not anchors:
        raise TableError(f"{file}: an entry with no code, shape or anchor")
    http = raw.get("http")
    codes = tuple(x for x in (code, *aliases) if x)
    kept = known if isinstance(known, list) and len(known) == 2 else None
    entry = Entry(code, aliases, shapes, patterns, anchors, context, bool(explicit), kind,
                  http if isinstance(http, int) else None, tuple(cands), source, file,
                  _literals(codes, (*shapes, *context), patterns) if kept is None else _from_json(kept[0]),
                  strs("packages"))
    if kept is not None and entry.literals is None:
        vars(entry)["_parsed_literals"] = _from_json(kept[1])  # what the cached_property would compute
    return entry


_Literals = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]


def _known_literals(raw: dict[str, object]) -> list[object]:
    """[literals, parsed literals or None] of the entry `raw` describes, as JSON values: what `_entry` and
    `Entry._parsed_literals` compute, kept in checks/errors/parsed.json by `python -m sigdoctor.tomlcache`."""
    def strs(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        return tuple(value) if isinstance(value, list) else ()

    codes = tuple(x for x in (str(raw.get("code", "")), *strs("aliases")) if x)
    shapes, patterns = (*strs("shapes"), *strs("context")), strs("patterns")
    literals = _literals(codes, shapes, patterns)
    return [literals, _literals(codes, shapes, patterns, parse=True) if literals is None else None]


def derive_literals(files: dict[str, dict[str, object]]) -> dict[str, list[list[object]]]:
    """Each file's entries' `_known_literals`, in the file's order (for tomlcache's copy of the table)."""
    return {name: [_known_literals(raw) for raw in data.get("error", [])]  # type: ignore[attr-defined]
            for name, data in files.items()}


def _from_json(value: object) -> _Literals | None:
    if not isinstance(value, list):
        return None
    codes, words, shapes = value
    return tuple(codes), tuple(words), tuple(tuple(s) for s in shapes)


class Table:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = tuple(entries)
        self._by_code = {c: e for e in self.entries for c in e.codes}
        self._by_name: dict[str, tuple[Entry, ...]] = {}
        for e in self.entries:
            self._by_name[e.name] = (*self._by_name.get(e.name, ()), e)

    @classmethod
    def load(cls, folder: Path, causes: frozenset[str]) -> Table:
        entries: list[Entry] = []
        # Each entry's literals, derived from its patterns when the copy was written (see tomlcache.py).
        known = derived(folder).get("literals", {})
        for path in sorted(folder.glob("*.toml")):
            raws = parsed(path).get("error", [])
            kept = known.get(path.name)
            if not isinstance(kept, list) or len(kept) != len(raws):
                kept = [None] * len(raws)
            entries += [_entry(raw, path.name, causes, k) for raw, k in zip(raws, kept, strict=True)]
        return cls(entries)

    def entry(self, code: str | None) -> Entry | None:
        return self._by_code.get(code or "")

    def named(self, name: object) -> tuple[Entry, ...]:
        """The entries a reading's `error_entry` names (an entry's `name`; a few entries share one)."""
        return self._by_name.get(name, ()) if isinstance(name, str) else ()

    def kind(self, code: str | None) -> str | None:
        e = self.entry(code)
        return e.kind if e else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    def anchors(self, *, chosen: bool | None = None) -> tuple[str, ...]:
        """Literal words whose presence makes a line worth reading (the decode prefilter's); `chosen=True` only those
        an entry names in `anchors`, `False` only the defaults of the others."""
        seen: dict[str, None] = {}
        for e in self.entries:
            if chosen is None or chosen == e.explicit_anchors:
                for a in e.anchors:
                    seen.setdefault(a, None)
        return tuple(seen)

    def match(self, text: str) -> Match:
        found = []
        lower = literal_lower(text)
        for e in self.entries:
            m = e.search(text, lower)
            if m:
                found.append((m.start(), e))
        found.sort(key=lambda x: x[0])
        return Match(tuple(e for _, e in found))

    def occurrences(self, text: str) -> Iterator[tuple[Entry, re.Match[str]]]:
        """Every match of every entry in `text`, entry by entry (`match` keeps each entry's first only)."""
        lower = literal_lower(text)
        for e in self.entries:
            if e.could_match(text, lower):
                for m in e.regex.finditer(text):
                    yield e, m


@functools.cache
def cause_ids() -> frozenset[str]:
    """The catalog's cause ids (checks/causes/*.toml): what an entry's or a generic pair's causes may name."""
    from sigdoctor.resources import causes_dir

    return frozenset(p.stem for p in causes_dir().glob("*.toml"))


@functools.cache
def table() -> Table:
    return Table.load(errors_dir(), cause_ids())
