"""What a correct SigV4 signer (botocore's) produces for a raw HTTP request: the engine of `sigdoctor sign`.

All canonicalisation and HMAC work is botocore's (`SigV4Auth`, `S3SigV4Auth`); this module only feeds it a request
rebuilt from the raw text and pins the signing time.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import field
from typing import Any, cast
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sigdoctor.botoseam import sign_at
from sigdoctor.records import datarecord
from sigdoctor.redact import MASK
from sigdoctor.sigv4.request import ParsedRequest, parse_request

SIGV4_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"

# Payload markers a client may sign instead of the body's hash (S3 unsigned / chunked uploads). They are signed
# as the request carries them; a hex value is recomputed from the body instead, since a stale hash is what the
# user is hunting for.
_PAYLOAD_HASH_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_TOKEN_HEADER_RE = re.compile(r"^(x-amz-security-token:).*$", re.MULTILINE)
_TOKEN_PARAM_RE = re.compile(r"((?:^|&)X-Amz-Security-Token=)[^&\n]*", re.MULTILINE | re.IGNORECASE)

# Characters that may appear literally in a request-target path (RFC 3986 pchar plus '/' and '%').
_WIRE_PATH_SAFE = "/%!$&'()*+,;=:@~"


class SignInputError(ValueError):
    """A signing parameter (time, region, service, keys) is unusable; the message is one line for the user."""


@datarecord(frozen=True)
class SignResult:
    """The parts of a SigV4 signature, as `sign --format json` reports them.

    `canonical_request` is exact (it hashes to `string_to_sign`); when it holds a session token, `to_dict()` and
    `render_sign_text()` show it masked.
    """

    canonical_request: str = field(repr=False)
    string_to_sign: str
    signed_headers: str
    credential_scope: str
    signature: str = field(repr=False)
    authorization: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False, compare=False)

    @property
    def display_canonical_request(self) -> str:
        """The canonical request with any session token value masked."""
        text = self.canonical_request
        if self.session_token:
            text = text.replace(self.session_token, MASK)
        text = _TOKEN_HEADER_RE.sub(lambda m: m.group(1) + MASK, text)
        lines = text.split("\n")
        if len(lines) > 2:
            lines[2] = _TOKEN_PARAM_RE.sub(lambda m: m.group(1) + MASK, lines[2])
        return "\n".join(lines)

    def to_dict(self) -> dict[str, str]:
        return {
            "canonical_request": self.display_canonical_request,
            "string_to_sign": self.string_to_sign,
            "signed_headers": self.signed_headers,
            "credential_scope": self.credential_scope,
            "signature": self.signature,
            "authorization": self.authorization,
        }


class _VerbatimPathSigV4Auth(SigV4Auth):
    """SigV4 with S3's path rule (no normalisation, no second encoding) but without S3's payload header.

    aws-c-auth's `normalize: false` cases need exactly this combination.
    """

    def _normalize_url_path(self, path: str) -> str:
        return path


def sign_request(
    raw: bytes,
    *,
    access_key: str | None,
    secret_key: str | None,
    token: str | None,
    region: str,
    service: str,
    timestamp: str | None,
    s3: bool = False,
    normalize_path: bool | None = None,
    sign_body: bool | None = None,
) -> SignResult:
    """Parse `raw` (raises `RequestParseError`) and sign it; see `sign_parsed`."""
    return sign_parsed(
        parse_request(raw),
        access_key=access_key,
        secret_key=secret_key,
        token=token,
        region=region,
        service=service,
        timestamp=timestamp,
        s3=s3,
        normalize_path=normalize_path,
        sign_body=sign_body,
    )


def sign_parsed(
    request: ParsedRequest,
    *,
    access_key: str | None,
    secret_key: str | None,
    token: str | None,
    region: str,
    service: str,
    timestamp: str | None,
    s3: bool = False,
    normalize_path: bool | None = None,
    sign_body: bool | None = None,
) -> SignResult:
    """Sign `request` the way botocore would at `timestamp` (YYYYMMDDTHHMMSSZ).

    `timestamp=None` takes the request's own `X-Amz-Date` if it has a valid one, else the current UTC time.
    `s3=True` applies S3's rules: the path is signed as sent (no dot-segment or slash normalisation, no second
    encoding) and `x-amz-content-sha256` is added and signed. `normalize_path` and `sign_body` override those two
    rules separately (the aws-c-auth suite's `normalize` and `sign_body`). A `token` is signed as
    `X-Amz-Security-Token`, replacing any the request carries.
    """
    # Keys are typed optional because botocore's frozen credentials are; an empty one cannot sign.
    for name, value in (("access key", access_key), ("secret key", secret_key), ("region", region)):
        if not value or value != value.strip():
            raise SignInputError(f"the {name} is empty or has surrounding whitespace")
    assert access_key is not None and secret_key is not None
    if not service or service != service.strip():
        raise SignInputError("the service (signing name) is empty or has surrounding whitespace")
    stamp = _resolve_timestamp(timestamp, request)
    normalize = (not s3) if normalize_path is None else normalize_path
    add_payload_header = s3 if sign_body is None else sign_body

    aws_request = _to_aws_request(request, verbatim_path=not normalize)
    carried_hash = _carried_payload_marker(request)
    credentials = Credentials(access_key, secret_key, token or None)
    auth: SigV4Auth
    if normalize:
        auth = SigV4Auth(credentials, service, region)
    elif add_payload_header and carried_hash is None:
        auth = S3SigV4Auth(credentials, service, region)
    else:
        auth = _VerbatimPathSigV4Auth(credentials, service, region)

    if (
        carried_hash is None
        and (add_payload_header or "X-Amz-Content-SHA256" in aws_request.headers)
        and not isinstance(auth, S3SigV4Auth)
    ):
        _replace_header(aws_request, "X-Amz-Content-SHA256", auth.payload(aws_request))

    canonical_request, string_to_sign, signature, signed_headers = _sign_at(auth, aws_request, stamp)
    return SignResult(
        canonical_request=canonical_request,
        string_to_sign=string_to_sign,
        signed_headers=signed_headers,
        credential_scope=auth.credential_scope(aws_request),
        signature=signature,
        authorization=str(aws_request.headers["Authorization"]),
        session_token=token or None,
    )


def _sign_at(auth: SigV4Auth, request: AWSRequest, stamp: str) -> tuple[str, str, str, str]:
    """(canonical request, string to sign, signature, signed headers); the request gets its Authorization."""
    return sign_at(auth, request, stamp)


def _resolve_timestamp(timestamp: str | None, request: ParsedRequest) -> str:
    if timestamp is None:
        for value in request.header_values("x-amz-date"):
            if _parse_timestamp(value) is not None:
                return value
        return datetime.datetime.now(datetime.UTC).strftime(SIGV4_TIMESTAMP_FORMAT)
    if _parse_timestamp(timestamp) is None:
        raise SignInputError(f"time {timestamp[:40]!r} is not in the form YYYYMMDDTHHMMSSZ (e.g. 20150830T123600Z)")
    return timestamp


def _parse_timestamp(value: str) -> datetime.datetime | None:
    if len(value) != 16:
        return None
    try:
        return datetime.datetime.strptime(value, SIGV4_TIMESTAMP_FORMAT)
    except ValueError:
        return None


def _to_aws_request(request: ParsedRequest, *, verbatim_path: bool) -> AWSRequest:
    path = request.path
    if verbatim_path:
        # With S3's rule botocore signs the path as it stands, so it must be the wire form: a literal space or
        # non-ASCII character (the suite has both) goes on the wire percent-encoded. Existing %XX stay as sent.
        path = quote(path, safe=_WIRE_PATH_SAFE)
    aws_request = AWSRequest(method=request.method, url=f"https://{request.host}{path}", data=request.body)
    # HTTPHeaders appends on assignment, so repeated headers stay separate values that botocore joins with ','.
    for name, value in request.headers:
        aws_request.headers[name] = value
    # botocore canonicalises a sequence of pairs (repeats sorted by value) as well as a dict; the stubs only
    # admit the dict.
    aws_request.params = cast("dict[str, Any]", list(request.query_params))
    return aws_request


def _carried_payload_marker(request: ParsedRequest) -> str | None:
    values = request.header_values("x-amz-content-sha256")
    if values and not _PAYLOAD_HASH_RE.match(values[-1]):
        return values[-1]
    return None


def _replace_header(request: AWSRequest, name: str, value: str) -> None:
    if name in request.headers:
        del request.headers[name]
    request.headers[name] = value


def render_sign_text(result: SignResult) -> str:
    """Plain-text sections for `sigdoctor sign`; a session token is masked, the secret key is never in a result."""
    sections = (
        ("Canonical request", result.display_canonical_request),
        ("String to sign", result.string_to_sign),
        ("Signed headers", result.signed_headers),
        ("Credential scope", result.credential_scope),
        ("Signature", result.signature),
        ("Authorization", result.authorization),
    )
    return "\n\n".join(f"{title}\n{'-' * len(title)}\n{body}" for title, body in sections) + "\n"
