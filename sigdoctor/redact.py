"""The one choke point for secrets: every report, log record and error string passes through `Redactor`.

Two layers: exact values registered while probing (secret keys, session tokens, web identity and container tokens
that we actually read), and patterns for secrets we never saw (pasted logs, exception texts).
"""

from __future__ import annotations

import re
import threading
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")

MASK = "‹redacted›"

_ACCESS_KEY_RE = re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|ANPA|ANVA|AIPA|APKA|ASCA)[A-Z0-9]{12,128})(?![A-Z0-9])")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Signatures in Authorization headers, presigned URLs, XML error bodies.
    (re.compile(r"(Signature\s*=\s*)[0-9a-fA-F]{16,}"), r"\1" + MASK),
    (re.compile(r"(X-Amz-Signature=)[0-9a-fA-F]{16,}", re.I), r"\1" + MASK),
    (re.compile(r"(<SignatureProvided>)[^<]*(</SignatureProvided>)"), r"\1" + MASK + r"\2"),
    (re.compile(r"(X-Amz-Security-Token=)[^&\s\"']+", re.I), r"\1" + MASK),
    (re.compile(r"((?:x-amz-security-token|x-aws-ec2-metadata-token|X-Amz-Security-Token)\s*[:=]\s*)[^\s\"',;]+", re.I), r"\1" + MASK),
    # JWTs (web identity tokens): header.payload.signature, base64url.
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),
    # key = value shapes for secrets and tokens, in env dumps, INI files, JSON and logfmt.
    (
        re.compile(
            r"((?:aws_secret_access_key|secret_access_key|secretaccesskey|aws_session_token|session_token|sessiontoken"
            r"|aws_security_token|secret_key|SecretAccessKey|SessionToken|Token|AWS_CONTAINER_AUTHORIZATION_TOKEN"
            r"|authorization_token)[\"']?\s*[:=]\s*[\"']?)([^\s\"',}]{8,})",
            re.I,
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"(Authorization\s*:[ \t]*+)(?!AWS4-HMAC-SHA256)[^\r\n]{8,}", re.I), r"\1" + MASK),
    # Long base64 blobs are session tokens in practice (STS tokens are 300+ chars).
    (re.compile(r"(?<![A-Za-z0-9+/=])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|AQoDYXdz|AQoEXAMPLE)[A-Za-z0-9+/=]{20,}"), MASK),
)


# One search over every pattern: nearly all strings in a report match none, and one pass rejects them (a report is
# ~1,500 strings and is redacted twice; ten substitutions each cost ~15 ms per pass).
_ANY = re.compile("|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p, _ in _PATTERNS)
                  + "|" + _ACCESS_KEY_RE.pattern)
# Nothing shorter can hold a registered secret (≥ 4 characters) or match a pattern.
_SHORTEST = 4


def mask_key_id(key_id: str) -> str:
    """An access key ID as SPEC shows it: first 4 + … + last 4."""
    k = key_id.strip()
    if len(k) <= 8:
        return k[:2] + "…"
    return f"{k[:4]}…{k[-4:]}"


class Redactor:
    """Scrubs registered secrets and secret-shaped strings out of text and nested structures."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._longest_first: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add_secret(self, value: str | None) -> None:
        """Register a value that must never be printed (and its whitespace-stripped form)."""
        if not value:
            return
        with self._lock:
            for v in (value, value.strip()):
                if len(v) >= _SHORTEST:
                    self._secrets.add(v)
            self._longest_first = tuple(sorted(self._secrets, key=len, reverse=True))

    def text(self, s: str) -> str:
        if len(s) < _SHORTEST:
            return s
        for secret in self._longest_first:  # a tuple replaced whole by add_secret: safe to read without the lock
            if secret in s:
                s = s.replace(secret, MASK)
        if _ANY.search(s) is None:
            return s
        for pattern, repl in _PATTERNS:
            s = pattern.sub(repl, s)
        return _ACCESS_KEY_RE.sub(lambda m: mask_key_id(m.group(1)), s)

    def obj(self, value: T) -> T:
        """Deep-redact dicts, lists, tuples, strings and frozen dataclasses."""
        return self._walk(value)  # type: ignore[no-any-return]

    def _walk(self, value: Any) -> Any:
        if isinstance(value, Enum):  # StrEnum is a str: keep statuses and severities typed
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._walk(v) for v in value)
        if is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self._walk(getattr(value, f.name)) for f in fields(value)}
            return replace(value, **changes)
        return value
