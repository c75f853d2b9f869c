"""Credential expiry judged by true time, and which --targets a skew breaks (S3 allows 15 minutes, others 5)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import trustme

from sigdoctor.context import Context
from sigdoctor.model import Status
from sigdoctor.probes.clock import PROBE
from sigdoctor.timecheck.verdict import iso
from tests.clock.conftest import Names
from tests.clock.helpers import ids, only
from tests.fakes.httpdate import DateServer
from tests.fakes.ntp import NtpResponder

MakeCtx = Callable[..., Context]


def with_expiry(ctx: Context, expiry: str | None) -> Context:
    """The run as the clock sees it once the credentials probe reported the winner's expiry."""
    ctx.state.expiries.set([("credentials", expiry)])
    return ctx


def test_expired_by_true_time_while_the_local_clock_says_valid(make_ctx: MakeCtx) -> None:
    # The local clock is 20 minutes behind; the credentials expired 10 minutes ago in true time.
    expiry = iso(time.time() + 600)
    with NtpResponder(offset=1200.0) as ntp:
        out = PROBE.run(with_expiry(make_ctx(ntp=[ntp.server]), expiry), {})
    expired = only(out, "clock.credentials-expired")
    assert expired.status is Status.FAIL
    assert "by true time" in expired.message and expiry in expired.message
    assert "still thinks they are valid" in expired.message
    assert expired.evidence["expired_by_local_clock"] is False
    assert out.status is Status.FAIL
    assert "credentials expired" in out.summary


def test_expired_by_both_clocks(make_ctx: MakeCtx) -> None:
    with NtpResponder(offset=0.0) as ntp:
        out = PROBE.run(with_expiry(make_ctx(ntp=[ntp.server]), iso(time.time() - 3600)), {})
    expired = only(out, "clock.credentials-expired")
    assert expired.evidence["expired_by_local_clock"] is True
    assert "local clock too" in expired.message
    assert only(out, "clock.clock-skew").status is Status.PASS


def test_valid_by_true_time_though_a_fast_local_clock_says_expired(make_ctx: MakeCtx) -> None:
    # The local clock runs 30 minutes ahead: it thinks credentials valid for 20 more true minutes are gone.
    with NtpResponder(offset=-1800.0) as ntp:
        out = PROBE.run(with_expiry(make_ctx(ntp=[ntp.server]), iso(time.time() - 600)), {})
    assert "clock.credentials-expired" not in ids(out)
    expiry = only(out, "clock.credentials-expiry")
    assert expiry.status is Status.PASS
    assert "already thinks they have expired" in expiry.message


@pytest.mark.parametrize("expiry", [None, "not a date"])
def test_no_usable_expiry_no_judgement(make_ctx: MakeCtx, expiry: str | None) -> None:
    with NtpResponder(offset=0.0) as ntp:
        out = PROBE.run(with_expiry(make_ctx(ntp=[ntp.server]), expiry), {})
    assert not ids(out) & {"clock.credentials-expired", "clock.credentials-expiry"}


def test_unmeasured_clock_does_not_judge_expiry(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    out = PROBE.run(with_expiry(make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"]), iso(time.time() - 60)), {})
    assert "clock.credentials-expired" not in ids(out)


S3 = "bucket.s3.us-east-1.amazonaws.com"
AMP = "aps-workspaces.us-east-1.amazonaws.com"


@pytest.fixture
def aws_names(names: Names) -> Names:
    names.pin(S3)
    names.pin(AMP)
    return names


def test_s3_targets_survive_a_skew_under_15_minutes(make_ctx: MakeCtx, ca: trustme.CA, aws_names: Names) -> None:
    with DateServer(offset=400.0, tls=ca, names=(S3, AMP)) as aws:
        s3, amp = f"https://{S3}:{aws.port}/", f"https://{AMP}:{aws.port}/workspaces/ws-1/api/v1/remote_write"
        out = PROBE.run(make_ctx(targets=[amp, s3], sts=f"https://{AMP}:{aws.port}/"), {})
    skew = only(out, "clock.clock-skew")
    assert skew.status is Status.FAIL
    assert f"S3 target(s) {s3} still work" in skew.message
    assert skew.evidence["affected_targets"] == [amp]
    assert skew.evidence["s3_targets_within_window"] == [s3]


def test_s3_targets_fail_too_beyond_15_minutes(make_ctx: MakeCtx, ca: trustme.CA, aws_names: Names) -> None:
    with DateServer(offset=-1000.0, tls=ca, names=(S3,)) as aws:
        s3 = f"https://{S3}:{aws.port}/"
        out = PROBE.run(make_ctx(targets=[s3]), {})
    skew = only(out, "clock.clock-skew")
    assert f"S3 target(s) {s3} fail as well" in skew.message
    assert skew.evidence["affected_targets"] == [s3]


def test_web_identity_token_expired_by_true_time(make_ctx: MakeCtx) -> None:
    exp = iso(time.time() + 300)  # valid for 5 more minutes by our clock, which is 10 minutes behind
    with NtpResponder(offset=600.0) as ntp:
        ctx = make_ctx(ntp=[ntp.server])
        ctx.state.expiries.set([("credentials", None), ("web identity token", exp)])
        out = PROBE.run(ctx, {})
    expired = only(out, "clock.credentials-expired")
    assert expired.message.startswith("web identity token expired")
    assert "still thinks it is valid" in expired.message
