"""The decode pipeline: records → errors → causes, retries folded, as the findings of one `decode` probe result."""

from __future__ import annotations

import contextlib
import functools
import math
import re
from dataclasses import field
from typing import Any, BinaryIO, cast

from sigdoctor import incomplete
from sigdoctor.awserrors import prose_readings, resemblance
from sigdoctor.awserrors.anchors import error_position
from sigdoctor.awserrors.hit import UNDECIDED
from sigdoctor.awserrors.parse import MAX_TEXT, AwsError, ClientSigning, api_codes, extract
from sigdoctor.awserrors.rules import Classified, Hit, classify
from sigdoctor.awserrors.table import table
from sigdoctor.awserrors.unescape import visible
from sigdoctor.decode import early, tailscan
from sigdoctor.decode.probe import CAUSES, EMITS
from sigdoctor.decode.reader import MAX_RECORD, SCANNER, Stats, iter_records, prepare_stream, reads_plain
from sigdoctor.model import Finding, Outcome, Status, worst
from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor
from sigdoctor.timed_input import ReadDeadline

MAX_GROUPS = 200
MAX_LINES_LISTED = 20
MAX_EXCERPT = 300
# A client canonical request in a debug log explains an error logged within this many lines after it.
CLIENT_REACH_LINES = 2000
# Registering every signature of a 100 MB log would slow redaction of each string to a crawl; the patterns in
# redact.py cover the rest (every value registered here is also secret-shaped).
MAX_REGISTERED_SECRETS = 64
_NORM_RE = re.compile(r"[0-9a-fA-F]{8,}|\d+|\s+")
# A retry repeats its record with other timestamps, request ids and counters: with those blanked out, a record
# already explained is counted without being decoded again (a log full of retries decodes at scan speed).
_RAW_NORM_RE = re.compile(rb"[0-9A-Fa-f][0-9A-Fa-f.:-]{3,}|\d+")
MAX_SEEN = 4096
# A cheaper key in front of that one: only digits blanked, byte for byte. Records equal under it are equal under
# _RAW_NORM_RE too (it treats every digit alike), so it may only answer what the normalised key already answered.
_DIGITS_BLANK = bytes.maketrans(b"0123456789", b"##########")
_NO_ENTRY = object()
_EXCERPT_LEAD = 80


REQUEST_REACH_LINES = 200
_EMITTED = frozenset(EMITS)


class _Head:
    """The input as the records are read from it, keeping its first bytes: a paste's whole text, for its sentences."""

    def __init__(self, inner: Any, keep: int) -> None:
        self._inner = inner
        self._keep = keep
        self.kept = bytearray()

    def read(self, size: int = -1, /) -> bytes:
        chunk: bytes = self._inner.read(size)
        if len(self.kept) < self._keep:
            self.kept += chunk[: self._keep - len(self.kept)]
        return chunk


@datarecord(frozen=True)
class _RequestContext:
    key: str
    token: bool
    scope: tuple[str, str, str] | None
    host: str | None
    line: int


@datarecord
class _Group:
    error: AwsError
    classified: Classified
    excerpt: str
    count: int = 1
    lines: list[int] = field(default_factory=list)


def _other_error(e: AwsError) -> Hit:
    status = f" (HTTP {e.status})" if e.status else ""
    msg = f": {e.message[:160]}" if e.message else ""
    return Hit("other-error", Status.WARN, f"{e.code}{status}{msg} — not a signing or credential problem "
                                           "sigdoctor has a cause for")


def _excerpt(e: AwsError, redactor: Redactor) -> str:
    # Redact the whole record before cutting it, so a window never starts inside a secret and shows its tail in a
    # shape the patterns no longer recognise.
    t = redactor.text(e.text)
    at = error_position(t)
    start = 0
    if at is not None:
        start = t.rfind("\n", 0, at) + 1
        # Keep the part of a long log line that leads up to the error, not its timestamp prelude.
        if at - start > _EXCERPT_LEAD:
            start = at - _EXCERPT_LEAD
    flat = " ".join(visible(t[start:start + 4 * MAX_EXCERPT]).split())
    return flat if len(flat) <= MAX_EXCERPT else flat[: MAX_EXCERPT - 1] + "…"


def _key(e: AwsError, c: Classified) -> tuple[Any, ...]:
    # A reading the text cannot decide (awserrors.hit.UNDECIDED) is not grouped with the same cause decided: a bare
    # "AccessDeniedException" line above AWS's message naming the action is two records, and the second decides.
    causes = tuple((h.cause, UNDECIDED in h.extra) for h in c.hits)
    diff = tuple((d.component, d.kind) for d in c.diffs) if c.diffs else None
    return causes, e.code, _NORM_RE.sub("#", e.message[:200]), e.host, diff


def _wants_client(e: AwsError, c: Classified | None = None) -> bool:
    return e.server_canonical is not None and e.client_canonical is None


def decode_stream(stream: BinaryIO, *, client: ClientSigning | None, redactor: Redactor,
                  deadline: ReadDeadline | None = None) -> Outcome:
    """`deadline`: a pipe still open when it passes counts as ended; the outcome says where the input was cut."""
    stats = Stats()
    if deadline is not None:
        stream = deadline.wrap(stream)
    groups: dict[tuple[Any, ...], _Group] = {}
    total = 0
    # An AWS error code some record carries, read or not: AWS answered, so the text is no story to compare.
    answered = False
    unlisted = 0
    registered = 0
    cut = 0
    cut_lines: list[int] = []
    last_client: ClientSigning | None = None
    last_request: _RequestContext | None = None
    seen: dict[tuple[bytes, Any], tuple[Any, ...] | None] = {}
    quick_seen: dict[tuple[bytes, Any], object] = {}
    # A large plain file: a child process finds where the anchors stand in its tail (tailscan.py).
    base = tailscan.offset(stream)
    prepared = prepare_stream(stream)
    # The child entry.py forked for this file before the imports (decode/early.py), else one forked now.
    early_tail = early.claim(SCANNER, stream, base)
    plain = reads_plain(prepared, stream)
    tail = (early_tail or tailscan.start(SCANNER, stream, base)) if plain else None
    if early_tail is not None and not plain:
        early_tail.close()
    pasted = _Head(prepared, prose_readings.MAX_TEXT + 1)
    with contextlib.closing(iter_records(pasted, stats, tail)) as records:
        for rec in records:
            carried = (last_request.key, last_request.token, last_request.scope, last_request.host) \
                if last_request is not None else None
            # The whole record: records of many look-alike lines (a debug log's connection attempts) share their first
            # kilobytes, and one of them may end in the error — a key of its head only called that one a repeat.
            head = rec.raw
            quick = (head.translate(_DIGITS_BLANK), carried)
            known_quick = quick_seen.get(quick, _NO_ENTRY)
            shape: tuple[bytes, Any] | None = None
            if known_quick is _NO_ENTRY:
                shape = (_RAW_NORM_RE.sub(b"#", head), carried)
                if shape in seen:
                    if len(quick_seen) >= 4 * MAX_SEEN:
                        quick_seen.clear()
                    known_quick = quick_seen[quick] = seen[shape]
            if known_quick is not _NO_ENTRY:
                known = cast("tuple[Any, ...] | None", known_quick)
                hit = groups.get(known) if known is not None else None
                if hit is not None:
                    hit.count += 1
                    total += 1
                    if len(hit.lines) < MAX_LINES_LISTED:
                        hit.lines.append(rec.first_line)
                continue
            e = extract(rec.text, rec.first_line, rec.last_line)
            # A retry's record is memoised by its own text: the first one's context (a sentence above it) stands for all.
            e.context = rec.before.decode("utf-8", errors="replace") if rec.before else ""
            if e.left_out or len(rec.raw) >= MAX_RECORD:
                cut += 1
                if len(cut_lines) < 20:
                    cut_lines.append(rec.first_line)
            for secret in e.secrets:
                if registered < MAX_REGISTERED_SECRETS:
                    redactor.add_secret(secret)
                    registered += 1
            # A debug log prints the signed request and the error response as separate records: carry the request's
            # key id, scope and host over to the error that follows it.
            if e.access_key_id:
                last_request = _RequestContext(e.access_key_id, e.token_header, e.auth_scope, e.host, rec.last_line)
            elif last_request is not None and 0 <= rec.first_line - last_request.line <= REQUEST_REACH_LINES:
                e.access_key_id = last_request.key
                e.token_header = e.token_header or last_request.token
                e.auth_scope = e.auth_scope or last_request.scope
                e.host = e.host or last_request.host
            if e.client_canonical is not None and e.server_canonical is None:
                last_client = ClientSigning(e.client_canonical, e.client_sts, rec.first_line)
            if _wants_client(e):
                source = None
                if last_client is not None and 0 <= rec.first_line - last_client.line <= CLIENT_REACH_LINES:
                    source = last_client
                elif client is not None:
                    source = client
                if source is not None:
                    e.client_canonical, e.client_sts = source.canonical, source.string_to_sign
            answered = answered or bool(e.code)
            c = classify(e)
            # A record diffed against a client canonical request from elsewhere is not memoised: its meaning depends
            # on that other record (and one that carries a key id or canonical request changes what follows it).
            memo = e.client_canonical is None and (
                (not e.access_key_id and e.server_canonical is None) or (client is None and last_client is None))
            if len(seen) >= MAX_SEEN:
                seen.clear()
                quick_seen.clear()
            if not c.hits:
                if e.code in api_codes():
                    c.hits.append(_other_error(e))
                else:
                    if memo and shape is not None:
                        seen[shape] = quick_seen[quick] = None
                    continue
            total += 1
            key = _key(e, c)
            if memo and shape is not None:
                seen[shape] = quick_seen[quick] = key
            g = groups.get(key)
            if g is None:
                if len(groups) >= MAX_GROUPS:
                    unlisted += 1
                    continue
                g = groups[key] = _Group(e, c, _excerpt(e, redactor), 1, [rec.first_line])
            else:
                g.count += 1
                if len(g.lines) < MAX_LINES_LISTED:
                    g.lines.append(rec.first_line)
    prose = pasted.kept.decode("utf-8", errors="replace") if stats.bytes <= prose_readings.MAX_TEXT else None
    return _outcome(stats, groups, total, unlisted, cut, cut_lines, deadline if deadline and deadline.cut else None,
                    prose=prose, redactor=redactor, answered=answered)


def _candidate_findings(hits: list[Hit], base: dict[str, Any], seen: str, found: set[str]) -> list[Finding]:
    """Where the text cannot decide, each other candidate cause of the error becomes a warning of its own, so the
    report ranks it as a root cause (after the reading the text supports best) with what it needs and how to settle
    it — instead of hiding it in the first cause's evidence."""
    named = {h.cause for h in hits} | found
    # After the readings the rules ranked themselves (their own candidate_rank), never level with them.
    after = max((r for h in hits if isinstance(r := h.extra.get("candidate_rank"), int)), default=0)
    out: list[Finding] = []
    for h in hits:
        if h.status is not Status.FAIL and not h.extra.get("demoted"):  # demoted: read as not AWS's (or STS's) answer
            continue
        for c in h.extra.get("candidates") or ():
            cause = str(c.get("cause", ""))
            if cause in named or f"decode.{cause}" not in _EMITTED:
                continue
            named.add(cause)
            needs = c.get("needs") or c.get("why") or ""
            decide = c.get("decide") or ""
            msg = f"Or {cause}" + (f", if {needs}" if needs else "") + " — the text alone cannot tell"
            fix = [f"Settle it: `{decide}`"] if decide else []
            out.append(Finding(f"decode.{cause}", Status.WARN, visible(msg) + seen,
                               {**base, "candidate_of": h.cause, "candidate_rank": after + len(out) + 1, "fix": fix}))
    return out


# What the instance metadata service does for this host — answer, drop the token's answer one hop short, have no
# route, list no role — is one fact for the whole log (the hop limit, the route to 169.254.169.254 and the instance
# profile do not change between two lines of one start-up). A connect to a public endpoint is not: it may be refused
# one minute and intercepted the next, so records about endpoints never decide each other's readings.
_HOST_FACTS = frozenset({"imds-hop-limit", "imds-unreachable", "imds-no-role"})


def _proven(h: Hit) -> bool:
    """A reading a rule's evidence gave (no `error_entry`), or the table's reading of a message that proves its cause
    by itself (the entry's first cause of high confidence, e.g. a node whose providerID is not an EC2 instance's)."""
    name = h.extra.get("error_entry")
    if name is None:
        return True
    return any(e.causes and e.causes[0].cause == h.cause and e.causes[0].confidence == "high"
               for e in table().named(name))


def _decided_elsewhere(h: Hit, evidenced: set[str]) -> str | None:
    """The rival cause a table-default reading (`error_entry`, no evidence rule behind it) lists among its candidates
    that some record of the text shows by evidence — e.g. X-Ray's "Cannot fetch region variable" (hop limit or no
    metadata service, the table cannot tell) after the same daemon's "dial tcp 169.254.169.254:80: connect: network is
    unreachable" (no route: the metadata service is not there). Only between readings of the metadata service
    (_HOST_FACTS). None when the reading stands (it is evidenced itself, or none of its rivals is)."""
    if (h.status is not Status.FAIL or _proven(h) or h.cause in evidenced or h.cause not in _HOST_FACTS):
        return None
    rivals = [str(c.get("cause", "")) for c in h.extra.get("candidates") or ()]
    rivals += [c.cause for e in table().named(h.extra.get("error_entry")) for c in e.causes]
    return next((c for c in rivals if c != h.cause and c in evidenced and c in _HOST_FACTS), None)


def _words_only(g: _Group) -> bool:
    return all(h.extra.get("generic") for h in g.classified.hits)


def _prose_findings(text: str, findings: list[Finding], redactor: Redactor) -> list[Finding]:
    """What a paste's own sentences say caused it (awserrors/prose_readings.py): only a cause no record's reading gave,
    ranked behind them all. A cause an error's reading offers only as an alternative it cannot decide ("Or …, the text
    alone cannot tell") is what the sentence decides: it goes first among those alternatives."""
    out = []
    for h in prose_readings.prose_hits(text, redactor.text):
        fid = f"decode.{h.cause}"
        if fid not in _EMITTED:
            continue
        named = [f for f in findings if f.id == fid]
        if any(not f.evidence.get("candidate_of") for f in named):
            continue
        line = h.extra["line"]
        out.append(Finding(fid, Status.WARN, visible(h.message) + f" (line {line})",
                           {"lines": [line], "prose": h.extra["prose"], "fix": list(h.fix),
                            "candidate_rank": 1 if named else h.extra["candidate_rank"]}))
    return out


def _resemblance_findings(text: str, redactor: Redactor) -> list[Finding]:
    """A paste that gave no cause at all: the causes its words resemble (awserrors/resemblance.py), as one undecided
    group of warnings — never an error, never beside a reading."""
    try:
        hits = resemblance.resemblance_hits(text, frozenset(CAUSES), redactor.text, _settles())
    except (OSError, resemblance.ResemblanceDataError):
        return []  # a comparison that cannot load costs the paste a guess, never its report
    return [Finding(f"decode.{h.cause}", Status.WARN, visible(h.message), {"lines": [1], **h.extra, "fix": list(h.fix)})
            for h in hits]


@functools.cache
def _settles() -> dict[str, tuple[str, str]]:
    """Per cause, what must be true for it and the command that checks it: its first sentence reading's."""
    out: dict[str, tuple[str, str]] = {}
    for e in prose_readings.prose().entries:
        out.setdefault(e.cause, (e.needs, e.decide))
    return out


def _cut_finding(stopped: ReadDeadline) -> Finding:
    """Input still open at the deadline: what was read is reported, but what came after it was never seen, so the
    run is incomplete (never exit 0 with unread input)."""
    more = max(math.ceil(stopped.seconds) + 1, math.ceil(2 * stopped.seconds))
    return Finding(
        incomplete.finding_id("decode"), Status.FAIL,
        f"decode: did not finish — the input was still open at --deadline {stopped.seconds:g}s; stopped reading "
        f"after {stopped.cut_after_bytes} bytes, and anything sent later was not read",
        {"probe": "decode", "reason": "deadline", "step": "reading the input", "deadline_s": stopped.seconds,
         "bytes_read": stopped.cut_after_bytes, "suggested_deadline_s": more,
         "fix": ["Decode a file, or a pipe that ends (`kubectl logs POD` without -f, `head -n 100000`)",
                 f"Or give a following pipe more time: --deadline {more}"]})


def _outcome(stats: Stats, groups: dict[tuple[Any, ...], _Group], total: int, unlisted: int,
             cut: int, cut_lines: list[int], stopped: ReadDeadline | None = None, *, prose: str | None = None,
             redactor: Redactor | None = None, answered: bool = False) -> Outcome:
    findings: list[Finding] = []
    # A record read only from a failure word and an AWS name (awserrors/generic_readings.py) speaks only where no
    # record was read otherwise: beside a rule's reading it would only crowd the readings that error supports.
    if any(not _words_only(g) for g in groups.values()):
        total -= sum(g.count for g in groups.values() if _words_only(g))
        groups = {k: g for k, g in groups.items() if not _words_only(g)}
    # A cause some record shows is not repeated as another record's mere candidate.
    found = {h.cause for g in groups.values() for h in g.classified.hits}
    evidenced = {h.cause for g in groups.values() for h in g.classified.hits
                 if h.status is Status.FAIL and _proven(h)}
    # A cause another record decides is not also said undecided (a bare "AccessDeniedException" line above AWS's
    # message naming the action): the bare record's reading is left out, its candidates stay.
    decided = {h.cause for g in groups.values() for h in g.classified.hits
               if h.status is Status.FAIL and UNDECIDED not in h.extra}
    for g in groups.values():
        e = g.error
        base: dict[str, Any] = {
            "lines": g.lines, "excerpt": g.excerpt, "count": g.count, "code": e.code, "status": e.status,
            "request_id": e.request_id, "endpoint": e.url or e.host, "printed_by": e.printed_by or e.sdk,
        }
        if e.printed_by and e.sdk:
            base["sdk"] = e.sdk
        seen = f" (seen {g.count}×, first at line {g.lines[0]})" if g.count > 1 else f" (line {g.lines[0]})"
        for h in g.classified.hits:
            if UNDECIDED in h.extra and h.cause in decided:
                continue
            status, message, extra = h.status, h.message, h.extra
            rival = _decided_elsewhere(h, evidenced)
            if rival:
                # The table's default reading of a message that cannot decide by itself, where the text (another
                # record, or another message of this one) shows by evidence one of the rivals the table lists for it:
                # that says which reading holds — the other stays as a ranked alternative.
                status = Status.WARN
                message = f"Or {h.cause}: {h.message} — the text shows {rival} instead, by evidence"
                extra = {**h.extra, "candidate_rank": 1}
            findings.append(Finding(f"decode.{h.cause}", status, visible(message) + seen,
                                    {**base, **extra, "fix": list(h.fix)}))
        findings.extend(_candidate_findings(g.classified.hits, base, seen, found))
        if g.classified.diffs is not None:
            diffs = g.classified.diffs
            if diffs:
                msg = "Canonical request, AWS's (-) vs the client's (+):\n" + g.classified.diff_text
            else:
                msg = "AWS's canonical request is identical to the client's"
            findings.append(Finding("decode.canonical-diff", Status.FAIL if diffs else Status.PASS, msg,
                                    {"lines": g.lines, "differences": [d.as_evidence() for d in diffs]}))
    if prose and redactor is not None:
        findings.extend(_prose_findings(prose, findings, redactor))
        # Only a text without any AWS error code: one decode read and found no signing problem in (a client's limit,
        # throttling) is answered, and a guess beside it would contradict that answer.
        if not answered and not any(f.status in (Status.FAIL, Status.WARN) for f in findings):
            findings.extend(_resemblance_findings(prose, redactor))
    distinct = len(groups)
    mb = stats.bytes / 1_000_000
    size = f"{mb:.1f} MB" if mb >= 0.1 else f"{stats.bytes} bytes"
    summary_msg = (f"Read {stats.lines} lines ({size}): {total} AWS error(s) found, {distinct} distinct"
                   + (f"; {unlisted} more beyond the first {MAX_GROUPS} distinct ones not listed" if unlisted else "")
                   + (f"; {cut} record(s) longer than {MAX_TEXT // 1024} KB were read only around their "
                      f"first error (from line {', '.join(map(str, cut_lines[:5]))})" if cut_lines else "")
                   + (f"; input cut at --deadline {stopped.seconds:g}s after {stopped.cut_after_bytes} bytes (the "
                      "input was still open)" if stopped else ""))
    summary = Finding("decode.summary", Status.PASS, summary_msg,
                      {"lines": stats.lines, "bytes": stats.bytes, "errors": total, "distinct": distinct,
                       "unlisted": unlisted, "records_cut": cut, "records_cut_at_lines": cut_lines,
                       "input_cut_at_deadline": stopped is not None,
                       **({"input_cut_after_bytes": stopped.cut_after_bytes, "deadline_s": stopped.seconds}
                          if stopped else {})})
    if stopped is not None:
        findings.append(_cut_finding(stopped))
    all_findings = (summary, *findings)
    status = worst([f.status for f in all_findings])
    if total:
        text = f"{total} AWS error(s), {distinct} distinct, in {stats.lines} lines"
    else:
        text = f"no AWS error found in {stats.lines} lines"
    return Outcome(status, text, all_findings)
