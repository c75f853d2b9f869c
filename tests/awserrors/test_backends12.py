"""Pass 12: say nothing wrong about what is not AWS, and about what AWS cannot tell.

* S3-compatible products recognised by their own endpoint names, headers and error codes (NooBaa, Alibaba OSS,
  Huawei OBS, Tencent COS, Rook's Ceph, more clouds and servers by name), and a host id that repeats the request id
  (S3 sends two different values; NooBaa sets both headers to one): their errors keep AWS's readings as warnings.
* InvalidClientTokenId from IAM, or with the reporter's word that the same credentials work elsewhere: IAM refuses
  session credentials it knows (GetSessionToken without MFA, Cloud9's managed credentials, a key not yet
  propagated), so the key readings stay warnings and the first says why.
* Account-state answers (OptInRequired's subscription message, SubscriptionRequiredException, NotSignedUp,
  AccountProblem, PendingVerification): no catalog cause, and never sts-opt-in-region.

Each text is written from the SDK's or the service's own message; ids, hosts and keys are made up in their shapes.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.key_refusals import iam_operations
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

AWS_HOST_ID = "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg=="
GO_V1_DENIED = ("AccessDenied: Access Denied\n\tstatus code: 403, request id: {rid}, host id: {host}")
TOKEN_INVALID = "The security token included in the request is invalid."


def _findings(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


def _no_error(text: str) -> list[tuple[str, Severity]]:
    causes = ranked_causes(decode_text(text))
    assert all(s is not Severity.ERROR for _, s in causes), causes
    return causes


# --- S3-compatible servers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "server"), [
    # aws-sdk-go v1's S3 error with NooBaa's one id in both places.
    (GO_V1_DENIED.format(rid="lq2x7h0a-5kz9b1-7mn", host="lq2x7h0a-5kz9b1-7mn"), "repeats its request id"),
    ("com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error "
     "Code: AccessDenied; Request ID: lq2x7h0a-5kz9b1-7mn; S3 Extended Request ID: lq2x7h0a-5kz9b1-7mn)",
     "repeats its request id"),
    ("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access "
     "Denied\nendpoint_url=https://s3-openshift-storage.apps.ocp.example.internal", "NooBaa"),
    ("HTTP/1.1 403 Forbidden\nx-oss-request-id: 65A1B2C3D4E5F60718293A4B\n\n<Error><Code>AccessDenied</Code>"
     "<Message>You have no right to access this object.</Message><RequestId>65A1B2C3D4E5F60718293A4B</RequestId>"
     "</Error>", "Alibaba Cloud OSS"),
    ("HTTP/1.1 403 Forbidden\nx-obs-request-id: 00000190ABCDEF0123456789\nx-obs-id-2: 32AAAQAAEAABAAAQAAEAABAAAQAAEAAB"
     "\n\nSignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.",
     "Huawei Cloud OBS"),
    ("We run Velero against Dell EMC ECS.\nAccessDenied: Access Denied\n\tstatus code: 403", "named in the text"),
    ("Our store is rook-ceph-rgw-objects in the cluster.\nerror: SignatureDoesNotMatch: The request signature we "
     "calculated does not match the signature you provided. Check your key and signing method.", "Ceph"),
])
def test_a_non_aws_servers_answer_names_no_error_cause(text: str, server: str) -> None:
    causes = _no_error(text)
    assert causes, "AWS's readings stay, as warnings"
    assert server in _findings(text)


def test_s3s_own_two_different_ids_stay_aws() -> None:
    causes = ranked_causes(decode_text(GO_V1_DENIED.format(rid="8KJ2M4N6P8Q0R2S4", host=AWS_HOST_ID)))
    assert ("permission-missing", Severity.WARNING) in causes
    assert undecided_first(GO_V1_DENIED.format(rid="8KJ2M4N6P8Q0R2S4", host=AWS_HOST_ID)) == "permission-missing"


def test_a_product_named_beside_an_aws_endpoint_decides_nothing() -> None:
    text = ("We migrated off Dell EMC ECS last year.\nAn error occurred (AccessDenied) when calling the PutObject "
            "operation: Access Denied\nhttps://backups.s3.eu-west-1.amazonaws.com/a.gz")
    assert undecided_first(text) == "permission-missing"


# --- a refused key AWS knows -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f"An error occurred (InvalidClientTokenId) when calling the CreateUser operation: {TOKEN_INVALID}",
    f"Error: creating IAM Role (app-role): operation error IAM: CreateRole, https response error StatusCode: 403, "
    f"RequestID: 5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e, api error InvalidClientTokenId: {TOKEN_INVALID}",
    f"Error creating IAM user: InvalidClientTokenId: {TOKEN_INVALID}\n\tstatus code: 403, request id: "
    "5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e",
])
def test_iam_refusing_a_key_is_no_error_and_says_why(text: str) -> None:
    causes = _no_error(text)
    assert causes[0][0] == "access-key-invalid"
    said = _findings(text)
    assert "GetSessionToken" in said and "Cloud9" in said


def test_the_same_refusal_from_another_service_stays_an_error() -> None:
    text = f"An error occurred (InvalidClientTokenId) when calling the DescribeInstances operation: {TOKEN_INVALID}"
    assert undecided_first(text) == "access-key-invalid"


def test_a_key_that_works_elsewhere_is_no_error() -> None:
    text = ("With `--profile ci` the deploy fails; if I export the keys instead then it works.\n"
            f"ServerlessError: {TOKEN_INVALID}")
    causes = _no_error(text)
    assert causes
    assert "work elsewhere" in _findings(text)


def test_a_key_that_worked_once_stays_an_error() -> None:
    text = f"It worked yesterday.\nUnrecognizedClientException: {TOKEN_INVALID}"
    assert undecided_first(text) == "access-key-invalid"


def test_iam_operations_come_from_botocores_model() -> None:
    ops = iam_operations()
    assert not ops or {"CreateUser", "CreateRole", "ListRoles"} <= ops


# --- the account's own state -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "OptInRequired: You are not authorized to use the requested service. Ensure that you have subscribed to the "
    "service you are trying to use.\n\tstatus code: 401, request id: 5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e",
    "An error occurred (OptInRequired) when calling the DescribeRegions operation: The AWS access key ID needs a "
    "subscription for the service",
    "SubscriptionRequiredException: The AWS Access Key Id needs a subscription for the service\n\tstatus code: 400",
    "NotSignedUp: Your account is not signed up for the Amazon S3 service. You must sign up before you can use "
    "Amazon S3.\n\tstatus code: 403, request id: 8KJ2M4N6P8Q0R2S4",
    "<Error><Code>AccountProblem</Code><Message>There is a problem with your AWS account that prevents the action "
    "from completing successfully.</Message></Error>",
    "PendingVerification: Your account is pending verification. Until the verification process is complete, you may "
    "not be able to carry out requests with this account.",
])
def test_an_account_state_answer_names_no_cause(text: str) -> None:
    causes = ranked_causes(decode_text(text))
    assert "sts-opt-in-region" not in [c for c, _ in causes]
    assert all(s is not Severity.ERROR for _, s in causes)


def test_the_opt_in_region_token_answer_is_still_read() -> None:
    text = (f"An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: {TOKEN_INVALID}\n"
            "endpoint: https://sts.ap-east-1.amazonaws.com/")
    assert ranked_causes(decode_text(text))[0][0] in ("sts-opt-in-region", "access-key-invalid")
