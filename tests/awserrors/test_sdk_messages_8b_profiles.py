"""What `decode` makes of the profile and empty-credential messages of checks/errors/agents8b.toml: the AWS SDK for
Java v1's profile files, the IAM Identity Center portal refusing a cached token as aws-sdk-go v1 prints it (eksctl),
and the Serverless Framework's missing credentials.

Each text has the shape its source prints (files cited in the table); names and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

MESSAGES = [
    # Java v1: no credentials file for the JVM's user, an explicit path that is not there, a profile without keys.
    ("java1-no-file", "Exception in thread \"main\" java.lang.IllegalArgumentException: profile file cannot be null\n"
                      "\tat com.amazonaws.util.ValidationUtils.assertNotNull(ValidationUtils.java:37)\n"
                      "\tat com.amazonaws.auth.profile.ProfilesConfigFile.<init>(ProfilesConfigFile.java:142)",
     "no-credentials"),
    ("java1-path", "java.lang.IllegalArgumentException: AWS credential profiles file not found in the given path: "
                   "/home/app/.aws/credentials", "profile-invalid"),
    ("java1-no-key", "com.amazonaws.SdkClientException: Unable to load credentials into profile [dev]: AWS Access Key "
                     "ID is not specified.", "profile-invalid"),
    ("java1-no-secret", "com.amazonaws.AmazonClientException: Unable to load credentials into profile [default]: AWS "
                        "Secret Access Key is not specified.", "profile-invalid"),
    # eksctl over aws-sdk-go v1: the SSO portal refused the cached token, with the code left empty.
    ("eksctl-sso", "Error: checking AWS STS access – cannot get role ARN for current session: : Session token not "
                   "found or invalid\n\tstatus code: 401, request id: 0a1b2c3d-1111-2222-3333-444455556666",
     "profile-invalid"),
    # Serverless Framework, v1 and v3 wordings.
    ("serverless", "  Serverless Error ---------------------------------------\n\n  AWS provider credentials not found. "
                   "Learn how to set up AWS provider credentials in our docs here: <http://slss.io/aws-creds-setup>.",
     "no-credentials"),
    ("serverless-v1", "  AWS provider credentials not found. Learn how to set up AWS provider credentials in our docs "
                      "here: http://bit.ly/aws-creds-setup.", "no-credentials"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_message_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    assert causes[0] == (cause, Severity.ERROR), (printer, causes)


@pytest.mark.parametrize(("text", "second"), [
    ("java.lang.IllegalArgumentException: profile file cannot be null", "profile-invalid"),
    ("com.amazonaws.SdkClientException: Unable to load credentials into profile [sso]: AWS Access Key ID is not "
     "specified.", "sdk-unsupported-credential-source"),
    ("cannot get role ARN for current session: : Session token not found or invalid\n\tstatus code: 401, request id: ",
     "credentials-expired"),
    ("AWS provider credentials not found. Learn how to set up AWS provider credentials", "profile-invalid"),
])
def test_the_other_reading_is_offered_second(text: str, second: str) -> None:
    assert [c for c, _ in text_causes(text)][1] == second


def test_a_chain_listing_its_unconfigured_profile_keeps_the_chain_reading() -> None:
    # Inside a chain's listing the profile provider's words only say that source is not configured.
    text = ("com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the chain: "
            "[EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment variables "
            "(AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY)), "
            "SystemPropertiesCredentialsProvider: Unable to load AWS credentials from Java system properties "
            "(aws.accessKeyId and aws.secretKey), com.amazonaws.auth.profile.ProfileCredentialsProvider@6093ac52: "
            "profile file cannot be null, com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper@68e808e1: Unable "
            "to load credentials from service endpoint]")
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    assert ("profile-invalid", Severity.ERROR) not in causes
