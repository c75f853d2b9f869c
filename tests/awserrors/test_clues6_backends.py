"""S3-compatible servers that answer in AWS's words, recognised by what their answers carry that AWS's never do: a
UUID or lower-case request id, a 16-hex host id, an S3 error body without its ids, S3Proxy's own log lines, a bucket
put before an in-cluster service name. Their errors keep AWS's readings only as warnings (exit 0); AWS's own answers
of the same shapes stay errors. Ids, hosts and keys are made up in each server's shape.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, undecided_first

S3_MISMATCH_BODY = ("403 Forbidden: <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
                    "<Message>The request signature we calculated does not match the signature you provided. Check "
                    "your key and signing method.</Message>{resource}<RequestId>{rid}</RequestId>{host}</Error>")
AWS_HOST = "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>"
UUID = "c2b078ad-232b-4a54-891d-a8bf1a104bef"
ARCHIVE_KEY = ("ERROR : a.txt: Failed to copy: s3 upload: 403 Forbidden: <?xml version='1.0' encoding='UTF-8'?>\n"
               "<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our "
               f"records.</Message><Resource /><RequestId>{UUID}</RequestId></Error>")
NO_IDS = ("ERROR : a.7z: Failed to copy: s3 upload: 403 Forbidden: <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<Error><Code>AccessDenied</Code>\n<Message>Access Denied</Message>\n<BucketName>backups</BucketName>\n"
          "</Error>")
STS_BODY = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n"
            "    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the request is invalid."
            "</Message>\n  </Error>\n  <RequestId>0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b</RequestId>\n</ErrorResponse>")
EC2_BODY = ("<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access "
            "credentials</Message></Error></Errors><RequestID>0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b</RequestID>"
            "</Response>")
GO_DENIED = ("ERROR : a.txt: Failed to copy: AccessDenied: Access Denied\n\tstatus code: 403, request id: {rid}, "
             "host id: aZeczZjajYeBlHjI5YT82fmWhOI01RjOI")
S3PROXY_LOG = (
    "[s3proxy] D 06-15 05:26:43.505 S3Proxy-Jetty-18 o.gaul.s3proxy.S3ProxyHandler:301 |::] request: Request(PUT "
    "https://files.example.com/bucket/a.bin)\n"
    "[s3proxy] D 06-15 05:26:43.506 S3Proxy-Jetty-18 o.gaul.s3proxy.S3ProxyHandler:2971 |::] sendSimpleErrorResponse: "
    "403 SignatureDoesNotMatch Forbidden {}")
IN_CLUSTER = ('level=error msg="failed to flush" err="store put chunk: RequestError: send request failed\\ncaused by: '
              'Put \\"http://chunks.rgw-store.storage.svc.cluster.local/fake/abc\\": dial tcp: lookup '
              'chunks.rgw-store.storage.svc.cluster.local on 10.96.0.10:53: no such host"')



def _errors(text: str) -> list[str]:
    return [c for c, s in ranked_causes(decode_text(text)) if s is Severity.ERROR]


@pytest.mark.parametrize(("text", "server"), [
    (S3_MISMATCH_BODY.format(resource="<Resource></Resource>", rid=UUID, host="<HostId>C6FB104A53846DDD</HostId>"),
     "lakeFS"),
    (S3_MISMATCH_BODY.format(resource="", rid=UUID, host=""), "request id is not S3's"),
    (ARCHIVE_KEY, "request id is not S3's"),
    (NO_IDS, "request id is not S3's"),
    (GO_DENIED.format(rid="f93b7f10c87a8867"), "lower-case hex"),
    (S3PROXY_LOG, "S3Proxy"),
    (S3_MISMATCH_BODY.format(resource="<Resource>/bucket/a.bin</Resource>", rid="18BE12ED5938E79E",
                             host="<HostId>" + "dd9025bab4ad464b" * 4 + "</HostId>"), "MinIO"),
    ("create backend at s3:http://files.example.com:8080/repo failed: client.BucketExists: The access key ID you "
     "provided does not exist in our records", "lakeFS"),
])
def test_an_s3_compatible_servers_answer_names_no_error_cause(text: str, server: str) -> None:
    report = decode_text(text)
    causes = ranked_causes(report)
    assert causes, "AWS's readings stay, as warnings"
    assert all(s is not Severity.ERROR for _, s in causes)
    assert server in " ".join(f.message for f in report.probes[0].findings)


@pytest.mark.parametrize(("text", "cause"), [
    (S3_MISMATCH_BODY.format(resource="<Resource>/bucket/a.bin</Resource>", rid="8KJ2M4N6P8Q0R2S4", host=AWS_HOST),
     "secret-key-mismatch"),
    (STS_BODY, "access-key-invalid"),
    (EC2_BODY, "access-key-invalid"),
    (GO_DENIED.format(rid="8KJ2M4N6P8Q0R2S4"), "permission-missing"),
    ("InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n\tstatus code: 403, "
     "request id: 8KJ2M4N6P8Q0R2S4, host id: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==",
     "access-key-invalid"),
])
def test_awss_own_answers_of_the_same_shapes_stay_errors(text: str, cause: str) -> None:
    # Each is a bare mismatch, a bare denial or an unknown key with no key id: the text cannot decide which reading,
    # but it reads them as AWS's answer (the first says the text cannot decide, not that the server is not AWS).
    assert undecided_first(text) == cause


def test_a_bucket_put_before_an_in_cluster_service_name_is_no_aws_dns_failure() -> None:
    report = decode_text(IN_CLUSTER)
    assert ranked_causes(report) == [("dns-resolution-failed", Severity.WARNING)]
    assert "in-cluster" in " ".join(f.message for f in report.probes[0].findings)
    # The service's own name (no bucket in front) failing to resolve is a DNS failure as any other.
    plain = IN_CLUSTER.replace("chunks.rgw-store", "rgw-store")
    assert _errors(plain) == ["dns-resolution-failed"]
