"""The error table compiles an entry's regex only when a text could hold it: the entries found must be exactly those
a search of every entry finds — on real texts (the corpus, decode's inputs), mangled ones, and text the literal test
cannot decide (sigdoctor/casefold.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sigdoctor.awserrors.anchors import error_position
from sigdoctor.awserrors.table import Table, table
from sigdoctor.casefold import literal_lower

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]
TEXTS = sorted([*TESTS.glob("corpus/batch*/*.txt"), *TESTS.glob("decode/inputs/*")])


def _every_entry(text: str) -> list[str]:
    """What `Table.match` found before the gate: every entry's regex searched."""
    found = [(m.start(), e) for e in table().entries if (m := e.regex.search(text))]
    return [e.name for _, e in sorted(found, key=lambda x: x[0])]


def _mangled(text: str) -> list[str]:
    return [text, text.upper(), text.lower(), json.dumps(text), json.dumps(json.dumps(text)), text.replace('"', ""),
            text.replace(" ", "  "), text.replace(" ", "\n"),
            # Non-ASCII text the lower-case test still decides (typographic quotes, an ellipsis).
            "\u201c" + text.replace('"', "\u201d") + "\u2026"]


def test_there_are_texts_and_gated_entries() -> None:
    assert len(TEXTS) > 300
    gated = [e for e in table().entries if e.literals is not None]
    assert len(gated) > len(table().entries) // 2


def test_every_entry_has_a_literal_gate() -> None:
    # An entry whose every match holds no literal the gate can test (an alternation of whole paths at a pattern's
    # end) is searched on every record of a log: two such entries cost decode's parent ~9 % of its CPU on the 100 MB
    # bench. Split the alternation into one pattern per literal instead.
    ungated = [e.name for e in table().entries if e.literals is None and e._parsed_literals is None]
    assert ungated == []


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gate_finds_what_every_search_finds(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    for variant in _mangled(text):
        assert [e.name for e in table().match(variant).entries] == _every_entry(variant)


def test_a_line_without_any_literal_compiles_nothing() -> None:
    fresh = Table(list(table().entries))
    line = 'level=info ts=2026-12-06T10:00:00Z caller=write.go:42 msg="Done replaying WAL" duration=1.2s'
    before = {id(e) for e in fresh.entries if "regex" in vars(e)}
    fresh.match(line)
    compiled = [e.name for e in fresh.entries if "regex" in vars(e) and id(e) not in before and e.literals]
    assert compiled == []


def test_non_ascii_text_is_searched_whole() -> None:
    # Under re.IGNORECASE 'k' matches the Kelvin sign (U+212A): no literal test on lower() can promise that.
    text = "The security to\u212Aen included in the request is expired"
    assert literal_lower(text) is None
    assert [e.name for e in table().match(text).entries] == _every_entry(text)
    assert _every_entry(text), "the Kelvin-sign text should still match the expired-token shape"


def test_error_position_unchanged_by_the_gate() -> None:
    for path in TEXTS[:80]:
        text = path.read_bytes().decode("utf-8", "replace")
        every = [m.start() for e in table().entries if (m := e.regex.search(text))]
        pos = error_position(text)
        if every:
            assert pos is not None and pos <= min(every)
