"""The prefilter: `decode` only decodes text around anchor words, and must find every line that explains something.

Two checks: the fast scanner finds exactly the lines a plain substring search finds (wherever block boundaries
fall), and every line of every fixture decodes, through the prefilter, to the same causes as when it is handed to
the extractor directly.
"""

from __future__ import annotations

import io
import itertools
import random

import pytest

from sigdoctor.awserrors.parse import api_codes, extract
from sigdoctor.awserrors.rules import classify
from sigdoctor.decode import reader
from sigdoctor.decode.decoder import decode_stream
from sigdoctor.decode.scan import Scanner
from sigdoctor.redact import Redactor

from .conftest import INPUTS

WORDS = reader.SCANNER.words
FIXTURE_LINES = sorted({line for path in sorted(INPUTS.iterdir()) if path.is_file()
                        for line in path.read_bytes().splitlines() if line.strip()})


def _lines_with_words(data: bytes) -> set[int]:
    lines = data.split(b"\n")
    return {i for i, line in enumerate(lines) if any(w.encode() in line for w in WORDS)}


def _lines_found(data: bytes, cuts: list[int]) -> set[int]:
    scanner = reader.SCANNER
    mapped = scanner.mapped(data)
    found: list[int] = []
    bounds = [0, *cuts, len(data)]
    for start, limit in itertools.pairwise(bounds):
        found += scanner.positions(data, mapped, start, limit)
    assert found == sorted(found) and len(found) == len(set(found))
    return {data.count(b"\n", 0, pos) for pos in found}


def _noise(rng: random.Random, n: int) -> bytes:
    """Text full of the characters the scanner marks, and near-misses of its words."""
    pieces = [w[: rng.randrange(1, len(w) + 1)] for w in WORDS] + list(WORDS) + [
        "ts=2026-11-27T03:15:02Z", " level=info ", "\n", "\n", "Temp", "The ", "AAAA", "CcC", "x5", "tc", " t",
        "Sign", "SSL", "EC2", "\x01", "Credential", "STRING", "Access", "ccached credentials"]
    return "".join(rng.choice(pieces) for _ in range(n)).encode()


def test_scanner_finds_the_lines_a_substring_search_finds() -> None:
    rng = random.Random(5)
    samples = [b"\n".join(FIXTURE_LINES)] + [_noise(rng, 400) for _ in range(200)]
    for data in samples:
        cuts = sorted(rng.sample(range(1, len(data)), min(5, len(data) - 1)))
        assert _lines_found(data, cuts) == _lines_with_words(data)
        assert _lines_found(data, []) == _lines_with_words(data)


def test_scanner_takes_words_of_any_character_mix() -> None:
    scanner = Scanner(["zz", "The specified", "x509", " tcp", "q"])
    data = b"a zz b\nThe specified key\nnope\nx509: bad\ndial tcp 1.2.3.4:443\nq\n"
    found = scanner.positions(data, scanner.mapped(data), 0, len(data))
    assert [data.count(b"\n", 0, p) for p in found] == [0, 1, 3, 4, 5]


def _direct(line: bytes) -> set[str]:
    """The causes the line yields when the extractor reads it, prefilter or not."""
    e = extract(line.decode("utf-8", errors="replace"), 1, 1)
    c = classify(e)
    causes = {h.cause for h in c.hits}
    if not causes and e.code in api_codes():
        causes.add("other-error")
    return causes


def _through_prefilter(line: bytes) -> set[str]:
    outcome = decode_stream(io.BytesIO(line + b"\n"), client=None, redactor=Redactor())
    # A candidate cause is listed from the same hits (their "candidates"), not read from the text again; a text no
    # record of which was read is compared by its words (awserrors/resemblance.py), which _direct does not do.
    return {f.id.removeprefix("decode.") for f in outcome.findings
            if "candidate_of" not in f.evidence and "resemblance" not in f.evidence} - {"summary", "canonical-diff"}


@pytest.mark.parametrize("line", FIXTURE_LINES, ids=lambda b: b[:60].decode("utf-8", "replace"))
def test_every_fixture_line_decodes_the_same_with_the_prefilter(line: bytes) -> None:
    assert _through_prefilter(line) == _direct(line)


def test_a_log_on_one_line_is_cut_into_its_entries() -> None:
    healthy = 'ts=2026-11-27T03:15:02Z level=info msg="Remote storage resharding" from=3 to=4 '
    denied = ('ts=2026-11-27T03:16:02Z level=error msg="non-recoverable error" err="server returned HTTP status 403 '
              'Forbidden: User: arn:aws:sts::123456789012:assumed-role/ingest/i-0a1b is not authorized to perform: '
              'aps:RemoteWrite on resource: arn:aws:aps:us-east-1:123456789012:workspace/ws-1" ')
    expired = ('ts=2026-11-27T03:17:02Z level=error msg="non-recoverable error" err="ExpiredTokenException: The '
               'security token included in the request is expired status code: 400, request id: 3c4d5e6f" ')
    # Far longer than a record, without a newline: each error is read as its own entry.
    line = (healthy * 3000 + denied + healthy * 3000 + expired + healthy * 3000 + denied) * 3
    assert len(line) > 3 * reader.MAX_RECORD
    outcome = decode_stream(io.BytesIO(line.encode() + b"\n"), client=None, redactor=Redactor())
    by_id = {f.id: f for f in outcome.findings}
    assert by_id["decode.summary"].evidence["lines"] == 1
    assert by_id["decode.summary"].evidence["errors"] == 9
    assert by_id["decode.permission-missing"].evidence["count"] == 6
    assert by_id["decode.credentials-expired"].evidence["count"] == 3
    assert "Remote storage" not in by_id["decode.credentials-expired"].evidence["excerpt"]
