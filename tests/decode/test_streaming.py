"""The input is read in blocks: however it arrives (short reads, gzip, CRLF, no final newline, stdin), a user sees
the same errors, counts and line numbers as when the whole log is read at once."""

from __future__ import annotations

import gzip
import io
import json
import random
import subprocess
import sys
from typing import Any

from sigdoctor.decode import reader
from sigdoctor.decode.decoder import decode_stream
from sigdoctor.redact import Redactor

EXPIRED = ('ts=2026-11-27T05:00:{s:02d}Z level=error msg="non-recoverable error" err="ExpiredTokenException: The '
           'security token included in the request is expired\\n\\tstatus code: 400, request id: 3c4d-{i}"')
MISMATCH = ('ts=2026-11-27T05:00:{s:02d}Z level=warn msg="Failed to send batch, retrying" err="server returned HTTP '
            'status 403 Forbidden: {{\\"message\\":\\"The request signature we calculated does not match the '
            'signature you provided.\\"}}"')
FILLER = 'ts=2026-11-27T05:00:{s:02d}Z level=info component=tsdb msg="Head GC completed" duration={i}ms'


def _log(n_errors: int, seed: int) -> tuple[bytes, list[int], list[int]]:
    """A log with errors between healthy lines of random lengths, and the line numbers of each kind of error."""
    rng = random.Random(seed)
    lines: list[str] = []
    expired: list[int] = []
    mismatch: list[int] = []
    for i in range(n_errors):
        lines += [FILLER.format(s=i % 60, i=i) + " x" * rng.randrange(0, 400)
                  for _ in range(rng.randrange(0, 300))]
        if i % 3:
            lines.append(EXPIRED.format(s=i % 60, i=i))
            expired.append(len(lines))
        else:
            lines.append(MISMATCH.format(s=i % 60))
            mismatch.append(len(lines))
    return "\n".join(lines).encode() + b"\n", expired, mismatch


class _Trickle(io.RawIOBase):
    """A pipe that hands over a few hundred to a few thousand bytes per read."""

    def __init__(self, data: bytes, seed: int) -> None:
        self._data = data
        self._pos = 0
        self._rng = random.Random(seed)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        n = self._rng.randrange(1, 4000)
        if size is not None and size >= 0:
            n = min(n, size)
        out = self._data[self._pos:self._pos + n]
        self._pos += len(out)
        return out


def _lines_of(seen: dict[str, Any], first: int) -> tuple[int, tuple[int, ...]]:
    """(count, lines) of the finding whose first occurrence is on line `first`."""
    (count, lines), = {(f[1], f[2]) for f in seen["findings"] if f[2][0] == first}
    return count, lines


def _seen(stream: Any) -> dict[str, Any]:
    outcome = decode_stream(stream, client=None, redactor=Redactor())
    summary = outcome.findings[0].evidence
    return {
        "lines": summary["lines"], "errors": summary["errors"],
        "findings": sorted((f.id, f.evidence["count"], tuple(f.evidence["lines"]), f.evidence["excerpt"])
                           for f in outcome.findings[1:]),
    }


def test_errors_split_across_reads_are_found_once_on_their_own_line() -> None:
    data, expired, mismatch = _log(120, seed=1)
    assert len(data) > 4 * reader.BLOCK
    whole = _seen(io.BytesIO(data))
    assert _lines_of(whole, expired[0]) == (len(expired), tuple(expired[:20]))
    assert _lines_of(whole, mismatch[0]) == (len(mismatch), tuple(mismatch[:20]))
    assert whole["lines"] == data.count(b"\n")
    for seed in range(3):
        assert _seen(_Trickle(data, seed)) == whole


def test_last_line_without_a_newline_is_read() -> None:
    data, expired, mismatch = _log(5, seed=2)
    seen = _seen(io.BytesIO(data.rstrip(b"\n")))
    assert seen == _seen(io.BytesIO(data))
    assert seen["lines"] == expired[-1] > mismatch[-1]  # the log ends on an error


def test_crlf_and_gzip_inputs_read_like_the_plain_log() -> None:
    data, _, _ = _log(40, seed=3)
    plain = _seen(io.BytesIO(data))
    assert _seen(io.BytesIO(data.replace(b"\n", b"\r\n"))) == plain
    assert _seen(io.BytesIO(gzip.compress(data, compresslevel=1))) == plain


def test_stdin_is_decoded() -> None:
    data, expired, mismatch = _log(6, seed=4)
    proc = subprocess.run([sys.executable, "-m", "sigdoctor", "decode", "-", "--format", "json"], input=data,
                          capture_output=True, check=False, timeout=60)
    report = json.loads(proc.stdout)
    summary, *found = report["probes"][0]["findings"]
    assert summary["evidence"]["lines"] == data.count(b"\n")
    assert {tuple(f["evidence"]["lines"]) for f in found} == {tuple(expired), tuple(mismatch)}
