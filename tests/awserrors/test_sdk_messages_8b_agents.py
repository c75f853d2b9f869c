"""What `decode` makes of the messages of checks/errors/agents8b.toml: the AWS SDK for C++ (its metadata and container
credential clients, curl's numbered errors under CurlHttpClient), curl's own connect / transfer timeouts, the AWS SDK
for Ruby v1's missing-credentials banner, the Java and .NET credential_process providers, Erlang's aws_credentials,
acme.sh's Route 53 hook, aws-efs-csi-driver, aws-node-termination-handler and nginx-s3-gateway.

Each text has the shape its source prints (files cited in the table); ids, hosts and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.decode.reader import prefilter_words
from sigdoctor.model import Severity
from tests.decode.conftest import read_causes, text_causes, undecided_first

CPP = "[ERROR] 2024-01-01 10:00:00.000 {tag} [140737329288256] {msg}"


def cpp(*lines: tuple[str, str]) -> str:
    return "\n".join(CPP.format(tag=tag, msg=msg) for tag, msg in lines)


MESSAGES = [
    # The C++ SDK's metadata client: a refused connect to instance metadata is nothing listening there.
    ("cpp-imds-refused", cpp(("CurlHttpClient", "Curl returned error code 7 - Couldn't connect to server"),
                             ("EC2MetadataClient", "Http request to retrieve credentials failed"),
                             ("EC2MetadataClient", "Can not retrieve resource from "
                                                   "http://169.254.169.254/latest/meta-data/iam/security-credentials")),
     "imds-unreachable"),
    ("cpp-imds-refused-curl8", cpp(("CurlHttpClient", "Curl returned error code 7 - Could not connect to server"),
                                   ("EC2MetadataClient", "Can not retrieve resource from "
                                                         "http://169.254.169.254/latest/meta-data/iam/security-credentials")),
     "imds-unreachable"),
    # ... while a timeout on the IMDSv2 token is what a hop limit of 1 does to a container.
    ("cpp-imds-token-timeout", cpp(("CurlHttpClient", "Curl returned error code 28 - Timeout was reached"),
                                   ("EC2MetadataClient", "Http request to retrieve credentials failed"),
                                   ("EC2MetadataClient", "Can not retrieve resource from "
                                                         "http://169.254.169.254/latest/api/token")),
     "imds-hop-limit"),
    ("cpp-container", cpp(("ECSCredentialsClient", "Can not retrieve resource from "
                                                   "http://169.254.170.2/v2/credentials/0a1b2c3d")),
     "container-credentials-failed"),
    # curl's numbered TLS and proxy errors (the C++ SDK's wording and curl's own).
    ("cpp-ca-file", cpp(("CurlHttpClient", "Curl returned error code 77 - Problem with the SSL CA cert (path? "
                                           "access rights?)")), "tls-untrusted"),
    ("curl-ca-file", "curl: (77) error setting certificate verify locations:  CAfile: /etc/ssl/certs/ca-bundle.crt "
                     "CApath: none", "tls-untrusted"),
    ("cpp-peer-cert", cpp(("CurlHttpClient", "Curl returned error code 60 - SSL peer certificate or SSH remote key "
                                             "was not OK")), "tls-untrusted"),
    ("curl-old-peer-cert", "curl: (60) Peer certificate cannot be authenticated with given CA certificates",
     "tls-untrusted"),
    ("cpp-proxy-name", cpp(("CurlHttpClient", "Curl returned error code 5 - Couldn't resolve proxy name")),
     "proxy-misconfigured"),
    ("cpp-endpoint-refused", cpp(("CurlHttpClient", "Curl returned error code 7 - Couldn't connect to server"),
                                 ("AWSClient", "HTTP response code: -1")), "endpoint-unreachable"),
    ("curl-connect-timeout", "* Connection timed out after 5001 milliseconds\n* Closing connection 0\ncurl: (28) "
                             "Connection timed out after 5001 milliseconds", "endpoint-unreachable"),
    # The AWS SDK for Ruby v1 (fluent-plugin-s3 0.x): its chain found nothing.
    ("ruby-v1-missing", "2015-03-20 10:34:29 +0000 [error]: failed to configure/start sub output s3: \nMissing "
                        "Credentials.\n\nUnable to find AWS credentials.  You can configure your AWS credentials\na few "
                        "different ways:\n", "no-credentials"),
    # credential_process under the Java and .NET SDKs.
    ("java1-process", "java.lang.IllegalStateException: Command returned non-zero exit value: 127", "profile-invalid"),
    ("java2-process", "java.lang.IllegalStateException: Command returned non-zero exit value (1) with error message: "
                      "Error: session expired", "profile-invalid"),
    ("dotnet-process", "Amazon.Runtime.ProcessAWSCredentialException: Command returned non-zero exit value 127 with "
                       "the error - /bin/sh: aws-vault: not found", "profile-invalid"),
    # Erlang / Elixir aws_credentials.
    ("erlang-file", "19:02:51.792 pid=<0.229.0> module=aws_credentials [info] aws_credentials ignoring exception "
                    ":error::badarg ([\n  {:jsx_decoder, :value, 4, []},\n  {:aws_credentials_file, "
                    ":read_from_profile, 2, []}", "profile-invalid"),
    ("erlang-ec2", "aws_credentials ignoring exception error:{badmatch,{error,timeout}} ([{aws_credentials_ec2,fetch,"
                   "1,[{file,\"src/aws_credentials_ec2.erl\"},{line,40}]}])", "no-credentials"),
    # acme.sh's Route 53 hook.
    ("acme-no-keys", "[Tue Sep 22 10:33:34 CST 2020] Unable to fetch IAM role from instance metadata\n[Tue Sep 22 "
                     "10:33:34 CST 2020] You haven't specifed the aws route53 api key id and and api key secret yet.",
     "no-credentials"),
    ("acme-no-keys-3", "[Sat Apr 22 16:26:34 UTC 2023] You haven't specified the aws route53 api key id and and api "
                       "key secret yet.", "no-credentials"),
    ("acme-token", "[Thu Mar  2 10:00:00 UTC 2023] Unable to fetch IMDSv2 token from instance metadata",
     "imds-hop-limit"),
    # aws-efs-csi-driver.
    ("efs-csi", "F0127 18:13:01.145009       1 driver.go:54] could not get metadata from AWS: EC2 instance metadata "
                "is not available", "imds-unreachable"),
    ("efs-csi-node-name", "E0101 10:00:00.000000       1 driver.go:60] could not get metadata: instance metadata is "
                          "unavailable and CSI_NODE_NAME env var not set", "imds-unreachable"),
    # aws-node-termination-handler's own metadata client refused without a token.
    ("nth-401", "2022/08/08 11:43:01 WRN There was a problem monitoring for events error=\"There was a problem "
                "checking for spot ITNs: Metadata request received http status code: 401\" event_type=SPOT_ITN",
     "imds-hop-limit"),
    # nginx-s3-gateway's credential lookup.
    ("nginx-s3-ec2", "2024/01/01 10:00:00 [error] 41#41: *3 js: Could not load EC2 task role credentials: "
                     "{\"message\":\"timeout\"}", "imds-hop-limit"),
    ("nginx-s3-ecs", "2024/01/01 10:00:00 [error] 41#41: *3 js: Could not load ECS task role credentials: {}",
     "container-credentials-failed"),
    ("nginx-s3-web-identity", "2024/01/01 10:00:00 [error] 41#41: *3 js: Could not assume role using web identity: "
                              "{}", "web-identity-rejected"),
]


# A chain end naming no source that failed, a denial naming no action: the text cannot decide (the first reading, a
# warning, says so).
_UNDECIDED = {"acme-no-keys-3"}


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_message_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    if printer in _UNDECIDED:
        assert undecided_first(text) == cause, printer
    else:
        assert causes[0] == (cause, Severity.ERROR), (printer, causes)


@pytest.mark.parametrize(("text", "second"), [
    # A timeout to instance metadata is also nothing answering there.
    (cpp(("EC2MetadataClient", "Can not retrieve resource from http://169.254.169.254/latest/api/token")),
     "imds-unreachable"),
    # A chain whose 1 s metadata connect never completed: nothing configured first (pass 10, chain_end.py), the
    # metadata service the other reading.
    ("curl -L --connect-timeout 1 http://169.254.169.254/latest/meta-data/iam/security-credentials/\n== Info: "
     "Connection timed out after 1001 milliseconds\nUnable to fetch IAM role from instance metadata\nYou haven't "
     "specifed the aws route53 api key id and and api key secret yet.", "imds-unreachable"),
    # The EFS driver: the node's hop limit where IMDSv2 is required.
    ("could not get metadata from AWS: EC2 instance metadata is not available", "imds-hop-limit"),
    # The gateway's instance-metadata lookup in a container that cannot reach it at all.
    ("js: Could not load EC2 task role credentials: {}", "imds-unreachable"),
    # A peer certificate that does not verify: a middlebox re-signing it.
    (cpp(("CurlHttpClient", "Curl returned error code 60 - SSL peer certificate or SSH remote key was not OK")),
     "tls-intercepted"),
    # Ruby v1 reads instance metadata once, over IMDSv1, and cannot use newer sources.
    ("Missing Credentials.\n\nUnable to find AWS credentials.  You can configure", "imds-unreachable"),
])
def test_the_other_reading_is_offered_second(text: str, second: str) -> None:
    assert [c for c, _ in text_causes(text)][1] == second


def test_a_connect_refused_to_instance_metadata_is_no_hop_limit() -> None:
    text = cpp(("CurlHttpClient", "Curl returned error code 28 - Timeout was reached"),
               ("EC2MetadataClient", "Can not retrieve resource from http://169.254.169.254/latest/api/token"),
               ("CurlHttpClient", "Curl returned error code 7 - Couldn't connect to server"),
               ("EC2MetadataClient", "Can not retrieve resource from "
                                     "http://169.254.169.254/latest/meta-data/iam/security-credentials"))
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("imds-hop-limit", Severity.ERROR) not in causes
    assert "endpoint-unreachable" not in [c for c, _ in causes]


@pytest.mark.parametrize("text", [
    # Other statuses of NTH's metadata client are no token refusal.
    "error=\"There was a problem checking for scheduled events: Metadata request received http status code: 500\"",
    # Other programs' non-zero exits are no credential_process.
    "Command returned non-zero exit value: 2",
    # curl's other numbered errors.
    cpp(("CurlHttpClient", "Curl returned error code 23 - Failed writing received data to disk/application")),
])
def test_neighbouring_wordings_are_not_read_as_these(text: str) -> None:
    assert read_causes(text) == []


def test_the_anchors_are_in_the_prefilter() -> None:
    # An anchor a shorter prefilter word is part of is found by that word.
    words = prefilter_words()
    for anchor in ("Curl returned error code", "EC2MetadataClient", "ProcessAWSCredentialException",
                   "Could not load EC2 task role credentials", "Metadata request received"):
        assert any(w in anchor for w in words), anchor


def test_a_cpp_metadata_failure_deep_in_a_large_log_is_found() -> None:
    noise = "\n".join(f"[DEBUG] 2024-01-01 10:00:{i % 60:02d}.000 CurlHandleContainer [1401] Returning "
                      "connection handle 0x7f97fc1b6a90" for i in range(3000))
    text = noise + "\n" + cpp(("CurlHttpClient", "Curl returned error code 7 - Couldn't connect to server"),
                              ("EC2MetadataClient", "Can not retrieve resource from "
                                                    "http://169.254.169.254/latest/meta-data/iam/security-credentials"))
    assert text_causes(text)[0] == ("imds-unreachable", Severity.ERROR)
