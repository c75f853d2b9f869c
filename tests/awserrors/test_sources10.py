"""What `decode` makes of a credential source named by its fixed path, address or API name in whatever words surround
it (checks/errors/sources10.toml, sigdoctor/awserrors/credential_readings.py): the runtime's own file errors on the
projected IRSA / Pod Identity token, the EKS Pod Identity agent's EKS Auth call without an answer, the JavaScript v2
SDK's container provider, s3fs's and the Datadog Agent's instance-metadata lines, the CloudWatch agent's region
lookup, the JetBrains toolkit and Pulumi; the SDKs' refusal of any container-credentials host; aws-sdk-go's
SharedCredsAccessKey read by what the text shows of the profile.

Each text has the shape its source prints (files cited in the table); ids, hosts and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import read_causes, text_causes, undecided_first

IRSA = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
POD_ID = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"
EKS_AUTH = ("Error fetching credentials: error getting credentials to cache: unable to fetch credentials from EKS Auth: "
            "operation error EKS Auth: AssumeRoleForPodIdentity, ")

ERRORS = [
    # The IRSA token path in a runtime's own file errors, whatever the runtime.
    ("python-isdir", f"IsADirectoryError: [Errno 21] Is a directory: '{IRSA}'", "web-identity-token-unreadable"),
    ("python-notfound", f"FileNotFoundError: [Errno 2] No such file or directory: '{IRSA}'",
     "web-identity-token-unreadable"),
    ("python-perm", f"PermissionError: [Errno 13] Permission denied: '{IRSA}'", "web-identity-token-unreadable"),
    ("java-io", f"java.io.FileNotFoundException: {IRSA} (Is a directory)", "web-identity-token-unreadable"),
    ("dotnet", f"System.UnauthorizedAccessException: Access to the path '{IRSA}' is denied.",
     "web-identity-token-unreadable"),
    ("io-read", f"read {IRSA}: is a directory\nIOException: could not read AWS_WEB_IDENTITY_TOKEN_FILE",
     "web-identity-token-unreadable"),
    ("pod-identity-token", f"IsADirectoryError: [Errno 21] Is a directory: '{POD_ID}'",
     "container-credentials-failed"),
    # The EKS Pod Identity agent's call to EKS Auth that got no answer, in the agent's log and in the pod's SDK.
    ("eks-auth-canceled", EKS_AUTH + "https response error StatusCode: 0, RequestID: , canceled, context canceled",
     "container-credentials-failed"),
    ("eks-auth-deadline", EKS_AUTH + "exceeded maximum number of attempts, 3, https response error StatusCode: 0, "
                                     "RequestID: , request send failed, Post \"https://eks-auth.eu-west-1.api.aws/"
                                     "clusters/c1/assume-role-for-pod-identity\": dial tcp 10.0.0.9:443: i/o timeout",
     "container-credentials-failed"),
    ("eks-auth-5xx", EKS_AUTH + "https response error StatusCode: 503, RequestID: 0f1e2d3c, ServiceUnavailable",
     "container-credentials-failed"),
    ("eks-auth-in-pod", "operation error S3: ListBuckets, get identity: get credentials: failed to refresh cached "
                        "credentials, failed to load credentials, exceeded maximum number of attempts, 3, "
                        "ContainerCredentials: Error fetching credentials: unable to fetch credentials from EKS Auth: "
                        "operation error EKS Auth: AssumeRoleForPodIdentity, https response error StatusCode: 0, "
                        "RequestID: , canceled, context deadline exceeded", "container-credentials-failed"),
    # The JavaScript v2 SDK's container provider.
    ("js2-ecs-format", '{"message": "Response data is not in valid format", "code": "ECSCredentialsProviderFailure"}',
     "container-credentials-failed"),
    ("js2-remote", "RemoteCredentialsProviderFailure: Response data is not in valid format",
     "container-credentials-failed"),
    ("js2-ecs-host", "CredentialsError: Unsupported hostname: AWS.ECSCredentials supports localhost,127.0.0.1 only; "
                     "169.254.170.23 requested.", "sdk-unsupported-credential-source"),
    # Tools' own instance-metadata sentences.
    ("s3fs-role", "2026-01-02T03:04:05.678Z [CRT] s3fs.cpp:s3fs_check_service(3520): Failed to check IAM role "
                  "name(app-role).", "imds-no-role"),
    ("datadog-token", "2026-01-02 03:04:05 UTC | CORE | WARN | (pkg/util/ec2/imds_helpers.go:80 in getMetadataItem) | "
                      "ec2_prefer_imdsv2 is set to true in the configuration but the agent was unable to proceed: "
                      "Put \"http://169.254.169.254/latest/api/token\": context deadline exceeded", "imds-hop-limit"),
    ("datadog-v2-only", "2026-01-02 03:04:05 UTC | CORE | DEBUG | unable to get hostname from EC2: could not fetch "
                        "token from IMDSv2", "imds-hop-limit"),
    # The CloudWatch agent finding no region: on premises in its profile, in EC2 mode from instance metadata.
    ("cwagent-onprem", "Got Home directory: /root\nI! Set home dir Linux: /root\nUnable to determine aws-region.\n"
                       "Please make sure the credentials and region set correctly on your hosts.\n"
                       "Fail to fetch the config!", "profile-invalid"),
    ("cwagent-onprem-windows", "Got Home directory: C:\\Users\\Administrator\nI! SDKRegionWithCredsMap region:\n"
                               "Unable to determine aws-region.", "profile-invalid"),
    ("cwagent-ec2", "Unable to determine aws-region.\nE! Please check if you can access the metadata service. For "
                    "example, on linux, run 'wget -q -O - http://169.254.169.254/latest/meta-data/instance-id && echo'",
     "imds-unreachable"),
    # The JetBrains toolkit building the selected profile's provider.
    ("jetbrains", "Unable to connect to AWS:\nFailed to create underlying AwsCredentialProvider", "profile-invalid"),
    # Pulumi's own sentence for an empty chain.
    ("pulumi", "aws:s3:Bucket my-bucket  error: unable to discover AWS AccessKeyID and/or SecretAccessKey - see "
               "https://pulumi.io/install/aws.html for details on configuration", "no-credentials"),
]


# A chain end that names no source that failed: the text cannot decide which (the first reading, a warning, says so).
_BARE_CHAIN_ENDS = {"pulumi"}


@pytest.mark.parametrize(("printer", "text", "cause"), ERRORS, ids=[e[0] for e in ERRORS])
def test_a_source_named_by_its_path_or_api_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    if printer in _BARE_CHAIN_ENDS:
        assert undecided_first(text) == cause, printer
    else:
        assert causes[0] == (cause, Severity.ERROR), (printer, causes)


def test_eks_auth_refusing_the_role_is_no_transport_failure() -> None:
    # AccessDeniedException is EKS Auth's answer (credential-sources.toml): the trust policy, not the agent's network.
    text = (EKS_AUTH + "https response error StatusCode: 400, RequestID: 1a2b, AccessDeniedException: Unauthorized "
            "Exception! EKS does not have permissions to assume the associated role.")
    assert text_causes(text)[0] == ("role-trust-denied", Severity.ERROR)


def test_the_token_path_named_without_an_error_is_no_failure() -> None:
    assert text_causes(f"AWS_WEB_IDENTITY_TOKEN_FILE={IRSA}\nAWS_ROLE_ARN=arn:aws:iam::111122223333:role/app") == []


@pytest.mark.parametrize("text", [
    # AWS SDK for Java 1.x: any host outside its list — here the IPv6 loopback.
    "com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the chain: "
    "[EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment variables "
    "(AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY)), "
    "com.amazonaws.auth.profile.ProfileCredentialsProvider@1a2b3c: profile file cannot be null, "
    "com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper@4d5e6f: The full URI (http://[::1]:40123/creds) "
    "contained withing environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host can only be "
    "one of [localhost, 127.0.0.1]]",
    # botocore and the JavaScript v3 SDK refusing a loopback host outside their lists.
    "botocore.exceptions.CredentialRetrievalError: Unsupported host '[::1]'.  Can only retrieve metadata from these "
    "hosts: 169.254.170.2, localhost, 127.0.0.1",
    "CredentialsProviderError: 127.0.0.2 is not a valid container metadata service hostname",
])
def test_a_refused_loopback_container_credentials_host_is_the_sdks_limit(text: str) -> None:
    assert text_causes(text)[0] == ("sdk-unsupported-credential-source", Severity.ERROR)


GO1_NO_KEY = ("Error while loading AWS Credentials: SharedCredsAccessKey: shared credentials {profile} in {path} did "
              "not contain aws_access_key_id\ncaused by: error when getting key of section '{profile}': key "
              "'aws_access_key_id' not exists")


@pytest.mark.parametrize("path", ["/home/ci/.aws/credentials", "/home/ci/.aws/config"])
def test_a_profile_without_a_key_and_no_role_sign_is_the_profile(path: str) -> None:
    causes = text_causes(GO1_NO_KEY.format(profile="production", path=path))
    assert causes[0] == ("profile-invalid", Severity.ERROR)
    assert ("sdk-unsupported-credential-source", Severity.WARNING) in causes


@pytest.mark.parametrize("extra", ["\n[profile production]\nrole_arn = arn:aws:iam::111122223333:role/deploy\n"
                                   "source_profile = base", "\ncredential_process = /usr/local/bin/creds"])
def test_a_profile_that_assumes_a_role_is_the_readers_limit(extra: str) -> None:
    causes = text_causes(GO1_NO_KEY.format(profile="production", path="/home/ci/.aws/credentials") + extra)
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR)


def test_the_cloudwatch_agents_fixed_profile_is_the_readers_limit() -> None:
    text = ("2026-01-02T03:04:05Z E! refresh EC2 Instance Tags failed: SharedCredsAccessKey: shared credentials "
            "AmazonCloudWatchAgent in /root/.aws/credentials did not contain aws_access_key_id, metrics will be dropped")
    assert text_causes(text)[0] == ("sdk-unsupported-credential-source", Severity.ERROR)


def test_a_refused_host_that_is_no_loopback_is_not_the_sdks_limit() -> None:
    # Every SDK refuses a plain-HTTP host that is no loopback by design: the variable is wrong, not the SDK old.
    text = ("com.amazonaws.SdkClientException: The full URI (http://10.0.0.7:8080/creds) contained withing environment "
            "variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host can only be one of [localhost, "
            "127.0.0.1]")
    assert "sdk-unsupported-credential-source" not in [c for c, _ in read_causes(text)]


def test_go1s_request_error_with_no_route_is_unreachable() -> None:
    text = ("RequestError: send request failed\ncaused by: Get http://169.254.169.254/latest/meta-data/iam/"
            "security-credentials/: dial tcp 169.254.169.254:80: connect: invalid argument")
    assert text_causes(text)[0] == ("imds-unreachable", Severity.ERROR)


def test_the_xray_daemons_instance_id_line_is_unreachable_metadata_as_a_warning() -> None:
    text = ("2026-01-02T03:04:05Z [Error] Get instance id metadata failed: RequestError: send request failed\n"
            "caused by: Get http://169.254.169.254/latest/meta-data/instance-id: dial tcp 169.254.169.254:80: connect: "
            "invalid argument")
    assert text_causes(text)[0] == ("imds-unreachable", Severity.WARNING)
    assert all(sev != Severity.ERROR for _, sev in text_causes(text))


def test_an_empty_chain_in_cloudshell_offers_the_sdks_limit_next() -> None:
    text = ("In AWS CloudShell the PHP script fails with: Error retrieving credentials from the instance profile "
            "metadata service.")
    assert "sdk-unsupported-credential-source" in [c for c, _ in text_causes(text)][:3]


def test_an_empty_chain_now_and_then_on_ec2_is_metadata_not_answering_not_a_missing_role() -> None:
    text = ("Our EC2 instance has an IAM role, but sometimes the job fails with "
            "Aws::Errors::MissingCredentialsError: unable to sign request without credentials set")
    ranked = [c for c, _ in text_causes(text)]
    assert "imds-unreachable" in ranked[:3]
    assert ranked.index("imds-unreachable") < ranked.index("imds-no-role") if "imds-no-role" in ranked else True


@pytest.mark.parametrize("text", [
    "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: http://169.254.170.23/v1/credentials",
    "urllib.error.HTTPError: HTTP Error 500: Internal Server Error (http://169.254.170.23/v1/credentials)",
    "AxiosError: Request failed with status code 404 (GET http://169.254.170.2/v2/credentials/6f1c0e2a)",
    "GET http://169.254.170.23/v1/credentials: 400 Bad Request: invalid token",
])
def test_the_container_endpoint_answering_an_error_status_is_its_failure(text: str) -> None:
    assert text_causes(text)[0] == ("container-credentials-failed", Severity.ERROR)


def test_ecs_task_metadata_is_no_credentials_path() -> None:
    assert read_causes("Status 404 for GET http://169.254.170.2/v2/metadata") == []


GO2_ENDPOINT = ("operation error S3: ListBuckets, get identity: get credentials: failed to refresh cached credentials, "
                "failed to load credentials, exceeded maximum number of attempts, 3, operation error "
                "CredentialsEndpoint: GetCredentials, ")


@pytest.mark.parametrize("tail", [
    "https response error StatusCode: 500, RequestID: , api error InternalServerError: Internal Server Error",
    "https response error StatusCode: 400, RequestID: , api error InvalidToken: invalid token",
    "https response error StatusCode: 0, RequestID: , request send failed, Get \"http://169.254.170.23/v1/"
    "credentials\": dial tcp 169.254.170.23:80: connect: connection refused",
])
def test_go2s_container_client_failing_is_the_container_endpoint(tail: str) -> None:
    # The endpoint's own error codes (InvalidToken) are no AWS service's verdict on a key.
    assert text_causes(GO2_ENDPOINT + tail)[0] == ("container-credentials-failed", Severity.ERROR)
    assert "access-key-invalid" not in [c for c, _ in text_causes(GO2_ENDPOINT + tail)]
