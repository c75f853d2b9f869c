"""From samples to a judgement: one offset, whether the sources agree, what SigV4 makes of it, and credential
expiry judged against true time rather than the local clock."""

from __future__ import annotations

import statistics
from dataclasses import field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sigdoctor.records import datarecord
from sigdoctor.skew_windows import window
from sigdoctor.timecheck.sample import Sample

# SigV4 rejects a request whose X-Amz-Date is more than 5 minutes from the server's clock, except S3 (15 minutes):
# skew_windows has the table and the sources.
SIGV4_WINDOW_S = window(None).seconds
S3_WINDOW_S = window("s3").seconds
WARN_S = 60.0
# Beyond the HTTP Date's one-second resolution plus network jitter, two sources really do see different times.
DISAGREE_S = 2.0


# Amazon Time Sync (link-local on EC2, stratum-1 references behind it) is trusted at any stratum it reports...
TIME_SYNC_SERVERS = frozenset({"169.254.169.123", "fd00:ec2::123"})
# ...any other NTP server when it is this close to a reference clock (pool servers are 2-3; beyond, a chain of
# relays whose error we cannot see).
TRUSTED_MAX_STRATUM = 3


def trusted(s: Sample) -> bool:
    return (s.kind == "ntp" and s.offset_s is not None and s.error is None
            and (s.server in TIME_SYNC_SERVERS or (s.stratum is not None and 0 < s.stratum <= TRUSTED_MAX_STRATUM)))


def settling_pair(samples: list[Sample]) -> tuple[Sample, Sample] | None:
    """(trusted NTP answer, AWS Date) that agree, or None. With both, SigV4's judge (AWS's clock) is read and a
    precise source confirms it to within DISAGREE_S: the other sources would be a survey, not an answer."""
    for ntp in samples:
        if not trusted(ntp):
            continue
        for date in samples:
            if date.kind == "http-date" and date.offset_s is not None and \
                    abs(date.offset_s - _off(ntp)) <= DISAGREE_S:
                return ntp, date
    return None


@datarecord(frozen=True)
class Verdict:
    offset_s: float | None
    # No answering source is more than DISAGREE_S from the offset.
    agree: bool
    # The samples the offset was taken from, and, when sources disagree, those it was not.
    basis: list[Sample] = field(default_factory=list)
    outliers: list[Sample] = field(default_factory=list)
    # False when the disagreeing sources had no majority and the first one asked was believed.
    majority: bool = True


def combine(samples: list[Sample]) -> Verdict:
    """NTP is the precise clock; but SigV4 is judged by AWS's own clock, so when the two disagree, AWS's `Date`
    decides. Within one kind, the median decides; with no majority, the first source asked (Amazon Time Sync or the
    first --ntp-server; STS before the targets)."""
    answered = [s for s in samples if s.offset_s is not None]
    if not answered:
        return Verdict(None, True)
    ntp = [s for s in answered if s.kind == "ntp"]
    aws = [s for s in answered if s.kind == "http-date"]
    precise = _median(ntp or aws)
    if all(abs(_off(s) - precise) <= DISAGREE_S for s in answered):
        return Verdict(precise, True, ntp or aws)
    pool = aws or ntp
    centre = _median(pool)
    close = [s for s in pool if abs(_off(s) - centre) <= DISAGREE_S]
    majority = bool(close)
    if not close:
        close = [s for s in pool if abs(_off(s) - _off(pool[0])) <= DISAGREE_S]
    offset = _median(close)
    outliers = [s for s in answered if s not in close and abs(_off(s) - offset) > DISAGREE_S]
    basis = [s for s in answered if s not in outliers]
    return Verdict(offset, not outliers, basis, outliers, majority)


def _off(s: Sample) -> float:
    return s.offset_s if s.offset_s is not None else 0.0


def _median(samples: list[Sample]) -> float:
    return float(statistics.median(s.offset_s for s in samples if s.offset_s is not None))


def describe_offset(offset_s: float) -> str:
    """'0.3 s ahead', '400 s (6.7 min) behind' — of the local clock relative to true time."""
    magnitude = abs(offset_s)
    if magnitude < 0.05:
        return "within 0.05 s"
    direction = "behind" if offset_s > 0 else "ahead"
    amount = f"{magnitude:.1f} s" if magnitude < 60 else f"{magnitude:.0f} s ({magnitude / 60:.1f} min)"
    return f"{amount} {direction}"


def severity_of(offset_s: float) -> str:
    """"fail" ≥ 5 min, "warn" ≥ 1 min, else "pass"."""
    magnitude = abs(offset_s)
    if magnitude >= SIGV4_WINDOW_S:
        return "fail"
    if magnitude >= WARN_S:
        return "warn"
    return "pass"


def is_s3(url: str) -> bool:
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
    return ".s3." in host or host.startswith(("s3.", "s3-")) or "s3.amazonaws.com" in host or ".s3-" in host


def targets_affected(targets: list[str], offset_s: float) -> tuple[list[str], list[str]]:
    """(targets whose requests AWS rejects at this offset, S3 targets still inside S3's 15-minute window)."""
    magnitude = abs(offset_s)
    affected: list[str] = []
    spared: list[str] = []
    for t in targets:
        s3 = is_s3(t)
        if magnitude >= (S3_WINDOW_S if s3 else SIGV4_WINDOW_S):
            affected.append(t)
        elif s3 and magnitude >= SIGV4_WINDOW_S:
            spared.append(t)
    return affected, spared


def parse_expiry(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def describe_span(seconds: float) -> str:
    s = abs(seconds)
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
