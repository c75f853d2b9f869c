"""Pass 10, signing: a canonical request whose line ends were lost, an XML answer pasted without its <Error>, an SDK's
own word that the host clock is right beside a stale signature, and the token's words beside EC2's RequestExpired.
Hosts, keys, ids and hashes are made up; each text has the shape its client or AWS prints.
"""

from __future__ import annotations

from sigdoctor.awserrors.canonical import parse_canonical_request
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, read_causes, text_causes, undecided_first

_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
_MESSAGE = ("The request signature we calculated does not match the signature you provided. Check your key and "
            "signing method.")


def test_a_flattened_canonical_request_parses() -> None:
    # An S3 error body rendered as HTML (an issue page) turns the canonical request's line ends into spaces.
    flat = (f"GET /photos/a%20b.jpg host:bucket.s3.amazonaws.com x-amz-content-sha256:{_EMPTY} "
            f"x-amz-date:20240101T000000Z host;x-amz-content-sha256;x-amz-date {_EMPTY}")
    cr = parse_canonical_request(flat)
    assert cr is not None
    assert (cr.method, cr.path, cr.query) == ("GET", "/photos/a%20b.jpg", "")
    assert cr.signed_headers == ("host", "x-amz-content-sha256", "x-amz-date")
    assert cr.header("host") == "bucket.s3.amazonaws.com"
    assert cr.payload_hash == _EMPTY


def test_a_flattened_canonical_request_keeps_its_query_and_a_value_with_spaces() -> None:
    flat = ("POST / Action=ListQueues&Version=2012-11-05 host:sqs.eu-west-1.amazonaws.com user-agent:my tool/1.0 "
            "x-amz-date:20240101T000000Z host;user-agent;x-amz-date UNSIGNED-PAYLOAD")
    cr = parse_canonical_request(flat)
    assert cr is not None
    assert cr.query == "Action=ListQueues&Version=2012-11-05"
    assert cr.header("user-agent") == "my tool/1.0"


def test_a_sentence_is_no_flattened_canonical_request() -> None:
    assert parse_canonical_request("GET the object from host:bucket and retry") is None
    # The headers must be exactly the signed ones, in their order.
    assert parse_canonical_request(f"GET /k host:h x-amz-date:1 host;x-amz-content-sha256;x-amz-date {_EMPTY}") is None


_FLAT_XML = f"""<Code>SignatureDoesNotMatch</Code>
<Message>
{_MESSAGE}
</Message>
...
<CanonicalRequest>
GET /docs%20%20v2.rpm host:example-bucket.s3.amazonaws.com x-amz-content-sha256:{_EMPTY} x-amz-date:20231004T172751Z host;x-amz-content-sha256;x-amz-date {_EMPTY}
</CanonicalRequest>
"""


def test_an_xml_answer_pasted_without_its_error_element_is_one_error() -> None:
    report = decode_text(_FLAT_XML)
    summary = next(f for f in report.probes[0].findings if f.id == "decode.summary")
    assert summary.evidence["errors"] == 1


def test_a_space_in_aws_canonical_path_reads_the_encoding_first() -> None:
    # S3 reads a '+' in a path as a space, and a space is a key character S3 lists as needing special handling:
    # a signer that encodes it otherwise than AWS signs another path.
    causes = text_causes(_FLAT_XML)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert undecided_first(_FLAT_XML) == "canonicalization-mismatch"
    assert "secret-key-mismatch" in [c for c, _ in causes[:3]]
    report = decode_text(_FLAT_XML)
    messages = " ".join(f.message for f in report.probes[0].findings)
    assert "did not include its canonical request" not in messages


_CPP = """[WARN] 2017-06-06 10:24:20 AWSErrorMarshaller [23524] Encountered AWSError
SignatureDoesNotMatch
Signature expired: 20170606T095435Z is now earlier than 20170606T101920Z (20170606T102420Z - 5 min.):
[WARN] 2017-06-06 10:24:20 AWSClient [23524] If the signature check failed. This could be because of a time skew. Attempting to adjust the signer.
[DEBUG] 2017-06-06 10:24:20 AWSClient [23524] Server time is Tue, 06 Jun 2017 10:24:20 GMT, while client time is {client}
"""


def test_the_cpp_sdk_showing_the_host_clock_in_step_makes_no_clock_error() -> None:
    # aws-sdk-cpp AWSClient.cpp logs AWS's Date beside DateTime::Now(): equal, the host clock is right, and the
    # stale X-Amz-Date was made long before the request was sent.
    report = decode_text(_CPP.format(client="Tue, 06 Jun 2017 10:24:20 GMT"))
    causes = text_causes(_CPP.format(client="Tue, 06 Jun 2017 10:24:20 GMT"))
    assert all(sev is not Severity.ERROR for _, sev in causes)
    assert causes[0][0] == "clock-skew"
    messages = " ".join(f.message for f in report.probes[0].findings)
    assert "signed long before it was sent" in messages


def test_the_cpp_sdk_showing_the_host_clock_off_keeps_the_clock_error() -> None:
    causes = text_causes(_CPP.format(client="Tue, 06 Jun 2017 09:54:35 GMT"))
    assert causes[0] == ("clock-skew", Severity.ERROR)


def test_the_tokens_own_words_beside_request_expired_read_the_credentials_first() -> None:
    # EC2 answers a request signed with expired session credentials with RequestExpired too.
    text = ("The security token included in the request is expired. An error occurred (RequestExpired) when calling "
            "the DescribeSecurityGroups operation: Request has expired.")
    causes = text_causes(text)
    assert causes[0] == ("credentials-expired", Severity.ERROR)
    assert ("clock-skew", Severity.WARNING) in causes[:3]


def test_request_expired_alone_stays_the_clock() -> None:
    text = "An error occurred (RequestExpired) when calling the DescribeInstances operation: Request has expired."
    assert text_causes(text)[0] == ("clock-skew", Severity.ERROR)


def test_a_client_with_a_signer_of_its_own_reads_the_canonical_request_first() -> None:
    # Alpakka's S3 connector signs with its own signer: a bare mismatch there is mostly the key's encoding.
    text = (f"akka.stream.alpakka.s3.S3Exception: {_MESSAGE} (Code: SignatureDoesNotMatch, RequestID: , HostID: )\n"
            "\tat akka.stream.alpakka.s3.impl.S3Stream.$anonfun$initiateMultipartUpload$4(S3Stream.scala:216)\n")
    assert undecided_first(text) == "canonicalization-mismatch"


def test_an_opensearch_clients_bare_mismatch_reads_the_canonical_request_first() -> None:
    text = ("Caused by: org.opensearch.client.opensearch._types.OpenSearchException: Request failed: "
            "[security_exception] The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert undecided_first(text) == "canonicalization-mismatch"
    assert causes[1][0] == "secret-key-mismatch"


def test_the_aws_cli_keeps_the_secret_first() -> None:
    text = ("An error occurred (SignatureDoesNotMatch) when calling the PutObject operation: " + _MESSAGE)
    assert undecided_first(text) == "secret-key-mismatch"


def test_a_secret_with_a_plus_in_the_users_words_reads_the_secret() -> None:
    # aws-cli #6751: "my secret access key … contains '+'; a new key without '+' works".
    text = ("when my secret access key is 'aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5o+Q7', which contains '+', every call "
            "fails; with a new secret without '+' it works")
    report = decode_text(text)
    assert text_causes(text)[0] == ("secret-key-mismatch", Severity.ERROR)
    shown = " ".join(str(f.evidence.get("excerpt", "")) + f.message for f in report.probes[0].findings)
    assert "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5o+Q7" not in shown


def test_the_secret_env_var_with_a_slash_reads_the_secret() -> None:
    text = 'S3 api throws "SignatureDoesNotMatch" when AWS_SECRET_ACCESS_KEY contains a /'
    assert text_causes(text)[0][0] == "secret-key-mismatch"


def test_a_secret_sentence_without_a_special_character_reads_nothing() -> None:
    assert read_causes("I rotated the secret access key yesterday and updated the config with it.") == []


_AWSCURL = """$ awscurl -v https://abc123.execute-api.us-east-1.amazonaws.com/live/items?ids=a,b,c
('\\n'
 'CANONICAL REQUEST = GET\\n'
 '/live/items\\n'
 'ids=a,b,c\\n'
 'host:abc123.execute-api.us-east-1.amazonaws.com\\n'
 'x-amz-date:20211202T033321Z\\n'
"""

_S3CMD = """DEBUG: Canonical Request:
GET
/bucket_name/
delimiter=%2F
host:localhost:8080/s3
x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-amz-date:20240227T185517Z
"""


def test_awscurls_canonical_request_with_a_raw_comma_in_the_query_is_canonicalization() -> None:
    assert text_causes(_AWSCURL)[0] == ("canonicalization-mismatch", Severity.ERROR)


def test_s3cmds_canonical_request_with_a_path_in_the_host_is_canonicalization() -> None:
    assert text_causes(_S3CMD)[0] == ("canonicalization-mismatch", Severity.ERROR)


def test_a_client_canonical_request_by_the_rules_reads_nothing() -> None:
    good = _S3CMD.replace("host:localhost:8080/s3", "host:localhost:8080")
    assert text_causes(good) == []


def test_signed_x_forwarded_headers_rewritten_by_a_proxy_read_as_modified_in_transit() -> None:
    # stacklok/toolhive#4670's own words.
    text = ("When requests arrive through a gateway, `X-Forwarded-*` headers get signed by SigV4. Then "
            "httputil.ReverseProxy.SetXForwarded() rewrites those values, causing AWS to reject with 401 due to "
            "signature mismatch.")
    assert undecided_first(text) == "request-modified-after-signing"


def test_ec2_auth_failure_beside_the_users_clock_words_offers_the_clock() -> None:
    text = ("The `AWS was not able to validate the provided access credentials` error caused most credential check "
            "failures. We believe it may be due to clock skew on the instances - there's no NTP server running.")
    causes = text_causes(text)
    assert causes[0] == ("access-key-invalid", Severity.WARNING)
    assert undecided_first(text) == "access-key-invalid"
    assert ("clock-skew", Severity.WARNING) in causes[:3]


def test_ec2_auth_failure_alone_does_not_offer_the_clock() -> None:
    text = "AuthFailure: AWS was not able to validate the provided access credentials"
    assert "clock-skew" not in [c for c, _ in text_causes(text)]


def test_the_word_command_is_no_encoding_cue_but_a_comma_is() -> None:
    # `\bcomma` once matched "command failed" (a backup tool's own wrapper line) and put canonicalization first on a
    # bare mismatch; only the word comma (a reserved character the user names) is a cue.
    bare = f"<Code>SignatureDoesNotMatch</Code><Message>{_MESSAGE}</Message>"
    assert text_causes(f"ERROR: command failed: exit status 1\n{bare}")[0][0] == "secret-key-mismatch"
    assert text_causes(f"it fails only for keys with a comma in them\n{bare}")[0][0] == "canonicalization-mismatch"
