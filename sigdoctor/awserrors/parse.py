"""From one record's text to the facts of the AWS error in it: code, message, status, request id, endpoint, who
printed it, its timestamp, and any canonical request / string to sign (the server's or the client's)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import field
from datetime import UTC, datetime
from typing import TypeVar

from sigdoctor.awserrors.canonical import (
    CanonicalRequest,
    StringToSign,
    hex_bytes_to_text,
    parse_amz_date,
    parse_canonical_request,
    parse_string_to_sign,
)
from sigdoctor.awserrors.table import table
from sigdoctor.awserrors.unescape import (
    ENTITY_RE,
    crlf_to_lf,
    frame_after,
    joined_at,
    unescape,
    unframe,
    unmarked_after,
    wrap_cuts,
    xml_text,
)
from sigdoctor.records import datarecord

# Kinds whose codes only say where a failure happened (the credential chain, its sources); the table's other codes
# name the failure itself and win over these when a text holds both.
_WRAPPER_KINDS = frozenset({"no-credentials", "partial-credentials", "imds", "container", "web-identity-file",
                            "pod-identity-refused"})
# Exception names of botocore and aws-sdk-go for a request that never got an answer.
WRAPPER_CODES = ("SharedCredsLoad", "EndpointConnectionError", "ConnectTimeoutError", "ProxyConnectionError",
                 "SSLError", "RequestError")


@functools.cache
def api_codes() -> frozenset[str]:
    """Error codes that name the failure itself (and are reported as "other error" when no rule explains them)."""
    return frozenset(c for e in table().entries if e.kind not in _WRAPPER_KINDS for c in e.codes)


@functools.cache
def _code_re() -> re.Pattern[str]:
    wrappers = [c for e in table().entries if e.kind in _WRAPPER_KINDS for c in e.codes]
    # Longest first, then by name: the same pattern in every run (a set's order changes with the hash seed, and
    # recache.py keeps compiled patterns by their text).
    codes = sorted({*api_codes(), *wrappers, *WRAPPER_CODES}, key=lambda c: (-len(c), c))
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(codes) + r")(?![A-Za-z0-9])")


_XML_CODE_RE = re.compile(r"<Code>\s*([^<\s]+)\s*</Code>")
_TYPE_RE = re.compile(r'"__type"\s*:\s*"(?:[^"#]*#)?([A-Za-z0-9_.:]+)"')
_JSON_CODE_RE = re.compile(r'"[Cc]ode"\s*:\s*"([A-Z][A-Za-z0-9]+)"')
_CLI_CODE_RE = re.compile(r"An error occurred \(([A-Za-z0-9_.]+)\)")
_V2_CODE_RE = re.compile(r"api error ([A-Za-z0-9_.]+):")
_XML_MSG_RE = re.compile(r"<Message>(.*?)</Message>", re.S)
_JSON_MSG_RE = re.compile(r'"[Mm]essage"\s*:\s*"(.*?)"\s*[,}]', re.S)
_STATUS_RES = (
    re.compile(r"status code: (\d{3})"), re.compile(r"StatusCode: (\d{3})"), re.compile(r"HTTP status (\d{3})"),
    re.compile(r"HTTP/\d(?:\.\d)? (\d{3})"), re.compile(r'"(?:status|statusCode|status_code)"\s*:\s*"?(\d{3})\b'),
    re.compile(r"\(HTTP (\d{3})\)"), re.compile(r"\bstatus=(\d{3})\b"), re.compile(r"response status (\d{3})"),
    re.compile(r"\bstatus (\d{3})\b"),
)
_REQUEST_ID_RES = (
    re.compile(r"request id: ([A-Za-z0-9-]{8,})"), re.compile(r"RequestID: ([A-Za-z0-9-]{8,})"),
    re.compile(r"<RequestId>\s*([^<\s]+)\s*</RequestId>"), re.compile(r"[Xx]-[Aa]mzn-[Rr]equest[Ii]d:\s*([A-Za-z0-9-]+)"),
    re.compile(r'"[Rr]equest[Ii]d"\s*:\s*"([^"]+)"'), re.compile(r"[Xx]-[Aa]mz-[Rr]equest-[Ii]d:\s*([A-Za-z0-9]+)"),
)
_URL_RE = re.compile(r"https?://[^\s\"'<>\\`]+")
# Guzzle appends curl's error page to every cURL error ("(see https://curl.haxx.se/libcurl/c/libcurl-errors.html)",
# guzzle 6/7 src/Handler/CurlFactory.php): a link to read, not the host the request went to.
DOC_LINK_RE = re.compile(r"curl\.(?:haxx\.)?se/libcurl/", re.I)
_LOOKUP_RE = re.compile(r"lookup ([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_DIAL_RE = re.compile(r"dial tcp (?:\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):\d+")
_KEY_RES = (
    re.compile(r"Credential=((?:AKIA|ASIA)[A-Z0-9]{12,})"), re.compile(r"<AWSAccessKeyId>\s*([A-Z0-9]{16,})\s*<"),
    re.compile(r"X-Amz-Credential=((?:AKIA|ASIA)[A-Z0-9]{12,})", re.I),
    re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])"),
)
_AUTH_SCOPE_RE = re.compile(r"Credential=[A-Z0-9]{4,}(?:/|%2F)(\d{8})(?:/|%2F)([a-z0-9-]+)(?:/|%2F)([a-z0-9-]+)"
                            r"(?:/|%2F)aws4_request", re.I)
_TS_RES = (
    re.compile(r"\bts=\"?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"),
    re.compile(r"\btime=\"?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"),
    re.compile(r'"(?:ts|time|timestamp|@timestamp)"\s*:\s*"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"'),
    re.compile(r"^\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"),
)
_EPOCH_TS_RE = re.compile(r'"(?:ts|time)"\s*:\s*(1\d{9}(?:\.\d+)?)\b')
# AWS quotes both strings; a paste that dropped the quotes still has the blank line after each.
_SERVER_CANON_RE = re.compile(
    r"Canonical String for this request should have been\s*'?(.*?)'?\s*\n\s*\n\s*The String-to-Sign should have "
    r"been\s*'?(.*?)(?:'|\n\s*\n|\Z)", re.S)
_XML_CANON_RE = re.compile(r"<CanonicalRequest>(.*?)</CanonicalRequest>", re.S)
_P = TypeVar("_P")
_XML_CANON_BYTES_RE = re.compile(r"<CanonicalRequestBytes>(.*?)</CanonicalRequestBytes>", re.S)
_XML_STS_RE = re.compile(r"<StringToSign>(.*?)</StringToSign>", re.S)
_XML_STS_BYTES_RE = re.compile(r"<StringToSignBytes>(.*?)</StringToSignBytes>", re.S)
_GO_DEBUG_RE = re.compile(
    r"---\[ CANONICAL STRING\s*\]-*\n(.*?)\n---\[ STRING TO SIGN \]-*\n(.*?)(?:\n-{10,}|\n---\[|\Z)", re.S)
_BOTO_CANON_RE = re.compile(r"CanonicalRequest:\n(.*?)(?:\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\Z)", re.S)
_BOTO_STS_RE = re.compile(r"StringToSign:\n(.*?)(?:\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\Z)", re.S)
_DATE_HDR_RE = re.compile(r"^Date:\s*(.+?GMT)\s*$", re.M | re.I)
_S3_TIMES_RE = re.compile(r"<RequestTime>\s*([^<]+?)\s*</RequestTime>\s*<ServerTime>\s*([^<]+?)\s*</ServerTime>")
MAX_TEXT = 64 * 1024
_MESSAGE_CODES = (
    ("signature we calculated does not match", "SignatureDoesNotMatch"),
    ("Missing Authentication Token", "MissingAuthenticationTokenException"),
    ("security token included in the request is invalid", "UnrecognizedClientException"),
    ("security token included in the request is expired", "ExpiredTokenException"),
    ("is not authorized to perform", "AccessDeniedException"),
    ("Credential should be scoped", "InvalidSignatureException"),
)


@datarecord
class AwsError:
    """The facts of one error occurrence; any field may be unknown."""

    text: str
    first_line: int
    last_line: int
    code: str | None = None
    message: str = ""
    status: int | None = None
    request_id: str | None = None
    url: str | None = None
    host: str | None = None
    printed_by: str | None = None
    sdk: str | None = None
    logged_at: datetime | None = None
    response_date: datetime | None = None
    s3_times: tuple[datetime, datetime] | None = None
    access_key_id: str | None = None
    auth_scope: tuple[str, str, str] | None = None  # (date, region, service) from an Authorization header
    token_header: bool = False
    server_canonical: CanonicalRequest | None = None
    server_sts: StringToSign | None = None
    client_canonical: CanonicalRequest | None = None
    client_sts: StringToSign | None = None
    secrets: list[str] = field(default_factory=list)
    # The lines just before the record (a user's sentence above a pasted error): read for hints only, never for
    # the error itself.
    context: str = ""
    left_out: int = 0  # characters of an over-long record not read (see `bounded`)

    @property
    def flat(self) -> str:
        """The text with every run of whitespace one space: what a phrase rule reads, so that a wrapped line, a
        doubled space or a tab inside a message does not hide it."""
        cached = self.__dict__.get("_flat")
        if cached is None:
            cached = self.__dict__["_flat"] = " ".join(self.text.split())
        return cached


@datarecord(frozen=True)
class ClientSigning:
    """A client-side canonical request found in a debug log (or `--client`), waiting for the error it explains."""

    canonical: CanonicalRequest
    string_to_sign: StringToSign | None
    line: int


_HEAD = 4096


def expand_text(raw: str) -> str:
    return readable(bounded(raw)[0])


def readable(window: str) -> str:
    """A record's text as its printer wrote it: without a paste's margins and quoting, and with lines a terminal cut
    at its width joined again. Several lines of one width are a terminal's: they are joined unless that loses an
    entry of the table. A single longest line may be a line like the others: it is joined only when that makes more
    of the text read (a code, a phrase, an AWS endpoint's URL, a region, an IAM action cut in two) with as many
    entries (a phrase made whole may read as a more specific entry than its head alone); two lines that merely end
    and start with words join into nothing known."""
    window = crlf_to_lf(window)
    # A text quoted before a terminal cut it: its cut lines rejoined first, then the quote taken off.
    # A cut its words show to stand where a space was is a wrap at words after the quote (`> ` on the first line only),
    # which lines of one width by chance look like: the line end stays.
    if (">" in window or not window.isascii()) and len(inside := unmarked_after(window, wrap_cuts(window))) >= 2:
        window = joined_at(window, _kept_whole([c for c in inside if _cut_kind(window, c) != "between"], window))
    framed = unframe(window)
    # A margin inside the quoting (a Markdown-quoted text logged as a JSON string) shows once unescaped.
    t = unframe(unescape(framed))
    # A terminal cut the lines as printed (escaped) or, less often, as logged: the escaped form is tried first. The
    # frame a paste put around the cut lines is one layer: the text's own quoting under it (a line of a Markdown
    # quote) is part of the line the terminal cut, and of its width.
    outer = frame_after(window) if framed != window else framed
    outer = framed if outer == window else outer
    wrapped = _rejoined(outer)
    joined = unframe(unescape(unframe(wrapped[0]))) if wrapped is not None else None
    if wrapped is None and (wrapped := _rejoined(t)) is not None:
        joined = wrapped[0]
    if wrapped is not None and joined is not None:
        entries, known = _known(t)
        entries_joined, known_joined = _known(joined)
        if (entries <= entries_joined and (wrapped[1] >= 2 or wrapped[2])) or (
                known_joined > known and len(entries_joined) >= len(entries)):
            return joined
    return t


def _kept_whole(cuts: list[int], window: str) -> list[int]:
    """Of the line ends `cuts` (lines of one width after a quoted first line), those whose join loses nothing the
    lines as they stand read (a table entry, or the characters known phrases cover: see _known). A text quoted (`> ` on its first line only) and then wrapped at its spaces has
    lines of one width by chance; a cut its words cannot judge (`no EC2|instance`: a word ending in a digit,
    `make|EC2Metadata`: a two-letter head) stands where a space was when joining it makes a phrase of the table
    unreadable (`no EC2instance role found`), where a terminal's cut inside a word would make one whole."""
    if not cuts:
        return cuts
    entries, known = _known(unframe(unescape(unframe(window))))

    def keeps(joined: str) -> bool:
        entries_joined, known_joined = _known(unframe(unescape(unframe(joined))))
        return entries <= entries_joined and known_joined >= known

    if keeps(joined_at(window, cuts)):
        return cuts
    return [c for c in cuts if keeps(joined_at(window, [c]))]


def _rejoined(text: str) -> tuple[str, int, bool] | None:
    """`text` with the line ends of `wrap_cuts` removed, as the terminal had it, but for those its words show to
    stand where a space was; how many were removed; and whether one is shown to be inside a word or token. None when
    there is no cut."""
    kinds = [(c, _cut_kind(text, c)) for c in wrap_cuts(text)]
    cuts = [c for c, kind in kinds if kind != "between"]
    if not cuts:
        return None
    return joined_at(text, cuts), len(cuts), any(kind == "inside" for _, kind in kinds)


_LAST_WORD_RE = re.compile(r"[A-Za-z]+$")
_FIRST_WORD_RE = re.compile(r"[A-Za-z]+")


_ENTITY_HEAD_RE = re.compile(r"&(?:amp;)*(?:#x?[0-9a-fA-F]*|[a-z]*)$")


def _cut_kind(text: str, at: int) -> str | None:
    """What the line end at `at` shows of itself. "inside": it stands where no line of text ends — inside an escape
    (`\\|n`, `&#|x27;`; a shell's line continuation stands after a space), after an opening quote (` '|us-east-1'`),
    a path's `/` or a percent-encoding's `%` (`/|%2A`), or inside a word: the word made whole is one decode reads
    and its pieces are not both words (`expec|ting`, `sec|urity_token`). "between": it stands where a space was — it ends and starts with words decode
    reads, of three letters or more, that make no word together (`should|have`, a text wrapped at its spaces that a
    terminal's width seems to have cut). None when it shows neither."""
    if at == 0 or at + 1 >= len(text) or text[at + 1].isspace():
        return None
    last = text[at - 1]
    before = text[at - 2] if at >= 2 else " "
    if last in "/%" or (last == "\\" and not before.isspace()):
        return "inside"
    # A quote after a space that the line has not opened before: the quoted text is on the next line.
    if last in "'\"`\u2018\u2019\u201c\u201d" and before.isspace() and \
            text.count(last, text.rfind("\n", 0, at - 1) + 1, at - 1) % 2 == 0:
        return "inside"
    if (ent := _ENTITY_HEAD_RE.search(text, max(0, at - 24), at)) is not None:
        # Entities escaped again (`&amp;#|x27;`) are cut inside the one they escape.
        part = "&" + ent.group()[1:].replace("amp;", "")
        m = ENTITY_RE.match(part + text[at + 1:at + 10])
        if m is not None and m.end() > len(part):
            return "inside"
    left = _LAST_WORD_RE.search(text, max(0, at - 64), at)
    right = _FIRST_WORD_RE.match(text, at + 1)
    if left is None or right is None:
        return None
    words = vocabulary()
    head, tail = left.group().lower(), right.group().lower()
    whole = head + tail in words
    pieces = len(head) >= 3 and len(tail) >= 3 and head in words and tail in words
    if whole and not pieces:
        return "inside"
    return "between" if pieces and not whole else None


# Regex syntax that is no word: an escaped character (`\b`, `\.`), inline flags, character classes, named groups.
_REGEX_SYNTAX_RE = re.compile(r"\\.|\(\?[A-Za-z]+[:)]|\(\?P?<[A-Za-z_]+>|\[[^\]]*\]|\{\d*,?\d*\}")


@functools.cache
def vocabulary() -> frozenset[str]:
    """The words decode reads (lower case, two letters or more): of the error table's codes, shapes, patterns,
    anchors and context, of the prefilter's words, and of the phrases the rules' regexes hold."""
    from sigdoctor.awserrors import anchors, rules

    texts: list[str] = [*table().codes, *anchors.CORE_WORDS]
    for e in table().entries:
        texts += [*e.shapes, *e.anchors, *e.context]
        texts += [_REGEX_SYNTAX_RE.sub(" ", p) for p in e.patterns]
    for module in (rules, anchors):
        texts += [_REGEX_SYNTAX_RE.sub(" ", v.pattern) for v in vars(module).values()
                  if isinstance(v, re.Pattern) and isinstance(v.pattern, str)]
    texts += [_REGEX_SYNTAX_RE.sub(" ", v.pattern) for v in globals().values()
              if isinstance(v, re.Pattern) and isinstance(v.pattern, str)]
    return frozenset(w.lower() for t in texts for w in _FIRST_WORD_RE.findall(t) if len(w) >= 2)


# What a wrap can cut and joining restores, besides the table's codes and shapes: the URL of an AWS endpoint, a
# region, an IAM action (what the rules read to tell a region or a trust policy from a missing permission), a
# percent-encoded character (what they read in a canonical request's path).
_KNOWN_RES = (
    re.compile(r"https?://[A-Za-z0-9.-]+\.(?:amazonaws\.com(?:\.cn)?|api\.aws)\b"),
    re.compile(r"\b[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b"),
    re.compile(r"\b[a-z][a-z0-9-]*:[A-Z][A-Za-z]+\b"),
    re.compile(r"%[0-9A-Fa-f]{2}"),
)


def _known(t: str) -> tuple[set[int], int]:
    """The table entries `t` holds, and how many of its characters something known covers (see _KNOWN_RES): a
    phrase made whole covers more than its pieces, or than the shorter entry its head alone reads as. Read as the
    rules read it (AwsError.flat): a line end the join removes may be the space between two words of a phrase."""
    t = " ".join(t.split())
    entries: set[int] = set()
    covered = sum(m.end() - m.start() for rx in _KNOWN_RES for m in rx.finditer(t))
    for e, m in table().occurrences(t):
        entries.add(id(e))
        covered += m.end() - m.start()
    return entries, covered


def bounded(raw: str) -> tuple[str, int]:
    """At most MAX_TEXT characters of a record, and how many were left out. A longer record keeps its head (the log
    prefix: time, agent, URL) and the window around its first error, wherever that is, so an error deep inside a
    long dump is still read; the count lets the report say the record was cut."""
    if len(raw) <= MAX_TEXT:
        return raw, 0
    from sigdoctor.awserrors.anchors import error_position

    at = error_position(raw) or 0
    if at + (MAX_TEXT - _HEAD) // 2 <= MAX_TEXT:
        return raw[:MAX_TEXT], len(raw) - MAX_TEXT
    size = MAX_TEXT - _HEAD
    start = max(_HEAD, min(at - size // 4, len(raw) - size))
    return raw[:_HEAD] + "\n…\n" + raw[start:start + size], len(raw) - MAX_TEXT


def find_code(t: str) -> str | None:
    for rx in (_XML_CODE_RE, _TYPE_RE, _CLI_CODE_RE, _V2_CODE_RE, _JSON_CODE_RE):
        m = rx.search(t)
        if m and m.group(1) not in ("200", "OK"):
            return m.group(1).split(":")[0]
    codes = [m.group(1) for m in _code_re().finditer(t)]
    api = api_codes()
    for c in codes:
        if c in api:
            return c
    if codes:
        return codes[0]
    # Bodies that carry only a message (AMP, API Gateway): name the code AWS uses for that message elsewhere.
    for phrase, code in _MESSAGE_CODES:
        if phrase in t:
            return code
    return None


_AFTER_CODE_RE = re.compile(r"\)?:?\s*(?:when calling the \w+ operation:\s*)?([^\n]{3,})")


def find_message(t: str, code: str | None) -> str:
    for rx in (_XML_MSG_RE, _JSON_MSG_RE):
        m = rx.search(t)
        if m and m.group(1).strip():
            return xml_text(m.group(1).strip())
    if code:
        # The code found by str.find and the rest matched by a fixed pattern, not a pattern built from the paste:
        # `decode` stores the patterns of re's cache on disk between runs (recache.py).
        at = t.find(code)
        while at >= 0:
            m = _AFTER_CODE_RE.match(t, at + len(code))
            if m:
                return m.group(1).strip()
            at = t.find(code, at + 1)
    return ""


def _first(rxs: tuple[re.Pattern[str], ...], t: str) -> str | None:
    for rx in rxs:
        m = rx.search(t)
        if m:
            return str(m.group(1))
    return None


def _pick_url(t: str) -> str | None:
    # XML namespaces (xmlns="https://sts.amazonaws.com/doc/…") name a schema, not the endpoint.
    urls = [str(u).rstrip(".,);:]}") for u in _URL_RE.findall(t) if "/doc/20" not in u and not DOC_LINK_RE.search(u)]
    aws = [u for u in urls if ".amazonaws.com" in u or ".api.aws" in u or "169.254." in u]
    if aws:
        return aws[0]
    return urls[0] if urls else None


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0].split("@")[-1].lower()


def _parse_ts(t: str) -> datetime | None:
    value = _first(_TS_RES, t)
    if value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return dt.astimezone(UTC)
        except ValueError:
            pass
    m = _EPOCH_TS_RE.search(t)
    if m:
        try:
            return datetime.fromtimestamp(float(m.group(1)), UTC)
        except (OverflowError, ValueError, OSError):
            return None
    return None


def _parse_http_date(value: str) -> datetime | None:
    import email.utils  # socket, random and more: a tenth of decode's start-up, for a rare Date: header

    try:
        return email.utils.parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_iso_or_amz(value: str) -> datetime | None:
    dt = parse_amz_date(value)
    if dt:
        return dt
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def printed_by(t: str) -> tuple[str | None, str | None]:
    """(agent or tool, SDK) that printed the record, from the shapes their log lines have."""
    sdk: str | None = None
    if ("operation error" in t or "https response error" in t or "failed to refresh cached credentials" in t
            or "ec2imds" in t or "api error " in t):
        sdk = "aws-sdk-go-v2"
    elif ("status code: " in t and "request id:" in t) or "caused by:" in t or "NoCredentialProviders" in t \
            or "WebIdentityErr" in t or "EC2RoleRequestError" in t or "DEBUG: Request Signature" in t \
            or "DEBUG: Response " in t:
        sdk = "aws-sdk-go v1"
    elif "botocore" in t or "An error occurred (" in t or "Unable to locate credentials" in t \
            or "Could not connect to the endpoint URL" in t:
        sdk = "botocore/awscli"
    agent: str | None = None
    if "component_path=" in t or "component_id=" in t or '"component_id"' in t:
        agent = "alloy"
    elif "otelcol" in t or '"kind": "exporter"' in t or '"kind":"exporter"' in t or "sigv4auth" in t:
        agent = "otel-collector"
    elif "remote_name=" in t or "queue_manager.go" in t or "dedupe.go" in t or '"remote_name"' in t:
        agent = "prometheus"
    elif "[aws_credentials]" in t or "[output:cloudwatch" in t or "[output:s3" in t or "fluent-bit" in t:
        agent = "fluent-bit"
    elif "grafana-agent" in t or ("agent_" in t and "integration" in t):
        agent = "grafana-agent"
    return agent, sdk


def client_signing(t: str, line: int) -> ClientSigning | None:
    """A client canonical request from an SDK debug log (aws-sdk-go v1/v2, botocore/awscli --debug)."""
    m = _GO_DEBUG_RE.search(t)
    if m:
        cr = parse_canonical_request(m.group(1))
        if cr:
            return ClientSigning(cr, parse_string_to_sign(m.group(2)), line)
    m = _BOTO_CANON_RE.search(t)
    if m:
        cr = parse_canonical_request(m.group(1))
        if cr:
            sm = _BOTO_STS_RE.search(t)
            return ClientSigning(cr, parse_string_to_sign(sm.group(1)) if sm else None, line)
    return None


def server_signing(t: str) -> tuple[CanonicalRequest | None, StringToSign | None]:
    m = _SERVER_CANON_RE.search(t)
    if m:
        return parse_canonical_request(m.group(1)), parse_string_to_sign(m.group(2))
    return (_xml_field(t, _XML_CANON_BYTES_RE, _XML_CANON_RE, parse_canonical_request),
            _xml_field(t, _XML_STS_BYTES_RE, _XML_STS_RE, parse_string_to_sign))


def _xml_field(t: str, as_bytes: re.Pattern[str], as_text: re.Pattern[str],
               parse: Callable[[str], _P | None]) -> _P | None:
    """S3's error XML carries each signing string twice, as hex bytes and as text: the bytes survive any escaping."""
    mb = as_bytes.search(t)
    found = parse(hex_bytes_to_text(mb.group(1))) if mb else None
    if found is None:
        mt = as_text.search(t)
        found = parse(xml_text(mt.group(1))) if mt else None
    return found


_SECRET_SHAPES = (
    re.compile(r"x-amz-security-token[:=]\s*([^\s\"',;&<]{16,})", re.I),
    re.compile(r"<SignatureProvided>\s*([^<\s]+)\s*<"),
    re.compile(r"Signature=([0-9a-f]{64})"),
    # A secret access key (40 characters of base64's alphabet) a user quotes after the words that name it.
    re.compile(r"secret(?:[_ ]access)?[_ ]key\b[^\n]{0,60}?[\s'\"`:=(]([A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])", re.I),
)


def extract(raw: str, first_line: int, last_line: int) -> AwsError:
    window, left_out = bounded(raw)
    t = readable(window)
    e = AwsError(text=t, first_line=first_line, last_line=last_line, left_out=left_out)
    e.code = find_code(t)
    e.message = find_message(t, e.code)
    status = _first(_STATUS_RES, t)
    e.status = int(status) if status else None
    e.request_id = _first(_REQUEST_ID_RES, t)
    e.url = _pick_url(t)
    if e.url:
        e.host = _host_of(e.url)
    else:
        m = _LOOKUP_RE.search(t)
        if m:
            e.host = m.group(1).lower()
        else:
            d = _DIAL_RE.search(t)
            if d:
                e.host = d.group(0)[len("dial tcp "):].rsplit(":", 1)[0].strip("[]")
    e.printed_by, e.sdk = printed_by(t)
    e.logged_at = _parse_ts(t)
    dm = _DATE_HDR_RE.search(t)
    if dm:
        e.response_date = _parse_http_date(dm.group(1))
    sm = _S3_TIMES_RE.search(t)
    if sm:
        rt, st = _parse_iso_or_amz(sm.group(1)), _parse_iso_or_amz(sm.group(2))
        if rt and st:
            e.s3_times = (rt, st)
    e.access_key_id = _first(_KEY_RES, t)
    am = _AUTH_SCOPE_RE.search(t)
    if am:
        e.auth_scope = (am.group(1), am.group(2).lower(), am.group(3).lower())
    e.token_header = "x-amz-security-token" in t.lower()
    e.server_canonical, e.server_sts = server_signing(t)
    if e.host is None and e.server_canonical is not None and e.server_canonical.host:
        e.host = e.server_canonical.host.lower()
    cs = client_signing(t, first_line)
    if cs:
        e.client_canonical, e.client_sts = cs.canonical, cs.string_to_sign
    for rx in _SECRET_SHAPES:
        e.secrets.extend(m.group(1) for m in rx.finditer(t))
    return e
