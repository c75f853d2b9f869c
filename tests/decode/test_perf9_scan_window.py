"""`Scanner.scan` maps only the bytes a word reported in [start, limit) can span, where the reader once mapped its
whole buffer (look-behind and look-ahead included): the offsets it reports must be exactly those of a scan of the
whole mapped buffer, wherever the range's ends fall — inside a word, on its lead, at the buffer's ends."""

from __future__ import annotations

import itertools
import random

import pytest

from sigdoctor.decode import reader

from .conftest import INPUTS

pytestmark = pytest.mark.unit

SCANNER = reader.SCANNER
WORDS = SCANNER.words


def _texts() -> list[bytes]:
    rng = random.Random(9)
    fixtures = [p.read_bytes() for p in sorted(INPUTS.iterdir()) if p.is_file()]
    # Words back to back and cut anywhere: every range end falls inside some word, on some lead.
    dense = "".join(rng.choice(WORDS) + rng.choice(("", " ", "\n", "x")) for _ in range(3000)).encode()
    return [*fixtures, dense]


@pytest.mark.parametrize("seed", range(4))
def test_a_window_s_offsets_are_those_of_the_whole_buffer(seed: int) -> None:
    rng = random.Random(seed)
    for data in _texts():
        whole = SCANNER.mapped(data)
        for _ in range(25):
            start = rng.randrange(0, len(data) + 1)
            limit = rng.randrange(start, len(data) + 1)
            assert SCANNER.scan(data, start, limit) == SCANNER.positions(data, whole, start, limit)


def test_consecutive_windows_report_every_word_once() -> None:
    data = _texts()[-1]
    cuts = sorted(random.Random(3).sample(range(1, len(data)), 40))
    bounds = [0, *cuts, len(data)]
    found = [p for a, b in itertools.pairwise(bounds) for p in SCANNER.scan(data, a, b)]
    assert found == SCANNER.positions(data, SCANNER.mapped(data), 0, len(data))
    assert len(found) >= 3000  # the words are there: each reported once, none lost at a cut


def test_a_word_at_the_very_start_and_end_of_the_buffer() -> None:
    for word in WORDS:
        data = word.encode() + b" and " + word.encode()
        assert SCANNER.scan(data, 0, len(data)) == SCANNER.positions(data, SCANNER.mapped(data), 0, len(data))
        assert len(SCANNER.scan(data, 0, len(data))) == 2, word
