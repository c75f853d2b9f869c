"""Pass 11, signing: a server that is not AWS shown by its port or by a PHP endpoint option; a signer's release named
beside a mismatch; the user's word that both canonical strings are the same; a special character in the secret; a
copy's source header; a presigned URL; a client's own path that breaks SigV4's normalisation.
Hosts, keys, ids and hashes are made up; each text has the shape its client or AWS prints.
"""

from __future__ import annotations

from sigdoctor.awserrors.backends import foreign_port_endpoint
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes

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


def test_the_same_answer_from_an_aws_name_keeps_its_error() -> None:
    text = _PHP_ON_PORT.replace("s3.home.example.org:19000", "photos.s3.eu-west-1.amazonaws.com")
    assert _errors(text) == ["secret-key-mismatch"]


def test_the_default_ports_and_a_custom_domain_are_no_sign() -> None:
    for host in ("s3.home.example.org:443", "api.example.com"):
        assert _errors(_PHP_ON_PORT.replace("s3.home.example.org:19000", host)) == ["secret-key-mismatch"]


def test_a_port_only_counts_where_the_request_went() -> None:
    # A URL in a sentence (a tracking server's address) is not the request's target.
    text = ("I call mlflow at http://mlflow.example.org:5000 from my laptop and it keeps reporting errors: "
            "botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the PutObject "
            f"operation: {_MESSAGE}")
    assert _errors(text) == ["secret-key-mismatch"]
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
    assert _errors(text)[:1] == ["no-credentials"]
