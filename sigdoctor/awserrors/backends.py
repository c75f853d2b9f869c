"""S3-compatible servers that are not AWS (checks/errors/backends.toml): an error they answer follows AWS's format,
but its cause is that server's own, so no AWS cause is named as an error for it."""

from __future__ import annotations

import functools
import importlib
import ipaddress
import re
from typing import Any

from sigdoctor.lazyre import lazy
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import derived, parsed

_FILE = "backends.toml"


@datarecord(frozen=True)
class Backend:
    name: str
    host_patterns: tuple[str, ...]  # searched in the endpoint's host, ignoring case
    mark_patterns: tuple[str, ...]
    source: tuple[str, ...]
    name_patterns: tuple[str, ...] = ()  # the product's own name, also read in the lines before the error


# Each kind's flags, one place for recognise() and the helpers below (the tests search with the helpers).
_HOST_FLAGS, _MARK_FLAGS, _NAME_FLAGS = re.I, 0, re.I


# Compiled on first use: a paste's decode asks for a handful of them (those whose literal piece its text holds), and
# compiling all of them up front was a tenth of a small paste's decode time.
def host_res(b: Backend) -> tuple[re.Pattern[str], ...]:
    return tuple(_compiled(h, _HOST_FLAGS) for h in b.host_patterns)


def mark_res(b: Backend) -> tuple[re.Pattern[str], ...]:
    return tuple(_compiled(m, _MARK_FLAGS) for m in b.mark_patterns)


def name_res(b: Backend) -> tuple[re.Pattern[str], ...]:
    return tuple(_compiled(n, _NAME_FLAGS) for n in b.name_patterns)


@datarecord(frozen=True)
class Recognised:
    name: str
    by: str  # what in the text showed it: the host, or the mark's own text


@functools.cache
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@functools.cache
def backends() -> tuple[Backend, ...]:
    return _load(parsed(errors_dir() / _FILE))


def _load(data: dict[str, Any]) -> tuple[Backend, ...]:
    out = []
    for raw in data.get("backend", []):
        if not raw.get("source"):
            raise ValueError(f"{_FILE}: {raw.get('name')}: no source")
        out.append(Backend(raw["name"], tuple(raw.get("hosts", [])), tuple(raw.get("marks", [])), tuple(raw["source"]),
                           tuple(rf"(?<![\w.-])(?:{n})(?![\w-])" for n in raw.get("names", []))))
    return tuple(out)


def derive_pieces(files: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The piece (`_piece`) of every mark and name pattern of backends.toml, by `_piece_key`: kept in the error
    table's JSON copy by `python -m sigdoctor.tomlcache`, so that no decode parses the patterns again."""
    bs = _load(files.get(_FILE, {}))
    return {_piece_key(p, f): _parsed_piece(p, f)
            for b in bs for p, f in (*((m, _MARK_FLAGS) for m in b.mark_patterns),
                                     *((n, _NAME_FLAGS) for n in b.name_patterns))}


def _piece_key(pattern: str, flags: int) -> str:
    return f"{int(flags)}:{pattern}"


@functools.cache
def _kept_pieces() -> dict[str, object]:
    kept = derived(errors_dir()).get("pieces", {})
    return kept if isinstance(kept, dict) else {}


def private_endpoint(host: str | None) -> str | None:
    """`host` when it is an address of a private network (RFC 1918) with a port other than HTTPS's: AWS's endpoints
    are public names on 443 (or 80), so a server answering there is one on the user's own network — an S3-compatible
    store (MinIO listens on 9000, a Kubernetes NodePort is 30000-32767) or a proxy of the user's in front of AWS."""
    if not host:
        return None
    addr, _, port = host.rpartition(":")
    if not addr or not port.isdigit() or port in ("443", "80"):
        return None
    try:
        ip = ipaddress.ip_address(addr.strip("[]"))
    except ValueError:
        return None
    # is_private also covers loopback and link-local (a local signing proxy, instance metadata): not those.
    if ip.version != 4 or not ip.is_private or ip.is_loopback or ip.is_link_local:
        return None
    return host


# The lead-in of a URL a client names as the request it sent: the HTTP method before it (Guzzle's RequestException
# "Client error: `PUT https://…` resulted in a `403 Forbidden` response", guzzle src/Exception/RequestException.php;
# an HTTP request line; Go net/http's `Put "https://…"`), or aws-sdk-php's "Error executing \"Op\" on \"https://…\""
# (src/WrappedHttpHandler.php parseError). A URL elsewhere in a paste may name another server (a tracking UI, a docs page).
_TARGET_LEAD_RE = re.compile(r"(?:\b(?:GET|PUT|POST|HEAD|DELETE|PATCH|Get|Put|Post|Head|Delete|Patch)|\bon)[\s\\\"'`]*$")
# Names of a cluster's or a host's own network, where a signing relay to AWS often listens (aws-sigv4-proxy, an
# OpenSearch proxy): not counted — the answer may still be AWS's.
_LOCAL_NAME_RE = re.compile(r"^localhost$|\.(?:svc|cluster\.local|local|internal|localdomain|lan|home\.arpa)$|^[^.]+$", re.I)


_URL_HOST_RE = re.compile(r"https?://([^/\s\"'`<>\\?#]+)")


def foreign_port_endpoint(host: str | None, text: str, before: str = "") -> str | None:
    """`host` when it is a public name or address with a port other than HTTPS's or HTTP's that `text` shows as the
    request's target: AWS's endpoints (its own names, VPC endpoint names, the custom domains of API Gateway and
    CloudFront) answer on 443 and 80 only, so a server answering on another port is not AWS — an S3-compatible store
    on its own port (MinIO 9000, Ceph RGW 7480, Garage 3900) published under the user's domain. Without a host in the
    record, the request line just before it (`before`: PHP prints the request on the line above the answer's body)."""
    if host is None:
        tail = before[-2000:]
        found = [m for m in _URL_HOST_RE.finditer(tail) if _is_target(tail, m.start())] if "://" in tail else []
        return _foreign_port(found[-1].group(1).lower()) if found else None
    if _foreign_port(host) is None:
        return None
    low = text.lower()
    at = low.find("://" + host)
    while at >= 0:
        scheme = low.rfind("http", 0, at)
        if scheme >= 0 and _is_target(text, scheme):
            return host
        at = low.find("://" + host, at + 1)
    return None


def _is_target(text: str, url_at: int) -> bool:
    return bool(_TARGET_LEAD_RE.search(text, max(0, url_at - 40), url_at))


def _foreign_port(host: str) -> str | None:
    if _AWS_HOST_RE.search(host):
        return None
    name, _, port = host.rpartition(":")
    if not name or not port.isdigit() or port in ("443", "80") or name.startswith("["):
        return None
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return None if _LOCAL_NAME_RE.search(name) else host
    # Private networks are private_endpoint's; loopback and link-local addresses are local relays or metadata.
    return host if ip.is_global else None


def recognise(text: str, host: str | None, before: str = "") -> Recognised | None:
    """The non-AWS server `text` (an error and the lines around it) was answered by, if it shows one. A mark is
    also looked for with every run of whitespace one space: a paste that doubled spaces or wrapped a line hides no
    server. A product's name is also looked for in `before`, the lines the reporter wrote above the error."""
    # Most texts show no server at all, and a regex that cannot skip ahead (`(?<![\w.-])[\w.-]+\.wasabisys\.com`)
    # tries every position: each mark and name is first asked for the piece of text every match of it holds (one
    # C search), and the texts with whitespace made single are built only for one that passes. A piece holds no
    # whitespace, so it is in a flattened text exactly when it is in the text (or in the lines before it).
    folded = _folded(text)
    # A product's name only says the reporter uses it — MinIO's, and others', client libraries talk to AWS too: where
    # the text shows the request went to an AWS endpoint, a name alone decides nothing (its hosts and marks still do).
    named_only = not (host and _AWS_HOST_RE.search(host)) and not _AWS_URL_RE.search(text)
    folded_before: str | None = None
    flat: str | None = None
    around: str | None = None
    for b in backends():
        if host and any(_compiled(h, _HOST_FLAGS).search(host) for h in b.host_patterns):
            return Recognised(b.name, f"the endpoint {host}")
        for mp in b.mark_patterns:
            if (piece := _piece(mp, _MARK_FLAGS)) and piece not in folded:
                continue
            m = _compiled(mp, _MARK_FLAGS)
            if flat is None:
                flat = " ".join(text.split())
            found = m.search(text) or (m.search(flat) if flat != text else None)
            if found:
                return Recognised(b.name, f"'{found.group(0)[:60]}'")
        for np in b.name_patterns if named_only else ():
            if piece := _piece(np, _NAME_FLAGS):
                if folded_before is None:
                    folded_before = _folded(before)
                if piece not in folded and piece not in folded_before:
                    continue
            if around is None:
                around = " ".join(f"{before}\n{text}".split()) if before else " ".join(text.split())
            n = _compiled(np, _NAME_FLAGS)
            if found := n.search(around):
                return Recognised(b.name, f"the name '{found.group(0)[:60]}' in the text")
    return None


_AWS_HOST_RE = lazy(r"(?:^|\.)amazonaws\.com(?:\.cn)?(?::\d+)?$", re.I)
_AWS_URL_RE = lazy(r"https?://(?:[\w-]+\.)+amazonaws\.com(?:\.cn)?\b", re.I)


# The characters IGNORECASE matches to an ASCII letter whose str.lower() is not that letter (dotless i, long s, and
# U+0130, whose full lower case is two characters): folded first, so a piece test never misses what the regex finds.
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _folded(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLDS).lower()


def needed_piece(rx: re.Pattern[str]) -> str:
    """The piece of `rx` (see _piece)."""
    return _piece(rx.pattern, rx.flags)


@functools.cache
def _piece(pattern: str, flags: int) -> str:
    """`_parsed_piece`, as the error table's JSON copy keeps it when it holds the pattern (parsing the patterns was
    ~5 ms of the first record a decode asks about)."""
    kept = _kept_pieces().get(_piece_key(pattern, flags))
    return kept if isinstance(kept, str) else _parsed_piece(pattern, flags)


def _parsed_piece(pattern: str, flags: int) -> str:
    """The longest run of ASCII characters (no whitespace) that every match of `rx` holds in sequence, lower-cased;
    '' when it has none of three characters or more. Read from the parsed pattern: only literals one after the
    other (a group's are in line with the ones around it); anything else — a class, a repeat, an alternation, an
    assertion — ends a run."""
    parser: Any = importlib.import_module("re._parser")  # the parser re.compile itself uses (no public API)
    literal, subpattern = parser.LITERAL, parser.SUBPATTERN
    runs: list[str] = []
    run: list[str] = []

    def walk(items: Any) -> None:
        for op, av in items:
            if op is literal and av < 128 and not chr(av).isspace():
                run.append(chr(av))
            elif op is subpattern:
                walk(av[3])
            else:
                runs.append("".join(run))
                run.clear()

    try:
        walk(parser.parse(pattern, flags & re.VERBOSE))
    except Exception:  # a pattern this reading does not know: searched without the test
        return ""
    runs.append("".join(run))
    best = max(runs, key=len)
    return best.lower() if len(best) >= 3 else ""
