"""A non-AWS S3 server named by the text (pass 9): an S3 answer with no x-amz-id-2 (the Java SDKs' "Extended Request
ID: null"), and MinIO named as a word by the reporter. Its readings stay ranked, as warnings."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


JAVA_MISMATCH = ("com.amazonaws.services.s3.model.AmazonS3Exception: The request signature we calculated does not "
                 "match the signature you provided. Check your key and signing method. (Service: Amazon S3; Status "
                 "Code: 403; Error Code: SignatureDoesNotMatch; Request ID: {rid}), S3 Extended Request ID: {xid}")


@pytest.mark.parametrize("rid", ["f8be3bf7-ce62-4e02-8b0c-54ad3a7361b1", "4442587FB7D0A2F9"])
def test_an_s3_answer_without_host_id_is_another_server(rid: str) -> None:
    text = JAVA_MISMATCH.format(rid=rid, xid="null")
    causes = _causes(text)
    assert causes[0] == ("secret-key-mismatch", WARNING)
    assert all(s == WARNING for _, s in causes)
    assert "x-amz-id-2" in _messages(text)


def test_java_v2_without_host_id_is_another_server() -> None:
    text = ("software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: S3, Status Code: 403, "
            "Request ID: 17B2C5D9E8A1F3C4, Extended Request ID: null)")
    assert all(s == WARNING for _, s in _causes(text))


def test_the_same_answer_with_s3s_host_id_stays_aws() -> None:
    text = JAVA_MISMATCH.format(rid="4442587FB7D0A2F9", xid="Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==")
    assert undecided_first(text) == "secret-key-mismatch"


DENIED = 'Failed to put file: Access Denied.'


def test_the_reporter_naming_minio_makes_the_denial_its() -> None:
    text = f'Hello, I\'m using minio and I have "{DENIED}"'
    causes = _causes(text)
    assert causes and causes[0][0] == "permission-missing"
    assert all(s == WARNING for _, s in causes)
    assert "MinIO" in _messages(text)


@pytest.mark.parametrize("text", [
    f"github.com/minio/minio-go/v7 error: {DENIED}",  # the client library, used against AWS as well
    f"s3://velero/minio/restic/default: {DENIED}",  # a bucket path
    f'Get "https://minio.default.svc.cluster.local/loki": {DENIED}',  # a host name
])
def test_minio_as_a_library_path_or_host_is_no_server_name(text: str) -> None:
    assert undecided_first(text) == "permission-missing"
