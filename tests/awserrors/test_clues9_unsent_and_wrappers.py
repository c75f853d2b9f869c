"""What the text shows and the readings must follow (pass 9): a call the client never sent (no region), a class
name of a network failure that belongs to another package or wraps an answer, and STS's GetCallerIdentity, which no
policy can deny. Real messages in, the report's ranked causes out; keys, accounts and hosts are made up."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


def _errors(text: str) -> list[str]:
    return [c for c, s in _causes(text) if s == ERROR]


# --- a client with no region sent nothing ------------------------------------------------------------------------

NO_REGION = [
    # Go v2 endpoint rule sets, inside a credential provider's web identity call (cert-manager, external-dns …)
    'err="failed to determine Route 53 hosted zone ID: operation error Route 53: ListHostedZonesByName, get identity: '
    "get credentials: failed to refresh cached credentials, failed to retrieve credentials, operation error STS: "
    'AssumeRoleWithWebIdentity, failed to resolve service endpoint, endpoint rule error, Invalid Configuration: '
    'Missing Region"',
    # Go v2 before endpoint rule sets
    "validating provider credentials: retrieving caller identity from STS: operation error STS: GetCallerIdentity, "
    "failed to resolve service endpoint, an AWS region is required, but was not found",
    # Go v1
    "level=error msg=\"failed to assume role\" err=\"WebIdentityErr: failed to retrieve credentials\\ncaused by: "
    "MissingRegion: could not find region configuration\"",
    # botocore / the CLI
    "botocore.exceptions.NoRegionError: You must specify a region.",
    # Java 1.x and 2.x
    "com.amazonaws.SdkClientException: Unable to find a region via the region provider chain. Must provide an explicit "
    "region in the builder or setup environment to supply a region.",
    "software.amazon.awssdk.core.exception.SdkClientException: Unable to load region from any of the providers in the "
    "chain software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain@6e1b9411: "
    "[software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider@1e4d93f7: Unable to load region from "
    "system settings. Region must be specified either via environment variable (AWS_REGION) or  system property "
    "(aws.region).]",
    # JavaScript v2 and v3, .NET, PHP, Ruby
    "ConfigError: Missing region in config\n    at Request.VALIDATE_REGION (/app/node_modules/aws-sdk/lib/"
    "event_listeners.js:92:45)",
    "CredentialsProviderError: Could not load credentials from any providers\n Error: Region is missing\n    at "
    "default (/app/node_modules/@smithy/config-resolver/dist-cjs/index.js:117:11)",
    "Amazon.Runtime.AmazonClientException: No RegionEndpoint or ServiceURL configured\n   at "
    "Amazon.Runtime.ClientConfig.Validate()",
    'Missing required client configuration options: \n\nregion: (string)\n\n  A "region" configuration value is '
    'required for the "sts" service (e.g., "us-west-2").',
    "Aws::Errors::MissingRegionError: missing region; use :region option or export region name to ENV['AWS_REGION']",
    # an S3 gateway's own web identity call (nginx-s3-gateway's awscredentials.js)
    '2023/03/23 17:23:00 [info] 76#76: *10 js: Could not assume role using web identity: "Missing required '
    'AWS_REGION env variable"',
]


@pytest.mark.parametrize("text", NO_REGION)
def test_a_client_without_region_names_no_error_cause(text: str) -> None:
    assert _errors(text) == []
    assert "no region" in _messages(text)


def test_the_web_identity_call_with_its_region_keeps_its_readings() -> None:
    text = ("operation error STS: AssumeRoleWithWebIdentity, failed to refresh cached credentials, "
            "failed to retrieve credentials")
    assert _causes(text)[0] == ("role-trust-denied", ERROR)


# --- network class names: the package decides ---------------------------------------------------------------------

KAFKA_CHAIN = ("org.apache.kafka.connect.errors.ConnectException: software.amazon.awssdk.core.exception."
               "SdkClientException: Unable to load credentials from any of the providers in the chain "
               "AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), "
               "EnvironmentVariableCredentialsProvider(), WebIdentityTokenCredentialsProvider(), "
               "ProfileCredentialsProvider(), ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()])")


def test_kafka_connects_connect_exception_is_no_tcp_failure() -> None:
    causes = _causes(KAFKA_CHAIN)
    assert undecided_first(KAFKA_CHAIN) == "no-credentials"
    assert "endpoint-unreachable" not in [c for c, _ in causes]


@pytest.mark.parametrize("text", [
    "java.net.ConnectException: Connection refused (Connection refused)\n\tat java.net.PlainSocketImpl.socketConnect"
    "(Native Method)",
    "com.amazonaws.thirdparty.apache.http.conn.HttpHostConnectException: Connect to s3.eu-west-1.amazonaws.com:443 "
    "failed: Connection refused",
    "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: "
    "logs.us-east-1.amazonaws.com/52.46.1.1:443",
    'GuzzleHttp\\Exception\\ConnectException: cURL error 7: Failed to connect to sts.amazonaws.com port 443: '
    "Connection refused",
])
def test_the_network_packages_own_classes_stay_connect_failures(text: str) -> None:
    assert _causes(text)[0] == ("endpoint-unreachable", ERROR)


def test_kafka_wrapping_a_real_connect_timeout_keeps_it() -> None:
    text = ("org.apache.kafka.connect.errors.ConnectException: com.amazonaws.SdkClientException: Unable to execute "
            "HTTP request: Connect to s3.amazonaws.com:443 [s3.amazonaws.com/52.216.192.27] failed: connect timed out")
    assert "endpoint-unreachable" in [c for c, _ in _causes(text)][:2]


def test_a_connect_exception_caused_by_an_s3_answer_is_the_answer() -> None:
    text = ('ConnectException: "Failed to resume TopicPartition from S3"\n'
            "Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: The request signature we calculated does "
            "not match the signature you provided. Check your key and signing method. (Service: Amazon S3; Status "
            "Code: 403; Error Code: SignatureDoesNotMatch; Request ID: 4442587FB7D0A2F9; S3 Extended Request ID: "
            "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==)")
    causes = [c for c, _ in _causes(text)]
    assert causes[0] == "secret-key-mismatch"
    assert "endpoint-unreachable" not in causes


def test_an_ldap_authentication_exception_is_no_certificate() -> None:
    text = ("javax.naming.AuthenticationException: [LDAP: error code 49 - Invalid Credentials]\n"
            "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
            "arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: "
            "arn:aws:iam::123456789012:role/deploy")
    assert "tls-untrusted" not in [c for c, _ in _causes(text)]


def test_dotnets_authentication_exception_is_the_certificate() -> None:
    text = ("System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of "
            "errors in the certificate chain: UntrustedRoot (https://logs.eu-west-1.amazonaws.com/)")
    assert _causes(text)[0] == ("tls-untrusted", ERROR)


# --- GetCallerIdentity: no policy can deny it -----------------------------------------------------------------------

AUTHENTICATOR_403 = ('time="2018-08-08T16:41:30Z" level=warning msg="access denied" client="127.0.0.1:27688" '
                     'error="sts getCallerIdentity failed: error from AWS (expected 200, got 403)" method=POST '
                     "path=/authenticate")


def test_a_refused_get_caller_identity_is_never_a_missing_permission() -> None:
    causes = _causes(AUTHENTICATOR_403)
    assert [c for c, _ in causes][:2] == ["access-key-invalid", "credentials-expired"]
    assert "permission-missing" not in [c for c, _ in causes]
    assert all(s == WARNING for _, s in causes)
    assert "needs no permission" in _messages(AUTHENTICATOR_403)


def test_a_denial_of_another_action_stays_a_missing_permission() -> None:
    text = ("An error occurred (AccessDenied) when calling the PutObject operation: User: "
            "arn:aws:iam::123456789012:user/ci is not authorized to perform: s3:PutObject on resource: "
            "arn:aws:s3:::logs/x")
    assert _causes(text)[0] == ("permission-missing", ERROR)


# --- the SDK's own input validation refused the call ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "field"), [
    ("Error: IAM Role (arn:aws:iam::123456789012:role/x) cannot be assumed. caused by: InvalidParameter: 1 validation "
     "error(s) found.\n- minimum field size of 20, AssumeRoleInput.RoleArn.", "AssumeRoleInput.RoleArn"),
    ("get credentials: failed to refresh cached credentials, operation error STS: AssumeRoleWithWebIdentity, 1 "
     "validation error(s) found.\n- minimum field size of 20, AssumeRoleWithWebIdentityInput.RoleArn.",
     "AssumeRoleWithWebIdentityInput.RoleArn"),
    ("ERROR: InvalidParameter: 1 validation errors:\n- field too short, minimum length 1: LogGroupName",
     "LogGroupName"),
    ("botocore.exceptions.ParamValidationError: Parameter validation failed:\nMissing required parameter in input: "
     '"Bucket"', "Bucket"),
])
def test_a_call_the_sdk_refused_to_send_names_its_field_and_no_error_cause(text: str, field: str) -> None:
    assert _errors(text) == []
    assert f"the field {field} is missing" in _messages(text)


def test_aws_own_validation_answer_is_not_the_sdks() -> None:
    text = ("An error occurred (ValidationException) when calling the PutLogEvents operation: 1 validation error "
            "detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null")
    assert "refused the call before sending it" not in _messages(text)
