"""SigV4 for `sigdoctor sign`: parse a raw HTTP request, sign it with botocore, show every intermediate step."""

from sigdoctor.sigv4.request import ParsedRequest, RequestParseError, parse_request
from sigdoctor.sigv4.signer import SignInputError, SignResult, render_sign_text, sign_parsed, sign_request

__all__ = [
    "ParsedRequest",
    "RequestParseError",
    "SignInputError",
    "SignResult",
    "parse_request",
    "render_sign_text",
    "sign_parsed",
    "sign_request",
]
