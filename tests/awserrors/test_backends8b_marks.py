"""S3-compatible servers recognised by what their answers carry that AWS's never do (pass 8b): a host id that is a
UUID or 32 lower-case hex digits (S3's x-amz-id-2 is base64), MinIO's old constant "3L137" ids, a Go v2 error with a
request id but an empty host id, a Java error with neither id, a request under MinIO's admin API path, a gofakes3
server's own "serve s3:" log line, and an endpoint set with the MinIO client's `mc alias set`. Their errors keep AWS's
readings only as warnings; AWS's own answers of the neighbouring shapes stay errors. Ids, hosts and keys are made up
in each server's shape.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your key and signing "
            "method.")
XML_BODY = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>' + MISMATCH +
            "</Message><Resource>/backups/a.gz</Resource><RequestId>{rid}</RequestId><HostId>{host}</HostId></Error>")
AWS_HOST = "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg=="
GO_V2 = ('level=error msg="Error uploading log file" error="rpc error: code = Unknown desc = error putting object '
         'backups/b1/b1-logs.gz: operation error S3: PutObject, https response error StatusCode: 403, RequestID: {rid}, '
         'HostID: {host}, api error {code}: {message}"')
JAVA_V1 = ("java.nio.file.AccessDeniedException: s3a://data/a.json: getFileStatus on s3a://data/a.json: "
           "com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden (Service: Amazon S3; Status Code: 403; Error "
           "Code: 403 Forbidden; Request ID: {rid}), S3 Extended Request ID: {ext}")
JAVA_V2 = ("software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: S3, Status Code: 403, Request "
           "ID: {rid}, Extended Request ID: {ext})")


def _findings(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


@pytest.mark.parametrize(("text", "server"), [
    (XML_BODY.format(rid="17C2D1F4A0B3E5D6", host="5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e"), "hex or a UUID"),
    (GO_V2.format(rid="5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e", host="0f3c5a7e9b1d2c4e6a8b0d1f3e5c7a9b",
                  code="SignatureDoesNotMatch", message=MISMATCH), "hex or a UUID"),
    (XML_BODY.format(rid="3L137", host="3L137"), "MinIO"),
    ('{"Code":"AccessDenied","Message":"Access Denied.","Resource":"/backups","RequestId":"3L137","HostId":"3L137"}',
     "MinIO"),
    (GO_V2.format(rid="5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e", host="", code="AccessDenied", message="Access Denied"),
     "no x-amz-id-2"),
    (JAVA_V1.format(rid="null", ext="null"), "no request id"),
    (JAVA_V1.format(rid="null; S3 Extended Request ID: null", ext="null:403 Forbidden"), "no request id"),
    (JAVA_V2.format(rid="null", ext="null"), "no request id"),
    ('mc: <ERROR> Unable to add new user. Put "https://s3.amazonaws.com/minio/admin/v3/add-user?accessKey=alice": '
     "301 response missing Location header", "admin API"),
    ("INFO[2025-01-31 01:13:57] serve s3: Access Denied: 10.0.0.2:59374 => /photos/a.jpg", "gofakes3"),
])
def test_a_non_aws_servers_answer_names_no_error_cause(text: str, server: str) -> None:
    causes = ranked_causes(decode_text(text))
    assert causes, "AWS's readings stay, as warnings"
    assert all(s is not Severity.ERROR for _, s in causes)
    assert server in _findings(text)


@pytest.mark.parametrize(("text", "cause"), [
    # S3's own ids: 16 upper-case characters and a base64 host id.
    (XML_BODY.format(rid="8KJ2M4N6P8Q0R2S4", host=AWS_HOST), "secret-key-mismatch"),
    (GO_V2.format(rid="8KJ2M4N6P8Q0R2S4", host=AWS_HOST, code="AccessDenied", message="Access Denied"),
     "permission-missing"),
    # Java v2's S3 301 to a HEAD has no request id but keeps its extended id: AWS's answer.
    (JAVA_V2.format(rid="null", ext="frf1/X60l1EYDa23MUX8Xh3QH4k41SWwPZcYolsrZ4P3WtXbzNphkJC4opC+t4ZhdmSxwEo2Pyk="),
     "permission-missing"),
    # Another service's Java error prints "Extended Request ID: null" beside its UUID request id: AWS's too.
    ("software.amazon.awssdk.services.sts.model.StsException: Not authorized to perform sts:AssumeRoleWithWebIdentity "
     "(Service: Sts, Status Code: 403, Request ID: 5d1b7c2e-9a4f-4c3b-8e6d-2f0a1b3c4d5e, Extended Request ID: null)",
     "role-trust-denied"),
])
def test_awss_own_answers_of_neighbouring_shapes_stay_errors(text: str, cause: str) -> None:
    causes = ranked_causes(decode_text(text))
    if cause in ("secret-key-mismatch", "permission-missing"):  # a bare mismatch, a bare denial: undecided
        assert undecided_first(text) == cause
    else:
        assert (cause, Severity.ERROR) in causes
    assert "not AWS" not in _findings(text)


@pytest.mark.parametrize("alias", ["mc alias set store", "./mc config host add store"])
def test_an_endpoint_set_with_the_minio_client_makes_a_mismatch_that_servers(alias: str) -> None:
    text = (f"$ {alias} https://files.example.org ACCESSKEY SECRETKEY\n$ mc ls store\n"
            f"mc: <ERROR> Unable to list folder. {MISMATCH}")
    causes = ranked_causes(decode_text(text))
    assert causes and all(s is not Severity.ERROR for _, s in causes)
    assert "files.example.org" in _findings(text)


def test_an_mc_alias_of_aws_s3_keeps_the_mismatch_an_error() -> None:
    text = (f"$ mc alias set s3 https://s3.amazonaws.com ACCESSKEY SECRETKEY\n$ mc ls s3/backups\n"
            f"mc: <ERROR> Unable to list folder. {MISMATCH}")
    assert undecided_first(text) == "secret-key-mismatch"  # AWS's bare mismatch: undecided, not another server's


KEY_UNKNOWN = ('level=error caller=main.go:111 msg="error running Tempo" err="failed to init module services: store: '
               'unexpected error from ListObjects on traces: The {who}Access Key Id you provided does not exist in our '
               'records."')


def test_the_key_unknown_in_minios_words_names_no_error_cause() -> None:
    text = KEY_UNKNOWN.format(who="")
    causes = ranked_causes(decode_text(text))
    assert causes and all(s is not Severity.ERROR for _, s in causes)
    assert "MinIO's wording" in _findings(text)


def test_the_key_unknown_in_s3s_words_stays_an_error() -> None:
    # S3's words with no key id: the text cannot decide between the unknown key's readings, but they are AWS's.
    assert undecided_first(KEY_UNKNOWN.format(who="AWS ")) == "access-key-invalid"


def test_a_request_id_of_nanoseconds_is_seaweedfs() -> None:
    text = "upload failed: 403 Forbidden\n" + XML_BODY.format(rid="1729085633541862383", host="")
    causes = ranked_causes(decode_text(text))
    assert causes and all(s is not Severity.ERROR for _, s in causes)
    assert "SeaweedFS" in _findings(text)
