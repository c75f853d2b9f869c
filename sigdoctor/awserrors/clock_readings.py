"""Clock readings: AWS's "Signature expired" / "not yet current" and how far the signer's clock was off."""

from __future__ import annotations

import re
from datetime import datetime

from sigdoctor.awserrors.canonical import StringToSign, parse_amz_date
from sigdoctor.awserrors.hit import Hit
from sigdoctor.awserrors.parse import AwsError
from sigdoctor.awserrors.table import Match
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status
from sigdoctor.skew_windows import window

SKEW_ERROR_S = window(None).seconds  # beyond the general SigV4 window (skew_windows) AWS refuses the request
SKEW_WARN_S = 60

# Pasted text has doubled spaces, wrapped lines and dropped parentheses: any whitespace between the words.
# The "Signature expired: " / "Signature not yet current: " lead is optional: a title or a quote keeps only the dates,
# whose form — the signed date, AWS's time and the window's edge "(… - 5 min.)" — is AWS's own message.
_EXPIRED_RE = lazy(r"(?:Signature\s+expired:\s*)?(\d{8}T\d{6}Z)\s+is\s+now\s+earlier\s+than\s+(\d{8}T\d{6}Z)"
                         r"\s*\(?(\d{8}T\d{6}Z)\s*-\s*(\d+)\s*min")
_NOT_YET_RE = lazy(r"(?:Signature\s+not\s+yet\s+current:\s*)?(\d{8}T\d{6}Z)\s+is\s+still\s+later\s+than\s+"
                         r"(\d{8}T\d{6}Z)\s*\(?(\d{8}T\d{6}Z)\s*\+\s*(\d+)\s*min")
_AWS_SAW_RE = lazy(r"Signature\s+(?:expired|not\s+yet\s+current):\s*(\d{8}T\d{6}Z)\s+is")
# The words alone, with the dates cut off (a log line or title that ends at the colon): AWS says the request's date is
# outside its window, which is the same verdict as with the dates.
_EXPIRED_WORDS_RE = lazy(r"Signature\s+(expired|not\s+yet\s+current)\b")
# An SDK that adjusts for skew prints AWS's time (the response's Date) beside the host's own clock when a signature is
# refused: aws-sdk-cpp aws-cpp-sdk-core/source/client/AWSClient.cpp (AdjustClockSkew, 1.x) and smithy's signer
# (AwsSmithyClientBase) log `Server time is <RFC 822>, while client time is <RFC 822>` (DateTime::Now()). Both times
# equal (or nearly) is the host clock in step with AWS: a stale signature then was made long before it was sent.
_HTTP_DATE = r"(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d\d:\d\d:\d\d\s+(?:GMT|UTC)"
_SDK_TIMES_RE = lazy(rf"Server\s+time\s+is\s+({_HTTP_DATE}),?\s+while\s+client\s+time\s+is\s+({_HTTP_DATE})")
# The token's own words beside EC2's RequestExpired: EC2 answers a request signed with expired session credentials
# with RequestExpired too (EC2 API reference, "Error codes": RequestExpired — "the request reached the service more
# than 15 minutes after the date stamp … or the request expiration date … has passed"; STS CommonErrors:
# ExpiredTokenException "The security token included in the request is expired"); the token's words decide.
_TOKEN_EXPIRED_RE = lazy(r"security\s+token\s+included\s+in\s+the\s+request\s+is\s+expired", re.I)


# EC2's AuthFailure ("AWS was not able to validate the provided access credentials") where the user's own words are of
# the signing host's clock (no NTP, a hardware clock that cannot be read): EC2 validates the request's signature with
# its date, so a clock far off is a reading beside the key's — offered, not first (EC2 answers a stale date with
# RequestExpired as a rule: EC2 API reference, "Error codes").
_CLOCK_WORDS_RE = lazy(r"\b(?:clock\s+skew|(?:hardware|system)\s+clock|hwclock|ntpd?|chronyd?|time\s+sync|"
                             r"clock\s+(?:is|was)\s+(?:off|wrong|behind|ahead))\b", re.I)


def _http_date(value: str) -> datetime | None:
    import email.utils  # only for a text that holds an SDK's both-times line

    try:
        return email.utils.parsedate_to_datetime(" ".join(value.split()))
    except (TypeError, ValueError, IndexError):
        return None


def host_clock_in_step(t: str) -> tuple[str, str] | None:
    """The SDK's own `Server time is …, while client time is …` when the two agree within a minute: (server, client)."""
    m = _SDK_TIMES_RE.search(t)
    if m is None:
        return None
    server, client = _http_date(m.group(1)), _http_date(m.group(2))
    if server is None or client is None or abs((server - client).total_seconds()) >= SKEW_WARN_S:
        return None
    return m.group(1), m.group(2)


def _fmt_skew(seconds: float) -> str:
    s = abs(int(seconds))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    if s >= 60:
        return f"{s // 60} min {s % 60} s"
    return f"{s} s"


def skew_hit(skew_s: float, how: str, *, force_error: bool = False) -> Hit | None:
    """A clock-skew hit for a measured offset (positive: the client's clock is behind)."""
    if abs(skew_s) < SKEW_WARN_S and not force_error:
        return None
    direction = "behind" if skew_s > 0 else "ahead of"
    status = Status.FAIL if abs(skew_s) >= SKEW_ERROR_S or force_error else Status.WARN
    return Hit(
        "clock-skew", status,
        f"The signing clock is {_fmt_skew(skew_s)} {direction} AWS's ({how})",
        [f"Fix the time on the agent's host: it is {_fmt_skew(skew_s)} {direction} true time "
         "(chronyd/ntpd; on EC2 use the Amazon Time Sync Service 169.254.169.123)",
         "Then measure it: `sigdoctor run --only clock` on the agent's host"],
        {"skew_seconds": int(skew_s)},
    )


def clock_hits(e: AwsError, found: Match) -> list[Hit]:
    t = e.flat
    # S3's and STS's messages for these codes say the same without the code (Mountpoint, minio-go print only them).
    said = {x.code for x in found.of("clock")}
    hits: list[Hit] = []
    for m in (_EXPIRED_RE.search(t), _NOT_YET_RE.search(t)):  # "Signature expired" and "not yet current" alike
        if m is None:
            continue
        signed, server = parse_amz_date(m.group(1)), parse_amz_date(m.group(3))
        if signed and server:
            h = skew_hit((server - signed).total_seconds(),
                         f"signed at {m.group(1)}, AWS's time {m.group(3)}", force_error=True)
            if h:
                hits.append(h)
    words = _EXPIRED_WORDS_RE.search(t)
    if words and not hits:
        late = words.group(1) == "expired"
        hits.append(Hit("clock-skew", Status.FAIL,
                        f"AWS says the signature {'expired' if late else 'is not yet current'}: the request's "
                        f"X-Amz-Date is {'behind' if late else 'ahead of'} AWS's time by more than its window (the "
                        "dates AWS quotes are cut from the text)",
                        ["Fix the time on the agent's host (chronyd/ntpd; on EC2 the Amazon Time Sync Service)",
                         "Measure the offset: `sigdoctor run --only clock` on the agent's host; if the clock is "
                         "right, the request was signed once and sent (or retried) long after"]))
    if "RequestTimeTooSkewed" in t or "RequestTimeTooSkewed" in said:
        if e.s3_times:
            rt, st = e.s3_times
            h = skew_hit((st - rt).total_seconds(), "S3 RequestTimeTooSkewed: request time vs server time",
                         force_error=True)
        else:
            h = Hit("clock-skew", Status.FAIL,
                    "AWS rejected the request time as too far from its own (RequestTimeTooSkewed, more than 15 min)",
                    ["Fix the time on the agent's host (chronyd/ntpd; on EC2 the Amazon Time Sync Service)",
                     "Measure the offset: `sigdoctor run --only clock` on the agent's host"])
        if h:
            hits.append(h)
    if ("RequestExpired" in t or "RequestExpired" in said) and not hits:
        if _TOKEN_EXPIRED_RE.search(t):
            hits.append(Hit("clock-skew", Status.WARN,
                            "AWS says the request expired (RequestExpired), beside \"the security token included in "
                            "the request is expired\": that is how EC2 answers a request signed with expired session "
                            "credentials; a clock off by more than 5 minutes is the other reading",
                            ["Refresh the session credentials; if they are fresh, measure the clock: `sigdoctor run "
                             "--only clock`"], {"candidate_rank": 1}))
        else:
            hits.append(Hit("clock-skew", Status.FAIL,
                            "AWS says the request expired (RequestExpired): the signing time is too far in the past",
                            ["Fix the time on the agent's host; `sigdoctor run --only clock` measures it"]))
    if not hits and "AuthFailure" in {c for x in found.entries for c in x.codes} and _CLOCK_WORDS_RE.search(
            f"{e.context}\n{e.text}"):
        hits.append(Hit("clock-skew", Status.WARN,
                        "Or the signing host's clock: the text speaks of it beside EC2's AuthFailure, and a request "
                        "signed with a date far from AWS's fails validation",
                        ["Measure the clock where the request is signed: `sigdoctor run --only clock`; run a time "
                         "daemon (chronyd / ntpd)"], {"candidate_rank": 1}))
    in_step = host_clock_in_step(t) if hits else None
    if in_step:
        for h in hits:
            h.status = Status.WARN
            h.message += (f"; yet the SDK's own log has AWS's time and the host's equal (server time {in_step[0]}, "
                          f"client time {in_step[1]}): the host clock is right, so the request was signed long "
                          "before it was sent (a queued, buffered or retried request, or an SDK reusing its signing "
                          "time) — outside sigdoctor's causes, and no clock to fix")
            h.fix = ["Find what holds the signed request back: sign each attempt anew (upgrade the SDK; a retry or a "
                     "multipart part must be re-signed), or shorten the queue before sending",
                     "Confirm the clock is right where the SDK runs: `sigdoctor run --only clock`"]
            h.extra["host_clock_in_step"] = True
    return hits


def signing_date(e: AwsError, sts: StringToSign | None) -> datetime | None:
    if sts:
        return parse_amz_date(sts.amz_date)
    if e.server_canonical and e.server_canonical.header("x-amz-date"):
        return parse_amz_date(e.server_canonical.header("x-amz-date") or "")
    return None


def date_aws_saw(text: str) -> str | None:
    """The X-Amz-Date AWS received, from its `Signature expired: <date> is now earlier than …` answer."""
    m = _AWS_SAW_RE.search(text)
    return m.group(1) if m else None
