"""Input that is not a clean log still gets a report (or a one-line usage error), never a traceback."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from sigdoctor.context import Context
from sigdoctor.decode import decode_report
from sigdoctor.errors import UsageError
from tests.decode.conftest import INPUTS, decode_text, findings

EXPIRED = b'{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}\n'


def test_binary_input_is_a_usage_error_with_a_hint() -> None:
    with pytest.raises(UsageError) as exc:
        decode_text(bytes(range(256)) * 64)
    assert "binary" in exc.value.message
    assert exc.value.hint


def test_missing_file_and_directory_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        decode_report(tmp_path / "nope.log", client=None, ctx=Context(env={}))
    with pytest.raises(UsageError, match="directory"):
        decode_report(tmp_path, client=None, ctx=Context(env={}))


def test_invalid_utf8_around_an_error_still_decodes() -> None:
    report = decode_text(b"\xfa\xff\xfe garbage \xc3\x28\n" + EXPIRED + b"\xed\xa0\x80\n")
    assert [f.id for f in findings(report)] == ["decode.credentials-expired"]


def test_truncated_body_gets_a_report() -> None:
    full = (INPUTS / "s3_signature_mismatch.xml").read_bytes()
    for cut in (60, 200, 700, len(full) // 2):
        report = decode_text(full[:cut])
        assert report.command == "decode"


def test_gzip_and_utf16_inputs_are_read() -> None:
    assert findings(decode_text(gzip.compress(EXPIRED)))[0].id == "decode.credentials-expired"
    utf16 = "\ufeff".encode("utf-16-le") + EXPIRED.decode().encode("utf-16-le")
    assert findings(decode_text(utf16))[0].id == "decode.credentials-expired"


def test_corrupt_gzip_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="gzip"):
        decode_text(gzip.compress(EXPIRED * 100)[:40])


class _Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        raise OSError("Input/output error")


def test_unreadable_stream_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"cannot be read|failed"):
        decode_report(_Failing(), client=None, ctx=Context(env={}))  # type: ignore[arg-type]


def test_a_very_long_line_is_bounded_and_errors_after_it_are_found() -> None:
    data = b"x" * (5 * 1024 * 1024) + b" SignatureDoesNotMatch " + b"y" * (3 * 1024 * 1024) + b"\n" + EXPIRED
    report = decode_text(data)
    ids = [f.id for f in findings(report)]
    assert "decode.credentials-expired" in ids
    for f in findings(report):
        assert len(f.evidence.get("excerpt", "")) <= 300


def test_errors_on_block_boundaries_are_found_once() -> None:
    filler = b"ts=2026-11-27T05:00:00Z level=info msg=ok\n"
    data = b"".join(filler * (i * 997) + EXPIRED for i in range(1, 60))
    report = decode_text(data)
    (f,) = findings(report)
    assert f.evidence["count"] == 59
