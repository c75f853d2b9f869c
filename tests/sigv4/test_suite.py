"""The official AWS SigV4 test suite, case by case: canonical request, string to sign and Authorization must match.

Data: ./data/sigv4_suite (botocore's copy and aws-c-auth's, unchanged; see its README.md for sources and licences).
aws-c-auth's folders also hold presigned (query-string) expectations; `sign` makes header signatures only, so those
files are not read here (no placeholder tests for them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sigdoctor.sigv4.signer import sign_request

SUITE = Path(__file__).parent / "data" / "sigv4_suite"
BOTOCORE_SUITE = SUITE / "aws4_testsuite_botocore"
CRT_SUITE = SUITE / "aws_c_auth_v4"

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TIME = "20150830T123600Z"

# Cases of botocore's copy that botocore's signer cannot express, with the reason; they are marked xfail.
# Empty: botocore's own runner skips four cases (below) because of how *it* rebuilds the request, not because of
# the signer, and all four pass here.
BOTOCORE_CANNOT_EXPRESS: dict[str, str] = {}

# What botocore's tests/unit/auth/test_sigv4.py skips, and why they pass here: its runner parses with
# BaseHTTPRequestHandler (rejects the space in get-space; our parser keeps it) and collapses the query into a
# dict (drops repeated keys; we hand botocore the list of pairs, which its signer sorts by key then value).
BOTOCORE_RUNNER_SKIPS = {
    "normalize-path/get-space": "request line with a space in the path",
    "get-vanilla-query-order-key-case": "repeated query keys",
    "get-vanilla-query-order-key": "repeated query keys",
    "get-vanilla-query-order-value": "repeated query keys",
}

def _botocore_cases() -> list[str]:
    return sorted(str(p.parent.relative_to(BOTOCORE_SUITE)) for p in BOTOCORE_SUITE.rglob("*.req"))


def _crt_cases() -> list[str]:
    return sorted(p.name for p in CRT_SUITE.iterdir() if (p / "context.json").is_file())


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r", "")


def test_suite_is_complete() -> None:
    # The counts in the data README: a lost folder must not silently shrink the suite.
    assert len(_botocore_cases()) == 34
    assert len(_crt_cases()) == 38
    assert set(BOTOCORE_RUNNER_SKIPS) <= set(_botocore_cases())


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=BOTOCORE_CANNOT_EXPRESS[c], strict=True))
        if c in BOTOCORE_CANNOT_EXPRESS
        else c
        for c in _botocore_cases()
    ],
)
@pytest.mark.parametrize("line_end", ["lf", "crlf"])
def test_botocore_suite_case(case: str, line_end: str) -> None:
    folder = BOTOCORE_SUITE / case
    stem = folder / folder.name
    creq = _read(stem.with_suffix(".creq"))
    # As botocore's runner does: the session token, if any, is the one the expected canonical request signs
    # (post-sts-header-after adds it after signing, so it is not signed).
    token_match = re.search(r"^x-amz-security-token:(.*)$", creq, re.MULTILINE)
    raw = stem.with_suffix(".req").read_bytes()
    if line_end == "crlf":
        # The same request as a capture would hold it: every line, body lines aside, ends in CRLF.
        head, sep, body = raw.partition(b"\n\n")
        raw = head.replace(b"\n", b"\r\n") + (b"\r\n\r\n" + body if sep else b"")
    result = sign_request(
        raw,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        token=token_match.group(1) if token_match else None,
        region="us-east-1",
        service="service",
        timestamp=TIME,
    )
    assert result.canonical_request == creq
    assert result.string_to_sign == _read(stem.with_suffix(".sts"))
    assert result.authorization == _read(stem.with_suffix(".authz"))


@pytest.mark.parametrize("case", _crt_cases())
def test_aws_c_auth_suite_header_case(case: str) -> None:
    folder = CRT_SUITE / case
    context = json.loads((folder / "context.json").read_text())
    creds = context["credentials"]
    expected_authz = re.search(r"^Authorization:(.*)$", _read(folder / "header-signed-request.txt"), re.MULTILINE)
    assert expected_authz is not None
    result = sign_request(
        (folder / "request.txt").read_bytes(),
        access_key=creds["access_key_id"],
        secret_key=creds["secret_access_key"],
        # omit_session_token: the token is added after signing, so the signer must not see it.
        token=None if context.get("omit_session_token") else creds.get("token"),
        region=context["region"],
        service=context["service"],
        timestamp=context["timestamp"].replace("-", "").replace(":", ""),
        normalize_path=context["normalize"],
        sign_body=context["sign_body"],
    )
    assert result.canonical_request == _read(folder / "header-canonical-request.txt")
    assert result.string_to_sign == _read(folder / "header-string-to-sign.txt")
    assert result.signature == _read(folder / "header-signature.txt").strip()
    assert result.authorization == expected_authz.group(1)
