"""Clues a text holds beside its error that decide the reading (the frame a failure was raised in, the part of the
credential S3 could not parse, the host that was looked up, a link that is no host), and bare HTTP statuses from AWS
endpoints in the words of clients that do not print AWS's body: ranked warnings with what settles them, never an
error the text does not prove. Hosts, ids and paths are made up; each text has the shape its client prints.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, top_cause, undecided_first
from tests.decode.test_wrappers import MANGLERS

URLLIB3_PROXY_TIMEOUT = (
    'Traceback (most recent call last):\n'
    '  File "/usr/lib/python3/site-packages/urllib3/connectionpool.py", line 696, in urlopen\n'
    '    self._prepare_proxy(conn)\n'
    '  File "/usr/lib/python3/site-packages/urllib3/connectionpool.py", line 964, in _prepare_proxy\n'
    '    conn.connect()\n'
    '  File "/usr/lib/python3/site-packages/urllib3/connection.py", line 177, in _new_conn\n'
    '    % (self.host, self.timeout),\n'
    "urllib3.exceptions.ConnectTimeoutError: (<botocore.awsrequest.AWSHTTPSConnection object at 0x7f3a>, "
    "'Connection to logs.eu-west-1.amazonaws.com timed out. (connect timeout=60)')")
DIRECT_TIMEOUT = ("urllib3.exceptions.ConnectTimeoutError: (<botocore.awsrequest.AWSHTTPSConnection object at "
                  "0x7f3a>, 'Connection to logs.eu-west-1.amazonaws.com timed out. (connect timeout=60)')")
CRED_MALFORMED = (
    "Error executing \"ListBuckets\" on \"https://s3.amazonaws.com/\"; AWS HTTP error: Client error: `GET "
    "https://s3.amazonaws.com/` resulted in a `400 Bad Request` response: AuthorizationHeaderMalformed (client): The "
    "authorization header is malformed; the Credential is mal-formed; expecting "
    "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
WRONG_REGION = ("<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the "
                "region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>")
DUCKDB_400 = "HTTP Error: HTTP GET error on 'https://logs-archive.s3.amazonaws.com/2026/11/27/a.csv' (HTTP 400)"
DUCKDB_403 = "HTTP Error: HTTP GET error on 'https://logs-archive.s3.amazonaws.com/2026/11/27/a.csv' (HTTP 403)"
LOGSTASH_403 = (
    "[2026-11-27T04:00:00,914][WARN ][logstash.outputs.elasticsearch] Attempted to resurrect connection to dead ES "
    "instance, but got an error. {:url=>\"https://search-logs-abc.eu-west-1.es.amazonaws.com:443/\", :error_type=>"
    "LogStash::Outputs::ElasticSearch::HttpClient::Pool::BadResponseCodeError, :error=>\"Got response code '403' "
    "contacting Elasticsearch at URL 'https://search-logs-abc.eu-west-1.es.amazonaws.com:443/'\"}")
FLUENT_BIT_EMPTY_HOST = (
    "[2026/11/27 04:00:00] [ warn] net_tcp_fd_connect: getaddrinfo(host=''): Name or service not known\n"
    "[2026/11/27 04:00:00] [error] [io] connection #54 failed to: :443\n"
    "[2026/11/27 04:00:00] [error] [aws_client] connection initialization error")
FLUENT_BIT_REAL_HOST = ("[2026/11/27 04:00:00] [ warn] net_tcp_fd_connect: getaddrinfo(host='sts.eu-west-1."
                        "amazonaws.com'): Name or service not known")
PHP_IMDS_TIMEOUT = (
    "Aws\\Exception\\CredentialsException: Error retrieving credentials from the instance profile metadata service. "
    "(cURL error 28: Connection timed out after 1000 milliseconds (see https://curl.haxx.se/libcurl/c/libcurl-"
    "errors.html)) in /app/vendor/aws/aws-sdk-php/src/Credentials/InstanceProfileProvider.php:240")



def test_a_connect_timeout_raised_while_urllib3_opens_the_proxy_tunnel_is_the_proxy() -> None:
    causes = ranked_causes(decode_text(URLLIB3_PROXY_TIMEOUT))
    assert causes[0] == ("proxy-misconfigured", Severity.ERROR)
    assert "endpoint-unreachable" not in [c for c, _ in causes]
    # The same timeout without the tunnel's frame went straight to the endpoint.
    assert top_cause(decode_text(DIRECT_TIMEOUT)) == "endpoint-unreachable"


def test_a_credential_s3_cannot_parse_is_the_key_id_not_the_region() -> None:
    causes = ranked_causes(decode_text(CRED_MALFORMED))
    assert causes[0] == ("access-key-invalid", Severity.ERROR)
    assert ("region-mismatch", Severity.WARNING) in causes  # an empty region is the other way to lose a part
    # S3 names a wrong region in other words, and that stays a region mismatch.
    assert top_cause(decode_text(WRONG_REGION)) == "region-mismatch"


@pytest.mark.parametrize(("text", "first"), [
    (DUCKDB_400, ["region-mismatch", "credentials-expired", "session-token-missing"]),
    (DUCKDB_403, ["permission-missing", "request-not-signed", "secret-key-mismatch"]),
    (LOGSTASH_403, ["permission-missing", "request-not-signed", "secret-key-mismatch"]),
])
def test_a_bare_status_from_an_aws_endpoint_in_a_clients_words_is_ranked_readings(text: str, first: list[str]) -> None:
    report = decode_text(text)
    causes = ranked_causes(report)
    assert [c for c, _ in causes[:3]] == first
    assert all(s is not Severity.ERROR for _, s in causes)  # the status alone proves none of them
    lead = next(f for f in report.probes[0].findings if f.id == f"decode.{first[0]}")
    assert "cannot decide" in lead.message and ("(HTTP 4" in lead.message or "response code" in lead.message)
    assert "Settle it" in " ".join(lead.evidence["fix"])


def test_a_bare_status_from_a_host_that_is_not_aws_reads_as_nothing() -> None:
    assert ranked_causes(decode_text(DUCKDB_400.replace("logs-archive.s3.amazonaws.com", "minio.example.com:9000"))) == []
    assert ranked_causes(decode_text(LOGSTASH_403.replace(".es.amazonaws.com", ".example.com"))) == []


def test_an_empty_host_name_is_no_dns_failure() -> None:
    causes = ranked_causes(decode_text(FLUENT_BIT_EMPTY_HOST))
    assert ("dns-resolution-failed", Severity.ERROR) not in causes
    assert ("dns-resolution-failed", Severity.WARNING) in causes
    assert ranked_causes(decode_text(FLUENT_BIT_REAL_HOST))[0] == ("dns-resolution-failed", Severity.ERROR)


def test_guzzles_link_to_curls_error_page_is_not_where_the_connection_went() -> None:
    # The SDK's 1 s probe of instance metadata that could not connect: nothing configured first (chain_end.py), the
    # metadata service second — no endpoint at curl's error page either way.
    report = decode_text(PHP_IMDS_TIMEOUT)
    assert top_cause(report) == "no-credentials"
    assert [c for c, _ in ranked_causes(report)][1] == "imds-unreachable"
    assert "curl.haxx.se" not in " ".join(f.message for f in report.probes[0].findings)


MANGLED = [(URLLIB3_PROXY_TIMEOUT, "proxy-misconfigured"), (CRED_MALFORMED, "access-key-invalid"),
           (PHP_IMDS_TIMEOUT, "no-credentials"), (LOGSTASH_403, "permission-missing")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MANGLED), st.lists(st.sampled_from(sorted(MANGLERS)), min_size=1, max_size=2))
def test_mangled_clues_keep_their_top_cause(case: tuple[str, str], mangles: list[str]) -> None:
    text, cause = case
    for name in mangles:
        text = MANGLERS[name](text)
    assert top_cause(decode_text(text)) == cause, (mangles, text[:400])


PRESIGNED = (
    "https://logs-archive.s3.eu-west-1.amazonaws.com/a.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFOD"
    "NN7EXAMPLE%2F20261127%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261127T040000Z&X-Amz-Expires=900&X-Amz-"
    "SignedHeaders={signed}&x-id=GetObject&X-Amz-Signature=" + "deadbeef" * 8 + "\n\n<Error><Code>SignatureDoesNotMatch"
    "</Code><Message>The request signature we calculated does not match the signature you provided. Check your key "
    "and signing method.</Message><RequestId>8KJ2M4N6P8Q0R2S4</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/"
    "C1NPcfTWAtRPfTaOFg==</HostId></Error>")  # S3 always sends both ids (an <Error> without them is another server's)
SIGV2_VIA = (
    "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature"
    " you provided. Check your key and signing method.</Message><StringToSign>GET\n\n\n{headers}/logs-archive/a.gz"
    "</StringToSign><RequestId>4B4D7951B3DC32D1</RequestId></Error>")


def test_a_presigned_url_that_signs_a_header_besides_host_is_read_as_the_signers_canonicalization() -> None:
    causes = ranked_causes(decode_text(PRESIGNED.format(signed="content-type%3Bhost")))
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert undecided_first(PRESIGNED.format(signed="content-type%3Bhost")) == "canonicalization-mismatch"
    assert causes[1] == ("request-modified-after-signing", Severity.WARNING)
    # A header the SDK signs on its own (aws-sdk-go-v2's amz-sdk-request) is the SDK release's regression: the same
    # reading, a warning (pass 11, tests/awserrors/test_signing11.py).
    own = ranked_causes(decode_text(PRESIGNED.format(signed="amz-sdk-request%3Bhost")))
    assert own[0] == ("canonicalization-mismatch", Severity.WARNING)
    # host and x-amz-* headers are what a presigned URL signs: no clue then, a presigned URL's undecided order stands
    # (its signed headers first, every reading a warning, the secret last).
    plain = ranked_causes(decode_text(PRESIGNED.format(signed="host%3Bx-amz-acl")))
    assert plain[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert plain[-1][0] == "secret-key-mismatch"


def test_cloudfronts_header_in_the_string_aws_signed_is_a_hop_that_changed_the_request() -> None:
    via = SIGV2_VIA.format(headers="x-amz-cf-id:5ZxaxPOoKEPPe3gLsvAMMMdZzcl7GjVYrPFL2Yn88VWbwGLVtiTJFw==\n"
                                   "x-amz-date:Fri, 27 Nov 2026 04:00:00 GMT\n")
    assert ranked_causes(decode_text(via))[0] == ("request-modified-after-signing", Severity.ERROR)
    # The same id among a CloudFront response's headers says nothing about what was signed.
    direct = SIGV2_VIA.format(headers="x-amz-date:Fri, 27 Nov 2026 04:00:00 GMT\n")
    assert top_cause(decode_text("HTTP/1.1 403 Forbidden\nX-Amz-Cf-Id: 5Zxax==\n\n" + direct)) == "secret-key-mismatch"


def test_an_xml_error_body_with_its_message_on_a_line_of_its_own_is_one_error() -> None:
    text = ("<Error>\n<Code>SignatureDoesNotMatch</Code>\n<Message>\nThe request signature we calculated does not match "
            "the signature you provided. Check your key and signing method.\n</Message>\n<StringToSign>\nGET x-amz-cf-id:"
            "5ZxaxPOoKEPPe3gLsvAMMMdZzcl7GjVYrPFL2Yn88VWbwGLVtiTJFw== x-amz-date:Fri, 27 Nov 2026 04:00:00 GMT /logs/a.gz"
            "\n</StringToSign>\n<RequestId>127A95CC3037ABFF</RequestId>\n</Error>\n"
            "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n")
    report = decode_text(text)
    summary = report.probes[0].findings[0].evidence
    assert (summary["errors"], summary["distinct"]) == (2, 2)  # the whole body, then the line after its end
    # The string to sign three lines below the code was read with it: CloudFront's header decided the reading.
    assert ("request-modified-after-signing", Severity.ERROR) in ranked_causes(report)


AMP_MISMATCH = (
    'ts=2026-11-27T04:00:00Z caller=dedupe.go:112 component=remote level=error msg="non-recoverable error" err="server '
    'returned HTTP status 403 Forbidden: {\\"message\\":\\"The request signature we calculated does not match the '
    'signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation '
    'for details.\\\\n\\\\nThe Canonical String for this request should have been\\\\n\'POST\\\\n/workspaces/ws-1/api/'
    'v1/remote_write\\\\n\\\\ncontent-encoding:snappy\\\\ncontent-type:application/x-protobuf\\\\nhost:aps-workspaces.'
    'eu-west-1.amazonaws.com\\\\nx-amz-date:20261127T040000Z\\\\n{token}')


def test_a_mismatch_signed_with_a_session_token_puts_the_wrong_secret_last() -> None:
    causes = [c for c, _ in ranked_causes(decode_text(AMP_MISMATCH.replace("{token}", "x-amz-security-token:FAKEFAKEFAKE")))]
    assert causes[0] == "request-modified-after-signing"
    assert causes.index("canonicalization-mismatch") < (causes.index("secret-key-mismatch")
                                                         if "secret-key-mismatch" in causes else len(causes))
    # Long-lived keys carry no token: a wrong secret stays the first reading.
    assert top_cause(decode_text(AMP_MISMATCH.replace("{token}", ""))) == "secret-key-mismatch"


FGAC = ('{"error":{"root_cause":[{"type":"security_exception","reason":"no permissions for [indices:data/write/bulk] '
        'and User [name=USER, backend_roles=[], requestedTenant=null]"}],"type":"security_exception","reason":"no '
        'permissions for [indices:data/write/bulk] and User [name=USER, backend_roles=[], requestedTenant=null]"},'
        '"status":403}')


def test_an_opensearch_refusal_names_iam_only_when_its_user_is_an_iam_principal() -> None:
    role = FGAC.replace("USER", "arn:aws:iam::123456789012:role/fluent-bit")
    assert ranked_causes(decode_text(role))[0] == ("permission-missing", Severity.ERROR)
    # An OpenSearch internal user: no SigV4, no IAM policy — a reading, not an error of sigdoctor's catalog.
    internal = ranked_causes(decode_text(FGAC.replace("USER", "jaeger-writer")))
    assert internal and all(s is not Severity.ERROR for _, s in internal)


@pytest.mark.parametrize("text", [
    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code><Message>Access denied.</Message>"
    "<Details>The request signature we calculated does not match the signature you provided. Check your Google secret "
    "key and signing method.</Details></Error>",
    "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature"
    " you provided.</Message><StringToSign>GOOG4-HMAC-SHA256\n20261127T040000Z\n20261127/auto/storage/goog4_request\n"
    "8a7f801b5fe501876176a7fd04d4723a5099b61c5bb6928a02f1770282e71727</StringToSign></Error>",
])
def test_google_cloud_storage_answering_in_aws_words_gets_no_aws_cause_as_an_error(text: str) -> None:
    report = decode_text(text)
    causes = ranked_causes(report)
    assert causes and all(s is not Severity.ERROR for _, s in causes)
    assert any("Google Cloud Storage" in f.message for f in report.probes[0].findings)


@pytest.mark.parametrize("text", [
    "software.amazon.awssdk.services.s3.model.S3Exception: null (Service: S3, Status Code: 301, Request ID: null, "
    "Extended Request ID: frf1/X60l1EYDa23MUX8Xh3QH4k41SWwPZcYolsrZ4P3WtXbzNphkJC4opC+t4ZhdmSxwEo2Pyk=)",
    "botocore.exceptions.ClientError: An error occurred (301) when calling the HeadBucket operation: Moved Permanently",
    "com.amazonaws.services.s3.model.AmazonS3Exception: Moved Permanently (Service: Amazon S3; Status Code: 301; Error "
    "Code: 301 Moved Permanently; Request ID: 4B4D7951B3DC32D1)",
])
def test_s3s_bodiless_301_is_the_wrong_region_and_offers_a_name_taken_elsewhere(text: str) -> None:
    causes = ranked_causes(decode_text(text))
    assert causes[0] == ("region-mismatch", Severity.ERROR)
    assert ("target-not-found", Severity.WARNING) in causes


def test_ec2s_refusal_without_its_code_is_found_and_read() -> None:
    text = ('{:timestamp=>"2026-11-27T04:00:00.000000+0000", :message=>"A plugin had an unrecoverable error.\\n  '
            'Error: You are not authorized to perform this operation.", :level=>:error}')
    assert top_cause(decode_text(text)) == "permission-missing"
