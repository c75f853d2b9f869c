"""The canonical request of a request botocore signed and sent, rebuilt from the request itself (its SignedHeaders
and credential scope), so an error that carries AWS's canonical request can be diffed against it."""

from __future__ import annotations

import re
from typing import Any

_AUTH_RE = re.compile(r"Credential=[^/\s]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request,\s*SignedHeaders=([^,\s]+)")


def canonical_of_sent(request: Any) -> str | None:
    """`request` is botocore's AWSPreparedRequest (the `before-send` event's); None when it is not SigV4-signed."""
    if request is None:
        return None
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {str(k): v for k, v in request.headers.items()}
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    m = _AUTH_RE.search(auth or "")
    if m is None:
        return None
    region, service, signed = m.group(1), m.group(2), set(m.group(3).split(";"))
    kept = {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in headers.items()
            if k.lower() in signed}
    again = AWSRequest(method=request.method, url=request.url, headers=kept, data=request.body or b"")
    # The keys only feed the HMAC; the canonical request does not depend on them.
    try:
        return str(SigV4Auth(Credentials("AKIDEXAMPLE", "not-a-secret"), service, region).canonical_request(again))
    except (ValueError, TypeError, AttributeError):
        return None
