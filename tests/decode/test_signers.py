"""Who signed decides how a bare SignatureDoesNotMatch is ranked (checks/errors/signers.toml): a signer written outside
AWS reads canonicalization-mismatch first, an AWS SDK keeps a wrong secret first; the user's words that the same key
works for another request put canonicalization first whoever signed. The readings stay undecided warnings."""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.signers import OFFICIAL, THIRD_PARTY, load, who_signed
from tests.decode.conftest import undecided_first

_MSG = ("The request signature we calculated does not match the signature you provided. Check your key and signing "
        "method.")
# S3's error body with AWS's documented example request id and host id (an answer of AWS, not of an S3 lookalike).
_XML = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>{_MSG}</Message>'
        "<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId><HostId>vlR7PnXY4m7"
        "CJyBcRkHtaqTA2qFMvcbEL9ZsLBzjKVlmi7SZC6oAcaFDzsomBSSsQUaUefS7TLM=</HostId></Error>")

# Each signer's own way of printing the error (its exception class, module or frame names; see signers.toml).
THIRD_PARTY_TEXTS = {
    # Paws: Paws::Net::RestXMLResponse::handle_response dies with the body; Perl's confess prints the frames.
    "paws-perl": (f"Forbidden at /usr/local/share/perl/5.30.0/Paws/Net/RestXMLResponse.pm line 42.\n"
                  f"\tPaws::Net::RestXMLResponse::handle_response('Paws::S3=HASH(0x55d0c8a3b2a8)', "
                  f"'Paws::S3::PutObject=HASH(0x55d0c8e1f0b0)', 403, '{_XML}') called at "
                  f"/usr/local/share/perl/5.30.0/Paws/Net/Caller.pm line 55\n"),
    # awscr-s3: Awscr::S3::Exception.from_response raises "#{code}: #{message}"; Crystal names the class after it.
    "awscr-s3": (f"Unhandled exception: SignatureDoesNotMatch: {_MSG} (Awscr::S3::Exception)\n"
                 "  from lib/awscr-s3/src/awscr-s3/http.cr:107:9 in 'handle_response!'\n"
                 "  from lib/awscr-s3/src/awscr-s3/client.cr:295:7 in 'put_object'\n"),
    # aristidb/aws: the derived Show of its S3Error record.
    "haskell-aws": ('*** Exception: S3Error {s3StatusCode = Status {statusCode = 403, statusMessage = "Forbidden"}, '
                    f's3ErrorCode = "SignatureDoesNotMatch", s3ErrorMessage = "{_MSG}", s3ErrorResource = Nothing, '
                    's3ErrorHostId = Nothing, s3ErrorAccessKeyId = Just "AKIAIOSFODNN7EXAMPLE", '
                    's3ErrorStringToSign = Nothing}\n'),
    # Soto: AWSResponseError's description is "code: message"; debugPrint names the module.
    "soto": ('Fatal error: Error raised at top level: SotoCore.AWSResponseError(errorCode: "SignatureDoesNotMatch", '
             f'context: Optional(SotoCore.AWSErrorContext(message: "{_MSG}", responseCode: 403 Forbidden)))\n'),
    # minio-dart: MinioS3Error prints as "MinioError: <message>".
    "minio-dart": f"E/flutter ( 4711): [ERROR:flutter/runtime/dart_vm_initializer.cc(41)] Unhandled Exception: "
                  f"MinioError: {_MSG}\n",
    # A Lua signer (OpenResty): the module's file and line before the body.
    "lua": f"2026/11/02 10:14:03 [error] 17#17: *5 [lua] s3.lua:212: put(): status:403, body:{_XML}\n",
}


@pytest.mark.parametrize("name", sorted(THIRD_PARTY_TEXTS))
def test_a_signer_written_outside_aws_reads_canonicalization_first(name: str) -> None:
    assert undecided_first(THIRD_PARTY_TEXTS[name]) == "canonicalization-mismatch"


def test_an_aws_sdk_keeps_a_wrong_secret_first() -> None:
    # botocore's ClientError and the Java SDK's AmazonServiceException: AWS's own signers, whose bare mismatch is
    # mostly the key.
    assert undecided_first(f"botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling "
                           f"the PutObject operation: {_MSG}\n") == "secret-key-mismatch"
    assert undecided_first(f"com.amazonaws.services.s3.model.AmazonS3Exception: {_MSG} (Service: Amazon S3; Status "
                           "Code: 403; Error Code: SignatureDoesNotMatch; Request ID: 4442587FB7D0A2F9)\n"
                           ) == "secret-key-mismatch"


def test_a_sigv4_plugin_over_an_sdk_is_the_signer() -> None:
    # aws-requests-auth signs; boto3 only lent it the credentials (its frames are in the same trace).
    text = ("  File \"/app/venv/lib/python3.11/site-packages/boto3/session.py\", line 299, in get_credentials\n"
            "auth = BotoAWSRequestsAuth(aws_host='examplebucket.s3.amazonaws.com', aws_region='us-east-1', "
            "aws_service='s3')\n"
            f"requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: "
            f"https://examplebucket.s3.amazonaws.com/reports/2026.csv\n{_XML}\n")
    signed = who_signed(text)
    assert signed is not None and signed.signer.family == THIRD_PARTY
    assert undecided_first(text) == "canonicalization-mismatch"


# The user's words that the same key works for another request: the secret is ruled out, whoever signed.
KEY_WORKS = [
    "Signing works for GET requests, but every PUT gets:",
    "GET requests are fine; the upload fails with",
    "All other operations with this client work, only PutObject fails:",
    "It works once I replace the / in the object name with _, otherwise:",
    "If I leave the storage class header at its default, the upload succeeds. With it set:",
    "Uploads fail for file names containing these characters: ! @ $ & ( ) = ; — with",
    "Listing buckets works fine but when I try to list one bucket's objects:",
]


@pytest.mark.parametrize("said", KEY_WORKS)
def test_words_that_the_key_works_elsewhere_put_canonicalization_first(said: str) -> None:
    text = (f"{said}\nbotocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the "
            f"PutObject operation: {_MSG}\n")
    assert undecided_first(text) == "canonicalization-mismatch"


@pytest.mark.parametrize("said", [
    "The same credentials work with the AWS CLI on my laptop.",  # another tool: the key this one reads may differ
    "It works once I replace the secret access key with a new one.",  # the key was the cause
    "It works again after I changed the region to us-west-2.",
])
def test_words_about_the_key_itself_or_another_tool_rule_nothing_out(said: str) -> None:
    text = (f"{said}\nbotocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the "
            f"PutObject operation: {_MSG}\n")
    assert undecided_first(text) == "secret-key-mismatch"


def test_every_signer_has_a_source_and_a_family() -> None:
    from sigdoctor.awserrors.signers import signers

    table = signers()
    assert {s.family for s in table} == {OFFICIAL, THIRD_PARTY}
    assert all(s.source and s.marks for s in table)
    with pytest.raises(ValueError, match="no source"):
        load({"signer": [{"name": "x", "family": THIRD_PARTY, "marks": ["x"]}]})
