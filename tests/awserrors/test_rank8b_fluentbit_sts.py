"""Fluent Bit builds its STS provider only for a configured role (role_arn) or IRSA's variables, and logs "[aws_credentials]
STS assume role request failed" when that AssumeRole fails; the signer's "Provider returned no credentials" after it is
the same refresh failing, not a chain with nothing configured. The failed AssumeRole's readings lead; the empty chain
is no error of its own. Times and services are made up; the lines are Fluent Bit's (src/aws/flb_aws_credentials_sts.c,
flb_signv4.c).
"""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

STS_FAILED = ("[2024/04/18 02:30:32] [error] [aws_credentials] STS assume role request failed\n"
              "[2024/04/18 02:30:32] [ warn] [aws_credentials] No cached credentials are available and a credential "
              "refresh is already in progress. The current co-routine will retry.\n"
              "[2024/04/18 02:30:32] [error] [signv4] Provider returned no credentials, service=kinesis\n"
              "[2024/04/18 02:30:32] [error] [aws_client] could not sign request\n")


def test_the_empty_chain_after_a_failed_assume_role_is_not_read_as_nothing_configured() -> None:
    causes = text_causes(STS_FAILED)
    assert causes[0] == ("role-trust-denied", Severity.WARNING)
    assert [c for c, _ in causes[1:3]] == ["web-identity-rejected", "endpoint-unreachable"]
    assert ("no-credentials", Severity.ERROR) not in causes


def test_an_empty_chain_without_the_assume_role_line_stays_no_credentials() -> None:
    text = STS_FAILED.split("\n", 1)[1]
    assert undecided_first(text) == "no-credentials"


def test_sts_answering_with_a_code_is_read_from_that_code() -> None:
    # With an answer, Fluent Bit logs the code first ("STS API responded with %s"): that code's reading stays first.
    text = ("[2024/04/18 02:30:32] [error] [aws_credentials] STS API responded with AccessDenied\n" + STS_FAILED)
    causes = text_causes(text)
    assert causes[0][0] in {"role-trust-denied", "permission-missing"}
    assert ("no-credentials", Severity.ERROR) not in causes
