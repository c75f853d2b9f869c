"""Pass-12 clues (sigdoctor/awserrors/clues_sources.py, clues.py, denial_readings.py, credential_readings.py): words
beside an error that change the order of its readings. Each case is written from the SDK's or AWS's own message, with
the same error without the clue as its control (which keeps the reading it always had). Accounts, keys and hosts are
made up in AWS's shapes."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _ids(text: str) -> list[str]:
    return [c for c, _ in _causes(text)]


# --- a denied action cut off in the paste, where the AssumeRole* call is named -----------------------------------

def _assume_denied(action: str, op: str = "AssumeRole") -> str:
    return (f"botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the {op} operation: "
            f"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: {action}")


@pytest.mark.parametrize(("action", "op"), [("sts:AssumeR", "AssumeRole"), ("sts:Ass", "AssumeRoleWithWebIdentity"),
                                            ("sts:AssumeRole", "AssumeRoleWithSAML")])
def test_cut_assume_role_action_reads_as_the_trust_policy(action: str, op: str) -> None:
    assert _causes(_assume_denied(action, op))[0] == ("role-trust-denied", ERROR)


def test_cut_sts_action_without_an_assume_role_call_is_not_the_trust_policy() -> None:
    text = ("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:Assum on resource: "
            "arn:aws:iam::123456789012:root")
    assert _ids(text)[0] != "role-trust-denied"


# --- a resource ARN holding a value that was never set ---------------------------------------------------------

def _denied_on(resource: str) -> str:
    return ("AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/app-role/app is not authorized to "
            f"perform: dynamodb:PutItem on resource: {resource} because no identity-based policy allows the "
            "dynamodb:PutItem action")


@pytest.mark.parametrize("unset", ["undefined", "null", "None", "<nil>", "${TABLE_NAME}", "[object Object]"])
def test_unset_name_in_the_resource_arn_is_target_not_found(unset: str) -> None:
    causes = _causes(_denied_on(f"arn:aws:dynamodb:eu-west-1:123456789012:table/{unset}"))
    assert causes[0] == ("target-not-found", ERROR)
    assert ("permission-missing", WARNING) in causes


def test_a_named_resource_keeps_the_missing_permission() -> None:
    assert _causes(_denied_on("arn:aws:dynamodb:eu-west-1:123456789012:table/orders"))[0] == \
        ("permission-missing", ERROR)


def test_a_name_that_only_starts_like_a_placeholder_keeps_the_missing_permission() -> None:
    assert _causes(_denied_on("arn:aws:dynamodb:eu-west-1:123456789012:table/nullable-orders"))[0] == \
        ("permission-missing", ERROR)


# --- an unknown key the user says is temporary, or that the AWS CLI accepts ------------------------------------

STS_INVALID = ("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security "
               "token included in the request is invalid.")
S3_UNKNOWN = ("<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our "
              "records.</Message></Error>")


@pytest.mark.parametrize("words", [
    "I generated the keys with `aws sts assume-role --role-arn arn:aws:iam::123456789012:role/deploy`.",
    "Using temporary security credentials results in this error:",
    "The keys come from the role, see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
    "Temporary AWS access keys fail, permanent ones work.",
])
@pytest.mark.parametrize("error", [STS_INVALID, S3_UNKNOWN])
def test_temporary_key_named_beside_an_unknown_key_is_the_missing_token(words: str, error: str) -> None:
    ids = _ids(f"{words}\n{error}")
    assert ids[0] == "session-token-missing"
    assert "access-key-invalid" in ids[:3]
    assert _ids(error)[0] == "access-key-invalid"  # the same answer without the words


def test_credentials_the_cli_accepts_read_as_the_missing_token() -> None:
    # The key readings are warnings here (key_refusals.py: the same credentials work elsewhere); their order is ours.
    text = ("UnrecognizedClientException: The security token included in the request is invalid.\n"
            "With the same profile the AWS CLI works fine.")
    assert _ids(text)[:2] == ["session-token-missing", "access-key-invalid"]


@pytest.mark.parametrize("words", [
    "The AWS CLI does not work either.",
    "The access key AKIAIOSFODNN7EXAMPLE is not a temporary key.",
    "",
])
def test_without_a_temporary_key_the_unknown_key_stays_first(words: str) -> None:
    assert undecided_first(f"{words}\n{STS_INVALID}") == "access-key-invalid"


def test_assume_role_call_refused_is_no_temporary_key() -> None:
    text = ("An error occurred (InvalidClientTokenId) when calling the AssumeRole operation: The security token "
            "included in the request is invalid.")
    assert _ids(text)[0] != "session-token-missing"


# --- aws-sdk-go-v2's container credentials provider failing inside the chain -----------------------------------

GO2_CHAIN = ("operation error S3: ListBuckets, failed to sign request: failed to retrieve credentials: failed to "
             "refresh cached credentials, ")


@pytest.mark.parametrize("tail", [
    "failed to load credentials, deserialization failed, failed to decode error message, invalid character '<' "
    "looking for beginning of value",
    "failed to load credentials, failed to deserialize json response, unexpected EOF",
    "failed to load credentials, authorization token contains invalid newline sequence",
])
def test_go2_container_provider_failing_is_the_container_endpoint(tail: str) -> None:
    causes = _causes(GO2_CHAIN + tail)
    assert causes[0] == ("container-credentials-failed", ERROR)
    assert ("no-credentials", WARNING) in causes


def test_go2_chain_ending_at_instance_metadata_is_not_the_container_endpoint() -> None:
    text = GO2_CHAIN + "no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error StatusCode: 404"
    assert _ids(text)[0] != "container-credentials-failed"


# --- an earlier source of the chain left empty, where only instance metadata's failure shows -------------------

IMDS_TOKEN_TIMEOUT = ('failed to refresh cached credentials, operation error ec2imds: GetToken, canceled, context '
                      'deadline exceeded: Put "http://169.254.169.254/latest/api/token": context deadline exceeded '
                      "(Client.Timeout exceeded while awaiting headers)")
BOTO_TOKEN_TIMEOUT = 'Connect timeout on endpoint URL: "http://169.254.169.254/latest/api/token"'


@pytest.mark.parametrize("words", ["$ export AWS_SECRET_ACCESS_KEY=\n", "I set AWS_ACCESS_KEY_ID to empty and ran it:\n",
                                   "With an empty AWS_SECRET_ACCESS_KEY:\n"])
def test_env_key_set_empty_reads_before_instance_metadata(words: str) -> None:
    causes = _causes(words + IMDS_TOKEN_TIMEOUT)
    assert causes[0] == ("env-credentials-incomplete", ERROR)
    assert all(sev == WARNING for c, sev in causes if c.startswith("imds-"))


@pytest.mark.parametrize("words", ["The shared credentials file path in my config was wrong.\n",
                                   "AWS_SHARED_CREDENTIALS_FILE does not exist on the runner.\n"])
def test_wrong_credentials_file_path_is_no_credentials(words: str) -> None:
    causes = _causes(words + BOTO_TOKEN_TIMEOUT)
    assert causes[0] == ("no-credentials", ERROR)
    assert "imds-unreachable" in [c for c, _ in causes[:3]]


def test_metadata_timeout_alone_keeps_its_metadata_reading() -> None:
    assert _ids(BOTO_TOKEN_TIMEOUT)[0].startswith("imds-")


# --- a denial where the user says MFA is required -----------------------------------------------------------------

RUBY_DENIED = "Aws::S3::Errors::AccessDenied: Access Denied"


@pytest.mark.parametrize("words", ["Our account enforces MFA for every IAM user.", "My user is MFA-enabled.",
                                   "MFA is required in this account."])
def test_mfa_required_beside_a_bare_denial_is_the_mfa_deny(words: str) -> None:
    causes = _causes(f"{words}\n{RUBY_DENIED}")
    assert causes[0] == ("explicit-deny", ERROR)
    assert ("permission-missing", WARNING) in causes


def test_mfa_beside_a_denial_that_names_no_allow_keeps_the_missing_permission() -> None:
    text = "MFA is enabled on the account.\n" + _denied_on("arn:aws:dynamodb:eu-west-1:123456789012:table/orders")
    assert _causes(text)[0] == ("permission-missing", ERROR)


def test_bare_denial_keeps_the_missing_permission() -> None:
    assert undecided_first(RUBY_DENIED) == "permission-missing"


# --- the empty chain's ranked readings: Pod Identity (plural too) and a named profile ---------------------------

GO1_CHAIN = "NoCredentialProviders: no valid providers in chain. Deprecated."


def test_pod_identities_raise_the_sdk_reading() -> None:
    ids = _ids(f"Calling RDS from EKS fails when using pod identities.\n{GO1_CHAIN}")
    assert ids[0] == "no-credentials"
    assert ids[1] == "sdk-unsupported-credential-source"


def test_named_profile_raises_the_profile_reading() -> None:
    ids = _ids("I use a named profile.\nbotocore.exceptions.NoCredentialsError: Unable to locate credentials")
    assert "profile-invalid" in ids[:3]


# --- a TLS-inspecting product named by its root CA's file name -------------------------------------------------

def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


@pytest.mark.parametrize(("words", "named"), [
    ("$ AWS_CA_BUNDLE=/etc/ssl/certs/zscaler.pem aws sts get-caller-identity", "Zscaler's"),
    ("We are behind GlobalProtect.", "GlobalProtect's"),
    ("Our squid.conf has ssl_bump server-first all", "Squid (ssl_bump)'s"),
])
def test_inspecting_product_is_named_in_the_interception_reading(words: str, named: str) -> None:
    text = (f"{words}\nSSL validation failed for https://sts.eu-west-1.amazonaws.com/ [SSL: CERTIFICATE_VERIFY_FAILED] "
            "certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)")
    assert "tls-intercepted" in _ids(text)
    assert f"the certificate is {named}" in _messages(text)
