"""Pass 15's tool and library messages (checks/errors/tools15.toml): Arrow C++'s S3FileSystem (pyarrow, R arrow and
the readers built on them) printing aws-sdk-cpp's error type for S3's bodiless HEAD answers and its region sentence,
arrow-rs object_store's bare-redirect sentence, Ansible's aws_ec2 inventory plugin's chain end and the JavaScript
SDK v3 browser runtime's missing credentials. Each is the tool's format string in the wrapper it is printed in."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

E, W = Severity.ERROR, Severity.WARNING

ARROW_HEAD_OBJECT = """\
Traceback (most recent call last):
  File "pyarrow/_fs.pyx", line 815, in pyarrow._fs.FileSystem.open_input_file
  File "pyarrow/error.pxi", line 92, in pyarrow.lib.check_status
OSError: When reading information for key 'data/part-0.parquet' in bucket 'amzn-s3-demo-bucket': AWS Error \
ACCESS_DENIED during HeadObject operation: No response body.
"""
ARROW_HEAD_BUCKET = ("OSError: When testing for existence of bucket 'amzn-s3-demo-bucket': AWS Error ACCESS_DENIED "
                     "during HeadBucket operation: No response body.")
ARROW_OLD = ("OSError: When reading information for key 'data/part-0.parquet' in bucket 'amzn-s3-demo-bucket': "
             "AWS Error [code 15]: No response body.")
ARROW_400 = ("OSError: When getting information for bucket 'amzn-s3-demo-bucket': AWS Error UNKNOWN (HTTP status 400) "
             "during HeadBucket operation: No response body.")


@pytest.mark.parametrize("text", [ARROW_HEAD_OBJECT, ARROW_HEAD_BUCKET, ARROW_OLD])
def test_arrow_bodiless_403_cannot_decide_and_offers_the_unsigned_request(text: str) -> None:
    assert undecided_first(text) in ("permission-missing", "target-not-found")
    # aws-sdk-cpp sends the request unsigned when its chain finds nothing: an empty chain is offered.
    assert "no-credentials" in [c for c, _ in text_causes(text)][:3]


def test_arrow_head_object_403_names_the_missing_key_first() -> None:
    assert undecided_first(ARROW_HEAD_OBJECT) == "target-not-found"


def test_arrow_bodiless_400_reads_as_a_bodiless_head_400() -> None:
    assert undecided_first(ARROW_400) == "region-mismatch"


def test_arrow_with_aws_body_is_read_from_aws_message() -> None:
    text = ("OSError: When reading information for key 'a.parquet' in bucket 'amzn-s3-demo-bucket': AWS Error "
            "ACCESS_DENIED during HeadObject operation: No response body.\n"
            "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the GetObject "
            "operation: The provided token has expired.")
    assert text_causes(text)[:1] == [("credentials-expired", E)]


CASES = [
    ("OSError: When getting information for bucket 'amzn-s3-demo-bucket': AWS Error UNKNOWN (HTTP status 301) "
     "during HeadBucket operation: No response body. Looks like the configured region is 'us-east-1' while the "
     "bucket is located in 'eu-west-1'.", "region-mismatch", E),
    ("ERROR:  failed to close parquet writer: External: Generic S3 error: Received redirect without LOCATION, "
     "this normally indicates an incorrectly configured region", "region-mismatch", E),
    ("Uncaught (in promise) Error: Credential is missing\n    at credentialDefaultProvider (runtimeConfig.browser.js:25:55)",
     "sdk-unsupported-credential-source", W),
]


@pytest.mark.parametrize(("text", "cause", "severity"), CASES)
def test_a_tool_message_names_its_cause(text: str, cause: str, severity: Severity) -> None:
    assert text_causes(text)[:1] == [(cause, severity)]


def test_ansible_aws_ec2_chain_end_is_no_credentials_undecided() -> None:
    text = ("[WARNING]:  * Failed to parse /etc/ansible/inventory/prod.aws_ec2.yml with auto plugin: Insufficient "
            "boto credentials found. Please provide them in your inventory configuration file or set them as "
            "environment variables.")
    assert text_causes(text)[:1] == [("no-credentials", W)]


HEALTHY = b"".join(b"2026-12-07T10:%02d:00Z INFO app request ok path=/items status=200 bytes=5120\n"
                   % (i % 60) for i in range(4000))  # above decode's paste size: read through the prefilter


@pytest.mark.parametrize(("text", "cause", "severity"), CASES)
def test_a_tool_message_in_a_large_log_reads_as_it_does_alone(text: str, cause: str, severity: Severity) -> None:
    assert text_causes(HEALTHY + text.encode() + b"\n" + HEALTHY)[:1] == [(cause, severity)]
