"""The error table skips an entry's regex on a text that lacks every literal the entry needs (sigdoctor/awserrors/
table.py): for entries with `patterns` those literals are each pattern's leading literal run. The skip must never
hide a match — checked on every real text of the corpus and on made-up variants of the patterns' own wordings."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigdoctor.awserrors.table import _pattern_words, table
from sigdoctor.casefold import literal_lower

_CORPUS = sorted(Path(__file__).parents[1].joinpath("corpus").glob("batch*/*.txt"))


def test_the_literal_filter_never_hides_a_match_on_a_corpus_text() -> None:
    entries = [e for e in table().entries if e.literals is not None]
    assert _CORPUS
    for path in _CORPUS:
        text = path.read_text(errors="replace")
        lower = literal_lower(text)
        for e in entries:
            assert (e.search(text, lower) is None) == (e.regex.search(text) is None), (path.name, e.name)


@pytest.mark.parametrize(("pattern", "words"), [
    ("Connection aborted\\.?['\"]?,\\s*error", ["connection aborted"]),
    ("\\bUnknown host\\b(?! key)", ["unknown host"]),
    ("getaddrinfo(?::| E(?:NOTFOUND|AI_AGAIN))", ["getaddrinfo"]),
    ("(?:aws-java-sdk-sts|the sts) module", ["aws-java-sdk-sts module", "the sts module"]),
    ("Shared credentials file \\S+ does not exist", ["shared credentials file "]),
])
def test_a_pattern_s_leading_literal_run_is_what_it_needs(pattern: str, words: list[str]) -> None:
    assert _pattern_words(pattern) == words


@pytest.mark.parametrize("pattern", ["(?:eks|aws)[\\s\\S]{0,600}?You must", "abcd|efgh", "(?-i:wrong version number)",
                                     "x?yzzy", "[Ii]nvalid credentials"])
def test_a_pattern_without_a_required_leading_literal_is_always_searched(pattern: str) -> None:
    assert _pattern_words(pattern) is None
