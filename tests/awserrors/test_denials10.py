"""Denials in other words than AWS's AccessDenied body (pass 10): SQS's own wording, a tool's sentence naming the
IAM action or API it was refused, aws-iam-authenticator's refusals (never a permission), and a request sent with no
credentials at all. Keys, accounts, queues and hosts are made up."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, read_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _ids(text: str) -> list[str]:
    return [c for c, _ in _causes(text)]


def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


# --- SQS words its AccessDenied its own way ---------------------------------------------------------------------------

def test_sqs_access_to_the_resource_is_denied_is_a_missing_permission() -> None:
    text = ('{"message":"SQS receive message failed: Access to the resource https://sqs.eu-west-1.amazonaws.com/ is '
            'denied.","level":"error"}')
    assert undecided_first(text) == "permission-missing"


def test_java_sqs_exception_names_the_same_denial() -> None:
    text = ("com.amazonaws.services.sqs.model.AmazonSQSException: Access to the resource "
            "https://sqs.us-west-2.amazonaws.com/123456789012/jobs is denied. (Service: AmazonSQS; Status Code: 403; "
            "Error Code: AccessDenied; Request ID: 165762d0-bd84-5b9a-aaaa-308446528a6d)")
    assert undecided_first(text) == "permission-missing"


def test_cloudformation_names_the_action_before_sqs_words() -> None:
    text = ("CREATE_FAILED AWS::SQS::Queue Jobs API: sqs:CreateQueue Access to the resource "
            "https://sqs.us-east-1.amazonaws.com/ is denied.")
    assert _causes(text)[0] == ("permission-missing", ERROR)
    assert "sqs:CreateQueue" in _messages(text)


# --- a tool's own sentence with the action in it ---------------------------------------------------------------------

def test_a_plugin_sentence_with_an_iam_action_is_a_missing_permission() -> None:
    text = '"User not has permission sqs:ReceiveMessage"'
    assert _causes(text)[0] == ("permission-missing", ERROR)
    assert "sqs:ReceiveMessage" in _messages(text)


def test_access_denied_for_action_names_the_action() -> None:
    text = "deploy failed: Access denied for action: s3:PutBucketEncryption"
    assert _causes(text)[0] == ("permission-missing", ERROR)
    assert "s3:PutBucketEncryption" in _messages(text)


def test_insufficient_and_missing_permissions_are_read() -> None:
    for text in ("ERROR collector: insufficient permissions for ec2:DescribeInstances, skipping region eu-west-1",
                 "level=error msg=\"missing permission logs:PutLogEvents on the log group\""):
        assert _causes(text)[0] == ("permission-missing", ERROR), text


def test_lambda_execution_role_sentence_names_the_action_from_api_and_service() -> None:
    text = ("Error: error creating Lambda Function (1): InvalidParameterValueException: The provided execution role "
            "does not have permissions to call CreateNetworkInterface on EC2")
    assert _causes(text)[0] == ("permission-missing", ERROR)
    assert "ec2:CreateNetworkInterface" in _messages(text)


def test_a_tool_refused_assume_role_reads_the_trust_policy() -> None:
    text = ("ERROR ingest failed: insufficient permissions for sts:AssumeRole on "
            "arn:aws:iam::123456789012:role/ingest")
    assert _causes(text)[0] == ("role-trust-denied", ERROR)


def test_authentication_succeeded_but_authorization_failed_is_a_policy() -> None:
    text = ("Connectivity check failed: Message: Access to an SQS queue (https://sqs.eu-west-1.amazonaws.com/"
            "123456789012/trail-queue) was denied. Authentication succeeded but authorization failed. Ensure that "
            "the SQS has the required permissions listed in its access policy tab.")
    assert undecided_first(text) == "permission-missing"


def test_a_file_permission_denied_is_no_iam_denial() -> None:
    text = "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: permission denied"
    assert "permission-missing" not in _ids(text)


# --- aws-iam-authenticator's server: its refusal of a token is not an IAM denial ---------------------------------------

def _authenticator(error: str) -> str:
    return (f'time="2023-03-01T10:00:00Z" level=warning msg="access denied" client="127.0.0.1:4242" '
            f'error="{error}" method=POST path=/authenticate')


def test_an_unmapped_identity_is_no_missing_permission() -> None:
    for error in ("identity is not mapped", "Identity is not mapped", "ARN is not mapped"):
        assert "permission-missing" not in [c for c, _ in read_causes(_authenticator(error))], error


def test_a_malformed_token_is_no_missing_permission() -> None:
    text = _authenticator("input token was not properly formatted: client did not sign the x-k8s-aws-id header in "
                          "the pre-signed URL")
    assert "permission-missing" not in [c for c, _ in read_causes(text)]


def test_the_authenticator_in_json_is_no_missing_permission() -> None:
    text = ('{"level":"warning","msg":"access denied","client":"10.0.0.1:4242","error":"mapper CRD Map error: '
            'boom","time":"2023-03-01T10:00:00Z"}')
    assert "permission-missing" not in _ids(text)


def test_a_refused_get_caller_identity_keeps_its_credential_readings() -> None:
    causes = _causes(_authenticator("sts getCallerIdentity failed: error from AWS (expected 200, got 403)"))
    assert causes[0] == ("access-key-invalid", WARNING)
    assert "permission-missing" not in [c for c, _ in causes]


def test_another_tools_access_denied_stays_a_denial() -> None:
    text = "Failed to put file: Access Denied."
    assert _causes(text)[0][0] == "permission-missing"


# --- a request sent with no credentials at all --------------------------------------------------------------------

def test_duckdb_says_no_credentials_were_provided() -> None:
    text = ("HTTP Error: HTTP GET error reading 'https://logs.s3.amazonaws.com/x.parquet' in region '' (HTTP 403 "
            "Forbidden)\n\nAccessDenied: Access Denied\n\nAuthentication Failure - this is usually caused by invalid "
            "or missing credentials.\n* No credentials are provided.\n")
    causes = _causes(text)
    assert causes[0] == ("no-credentials", ERROR)
    assert ("permission-missing", WARNING) in causes


def test_the_reporter_says_no_keys_were_set() -> None:
    text = ("Fatal: create key in repository at s3:https://s3.eu-west-3.amazonaws.com/backups failed: wrote 0 bytes "
            "instead of the expected 455 bytes with error Access Denied\n"
            "Interesting, but I didn't set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    assert _causes(text)[0] == ("no-credentials", ERROR)


def test_a_client_set_to_send_unsigned_stays_request_not_signed() -> None:
    text = ("$ aws s3 cp s3://private-bucket/x . --no-sign-request\n"
            "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden\n"
            "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied")
    assert _causes(text)[0] == ("request-not-signed", ERROR)


# --- API Gateway's Missing Authentication Token: an unknown route or an unsigned call ----------------------------------

MISSING = '{"message":"Missing Authentication Token"}'


def test_a_stage_url_without_a_resource_path_leads_with_the_unknown_route() -> None:
    text = f"https://ab12cd34ef.execute-api.ap-southeast-1.amazonaws.com/Prod I get `{MISSING}`"
    causes = _causes(text)
    assert causes[0] == ("target-not-found", WARNING)
    assert ("request-not-signed", WARNING) in causes
    assert all(s == WARNING for _, s in causes)


def test_a_bare_curl_to_an_execute_api_url_leads_with_the_unknown_route() -> None:
    text = f"curl  https://ab12cd34ef.execute-api.us-east-1.amazonaws.com/dev/api/\n\nI got the error:\n\n{MISSING}\n"
    assert _causes(text)[0] == ("target-not-found", WARNING)


def test_a_browser_opening_the_invoke_url_leads_with_the_unknown_route() -> None:
    text = ("I created an HTTP endpoint via API Gateway and copied its Invoke URL. When opened in the browser it "
            f"displays:\n\n{MISSING}\n")
    assert _causes(text)[0] == ("target-not-found", WARNING)


def test_a_curl_signed_with_sigv4_stays_unsigned_first() -> None:
    text = ("curl --aws-sigv4 'aws:amz:us-east-1:execute-api' --user \"$AK:$SK\" "
            f"https://ab12cd34ef.execute-api.us-east-1.amazonaws.com/dev\n{MISSING}")
    assert _causes(text)[0][0] == "request-not-signed"


def test_an_api_with_iam_authorization_stays_unsigned_first() -> None:
    text = f"with API gateway auth on with IAM, opened in the browser the API returns {MISSING}"
    assert _causes(text)[0] == ("request-not-signed", WARNING)


def test_a_resource_path_from_an_agent_stays_unsigned_first() -> None:
    text = ('level=error msg="non-recoverable error" url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/'
            'ws-1/api/v1/remote_write err="server returned HTTP status 403 Forbidden: '
            '{\\"message\\":\\"Missing Authentication Token\\"}"')
    assert _causes(text)[0] == ("request-not-signed", WARNING)


def test_the_bare_answer_alone_stays_unsigned_first() -> None:
    assert _causes(f"Debug: {MISSING}")[0] == ("request-not-signed", WARNING)


# --- a product's name beside an answer from AWS ----------------------------------------------------------------------

def test_the_minio_client_named_beside_an_aws_endpoint_keeps_aws_readings() -> None:
    text = ("Using the minio client to upload: PUT https://my-bucket.s3.eu-west-1.amazonaws.com/a.txt -> "
            "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.")
    assert undecided_first(text) == "access-key-invalid"
    assert "MinIO" not in _messages(text)


def test_minio_named_without_an_aws_endpoint_is_still_read_as_that_server() -> None:
    text = 'Hello I\'m trying to use an s3 artifact in my workflow, I\'m using minio and I have "Failed to put file: Access Denied."'
    causes = _causes(text)
    assert causes[0][0] == "permission-missing"
    assert all(s == WARNING for _, s in causes)
    assert "MinIO" in _messages(text)


def test_wasabi_named_beside_its_own_endpoint_is_that_server() -> None:
    text = ("We moved to Wasabi: PUT https://s3.eu-central-1.wasabisys.com/bucket/a.txt -> SignatureDoesNotMatch: "
            "The request signature we calculated does not match the signature you provided.")
    assert all(s == WARNING for _, s in _causes(text))
