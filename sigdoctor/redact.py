"""The one choke point for secrets: every report, log record, error string and byte written to stdout, stderr or a
report file passes through a `Redactor` (see `sigdoctor.output` for the sinks).

Three layers:
* exact values registered while probing (secret keys, session tokens, web identity and container tokens that we
  actually read or that an endpoint returned), in every escaping a log may show them (URL, JSON, HTML entity);
* structural shapes for secrets we never saw: credential fields of XML and JSON bodies (`<SecretAccessKey>`,
  `"SessionToken": …`), `Authorization`, `Signature=`, `X-Amz-Signature`, `X-Amz-Security-Token`, `Credential=`,
  in any casing and with quotes or separators URL-encoded, JSON-escaped or written as HTML entities;
* values learned from those shapes (`learn`): a secret key seen once inside an STS response body is masked wherever
  it shows up later, in whatever form.

`visible` turns control characters into printable escapes: text that reaches a terminal never carries raw ESC, OSC
or C1 sequences from a pasted log, a config value or another process's environment.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import Any, TypeVar

from sigdoctor.casefold import lower_decides
from sigdoctor.lazyre import LazyPattern, lazy

T = TypeVar("T")

MASK = "‹redacted›"

# Registered secrets shorter than this are only masked as whole words: a dummy secret `test` must not turn
# "testing" into "‹redacted›ing".
_WORD_ONLY_BELOW = 16
# Nothing shorter can hold a registered secret or match a pattern.
_SHORTEST = 4

# ---- the structural shapes -----------------------------------------------------------------------------------------
# An optional quote in any escaping: ", ', \", \\\", &quot;, &#34;, &#x22;, &apos;, %22, %27, \u0022.
_Q = r"""(?:\\*["']|\\u0022|\\u0027|&quot;|&apos;|&\#0*3[49];|&\#x0*2[27];|%2[27])?"""
# A key/value separator in any escaping: ':', '=', '=>', %3A, %3D, &#58;, &#61;, &colon;, &equals;.
_SEP = r"""\s*(?::|=>?|%3[AaDd]|&\#0*5[78];|&\#0*61;|&colon;|&equals;)\s*"""
# Names of fields whose value is a secret (case-insensitive, `_`/`-` optional between the words).
_SECRET_KEYS = (
    # a misspelt name holds the secret all the same (aws_secret_access_key_id; Fluentd's own aws_sec_key)
    r"(?:aws[_-]?)?secret[_-]?access[_-]?key(?:[_-]?id)?|secret[_-]?key|awssecretkey|aws[_-]?sec[_-]?key"
    r"|(?:aws[_-]?)?session[_-]?token|(?:aws[_-]?|x-amz-)?security[_-]?token|x-aws-ec2-metadata-token"
    r"|aws[_-]container[_-]authorization[_-]token|authorization[_-]?token|web[_-]?identity[_-]?token"
    r"|access[_-]?token|refresh[_-]?token|client[_-]?secret|id[_-]?token|token"
)
# A value: up to a quote, whitespace, separator or the end of an escaped string (`\"`); `\/` is JSON's escaped '/'.
_VALUE = r"""(?:\\/|[^\s"'&,;}\]<>\\)|])"""
_KV_RE = lazy(rf"(?<![A-Za-z0-9])({_Q}(?:{_SECRET_KEYS}){_Q}{_SEP}b?{_Q})({_VALUE}{{8,}})", re.I)
# XML/HTML elements holding a secret, with < > themselves possibly written as entities or URL-encoded.
_XML_RE = lazy(
    r"((?:<|&lt;|%3C)(SecretAccessKey|SessionToken|SecurityToken|Token|WebIdentityToken|SignatureProvided"
    r"|SecretKey)(?:\s[^<>]{0,200})?(?:>|&gt;|%3E))(.{1,8192}?)((?:<|&lt;|%3C)(?:/|%2F)\2)",
    re.I | re.S,
)
# Signatures: Authorization headers, presigned URLs, botocore's "Signature:\n<hex>" debug line, JSON fields.
_SIG_RE = lazy(rf"(?<![A-Za-z0-9])({_Q}(?:x-amz-)?signature{_Q}{_SEP}b?{_Q})([0-9a-fA-F]{{16,}})", re.I)
# Any other Authorization header value (bearer tokens, the container token). SigV4 ones keep their
# Credential/SignedHeaders, which a support ticket needs, and lose their Signature through _SIG_RE.
_AUTH_RE = lazy(
    rf"(?<![A-Za-z0-9])({_Q}authorization{_Q}{_SEP}b?{_Q})(?!AWS4-|AWS4%2D|\s)([^\r\n\"'&\\]{{8,}})", re.I)
# `Credential=<access key id>/<scope>`: the key id is shown masked like everywhere else (canary ids have no prefix).
_CREDENTIAL_RE = lazy(
    r"(?<![A-Za-z0-9])(credential(?:=|%3D|&\#0*61;|&equals;)\s*)([A-Za-z0-9]{12,128})(?=/|%2F|&\#0*47;)", re.I)
# JWTs (web identity tokens): header.payload.signature, base64url.
_JWT_RE = lazy(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# Session tokens by their well-known base64 prefixes (STS tokens are 300+ chars).
_TOKEN_RE = lazy(
    r"(?<![A-Za-z0-9+/=])(?:IQoJb3JpZ2luX2Vj|[A-Za-z0-9]{4}ZXIvYXdz|AQoDYXdz|AQoEXAMPLE)[A-Za-z0-9+/=]{20,}")
# A password in a URL's userinfo (`s3://KEY:SECRET@region/bucket`, Loki's and Thanos' documented S3 URL form;
# `http://user:password@proxy:3128`; a client's endpoint with credentials in it): userinfo ends at the first '@'
# before any '/', '?' or '#' (RFC 3986 §3.2), and '/' written JSON-escaped (`:\/\/`) counts as '/'. The match
# starts at the ':' of '://', which is its anchor word.
_URL_PASSWORD_RE = lazy(r"(:(?:\\?/){2}[^\s/?#:@\"'<>\\]{0,256}:)([^\s/?#@\"'<>\\]{1,256})(?=@)")
_ACCESS_KEY_RE = lazy(
    r"(?<![A-Z0-9])((?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|ANPA|ANVA|AIPA|APKA|ASCA)[A-Z0-9]{12,128})(?![A-Z0-9])")


def mask_key_id(key_id: str) -> str:
    """An access key ID as SPEC shows it: first 4 + … + last 4."""
    k = key_id.strip()
    if len(k) <= 8:
        return k[:2] + "…"
    return f"{k[:4]}…{k[-4:]}"


# Compiled the first time a string may hold one of them (_may_match): most runs never print a secret-shaped string.
_PATTERNS: tuple[tuple[LazyPattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_XML_RE, lambda m: m.group(1) + MASK + m.group(4)),
    (_KV_RE, r"\1" + MASK),
    (_SIG_RE, r"\1" + MASK),
    (_AUTH_RE, r"\1" + MASK),
    (_CREDENTIAL_RE, lambda m: m.group(1) + mask_key_id(m.group(2))),
    (_JWT_RE, MASK),
    (_TOKEN_RE, MASK),
    (_URL_PASSWORD_RE, r"\1" + MASK),
)

# One search over every pattern: nearly all strings in a report match none, and one pass rejects them.
# (From the flags the patterns were given: their compiled `flags` would compile them.)
_ANY = re.compile("|".join(f"(?{'i' if (f := p.given_flags) & re.I else ''}{'s' if f & re.S else ''}:{p.pattern})"
                           for p, _ in _PATTERNS) + "|" + _ACCESS_KEY_RE.pattern)

# Every pattern needs one of these (lowercased) words: a string holding none of them — nearly every string, and a
# 900 kB region value — is passed over with C-speed substring scans instead of a regex search per position.
_ANCHORS = ("secret", "token", "signature", "authorization", "credential", "eyj", "zxivyxdz", "iqoj", "aqod",
            "aqoe", "://", ":\\/\\/", "akia", "asia", "aida", "aroa", "abia", "acca", "agpa", "anpa", "anva",
            "aipa", "apka", "asca")


_ANCHOR_RE = re.compile("|".join(map(re.escape, _ANCHORS)))
# Every position where an anchor word starts (overlapping ones included: "…aqodyxdz…" holds two).
_ANCHOR_STARTS = re.compile(f"(?=(?:{_ANCHOR_RE.pattern}))")
# How far before an anchor word a match of _ANY can start: at most a 6-character quote (`\u0022`; every longer or
# unbounded quote form ends in a non-alphanumeric character, so the match also starts right after it) before the
# longest prefix a secret key has ahead of its first anchor word (`x-aws-ec2-metadata-` before "token": 19).
_BEFORE_ANCHOR = 32
# Strings longer than this are searched only near their anchor words.
_NEAR_ANCHORS_FROM = 256


def _may_match(s: str) -> bool:
    """Whether any pattern matches `s`: an anchor word must occur in it, then _ANY must match. A long string (a whole
    JSON report written to stdout holds "credential" and "token" many times) is tried only at the positions a match
    can start from — up to _BEFORE_ANCHOR characters before each anchor word — instead of at each of its characters:
    the same answer, ~10x less regex work for a 40 kB report."""
    low = s.lower()
    if _ANCHOR_RE.search(low) is None:
        return False
    if len(s) < _NEAR_ANCHORS_FROM or not lower_decides(s, low):
        return _ANY.search(s) is not None
    done = -1
    for anchor in _ANCHOR_STARTS.finditer(low):
        at = anchor.start()
        for start in range(max(done + 1, at - _BEFORE_ANCHOR), at + 1):
            if _ANY.match(s, start) is not None:
                return True
        done = at
    return False


_BIG = 64 * 1024  # strings this long are remembered once redacted (Redactor._big)
# Strings longer than this are cut for display (a report line of megabytes helps nobody and costs minutes to wrap).
DISPLAY_LIMIT = 16 * 1024

# ---- control characters ---------------------------------------------------------------------------------------------
# C0 except tab and newline, DEL, C1, line/paragraph separators and the bidi overrides (which reorder what a
# terminal shows: "Trojan source").
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_control(m: re.Match[str]) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(s: str) -> str:
    """`s` with every control character (except tab and newline) shown as a `\\xNN` / `\\uNNNN` escape."""
    return _CONTROL_RE.sub(_escape_control, s)


def _variants(value: str) -> set[str]:
    """The forms a secret takes in logs and bodies: as is, URL-encoded (either case of hex), JSON-escaped, as
    HTML entities."""
    import html  # with its table of entities, ~2 ms: only once a secret is registered

    out = {value}
    for safe in ("", "/"):
        q = urllib.parse.quote(value, safe=safe)
        out |= {q, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), q)}
    out.add(urllib.parse.quote_plus(value))
    dumped = json.dumps(value)[1:-1]
    out |= {dumped, dumped.replace("/", "\\/"), html.escape(value), html.escape(value, quote=False)}
    return {v for v in out if len(v) >= _SHORTEST}


def _decoded(value: str) -> set[str]:
    """What a value found in an escaped body decodes to (so its plain form is masked too)."""
    import html

    out = {value, urllib.parse.unquote(value), html.unescape(value), value.replace("\\/", "/")}
    return {v for v in out if len(v) >= 8}


def _uncached(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern)` kept out of re's cache: the pattern holds secrets, and `decode` stores the patterns of
    that cache on disk between runs (recache.py)."""
    try:
        from re import _compiler  # type: ignore[attr-defined]  # CPython >= 3.11; re.compile without caching

        return _compiler.compile(pattern, 0)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):  # pragma: no cover - older or other Pythons: recache stores nothing there
        return re.compile(pattern)


class Redactor:
    """Scrubs registered secrets and secret-shaped strings out of text and nested structures."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._allowed: set[str] = set()
        self._key_ids: dict[str, str] = {}
        self._plain: tuple[str, ...] = ()  # long secrets (and their variants), longest first: substring match
        self._words: re.Pattern[str] | None = None  # short ones: whole words only
        self._short: tuple[str, ...] = ()
        self._lock = threading.Lock()
        # Results for huge strings (a 900 kB config value repeated in many findings is redacted by the probe, the
        # report and the renderer): keyed by the registry's version, so a secret added later still applies.
        self._version = 0
        self._big: dict[tuple[int, str], str] = {}

    def add_secret(self, value: str | None) -> None:
        """Register a value that must never be printed (and its whitespace-stripped and escaped forms)."""
        if not value:
            return
        self._add(v for raw in (value, value.strip()) if len(raw) >= _SHORTEST for v in _variants(raw))

    def add_key_id(self, key_id: str | None) -> None:
        """An access key id that is shown only masked (first 4 + last 4), whatever its prefix."""
        k = (key_id or "").strip()
        if len(k) >= 8:
            with self._lock:
                self._key_ids = {**self._key_ids, k: mask_key_id(k)}

    def allow(self, value: str | None) -> None:
        """A value that is the product of the command (the signature `sign` computed) and stays visible even
        where a pattern would mask it. Registered secrets are never allowed."""
        if value and len(value) >= _SHORTEST:
            with self._lock:
                self._allowed.add(value)

    def learn(self, text: str) -> None:
        """Register the secrets `text` shows in credential fields (an STS, IMDS or container response body),
        so they are masked wherever they appear next, in any form."""
        if len(text) < _SHORTEST or not _may_match(text):
            return
        found: set[str] = set()
        for m in _XML_RE.finditer(text):
            if m.group(2).lower() != "signatureprovided":
                found |= _decoded(m.group(3))
        for m in _KV_RE.finditer(text):
            found |= _decoded(m.group(2))
        found -= self._secrets
        if found:
            self._add(v for f in found for v in _variants(f))

    def _add(self, values: Iterable[str]) -> None:
        with self._lock:
            before = len(self._secrets)
            self._secrets.update(values)
            if len(self._secrets) == before:
                return
            self._version += 1
            self._big = {}
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._plain = tuple(s for s in ordered if len(s) >= _WORD_ONLY_BELOW)
            self._short = tuple(s for s in ordered if len(s) < _WORD_ONLY_BELOW)
            self._words = (_uncached(r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, self._short))
                                     + r")(?![A-Za-z0-9])") if self._short else None)

    def holds_secret(self, s: str | bytes) -> bool:
        """Whether `s` contains a registered secret (in any of its registered forms)."""
        t = s if isinstance(s, str) else s.decode("latin-1")
        return any(secret in t for secret in self._secrets)

    def text(self, s: str) -> str:
        if len(s) < _SHORTEST:
            return s
        if len(s) > _BIG:
            key = (self._version, s)
            done = self._big.get(key)
            if done is None:
                done = self._text(s)
                if len(self._big) < 32:
                    self._big[key] = done
            return done
        return self._text(s)

    def _text(self, s: str) -> str:
        # Tuples and the compiled pattern are replaced whole by _add: safe to read without the lock.
        for secret in self._plain:
            if secret in s:
                s = s.replace(secret, MASK)
        for key_id, masked in self._key_ids.items():
            if key_id in s:
                s = s.replace(key_id, masked)
        words, short = self._words, self._short
        if words is not None and any(w in s for w in short):
            s = words.sub(MASK, s)
        if not _may_match(s):
            return s
        held: dict[str, str] = {}
        for i, value in enumerate(a for a in self._allowed if a in s):
            held[f"\x00allowed{i}\x00"] = value
            s = s.replace(value, f"\x00allowed{i}\x00")
        for pattern, repl in _PATTERNS:
            s = pattern.sub(repl, s)
        s = _ACCESS_KEY_RE.sub(lambda m: mask_key_id(m.group(1)), s)
        for placeholder, value in held.items():
            s = s.replace(placeholder, value)
        return s

    def display(self, s: str) -> str:
        """`s` as it may reach a terminal or a report: redacted, control characters made visible, at most
        DISPLAY_LIMIT characters."""
        s = self.text(s)  # before cutting: a cut could leave half a secret no pattern recognises
        if len(s) > DISPLAY_LIMIT:
            s = s[:DISPLAY_LIMIT] + f"… ({len(s) - DISPLAY_LIMIT} more characters)"
        return visible(s)

    def obj(self, value: T, *, show: bool = False) -> T:
        """Deep-redact dicts, lists, tuples, strings and frozen dataclasses (`show`: also make control characters
        visible)."""
        return self._walk(value, self.display if show else self.text)  # type: ignore[no-any-return]

    def _walk(self, value: Any, fn: Callable[[str], str]) -> Any:
        if isinstance(value, Enum):  # StrEnum is a str: keep statuses and severities typed
            return value
        if isinstance(value, str):
            return fn(value)
        if isinstance(value, dict):
            return {self._walk(k, fn): self._walk(v, fn) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, fn) for v in value]
        if isinstance(value, tuple):
            return tuple(self._walk(v, fn) for v in value)
        if is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self._walk(getattr(value, f.name), fn) for f in fields(value)}
            return replace(value, **changes)
        return value


_PROCESS = Redactor()


def process_redactor() -> Redactor:
    """The process-wide registry: every sink (stdout, stderr, logs, report files, crash logs) scrubs with it, so a
    secret registered by any probe or learned from any response is masked everywhere from then on."""
    return _PROCESS
