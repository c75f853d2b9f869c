"""A header AWS received twice: its canonical request joins the two values with a comma. The host is the first of
them (no signing name is read from `sts…com, sts…com`), and the same value twice is a header sent again after
signing — AWS's own evidence, ahead of any word's cue."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes


def _answer(host: str, content_type: str) -> str:
    canonical = (f"POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:20261206T100000Z\n\n"
                 "content-type;host;x-amz-date\n" + "ab" * 32)
    return ("<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature "
            "we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing "
            "method. Consult the service documentation for details.\n\nThe Canonical String for this request should "
            f"have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261206T100000Z\n"
            "20261206/eu-west-1/sts/aws4_request\n" + "cd" * 32 + "'\n</Message></Error></ErrorResponse>")


def test_a_host_sent_twice_reads_as_a_request_changed_after_signing_not_a_signing_name() -> None:
    host = "sts.eu-west-1.amazonaws.com"
    causes = text_causes(_answer(f"{host}, {host}", "application/x-www-form-urlencoded, "
                                                     "application/x-www-form-urlencoded"))
    assert causes[0] == ("request-modified-after-signing", Severity.ERROR)
    assert "service-name-mismatch" not in [c for c, _ in causes]


def test_different_values_of_one_header_are_not_read_as_a_header_sent_twice() -> None:
    causes = [c for c, _ in text_causes(_answer("sts.eu-west-1.amazonaws.com", "text/plain, application/json"))]
    assert causes[0] != "request-modified-after-signing"
    assert "service-name-mismatch" not in causes
