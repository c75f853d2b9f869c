"""An error at the end of a long run of look-alike lines is found: a debug log (the C++ SDK's curl client, a retry
loop) prints hundreds of lines that each hold a word decode looks at closely, and the one error after them must not be
taken for a repeat of those lines."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text

ERROR = ("[ERROR] 2024-01-01 00:01:00.000 AWSClient [1234] HTTP response code: 403 Exception name: "
         "SignatureDoesNotMatch Error message: The request signature we calculated does not match the signature you "
         "provided. Check your key and signing method.")


def _noise(n: int) -> list[str]:
    return [f"[DEBUG] 2024-01-01 00:00:{i % 60:02d}.000 CurlHttpClient [1234] Attempting to acquire curl connection. "
            f"Connect attempt {i}" for i in range(n)]


@pytest.mark.parametrize("before", [300, 1000, 3000])
def test_the_error_after_a_run_of_look_alike_lines_is_found(before: int) -> None:
    report = decode_text("\n".join([*_noise(before), ERROR, "[DEBUG] done", "[DEBUG] done"]) + "\n")
    assert report.root_causes, f"no cause after {before} look-alike lines"
    assert report.root_causes[0].id == "secret-key-mismatch"
    assert report.root_causes[0].severity is Severity.WARNING  # a bare mismatch: the text cannot decide (exit 0)
    assert "The text cannot decide" in report.probes[0].findings[0].message or any(
        "The text cannot decide" in f.message for f in report.probes[0].findings)


def test_the_same_run_without_an_error_gives_no_cause() -> None:
    report = decode_text("\n".join(_noise(1000)) + "\n")
    assert not report.root_causes
    assert not report.has_error  # exit 0
