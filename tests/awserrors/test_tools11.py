"""What `decode` makes of tools' and runtimes' own words for a credential, connection or status failure
(checks/errors/tools11.toml, sigdoctor/awserrors/credential_readings.py): the AWS SDK for Rust's refusal of the EKS
Pod Identity host, the Java SDK's stack frames that name the failing provider, bodiless 403s as pgBackRest, ClickHouse
(the AWS SDK for C++) and minio-go print them, Medusa's, fog's and Wazuh's sentences, tools that say instance metadata
did not answer, and Ruby's "execution expired".

Each text has the shape its source prints (files cited in the table); ids, hosts, buckets and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import read_causes, text_causes, undecided_first

RUST_ECS = ('2026-01-02T03:04:05.678Z  WARN lazy_load_identity: aws_config::meta::credentials::chain: provider failed '
            'to provide credentials provider=EcsContainer error=the credentials provider was not properly configured: '
            'invalid full URI for ECS provider (URI did not refer to the loopback interface): {uri} '
            '(InvalidConfiguration(InvalidConfiguration {{ source: "invalid full URI for ECS provider (URI did not '
            'refer to the loopback interface): {uri}" }}))')

JAVA1_IMDS = """com.amazonaws.SdkClientException: Failed to connect to service endpoint:
\tat com.amazonaws.internal.EC2ResourceFetcher.doReadResource(EC2ResourceFetcher.java:100)
\tat com.amazonaws.internal.InstanceMetadataServiceResourceFetcher.getToken(InstanceMetadataServiceResourceFetcher.java:91)
\tat com.amazonaws.internal.InstanceMetadataServiceResourceFetcher.readResource(InstanceMetadataServiceResourceFetcher.java:69)
"""
JAVA1_CONTAINER = """com.amazonaws.SdkClientException: Unable to load credentials from service endpoint
\tat com.amazonaws.auth.EC2CredentialsFetcher.handleError(EC2CredentialsFetcher.java:183)
\tat com.amazonaws.auth.EC2CredentialsFetcher.fetchCredentials(EC2CredentialsFetcher.java:162)
\tat com.amazonaws.auth.EC2CredentialsFetcher.getCredentials(EC2CredentialsFetcher.java:82)
\tat com.amazonaws.auth.ContainerCredentialsProvider.getCredentials(ContainerCredentialsProvider.java:58)
\tat com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper.getCredentials(EC2ContainerCredentialsProviderWrapper.java:51)
"""


def test_rusts_refusal_of_the_pod_identity_host_is_the_sdks_limit() -> None:
    causes = text_causes(RUST_ECS.format(uri="http://169.254.170.23/v1/credentials"))
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR)
    # The ECS provider read no profile: "not properly configured" is no malformed profile here.
    assert "profile-invalid" not in [c for c, _ in causes]


def test_rusts_refusal_of_another_host_is_not_the_sdks_limit() -> None:
    # Every SDK refuses a plain-HTTP host that is no loopback by design.
    causes = read_causes(RUST_ECS.format(uri="http://10.0.0.7:8080/creds"))
    assert "sdk-unsupported-credential-source" not in [c for c, _ in causes]


def test_a_java_frame_of_the_metadata_fetcher_names_instance_metadata_before_the_empty_chain() -> None:
    causes = text_causes(JAVA1_IMDS)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("no-credentials", Severity.WARNING) in causes[:3]


def test_a_java_frame_of_the_container_provider_names_the_container_endpoint() -> None:
    causes = text_causes(JAVA1_CONTAINER)
    assert causes[0] == ("container-credentials-failed", Severity.ERROR)
    assert "no-credentials" not in [c for c, s in causes if s is Severity.ERROR]


JAVA2 = ("software.amazon.awssdk.core.exception.SdkClientException: Failed to load credentials from metadata service.\n"
         "\tat software.amazon.awssdk.auth.credentials.internal.HttpCredentialsLoader.loadCredentials("
         "HttpCredentialsLoader.java:73)\n\tat software.amazon.awssdk.auth.credentials.{provider}.refreshCredentials("
         "{provider}.java:125)\n")


@pytest.mark.parametrize(("provider", "cause"), [("InstanceProfileCredentialsProvider", "imds-unreachable"),
                                                 ("ContainerCredentialsProvider", "container-credentials-failed")])
def test_java2s_provider_frame_names_the_source_too(provider: str, cause: str) -> None:
    assert text_causes(JAVA2.format(provider=provider))[0] == (cause, Severity.ERROR)


def test_the_java_message_without_a_frame_is_still_the_chain() -> None:
    causes = text_causes("com.amazonaws.SdkClientException: Failed to connect to service endpoint: ")
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first("com.amazonaws.SdkClientException: Failed to connect to service endpoint: ") == "no-credentials"


@pytest.mark.parametrize(("printer", "text", "first"), [
    ("pgbackrest-2.2x", "2026-01-02 03:04:05.678 P00  ERROR: [039]: S3 request failed with 403: Forbidden\n"
                        "    *** URI/Query ***:\n    /repo/archive/main/archive.info", "permission-missing"),
    ("pgbackrest-2.3x", "ERROR: [039]: HTTP request failed with 403 (Forbidden):\n*** URI/Query ***:\n"
                        "/repo/backup/main/backup.info", "permission-missing"),
    ("pgbackrest-400", "ERROR: [039]: S3 request failed with 400: Bad Request\n*** URI/Query ***:\n/repo/archive.info",
     "region-mismatch"),
    ("clickhouse", "<Information> AWSClient: Response status: 403, Forbidden\n<Information> AWSClient: AWSXmlClient: "
                   "HTTP response code: 403\nResolved remote host IP address: 192.0.2.10:443\nRequest ID: \n"
                   "Exception name: \nError message: No response body.", "permission-missing"),
    ("minio-go", '{"level":"error","msg":"Reconciler error","error":"failed to confirm existence of \'my-bucket\' '
                 'bucket: 401 Unauthorized"}', "sdk-unsupported-credential-source"),
    ("wazuh", "2026/01/02 03:04:05 wazuh-modulesd:aws-s3: WARNING: Bucket: my-trail  -  Returned exit code 3\n"
              "2026/01/02 03:04:05 wazuh-modulesd:aws-s3: WARNING: Bucket: my-trail  -  Invalid credentials to access "
              "S3 Bucket", "permission-missing"),
    ("ruby-timeout", "A plugin had an unrecoverable error. Will restart this plugin.\n  Plugin: <LogStash::Inputs::S3 "
                     "bucket=>\"my-logs\", region=>\"eu-west-1\">\n  Error: execution expired", "endpoint-unreachable"),
])
def test_a_tools_words_that_cannot_decide_give_ranked_warnings(printer: str, text: str, first: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    assert causes[0] == (first, Severity.WARNING), (printer, causes)
    assert not any(s is Severity.ERROR for _, s in causes), (printer, causes)


def test_rubys_execution_expired_is_no_expired_credential() -> None:
    text = "credentials=>[\"AKIAEXAMPLE\", \"secret\"]>\nerror: execution expired {:level=>:error}"
    assert "credentials-expired" not in [c for c, _ in text_causes(text)]


@pytest.mark.parametrize(("printer", "text", "cause"), [
    ("medusa", "[2026-01-02 03:04:05,678] ERROR: Error occurred during backup: No valid method of AWS authentication "
               "provided.", "no-credentials"),
    ("quickwit", "Command failed: Failed to open storage Service: Failed to get AWS instance metadata API.",
     "imds-unreachable"),
    ("fog", "[fog][WARNING] Unable to fetch credentials: Connection refused - connect(2) for 169.254.169.254:80 "
            "(Errno::ECONNREFUSED)\nvalidate_options': Missing required arguments: aws_access_key_id, "
            "aws_secret_access_key (ArgumentError)", "imds-unreachable"),
    ("fog-in-ecs", "[fog][WARNING] Unable to fetch credentials: Invalid argument - connect(2) for 169.254.169.254:80 "
                   "(Errno::EINVAL)\nMissing required arguments: aws_access_key_id, aws_secret_access_key "
                   "(ArgumentError)\nAWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/0f1e2d3c",
     "sdk-unsupported-credential-source"),
])
def test_a_tools_own_credential_sentence_gives_its_cause(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    assert causes[0] == (cause, Severity.ERROR), (printer, causes)


BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
        "signature we calculated does not match the signature you provided. Check your key and signing method."
        "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOF"
        "g==</HostId></Error>")


def test_aws_s_body_after_a_status_line_decides() -> None:
    # pgBackRest prints the response content under the status: AWS's own code is read first, the bare-403 readings
    # of the status line are warnings behind it.
    text = ("ERROR: [039]: S3 request failed with 403: Forbidden\n*** URI/Query ***:\n/repo/archive/main/archive.info\n"
            "*** Response Content ***:\n" + BODY)
    causes = text_causes(text)
    assert causes[0] == ("secret-key-mismatch", Severity.WARNING)
    assert undecided_first(text) == "secret-key-mismatch"
    assert ("permission-missing", Severity.WARNING) in causes


def test_a_status_line_after_aws_s_body_stands_down() -> None:
    # The body printed before the status line (a journal's order): the status line adds no reading of its own.
    causes = text_causes(BODY + "\nProtocolError: S3 request failed with 403: Forbidden\n*** URI/Query ***:\n/repo/x")
    assert causes[0] == ("secret-key-mismatch", Severity.WARNING)
    assert undecided_first(BODY + "\nProtocolError: S3 request failed with 403: Forbidden\n*** URI/Query ***:\n/repo/x") == \
        "secret-key-mismatch"
    assert "permission-missing" not in [c for c, _ in causes]


@pytest.mark.parametrize("text", [
    'level=warn msg="problem monitoring for events" error="AWS.SimpleQueueService.NonExistentQueue: The specified queue '
    'does not exist for this wsdl version.\\n\\tstatus code: 400, request id: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"',
    "botocore.errorfactory.QueueDoesNotExist: An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling "
    "the ReceiveMessage operation: The specified queue does not exist.",
])
def test_sqs_s_missing_queue_is_the_target(text: str) -> None:
    assert text_causes(text)[0] == ("target-not-found", Severity.ERROR)
