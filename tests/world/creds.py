"""Fake-but-realistic credential material: access key ids, secret keys, session tokens, web identity JWTs.

Everything is random per call, so a test that finds one of these strings in the tool's output has found a leak.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
from datetime import UTC, datetime

_UPPER = string.ascii_uppercase + "234567"
_B64ISH = string.ascii_letters + string.digits + "+/"


def access_key_id(prefix: str = "ASIA") -> str:
    return prefix + "".join(secrets.choice(_UPPER) for _ in range(16))


def secret_access_key() -> str:
    return "".join(secrets.choice(_B64ISH) for _ in range(40))


def session_token() -> str:
    return "IQoJb3JpZ2luX2VjE" + "".join(secrets.choice(_B64ISH) for _ in range(300))


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, object] | None = None, *, expires_in: float = 86400.0) -> str:
    """A JWT shaped like an EKS service-account token. The signature is random bytes: moto does not verify it,
    and a test only needs a token that would be a disaster to print."""
    now = int(time.time())
    body: dict[str, object] = {
        "aud": ["sts.amazonaws.com"],
        "exp": now + int(expires_in),
        "iat": now - 60,
        "iss": "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
        "kubernetes.io": {"namespace": "monitoring", "serviceaccount": {"name": "grafana-agent"}},
        "nbf": now - 60,
        "sub": "system:serviceaccount:monitoring:grafana-agent",
    }
    body.update(claims or {})
    header = {"alg": "RS256", "kid": secrets.token_hex(20)}
    return ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(body).encode()),
                     _b64url(secrets.token_bytes(256))])
