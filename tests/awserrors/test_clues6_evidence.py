"""Words in the text that decide the reading: an Authorization header cut at the key id, `Signature expired` without
its dates, a denial STS itself answers, the STS call a web identity source failed in (and the network failure under
it), S3's answer to an anonymous request, instance metadata refusing with 403, a host built without its region — and
the ranking of a bare signature mismatch. Keys, hosts and ids are made up; each text has the shape its client prints.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, top_cause, undecided_first
from tests.decode.test_wrappers import MANGLERS

FLUENTD_CUT_HEADER = (
    '2026-11-27 04:00:00 +0000 [warn]: temporarily failed to flush the buffer. next_retry=2026-11-27 04:00:30 +0000 '
    'error_class="Aws::CloudWatchLogs::Errors::IncompleteSignatureException" error="Authorization header requires '
    "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
    'Credential=AKIAEXAMPLEKEY123456" plugin_id="object:3fe1"')
FOREIGN_SCHEME = (
    "IncompleteSignatureException: Authorization header requires 'Credential' parameter. Authorization header "
    "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header "
    "requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Basic dXNlcjpwYXNz")
EXPIRED_CUT = "Unable to call AWS API: SignatureDoesNotMatch: Signature expired:"
JWT_EXPIRED = "jwt.exceptions.ExpiredSignatureError: Signature has expired"
JAVA_STS_DENIED = (
    "Caused by: com.amazonaws.services.securitytoken.model.AWSSecurityTokenServiceException: Access denied (Service: "
    "AWSSecurityTokenService; Status Code: 403; Error Code: AccessDenied; Request ID: 0f1e2d3c-4b5a-6978-8a9b-"
    "0c1d2e3f4a5b)")
JAVA_S3_DENIED = (
    "com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error "
    "Code: AccessDenied; Request ID: 8KJ2M4N6P8Q0R2S4; S3 Extended Request ID: abc=)")
WEB_IDENTITY_TLS_TIMEOUT = (
    '{"level":"error","msg":"Reconciler error","error":"WebIdentityErr: failed to retrieve credentials\\ncaused by: '
    'RequestError: send request failed\\ncaused by: Post \\"https://sts.eu-west-1.amazonaws.com/\\": net/http: TLS '
    'handshake timeout"}')
STS_WEB_IDENTITY_CUT = ("could not get provider client: failed to refresh cached credentials, failed to retrieve "
                        "credentials, operation error STS: AssumeRoleWithWebIdentity")
S3_ANONYMOUS = (
    "[ERR] curl.cpp:CheckBucket(3094): Check bucket failed, S3 response: <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Error><Code>AccessDenied</Code><Message>No AWSAccessKey was presented.</Message><RequestId>17A9FBA30B0EC2C3"
    "</RequestId><HostId>UUoQ4rWX2WGMbw4lA1S6TNlUUrQSxCM1PxFtms5LSefBBoInBoBgYhnDeDfdEfEqGHHBT0q9T30=</HostId></Error>")
IMDS_TURNED_OFF = (
    "2026/11/27 04:00:00 I! WARN: failed to get session token, falling back to IMDSv1: 403 Forbidden: Forbidden\n"
    "\tstatus code: 403, request id: \n"
    "caused by: EC2MetadataError: failed to make EC2Metadata request\n")
EMPTY_REGION_HOST = ('https response error StatusCode: 0, RequestID: , request send failed, Post '
                     '"https://sqs..amazonaws.com/": dial tcp: lookup sqs..amazonaws.com: no such host')
REAL_HOST_LOOKUP = ('https response error StatusCode: 0, RequestID: , request send failed, Post '
                    '"https://sqs.eu-west-9.amazonaws.com/": dial tcp: lookup sqs.eu-west-9.amazonaws.com: no such host')
BARE_MISMATCH = ("SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
                 "provided. Check your key and signing method.\n\tstatus code: 403, request id: 8KJ2M4N6P8Q0R2S4, "
                 "host id: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==")



def test_a_sigv4_header_cut_after_the_key_id_is_a_key_with_a_line_end() -> None:
    causes = ranked_causes(decode_text(FLUENTD_CUT_HEADER))
    assert causes[0] == ("access-key-invalid", Severity.ERROR)
    assert "request-not-signed" not in [c for c, _ in causes]
    # Without the echo, AWS's list of missing parameters says the same: Credential is not among them.
    bare = FLUENTD_CUT_HEADER.split(" Authorization=AWS4")[0] + '"'
    assert ranked_causes(decode_text(bare))[0] == ("access-key-invalid", Severity.ERROR)
    # Cut later, inside the scope (a region read with its line end), the key id is not what broke it.
    in_scope = FLUENTD_CUT_HEADER.replace('AKIAEXAMPLEKEY123456"', 'AKIAEXAMPLEKEY123456/20261127/eu-west-1"')
    assert "access-key-invalid" not in [c for c, _ in ranked_causes(decode_text(in_scope))]
    # A header of another scheme lacks the Credential too: that is a request not signed with SigV4.
    assert ranked_causes(decode_text(FOREIGN_SCHEME))[0] == ("request-not-signed", Severity.ERROR)


def test_signature_expired_without_its_dates_is_still_the_clock() -> None:
    causes = ranked_causes(decode_text(EXPIRED_CUT))
    assert causes[0] == ("clock-skew", Severity.ERROR)
    assert "secret-key-mismatch" not in [c for c, _ in causes]
    assert ranked_causes(decode_text(JWT_EXPIRED)) == []  # a JWT library's "Signature has expired" is no AWS answer


def test_a_denial_sts_itself_answers_is_the_roles_trust() -> None:
    causes = ranked_causes(decode_text(JAVA_STS_DENIED))
    assert causes[0] == ("role-trust-denied", Severity.ERROR)
    assert ("permission-missing", Severity.ERROR) not in causes
    # The same wrapper from S3 is a missing permission on the target.
    assert top_cause(decode_text(JAVA_S3_DENIED)) == "permission-missing"


def test_a_network_failure_under_a_web_identity_source_is_the_network() -> None:
    causes = ranked_causes(decode_text(WEB_IDENTITY_TLS_TIMEOUT))
    assert causes[0] == ("endpoint-unreachable", Severity.ERROR)
    # The chain found its source (the token was read and sent): it is not empty.
    assert ("no-credentials", Severity.ERROR) not in causes
    assert "web-identity-token-unreadable" not in [c for c, _ in causes[:3]]


def test_a_failed_assume_role_with_web_identity_call_is_stss_answer_not_an_empty_chain() -> None:
    report = decode_text(STS_WEB_IDENTITY_CUT)
    causes = ranked_causes(report)
    assert [c for c, _ in causes[:2]] == ["role-trust-denied", "web-identity-rejected"]
    assert causes[1][1] is Severity.WARNING
    named = [c for c, _ in causes]
    assert "no-credentials" not in named and "web-identity-token-unreadable" not in named
    lead = next(f for f in report.probes[0].findings if f.id == "decode.role-trust-denied")
    assert "cut before STS's answer" in lead.message


def test_s3s_answer_to_an_anonymous_request_is_a_request_not_signed() -> None:
    causes = ranked_causes(decode_text(S3_ANONYMOUS))
    assert causes[0] == ("request-not-signed", Severity.ERROR)
    assert ("permission-missing", Severity.ERROR) not in causes


def test_instance_metadata_refusing_the_token_and_the_request_is_turned_off() -> None:
    causes = ranked_causes(decode_text(IMDS_TURNED_OFF))
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("imds-hop-limit", Severity.ERROR) not in causes


def test_an_aws_host_without_its_region_is_no_dns_failure() -> None:
    report = decode_text(EMPTY_REGION_HOST)
    assert ranked_causes(report) == [("dns-resolution-failed", Severity.WARNING)]
    assert "sqs..amazonaws.com" in " ".join(f.message for f in report.probes[0].findings)
    assert ranked_causes(decode_text(REAL_HOST_LOOKUP))[0] == ("dns-resolution-failed", Severity.ERROR)


def test_a_bare_mismatch_ranks_the_readings_by_how_often_each_was_the_cause() -> None:
    causes = ranked_causes(decode_text(BARE_MISMATCH))
    assert [c for c, _ in causes[:3]] == ["secret-key-mismatch", "canonicalization-mismatch",
                                          "request-modified-after-signing"]
    assert [s for _, s in causes[:3]] == [Severity.WARNING, Severity.WARNING, Severity.WARNING]
    assert undecided_first(BARE_MISMATCH) == "secret-key-mismatch"

XRAY_START = (
    "2026-11-27T04:00:00Z [Info] Using region: eu-west-1\n"
    "2026-11-27T04:00:09Z [Error] Get instance id metadata failed: RequestError: send request failed\n"
    "caused by: Get \"http://169.254.169.254/latest/meta-data/instance-id\": context deadline exceeded "
    "(Client.Timeout exceeded while awaiting headers)\n"
    "2026-11-27T04:00:09Z [Info] HTTP Proxy server using X-Ray Endpoint : https://xray.eu-west-1.amazonaws.com\n")
XRAY_DENIED = ("2026-11-27T04:01:03Z [Error] Sending segment batch failed with: AccessDenied: User: "
               "arn:aws:iam::123456789012:user/xray is not authorized to perform: sts:AssumeRole on resource: "
               "arn:aws:iam::123456789012:role/xray-writer\n\tstatus code: 403, request id: "
               "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\n")


def test_the_xray_daemons_instance_id_lookup_is_no_credential_failure() -> None:
    alone = ranked_causes(decode_text(XRAY_START))
    assert alone and all(s is Severity.WARNING for _, s in alone)
    # The denial the daemon meets when it sends segments is what stops it.
    causes = ranked_causes(decode_text(XRAY_START + XRAY_DENIED))
    assert causes[0] == ("role-trust-denied", Severity.ERROR)
    assert all(s is Severity.WARNING for c, s in causes if c.startswith("imds-"))
    # Any other client's metadata timeout stays the reading it was.
    other = XRAY_START.replace("Get instance id metadata failed", "EC2RoleRequestError: no EC2 instance role found")
    assert ranked_causes(decode_text(other))[0][1] is Severity.ERROR

RUSOTO_PROVIDER_REFUSED = (
    'ERROR vector::topology::builder: msg="Healthcheck: Failed Reason." error=Failed creating AWS credentials. '
    'Errors: [CredentialsError { message: "Error during dispatch: error trying to connect: tcp connect error: '
    'Connection refused (os error 111)" }, CredentialsError { message: "Couldn\'t find AWS credentials in '
    'environment, credentials file, or IAM role." }] component_kind="sink" component_type="aws_s3"')


def test_a_connect_failure_inside_a_credential_providers_error_is_a_credential_endpoints() -> None:
    causes = ranked_causes(decode_text(RUSOTO_PROVIDER_REFUSED))
    assert [c for c, _ in causes[:2]] == ["imds-unreachable", "container-credentials-failed"]
    assert causes[1][1] is Severity.WARNING
    assert "endpoint-unreachable" not in [c for c, _ in causes]


MANGLED = [(FLUENTD_CUT_HEADER, "access-key-invalid"), (JAVA_STS_DENIED, "role-trust-denied"),
           (S3_ANONYMOUS, "request-not-signed"), (EXPIRED_CUT, "clock-skew")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MANGLED), st.lists(st.sampled_from(sorted(MANGLERS)), min_size=1, max_size=2))
def test_mangled_clues_keep_their_top_cause(case: tuple[str, str], mangles: list[str]) -> None:
    text, cause = case
    for name in mangles:
        text = MANGLERS[name](text)
    assert top_cause(decode_text(text)) == cause, (mangles, text[:400])


@pytest.mark.parametrize("text", [FLUENTD_CUT_HEADER, JAVA_STS_DENIED, S3_ANONYMOUS])
def test_the_readings_print_no_key(text: str) -> None:
    report = decode_text(text)
    assert "AKIAEXAMPLEKEY123456" not in " ".join(f.message for f in report.probes[0].findings)


# API Gateway's answer to a resource it does not have is the one it gives an unsigned request (its troubleshooting
# guide): both readings, the signature first, with what settles them.
API_GATEWAY_WRONG_PATH = ('HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: MissingAuthenticationTokenException\n'
                          'X-Cache: Error from cloudfront\n\n{"message":"Missing Authentication Token"}')


def test_missing_authentication_token_also_reads_as_a_url_the_api_does_not_have() -> None:
    causes = ranked_causes(decode_text(API_GATEWAY_WRONG_PATH))
    assert causes[:2] == [("request-not-signed", Severity.WARNING), ("target-not-found", Severity.WARNING)]
    found = {f.id: f for f in decode_text(API_GATEWAY_WRONG_PATH).probes[0].findings}
    assert "--only signature --target URL" in " ".join(found["decode.target-not-found"].evidence["fix"])


def test_an_incomplete_signature_is_no_missing_resource() -> None:
    text = ("IncompleteSignatureException: Authorization header requires 'Signature' parameter. Authorization "
            "header requires 'SignedHeaders' parameter.")
    assert "target-not-found" not in [c for c, _ in ranked_causes(decode_text(text))]
