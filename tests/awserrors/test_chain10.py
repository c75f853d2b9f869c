"""Pass 10: the end of a credential chain read as its last source. An SDK's default chain ends at instance metadata,
and its chain-end error quotes that source's failure; where the text shows no metadata service could be there (the
SDK's own short probe never connected, a developer's machine), the empty chain is the cause and the metadata service
the alternative; where it shows an AWS host, the metadata failure stays first. Hosts, ids and paths are made up; each
message has the shape its SDK prints (sources in sigdoctor/awserrors/chain_end.py).
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

# aws-sdk-php 3.x src/Credentials/InstanceProfileProvider.php (DEFAULT_TIMEOUT = 1.0; Guzzle's "cURL error %s: %s")
PHP_PROBE = ("Aws\\Exception\\CredentialsException: Error retrieving credentials from the instance profile metadata "
             "service. (cURL error 28: Connection timed out after 1001 milliseconds (see "
             "https://curl.haxx.se/libcurl/c/libcurl-errors.html) for "
             "http://169.254.169.254/latest/meta-data/iam/security-credentials/)")
PHP_404 = ("[2024-02-01 10:00:00] {env}.ERROR: Error retrieving credentials from the instance profile metadata "
           "server. (Client error: `GET http://169.254.169.254/latest/meta-data/iam/security-credentials/` resulted in "
           "a `404 Not Found` response)")
# aws-sdk-js v2: CredentialProviderChain's error over EC2MetadataCredentials' (lib/http/node.js TimeoutError)
JS2_CHAIN = """{
  "message": "Missing credentials in config",
  "code": "CredentialsError",
  "originalError": {
    "message": "Could not load credentials from any providers",
    "code": "CredentialsError",
    "originalError": {
      "message": "Connection timed out after 1000ms",
      "code": "TimeoutError"
    }
  }
}"""
JS2_HOST_DOWN = ("Error: connect EHOSTDOWN 169.254.169.254:80 - Local (192.168.1.20:50123)\n"
                 "    at internalConnect (node:net:1100:16) {\n"
                 "  message: 'Could not load credentials from any providers',\n"
                 "  code: 'CredentialsError',\n  syscall: 'connect',\n  address: '169.254.169.254',\n  port: 80,\n"
                 "  originalError: {\n    message: 'EC2 Metadata roleName request returned error',\n"
                 "    code: 'EHOSTDOWN',")
# Terraform AWS provider (Go v2 config chain; the IMDS client's 250 ms dialer, aws-sdk-go-v2 PR #460)
TERRAFORM_DIAL = ("│ Error: error configuring Terraform AWS Provider: no valid credential sources for Terraform AWS "
                  "Provider found.\n│\n│ Error: failed to refresh cached credentials, no EC2 IMDS role found, "
                  "operation error ec2imds: GetMetadata, request send failed, Get \"http://169.254.169.254/latest/"
                  "meta-data/iam/security-credentials/\": dial tcp 169.254.169.254:80: i/o timeout\n")
TERRAFORM_404 = ("│ Error: error configuring Terraform AWS Provider: no valid credential sources for Terraform AWS "
                 "Provider found.\n│\n│ Error: failed to refresh cached credentials, no EC2 IMDS role found, "
                 "operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS "
                 "failed\n")
GO2_TIMEOUT = ("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
               "canceled, context deadline exceeded")


def _names(text: str) -> list[str]:
    return [c for c, _ in text_causes(text)]


@pytest.mark.parametrize("text", [PHP_PROBE, JS2_CHAIN, JS2_HOST_DOWN, TERRAFORM_DIAL],
                         ids=["php-1s-probe", "js2-1s-probe", "js2-ehostdown", "go2-250ms-dial"])
def test_a_metadata_connect_that_never_completed_reads_nothing_configured_first(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.ERROR)
    assert ("imds-unreachable", Severity.WARNING) in causes[1:3]
    assert "endpoint-unreachable" not in _names(text)


@pytest.mark.parametrize("cue", [
    "We run it on our EC2 instance i-0abc1234def567890.",
    "Seems fine most of the time, but we randomly get this:",
    "[ec2-user@ip-10-0-12-34 app]$ php artisan queue:work",
])
def test_an_aws_host_or_an_intermittent_failure_keeps_the_metadata_service_first(cue: str) -> None:
    causes = text_causes(f"{cue}\n{PHP_PROBE}")
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert causes[1] == ("no-credentials", Severity.WARNING)


def test_a_refused_metadata_connect_keeps_the_metadata_service_first() -> None:
    text = PHP_PROBE.replace("cURL error 28: Connection timed out after 1001 milliseconds",
                             "cURL error 7: Failed to connect to 169.254.169.254 port 80: Connection refused")
    assert text_causes(text)[0] == ("imds-unreachable", Severity.ERROR)


def test_a_metadata_no_role_answer_on_a_developer_machine_reads_nothing_configured_first() -> None:
    assert text_causes(PHP_404.format(env="local"))[:2] == [("no-credentials", Severity.ERROR),
                                                            ("imds-no-role", Severity.WARNING)]
    # The same answer logged by a production app: the instance without a role stays first.
    assert text_causes(PHP_404.format(env="production"))[0] == ("imds-no-role", Severity.ERROR)


def test_terraforms_empty_chain_over_a_metadata_answer_reads_nothing_configured_first() -> None:
    names = _names(TERRAFORM_404)
    assert text_causes(TERRAFORM_404)[0] == ("no-credentials", Severity.ERROR)
    assert "imds-no-role" in names[:3]


def test_a_go_v2_timeout_with_no_cue_reads_the_empty_chain_first_and_metadata_next() -> None:
    # Canceled on the context: the token's answer (a hop limit) or the connect, the text cannot tell; with no cue of a
    # container or an AWS host the hop limit cannot lead (pass 11: chain_end.timeout_without_container).
    causes = text_causes(GO2_TIMEOUT)
    assert causes[0] == ("no-credentials", Severity.ERROR)
    assert {"imds-hop-limit", "imds-unreachable"} <= set(_names(GO2_TIMEOUT)[1:3])
    # From a Kubernetes controller (klog header): the same.
    klog = f'E0403 07:49:56.586755       1 controller.go:162] "re-queuing item" err="{GO2_TIMEOUT}"'
    assert text_causes(klog)[0] == ("imds-hop-limit", Severity.ERROR)
