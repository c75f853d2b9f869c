"""Which part of Go's failed dial was the name look-up, and the second reading of an untrusted certificate.

Go reports a dial whose name look-up failed without an address (src/net/dial.go: `OpError{…, Addr: nil}` after
resolveAddrList), and a deadline reached during the look-up as a bare `i/o timeout` (Go ≤ 1.16, lookup.go
`mapErr(ctx.Err())`) or as `lookup HOST: i/o timeout` (Go ≥ 1.17, a DNSError); a connect that timed out names the
address it tried. Texts in the shapes the AWS SDK for Go v1 prints them (RequestError "send request failed"); hosts
and addresses are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

_GO_V1 = "RequestError: send request failed\ncaused by: "


@pytest.mark.parametrize("text", [
    # Go ≤ 1.16: the look-up ran out of the dial's time, no address.
    _GO_V1 + "Get https://route53.amazonaws.com/2013-04-01/hostedzone: dial tcp: i/o timeout",
    # The same inside a web identity call, wrapped in a JSON log's escaped quotes.
    "{\"level\":\"error\",\"error\":\"WebIdentityErr: failed to retrieve credentials\\ncaused by: " + _GO_V1.replace(
        "\n", "\\n") + "Post \\\"https://sts.eu-west-1.amazonaws.com/\\\": dial tcp: i/o timeout\"}",
    # Go ≥ 1.17: the DNSError names the host.
    _GO_V1 + "Post \"https://sts.us-east-1.amazonaws.com/\": dial tcp: lookup sts.us-east-1.amazonaws.com: i/o timeout",
    # The resolver's own query timed out.
    _GO_V1 + "Post \"https://logs.eu-west-2.amazonaws.com/\": dial tcp: lookup logs.eu-west-2.amazonaws.com on "
             "10.96.0.10:53: read udp 10.244.1.7:41234->10.96.0.10:53: i/o timeout",
])
def test_a_lookup_that_timed_out_is_a_dns_failure_first(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR), causes


def test_the_address_less_timeout_keeps_the_connect_readings_as_warnings() -> None:
    causes = text_causes(_GO_V1 + "Post https://autoscaling.us-east-2.amazonaws.com/: dial tcp: i/o timeout")
    assert causes[:3] == [("dns-resolution-failed", Severity.ERROR), ("endpoint-unreachable", Severity.WARNING),
                          ("proxy-misconfigured", Severity.WARNING)]


def test_a_connect_timeout_names_its_address_and_is_no_lookup_failure() -> None:
    causes = text_causes(_GO_V1 + "Get https://route53.amazonaws.com/2013-04-01/hostedzone: dial tcp "
                                  "54.239.31.187:443: i/o timeout")
    assert causes[0] == ("endpoint-unreachable", Severity.ERROR)
    assert "dns-resolution-failed" not in [c for c, _ in causes]


def test_a_lookup_timeout_to_the_global_sts_host_still_offers_the_global_endpoint() -> None:
    causes = [c for c, _ in text_causes("WebIdentityErr: failed to retrieve credentials\ncaused by: " + _GO_V1
                                        + "Post \"https://sts.amazonaws.com/\": dial tcp: i/o timeout")]
    assert causes[0] == "dns-resolution-failed"
    assert "sts-global-endpoint" in causes[:3]


@pytest.mark.parametrize("text", [
    _GO_V1 + "Post \"https://sts.amazonaws.com/\": x509: certificate signed by unknown authority",
    "botocore.exceptions.SSLError: SSL validation failed for https://logs.us-east-1.amazonaws.com/ [SSL: "
    "CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1129)",
])
def test_an_untrusted_certificate_offers_interception_as_the_other_reading(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("tls-untrusted", Severity.ERROR)
    # Not folded into tls-untrusted: named, as a warning, within the first three.
    assert ("tls-intercepted", Severity.WARNING) in causes[:3], causes
