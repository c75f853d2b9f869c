"""The AWS SDK for Java 1.x lists every provider of its chain when none gave credentials; its environment provider's
message ("Unable to load AWS credentials from environment variables (AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and
AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY))") is thrown when either variable is empty — for an environment that sets
none as well — so naming the variables there is no cue that one of them is set. A Java 2.x chain saying the secret key
is missing (the access key was found) still is. Hosts and names are made up; each text has its SDK's shape.
"""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

JAVA1_CHAIN = ("com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the chain: "
               "[EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment variables "
               "(AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY)), "
               "SystemPropertiesCredentialsProvider: Unable to load AWS credentials from Java system properties "
               "(aws.accessKeyId and aws.secretKey), WebIdentityTokenCredentialsProvider: You must specify a value for "
               "roleArn and roleSessionName, com.amazonaws.auth.profile.ProfileCredentialsProvider@5e4c8041: profile "
               "file cannot be null, com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper@7c0c77c7: Failed to "
               "connect to service endpoint: ]")


def test_the_java1_chains_routine_environment_line_is_no_cue_of_a_half_set_environment() -> None:
    causes = [c for c, _ in text_causes(JAVA1_CHAIN)]
    assert causes[0] == "no-credentials"
    assert "env-credentials-incomplete" not in causes[:3]


def test_the_same_chain_cut_inside_its_listing_keeps_the_environment_reading_back() -> None:
    text = JAVA1_CHAIN.split(", SystemPropertiesCredentialsProvider")[0]
    causes = [c for c, _ in text_causes(text)]
    assert causes[0] == "no-credentials"
    assert "env-credentials-incomplete" not in causes[:3]


def test_a_java2_chain_that_found_the_key_but_not_the_secret_still_points_at_the_environment() -> None:
    # AWS SDK for Java 2.x SystemSettingsCredentialsProvider: the access key was read, the secret was not.
    text = ("software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of the "
            "providers in the chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider"
            "(), EnvironmentVariableCredentialsProvider()]) : [SystemPropertyCredentialsProvider(): Unable to load "
            "credentials from system settings. Secret key must be specified either via environment variable "
            "(AWS_SECRET_ACCESS_KEY) or system property (aws.secretAccessKey)., EnvironmentVariableCredentialsProvider():"
            " Unable to load credentials from system settings. Secret key must be specified either via environment "
            "variable (AWS_SECRET_ACCESS_KEY) or system property (aws.secretAccessKey).]")
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    assert "env-credentials-incomplete" in [c for c, _ in causes[:2]]
