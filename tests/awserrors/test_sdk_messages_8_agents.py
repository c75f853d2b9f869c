"""What `decode` makes of the messages of checks/errors/agents8.toml: Vector's CloudWatch Logs healthcheck and the
Rust SDK's "failed to construct request", the fluentd Elasticsearch / OpenSearch plugins' credential lookup, the AWS
SDK for Go v2 when a credential service's call runs out of time, Ruby's Net::HTTP timeout under Seahorse, the Rust
SDK's aws-config credential errors, the ADOT / OTel exporters' region lookup, the AWS Common Runtime (aws-c-auth)
behind Mountpoint for Amazon S3, ECR's registry token as docker prints it, and elasticsearch-ruby's bare 403.

Each text has the shape its source prints (files cited in the table); ids, hosts and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.decode.reader import prefilter_words
from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

MESSAGES = [
    # Vector's CloudWatch Logs healthcheck: the group is not there.
    ("vector-no-group", "2024-02-01T10:00:00.000000Z ERROR vector::topology::builder: msg=\"Healthcheck failed.\" "
                        "error=No log group found component_kind=\"sink\" component_type=\"aws_cloudwatch_logs\"",
     "target-not-found"),
    ("vector-group-mismatch", "ERROR vector::topology::builder: msg=\"Healthcheck failed.\" error=Group name mismatch: "
                              "expected app-logs, found app-logs-old component_type=\"aws_cloudwatch_logs\"",
     "target-not-found"),
    # The Rust SDK's ConstructionFailure with nothing after it.
    ("vector-construct", "2024-02-01T10:00:00Z ERROR vector::topology::builder: msg=\"Healthcheck failed.\" "
                         "error=DescribeLogGroups failed: failed to construct request component_kind=\"sink\"",
     "no-credentials"),
    # fluentd's AWS Elasticsearch / OpenSearch outputs.
    ("fluentd-es", "2023-01-10 05:47:40 +0000 [error]: #0 unexpected error error_class=RuntimeError error=\"No valid "
                   "AWS credentials found.\"", "no-credentials"),
    # Go v2 (smithy): STS, SSO and the container endpoint ran out of time.
    ("go2-sts-deadline", "get identity: get credentials: failed to refresh cached credentials, operation error STS: "
                         "AssumeRoleWithWebIdentity, request canceled, context deadline exceeded",
     "endpoint-unreachable"),
    ("go2-sts-quota", "operation error STS: GetCallerIdentity, failed to get rate limit token, retry quota exceeded, "
                      "0 available, 5 requested", "endpoint-unreachable"),
    ("go2-sso-deadline", "operation error SSO: GetRoleCredentials, https response error StatusCode: 0, RequestID: , "
                         "canceled, context deadline exceeded", "endpoint-unreachable"),
    ("go2-sts-smithy-canceled", "operation error STS: AssumeRole, canceled, context deadline exceeded",
     "endpoint-unreachable"),
    ("go2-container-deadline", "failed to refresh cached credentials, operation error CredentialsEndpoint: "
                               "GetCredentials, request canceled, context deadline exceeded",
     "container-credentials-failed"),
    # Ruby: Net::OpenTimeout's "execution expired" under Seahorse, in either order.
    ("ruby-seahorse-first", "error_class=Seahorse::Client::NetworkingError error=\"execution expired\"",
     "endpoint-unreachable"),
    ("ruby-message-first", "  Error: execution expired\n  Exception: Seahorse::Client::NetworkingError\n  Stack: "
                           "uri:classloader:/META-INF/jruby.home/lib/ruby/stdlib/net/http.rb:941:in `connect'",
     "endpoint-unreachable"),
    # The Rust SDK's aws-config.
    ("rust-imds-read-timeout", "provider in chain did not provide credentials provider=Ec2InstanceMetadata "
                               "context=the credential provider was not enabled: could not communicate with IMDS: "
                               "dispatch failure: timeout: HTTP read timeout occurred after 1s: timed out",
     "imds-hop-limit"),
    ("rust-imds-token", "failed to load IMDS session token: dispatch failure: timeout: HTTP read timeout occurred "
                        "after 1s", "imds-hop-limit"),
    ("rust-imds-connect", "could not communicate with IMDS: dispatch failure: io error: tcp connect error: Connection "
                          "refused (os error 111)", "imds-unreachable"),
    ("rust-imds-404", "WARN aws_config::imds::credentials: received 404 from IMDS when loading profile information. "
                      "Hint: This instance may not have an IAM role associated.", "imds-no-role"),
    ("rust-invalid-config", "the credentials provider was not properly configured: profile `ci` did not contain "
                            "credential information", "profile-invalid"),
    # The ADOT / OTel AWS exporters' region lookup.
    ("adot-no-region", "NoAwsRegion: Cannot fetch region variable from config file, environment variables and ec2 "
                       "metadata.", "imds-hop-limit"),
    # Mountpoint for Amazon S3 and the CRT's providers.
    ("mountpoint-old", "Error: Failed to create S3 client\n\nCaused by:\n    0: initial ListObjectsV2 failed for bucket "
                       "my-bucket in region us-east-1\n    1: Client error\n    2: No signing credentials found",
     "no-credentials"),
    ("mountpoint-new", "Error: Failed to create S3 client\nCaused by:\n    1: Client error\n    2: No signing "
                       "credentials available, see CRT debug logs", "no-credentials"),
    ("mountpoint-profile", "mount-s3 my-bucket /mnt/s3 --profile analytics\nError: Failed to create S3 client\n\n"
                           "Caused by:\n    1: Client error\n    2: No signing credentials found", "profile-invalid"),
    ("crt-imds", "aws-c-auth: AWS_AUTH_CREDENTIALS_PROVIDER_IMDS_SOURCE_FAILURE, Valid credentials could not be "
                 "sourced by the IMDS provider", "imds-unreachable"),
    ("crt-profile", "Valid credentials could not be sourced by a profile provider", "profile-invalid"),
    ("crt-ecs", "AWS_AUTH_CREDENTIALS_PROVIDER_ECS_SOURCE_FAILURE", "container-credentials-failed"),
    ("crt-web-identity", "Valid credentials could not be sourced by the sts web identity provider",
     "web-identity-rejected"),
    ("crt-sts", "Valid credentials could not be sourced by the STS provider", "role-trust-denied"),
    ("crt-sign-none", "AWS_AUTH_SIGNING_NO_CREDENTIALS: Attempt to sign an http request without credentials",
     "no-credentials"),
    # ECR's registry token as docker prints it, both wordings.
    ("ecr-expired", "ERROR: denied: Your authorization token has expired. Reauthenticate and try again.",
     "credentials-expired"),
    ("ecr-expired-old", "ERROR: denied: Your Authorization Token has expired. Please run 'aws ecr get-login' to fetch "
                        "a new one.", "credentials-expired"),
    ("ecr-no-login", "Error response from daemon: Get \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/\": "
                     "no basic auth credentials", "no-credentials"),
    ("ecr-no-repo", "name unknown: The repository with name 'agent' does not exist in the registry with id "
                    "'111122223333'", "target-not-found"),
    # goofys' mount test: a bucket S3 does not know.
    ("goofys-no-bucket", "May 27 17:40:31 host goofys[7079]: main.ERROR bucket logs-archive does not exist",
     "target-not-found"),
    # A token refused as issued in the verifier's future, in each JWT library's words.
    ("java-jwt-nbf", "com.auth0.jwt.exceptions.InvalidClaimException: The Token can't be used before Sun Jan 23 "
                     "21:29:11 EST 2022.", "clock-skew"),
    ("pyjwt-iat", "jwt.exceptions.ImmatureSignatureError: The token is not yet valid (iat)", "clock-skew"),
    ("node-jwt-nbf", "NotBeforeError: jwt not active", "clock-skew"),
    ("go-jwt-iat", "token validation failed: Token used before issued", "clock-skew"),
    # The instance's metadata options with a hop limit of 1 (describe-instances, Terraform, the CLI flag).
    ("hop-limit-describe", "\"MetadataOptions\": {\"State\": \"applied\", \"HttpTokens\": \"required\", "
                           "\"HttpPutResponseHopLimit\": 1, \"HttpEndpoint\": \"enabled\"}", "imds-hop-limit"),
    ("hop-limit-terraform", "metadata_options {\n  http_tokens = \"required\"\n  http_put_response_hop_limit = 1\n}",
     "imds-hop-limit"),
    # AWS's "Signature expired" message quoted without its lead.
    ("aws-expired-dates", "20150307T194740Z is now earlier than 20150309T203545Z (20150309T204045Z - 5 min.)",
     "clock-skew"),
    ("aws-not-yet-dates", "20240307T204740Z is still later than 20240307T193545Z (20240307T200045Z + 15 min.)",
     "clock-skew"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_message_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    assert causes[0] == (cause, Severity.ERROR), (printer, causes)


@pytest.mark.parametrize(("text", "second"), [
    # The plugins read IRSA only when told to: the pod's web identity is the other reading.
    ("error_class=RuntimeError error=\"No valid AWS credentials found.\"", "sdk-unsupported-credential-source"),
    # A profile the CRT's chain cannot use (an SSO session) while the CLI can.
    ("mount-s3 b /mnt --profile sso-admin\nCaused by:\n    1: Client error\n    2: No signing credentials found",
     "sdk-unsupported-credential-source"),
    # Go v2 STS timing out: the global endpoint beside a regional-only network.
    ("operation error STS: AssumeRole, request canceled, context deadline exceeded", "sts-global-endpoint"),
])
def test_the_other_reading_is_offered_second(text: str, second: str) -> None:
    assert [c for c, _ in text_causes(text)][1] == second


@pytest.mark.parametrize("text", [
    "2015-12-02 14:07:16 +0000 [warn]: temporarily failed to flush the buffer. error_class=\"Elasticsearch::Transport"
    "::Transport::Errors::Forbidden\" error=\"[403] \" plugin_id=\"object:3f86b8f81adc\"",
    "OpenSearch::Transport::Transport::Errors::Forbidden: [403] ",
    "opensearchpy.exceptions.AuthorizationException: AuthorizationException(403, '')",
])
def test_a_bare_403_of_the_ruby_search_clients_gives_ranked_warnings(text: str) -> None:
    causes = text_causes(text)
    assert [c for c, _ in causes[:2]] == ["permission-missing", "request-not-signed"]
    assert all(sev != Severity.ERROR for _, sev in causes)


@pytest.mark.parametrize(("text", "first_three"), [
    # goofys' mount test answered 403: the HEAD's bare status.
    ("main.ERROR Unable to access 'logs-archive': permission denied\nmain.FATAL Mounting file system: Mount: "
     "initialization failed", ["permission-missing", "access-key-invalid", "credentials-expired"]),
    # aws-sdk-go v1's debug dump of a HeadObject's bodiless 403: the missing key first (pass 11).
    ("2023/12/27 17:29:01 s3.DEBUG DEBUG: Response s3/HeadObject Details:\n---[ RESPONSE ]------------\n"
     "HTTP/1.1 403 Forbidden\nConnection: close\nContent-Type: application/xml\nServer: AmazonS3\n",
     ["target-not-found", "permission-missing", "credentials-expired"]),
])
def test_a_bare_403_of_a_head_gives_ranked_warnings(text: str, first_three: list[str]) -> None:
    causes = text_causes(text)
    assert [c for c, _ in causes[:3]] == first_three
    assert all(sev != Severity.ERROR for _, sev in causes)


@pytest.mark.parametrize("text", [
    # The detail after the colon is the cause: the Rust SDK's empty chain, read by its own entry.
    "error=failed to construct request: No credentials in the property bag",
    # A caller that cancelled its own context is no network failure.
    "operation error STS: GetCallerIdentity, request canceled, context canceled",
    # A hop limit of 2 is the fix, not the cause.
    "\"HttpPutResponseHopLimit\": 2, \"HttpTokens\": \"required\"",
    # Other programs' "no signing credentials" (code signing, JWTs) are no AWS failure.
    "WARNING: No signing credentials found. Building with debug signing.",
])
def test_neighbouring_wordings_are_not_read_as_these(text: str) -> None:
    causes = [c for c, _ in text_causes(text)]
    assert "endpoint-unreachable" not in causes
    if "HopLimit" in text:
        assert causes == []
    if "property bag" not in text:
        assert "no-credentials" not in causes


@pytest.mark.parametrize("text", [
    "error_class=Seahorse::Client::NetworkingError error=\"Failed to open TCP connection to 169.254.169.254:80 "
    "(execution expired)\"",
    "Error: Failed to open TCP connection to 169.254.169.254:80 (execution expired)\n  Exception: "
    "Seahorse::Client::NetworkingError",
])
def test_a_ruby_timeout_to_instance_metadata_stays_an_instance_metadata_failure(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert "endpoint-unreachable" not in [c for c, _ in causes]


def test_the_fluent_bit_client_anchor_marks_no_letter_of_amazonaws() -> None:
    # "z" (of "initialization") in the scan's marked set made every amazonaws.com URL a match attempt.
    from sigdoctor.decode.reader import SCANNER
    from sigdoctor.decode.scan import marked_set

    assert "[aws_client]" in prefilter_words()
    assert not set("amazonaws") & marked_set(SCANNER.words)


def test_a_fluent_bit_connection_line_is_still_read_alone() -> None:
    text = "[2024/05/01 10:00:00] [error] [aws_client] connection initialization error"
    causes = text_causes(text)
    assert [c for c, _ in causes[:2]] == ["endpoint-unreachable", "proxy-misconfigured"]
    assert all(sev != Severity.ERROR for _, sev in causes)
