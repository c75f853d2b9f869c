"""`sign` semantics beyond the suite: S3 rules, time handling, pasted signed requests, and what gets shown."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any
from unittest import mock
from urllib.parse import quote

import botocore.auth
import pytest
from botocore.credentials import Credentials

from sigdoctor.sigv4.request import parse_request
from sigdoctor.sigv4.signer import (
    SignInputError,
    SignResult,
    render_sign_text,
    sign_request,
)
from sigdoctor.sigv4.signer import _to_aws_request as to_aws_request

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLEtokenEXAMPLEtokenEXAMPLEtoken0123456789abcdef"
TIME = "20150830T123600Z"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def sign(raw: bytes, **overrides: object) -> SignResult:
    params: dict[str, object] = {
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "token": None,
        "region": "us-east-1",
        "service": "service",
        "timestamp": TIME,
    }
    params.update(overrides)
    return sign_request(raw, **params)  # type: ignore[arg-type]


def _frozen_botocore_clock(frozen: datetime.datetime) -> Any:
    """botocore >= 1.35 reads the time through auth.get_current_datetime; older releases call datetime.utcnow."""
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen)

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls) -> Any:
            return frozen

    return mock.patch.object(botocore.auth.datetime, "datetime", Frozen)


@pytest.mark.parametrize(
    ("raw", "token", "s3", "auth_class"),
    [
        (
            b"GET /a//b/../c?z=1&a=2 HTTP/1.1\nHost:example.amazonaws.com\nMy-Header: x\nMy-Header: y",
            None,
            False,
            botocore.auth.SigV4Auth,
        ),
        (b"POST / HTTP/1.1\nHost:example.amazonaws.com\n\nAction=ListUsers", TOKEN, False, botocore.auth.SigV4Auth),
        (b"PUT /bucket//key HTTP/1.1\nHost:s3.amazonaws.com\n\ndata", TOKEN, True, botocore.auth.S3SigV4Auth),
        # A Date header makes botocore sign Date instead of X-Amz-Date.
        (b"GET / HTTP/1.1\nHost:h\nDate: Mon, 01 Jan 2001 00:00:00 GMT", None, False, botocore.auth.SigV4Auth),
    ],
)
def test_same_result_as_botocore_add_auth_under_a_frozen_clock(
    raw: bytes, token: str | None, s3: bool, auth_class: type[botocore.auth.SigV4Auth]
) -> None:
    # sign_request replays add_auth's steps with a pinned time; if botocore reorders them, this catches it.
    result = sign(raw, token=token, s3=s3)
    request = to_aws_request(parse_request(raw), verbatim_path=s3)
    frozen = datetime.datetime(2015, 8, 30, 12, 36, 0)
    with _frozen_botocore_clock(frozen):
        auth_class(Credentials(ACCESS_KEY, SECRET_KEY, token), "service", "us-east-1").add_auth(request)
    assert result.authorization == request.headers["Authorization"]


def test_s3_rules_keep_the_path_and_sign_the_payload_hash() -> None:
    raw = b"PUT //my-object//example//photo.user HTTP/1.1\nHost:bucket.s3.amazonaws.com\nContent-Length:5\n\nhello"
    s3 = sign(raw, s3=True, service="s3")
    plain = sign(raw, service="s3")
    body_hash = hashlib.sha256(b"hello").hexdigest()
    assert s3.canonical_request.split("\n")[1] == "//my-object//example//photo.user"
    assert plain.canonical_request.split("\n")[1] == "/my-object/example/photo.user"
    assert f"x-amz-content-sha256:{body_hash}" in s3.canonical_request.split("\n")
    assert s3.signed_headers == "content-length;host;x-amz-content-sha256;x-amz-date"
    assert plain.signed_headers == "content-length;host;x-amz-date"
    assert s3.canonical_request.endswith("\n" + body_hash)


def test_s3_path_is_encoded_once_and_existing_escapes_stay() -> None:
    raw = b"GET /my%20key/caf\xc3\xa9 HTTP/1.1\nHost:bucket.s3.amazonaws.com"
    assert sign(raw, s3=True).canonical_request.split("\n")[1] == "/my%20key/caf%C3%A9"
    # Other services encode the path once more, as AWS expects: an escape sent on the wire is encoded a second
    # time, a literal character (only the suite writes those) once, as in the suite's get-utf8.
    assert sign(raw).canonical_request.split("\n")[1] == "/my%2520key/caf%C3%A9"


def test_unsigned_payload_marker_is_signed_as_sent() -> None:
    raw = b"PUT /k HTTP/1.1\nHost:b.s3.amazonaws.com\nX-Amz-Content-SHA256: UNSIGNED-PAYLOAD\n\nbody"
    result = sign(raw, s3=True)
    assert "x-amz-content-sha256:UNSIGNED-PAYLOAD" in result.canonical_request.split("\n")
    assert result.canonical_request.endswith("\nUNSIGNED-PAYLOAD")


def test_a_stale_payload_hash_is_replaced_by_the_body_hash() -> None:
    raw = f"PUT /k HTTP/1.1\nHost:b.s3.amazonaws.com\nX-Amz-Content-SHA256: {EMPTY_SHA256}\n\nbody".encode()
    for s3 in (True, False):
        result = sign(raw, s3=s3)
        assert result.canonical_request.endswith("\n" + hashlib.sha256(b"body").hexdigest())


def test_a_pasted_signed_request_signs_like_the_unsigned_one() -> None:
    unsigned = b"GET /?Action=Get HTTP/1.1\nHost:example.amazonaws.com"
    first = sign(unsigned, token=TOKEN)
    pasted = (
        b"GET /?Action=Get HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20990101T000000Z\n"
        b"X-Amz-Security-Token:old\nAuthorization: " + first.authorization.encode()
    )
    again = sign(pasted, token=TOKEN)
    assert again.canonical_request == first.canonical_request
    assert again.authorization == first.authorization


def test_time_defaults_to_the_requests_x_amz_date() -> None:
    raw = b"GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20200102T030405Z"
    result = sign(raw, timestamp=None)
    assert result.credential_scope == "20200102/us-east-1/service/aws4_request"
    assert result.string_to_sign.split("\n")[1] == "20200102T030405Z"


def test_time_defaults_to_now_without_x_amz_date() -> None:
    result = sign(b"GET / HTTP/1.1\nHost:example.amazonaws.com", timestamp=None)
    today = datetime.datetime.now(datetime.UTC).date()
    stamp = datetime.datetime.strptime(result.credential_scope.split("/")[0], "%Y%m%d").date()
    assert abs((stamp - today).days) <= 1


def test_region_and_service_shape_the_scope() -> None:
    result = sign(b"POST / HTTP/1.1\nHost:aps-workspaces.eu-west-1.amazonaws.com", region="eu-west-1", service="aps")
    assert result.credential_scope == "20150830/eu-west-1/aps/aws4_request"
    assert result.authorization.startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/aps/aws4_request, SignedHeaders=host;x-amz-date, "
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timestamp": "2015-08-30T12:36:00Z"}, "is not in the form YYYYMMDDTHHMMSSZ"),
        ({"timestamp": "20151330T123600Z"}, "is not in the form YYYYMMDDTHHMMSSZ"),
        ({"region": ""}, "region is empty"),
        ({"service": " aps"}, "service (signing name) is empty or has surrounding whitespace"),
        ({"secret_key": ""}, "secret key is empty"),
    ],
)
def test_bad_signing_parameters_get_a_one_line_message(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(SignInputError) as info:
        sign(b"GET / HTTP/1.1\nHost:h", **overrides)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_json_fields_are_the_spec_fields_and_hide_the_session_token() -> None:
    result = sign(b"GET / HTTP/1.1\nHost:example.amazonaws.com", token=TOKEN)
    data = result.to_dict()
    assert list(data) == [
        "canonical_request",
        "string_to_sign",
        "signed_headers",
        "credential_scope",
        "signature",
        "authorization",
    ]
    assert TOKEN in result.canonical_request  # what was hashed
    assert TOKEN not in str(data)
    assert SECRET_KEY not in str(data)
    assert "x-amz-security-token:‹redacted›" in data["canonical_request"].split("\n")
    assert data["signed_headers"] == "host;x-amz-date;x-amz-security-token"
    assert data["signature"] in data["authorization"]


def test_a_token_carried_by_the_request_is_hidden_too() -> None:
    token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIe+A=="
    raw = (
        f"GET /?X-Amz-Security-Token={quote(token, safe='')}&a=b HTTP/1.1\nHost:h\nX-Amz-Security-Token: {token}"
    ).encode()
    result = sign(raw)
    assert token in result.canonical_request
    assert quote(token, safe="") in result.canonical_request
    for shown in (str(result.to_dict()), render_sign_text(result), repr(result)):
        assert token not in shown
        assert quote(token, safe="") not in shown
        assert "EXAMPLEtc764bN" not in shown


def test_query_is_decoded_then_encoded_the_sigv4_way() -> None:
    # '+' means space in a query (as aws-sdk-go reads it); escapes are normalised to upper case; order is sorted.
    raw = b"GET /?b=x+y&a=%7e%2a&c=caf%c3%a9 HTTP/1.1\nHost:h"
    assert sign(raw).canonical_request.split("\n")[2] == "a=~%2A&b=x%20y&c=caf%C3%A9"


def test_text_rendering_has_every_section_in_order_and_no_secret() -> None:
    result = sign(b"GET / HTTP/1.1\nHost:example.amazonaws.com", token=TOKEN)
    text = render_sign_text(result)
    titles = ["Canonical request", "String to sign", "Signed headers", "Credential scope", "Signature", "Authorization"]
    positions = [text.index(t + "\n") for t in titles]
    assert positions == sorted(positions)
    assert result.string_to_sign in text
    assert result.authorization in text
    assert TOKEN not in text
    assert SECRET_KEY not in text
