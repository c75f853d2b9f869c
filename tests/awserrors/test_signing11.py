"""Pass 11, signing: a server that is not AWS shown by its port or by a PHP endpoint option; a signer's release named
beside a mismatch; the user's word that both canonical strings are the same; a special character in the secret; a
copy's source header; a presigned URL; a client's own path that breaks SigV4's normalisation.
Hosts, keys, ids and hashes are made up; each text has the shape its client or AWS prints.
"""

from __future__ import annotations

from sigdoctor.awserrors.backends import foreign_port_endpoint
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes, undecided_first

_MESSAGE = ("The request signature we calculated does not match the signature you provided. Check your key and "
            "signing method.")
_S3_XML = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>{_MESSAGE}" \
          "</Message><BucketName>photos</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>" \
          "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=</HostId></Error>"


def _errors(text: str) -> list[str]:
    return [c for c, s in text_causes(text) if s == Severity.ERROR]


def _shown(text: str) -> str:
    report = decode_text(text)
    return " ".join(f.message for f in report.probes[0].findings)


# --- a server that is not AWS -------------------------------------------------------------------------------------

# aws-sdk-php's WrappedHttpHandler and Guzzle's RequestException name the request's URL.
_PHP_ON_PORT = ('Error executing "CreateBucket" on "https://s3.home.example.org:19000/nextcloud/"; AWS HTTP error: '
                'Client error: `PUT https://s3.home.example.org:19000/nextcloud/` resulted in a `403 Forbidden` '
                f'response:\n{_S3_XML}\n SignatureDoesNotMatch (client): {_MESSAGE}')


def test_a_public_name_on_a_port_of_its_own_is_no_aws_endpoint() -> None:
    assert _errors(_PHP_ON_PORT) == []
    causes = text_causes(_PHP_ON_PORT)
    assert causes[0][0] == "secret-key-mismatch"  # the readings stay listed, as warnings
    assert "s3.home.example.org:19000, not AWS" in _shown(_PHP_ON_PORT)


def test_the_same_answer_from_an_aws_name_keeps_awss_readings() -> None:
    text = _PHP_ON_PORT.replace("s3.home.example.org:19000", "photos.s3.eu-west-1.amazonaws.com")
    assert undecided_first(text) == "secret-key-mismatch"


def test_the_default_ports_and_a_custom_domain_are_no_sign() -> None:
    for host in ("s3.home.example.org:443", "api.example.com"):
        assert undecided_first(_PHP_ON_PORT.replace("s3.home.example.org:19000", host)) == "secret-key-mismatch"


def test_a_port_only_counts_where_the_request_went() -> None:
    # A URL in a sentence (a tracking server's address) is not the request's target.
    text = ("I call mlflow at http://mlflow.example.org:5000 from my laptop and it keeps reporting errors: "
            "botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the PutObject "
            f"operation: {_MESSAGE}")
    assert undecided_first(text) == "secret-key-mismatch"
    assert foreign_port_endpoint("mlflow.example.org:5000", text) is None
    assert foreign_port_endpoint("mlflow.example.org:5000", "PUT http://mlflow.example.org:5000/b/k") == \
        "mlflow.example.org:5000"


def test_local_relays_and_cluster_names_on_a_port_are_not_counted() -> None:
    # A signing relay (aws-sigv4-proxy, an OpenSearch proxy) listens on a port of its own and forwards AWS's answer.
    for host in ("localhost:8080", "sigv4-proxy:8005", "es-proxy.logging.svc:9200", "127.0.0.1:8080",
                 "169.254.170.2:80"):
        assert foreign_port_endpoint(host, f"PUT http://{host}/x") is None, host
    assert foreign_port_endpoint("34.120.5.6:9000", "PUT http://34.120.5.6:9000/b/k") == "34.120.5.6:9000"


def test_a_php_endpoint_option_with_an_arrow_names_the_server() -> None:
    text = ("$s3 = app()->make('aws')->createClient('s3', [\n    'endpoint'=> 'http://api.storage.example.vn/',\n]);\n"
            "\nand my key and secret are right but I get this error\n\n"
            "The request signature we calculated does not match the signature you provided. Check your Secret "
            "Access Key and signing method")
    assert _errors(text) == []
    assert "http://api.storage.example.vn/, not AWS's" in _shown(text)


def test_the_request_line_in_the_same_record_counts_too() -> None:
    # Nextcloud logs the PHP exception on one line, its line ends escaped.
    one_line = _PHP_ON_PORT.replace("\n", "\\n")
    assert _errors(one_line) == []


def test_a_client_without_credentials_keeps_its_error_whatever_server_it_meant() -> None:
    # goofys logs the HEAD it sent, then its own signer finding no credentials: nothing the server answered.
    text = ("goofys[17]: s3.DEBUG HEAD https://s3.storage.example.org:11111/bucket = 403 []\n"
            "goofys[17]: s3.DEBUG DEBUG: Sign Request s3/HeadObject failed, not retrying, error NoCredentialProviders: "
            "no valid providers in chain. Deprecated.\n")
    assert undecided_first(text) == "no-credentials"


# --- a signer's release, the user's own words, a copy, a presigned URL ---------------------------------------------

_CLI = f"An error occurred (SignatureDoesNotMatch) when calling the PutObject operation: {_MESSAGE}"


def test_a_downgrade_that_works_makes_every_mismatch_reading_a_warning() -> None:
    text = f"I'm getting this error when using release v0.34.\n\"{_MESSAGE}\"\n\nWhen I downgraded to v0.33, it works."
    assert _errors(text) == []
    assert text_causes(text)[0][0] == "secret-key-mismatch"
    assert "release of the client ('downgraded')" in _shown(text)


def test_a_version_or_commit_from_which_it_fails_is_a_signer_release() -> None:
    for said in ("With every version from commit 002baa1 onwards, IAM role authentication no longer works.",
                 "Since upgrading to 2.4.0 every upload fails.",
                 "It worked fine with 1.12.3 and fails with 1.13.0.",
                 "### Regression Issue\n\n- [x] Select this option if this issue appears to be a regression."):
        assert _errors(f"{said}\n{_CLI}") == [], said


def test_version_words_that_are_no_change_keep_the_error() -> None:
    for said in ("I use aws-sdk-go-v2 v1.30.0 on Linux.",
                 "After updating the credentials in the secret, every upload fails.",
                 "- [ ] Select this option if this issue appears to be a regression."):
        assert undecided_first(f"{said}\n{_CLI}") == "secret-key-mismatch", said


def test_an_ec2_error_printed_as_json_is_no_rest_front_answer() -> None:
    # timkay/aws prints EC2's Query error as JSON with its Code: not API Gateway's bare {"message": …}.
    text = ('{"Errors":{"Error":{"Message":"The request signature we calculated does not match the signature you '
            'provided. Check your AWS Secret Access Key and signing method.","Code":"SignatureDoesNotMatch"}}}')
    assert undecided_first(text) == "secret-key-mismatch"
    rest = '{"message":"The request signature we calculated does not match the signature you provided."}'
    assert undecided_first(rest) == "canonicalization-mismatch"


def test_the_users_word_that_both_canonical_strings_are_the_same_reads_the_key() -> None:
    text = ('{"errors": [{"message": "The request signature we calculated does not match the signature you provided. '
            "Check your AWS Secret Access Key and signing method.\n\nThe Canonical String for this request should have "
            "been\n'GET\n/orders/v0/orders\n\nhost:api.example.amazon.com\nx-amz-date:20210630T141236Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\n"
            "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20210630T141236Z\n"
            "20210630/us-east-1/execute-api/aws4_request\n"
            "74cb93efcdf17f349762115cf4819f7f756c3263c88ae99b829fedee9153e6ae'\n\", \"code\": \"InvalidSignature\"}]}"
            "\n\nI have verified that my Canonical String and String-To-Sign are identical to these.")
    assert text_causes(text)[0] == ("secret-key-mismatch", Severity.ERROR)
    differ = text.replace("are identical to these", "are not identical to these")
    assert text_causes(differ)[0][0] == "canonicalization-mismatch"


def test_a_plus_or_slash_in_the_secret_key_reads_the_secret_before_the_encoding_words() -> None:
    text = ("Having a non-alphanumeric character (specifically a `+` or a `/`) in the secret key causes a "
            "SignatureDoesNotMatch error. This happened with both non-encoded and URL-encoded keys.")
    assert undecided_first(text) == "secret-key-mismatch"
    keys = "Objects whose keys contain a `+` fail: SignatureDoesNotMatch even with URL-encoded keys."
    assert text_causes(keys)[0][0] == "canonicalization-mismatch"


def test_a_copy_reads_the_copy_source_encoding_first() -> None:
    text = f"An error occurred (SignatureDoesNotMatch) when calling the CopyObject operation: {_MESSAGE}"
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert undecided_first(text) == "canonicalization-mismatch"
    assert "x-amz-copy-source" in _shown(text)


def test_a_presigned_url_signing_the_sdks_own_checksum_header_is_the_sdks_release() -> None:
    text = ('$ curl "https://s3.amazonaws.com/bucket/object?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=redacted'
            '&X-Amz-Date=20260824T014015Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bx-amz-checksum-mode'
            f'&X-Amz-Signature=redacted"\n\n{_S3_XML}')
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert _errors(text) == []
    assert "a header the SDK adds on its own" in _shown(text)


def test_a_presigned_url_signing_a_callers_header_leads_with_the_canonical_request() -> None:
    text = ('https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=content-type%3Bhost'
            f'&X-Amz-Signature=redacted\n{_S3_XML}')
    assert undecided_first(text) == "canonicalization-mismatch"


def test_a_presigned_urls_bare_mismatch_decides_nothing_and_leads_with_its_headers() -> None:
    text = ("When generating a presigned url with PresignPutObject and setting the field `Expires`, the upload "
            f"returns SignatureDoesNotMatch.\n{_S3_XML}")
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert causes[-1][0] == "secret-key-mismatch"
    assert _errors(text) == []
    # With a cue of its own (a key with spaces), the encoding reading leads, undecided without the canonical request.
    spaced = text.replace("setting the field `Expires`", "a key with spaces in it")
    assert undecided_first(spaced) == "canonicalization-mismatch"


# --- a client's own canonical request ---------------------------------------------------------------------------

_GO_V1_DUMP = ('time="2022-08-11T11:14:37Z" level=info msg="DEBUG: Request Signature:\\n---[ CANONICAL STRING  ]-------'
               '----------------------\\nGET\\n{path}\\n\\nhost:search-logs.ap-south-1.es.amazonaws.com\\n'
               'x-amz-date:20220811T111437Z\\n\\nhost;x-amz-date\\n'
               'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\\n---[ STRING TO SIGN ]------------'
               '--------------------\\nAWS4-HMAC-SHA256\\n20220811T111437Z\\n20220811/ap-south-1/{service}/aws4_request\\n'
               '33f78ea95c2ddcfdd4012d605b9319cbeccf397ac351e39ad4b5d8b6e85e47bc\\n-----------------------------------'
               '------------------"\n')


def test_go_v1s_signing_dump_with_a_double_slash_path_for_a_service_is_canonicalization() -> None:
    text = _GO_V1_DUMP.format(path="///", service="es")
    assert text_causes(text) == [("canonicalization-mismatch", Severity.ERROR)]
    assert "signs the normalised path" in _shown(text)


def test_s3_signs_its_path_as_it_is_and_a_normal_path_reads_nothing() -> None:
    assert text_causes(_GO_V1_DUMP.format(path="/bucket//key", service="s3")) == []
    assert text_causes(_GO_V1_DUMP.format(path="/_bulk", service="es")) == []


def test_a_dot_segment_without_the_service_named_is_only_a_warning() -> None:
    text = "Canonical Request:\nGET\n/api/./items\n\nhost:abc.example.com\nx-amz-date:20240101T000000Z\n"
    assert text_causes(text) == [("canonicalization-mismatch", Severity.WARNING)]


def test_a_size_or_a_duration_is_no_release() -> None:
    for said in ("It works fine with 1.5 GB files and fails with larger ones.", "Uploads from 2.5 MB on fail."):
        assert undecided_first(f"{said}\n{_CLI}") == "secret-key-mismatch", said
