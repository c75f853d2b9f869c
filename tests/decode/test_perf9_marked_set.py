"""The scanner's marked characters (scan.marked_set): a greedy cover — each round takes the rare character most words
still without one hold, per its frequency — now counted over each word's rare characters only. The cover must be the
one the plain greedy over whole words picks (the scanner's mapping, hence where it reports each word, depends on it),
and cover every word that has a rare character."""

from __future__ import annotations

import random

import pytest

from sigdoctor.awserrors.anchors import CORE_WORDS, table_anchors
from sigdoctor.awserrors.table import table
from sigdoctor.decode import reader
from sigdoctor.decode.scan import MAX_MARKED_FREQ, _freq, marked_set

pytestmark = pytest.mark.unit


def _plain_greedy(words: list[str]) -> frozenset[str]:
    todo = {w for w in words if any(_freq(c) <= MAX_MARKED_FREQ for c in w)}
    chosen: set[str] = set()
    while todo:
        counts: dict[str, int] = {}
        for w in todo:
            for c in set(w):
                if _freq(c) <= MAX_MARKED_FREQ:
                    counts[c] = counts.get(c, 0) + 1
        best = max(counts, key=lambda c: (counts[c] / _freq(c), c))
        chosen.add(best)
        todo = {w for w in todo if best not in w}
    return frozenset(chosen)


def _word_sets() -> list[list[str]]:
    chosen, others = table_anchors()
    every = sorted({*CORE_WORDS, *chosen, *others, *table().codes})
    rng = random.Random(11)
    sets = [list(reader.SCANNER.words), list(CORE_WORDS), every]
    for _ in range(200):
        sample = rng.sample(every, rng.randrange(1, 40))
        sample += ["".join(rng.choice("abeXYZqQjJ019 _-") for _ in range(rng.randrange(1, 10))) for _ in range(5)]
        sets.append(sample + sample[:3])  # repeated words count once
    return sets


def test_the_cover_is_the_plain_greedy_s() -> None:
    for words in _word_sets():
        assert marked_set(words) == _plain_greedy(words)


def test_every_word_with_a_rare_character_holds_a_marked_one() -> None:
    for words in _word_sets():
        marked = marked_set(words)
        assert all(marked & set(w) for w in words if any(_freq(c) <= MAX_MARKED_FREQ for c in w))


def test_no_rare_character_no_mark() -> None:
    assert marked_set(["the", "tcp", " and "]) == frozenset()
    assert marked_set([]) == frozenset()
