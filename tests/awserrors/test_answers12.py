"""What `decode` makes of AWS's own answers that pass 12 added by family (checks/errors/answers12.toml, the
PermanentRedirect entry of signing.toml, the scope-service rule of rules.py): S3's region, redirect, payload-hash and
key-id answers, the SigV4 front door's refusals shared by API Gateway, STS and the JSON-protocol services, OpenSearch
Serverless' payload-hash refusal, the SDKs' redirect sentences.

Each text is written from its source (the file or page each entry cites), in the shape the SDK or tool prints it;
buckets, hosts and ids are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

E, W = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize("text", [
    "botocore.exceptions.ClientError: An error occurred (IllegalLocationConstraintException) when calling the "
    "CreateBucket operation: The unspecified location constraint is incompatible for the region specific endpoint "
    "this request was sent to.",
    'level=warn msg="bucket check failed" err="The eu-central-2 location constraint is incompatible for the region '
    'specific endpoint this request was sent to."',
], ids=["boto3-unspecified", "go-named-region"])
def test_a_location_constraint_of_another_region_is_a_region_mismatch(text: str) -> None:
    assert text_causes(text)[0] == ("region-mismatch", E)


def test_an_invalid_location_constraint_is_a_region_reading() -> None:
    text = ("An error occurred (InvalidLocationConstraint) when calling the CreateBucket operation: The specified "
            "location-constraint is not valid")
    assert text_causes(text)[0] == ("region-mismatch", E)


def test_a_temporary_redirect_is_only_a_warning_of_region() -> None:
    text = ("<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request to the specified temporary "
            "endpoint. Continue to use the original request endpoint for future requests.</Message>"
            "<Endpoint>example-logs.s3-eu-west-3.amazonaws.com</Endpoint></Error>")
    causes = text_causes(text)
    assert causes[0] == ("region-mismatch", W)
    assert all(s is W for _, s in causes)


@pytest.mark.parametrize("text", [
    # aws-sdk-php PermanentRedirectMiddleware
    "PHP Fatal error:  Uncaught Aws\\S3\\Exception\\PermanentRedirectException: Encountered a permanent redirect while "
    "requesting https://example-assets.s3.us-east-1.amazonaws.com/img/a.png. Are you sure you are using the correct "
    "region for this bucket?",
    # the message S3's PermanentRedirect carries when a service relays it
    "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error "
    "Message: The bucket is in this region: us-east-2. Please use this region to retry the request",
], ids=["php", "relayed"])
def test_the_sdks_permanent_redirect_sentences_read_as_the_bucket_in_another_region(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("region-mismatch", E)
    assert ("target-not-found", W) in causes[:3]


def test_botocores_redirect_notice_is_a_warning() -> None:
    text = ("2026-01-02 03:04:05,678 botocore.utils [DEBUG] S3 client configured for region us-east-1 but the bucket "
            "example-data is in region ap-south-1; Please configure the proper region to avoid multiple unnecessary "
            "redirects and signing attempts.")
    assert text_causes(text)[0] == ("region-mismatch", W)


def test_an_empty_key_id_in_the_credential_is_the_key_not_the_region() -> None:
    text = ("An error occurred (AuthorizationHeaderMalformed) when calling the ListBuckets operation: The "
            "authorization header is malformed; a non-empty Access Key (AKID) must be provided in the credential.")
    causes = text_causes(text)
    assert causes[0] == ("access-key-invalid", E)
    assert "region-mismatch" not in [c for c, _ in causes]


def test_a_scope_date_other_than_x_amz_date_is_the_signers_canonical_form() -> None:
    text = ("An error occurred (AuthorizationHeaderMalformed) when calling the PutObject operation: The authorization "
            "header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", E)
    assert "region-mismatch" not in [c for c, _ in causes]


@pytest.mark.parametrize("text", [
    '{"message":"\'Host\' must be a \'SignedHeader\' in the AWS Authorization."}',
    "An error occurred (InvalidSignatureException) when calling the Invoke operation: 'Host' or ':authority' must be "
    "a 'SignedHeader' in the AWS Authorization.",
], ids=["api-gateway", "coral-2023"])
def test_host_missing_from_signed_headers_is_no_usable_signature(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("request-not-signed", E)


def test_a_presigned_url_missing_its_parameters_is_unsigned() -> None:
    text = ("An error occurred (AuthorizationQueryParametersError) when calling the GetObject operation: AWS "
            "query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.")
    assert text_causes(text)[0] == ("request-not-signed", E)


def test_an_unsupported_algorithm_is_another_scheme() -> None:
    text = ('{"__type":"com.amazon.coral.service#IncompleteSignatureException","message":"Unsupported AWS '
            '\'algorithm\': \'AWS4-HMAC-SHA25\'"}')
    assert text_causes(text)[0] == ("request-not-signed", E)


def test_a_broken_percent_escape_is_a_canonicalization_mismatch() -> None:
    text = ('{"message":"Illegal hex character in escape % pattern: %zz"}')
    assert text_causes(text)[0] == ("canonicalization-mismatch", E)


def test_opensearch_serverless_refusing_the_payload_hash_is_a_hash_over_other_bytes() -> None:
    text = "[POST] on [_bulk] failed; server returned [403 Forbidden]: Request header x-amz-content-sha256 invalid"
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", E)
    assert ("request-modified-after-signing", W) in causes


@pytest.mark.parametrize("text", [
    "InvalidArgument: x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid "
    "sha256 value.",
    "operation error S3: GetObject, https response error StatusCode: 400, RequestID: 8F3A1C2B4D5E6F70, HostID: "
    "aGVsbG8gd29ybGQgaG9zdCBpZCBleGFtcGxlIGZvciBhIHRlc3Q=, api error InvalidRequest: Missing required header for "
    "this request: x-amz-content-sha256",
], ids=["bad-value", "missing"])
def test_s3s_payload_hash_header_refusals_are_the_signers(text: str) -> None:
    assert text_causes(text)[0] == ("canonicalization-mismatch", E)


def test_invalid_security_is_the_key() -> None:
    text = "An error occurred (InvalidSecurity) when calling the GetObject operation: The provided security credentials are not valid."
    assert text_causes(text)[0] == ("access-key-invalid", E)


def test_an_account_not_signed_up_names_no_cause() -> None:
    text = ("An error occurred (NotSignedUp) when calling the ListBuckets operation: Your account is not signed up "
            "for the S3 service. You must sign up before you can use S3.")
    assert text_causes(text) == []


@pytest.mark.parametrize("text", [
    'Creating a new service: "Credential should be scoped to correct service"',
    "InvalidSignatureException: Credential should be scoped to correct service. ",
], ids=["quoted", "cut"])
def test_a_scope_service_answer_without_the_service_named_is_still_the_service(text: str) -> None:
    assert text_causes(text)[0] == ("service-name-mismatch", E)


def test_a_scope_service_answer_with_the_service_named_still_names_it() -> None:
    text = "Credential should be scoped to correct service: 'sagemaker'. "
    assert text_causes(text)[0] == ("service-name-mismatch", E)


def test_an_authorization_header_on_a_presigned_url_was_added_after_signing() -> None:
    text = ("An error occurred (InvalidArgument) when calling the GetObject operation: Only one auth mechanism allowed; "
            "only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header "
            "should be specified")
    assert text_causes(text)[0] == ("request-modified-after-signing", E)


def test_a_presigned_url_missing_v4_parameters_is_unsigned() -> None:
    text = ("An error occurred (AuthorizationQueryParametersError) when calling the GetObject operation: Query-string "
            "authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "
            "X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
    assert text_causes(text)[0] == ("request-not-signed", E)


def test_a_presign_longer_than_a_week_names_no_cause() -> None:
    text = ("An error occurred (AuthorizationQueryParametersError) when calling the GetObject operation: X-Amz-Expires "
            "must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
    assert text_causes(text) == []


def test_an_sse_kms_object_asked_for_without_sigv4_is_only_a_warning() -> None:
    # Most often a SigV2 signer (the client's signing version, outside the catalog): no error cause.
    text = ("An error occurred (InvalidArgument) when calling the GetObject operation: Requests specifying Server Side "
            "Encryption with AWS KMS managed keys require AWS Signature Version 4.")
    assert text_causes(text) == [("request-not-signed", W)]


def test_lambda_unable_to_decrypt_its_environment_is_a_kms_permission() -> None:
    text = ("KMSAccessDeniedException: Lambda was unable to decrypt the environment variables because KMS access was "
            "denied. Please check the function's KMS key settings. KMS Exception: AccessDeniedException KMS Message: "
            "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you "
            "are not allowed to access.")
    assert undecided_first(text) == "permission-missing"


def test_kmss_ciphertext_sentence_alone_ranks_the_key_policy_first() -> None:
    text = ("com.amazonaws.services.kms.model.AWSKMSException: The ciphertext refers to a customer master key that does "
            "not exist, does not exist in this region, or you are not allowed to access.")
    causes = [c for c, _ in text_causes(text)]
    assert causes[0] == "permission-missing"
    assert "target-not-found" in causes[:3]


def test_a_cloudformation_role_that_cannot_be_assumed_is_its_trust() -> None:
    text = ("An error occurred (ValidationError) when calling the CreateStack operation: Role "
            "arn:aws:iam::123456789012:role/example-cfn-exec is invalid or cannot be assumed")
    assert text_causes(text)[0] == ("role-trust-denied", E)


def test_opensearch_serverless_without_a_data_access_policy_is_a_permission() -> None:
    text = ('{"status":403,"error":{"reason":"User does not have permissions for the requested resource",'
            '"type":"security_exception"}}')
    assert text_causes(text)[0] == ("permission-missing", E)
