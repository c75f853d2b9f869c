"""What `decode` makes of the messages of checks/errors/agents9.toml: Amazon EFS's mount helper, kube2iam, Fluent Bit
towards instance metadata and the container endpoint, the Java 2.x / Kotlin SDKs' bodiless S3 HEAD answers,
Mountpoint for Amazon S3, aws-sso-util's credential process, kubectl's 401 without an EKS word, the X-Ray daemon's
region and proxy lines, STS refusals that are no catalog fault, and CloudWatch Logs' subscription refusals.

Each text has the shape its source prints (files cited in the table); ids, hosts and paths are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import read_causes, text_causes, undecided_first

ERRORS = [
    # efs-utils: every wording of the DNS name that does not resolve (3.x, the CNAME form, 1.x).
    ("efs-dns-3x", "2026-01-02 03:04:05 UTC - ERROR - Failed to resolve \"fs-0123abcd.efs.eu-central-1.amazonaws.com\""
                   " - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for "
                   "this file system ID.\nSee https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail.",
     "dns-resolution-failed"),
    ("efs-dns-no-ip", "mount.nfs4: Failed to resolve \"fs-0a1b2c3d.efs.us-west-2.amazonaws.com\". The file system mount "
                      "target ip address cannot be found, please pass mount target ip address via mount options.",
     "dns-resolution-failed"),
    ("efs-dns-1x", "Failed to resolve \"fs-99887766.efs.ap-south-1.amazonaws.com\" - check that your file system ID is "
                   "correct.", "dns-resolution-failed"),
    ("efs-cname", "Failed to resolve \"files.corp.example\" - check that the specified DNS name is a CNAME record "
                  "resolving to a valid EFS DNS name", "dns-resolution-failed"),
    ("efs-no-mount-target", "Cannot find mount target for the file system fs-0123abcd, please create a mount target "
                            "in eu-west-1b.", "target-not-found"),
    ("efs-nfs-port", "Cannot connect to file system mount target ip address 10.1.2.3. \nConnection refused",
     "endpoint-unreachable"),
    ("efs-fallback-denied", "Failed to resolve \"fs-1.efs.us-east-1.amazonaws.com\". Attempting to lookup mount target "
                            "ip address using botocore. Unauthorized to perform operation DescribeAvailabilityZones.",
     "dns-resolution-failed"),
    ("efs-region", "Error retrieving region. Please set the \"region\" parameter in the efs-utils configuration file "
                   "or specify it as a mount option.", "imds-unreachable"),
    ("efs-imds-401", "Unauthorized request to instance metadata url http://169.254.169.254/latest/meta-data/placement/"
                     "availability-zone, IMDSv2 is enabled on the instance, while fetching availability-zone, an "
                     "IMDSv2 token was not retrieved.", "imds-hop-limit"),
    # efs-utils 2.x+ fetching credentials itself: the container credentials URI and STS.
    ("efs-pod-identity", "Unsuccessful retrieval of AWS security credentials from Container Credentials URI at "
                         "http://169.254.170.23/v1/credentials", "container-credentials-failed"),
    ("efs-sts-unreachable", "Unable to reach https://sts.eu-west-1.amazonaws.com/?Action=AssumeRoleWithWebIdentity to "
                            "retrieve AWS security credentials. See https://docs.aws.amazon.com/console/efs/"
                            "troubleshooting-tls for more info.", "endpoint-unreachable"),
    ("efs-sts-refused", "Unsuccessful retrieval of AWS security credentials at https://sts.eu-west-1.amazonaws.com/.",
     "web-identity-rejected"),
    # kiam's agent and server: no role for the pod, or one its namespace does not permit.
    ("kiam-empty-role", "time=\"2026-01-01T00:00:00Z\" level=error msg=\"error processing request: empty role\" "
                        "path=/latest/meta-data/iam/security-credentials/ status=404", "imds-no-role"),
    ("kiam-policy", "level=error msg=\"pod denied by policy\" pod.iam.role=admin policy.explanation=\"namespace "
                    "policy expression (dev-.*) forbids role\"", "imds-no-role"),
    # kube2iam: its own error for a pod without a role, and its failed assume of the pod's role.
    ("kube2iam-no-role", "level=error msg=\"unable to find role for IP 10.0.0.7\"", "imds-no-role"),
    ("kube2iam-assume", "level=error msg=\"Error assuming role AccessDenied: User: arn:aws:sts::111122223333:"
                        "assumed-role/nodes/i-0abc is not authorized to perform: sts:AssumeRole on resource: "
                        "arn:aws:iam::111122223333:role/app\" pod.iam.role=arn:aws:iam::111122223333:role/app",
     "role-trust-denied"),
    # Fluent Bit towards instance metadata and the container endpoint.
    ("fluentbit-imds-broken", "[2026/01/01 00:00:00] [error] [http_client] broken connection to 169.254.169.254:80 ?\n"
                              "[2026/01/01 00:00:00] [error] [http_client] broken connection to 169.254.169.254:80 ?",
     "imds-unreachable"),
    ("fluentbit-imds-upstream", "[error] [upstream] connection #42 failed to 169.254.169.254:80", "imds-unreachable"),
    ("fluentbit-msk-iam", "[error] [aws_msk_iam] build_msk_iam_payload: failed to get credentials", "no-credentials"),
    ("fluentbit-http-provider", "[error] [aws_credentials] HTTP Provider: connection initialization error",
     "container-credentials-failed"),
    # Mountpoint for Amazon S3, alpha and 1.x.
    ("mountpoint-headbucket", "Error: Failed to create S3 client\n\nCaused by:\n    0: HeadBucket failed for bucket "
                              "logs-archive in region us-east-2\n    1: Service error\n    2: Permission denied",
     "permission-missing"),
    ("mountpoint-list-forbidden", "Error: Failed to create mount process\n\nCaused by:\n    0: initial ListObjectsV2 "
                                  "failed for bucket logs-archive in region us-east-2\n    1: Client error\n    2: "
                                  "Forbidden: Access Denied", "permission-missing"),
    ("mountpoint-no-bucket", "Caused by:\n    0: initial ListObjectsV2 failed for bucket nope-bucket in region "
                             "eu-west-1\n    1: Service error\n    2: The bucket does not exist", "target-not-found"),
    ("mountpoint-region", "Caused by:\n    0: initial ListObjectsV2 failed for bucket logs in region us-east-1\n    1: "
                          "Client error\n    2: Wrong region (expecting eu-north-1)", "region-mismatch"),
    # aws-sso-util as a profile's credential_process.
    ("aws-sso-util", "$ aws-sso-util credential-process --profile dev\nLogin required. Use `aws-sso-util login "
                     "--profile dev` or `aws sso login --profile dev` and try again.", "profile-invalid"),
    # The X-Ray daemon's region lookup and proxy setting.
    ("xray-region-3x", "2026-01-01T00:00:00Z [Error] Unable to fetch region from EC2 metadata: EC2 IMDS access "
                       "disabled via AWS_EC2_METADATA_DISABLED env var", "imds-unreachable"),
    ("xray-proxy", "2026-01-01T00:00:00Z [Error] Bad proxy URL: parse \"http//proxy:3128\": first path segment in URL "
                   "cannot contain colon", "proxy-misconfigured"),
    # IAM Identity Center logins as the Go and Java SDKs report them.
    ("go1-sso", "SSOProviderInvalidToken: the SSO session has expired or is invalid\ncaused by: open /home/u/.aws/sso/"
                "cache/0123abcd.json: no such file or directory", "profile-invalid"),
    ("go2-sso", "get credentials: failed to refresh cached credentials, the SSO session has expired or is invalid: "
                "failed to read cached SSO token file, open /root/.aws/sso/cache/abcd.json: no such file or directory",
     "profile-invalid"),
    ("java2-sso", "software.amazon.awssdk.core.exception.SdkClientException: Unable to load SSO token",
     "profile-invalid"),
    ("java2-sso-settings", "java.lang.IllegalArgumentException: Property 'sso_region' was not configured for profile "
                           "dev.", "profile-invalid"),
    # aws-iam-authenticator's verifier: the EKS token older than its 15 minutes.
    ("authenticator-expired", "input token was not properly formatted: X-Amz-Date parameter is expired (15 minute "
                              "expiration) 20260101T000000Z", "credentials-expired"),
    # CloudWatch Logs' subscription tests.
    ("cwl-lambda", "Resource handler returned message: \"Could not execute the lambda function. Make sure you have "
                   "given CloudWatch Logs permission to execute your function. (Service: CloudWatchLogs, Status Code: "
                   "400, Request ID: 0f0e0d0c-1111-2222-3333-444455556666)\"", "permission-missing"),
    ("cwl-kinesis", "InvalidParameterException: Could not deliver test message to specified Kinesis stream. Check if "
                    "the given kinesis stream is in ACTIVE state.", "role-trust-denied"),
]


# A chain end naming no source that failed, a denial naming no action: the text cannot decide (the first reading, a
# warning, says so).
_UNDECIDED = {"mountpoint-list-forbidden"}


@pytest.mark.parametrize(("printer", "text", "cause"), ERRORS, ids=[c[0] for c in ERRORS])
def test_each_message_gives_its_cause_as_an_error(printer: str, text: str, cause: str) -> None:
    causes = text_causes(text)
    assert causes, printer
    if printer in _UNDECIDED:
        assert undecided_first(text) == cause, printer
    else:
        assert causes[0] == (cause, Severity.ERROR), (printer, causes)


@pytest.mark.parametrize(("text", "second"), [
    # A wrong file system id is the other reading of a name that does not resolve.
    ("Failed to resolve \"fs-0123abcd.efs.eu-central-1.amazonaws.com\" - check that your file system ID is correct.",
     "target-not-found"),
    # The node role lacking sts:AssumeRole behind kube2iam's failed assume.
    ("level=error msg=\"Error assuming role AccessDenied: Access denied\"", "permission-missing"),
    # The clock of the machine that minted the EKS token.
    ("input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 20260101T000000Z",
     "clock-skew"),
    # An SSO token refused before its expiry.
    ("Login required. Use `aws sso login --profile x` and try again.", "credentials-expired"),
])
def test_the_other_reading_is_offered_second(text: str, second: str) -> None:
    assert [c for c, _ in text_causes(text)][1] == second


@pytest.mark.parametrize(("text", "first_three"), [
    # Java 2.x after PR #5492 (status text) and before it ("null"); Kotlin's wordings.
    ("software.amazon.awssdk.services.s3.model.S3Exception: Forbidden (Service: S3, Status Code: 403, Request ID: "
     "ABCD1234EFGH5678, Extended Request ID: aGVsbG8=)", ["permission-missing", "target-not-found", "credentials-expired"]),
    ("software.amazon.awssdk.services.s3.model.S3Exception: null (Service: S3, Status Code: 403, Request ID: "
     "ABCD1234EFGH5678)", ["permission-missing", "target-not-found", "credentials-expired"]),
    ("aws.sdk.kotlin.services.s3.model.S3Exception: Service returned error code 403: Forbidden, Error type: Unknown, "
     "Protocol response: HTTP 403 Forbidden, Request ID: ABCD1234", ["permission-missing", "target-not-found",
                                                                   "credentials-expired"]),
    ("software.amazon.awssdk.services.s3.model.S3Exception: Bad Request (Service: S3, Status Code: 400, Request ID: "
     "ABCD1234EFGH5678)", ["region-mismatch", "credentials-expired", "session-token-missing"]),
])
def test_a_bodiless_head_of_java_2_and_kotlin_gives_ranked_warnings(text: str, first_three: list[str]) -> None:
    causes = text_causes(text)
    assert [c for c, _ in causes[:3]] == first_three
    assert all(sev != Severity.ERROR for _, sev in causes)


def test_a_bodiless_head_404_of_java_2_is_a_missing_target() -> None:
    text = ("software.amazon.awssdk.services.s3.model.S3Exception: Not Found (Service: S3, Status Code: 404, Request ID:"
            " ABCD1234EFGH5678)")
    assert text_causes(text)[0][0] == "target-not-found"


@pytest.mark.parametrize("text", [
    "error: You must be logged in to the server (the server has asked for the client to provide credentials (get pods))",
    "error: You must be logged in to the server (Unauthorized)",
    "ComparisonError: Failed to load live state: the server has asked for the client to provide credentials",
])
def test_kubectls_401_without_eks_is_ranked_warnings_led_by_an_expired_token(text: str) -> None:
    causes = text_causes(text)
    assert [c for c, _ in causes[:2]] == ["credentials-expired", "clock-skew"]
    assert all(sev != Severity.ERROR for _, sev in causes)


@pytest.mark.parametrize("text", [
    "time=\"2026-01-01T00:00:01Z\" level=info msg=\"GET /latest/meta-data/iam/security-credentials (404) took "
    "2001.000000 ns\" req.method=GET req.remote=10.0.0.7",
    "level=info msg=\"GET /latest/meta-data/iam/security-credentials/ (404) took 0.52 ms\"",
])
def test_kube2iams_404_alone_is_a_pod_without_a_role_as_a_warning(text: str) -> None:
    # The same 404 answers a pod kube2iam cannot find by its IP: the access line alone cannot decide.
    assert text_causes(text) == [("imds-no-role", Severity.WARNING)]


@pytest.mark.parametrize("text", [
    # STS refusals whose fix is the caller or the request, none of the catalog's causes.
    "An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.",
    "aws-vault: error: exec: Failed to get credentials for prod: AccessDenied: MultiFactorAuthentication failed, "
    "unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.\n"
    "\tstatus code: 403, request id: 11111111-2222-3333-4444-555555555555",
    "An error occurred (AccessDenied) when calling the GetSessionToken operation: Cannot call GetSessionToken with "
    "session credentials",
    "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds "
    "the MaxSessionDuration set for this role.",
    # aws-iam-authenticator refusing a token that is no EKS token of this cluster, or throttled by STS.
    "level=warning msg=\"access denied\" error=\"input token was not properly formatted: client did not sign the "
    "x-k8s-aws-id header in the pre-signed URL\"",
    "error=\"sts getCallerIdentity was throttled: <ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>\"",
])
def test_sts_refusals_outside_the_catalog_name_no_cause(text: str) -> None:
    assert read_causes(text) == []


@pytest.mark.parametrize("text", [
    # Other programs' "Failed to resolve" (a DI container, a SOCKS proxy) are no EFS name lookup.
    "ContainerException: Failed to resolve \"App\\Service\\Mailer\": class not found",
    # kube2iam answering 200 for the role listing is no failure.
    "level=info msg=\"GET /latest/meta-data/iam/security-credentials (200) took 0.41 ms\"",
    # Fluent Bit's broken connection to a non-metadata host is agents7's warning, not a metadata reading.
    "[error] [http_client] broken connection to logs.eu-west-1.amazonaws.com:443 ?",
])
def test_neighbouring_wordings_are_not_read_as_these(text: str) -> None:
    causes = [c for c, _ in text_causes(text)]
    assert not {"dns-resolution-failed", "imds-no-role", "imds-unreachable"} & set(causes), causes


def test_fluent_bits_metadata_request_without_response_is_readings_not_an_error() -> None:
    # The same line follows Fluent Bit failing to build the request itself ("failed to add header to request").
    causes = text_causes("[2026/01/01 00:00:00] [ warn] [imds] failed to retrieve metadata")
    assert causes == [("imds-unreachable", Severity.WARNING), ("imds-hop-limit", Severity.WARNING)]


def test_fluent_bits_could_not_sign_alone_names_no_empty_chain() -> None:
    # With an empty chain the signer says "Provider returned no credentials" first; without it the signer failed.
    causes = text_causes("[2026/01/01 00:00:00] [error] [signv4] failed canonical request\n"
                         "[2026/01/01 00:00:00] [error] [aws_client] could not sign request")
    assert "no-credentials" not in [c for c, _ in causes]


def test_efs_name_lookup_comes_before_its_botocore_fallbacks_missing_credentials() -> None:
    # The fallback (DescribeMountTargets) needs credentials only to work around the name that did not resolve.
    text = ("Failed to resolve \"<your fs id>.efs.eu-west-1.amazonaws.com\". The file system mount target ip address "
            "cannot be found, please pass mount target ip address via mount options. \nUnable to locate credentials "
            "when performing operation DescribeMountTargets, please confirm your aws credentials are properly "
            "configured.")
    assert [c for c, _ in text_causes(text)][:2] == ["dns-resolution-failed", "no-credentials"]
