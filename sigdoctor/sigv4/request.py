"""Parse a raw HTTP/1.1 request as written in the AWS SigV4 test suite's `.req` files (and as pasted from agent logs).

The parser is lenient where the suite and real captures are sloppy (bare `\\n` line ends, no trailing blank line,
a lowercase `http/1.1`, a literal space in the path, folded header lines) and strict where a guess would change
what gets signed (a header line without a colon, a body shorter than its Content-Length).
"""

from __future__ import annotations

import re
from dataclasses import field
from urllib.parse import parse_qsl, urlsplit

from sigdoctor.records import datarecord

# RFC 9110 token characters: what a method or a header name may contain.
_TOKEN_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VERSION_RE = re.compile(r"^HTTP/\d(?:\.\d)?$", re.IGNORECASE)


class RequestParseError(ValueError):
    """The input is not an HTTP request we can sign; the message is one line, meant for the user."""


@datarecord(frozen=True)
class ParsedRequest:
    """One HTTP request, as close to the bytes on the wire as signing needs.

    `headers` keeps the original names, order and repeats (a folded header is one entry, its lines joined by a
    space); `query_params` is the decoded query in wire order, repeats included.
    """

    method: str
    target: str
    path: str
    query: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = field(repr=False)
    query_params: tuple[tuple[str, str], ...] = ()

    @property
    def host(self) -> str:
        values = self.header_values("host")
        return values[0] if values else ""

    def header_values(self, name: str) -> list[str]:
        """Every value of the header `name` (case-insensitive), in request order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


def parse_request(raw: bytes) -> ParsedRequest:
    """Parse `raw` into a `ParsedRequest`, or raise `RequestParseError` saying what is wrong and where."""
    if not raw.strip():
        raise RequestParseError("the request is empty")
    head, body = _split_head_body(raw)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = head[: exc.start].count(b"\n") + 1
        raise RequestParseError(f"line {line_no}: not valid UTF-8 text") from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    # Leading blank lines are tolerated by HTTP servers (RFC 9112 §2.2), so a paste that starts with one is fine.
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    method, target, version = _parse_request_line(lines[first], first + 1)
    headers = _parse_headers(lines[first + 1 :], first + 2)

    path, query, url_host = _split_target(target)
    if url_host and not any(name.lower() == "host" for name, _ in headers):
        headers = (("Host", url_host), *headers)
    if not any(name.lower() == "host" for name, _ in headers):
        raise RequestParseError("the request has no Host header (SigV4 always signs the host)")

    body = _fit_body(body, headers)
    try:
        params = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise RequestParseError(f"the query string {query!r} percent-encodes bytes that are not UTF-8") from None
    return ParsedRequest(
        method=method,
        target=target,
        path=path,
        query=query,
        http_version=version,
        headers=headers,
        body=body,
        query_params=tuple(params),
    )


def _split_head_body(raw: bytes) -> tuple[bytes, bytes]:
    # The first empty line ends the head, whichever line ending the file uses; the suite's .req files often
    # have no blank line at all when there is no body.
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def _parse_request_line(line: str, line_no: int) -> tuple[str, str, str]:
    parts = line.strip().split(" ")
    parts = [p for p in parts if p]
    if len(parts) < 2:
        raise RequestParseError(
            f"line {line_no}: expected a request line like 'GET /path HTTP/1.1', got {line.strip()[:80]!r}"
        )
    method = parts[0]
    if not _TOKEN_RE.match(method):
        raise RequestParseError(f"line {line_no}: {method[:40]!r} is not an HTTP method")
    version = "HTTP/1.1"
    if len(parts) >= 3 and _VERSION_RE.match(parts[-1]):
        version = parts[-1].upper()
        parts = parts[:-1]
    elif len(parts) >= 3 and parts[-1].upper().startswith("HTTP/"):
        raise RequestParseError(f"line {line_no}: unsupported HTTP version {parts[-1][:20]!r}")
    # A literal space inside the path is invalid on the wire but appears in the suite (get-space): keep it.
    target = " ".join(parts[1:])
    if not (target.startswith("/") or target.lower().startswith(("http://", "https://"))):
        raise RequestParseError(f"line {line_no}: the request target {target[:80]!r} must start with '/'")
    return method, target, version


def _parse_headers(lines: list[str], first_line_no: int) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for offset, line in enumerate(lines):
        line_no = first_line_no + offset
        if not line.strip():
            continue
        if line[0] in " \t":
            # obs-fold (RFC 9112 §5.2): a continuation line joins the previous value with one space.
            if not headers:
                raise RequestParseError(f"line {line_no}: a continuation line comes before any header")
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise RequestParseError(f"line {line_no}: header line {line[:60]!r} has no ':'")
        if not _TOKEN_RE.match(name):
            raise RequestParseError(f"line {line_no}: {name[:60]!r} is not a valid header name")
        headers.append((name, value.strip()))
    return tuple(headers)


def _split_target(target: str) -> tuple[str, str, str]:
    """(path, raw query, host from an absolute-form target or '')."""
    host = ""
    rest = target
    if not target.startswith("/"):
        # Absolute form, as sent to a forward proxy: the host is in the target.
        parts = urlsplit(target)
        host = parts.netloc
        rest = target[len(f"{parts.scheme}://{parts.netloc}") :] or "/"
    path, _, query = rest.partition("?")
    return path or "/", query, host


def _fit_body(body: bytes, headers: tuple[tuple[str, str], ...]) -> bytes:
    lengths = [value for name, value in headers if name.lower() == "content-length"]
    if not lengths:
        return body
    try:
        length = int(lengths[-1])
    except ValueError:
        raise RequestParseError(f"Content-Length {lengths[-1][:20]!r} is not a number") from None
    if length < 0:
        raise RequestParseError(f"Content-Length {length} is negative")
    if len(body) < length:
        raise RequestParseError(f"the body has {len(body)} bytes but Content-Length says {length}")
    # Bytes past Content-Length are not part of the request (typically an editor's trailing newline).
    return body[:length]
