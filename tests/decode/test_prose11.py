"""What `decode` reports for a paste that states its cause in a sentence (awserrors/prose_readings.py): a warning,
named only where no record of the text gave the cause, behind every reading of an error line."""

from __future__ import annotations

from sigdoctor.awserrors.prose_readings import MAX_TEXT
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def test_a_sentence_alone_names_its_cause_as_a_warning() -> None:
    text = ("Uploads started failing last night.\n\n"
            "The clock on the build host was 9 minutes slow. That caused the 403 from S3.\n")
    assert text_causes(text) == [("clock-skew", WARNING)]


def test_the_finding_quotes_the_sentence_and_its_line() -> None:
    report = decode_text("Nothing in the logs.\nFor some reason imds is not working from inside docker.\n")
    [f] = [f for f in report.probes[0].findings if f.id == "decode.imds-hop-limit"]
    assert "“For some reason imds is not working from inside docker.”" in f.message
    assert f.evidence["lines"] == [2]
    assert f.evidence["fix"] == ["Settle it: `sigdoctor run --only credentials in the agent's container`"]


def test_an_error_line_reading_ranks_before_the_sentence() -> None:
    text = ("botocore.exceptions.NoCredentialsError: Unable to locate credentials\n\n"
            "We think the clock was 10 minutes behind on that box.\n")
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", WARNING)  # a bare chain end: the text cannot decide
    assert undecided_first(text) == "no-credentials"
    assert ("clock-skew", WARNING) in causes


def test_a_cause_an_error_offers_only_as_an_alternative_goes_first_among_them() -> None:
    text = ('Unable to locate credentials\n\n'
            'HTTPS_PROXY is set and 169.254.169.254 is missing from NO_PROXY, so the metadata calls fail.\n')
    causes = [c for c, _ in text_causes(text)]
    assert causes[0] == "no-credentials"
    assert causes[1] == "proxy-misconfigured"


def test_a_cause_an_error_line_gave_is_not_repeated_from_the_sentence() -> None:
    text = ("An error occurred (RequestTimeTooSkewed) when calling the PutObject operation: The difference between "
            "the request time and the current time is too large.\n\nOur clock was 20 minutes ahead.\n")
    report = decode_text(text)
    assert not [f for f in report.probes[0].findings if f.evidence.get("prose")]
    assert text_causes(text)[0] == ("clock-skew", ERROR)


def test_negations_name_nothing() -> None:
    for text in ("It is not a clock issue, we still get 403.", "NTP is synced and S3 still says 403 Forbidden.",
                 "The clock is fine; the signed URL still expires."):
        report = decode_text(text)
        assert not [f for f in report.probes[0].findings if f.evidence.get("prose")], text


def test_control_characters_in_the_sentence_are_escaped() -> None:
    report = decode_text("The clock was \x1b[31m8 minutes\x1b[0m behind and uploads got 403.\n")
    [f] = [f for f in report.probes[0].findings if f.id == "decode.clock-skew"]
    assert "\x1b" not in f.message


def test_a_secret_in_the_sentence_is_redacted() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    report = decode_text(f"The clock was 8 minutes behind when we set aws_secret_access_key={secret} and got 403.\n")
    [f] = [f for f in report.probes[0].findings if f.id == "decode.clock-skew"]
    assert secret not in f.message
    assert secret not in str(report.root_causes)


def test_a_log_larger_than_a_paste_is_not_read_for_sentences() -> None:
    text = "The clock was 10 minutes behind and S3 said 403.\n" + "2026-12-07 10:00:00 INFO healthy\n" * (
        MAX_TEXT // 30)
    assert text_causes(text) == []
