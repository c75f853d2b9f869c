"""Parsing raw HTTP requests: what `sigdoctor sign --request FILE` accepts, and the one-line errors it gives."""

from __future__ import annotations

import pytest

from sigdoctor.sigv4.request import RequestParseError, parse_request


def test_request_line_headers_and_body() -> None:
    req = parse_request(b"POST /a/b?x=1&y=two%20words HTTP/1.1\r\nHost: h.example\r\nContent-Length: 5\r\n\r\nhello")
    assert (req.method, req.path, req.query, req.http_version) == ("POST", "/a/b", "x=1&y=two%20words", "HTTP/1.1")
    assert req.query_params == (("x", "1"), ("y", "two words"))
    assert req.headers == (("Host", "h.example"), ("Content-Length", "5"))
    assert req.host == "h.example"
    assert req.body == b"hello"


def test_bare_newlines_and_crlf_parse_the_same() -> None:
    lf = b"GET /?a=b HTTP/1.1\nHost:example.amazonaws.com\nMy-Header: v\n\nbody"
    assert parse_request(lf) == parse_request(lf.replace(b"\n", b"\r\n"))


def test_folded_header_is_joined_into_one_value() -> None:
    req = parse_request(b"GET / HTTP/1.1\nHost:h\nMy-Header1:value1\n  value2\n\tvalue3\nX:y")
    assert req.header_values("my-header1") == ["value1 value2 value3"]
    assert req.header_values("x") == ["y"]


def test_repeated_headers_keep_their_order() -> None:
    req = parse_request(b"GET / HTTP/1.1\nHost:h\nMy-Header1:value4\nMy-Header1:value1\nmy-header1:value3")
    assert req.header_values("MY-HEADER1") == ["value4", "value1", "value3"]


def test_repeated_query_keys_and_blank_values_are_kept() -> None:
    req = parse_request(b"GET /?Param1=value2&Param1=Value1&empty=&flag HTTP/1.1\nHost:h")
    assert req.query_params == (("Param1", "value2"), ("Param1", "Value1"), ("empty", ""), ("flag", ""))


def test_suite_quirks_are_tolerated() -> None:
    # The suite's get-space has a literal space in the path; old copies write the version in lowercase.
    req = parse_request(b"\nGET /example space/ http/1.1\nHost:h")
    assert req.path == "/example space/"
    assert req.http_version == "HTTP/1.1"


def test_absolute_form_target_supplies_the_host() -> None:
    req = parse_request(b"GET https://bucket.s3.amazonaws.com/key?list-type=2 HTTP/1.1\n")
    assert req.host == "bucket.s3.amazonaws.com"
    assert (req.path, req.query) == ("/key", "list-type=2")


def test_bytes_after_content_length_are_not_body() -> None:
    req = parse_request(b"POST / HTTP/1.1\nHost:h\nContent-Length:3\n\nabc\n")
    assert req.body == b"abc"


def test_body_without_content_length_is_kept_verbatim() -> None:
    req = parse_request(b"POST / HTTP/1.1\r\nHost:h\r\n\r\nline1\r\nline2\r\n")
    assert req.body == b"line1\r\nline2\r\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"GET\nHost:h", "line 1: expected a request line"),
        (b"G(T / HTTP/1.1\nHost:h", "is not an HTTP method"),
        (b"GET / HTTP/2.0x\nHost:h", "unsupported HTTP version"),
        (b"GET path HTTP/1.1\nHost:h", "must start with '/'"),
        (b"GET / HTTP/1.1\nHost h", "line 2: header line 'Host h' has no ':'"),
        (b"GET / HTTP/1.1\nBad Name:v\nHost:h", "line 2: 'Bad Name' is not a valid header name"),
        (b"GET / HTTP/1.1\n  folded\nHost:h", "line 2: a continuation line comes before any header"),
        (b"GET / HTTP/1.1\nX-A:b", "no Host header"),
        (b"POST / HTTP/1.1\nHost:h\nContent-Length:10\n\nabc", "the body has 3 bytes but Content-Length says 10"),
        (b"POST / HTTP/1.1\nHost:h\nContent-Length:ten\n\nabc", "Content-Length 'ten' is not a number"),
        (b"GET / HTTP/1.1\nHost:h\nX:\xff\xfe", "line 3: not valid UTF-8"),
        (b"GET /?k=%FF HTTP/1.1\nHost:h", "not UTF-8"),
    ],
)
def test_malformed_input_gets_a_one_line_message(raw: bytes, message: str) -> None:
    with pytest.raises(RequestParseError) as info:
        parse_request(raw)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)
