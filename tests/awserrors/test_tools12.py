"""What `decode` makes of tools' own credential, metadata and name-lookup messages that pass 12 added by family
(checks/errors/tools12.toml): Java chains built on the SDK's AWSCredentialsProviderChain, Hadoop's s3/s3n key check,
restic, kiam, the VPC CNI network policy agent, Mountpoint for S3 and the AWS Common Runtime, nginx's and HAProxy's
resolvers.

Each text is written from its source (the file each entry cites), in the shape the tool prints it; hosts, buckets,
addresses and ids are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

E, W = Severity.ERROR, Severity.WARNING


def test_a_chain_end_worded_without_aws_is_the_empty_chain() -> None:
    text = ("2026-01-02 03:04:05.678+0000 (FileTailer[kinesis:example-stream]) ERROR AsyncPublisher - Unable to load "
            "credentials from any provider in the chain.")
    assert undecided_first(text) == "no-credentials"


def test_the_java_chains_per_provider_debug_lines_are_only_warnings() -> None:
    text = ("2026-01-02T03:04:05,678 DEBUG [main] com.amazonaws.auth.AWSCredentialsProviderChain - Unable to load "
            "credentials from EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment "
            "variables (AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or AWS_SECRET_ACCESS_KEY))\n"
            "2026-01-02T03:04:05,679 DEBUG [main] com.amazonaws.auth.AWSCredentialsProviderChain - Unable to load "
            "credentials from SystemPropertiesCredentialsProvider: Unable to load AWS credentials from Java system "
            "properties (aws.accessKeyId and aws.secretKey)")
    causes = text_causes(text)
    assert causes[:2] == [("no-credentials", W), ("sdk-unsupported-credential-source", W)]
    assert all(s is W for _, s in causes)


def test_hadoops_s3n_key_check_is_no_credentials() -> None:
    text = ('Exception in thread "main" java.lang.IllegalArgumentException: AWS Access Key ID and Secret Access Key '
            "must be specified as the username or password (respectively) of a s3n URL, or by setting the "
            "fs.s3n.awsAccessKeyId or fs.s3n.awsSecretAccessKey properties (respectively).")
    assert text_causes(text)[0] == ("no-credentials", E)


def test_hadoops_half_pair_is_no_usable_pair() -> None:
    text = ("java.lang.IllegalArgumentException: AWS Secret Access Key must be specified as the password of a s3 URL, "
            "or by setting the fs.s3.awsSecretAccessKey property.")
    assert text_causes(text)[0] == ("no-credentials", E)


@pytest.mark.parametrize("text", [
    "Fatal: unable to open S3 backend: Key ID ($AWS_ACCESS_KEY_ID) is empty",
    "Fatal: unable to open S3 backend: Secret ($AWS_SECRET_ACCESS_KEY) is empty",
], ids=["key-id", "secret"])
def test_restics_half_set_pair_is_env_credentials_incomplete(text: str) -> None:
    assert text_causes(text)[0] == ("env-credentials-incomplete", E)


def test_kiams_metadata_check_is_imds_unreachable() -> None:
    text = ('{"level":"fatal","msg":"error creating listener: error detecting arn prefix: aws metadata api not '
            'available","time":"2026-01-02T03:04:05Z"}')
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", E)
    assert ("imds-hop-limit", W) in causes


def test_kiams_iam_info_failure_is_no_instance_profile() -> None:
    text = ('{"level":"fatal","msg":"error creating listener: error accessing iam info: EC2MetadataError: failed to '
            'make EC2Metadata request\\n\\tstatus code: 404","time":"2026-01-02T03:04:05Z"}')
    assert text_causes(text)[0] == ("imds-no-role", E)


@pytest.mark.parametrize("text", [
    "Node: ip-10-1-2-3.ec2.internal;SIP: 10.1.7.9;SPORT: 40112;DIP: 169.254.169.254;DPORT: 80;PROTOCOL: TCP;"
    "PolicyVerdict: DENY",
    "Flow Info: Src IP: 10.1.7.9 Src Port: 40112 Dest IP: 169.254.169.254 Dest Port: 80 Proto TCP Verdict DENY "
    "Direction egress",
], ids=["cloudwatch", "agent-log"])
def test_a_network_policy_deny_to_instance_metadata_is_imds_unreachable(text: str) -> None:
    assert text_causes(text)[0] == ("imds-unreachable", E)


def test_a_network_policy_deny_to_the_pod_identity_agent_is_the_container_endpoint() -> None:
    text = ("Node: ip-10-1-2-3.ec2.internal;SIP: 10.1.7.9;SPORT: 40112;DIP: 169.254.170.23;DPORT: 80;PROTOCOL: TCP;"
            "PolicyVerdict: DENY")
    assert text_causes(text)[0] == ("container-credentials-failed", E)


def test_a_network_policy_accept_says_nothing() -> None:
    text = ("Node: ip-10-1-2-3.ec2.internal;SIP: 10.1.7.9;SPORT: 40112;DIP: 169.254.169.254;DPORT: 80;PROTOCOL: TCP;"
            "PolicyVerdict: ACCEPT")
    assert "imds-unreachable" not in [c for c, _ in text_causes(text)]


def test_mountpoints_provider_failure_cannot_decide() -> None:
    text = ("Error: Failed to create S3 client\n\nCaused by:\n    0: invalid AWS credentials\n    1: CRT error 0: "
            "aws-c-common: AWS_ERROR_SUCCESS, Success.")
    causes = text_causes(text)
    assert causes[:3] == [("profile-invalid", W), ("sdk-unsupported-credential-source", W), ("no-credentials", W)]


@pytest.mark.parametrize(("text", "cause"), [
    ("CRT error 6186: aws-c-auth: AWS_AUTH_SSO_TOKEN_EXPIRED, Token sourced by the sso token provider is expired.",
     "credentials-expired"),
    ("aws-c-auth: AWS_AUTH_PROFILE_STS_CREDENTIALS_PROVIDER_CYCLE_FAILURE, Failed to resolve credentials because the "
     "profile contains a cycle in the assumeRole chain.", "profile-invalid"),
    ("aws-c-auth: AWS_AUTH_CREDENTIALS_PROVIDER_ECS_INVALID_TOKEN_FILE_PATH, Failed to read the ECS token file "
     "specified in the AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE environment variable.", "container-credentials-failed"),
    ("aws-c-auth: AWS_AUTH_IMDS_CLIENT_SOURCE_FAILURE, Failed to source the IMDS resource", "imds-unreachable"),
], ids=["sso", "cycle", "ecs-token-file", "imds"])
def test_the_crts_credential_errors(text: str, cause: str) -> None:
    assert text_causes(text)[0] == (cause, E)


@pytest.mark.parametrize("text", [
    "1: CRT error 1059: aws-c-io: AWS_IO_DNS_INVALID_NAME, Host name was invalid for dns resolution.",
    "aws-c-io: AWS_IO_DNS_QUERY_FAILED, A query to dns failed to resolve.",
], ids=["invalid-name", "query-failed"])
def test_the_crts_dns_errors_are_dns(text: str) -> None:
    assert text_causes(text)[0] == ("dns-resolution-failed", E)


@pytest.mark.parametrize("text", [
    '2026/01/02 03:04:05 [error] 31#31: *9 example-media.s3.amazonaws.com could not be resolved (110: Operation timed '
    'out), client: 203.0.113.7, server: _, request: "GET /a.jpg HTTP/1.1", host: "203.0.113.1"',
    "2026/01/02 03:04:05 [error] 31#31: *9 example-media.s3.amazonaws.com could not be resolved (3: Host not found), "
    "client: 203.0.113.7",
    "Server be_s3/s3a is going DOWN for maintenance (DNS NX status). 0 active and 0 backup servers left.",
], ids=["nginx-timeout", "nginx-nxdomain", "haproxy"])
def test_a_proxys_resolver_failure_is_dns(text: str) -> None:
    assert text_causes(text)[0] == ("dns-resolution-failed", E)


def test_a_service_account_without_a_role_annotation_is_no_credentials() -> None:
    text = ('E1207 10:00:00.000000       1 server.go:120] "Failure to mount" err="rpc error: code = Unknown desc = '
            'us-east-1: An IAM role must be associated with service account app-sa (namespace: web)"')
    assert text_causes(text)[0] == ("no-credentials", E)


def test_cdks_bootstrap_role_warning_cannot_decide() -> None:
    text = ("current credentials could not be used to assume 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-"
            "123456789012-eu-west-1', but are for the right account. Proceeding anyway.")
    causes = text_causes(text)
    assert causes[0] == ("target-not-found", W)
    assert all(s is W for _, s in causes)


def test_amplifys_profile_failure_is_the_profile() -> None:
    text = "🛑 Failed to get profile credentials\nDetails: Profile not found: dev\nResolution: amplify configure project"
    assert text_causes(text)[0] == ("profile-invalid", E)


@pytest.mark.parametrize(("text", "cause"), [
    ("failed to refresh cached credentials, failed to load credentials, api error BadRequest: Service account token "
     "cannot be empty", "container-credentials-failed"),
    ('{"Message":"Service account token failed basic claim validations: token has invalid claims: token is expired"}',
     "container-credentials-failed"),
    ('{"Message":"Called agent through invalid address, please use either [169.254.170.23 fd00:ec2::23] address not '
     '10.0.0.5"}', "container-credentials-failed"),
], ids=["no-token", "expired-token", "address"])
def test_the_pod_identity_agents_refusals(text: str, cause: str) -> None:
    assert text_causes(text)[0] == (cause, E)


def test_s3fs_without_the_role_name_cannot_decide() -> None:
    text = "Dec  7 10:00:00 host s3fs[1234]: s3fs.cpp:s3fs_init(3456): could not load IAM role name from meta data."
    causes = text_causes(text)
    assert causes[:2] == [("sdk-unsupported-credential-source", W), ("imds-no-role", W)]
    assert all(s is W for _, s in causes)
