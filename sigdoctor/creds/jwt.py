"""Read a JWT's claims without verifying it: enough to see issuer, subject, audience and expiry, never the token."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

CLAIMS = ("iss", "sub", "aud", "exp", "iat", "nbf")


class NotAJwt(ValueError):
    pass


def claims(token: str) -> dict[str, Any]:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise NotAJwt(f"not a JWT: {len(parts)} dot-separated part(s), expected 3")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError) as e:
        raise NotAJwt(f"not a JWT: payload is not base64url JSON ({type(e).__name__})") from None
    if not isinstance(data, dict):
        raise NotAJwt("not a JWT: payload is not a JSON object")
    return {k: data[k] for k in CLAIMS if k in data}
