"""Who answered: an S3-compatible server that is not AWS shows itself by MinIO's own wording of an S3 error, a
decimal host id, a private address with a port as the endpoint, or the product's name in the text. Its answer keeps
AWS's readings, all of them, only as warnings; AWS's answers in AWS's words stay errors. Hosts, ids and keys are made
up in each server's shape.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

MINIO_SKEW = ("Fatal: unable to open config file: Stat: The difference between the request time and the server's time "
              "is too large.\nIs there a repository at the following location?\ns3:https://backup.example.org/repo")
AWS_SKEW = ("An error occurred (RequestTimeTooSkewed) when calling the PutObject operation: The difference between the "
            "request time and the current time is too large.")
MINIO_REGION = ("<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the "
                "region is wrong; expecting 'us-east-1'.</Message><RequestId>17A2B3C4D5E6F708</RequestId></Error>")
MINIO_DISABLED = ("upload failed: InvalidAccessKeyId: Your account is disabled; please contact your administrator.\n"
                  "\tstatus code: 403, request id: 17A2B3C4D5E6F708, host id: "
                  "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==")
DECIMAL_HOST = ('BackupStorageLocation "grid" is unavailable: rpc error: code = Unknown desc = operation error S3: '
                "ListObjectsV2, https response error StatusCode: 403, RequestID: 1699012345678901, HostID: 12345678, "
                "api error AccessDenied: Access Denied")
AWS_HOST_ID = ("operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: 8KJ2M4N6P8Q0R2S4, "
               "HostID: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==, api error AccessDenied: Access Denied")
PRIVATE = ('error="restic snapshots --repo=s3:http://10.20.30.40:9000/velero/restic/ns failed: stderr=Fatal: unable to '
           'open config file: Stat: Access Denied.\\nIs there a repository at the following location?"')
BODY = ("<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you "
        "provided. Check your key and signing method.</Message>")


def _report(text: str) -> tuple[list[tuple[str, Severity]], str]:
    report = decode_text(text)
    return ranked_causes(report), " ".join(f.message for f in report.probes[0].findings)


@pytest.mark.parametrize(("text", "first", "said"), [
    (MINIO_SKEW, "clock-skew", "MinIO's wording"),
    (MINIO_REGION, "region-mismatch", "MinIO's wording"),
    (MINIO_DISABLED, "access-key-invalid", "MinIO's wording"),
    (DECIMAL_HOST, "permission-missing", "host id is a decimal number"),
    (PRIVATE, "permission-missing", "10.20.30.40:9000"),
    (f"Works with AWS, but Supabase gives\n\n{BODY}", "secret-key-mismatch", "Supabase"),
    (f"Same with IDrive e2 (eu-west-4):\n{BODY}", "secret-key-mismatch", "IDrive e2"),
    (f"Our Backblaze bucket answers\n{BODY}", "secret-key-mismatch", "Backblaze"),
    (f"endpoint = https://abc123.r2.cloudflarestorage.com\n{BODY}", "secret-key-mismatch", "Cloudflare R2"),
    (f"StorageGRID 11.8 tenant:\n{BODY}", "secret-key-mismatch", "StorageGRID"),
    (f"radosgw behind haproxy, Ceph Reef:\n{BODY}", "secret-key-mismatch", "Ceph"),
    (f"SeaweedFS 3.68 s3 gateway:\n{BODY}", "secret-key-mismatch", "named in the text"),
    ("$ aws s3 cp a.bin s3://bucket/ --endpoint-url https://gateway.storjshare.io\nupload failed: An error occurred "
     "(SignatureDoesNotMatch) when calling the PutObject operation: The request signature we calculated does not match "
     "the signature you provided. Check your key and signing method.", "secret-key-mismatch", "Storj"),
    # s3cmd signs with code of its own (checks/errors/signers.toml): the canonical request is its first reading.
    ("ERROR: S3 error: 403 (SignatureDoesNotMatch): The request signature we calculated does not match the signature "
     "you provided. Check your secret access key and signing method.", "canonicalization-mismatch",
     "no AWS service answers"),
    ("An error occurred (InvalidAccessKeyId) when calling the PutObject operation: The AWS Access Key Id you provided "
     "does not exist in our records.\n{'ResponseMetadata': {'HTTPStatusCode': 200, 'HTTPHeaders': {'content-type': "
     "'application/xml', 'content-length': '120'}, 'RetryAttempts': 0}, 'Buckets': []}", "access-key-invalid",
     "carry no request id"),
])
def test_a_non_aws_servers_answer_keeps_its_readings_as_warnings(text: str, first: str, said: str) -> None:
    causes, messages = _report(text)
    assert causes[0][0] == first
    assert all(s is not Severity.ERROR for _, s in causes)
    assert said in messages


def test_a_non_aws_answer_lists_the_same_readings_as_awss_own() -> None:
    aws, _ = _report(DECIMAL_HOST.replace("HostID: 12345678", "HostID: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPf"
                                                               "TaOFg==").replace("RequestID: 1699012345678901",
                                                                                  "RequestID: 8KJ2M4N6P8Q0R2S4"))
    other, _ = _report(DECIMAL_HOST)
    assert aws[0][1] is Severity.WARNING and len(aws) >= 3  # a bare mismatch: the text cannot decide
    assert undecided_first(DECIMAL_HOST.replace("HostID: 12345678", "HostID: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcf"
                                                "TWAtRPfTaOFg==").replace("RequestID: 1699012345678901",
                                                                          "RequestID: 8KJ2M4N6P8Q0R2S4"))
    assert [c for c, _ in other] == [c for c, _ in aws]


@pytest.mark.parametrize(("text", "cause"), [
    (AWS_SKEW, "clock-skew"),
    ("remote_write to http://127.0.0.1:8005/workspaces/ws-1/api/v1/remote_write: server returned HTTP status 403 "
     "Forbidden: {\"message\":\"User: arn:aws:sts::111122223333:assumed-role/agent/i-0abc is not authorized to "
     "perform: aps:RemoteWrite on resource: arn:aws:aps:us-east-1:111122223333:workspace/ws-1\"}", "permission-missing"),
])
def test_awss_own_answers_stay_errors(text: str, cause: str) -> None:
    causes, _ = _report(text)
    assert causes[0] == (cause, Severity.ERROR)


# AWS's own answers the text cannot decide (a bare denial, an unknown key with no key id, a bare mismatch): read as
# AWS's, not a non-AWS server's — the first reading says the text cannot decide.
@pytest.mark.parametrize(("text", "cause"), [
    (AWS_HOST_ID, "permission-missing"),
    ("An error occurred (InvalidAccessKeyId) when calling the PutObject operation: The AWS Access Key Id you provided "
     "does not exist in our records.\n{'ResponseMetadata': {'RequestId': '8KJ2M4N6P8Q0R2S4', 'HostId': 'Uuag1LuByRx9e6j5"
     "Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==', 'HTTPStatusCode': 200, 'HTTPHeaders': {}, 'RetryAttempts': 0}}",
     "access-key-invalid"),
    ("An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we "
     "calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
     "Consult the service documentation for details.", "secret-key-mismatch"),
    # A name that is part of another word (rook-ceph), a local signing proxy on loopback: no sign of another server.
    ('lookup failed for rook-ceph-operator config; upload: ' + BODY.replace("</Message>", "</Message><RequestId>"
                                                                            "8KJ2M4N6P8Q0R2S4</RequestId>"),
     "secret-key-mismatch"),
])
def test_awss_own_undecided_answers_are_read_as_awss(text: str, cause: str) -> None:
    assert undecided_first(text) == cause


def test_a_connection_to_a_private_address_stays_a_network_failure() -> None:
    causes, _ = _report('Get "http://10.20.30.40:9000/velero/?location=": dial tcp 10.20.30.40:9000: connect: '
                        "connection refused")
    assert causes[0] == ("endpoint-unreachable", Severity.ERROR)
