"""`--client FILE`: the client's own side of a signature — an SDK debug log, a bare canonical request, or the raw
HTTP request it sent (canonicalised here with botocore, through `sigdoctor.sigv4`)."""

from __future__ import annotations

import re
from pathlib import Path

from sigdoctor.awserrors.canonical import parse_canonical_request, parse_string_to_sign
from sigdoctor.awserrors.parse import ClientSigning, client_signing, expand_text
from sigdoctor.errors import UsageError
from sigdoctor.lazyre import lazy

MAX_CLIENT_FILE = 4 * 1024 * 1024
_SCOPE_RE = lazy(r"Credential=[^/\s]+/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


def load_client(path: Path) -> ClientSigning:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_CLIENT_FILE + 1)
    except OSError as exc:
        raise UsageError(f"--client {path}: {exc.strerror or exc}", "pass a readable file") from None
    if len(raw) > MAX_CLIENT_FILE:
        raise UsageError(f"--client {path} is larger than 4 MB", "pass just the canonical request or debug block")
    text = expand_text(raw.decode("utf-8", errors="replace"))
    found = client_signing(text, 0)
    if found:
        return found
    canon = parse_canonical_request(text)
    if canon:
        return ClientSigning(canon, None, 0)
    from_request = _from_raw_request(raw)
    if from_request:
        return from_request
    raise UsageError(
        f"--client {path} holds no canonical request",
        "pass the client's canonical request, its SDK debug signing log, or the raw signed HTTP request",
    )


def _from_raw_request(raw: bytes) -> ClientSigning | None:
    """Canonicalise a raw signed request the way the client should have, at its own X-Amz-Date and scope."""
    from sigdoctor.sigv4 import RequestParseError, SignInputError, parse_request, sign_parsed

    try:
        request = parse_request(raw)
    except RequestParseError:
        return None
    auth = " ".join(request.header_values("authorization"))
    m = _SCOPE_RE.search(auth)
    if m is None:
        return None
    _, region, service = m.groups()
    signed = re.search(r"SignedHeaders=([^,\s]+)", auth)
    keep = set(signed.group(1).split(";")) if signed else None
    headers = tuple((n, v) for n, v in request.headers
                    if n.lower() != "authorization" and (keep is None or n.lower() in keep))
    request = type(request)(request.method, request.target, request.path, request.query, request.http_version,
                            headers, request.body, request.query_params)
    try:
        # The keys only feed the HMAC, which is not shown; the canonical request does not depend on them.
        result = sign_parsed(request, access_key="AKIDEXAMPLE", secret_key="not-a-secret", token=None,
                             region=region, service=service, timestamp=None, s3=service == "s3")
    except (SignInputError, ValueError):
        return None
    canon = parse_canonical_request(result.canonical_request)
    if canon is None:
        return None
    return ClientSigning(canon, parse_string_to_sign(result.string_to_sign), 0)
