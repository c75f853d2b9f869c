"""Clues in plain sight (sigdoctor/awserrors/clues.py): words beside the error that decide between its readings or
refute one. Each case pairs a text with the clue and, where it matters, the same error without it (which keeps the
reading it always had). Keys, accounts and hosts are made up in AWS's shapes."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


# --- a temporary key set without its session token -------------------------------------------------------------

ENV_DUMP = ("$ env | grep AWS\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\nAWS_REGION=eu-west-1\n")
CREDENTIALS_FILE = ("cat ~/.aws/credentials\n[default]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\n"
                    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
STS_INVALID = ("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security "
               "token included in the request is invalid.")


@pytest.mark.parametrize("text", [
    f"{ENV_DUMP}$ curl -s localhost:9106/metrics | grep scrape_error\ncloudwatch_exporter_scrape_error 1.0",
    f"{CREDENTIALS_FILE}\n{STS_INVALID}",
    f"{ENV_DUMP}{STS_INVALID}",
    'creds = {"AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "xxxx"}\n'
    "UnrecognizedClientException: The security token included in the request is invalid.",
])
def test_temporary_key_without_token_is_session_token_missing(text: str) -> None:
    causes = _causes(text)
    assert causes[0] == ("session-token-missing", ERROR)
    assert "ASIAIOSFODNN7EXAMPLE" not in _messages(text)  # the key id only masked


def test_long_term_key_keeps_its_reading() -> None:
    assert _causes(ENV_DUMP.replace("ASIA", "AKIA") + STS_INVALID)[0] == ("access-key-invalid", ERROR)


def test_env_dump_alone_without_a_temporary_key_says_nothing() -> None:
    assert _causes(ENV_DUMP.replace("ASIA", "AKIA")) == []


# --- IncompleteSignature: a signed header the request lacks ----------------------------------------------------

def _named(header: str) -> str:
    return (f"<IncompleteSignatureException><Message>'{header}' is named as a SignedHeader, but it does not exist in "
            "the HTTP request</Message></IncompleteSignatureException>")


def test_token_header_named_but_not_sent_is_session_token_missing() -> None:
    text = ('curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$AK:$SK" -H "x-amz-security-token: $TOKEN" '
            f"https://abc123.execute-api.us-east-1.amazonaws.com/prod/\n{_named('x-amz-security-token')}")
    causes = _causes(text)
    assert causes[0] == ("session-token-missing", ERROR)
    assert ("request-modified-after-signing", WARNING) in causes
    assert "request-not-signed" not in dict(causes)


@pytest.mark.parametrize("header", ["x-amz-content-sha256", "range"])
def test_other_header_named_but_not_sent_was_lost_after_signing(header: str) -> None:
    causes = _causes(_named(header))
    assert causes[0] == ("request-modified-after-signing", ERROR)
    assert "request-not-signed" not in dict(causes)


def test_authorization_header_missing_its_parts_stays_unsigned() -> None:
    text = ("IncompleteSignatureException: Authorization header requires 'Credential' parameter. Authorization "
            "header requires 'Signature' parameter.")
    assert _causes(text)[0] == ("request-not-signed", ERROR)


# --- an explicit deny whose first half was cut away ------------------------------------------------------------

@pytest.mark.parametrize(("text", "where"), [
    ('CreateFleet failed: "ec2:RunInstances [...] explicit deny in a service control policy"', "service control"),
    ("... explicit deny in an identity-based policy", "identity-based"),
    ("logs:CreateLogStream … with an explicit deny in a permissions boundary", "permissions boundary"),
    ("s3:PutObject (truncated) explicit deny in a resource control policy", "resource control"),
    ("explicit deny in a VPC endpoint policy", "VPC endpoint"),
])
def test_elided_explicit_deny(text: str, where: str) -> None:
    assert _causes(text)[0] == ("explicit-deny", ERROR)
    assert where in _messages(text)


def test_whole_explicit_deny_names_it_once() -> None:
    text = ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:PutObject on resource: "
            "arn:aws:s3:::bkt/k with an explicit deny in a service control policy")
    causes = _causes(text)
    assert causes[0] == ("explicit-deny", ERROR)
    assert [c for c, _ in causes].count("explicit-deny") == 1


# --- an ARN given where a name goes ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/app/i-0abc is not authorized to perform: "
    "firehose:PutRecordBatch on resource: arn:aws:firehose:us-east-1:111122223333:deliverystream/"
    "arn:aws:firehose:us-east-1:444455556666:deliverystream/logs",
    "AccessDeniedException: User: arn:aws:iam::111122223333:user/agent is not authorized to perform: "
    "logs:PutLogEvents on resource: arn:aws:logs:eu-west-1:111122223333:log-group:"
    "arn:aws:logs:eu-west-1:111122223333:log-group:/app:log-stream:web",
])
def test_arn_inside_an_arn_is_a_wrong_target(text: str) -> None:
    causes = _causes(text)
    assert causes[0] == ("target-not-found", ERROR)
    assert ("permission-missing", WARNING) in causes


def test_plain_resource_arn_stays_a_missing_permission() -> None:
    text = ("AccessDeniedException: User: arn:aws:iam::111122223333:user/agent is not authorized to perform: "
            "firehose:PutRecord on resource: arn:aws:firehose:us-east-1:111122223333:deliverystream/logs")
    assert _causes(text)[0] == ("permission-missing", ERROR)


# --- S3: a missing object is no missing target -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    'level=warn msg="failed to read seed file" err="NoSuchKey: The specified key does not exist.\\n\\tstatus code: '
    '404, request id: 8KJ2M4N6P8Q0R2S4, host id: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg="',
    "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.",
])
def test_no_such_key_is_no_error(text: str) -> None:
    causes = _causes(text)
    assert causes and all(sev is WARNING for _, sev in causes)
    assert "only the object is missing" in _messages(text)


def test_no_such_bucket_stays_target_not_found() -> None:
    text = ("An error occurred (NoSuchBucket) when calling the PutObject operation: The specified bucket does not "
            "exist")
    assert _causes(text)[0] == ("target-not-found", ERROR)


# --- a signing time built from a date --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    '403, {"message":"Signature not yet current: 20240105T000000Z is still later than 20240104T152233Z '
    '(20240104T151733Z + 5 min.)"}',
    "InvalidSignatureException: Signature expired: 20240104T000000Z is now earlier than 20240104T152233Z "
    "(20240104T153733Z - 15 min.)",
])
def test_midnight_signing_time_is_no_drifting_clock(text: str) -> None:
    causes = _causes(text)
    assert causes[0] == ("clock-skew", WARNING)
    assert "exactly midnight" in _messages(text)


def test_other_signing_time_stays_clock_skew() -> None:
    text = ("InvalidSignatureException: Signature expired: 20240104T091502Z is now earlier than 20240104T152233Z "
            "(20240104T153733Z - 15 min.)")
    assert _causes(text)[0] == ("clock-skew", ERROR)


# --- a traceback's source line is code -------------------------------------------------------------------------

NAME_ERROR = ('Traceback (most recent call last):\n  File "/venv/lib/python3.11/site-packages/botocore/crt/auth.py", '
              'line 32, in add_auth\n    raise NoCredentialsError()\nNameError: name \'NoCredentialsError\' is not '
              "defined\n")


@pytest.mark.parametrize("text", [
    "NameError: name 'NoCredentialsError' is not defined",
    'Traceback (most recent call last):\n  File "/app/agent.py", line 40, in run\n    if isinstance(err, '
    'NoCredentialsError):\n  File "/app/agent.py", line 12, in helper\n    return cfg["region"]\nKeyError: \'region\'',
    "ImportError: cannot import name 'NoCredentialsError' from 'botocore.exceptions' (/venv/lib/botocore/exceptions.py)",
    "AttributeError: module 'botocore.exceptions' has no attribute 'NoCredentialsError'",
])
def test_aws_name_only_in_code_is_no_error(text: str) -> None:
    causes = _causes(text)
    assert causes and all(sev is WARNING for _, sev in causes)


def test_traceback_that_raised_the_aws_error_stays_an_error() -> None:
    text = NAME_ERROR.replace("NameError: name 'NoCredentialsError' is not defined",
                              "botocore.exceptions.NoCredentialsError: Unable to locate credentials")
    assert undecided_first(text) == "no-credentials"


def test_traceback_cut_after_its_last_raise_keeps_the_error() -> None:
    # Cut after `raise ProfileNotFound(…` (or with the exception line read as a record of its own): X was raised.
    text = ('Traceback (most recent call last):\n  File "/usr/lib/python3/site-packages/botocore/session.py", line 383, '
            "in get_scoped_config\n    raise ProfileNotFound(profile=profile_name)\n")
    assert _causes(text)[0] == ("profile-invalid", ERROR)


def test_frozen_traceback_without_source_lines_keeps_its_exception() -> None:
    # PyInstaller builds (AWS CLI v2) print frames without source lines: the exception follows the last frame.
    text = ('Traceback (most recent call last):\n  File "urllib3/connection.py", line 167, in _new_conn\n  File '
            '"botocore/utils.py", line 223, in _fetch\nurllib3.exceptions.ConnectTimeoutError: (<AWSHTTPConnection>, '
            "'Connection to 169.254.169.254 timed out. (connect timeout=1)')")
    assert _causes(text)[0][1] is ERROR


# --- a custom endpoint that is not AWS beside a bare signature mismatch ----------------------------------------

MISMATCH = ("botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the ListObjectsV2 "
            "operation: The request signature we calculated does not match the signature you provided. Check your key "
            "and signing method.")


@pytest.mark.parametrize("setting", [
    "s3 = boto3.client('s3', endpoint_url='https://objects.storage.example.net')",
    "$ aws s3 ls s3://bkt --endpoint-url https://s3.internal.example.org:8443",
    "AWS_ENDPOINT_URL_S3=http://store.lan:7480",
    "fs = s3fs.S3FileSystem(endpoint_url=url, key=key, secret=secret)",
])
def test_custom_endpoint_beside_bare_mismatch(setting: str) -> None:
    text = f"{setting}\n{MISMATCH}"
    causes = _causes(text)
    assert causes[0] == ("secret-key-mismatch", WARNING)
    assert all(sev is WARNING for _, sev in causes)
    assert "not AWS's" in _messages(text)


@pytest.mark.parametrize("setting", [
    "s3 = boto3.client('s3', endpoint_url='https://s3.eu-west-1.amazonaws.com')",
    "s3 = boto3.client('s3', endpoint_url='https://bucket.vpce-0a1b2c3d4e5f6a7b8-abcdefgh.s3.us-east-1.vpce.amazonaws.com')",
    "",
])
def test_aws_endpoint_or_none_keeps_the_mismatch_an_error(setting: str) -> None:
    assert undecided_first(f"{setting}\n{MISMATCH}") == "secret-key-mismatch"


@pytest.mark.parametrize("setting", [
    'S3Client.builder().endpointOverride(URI.create("http://objects.lan:7480")).build();',
    'new AwsClientBuilder.EndpointConfiguration("https://storage.example.net", "us-east-1")',
    'o.BaseEndpoint = aws.String("http://10.0.0.5:9000")',
    "[default]\nhost_base = storage.example.net\nhost_bucket = %(bucket)s.storage.example.net",
])
def test_custom_endpoint_family(setting: str) -> None:
    assert all(sev is WARNING for _, sev in _causes(f"{setting}\n{MISMATCH}"))


@pytest.mark.parametrize("setting", ["endpoint: null", "endpoint: default", "Endpoint: https://s3.amazonaws.com"])
def test_endpoint_words_that_set_no_other_server(setting: str) -> None:
    assert undecided_first(f"{setting}\n{MISMATCH}") == "secret-key-mismatch"


# --- a temporary key in the agents' and SDKs' own settings -----------------------------------------------------

@pytest.mark.parametrize("setting", [
    'AWSCredentials creds = new BasicAWSCredentials("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");',
    'AwsBasicCredentials.create("ASIAIOSFODNN7EXAMPLE", secret)',
    'creds := credentials.NewStaticCredentials("ASIAIOSFODNN7EXAMPLE", secret, "")',
    'cfg.Credentials = credentials.NewStaticCredentialsProvider("ASIAIOSFODNN7EXAMPLE", secret, "")',
    "sigv4:\n  region: us-east-1\n  access_key: ASIAIOSFODNN7EXAMPLE\n  secret_key: <secret>",
    "s3 = boto3.client('s3', aws_access_key_id='ASIAIOSFODNN7EXAMPLE', aws_secret_access_key=secret)",
])
def test_temporary_key_set_in_code_or_config_without_token(setting: str) -> None:
    assert _causes(f"{setting}\n{STS_INVALID}")[0] == ("session-token-missing", ERROR)


def test_temporary_key_and_aws_words_in_one_log_line() -> None:
    # AWS's own "The security token included in the request is invalid" is no token the client set.
    text = ('level=error msg="scrape failed" config="access_key=ASIAIOSFODNN7EXAMPLE secret_key=xxxx" '
            'err="UnrecognizedClientException: The security token included in the request is invalid."')
    assert _causes(text)[0] == ("session-token-missing", ERROR)


# --- an implicit deny names the policy that lacks the Allow ----------------------------------------------------

@pytest.mark.parametrize(("where", "fix"), [
    ("service control policy", "list-policies-for-target"),
    ("permissions boundary", "PermissionsBoundary"),
    ("session policy", "session policy passed when the role was assumed"),
    ("identity-based policy", "in a policy attached to arn:aws:sts::111122223333:assumed-role/agent/s"),
])
def test_implicit_deny_fix_names_the_policy(where: str, fix: str) -> None:
    text = ("User: arn:aws:sts::111122223333:assumed-role/agent/s is not authorized to perform: logs:PutLogEvents on "
            f"resource: arn:aws:logs:eu-west-1:111122223333:log-group:app because no {where} allows the "
            "logs:PutLogEvents action")
    report = decode_text(text)
    assert ranked_causes(report)[0] == ("permission-missing", ERROR)
    first = report.root_causes[0]
    assert fix in " ".join(first.fix)


def test_elided_implicit_deny_is_a_missing_permission() -> None:
    assert _causes("CreateBucket fails: [...] because no service control policy allows the s3:CreateBucket action")[
        0] == ("permission-missing", ERROR)


# --- a client set to send its requests unsigned ----------------------------------------------------------------

DENIED = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"


@pytest.mark.parametrize("setting", [
    "$ aws s3 cp s3://private-bucket/key . --no-sign-request",
    "s3 = boto3.client('s3', config=Config(signature_version=UNSIGNED))",
    "fs = s3fs.S3FileSystem(anon=True)",
    "S3Client.builder().credentialsProvider(AnonymousCredentialsProvider.create()).build()",
])
def test_unsigned_client_beside_a_denial(setting: str) -> None:
    causes = _causes(f"{setting}\n{DENIED}")
    assert causes[0] == ("request-not-signed", ERROR)
    assert ("permission-missing", WARNING) in causes


def test_unsigned_payload_is_no_unsigned_client() -> None:
    # x-amz-content-sha256: UNSIGNED-PAYLOAD still signs the request (only the body is not hashed).
    text = f'curl -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3"\n{DENIED}'
    assert undecided_first(text) == "permission-missing"  # a bare denial: not request-not-signed


@pytest.mark.parametrize("config", [
    # An OTel Collector: the receiver listens, the exporter sends to AWS.
    "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheusremotewrite:\n"
    "    endpoint: https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\n"
    "    auth:\n      authenticator: sigv4auth",
    "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318",
])
def test_listen_address_or_an_aws_endpoint_among_settings_keeps_the_error(config: str) -> None:
    assert undecided_first(f"{config}\n{MISMATCH}") == "secret-key-mismatch"
