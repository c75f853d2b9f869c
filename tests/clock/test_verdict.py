"""Which source decides when time sources disagree, and the SigV4 windows."""

from __future__ import annotations

import pytest

from sigdoctor.timecheck.sample import Sample
from sigdoctor.timecheck.verdict import combine, describe_offset, is_s3, severity_of, targets_affected


def ntp(server: str, offset: float) -> Sample:
    return Sample("ntp", server, offset_s=offset, rtt_ms=1.0, stratum=2)


def date(server: str, offset: float) -> Sample:
    return Sample("http-date", server, offset_s=offset, rtt_ms=20.0)


def test_http_date_jitter_within_two_seconds_is_agreement_and_ntp_is_the_precise_answer() -> None:
    v = combine([ntp("a", 0.25), date("sts", 1.6), Sample("ntp", "b", error="timeout after 1.0 s")])
    assert v.agree and v.offset_s == pytest.approx(0.25)


def test_aws_date_outvotes_ntp() -> None:
    v = combine([ntp("a", 0.0), ntp("b", 0.1), date("sts", 95.0)])
    assert not v.agree and v.offset_s == pytest.approx(95.0)
    assert [s.server for s in v.outliers] == ["a", "b"]


def test_a_stray_ntp_server_is_outvoted() -> None:
    v = combine([ntp("a", 0.0), ntp("stray", 400.0), ntp("c", 0.2)])
    assert v.majority and v.offset_s == pytest.approx(0.1)
    assert [s.server for s in v.outliers] == ["stray"]


def test_no_majority_believes_the_first_server_asked() -> None:
    v = combine([ntp("169.254.169.123", 90.0), ntp("pool.ntp.org", 0.0)])
    assert not v.majority and v.offset_s == pytest.approx(90.0)
    assert [s.server for s in v.outliers] == ["pool.ntp.org"]


def test_nothing_answered_is_no_offset() -> None:
    v = combine([Sample("ntp", "a", error="refused"), Sample("http-date", "sts", error="no such host")])
    assert v.offset_s is None


@pytest.mark.parametrize(("offset", "level"), [(59.9, "pass"), (-60.0, "warn"), (299.0, "warn"), (-300.0, "fail")])
def test_thresholds(offset: float, level: str) -> None:
    assert severity_of(offset) == level


def test_direction_words() -> None:
    assert describe_offset(2.0) == "2.0 s behind"
    assert describe_offset(-400.0) == "400 s (6.7 min) ahead"
    assert describe_offset(0.01) == "within 0.05 s"


@pytest.mark.parametrize("url", ["https://bucket.s3.us-east-1.amazonaws.com/", "https://s3.eu-west-1.amazonaws.com/b",
                                 "https://b.s3.amazonaws.com", "https://s3-us-west-2.amazonaws.com/b",
                                 "https://b.s3-accelerate.amazonaws.com/"])
def test_s3_hosts(url: str) -> None:
    assert is_s3(url)


def test_not_s3() -> None:
    assert not is_s3("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write")


def test_targets_affected_by_window() -> None:
    amp, s3 = "https://aps-workspaces.us-east-1.amazonaws.com/x", "https://b.s3.us-east-1.amazonaws.com/"
    assert targets_affected([amp, s3], 120.0) == ([], [])
    assert targets_affected([amp, s3], -400.0) == ([amp], [s3])
    assert targets_affected([amp, s3], 900.0) == ([amp, s3], [])
