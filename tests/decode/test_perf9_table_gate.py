"""The error table's gate (sigdoctor/awserrors/table.py) lets an entry's regex be compiled and searched only when a
text holds every word of one of its shapes (or a code, or a pattern's leading words): a log's records hold a shape's
common words (`request`, `signature`, `the`) far more often than the shape, and a gate on one word compiled a fifth
of the table on a log's first records. That the gate never hides a match is tests/awserrors/test_table_gate.py's
(every corpus text, mangled); here: what it now keeps out, and what it still lets in."""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.table import Table, _required_run, table
from sigdoctor.casefold import literal_lower

pytestmark = pytest.mark.unit

SHAPE = "The request signature we calculated does not match the signature you provided"


def _compiled_by(text: str) -> list[str]:
    fresh = Table(list(table().entries))
    before = {id(e) for e in fresh.entries if "regex" in vars(e)}
    fresh.match(text)
    return [e.name for e in fresh.entries if "regex" in vars(e) and id(e) not in before and e.literals]


def _signature_entry() -> object:
    entries = [e for e in table().entries if SHAPE in e.shapes]
    assert entries, "the table's SignatureDoesNotMatch shape"
    return entries[0]


def test_one_word_of_a_shape_does_not_open_it() -> None:
    e = _signature_entry()
    # A healthy line with the shape's longest word and more of its words, but not all of them.
    text = 'level=info msg="request signature calculated for the upload" took=3ms'
    assert not e.could_match(text, literal_lower(text))  # type: ignore[attr-defined]
    assert e.name not in _compiled_by(text)  # type: ignore[attr-defined]


def test_every_word_of_a_shape_opens_it_however_they_are_cased_or_wrapped() -> None:
    e = _signature_entry()
    for text in (SHAPE.upper(), SHAPE.replace(" ", "\n  "), '{"message":"' + SHAPE.replace(" ", '\\" \\"') + '"}'):
        assert e.could_match(text, literal_lower(text))  # type: ignore[attr-defined]
        assert e.search(text, literal_lower(text)) is not None  # type: ignore[attr-defined]


def test_the_shape_words_are_the_shape_s_words_once_each() -> None:
    e = _signature_entry()
    _, _, shapes = e.literals  # type: ignore[attr-defined]
    words = {w.lower() for w in SHAPE.split()}
    assert any(set(s) == words and len(s) == len(words) for s in shapes)


def test_a_log_s_first_error_records_compile_only_what_they_could_hold() -> None:
    # The benchmark log's four errors (bench/decode.py): before the gate read every word, these compiled 53 entries.
    records = [
        'err="server returned HTTP status 403 Forbidden: {\\"message\\":\\"The request signature we calculated does '
        'not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the '
        'service documentation for details.\\"}"',
        'err="ExpiredTokenException: The security token included in the request is expired\\n\\tstatus code: 400, '
        'request id: 3c4d5e6f"',
        'err="Post \\"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\\": dial '
        'tcp 52.94.133.131:443: i/o timeout"',
    ]
    text = "\n".join(records)
    lower = literal_lower(text)
    opened = [e.name for e in table().entries if e.literals is not None and e.could_match(text, lower)]
    found = [e.name for e in table().match(text).entries if e.literals is not None]
    assert {"SignatureDoesNotMatch", "ExpiredToken"} <= set(found) <= set(opened)
    assert len(opened) <= 2 * len(found)


@pytest.mark.parametrize(("pattern", "run"), [
    # After a look-ahead, a character class, a scoped flag, an alternation the parser factors ('c' of both).
    ("\\A(?:(?!no\\s+valid)[\\s\\S])*?failed\\s+to\\s+load\\s+shared\\s+credentials\\s+file", "credentials"),
    ("(?s:credential_process.{0,400}?Expecting value: line \\d+ column \\d+)", "expecting value: line "),
    ("(?-i:\\bTimeoutError\\b)[\\s\\S]{0,300}?credential-provider-imds", "credential-provider-imds"),
    ("'[\\w.@-]+' not found in (?:credentials|config) file", "' not found in c"),
    ("[Ii]nvalid [Cc]redentials\\(host=[^)\\s]*", "redentials(host="),
])
def test_a_pattern_s_required_run_is_found_past_its_start(pattern: str, run: str) -> None:
    assert _required_run(pattern) == run


@pytest.mark.parametrize("pattern", [
    "abcd|efgh",  # alternatives: neither is required
    "(?:eks|aws)\\s+\\d+",  # no run of four
    "(?:abcdef)?x",  # an optional group
    "(?:abcdef)+x",  # a repeated group: its run is required, but not read into (kept simple)
    "(?=abcdef)x",  # a look-ahead: not part of the match
    "[",  # not a regex
])
def test_a_pattern_with_no_required_run_is_always_searched(pattern: str) -> None:
    assert _required_run(pattern) is None


def test_entries_gated_by_their_parsed_patterns_keep_a_healthy_line_out() -> None:
    parsed_only = [e for e in table().entries if e.literals is None and e._parsed_literals is not None]
    assert len(parsed_only) >= 10, "entries whose patterns start without a literal (20 of 248 at pass 9)"
    healthy = 'ts=2026-12-06T10:00:00Z level=info msg="Done replaying WAL" duration=1.2s'
    opened = [e.name for e in parsed_only if e.could_match(healthy, literal_lower(healthy))]
    assert len(opened) < len(parsed_only) // 4, opened
