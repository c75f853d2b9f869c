"""What `decode` makes of the credential and connection messages of tools and SDK wrappers around telemetry agents
(checks/errors/agents7.toml): Amazon EFS's mount helper, Fluent Bit's network lines, the AWS SDK for Go v1's shared
credentials file, botocore's credential_process parse, the AWS SDK for PHP's web identity provider, Hadoop S3A,
aws-sso-util, the SSO portal, the AWS SDK for Java 1.x's name-lookup failure, the IRSA / Pod Identity token file in a
runtime's own words, fluent-plugin-s3 and Velero's AWS plugin.

Each text has the shape its source prints (files cited in the table); ids, hosts and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

IRSA_TOKEN = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
POD_ID_TOKEN = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"

MESSAGES = [
    # efs-utils: the watchdog's lookup method names the source that came back empty.
    ("efs-ecs", "2024-03-02 08:11:40,101 - ERROR - Failed to retrieve AWS security credentials using lookup method: "
                "ecs:/v2/credentials/0b7c2c1e-5f7a-4d0e-9d51-3f7d0b2f9a11", "container-credentials-failed"),
    ("efs-ecs-unreachable", "Unable to reach http://169.254.170.2/v2/credentials/0b7c2c1e to retrieve AWS security "
                            "credentials. See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                            "task-iam-roles.html for more info.", "container-credentials-failed"),
    ("efs-webidentity", "Failed to retrieve AWS security credentials using lookup method: webidentity:arn:aws:iam::"
                        "111122223333:role/efs-csi," + IRSA_TOKEN, "web-identity-token-unreadable"),
    ("efs-metadata", "Unsuccessful retrieval of IAM role name at "
                     "http://169.254.169.254/latest/meta-data/iam/security-credentials/.", "imds-no-role"),
    ("efs-profile-file", "AWS security credentials not found in /root/.aws/credentials under named profile [efs]",
     "profile-invalid"),
    ("efs-profile-lookup", "Failed to retrieve AWS security credentials using lookup method: credentials:efs",
     "profile-invalid"),
    ("efs-none", "AWS Access Key ID and Secret Access Key are not found in AWS credentials file (/root/.aws/"
                 "credentials), config file (/root/.aws/config), from ECS credentials relative uri, or from the "
                 "instance security credentials service", "no-credentials"),
    # aws-sdk-go v1's SharedCredentialsProvider on its own.
    ("go1-shared-file", "CloudWatch metrics query failed: SharedCredsLoad: failed to load shared credentials file\n"
                        "caused by: FailedRead: unable to open file\ncaused by: open /home/grafana/.aws/credentials: "
                        "no such file or directory", "profile-invalid"),
    # botocore's credential_process parse.
    ("botocore-process-json", "aws sts get-caller-identity with credential_process = /usr/local/bin/vault-creds "
                              "prints: Expecting value: line 1 column 1 (char 0)", "profile-invalid"),
    # aws-sdk-php's web identity provider, every wording.
    ("php-unreadable", "Aws\\Exception\\CredentialsException: Unreadable tokenfile at location " + IRSA_TOKEN,
     "web-identity-token-unreadable"),
    ("php-error-reading", "Error reading WebIdentityTokenFile from " + IRSA_TOKEN, "web-identity-token-unreadable"),
    ("php-empty", "InvalidIdentityToken from file: " + IRSA_TOKEN, "web-identity-token-unreadable"),
    ("php-validator", "Error retrieving web identity credentials: [WebIdentityToken] must be a string or an object "
                      "that implements __toString(). Found bool(false) (0)", "web-identity-token-unreadable"),
    ("php-retries", "Aws\\Exception\\CredentialsException: InvalidIdentityToken, retries exhausted",
     "web-identity-rejected"),
    # Hadoop S3A.
    ("s3a-simple", "org.apache.hadoop.fs.s3a.auth.NoAwsCredentialsException: SimpleAWSCredentialsProvider: No AWS "
                   "credentials in the Hadoop configuration", "no-credentials"),
    ("s3a-session", "org.apache.hadoop.fs.s3a.auth.NoAwsCredentialsException: Session credentials in Hadoop "
                    "configuration: No AWS Credentials", "no-credentials"),
    ("s3a-list", "doesBucketExist on mybucket: com.amazonaws.AmazonClientException: No AWS Credentials provided by "
                 "BasicAWSCredentialsProvider EnvironmentVariableCredentialsProvider", "no-credentials"),
    # aws-sso-util and the SSO portal.
    ("sso-util-cache", "Exception in loading token: 'accessToken'", "profile-invalid"),
    ("sso-util-perms", "The SSO cache file (located at /home/me/.aws/sso/cache/0a1b.json) may have the wrong "
                       "permissions, it is owned by root", "profile-invalid"),
    ("sso-util-expired", "Cached AWS SSO token is expired. Log in again with `aws-sso-util login`",
     "profile-invalid"),
    ("sso-portal", "An error occurred (UnauthorizedException) when calling the GetRoleCredentials operation: Session "
                   "token not found or invalid", "profile-invalid"),
    # The AWS SDK for Java 1.x: UnknownHostException's message is the host alone.
    ("java1-host-only", "com.amazonaws.SdkClientException: Unable to execute HTTP request: logs.eu-west-1.amazonaws.com",
     "dns-resolution-failed"),
    # The projected token files in a runtime's own words.
    ("python-errno", f"[Errno 2] No such file or directory: '{IRSA_TOKEN}'", "web-identity-token-unreadable"),
    ("node-enoent", f"Error: ENOENT: no such file or directory, open '{IRSA_TOKEN}'", "web-identity-token-unreadable"),
    ("java-nio", f"java.nio.file.NoSuchFileException: {IRSA_TOKEN}", "web-identity-token-unreadable"),
    ("python-eacces", f"PermissionError: [Errno 13] Permission denied: '{IRSA_TOKEN}'", "web-identity-token-unreadable"),
    ("pod-identity-token", f"[Errno 2] No such file or directory: '{POD_ID_TOKEN}'", "container-credentials-failed"),
    # Vector's S3 healthcheck names HeadBucket's status.
    ("vector-unknown-bucket", "ERROR vector::topology::builder: msg=\"Healthcheck failed.\" error=Unknown bucket: "
                              "\"logs-archive\" component_kind=\"sink\" component_type=\"aws_s3\"", "target-not-found"),
    ("vector-301", "ERROR vector::topology::builder: msg=\"Healthcheck failed.\" error=Unknown status code: 301 Moved "
                   "Permanently component_kind=\"sink\" component_type=\"aws_s3\"", "region-mismatch"),
    # The CloudWatch agent in EC2 mode without instance metadata.
    ("cwagent-no-imds", "2023/05/02 10:00:00 E! ec2metadata is not available", "imds-unreachable"),
    # minio-go (Thanos, Loki, Mimir, Tempo).
    ("minio-go-no-role", "level=error msg=\"bucket check failed\" err=\"No IAM roles attached to this EC2 service\"",
     "imds-no-role"),
    # s3fs's service check names S3's status.
    ("s3fs-check-404", "[CRT] s3fs.cpp:s3fs_check_service(3587): bucket not found(host=https://s3.amazonaws.com) - "
                       "result of checking service.", "target-not-found"),
    ("s3fs-check-400", "[CRT] s3fs.cpp:s3fs_check_service(3587): Bad Request(host=https://s3.amazonaws.com) - result "
                       "of checking service.", "region-mismatch"),
    ("minio-go-pod-identity", "uri host is not a loopback address: http://169.254.170.23/v1/credentials",
     "sdk-unsupported-credential-source"),
]


# Hadoop S3A's chain ends that name no source that failed: the text cannot decide which (the first reading, a
# warning, says so).
_BARE_CHAIN_ENDS = {"s3a-simple", "s3a-session", "s3a-list"}


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_message_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    if printer in _BARE_CHAIN_ENDS:
        assert undecided_first(text) == cause, printer
    else:
        assert causes[0] == (cause, Severity.ERROR), (printer, causes)


def test_the_shared_file_inside_a_chain_listing_is_not_read_as_the_cause() -> None:
    # aws-sdk-go v1's verbose chain lists every provider: the file is only a source that was not configured, the
    # instance-metadata failure after it decides.
    text = ("NoCredentialProviders: no valid providers in chain\ncaused by: EnvAccessKeyNotFound: failed to find "
            "credentials in the environment.\nSharedCredsLoad: failed to load shared credentials file\ncaused by: "
            "FailedRead: unable to open file\ncaused by: open /root/.aws/credentials: no such file or directory\n"
            "EC2RoleRequestError: no EC2 instance role found\ncaused by: RequestError: send request failed\ncaused "
            "by: Get http://169.254.169.254/latest/meta-data/iam/security-credentials/: dial tcp 169.254.169.254:80: "
            "i/o timeout")
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("profile-invalid", Severity.ERROR) not in causes


def test_the_bare_json_error_is_no_credential_error() -> None:
    # Python's JSONDecodeError has many origins; only next to credential_process is it the process's output.
    assert text_causes("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)") == []


@pytest.mark.parametrize("text", [
    "com.amazonaws.SdkClientException: Unable to execute HTTP request: Read timed out",
    "com.amazonaws.SdkClientException: Unable to execute HTTP request: mybucket.s3.amazonaws.com:443 failed to respond",
])
def test_other_java_http_failures_are_no_name_lookup_failure(text: str) -> None:
    assert "dns-resolution-failed" not in [c for c, _ in text_causes(text)]


def test_fluent_bit_network_lines_are_warnings_with_the_endpoint_and_the_proxy() -> None:
    # Fluent Bit retries these; its AWS guide calls them normal unless logs are lost: no error verdict.
    text = ("[2024/05/01 10:00:00] [debug] [upstream] connection #22 failed to s3.us-east-1.amazonaws.com:443\n"
            "[2024/05/01 10:00:00] [error] [aws_client] connection initialization error\n"
            "[2024/05/01 10:00:09] [error] [tls] error: unexpected EOF\n")
    causes = text_causes(text)
    assert [c for c, _ in causes[:2]] == ["endpoint-unreachable", "proxy-misconfigured"]
    assert all(sev != Severity.ERROR for _, sev in causes)


def test_a_fluent_bit_broken_connection_to_instance_metadata_is_not_an_endpoint_failure() -> None:
    text = "[2024/05/01 10:00:00] [error] [http_client] broken connection to 169.254.169.254:80 ?"
    assert "endpoint-unreachable" not in [c for c, _ in text_causes(text)]


@pytest.mark.parametrize(("text", "first_three"), [
    # The AWS SDK for Ruby names S3's bodiless answers by their status (v3 Aws::, v1 AWS::).
    ("2019-02-03 12:00:01 +0000 [error]: #0 unexpected error error_class=Aws::S3::Errors::Forbidden "
     "error=\"Aws::S3::Errors::Forbidden\"", ["permission-missing", "target-not-found", "credentials-expired"]),
    ("Error: AWS::S3::Errors::Forbidden {:level=>:error}", ["permission-missing", "target-not-found",
                                                           "credentials-expired"]),
    ("Aws::S3::Errors::BadRequest: Aws::S3::Errors::BadRequest", ["region-mismatch", "credentials-expired",
                                                                  "session-token-missing"]),
    ("[CRT] s3fs.cpp:s3fs_check_service(3587): unable to connect bucket and timeout(host=https://s3.amazonaws.com) - "
     "result of checking service.", ["endpoint-unreachable", "dns-resolution-failed", "proxy-misconfigured"]),
    ("ERROR vector::topology::builder: msg=\"Healthcheck failed.\" error=Invalid credentials component_kind=\"sink\" "
     "component_type=\"aws_s3\"", ["permission-missing", "access-key-invalid", "secret-key-mismatch"]),
    ("ERROR vector::topology::builder: msg=\"Healthcheck failed.\" error=dispatch failure component_kind=\"sink\" "
     "component_type=\"aws_s3\"", ["endpoint-unreachable", "dns-resolution-failed", "proxy-misconfigured"]),
    ("unexpected error error_class=RuntimeError error=#<RuntimeError: aws_key_id or aws_sec_key is invalid. Please "
     "check your configuration>", ["access-key-invalid", "target-not-found", "permission-missing"]),
    ("level=error msg=\"Error getting backup store for this location\" error=\"rpc error: code = Unknown desc = unable "
     "to determine bucket's region\" error.function=main.GetBucketRegion",
     ["target-not-found", "endpoint-unreachable", "tls-untrusted"]),
])
def test_answers_the_text_does_not_show_give_ranked_warnings(text: str, first_three: list[str]) -> None:
    causes = text_causes(text)
    assert [c for c, _ in causes[:3]] == first_three
    assert all(sev != Severity.ERROR for _, sev in causes)
