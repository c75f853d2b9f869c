"""Which request to instance metadata timed out, and in which phase.

The IMDSv2 hop limit drops only the answer to the token PUT (EC2 user guide, "Configure the instance metadata
options"); the AWS SDK for Go v1 falls back to token-less GETs when that PUT times out (aws/ec2metadata/
token_provider.go), so a plain metadata GET that Go's http.Client timed out is no hop limit. curl names the phase its
time ran out in (lib/multi.c): "Resolving timed out", "Connection timed out", "Operation timed out". Texts in the
shapes those print; addresses and hosts are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

_V1 = "RequestError: send request failed\ncaused by: "


@pytest.mark.parametrize("text", [
    _V1 + "Get \"http://169.254.169.254/latest/meta-data/mac\": context deadline exceeded (Client.Timeout exceeded "
          "while awaiting headers)",
    # Older Go's wording, unquoted URL.
    _V1 + "Get http://169.254.169.254/latest/meta-data/placement/availability-zone: net/http: request canceled "
          "(Client.Timeout exceeded while awaiting headers)",
    # The role path inside the Go v1 chain's EC2RoleRequestError, in a JSON log's escaped quotes.
    "{\"msg\":\"EC2RoleRequestError: no EC2 instance role found\\ncaused by: RequestError: send request failed\\n"
    "caused by: Get \\\"http://169.254.169.254/latest/meta-data/iam/security-credentials/\\\": context deadline "
    "exceeded (Client.Timeout exceeded while awaiting headers)\"}",
])
def test_a_metadata_get_that_timed_out_is_no_hop_limit(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", Severity.ERROR), causes
    assert ("imds-hop-limit", Severity.WARNING) in causes[:3]


def test_the_token_put_that_timed_out_is_still_the_hop_limit_first() -> None:
    causes = text_causes(_V1 + "Put \"http://169.254.169.254/latest/api/token\": context deadline exceeded "
                               "(Client.Timeout exceeded while awaiting headers)")
    assert causes[0] == ("imds-hop-limit", Severity.ERROR), causes


def test_curl_that_could_not_connect_to_metadata_is_no_hop_limit() -> None:
    causes = text_causes("* About to connect() to 169.254.169.254 port 80 (#0)\n*   Trying 169.254.169.254...\n"
                         "* Connection timed out after 1001 milliseconds\n* Closing connection 0\n"
                         "Unable to fetch IAM role from instance metadata")
    assert causes[0] == ("imds-unreachable", Severity.ERROR), causes


def test_curl_that_timed_out_resolving_an_endpoint_is_a_dns_failure() -> None:
    causes = text_causes("curl: (28) Resolving timed out after 5000 milliseconds\n"
                         "Failed to call https://route53.amazonaws.com/2013-04-01/hostedzone")
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR), causes


def test_curl_that_timed_out_connecting_to_an_endpoint_is_a_failed_connection() -> None:
    causes = text_causes("curl: (28) Connection timed out after 10001 milliseconds\n"
                         "while calling https://logs.eu-west-1.amazonaws.com/")
    assert causes[0] == ("endpoint-unreachable", Severity.ERROR), causes
