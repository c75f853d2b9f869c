"""Canonical requests and strings to sign as AWS and SDKs print them, and what the scope says about the endpoint.

The text comes from error bodies and debug logs, so parsing is lenient about the wrapping (quotes, a trailing
newline) and strict about the shape: a canonical request is method, path, query, headers, a blank line, the signed
header list and a payload hash — anything else is not one and parses to `None`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sigdoctor.records import datarecord

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_METHOD_RE = re.compile(r"^[A-Z]{3,10}$")
_SIGNED_HEADERS_RE = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$")
_PAYLOAD_RE = re.compile(r"^(?:[0-9a-fA-F]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$")
_AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_SCOPE_RE = re.compile(r"^(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request$")

# Signing names of the services telemetry agents talk to, by the first label(s) of the endpoint host.
# Hosts not listed fall back to the first label, which is right for most AWS services.
SIGNING_NAMES: dict[str, str] = {
    "aps-workspaces": "aps",
    "aps": "aps",
    "logs": "logs",
    "monitoring": "monitoring",
    "xray": "xray",
    "s3": "s3",
    "s3-control": "s3",
    "firehose": "firehose",
    "kinesis": "kinesis",
    "sts": "sts",
    "iam": "iam",
    "es": "es",
    "aoss": "aoss",
    "execute-api": "execute-api",
    "ec2": "ec2",
    "ssm": "ssm",
}
# A signing name that is a well-known mistake for another one, with the reason.
CONFUSED_NAMES: dict[str, str] = {
    "aps-workspaces": "aps",
    "prometheus": "aps",
    "amp": "aps",
    "cloudwatch": "monitoring",
    "cloudwatchlogs": "logs",
    "cloudwatch-logs": "logs",
    "x-ray": "xray",
    "elasticsearch": "es",
    "opensearch": "es",
}
# Global endpoints sign for us-east-1 (aws partition).
_GLOBAL_HOSTS = {"sts.amazonaws.com": ("sts", "us-east-1"), "iam.amazonaws.com": ("iam", "us-east-1"),
                 "s3.amazonaws.com": ("s3", "us-east-1"), "s3-external-1.amazonaws.com": ("s3", "us-east-1")}
_REGION_RE = re.compile(r"^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)$")


@datarecord(frozen=True)
class CanonicalRequest:
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    signed_headers: tuple[str, ...]
    payload_hash: str
    text: str

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def host(self) -> str:
        # A header sent twice stands in AWS's canonical request as its values joined by a comma (`host:a, a`); a host
        # name holds no comma, so the first value is the host.
        return (self.header("host") or "").split(",", 1)[0].strip()

    @property
    def sha256(self) -> str:
        import hashlib  # loads OpenSSL: only a log with a canonical request pays for it

        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@datarecord(frozen=True)
class StringToSign:
    algorithm: str
    amz_date: str
    scope_date: str
    region: str
    service: str
    request_hash: str

    @property
    def scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/aws4_request"


def _strip_wrapping(text: str) -> str:
    text = text.replace("\r\n", "\n").strip("\n")
    # AWS quotes the canonical string in REST JSON messages: 'POST\n/...\n<hash>'
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        text = text[1:-1]
    return text.strip("\n")


def parse_canonical_request(text: str) -> CanonicalRequest | None:
    """Parse a canonical request; `None` when `text` does not have its shape."""
    text = _strip_wrapping(text)
    lines = text.split("\n")
    if len(lines) == 1:
        return _parse_flattened(text)
    if len(lines) < 6 or not _METHOD_RE.match(lines[0]):
        return None
    payload = lines[-1].strip()
    signed = lines[-2].strip()
    if not _PAYLOAD_RE.match(payload) or not _SIGNED_HEADERS_RE.match(signed):
        return None
    header_lines = lines[3:-2]
    # The canonical headers block ends with "\n" and is followed by the signed-headers line: one blank line.
    if header_lines and header_lines[-1] == "":
        header_lines = header_lines[:-1]
    headers: list[tuple[str, str]] = []
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            return None
        headers.append((name.lower(), value))
    return CanonicalRequest(
        method=lines[0], path=lines[1], query=lines[2], headers=tuple(headers),
        signed_headers=tuple(signed.split(";")), payload_hash=payload, text=text,
    )


def _parse_flattened(text: str) -> CanonicalRequest | None:
    """A canonical request whose line ends a page or a paste turned into spaces (an XML error body rendered as HTML
    loses them: `GET /key host:… x-amz-date:… host;x-amz-date <hash>`). Its shape still tells the parts apart: the
    method and path first, the payload hash last, the signed-header list before it, and between them one `name:value`
    run per signed header (SigV4 lists exactly the signed headers, in the same order); a run before the first header
    is the query. A value that held spaces continues up to the next header's name. The request is rebuilt with its
    line ends, so it reads (and diffs) as the printed one would."""
    toks = text.split()
    if len(toks) < 5 or not _METHOD_RE.match(toks[0]) or not toks[1].startswith("/"):
        return None
    payload, signed = toks[-1], toks[-2]
    if not _PAYLOAD_RE.match(payload) or not _SIGNED_HEADERS_RE.match(signed):
        return None
    names = signed.split(";")
    rest = toks[2:-2]
    query = ""
    if rest and rest[0].partition(":")[0].lower() != names[0]:
        query = rest.pop(0)
    headers: list[tuple[str, str]] = []
    for tok in rest:
        name, sep, value = tok.partition(":")
        if sep and len(headers) < len(names) and name.lower() == names[len(headers)]:
            headers.append((name.lower(), value))
        elif headers:
            headers[-1] = (headers[-1][0], f"{headers[-1][1]} {tok}")
        else:
            return None
    if [h for h, _ in headers] != names:
        return None
    rebuilt = "\n".join([toks[0], toks[1], query, *(f"{h}:{v}" for h, v in headers), "", signed, payload])
    return CanonicalRequest(method=toks[0], path=toks[1], query=query, headers=tuple(headers),
                            signed_headers=tuple(names), payload_hash=payload, text=rebuilt)


def parse_string_to_sign(text: str) -> StringToSign | None:
    text = _strip_wrapping(text)
    lines = [line.strip() for line in text.split("\n")]
    if len(lines) != 4 or not lines[0].startswith("AWS4-") or not _AMZ_DATE_RE.match(lines[1]):
        return None
    scope = _SCOPE_RE.match(lines[2])
    if scope is None:
        return None
    return StringToSign(lines[0], lines[1], scope.group(1), scope.group(2), scope.group(3), lines[3])


def parse_amz_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def hex_bytes_to_text(hex_text: str) -> str:
    """S3's `<CanonicalRequestBytes>`/`<StringToSignBytes>`: space-separated hex, exact where the text is not."""
    try:
        return bytes.fromhex(" ".join(hex_text.split())).decode("utf-8", errors="replace")
    except ValueError:
        return ""


@datarecord(frozen=True)
class Endpoint:
    """What an endpoint host implies for signing: the signing name and region, when recognisable."""

    host: str
    service: str | None
    region: str | None
    vpce: bool = False


def endpoint_from_host(host: str) -> Endpoint:
    """Heuristics over AWS host names (no botocore model needed for the handful of services agents use)."""
    h = host.strip().lower().rstrip(".")
    h = re.sub(r":\d+$", "", h)
    if h in _GLOBAL_HOSTS:
        svc, global_region = _GLOBAL_HOSTS[h]
        return Endpoint(h, svc, global_region)
    m = re.match(r"^(.*)\.amazonaws\.com(?:\.cn)?$", h) or re.match(r"^(.*)\.api\.aws$", h)
    if m is None:
        return Endpoint(h, None, None)
    labels = str(m.group(1)).split(".")
    vpce = False
    if labels and labels[-1] == "vpce":
        vpce = True
        labels = labels[:-1]
        if labels and labels[0].startswith("vpce-"):
            labels = labels[1:]
    region = next((lab for lab in reversed(labels) if _REGION_RE.match(lab)), None)
    # S3 legacy dash form: s3-us-west-2.amazonaws.com, bucket.s3-us-west-2.amazonaws.com
    for lab in labels:
        if lab.startswith("s3-") and _REGION_RE.match(lab[3:]):
            return Endpoint(h, "s3", lab[3:], vpce)
    service: str | None = None
    for lab in labels:
        if lab in SIGNING_NAMES:
            service = SIGNING_NAMES[lab]
            break
    if service is None and len(labels) >= 2 and labels[-1] == region:
        service = labels[-2]
    if service is None and labels[-1:] and labels[-1] in ("s3", "s3-accelerate"):
        service, region = "s3", region or "us-east-1"
    return Endpoint(h, service, region, vpce)


def expected_signing_name(name: str) -> str | None:
    """The right signing name for a known wrong one (`aps-workspaces` → `aps`), else None."""
    return CONFUSED_NAMES.get(name.lower())
