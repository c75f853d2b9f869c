"""Component-by-component comparison of the server's canonical request with the client's.

A difference is either a change of the request itself (a proxy or middleware rewrote a signed header, the host,
path, query or body after signing) or the same request written down differently (percent-encoding, header
whitespace, ordering): the first is `request-modified-after-signing`, the second `canonicalization-mismatch`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

from sigdoctor.awserrors.canonical import CanonicalRequest
from sigdoctor.records import datarecord
from sigdoctor.redact import MASK

MODIFIED = "modified"
CANONICALIZATION = "canonicalization"
_SECRET_HEADERS = ("x-amz-security-token",)
_PAYLOAD_MARKERS = ("UNSIGNED-PAYLOAD",)


@datarecord(frozen=True)
class Difference:
    component: str  # "method", "path", "query", "header x-amz-date", "signed headers", "payload hash"
    server: str
    client: str
    kind: str  # MODIFIED | CANONICALIZATION
    why: str

    def as_evidence(self) -> dict[str, str]:
        return {"component": self.component, "server": self.server, "client": self.client, "kind": self.kind,
                "why": self.why}


def _norm_ws(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip())


def _norm_path(path: str) -> str:
    p = unquote(unquote(path))
    p = re.sub(r"/+", "/", p)
    parts: list[str] = []
    for seg in p.split("/"):
        if seg == "..":
            if parts:
                parts.pop()
        elif seg != ".":
            parts.append(seg)
    return "/".join(parts) or "/"


def _query_multiset(query: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(query, keep_blank_values=True))


def _show(name: str, value: str | None) -> str:
    if value is None:
        return "(absent)"
    if name in _SECRET_HEADERS:
        return MASK
    return value


def diff_canonical(server: CanonicalRequest, client: CanonicalRequest) -> list[Difference]:
    """Every component where the two differ; empty when they are the same request, canonicalised the same way."""
    out: list[Difference] = []
    if server.method != client.method:
        out.append(Difference("method", server.method, client.method, MODIFIED, "the HTTP method changed"))
    if server.path != client.path:
        if _norm_path(server.path) == _norm_path(client.path):
            out.append(Difference("path", server.path, client.path, CANONICALIZATION,
                                  "same path, encoded or normalised differently"))
        else:
            out.append(Difference("path", server.path, client.path, MODIFIED,
                                  "the path changed after signing (a proxy rewrote it, or a path prefix was added)"))
    if server.query != client.query:
        if _query_multiset(server.query) == _query_multiset(client.query):
            out.append(Difference("query", server.query, client.query, CANONICALIZATION,
                                  "same parameters, encoded or ordered differently"))
        else:
            out.append(Difference("query", server.query, client.query, MODIFIED, "query parameters changed"))
    s_signed, c_signed = server.signed_headers, client.signed_headers
    if s_signed != c_signed:
        kind = CANONICALIZATION if sorted(s_signed) == sorted(c_signed) else MODIFIED
        why = ("same headers, listed in another order" if kind == CANONICALIZATION
               else "the signed header list differs (the Authorization header was rewritten)")
        out.append(Difference("signed headers", ";".join(s_signed), ";".join(c_signed), kind, why))
    names = list(dict.fromkeys([*(n for n, _ in server.headers), *(n for n, _ in client.headers)]))
    for name in names:
        sv, cv = server.header(name), client.header(name)
        if sv == cv:
            continue
        if sv is not None and cv is not None and _norm_ws(sv) == _norm_ws(cv):
            out.append(Difference(f"header {name}", _show(name, sv), _show(name, cv), CANONICALIZATION,
                                  "same value, whitespace trimmed or folded differently"))
            continue
        if sv is None:
            why = "the client signed this header but it did not arrive"
        elif cv is None:
            why = "the header arrived but the client did not sign it"
        elif name in _SECRET_HEADERS:
            why = "the session token value changed"
        else:
            why = "the value changed after signing"
        if name == "host":
            why = "the Host header changed after signing (a proxy or load balancer rewrote it)"
        out.append(Difference(f"header {name}", _show(name, sv), _show(name, cv), MODIFIED, why))
    if server.payload_hash != client.payload_hash:
        markers = {server.payload_hash, client.payload_hash} & set(_PAYLOAD_MARKERS)
        if markers:
            out.append(Difference("payload hash", server.payload_hash, client.payload_hash, CANONICALIZATION,
                                  "one side signs UNSIGNED-PAYLOAD, the other the body's hash"))
        else:
            out.append(Difference("payload hash", server.payload_hash, client.payload_hash, MODIFIED,
                                  "the body changed after signing (re-compressed, re-encoded or truncated)"))
    return out


def unified_diff(server: CanonicalRequest, client: CanonicalRequest, diffs: list[Difference]) -> str:
    """The canonical request line by line: `-` what AWS computed, `+` what the client signed, ` ` both agree."""
    s_lines = _display_lines(server)
    c_lines = _display_lines(client)
    out = ["--- server (AWS's canonical request)", "+++ client (what was signed)"]
    differing = {d.component for d in diffs}
    for label, s_val, c_val in _aligned(s_lines, c_lines):
        if s_val == c_val and label not in differing:
            out.append(f"  {s_val}")
            continue
        # Masked values (the session token) look equal on screen even when they differ.
        note = " (differs)" if s_val == c_val else ""
        if s_val is not None:
            out.append(f"- {s_val}{note}")
        if c_val is not None:
            out.append(f"+ {c_val}{note}")
    kinds = sorted({d.kind for d in diffs})
    if diffs:
        out.append(f"({len(diffs)} component(s) differ: {', '.join(d.component for d in diffs)}; "
                   f"{' and '.join(kinds)})")
    return "\n".join(out)


def _display_lines(c: CanonicalRequest) -> list[tuple[str, str]]:
    lines = [("method", c.method), ("path", c.path), ("query", c.query)]
    lines.extend((f"header {n}", f"{n}:{_show(n, v)}") for n, v in c.headers)
    lines.append(("blank", ""))
    lines.append(("signed headers", ";".join(c.signed_headers)))
    lines.append(("payload hash", c.payload_hash))
    return lines


def _aligned(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> list[tuple[str, str | None, str | None]]:
    """Pair lines by component label, keeping the server's order and slotting client-only headers in place."""
    b_map = dict(b)
    a_labels = {label for label, _ in a}
    out: list[tuple[str, str | None, str | None]] = []
    b_only = [(label, v) for label, v in b if label not in a_labels]
    for label, value in a:
        if label == "blank":
            for extra_label, extra in b_only:
                out.append((extra_label, None, extra))
            b_only = []
        out.append((label, value, b_map.get(label)))
    for extra_label, extra in b_only:
        out.append((extra_label, None, extra))
    return out
