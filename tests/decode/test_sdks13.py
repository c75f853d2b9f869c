"""Pass 13's SDK credential messages (checks/errors/sdks13.toml): what the Kotlin, Swift, Java 2.x, JavaScript v3 and
.NET SDKs, the AWS Common Runtime (as aws-crt-java and aws-crt-swift print it) and AWS Tools for PowerShell raise when
their credential chain or one of its providers fails, each built from the SDK's own format string with the wrapper
it is printed in, read as the cause it names; and the same line inside a log too large to be read as a paste (found
by the prefilter's anchors)."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, findings, text_causes, undecided_first

E, W = Severity.ERROR, Severity.WARNING

KOTLIN_CHAIN = """\
Exception in thread "main" aws.smithy.kotlin.runtime.identity.IdentityProviderException: No identity could be \
resolved from the chain: CredentialsProviderChain -> SystemPropertyCredentialsProvider -> \
EnvironmentCredentialsProvider -> StsWebIdentityProvider -> ProfileCredentialsProvider -> EcsCredentialsProvider -> \
ImdsCredentialsProvider
\tat aws.smithy.kotlin.runtime.identity.IdentityProviderChain.resolve(IdentityProviderChain.kt:50)
\tSuppressed: aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: Missing value for system \
property `aws.accessKeyId`
\tSuppressed: aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: Missing value for environment \
variable `AWS_ACCESS_KEY_ID`
\tSuppressed: aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: Required field `roleArn` could \
not be automatically inferred for StsWebIdentityCredentialsProvider. Either explicitly pass a value, set the \
environment variable `AWS_ROLE_ARN`, or set the JVM system property `aws.roleArn`
\tSuppressed: aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: could not find source profile \
default
\tSuppressed: aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: Container credentials URI not set
\tSuppressed: aws.smithy.kotlin.runtime.auth.awscredentials.CredentialsProviderException: failed to load instance \
profile
\t\tCaused by: aws.sdk.kotlin.runtime.config.imds.EC2MetadataError: Failed to retrieve IMDS token
"""

JAVA2_CHAIN = (
    "software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of the providers "
    "in the chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), "
    "EnvironmentVariableCredentialsProvider(), WebIdentityTokenCredentialsProvider(), ProfileCredentialsProvider(), "
    "ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()]) : [SystemPropertyCredentialsProvider(): "
    "Unable to load credentials from system settings. Access key must be specified either via environment variable "
    "(AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., EnvironmentVariableCredentialsProvider(): Unable to "
    "load credentials from system settings. Access key must be specified either via environment variable "
    "(AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., WebIdentityTokenCredentialsProvider(): {web}, "
    "ProfileCredentialsProvider(): {profile}, ContainerCredentialsProvider(): Cannot fetch credentials from "
    "container - neither AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI environment "
    "variables are set., InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]"
)
NO_WEB = "Either the environment variable AWS_WEB_IDENTITY_TOKEN_FILE or the javaproperty aws.webIdentityTokenFile " \
         "must be set."
NO_PROFILE = "Profile file contained no credentials for profile 'default': ProfileFile(sections=[])"


def crt_swift(code: int, message: str, name: str) -> str:
    return ("Fatal error: Error raised at top level: AwsCommonRuntimeKit.CommonRunTimeError.crtError("
            f'AwsCommonRuntimeKit.CRTError(code: {code}, message: "{message}", name: "{name}"))')


def powershell(cmdlet: str, message: str) -> str:
    noun = cmdlet.replace("-", "")
    return (f"{cmdlet} : {message}\nAt line:1 char:1\n+ {cmdlet}\n+ {'~' * len(cmdlet)}\n"
            f"    + CategoryInfo          : InvalidOperation: (Amazon.PowerShe...{noun}Cmdlet:{noun}Cmdlet) "
            f"[{cmdlet}], InvalidOperationException\n"
            f"    + FullyQualifiedErrorId : InvalidOperationException,Amazon.PowerShell.Cmdlets.S3.{noun}Cmdlet\n")


CASES = [
    # Kotlin: the chain's end, its skipped sources only "Suppressed:" lines
    (KOTLIN_CHAIN, "no-credentials", E),
    ("aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: could not find source profile base "
     "referenced from dev", "profile-invalid", E),
    ("aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: profile (dev) must contain "
     "`source_profile` or `credential_source` but neither were defined", "profile-invalid", E),
    ("aws.smithy.kotlin.runtime.auth.awscredentials.CredentialsProviderException: Failed to get credentials from "
     "container metadata service", "container-credentials-failed", E),
    ("aws.sdk.kotlin.runtime.config.imds.EC2MetadataError: Request forbidden: IMDS is disabled or the caller has "
     "insufficient permissions.", "imds-unreachable", E),
    ("aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: The container credentials full URI "
     "(http://169.254.170.23/v1/credentials) has an invalid host. Host can only be one of [127.0.0.1, 169.254.170.2].",
     "sdk-unsupported-credential-source", E),
    ("aws.smithy.kotlin.runtime.auth.awscredentials.CredentialsProviderException: Command completed with nonzero exit "
     "code 127: /bin/sh: 1: aws-vault: not found", "profile-invalid", E),
    ("aws.sdk.kotlin.runtime.auth.credentials.InvalidSsoTokenException: SSO token for sso-session: corp is expired",
     "profile-invalid", E),
    ("aws.smithy.kotlin.runtime.auth.awscredentials.CredentialsProviderException: STS failed to assume role from web "
     "identity", "web-identity-rejected", E),
    # The AWS Common Runtime: aws-crt-java, aws-crt-swift
    ("java.util.concurrent.ExecutionException: software.amazon.awssdk.crt.CrtRuntimeException: Failed to get a valid "
     "set of credentials", "no-credentials", W),
    (crt_swift(6155, "Unsuccessful status code returned from credentials-fetching http request",
               "AWS_AUTH_CREDENTIALS_PROVIDER_HTTP_STATUS_FAILURE"), "container-credentials-failed", E),
    (crt_swift(6160, "Attempt to perform a signing operation with invalid credentials",
               "AWS_AUTH_SIGNING_INVALID_CREDENTIALS"), "env-credentials-incomplete", E),
    (crt_swift(6156, "Invalid response document encountered while querying credentials via http",
               "AWS_AUTH_PROVIDER_PARSER_UNEXPECTED_RESPONSE"), "container-credentials-failed", W),
    ("AWS_AUTH_CREDENTIALS_PROVIDER_LOGIN_TOKEN_EXPIRED: The cached Login token is expired and we cannot complete a "
     "call", "profile-invalid", E),
    # The Swift SDK's own resolvers
    ('AWSSDKIdentity.AWSCredentialIdentityResolverError.failedToResolveAWSCredentials("DefaultAWSCredentialIdentity'
     'RsolverChain: Failed to resolve credentials.")', "no-credentials", W),
    ('failedToResolveAWSCredentials("SharedConfigStaticAWSCredentialsResolver: Profile \\"dev\\" not found.")',
     "profile-invalid", E),
    ("Error: AWSSDKIdentity.IMDSError.reachedMaxRetries", "imds-unreachable", E),
    # AWS Tools for PowerShell and the .NET SDK under it
    (powershell("Get-S3Bucket", "No credentials specified or obtained from persisted/shell defaults."),
     "no-credentials", W),
    (powershell("Get-STSCallerIdentity", "Error loading stored credentials from profile 'dev'.\r\nError: Invalid "
                "format"), "profile-invalid", E),
    ("System.InvalidOperationException: Assembly AWSSDK.SecurityToken could not be found or loaded. This assembly "
     "must be available at runtime to use Amazon.Runtime.AssumeRoleAWSCredentials.",
     "sdk-unsupported-credential-source", E),
    # Java 2.x: the provider that names a cause among the chain's skipped ones
    (JAVA2_CHAIN.format(web="To use web identity tokens, the 'sts' service module must be on the class path.",
                        profile=NO_PROFILE), "sdk-unsupported-credential-source", E),
    (JAVA2_CHAIN.format(web=NO_WEB, profile="The source profile of 'default' was configured to be 'base', but that "
                        "source profile has no credentials configured."), "profile-invalid", E),
    ("java.lang.IllegalStateException: Failed to refresh process-based credentials.", "profile-invalid", E),
    # JavaScript v3
    ("CredentialsProviderError: Detected a cycle attempting to resolve credentials for profile dev. Profiles "
     "visited: dev, base", "profile-invalid", E),
    # Ruby
    ("Aws::Errors::NoSourceProfileError: Profile dev has a role_arn, and source_profile, but the source_profile does "
     "not have credentials.", "profile-invalid", E),
    ("/usr/lib/ruby/gems/3.2.0/gems/aws-sdk-core-3.190.0/lib/aws-sdk-core/assume_role_web_identity_credentials.rb:96:"
     "in `_token_from_file': Aws::Errors::MissingWebIdentityTokenFile (Aws::Errors::MissingWebIdentityTokenFile)",
     "web-identity-token-unreadable", E),
]


@pytest.mark.parametrize(("text", "cause", "severity"), CASES, ids=range(len(CASES)))
def test_an_sdk_credential_message_names_its_cause(text: str, cause: str, severity: Severity) -> None:
    assert text_causes(text)[:1] == [(cause, severity)]
    if (cause, severity) == ("no-credentials", W):  # a chain end naming no source that failed: the text cannot decide
        assert undecided_first(text) == cause


def test_a_skipped_profile_in_the_kotlin_chain_is_no_error_of_its_own() -> None:
    # The default chain's profile provider says "could not find source profile default" on every host without
    # ~/.aws files: a candidate only, the chain's empty result stays the error.
    causes = text_causes(KOTLIN_CHAIN)
    assert ("profile-invalid", E) not in causes
    assert ("profile-invalid", W) in causes


@pytest.mark.parametrize("text", [
    "aws.sdk.kotlin.runtime.auth.credentials.ProviderConfigurationException: could not find source profile default",
    'ConstructionFailure(CredentialsLoadingError(InvalidConfiguration { cause: "ProfileFile provider could not be '
    'built: profile `default` was not defined: could not find source profile default referenced from the root '
    'profile" }))',
])
def test_the_selected_profile_missing_is_only_a_candidate(text: str) -> None:
    # Kotlin's and Rust's word for the selected profile not being in the files: an error only when the application
    # chose that profile, which the text does not say.
    causes = text_causes(text)
    assert ("profile-invalid", W) in causes
    assert all(severity != E for _, severity in causes)


def test_the_java_chain_without_a_broken_source_stays_the_empty_chain() -> None:
    # A chain end naming no source that failed: the empty chain first, as a warning that says the text cannot decide.
    assert undecided_first(JAVA2_CHAIN.format(web=NO_WEB, profile=NO_PROFILE)) == "no-credentials"


HEALTHY = b"".join(b'ts=2026-12-07T10:00:%02dZ level=info caller=worker.go:88 msg="processed batch" size=4096\n'
                   % (i % 60) for i in range(4000))  # ~350 KB: above decode's paste size, read through the prefilter


@pytest.mark.parametrize(("text", "cause", "severity"), CASES, ids=range(len(CASES)))
def test_an_sdk_credential_message_in_a_large_log_reads_as_it_does_alone(text: str, cause: str,
                                                                        severity: Severity) -> None:
    in_log = text_causes(HEALTHY + text.encode() + b"\n" + HEALTHY)
    assert in_log[:1] == [(cause, severity)]
    if (cause, severity) == ("no-credentials", W):
        assert undecided_first(HEALTHY + text.encode() + b"\n" + HEALTHY) == cause


def test_powershell_without_a_region_is_the_clients_own_setting() -> None:
    text = powershell("Get-S3Bucket", "No region specified or obtained from persisted/shell defaults.")
    assert text_causes(text) == []
    assert any("has no region" in f.message for f in findings(decode_text(text)))
