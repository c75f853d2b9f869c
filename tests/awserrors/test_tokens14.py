"""Unknown keys, invalid and expired tokens, and credential endpoints, read by what the text shows (pass 14).

* AWS's other wordings of the unknown-key message (the STS/IAM common errors' "The X.509 certificate or AWS access key
  ID provided does not exist in our records.", the older "The AWS access key provided …") are AWS's refusal of the
  key, not a missing file that a path on the same line would suggest.
* The user's words that the credentials are a session (ECS container credentials, temp credentials, an SSO login)
  make a bare refusal a temporary key sent without its token.
* ExpiredToken answered to a long-term key (one just created, or an AKIA… id): such keys never expire, so the request
  carried a stale session token — session-token-missing, not expired credentials.
* The ECS agent's own refusal on its task-credentials endpoint (InvalidIdInRequest "CredentialsV2Request: Credentials
  not found", aws/amazon-ecs-agent ecs-agent/tmds/handlers/v1/credentials_handler.go) and the Java SDK 1.x chain's
  container link answered with a 500 (which instance metadata never answers) are the container endpoint failing.
* Fluent Bit's warning that a provider's credentials expire within 10 minutes reads as expiring credentials
  (warnings: the agent's own warning, not AWS's refusal).
* Java's "Failed to connect to service endpoint" (EC2ResourceFetcher, shared by instance metadata and the container
  source) ranks both endpoints behind the empty chain, before an SDK too old for its source.

Keys are AWS's documented examples; the rest is made up in each tool's own format.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, findings, text_causes

E, W = Severity.ERROR, Severity.WARNING

# --- AWS's other wordings of the unknown key --------------------------------------------------------------------

X509 = ("SQS send failed (credentials from ~/.aws/credentials): The X.509 certificate or AWS access key ID provided "
        "does not exist in our records.")
OLDER = ("java.lang.RuntimeException: profile default in /home/app/.aws/credentials: The AWS access key provided does "
         "not exist in our records.")


@pytest.mark.parametrize("text", [X509, OLDER])
def test_other_wordings_of_the_unknown_key_are_the_key_not_a_missing_file(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("access-key-invalid", W)
    assert "profile-invalid" not in [c for c, _ in causes]
    assert any("The text cannot decide" in f.message for f in findings(decode_text(text))
               if f.id == "decode.access-key-invalid")


# --- a session named by the user --------------------------------------------------------------------------------

ECS_WORDS = ("Running in ECS with container credentials the consumer fails:\n"
             "CloudWatchLogs::Errors::UnrecognizedClientException: The security token included in the request is "
             "invalid.")
TEMP_WORDS = ("I pass temp credentials to the client.\n"
              "An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key Id you "
              "provided does not exist in our records.")
SSO_WORDS = ("After aws sso login the job still fails:\n"
             "An error occurred (UnrecognizedClientException) when calling the ListTables operation: The security token "
             "included in the request is invalid.")


@pytest.mark.parametrize("text", [ECS_WORDS, TEMP_WORDS, SSO_WORDS])
def test_a_session_source_named_by_the_user_reads_as_the_token_left_out(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("session-token-missing", E)
    assert ("access-key-invalid", W) in causes[1:3]


# --- ExpiredToken and a long-term key ---------------------------------------------------------------------------

NEW_KEY = ("I created a new access key for my IAM user and ran aws configure.\n"
           "$ aws sts get-caller-identity\n"
           "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included "
           "in the request is expired")
RECREATED = ("I deleted the old access key and recreated it, same result:\n"
             "An error occurred (ExpiredToken) when calling the ListBuckets operation: The security token included in "
             "the request is expired")
AKIA_SHOWN = ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
              "An error occurred (ExpiredToken) when calling the ListBuckets operation: The security token included in "
              "the request is expired")


@pytest.mark.parametrize("text", [NEW_KEY, RECREATED, AKIA_SHOWN])
def test_an_expired_token_sent_with_a_long_term_key_is_a_stale_session_token(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("session-token-missing", E)
    assert causes[1] == ("credentials-expired", W)
    said = next(f.message for f in findings(decode_text(text)) if f.id == "decode.session-token-missing")
    assert "AWS_SESSION_TOKEN" in said


def test_a_session_made_from_the_new_key_still_expires() -> None:
    # GetSessionToken with MFA turns the new long-term key into session credentials, and those do expire.
    text = ("I created a new access key and ran aws sts get-session-token with my MFA code.\n"
            "An error occurred (ExpiredToken) when calling the ListBuckets operation: The security token included in "
            "the request is expired")
    assert text_causes(text)[0] == ("credentials-expired", E)


# --- the ECS agent's task-credentials endpoint ------------------------------------------------------------------

AGENT_LOG = ('level=error time=2024-03-01T10:00:00Z msg="Error processing credential request: CredentialsV2Request: '
             'Credentials not found" module=credentials_handler.go')
JAVA_V1_ECS = ("com.amazonaws.AmazonServiceException: CredentialsV2Request: Credentials not found (Service: null; Status "
               "Code: 400; Error Code: InvalidIdInRequest; Request ID: null; Proxy: null)")
AGENT_JSON_503 = '{"code":"CredentialsUninitialized","message":"CredentialsV2Request: Credentials uninitialized for ID","HTTPErrorCode":503}'


@pytest.mark.parametrize("text", [AGENT_LOG, JAVA_V1_ECS, AGENT_JSON_503])
def test_the_ecs_agents_refusal_is_the_container_endpoint(text: str) -> None:
    assert text_causes(text)[0] == ("container-credentials-failed", E)


# --- the Java SDK 1.x chain's container link --------------------------------------------------------------------

_CHAIN = ("com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the chain: "
          "[EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment variables "
          "(AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY)), "
          "SystemPropertiesCredentialsProvider: Unable to load AWS credentials from Java system properties "
          "(aws.accessKeyId and aws.secretKey), com.amazonaws.auth.profile.ProfileCredentialsProvider@6b2f9a3c: "
          "profile file cannot be null, com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper@41f935e: ")


def test_a_500_from_the_chains_container_link_is_the_container_endpoint() -> None:
    text = _CHAIN + ("Internal Server Error (Service: null; Status Code: 500; Error Code: null; Request ID: null; "
                     "Proxy: null)]")
    assert text_causes(text)[0] == ("container-credentials-failed", E)


def test_a_503_may_be_instance_metadata_and_stays_the_chains_reading() -> None:
    # Instance metadata answers 503 too (EC2 user guide, instance metadata query errors): the link is not decided.
    text = _CHAIN + ("Service Unavailable (Service: null; Status Code: 503; Error Code: null; Request ID: null; "
                     "Proxy: null)]")
    assert text_causes(text)[0] == ("no-credentials", W)


def test_failed_to_connect_names_both_endpoints_of_the_container_link() -> None:
    causes = [c for c, _ in text_causes(_CHAIN + "Failed to connect to service endpoint: ]")]
    assert causes[0] == "no-credentials"
    assert set(causes[1:3]) == {"imds-unreachable", "container-credentials-failed"}


# --- Fluent Bit's credentials that expire too soon -------------------------------------------------------------

def test_fluent_bits_near_expiry_warning_reads_as_expiring_credentials_not_as_an_error() -> None:
    # fluent-bit src/aws/flb_aws_credentials.c flb_aws_cred_expiration: its C string joins "less than" and "10".
    text = ("[2024/01/10 10:00:00] [ warn] [aws_credentials] Credential expiration '2024-01-10T10:05:00Z' is less "
            "than10 minutes in the future. Disabling auto-refresh.")
    assert text_causes(text)[:2] == [("credentials-expired", W), ("clock-skew", W)]
