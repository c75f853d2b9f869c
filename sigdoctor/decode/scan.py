"""Find any of a few dozen words in a large buffer at a few times the speed of one regex alternation.

Python's regex engine scans for the first character of an alternation with a set lookup per byte (about 3 ns), but
for a single literal first character it runs a tight compare loop (about 0.3 ns). So each block is first mapped
with `bytes.translate` (a table lookup per byte, C speed): every character of a small set that all the words use —
mostly upper-case letters, rare in healthy log lines — becomes the marker byte 0x01. The words, mapped the same
way, are then searched as `\\x01…` in the mapped block: one literal loop over the input, and a short match attempt
only where a marked character stands. A hit in the mapped block is confirmed against the original bytes, since two
marked characters are indistinguishable there.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MARK = 1

# Rough share of each byte in agent logs (per mille): English letter frequencies scaled to the letter share of a
# log line, upper case rare (levels, ids and hex are mostly lower case), digits and separators of timestamps common.
_LOWER_FREQ = dict(zip("etaoinshrdlcumwfgypbvkjxqz",
                       (46, 33, 29, 27, 25, 24, 23, 22, 22, 15, 14, 10, 10, 8, 8, 8, 7, 7, 7, 5, 4, 3, 1, 1, 1, 1),
                       strict=True))
_OTHER_FREQ = {" ": 150, ".": 15, ":": 20, "-": 15, "/": 12, "=": 15, '"': 12, "_": 6, ",": 6, "0": 25, "1": 20,
               "2": 25}


@functools.cache  # asked ~15,000 times while the scanner is built at every start, for a few dozen characters
def _freq(c: str) -> float:
    if c == "x":
        return 6  # hex ids and dumps, 0x…, exporter, proxy, max
    if c in _LOWER_FREQ:
        return _LOWER_FREQ[c]
    if "A" <= c <= "Z":
        if c in "TZ":
            return 8  # ISO timestamps put a T and a Z on nearly every line
        return 3 if c == "E" else 1  # level=ERROR
    if c.isdigit():
        return 10
    return _OTHER_FREQ.get(c, 3)


# A character seen more often than this (per mille) is not marked: each occurrence costs a match attempt (about
# 20 ns, the time the pass takes to read 30 bytes), so one at 2 per mille already adds a tenth to the pass. The
# words left without a marked character go to the pair pass, whose attempts come only at rarer pairs.
MAX_MARKED_FREQ = 2.0


def marked_set(words: Iterable[str]) -> frozenset[str]:
    """A small set of rare characters such that every word that has a rare character holds one of them."""
    # Each word's rare characters, once (a word's other characters never count): the greedy rounds below then
    # count a few characters per word instead of reading every word whole each round (8 ms of every start-up).
    todo = [rare for w in set(words) if (rare := {c for c in w if _freq(c) <= MAX_MARKED_FREQ})]
    chosen: set[str] = set()
    while todo:
        counts = Counter(c for rare in todo for c in rare)
        best = max(counts, key=lambda c: (counts[c] / _freq(c), c))
        chosen.add(best)
        todo = [rare for rare in todo if best not in rare]
    return frozenset(chosen)


def _trie(items: list[tuple[str, str]]) -> str:
    """Alternation over (mapped text still to match, look-behind that checks what came before), factored by
    common prefixes so the engine tries one branch per byte it reads."""
    if len(items) == 1:
        # A word's tail that no other word shares (most of the trie): its characters one after the other, as the
        # recursion below would give them one call per character.
        rest, check = items[0]
        return re.escape(rest) + check
    if any(not rest and not check for rest, check in items):
        return ""  # a word complete with nothing to check: found
    ends = sorted({check for rest, check in items if not rest})
    groups: dict[str, list[tuple[str, str]]] = {}
    for rest, check in items:
        if rest:
            groups.setdefault(rest[0], []).append((rest[1:], check))
    alts = [re.escape(c) + _trie(sub) for c, sub in sorted(groups.items())]
    alts += ends
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


FIRST, SECOND = 2, 3  # markers of the pair pass


def _pairs(words: Iterable[str], taken: frozenset[str]) -> tuple[set[str], set[str], list[str]]:
    """Characters to map to FIRST and SECOND such that each word holds the two side by side, keeping the pairs
    that come up by accident (every FIRST character before every SECOND one) rare; and the words left without."""
    firsts: set[str] = set()
    seconds: set[str] = set()
    sum_first = sum_second = 0.0
    left = []
    for w in sorted(words, key=len):
        best: tuple[float, str, str] | None = None
        for a, b in itertools.pairwise(w):
            if a == b or a in taken or b in taken or a in seconds or b in firsts:
                continue
            # The pairs' cost, summed over FIRST × SECOND, is the product of the two sides' sums.
            fa = sum_first + (0 if a in firsts else _freq(a))
            sb = sum_second + (0 if b in seconds else _freq(b))
            cost = fa * sb - sum_first * sum_second
            if best is None or cost < best[0]:
                best = (cost, a, b)
        if best is None:
            left.append(w)
        else:
            if best[1] not in firsts:
                firsts.add(best[1])
                sum_first += _freq(best[1])
            if best[2] not in seconds:
                seconds.add(best[2])
                sum_second += _freq(best[2])
    return firsts, seconds, left


class _Pass:
    """One regex over the mapped text: its literal lead, then the rest of each word, factored."""

    def __init__(self, lead: str, words: list[tuple[str, str]]) -> None:
        # (word, its mapped form); matching starts where the lead first occurs in the mapped word.
        items: list[tuple[str, str]] = []
        at_offset: dict[int, list[bytes]] = {}
        for w, mapped in words:
            k = mapped.index(lead)
            at_offset.setdefault(k, []).append(w.encode("ascii"))
            # The look-behind checks the whole word after the rest matched (rarely), so the pattern keeps its
            # literal first bytes.
            items.append((mapped[k + len(lead):], f"(?<={re.escape(mapped)})" if k else ""))
        self.search = re.compile((re.escape(lead) + _trie(items)).encode("latin-1")).search
        # A match in the mapped text says some word may start here; the original bytes say which.
        self.at_offset = tuple((k, tuple(ws)) for k, ws in sorted(at_offset.items()))

    def kept(self) -> list[Any]:
        """This pass as JSON values (see `Scanner.kept`)."""
        pattern = self.search.__self__.pattern  # type: ignore[attr-defined]
        return [pattern.decode("latin-1"), [[k, [w.decode("ascii") for w in ws]] for k, ws in self.at_offset]]

    @classmethod
    def from_kept(cls, value: list[Any]) -> _Pass:
        made = cls.__new__(cls)
        pattern, at_offset = value
        made.search = re.compile(pattern.encode("latin-1")).search
        made.at_offset = tuple((int(k), tuple(w.encode("ascii") for w in ws)) for k, ws in at_offset)
        return made


class Scanner:
    """Offsets of the given ASCII words in byte buffers."""

    def __init__(self, words: Iterable[str], kept: object = None) -> None:
        self.words = tuple(sorted(set(words)))
        if self._from_kept(kept):
            return
        marked = marked_set(self.words)
        unmarked = [w for w in self.words if not marked & set(w)]
        # Words of common characters only: a pass that looks for two of their characters side by side (a literal
        # pair keeps the engine in its fast loop), or their own pass if they have no usable pair.
        firsts, seconds, literals = _pairs(unmarked, marked)
        table = bytearray(range(256))
        for b in (MARK, FIRST, SECOND):
            table[b] = 0  # the markers themselves in the input mark nothing
        for chars, b in ((marked, MARK), (firsts, FIRST), (seconds, SECOND)):
            for c in chars:
                table[ord(c)] = b
        self.table = bytes(table)
        self.longest = max(len(w) for w in self.words)
        mapped = {w: w.encode("ascii").translate(self.table).decode("latin-1") for w in self.words}
        pair = chr(FIRST) + chr(SECOND)
        self._passes = tuple(_Pass(lead, group) for lead, group in (
            (chr(MARK), [(w, mapped[w]) for w in self.words if chr(MARK) in mapped[w]]),
            (pair, [(w, mapped[w]) for w in unmarked if w not in literals and pair in mapped[w]]),
        ) if group)
        self.literals = tuple(re.compile(re.escape(w).encode("ascii")) for w in literals)

    def kept(self) -> dict[str, Any]:
        """What building this scanner made, as JSON values, with the words it was made for and the digest of this
        module's source (which makes it): tomlcache.py keeps it in the error table's copy, so that a start-up takes it
        from there (~0.5 ms) instead of building it (~11 ms: the marked set, the pairs, the passes' tries)."""
        return {"source": _source_digest(), "words": list(self.words), "table": self.table.decode("latin-1"),
                "passes": [p.kept() for p in self._passes], "literals": [rx.pattern.decode("ascii") for rx in
                                                                          self.literals]}

    def _from_kept(self, kept: object) -> bool:
        """Take what `kept()` returned for these words, made by this very source; False (nothing taken) for anything
        else: then the scanner is built."""
        if not isinstance(kept, dict) or kept.get("words") != list(self.words) or kept.get("source") != _source_digest():
            return False
        try:
            table = kept["table"].encode("latin-1")
            passes = tuple(_Pass.from_kept(v) for v in kept["passes"])
            literals = tuple(re.compile(w.encode("ascii")) for w in kept["literals"])
        except (AttributeError, KeyError, TypeError, ValueError, re.error):
            return False
        if len(table) != 256:
            return False
        self.table, self._passes, self.literals = table, passes, literals
        self.longest = max(len(w) for w in self.words)
        return True

    def mapped(self, data: bytes) -> bytes:
        return data.translate(self.table)

    def scan(self, buf: bytes, start: int, limit: int) -> list[int]:
        """`positions` in [start, limit), mapping only the bytes a word reported there can span: a reader's buffer
        holds a look-behind and a look-ahead around the block it scans, a third more bytes to map."""
        base = max(0, start - self.longest)
        return self.positions(buf, buf[base:limit + self.longest].translate(self.table), start, limit, base)

    def positions(self, buf: bytes, mapped: bytes, start: int, limit: int, base: int = 0) -> list[int]:
        """Sorted offsets in [start, limit) inside a word of `buf` (`mapped` is `self.mapped(buf[base:])`, at least
        up to `limit` plus the longest word): each word is reported at one offset (where its pass's lead stands, or
        its start), so consecutive [start, limit) ranges report it once. `base` is at most `start` less the longest
        word, or 0: a word's look-behind reaches back to its start only."""
        end = min(len(buf), limit + self.longest)
        found: set[int] = set()
        for p in self._passes:
            search = p.search
            at_offset = p.at_offset
            pos = start
            while True:
                m = search(mapped, pos - base, end - base)
                if m is None:
                    break
                pos = m.start() + base
                if pos >= limit:
                    break
                for k, ws in at_offset:
                    if pos >= k and buf.startswith(ws, pos - k):
                        found.add(pos)
                        break
                pos += 1
        for rx in self.literals:
            found.update(p for p in (m.start() for m in rx.finditer(buf, start, end)) if p < limit)
        return sorted(found)


@functools.cache
def _source_digest() -> str:
    """This module's source, hashed: a kept scanner is taken only from the source that made it."""
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:
        return ""


_BUILT: dict[tuple[str, ...], Scanner] = {}


def scanner(words: Iterable[str], kept: object = None) -> Scanner:
    """The Scanner of these words, built once per process (or taken from `kept`, see `Scanner.kept`): `decode.early`
    builds it before the CLI is imported (for the tail child it forks then), and the reader's prefilter is then the
    same object, so the child's positions are known to be the prefilter's own (and its regexes are not compiled
    twice)."""
    key = tuple(sorted(set(words)))
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = Scanner(key, kept)
    return built
