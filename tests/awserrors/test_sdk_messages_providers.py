"""What `decode` makes of the credential providers' own messages in the AWS SDKs for .NET, Java 1.x/2.x, JavaScript
v2/v3, PHP and Ruby (checks/errors/sdk-providers.toml): instance metadata without a role, a container endpoint that
does not answer or refuses, a profile the shared file lacks, a credential_process that fails, and the chain's last
source reached with nothing before it.

Each text has the shape its SDK prints (file and release cited in the table); hosts, paths and ids are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes, top_cause

MESSAGES = [
    # .NET
    ("dotnet-no-role", "Amazon.Runtime.AmazonServiceException: Unable to get EC2 instance role from EC2 Instance "
                       "Metadata Service.\n   at Amazon.Runtime.DefaultInstanceProfileAWSCredentials.FetchCredentials()",
     "imds-no-role"),
    ("dotnet-role-without-credentials", "Amazon.Runtime.AmazonServiceException: Unable to get credentials for role "
                                        "\"telemetry-role\" from EC2 Instance Metadata Service.", "imds-no-role"),
    ("dotnet-container-unreachable", "Amazon.Runtime.AmazonServiceException: Unable to reach credentials server\n ---> "
                                     "System.Net.Http.HttpRequestException: Connection refused (169.254.170.2:80)",
     "container-credentials-failed"),
    ("dotnet-container-refused", "Amazon.Runtime.AmazonServiceException: Unable to retrieve credentials. Message = "
                                 "\"Response status code does not indicate success: 400 (Bad Request).\"",
     "container-credentials-failed"),
    ("dotnet-container-token-newline", "System.InvalidOperationException: Authorization token must not contain the "
                                       "newline sequence.", "container-credentials-failed"),
    # Java
    ("java1-chain-off-ec2", "com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the "
                            "chain: [com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper@5ba95e9b: Failed to "
                            "connect to service endpoint: , com.amazonaws.auth.profile.ProfileCredentialsProvider@3c3b"
                            "b254: profile file cannot be null]", "no-credentials"),
    ("java2-imds-alone", "software.amazon.awssdk.core.exception.SdkClientException: Failed to load credentials from "
                         "IMDS.", "no-credentials"),
    ("java2-container-in-chain", "software.amazon.awssdk.core.exception.SdkClientException: Unable to load "
                                 "credentials from any of the providers in the chain AwsCredentialsProviderChain("
                                 "credentialsProviders=[EnvironmentVariableCredentialsProvider(), ContainerCredentials"
                                 "Provider(), InstanceProfileCredentialsProvider()]) : [EnvironmentVariableCredentials"
                                 "Provider(): Unable to load credentials from system settings., ContainerCredentials"
                                 "Provider(): Failed to load credentials from metadata service., InstanceProfile"
                                 "CredentialsProvider(): Failed to load credentials from IMDS.]",
     "container-credentials-failed"),
    # JavaScript
    ("js3-imds-error-answer", "ProviderError: Error response received from instance metadata service\n    at "
                              "ClientRequest.<anonymous> (/app/node_modules/@smithy/credential-provider-imds/dist-cjs/"
                              "index.js:90:25)", "imds-no-role"),
    ("js2-role-name", "{ message: 'Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1', "
                      "code: 'CredentialsError', originalError: { message: 'EC2 Metadata roleName request returned "
                      "error', code: 'EHOSTDOWN', syscall: 'connect', address: '169.254.169.254', port: 80 } }",
     "no-credentials"),
    # PHP
    ("php-profile-missing", "PHP Fatal error:  Uncaught Aws\\Exception\\CredentialsException: 'telemetry' not found in "
                            "credentials file", "profile-invalid"),
    ("php-profile-without-keys", "Aws\\Exception\\CredentialsException: No credentials present in INI profile "
                                 "'default' (/var/www/.aws/credentials)", "profile-invalid"),
    ("php-ecs", "Aws\\Exception\\CredentialsException: Error retrieving credential from ECS (cURL error 7: Failed to "
                "connect to 169.254.170.2 port 80: Connection refused)", "container-credentials-failed"),
    ("php-unsupported-host", "PHP Fatal error:  Uncaught InvalidArgumentException: Uri 'http://169.254.170.23/v1/"
                             "credentials' contains an unsupported host.", "sdk-unsupported-credential-source"),
    # botocore
    ("botocore-source-profile", "botocore.exceptions.InvalidConfigError: The source profile \"base\" must have "
                                "credentials.", "profile-invalid"),
    ("botocore-profile-loop", "botocore.exceptions.InfiniteLoopConfigError: Infinite loop in credential configuration "
                              "detected. Attempting to load from profile a which has already been visited. Visited "
                              "profiles: a, b", "profile-invalid"),
    ("botocore-credential-process", "botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials "
                                    "from custom-process: exit status 1", "profile-invalid"),
    ("botocore-mfa-refresh", "botocore.exceptions.RefreshWithMFAUnsupportedError: Cannot refresh credentials: MFA "
                             "token required.", "sdk-unsupported-credential-source"),
    # Rust
    ("rust-timed-out", "failed to construct request: Credentials provider timed out after 5 seconds", "no-credentials"),
    ("rust-invalid-profile", "The credentials provider was not properly configured: profile `telemetry` was not "
                             "defined", "profile-invalid"),
    # Ruby
    ("ruby-imds-404", "Aws::InstanceProfileCredentials::Non200Response: HTTP 404", "imds-no-role"),
    ("ruby-imds-token", "/srv/gems/aws-sdk-core-3.130.0/lib/aws-sdk-core/instance_profile_credentials.rb:200:in "
                        "`fetch_token': Aws::InstanceProfileCredentials::TokenRetrivalError", "imds-unreachable"),
    ("ruby-ecs", "Aws::ECSCredentials::Non200Response: Aws::ECSCredentials::Non200Response",
     "container-credentials-failed"),
    ("ruby-process", "Aws::Errors::InvalidProcessCredentialsPayload: credential_process provider failure, the "
                     "credential process had non zero exit status and failed to provide credentials",
     "profile-invalid"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_provider_message_gives_its_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer



def test_an_empty_java_chain_offers_instance_metadata_next() -> None:
    causes = [c for c, _ in text_causes(MESSAGES[5][1])]
    assert causes[0] == "no-credentials"
    assert "imds-unreachable" in causes[1:4]


def test_the_rust_chain_s_debug_lines_for_unconfigured_providers_are_no_error() -> None:
    # aws-config logs CredentialsNotLoaded for each provider it passes; only the chain's end is a failure.
    text = ("2026-12-06T10:00:00.000000Z DEBUG aws_config::meta::credentials::chain: provider in chain did not provide "
            "credentials, provider: Profile, context: the credential provider was not enabled: profile `default` did "
            "not contain credential information (CredentialsNotLoaded(CredentialsNotLoaded { source: "
            "ProfileDidNotContainCredentials { profile: \"default\" } }))")
    assert all(sev == Severity.WARNING for _, sev in text_causes(text))


def test_instance_metadata_disabled_on_purpose_is_only_a_warning() -> None:
    # The SDK says so whenever something still asks instance metadata (a region lookup at start-up, too).
    causes = text_causes("com.amazonaws.AmazonClientException: EC2 Instance Metadata Service is disabled")
    assert causes and all(sev == Severity.WARNING for _, sev in causes)


def test_a_java_metadata_lookup_warning_off_ec2_is_no_error() -> None:
    # EC2MetadataUtils logs the failed lookup and the exception under it; the application goes on.
    text = ("2026-12-06 10:00:00,000 [main] WARN  util.EC2MetadataUtils (EC2MetadataUtils.java:getItems(410)) - "
            "Unable to retrieve the requested metadata (/latest/dynamic/instance-identity/document). Failed to "
            "connect to service endpoint: \n    com.amazonaws.SdkClientException: Failed to connect to service "
            "endpoint:\n")
    causes = text_causes(text)
    assert causes and all(sev == Severity.WARNING for _, sev in causes)
