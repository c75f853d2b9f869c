"""The `env` source: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in the diagnosed environment."""

from __future__ import annotations

from dataclasses import field

from sigdoctor.creds.model import SourceDiag
from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor, mask_key_id

KEY = "AWS_ACCESS_KEY_ID"
SECRET = "AWS_SECRET_ACCESS_KEY"
# botocore takes the first non-empty of these, in this order.
TOKENS = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")
EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"

_CHAR_CLASSES = (
    ("\n", "newline"),
    ("\r", "carriage return"),
    ("\t", "tab"),
    (" ", "space"),
    ('"', "double quote"),
    ("'", "single quote"),
)


def odd_characters(value: str) -> list[str]:
    """Character classes in a key that cannot belong there, with where they sit — never the value itself."""
    strip = "".join(ch for ch, _ in _CHAR_CLASSES)
    core_start = len(value) - len(value.lstrip(strip))
    core_end = len(value.rstrip(strip))
    found: list[str] = []
    for ch, label in _CHAR_CLASSES:
        places = {
            "leading" if i < core_start else "trailing" if i >= core_end else "inside"
            for i, c in enumerate(value)
            if c == ch
        }
        if places:
            found.append(f"{' and '.join(sorted(places))} {label}")
    return found


@datarecord
class EnvDiag:
    source: SourceDiag
    # (variable, what is wrong) — for credentials.env-credentials-incomplete
    problems: list[tuple[str, str]] = field(default_factory=list)
    key_id: str | None = None
    has_token: bool = False
    token_var: str | None = None
    expiration: str | None = None


def diagnose(env: dict[str, str], redactor: Redactor, ignored_reason: str | None = None) -> EnvDiag:
    key = env.get(KEY)
    secret = env.get(SECRET)
    redactor.add_secret(secret)
    token_var = next((t for t in TOKENS if env.get(t)), None)
    token = env.get(token_var) if token_var else None
    redactor.add_secret(token)
    problems: list[tuple[str, str]] = []

    if key is None and secret is None:
        if token_var:
            problems.append((KEY, f"not set, but {token_var} is (a session token alone is useless)"))
        return EnvDiag(SourceDiag(False, f"{KEY} and {SECRET} not set", "environment", usable=False), problems)

    if key is not None and not key.strip():
        problems.append((KEY, "set but empty — botocore then skips environment credentials entirely"))
    elif key is None:
        problems.append((KEY, f"not set while {SECRET} is — botocore skips environment credentials"))
    if key and secret is None:
        problems.append((SECRET, f"not set while {KEY} is — botocore fails with PartialCredentialsError"))
    elif key and not secret:
        problems.append((SECRET, "set but empty — botocore fails with PartialCredentialsError"))
    for var, value in ((KEY, key), (SECRET, secret), (token_var or "AWS_SESSION_TOKEN", token)):
        if value and value.strip():
            odd = odd_characters(value)
            if odd:
                problems.append((var, "contains " + ", ".join(odd)))

    parts = []
    if key:
        parts.append(f"{KEY}={mask_key_id(key)}")
    else:
        parts.append(f"{KEY} {'empty' if key is not None else 'not set'}")
    parts.append(f"{SECRET} {'set' if secret else ('empty' if secret is not None else 'not set')}")
    if token_var:
        parts.append(f"{token_var} set")
    expiration = env.get(EXPIRATION) or None
    if expiration:
        parts.append(f"{EXPIRATION}={expiration}")
    detail = ", ".join(parts)
    # botocore only looks further when AWS_ACCESS_KEY_ID is non-empty; then a missing secret is an error.
    configured = bool(key)
    usable = bool(key and secret) and not problems
    if ignored_reason:
        detail = f"{detail} — {ignored_reason}"
    return EnvDiag(
        SourceDiag(configured, detail, "environment", usable=usable),
        problems,
        key_id=key.strip() if key else None,
        has_token=token_var is not None,
        token_var=token_var,
        expiration=expiration,
    )
