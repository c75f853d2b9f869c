"""Clues a text holds and a reading did not use (pass 14): a wrapper that does not say which failure it wraps, the
IMDSv2 token request that got no answer, a person's "IMDSv1 is disabled", STS named as the denier, a pod role beside
an unsigned request, a metadata timeout with no container in sight, and a pod's log prefix."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

# aws-sdk-go v1's ec2rolecreds: `awserr.New("EC2RoleRequestError", "no EC2 instance role found", err)` for any failed
# request of the role list; a log line that keeps only the first line of the error.
ROLE_WRAPPER = "2025-03-01 08:00:01 WARN agent: credentials: EC2RoleRequestError: no EC2 instance role found\n"
NO_ROUTE = ("2025-03-01 08:00:02 ERROR identity: RequestError: send request failed\n"
            'caused by: Get "http://169.254.169.254/latest/meta-data/iam/security-credentials/": dial tcp '
            "169.254.169.254:80: connect: no route to host\n")


def _first(text: str) -> tuple[str, Severity]:
    return text_causes(text)[0]


def test_a_bare_role_wrapper_yields_to_the_record_that_shows_the_failure() -> None:
    assert _first(ROLE_WRAPPER + NO_ROUTE) == ("imds-unreachable", Severity.ERROR)
    assert ("imds-no-role", Severity.WARNING) in text_causes(ROLE_WRAPPER + NO_ROUTE)


def test_a_bare_role_wrapper_alone_is_no_role_but_not_an_error() -> None:
    assert _first(ROLE_WRAPPER) == ("imds-no-role", Severity.WARNING)


def test_the_wrapper_with_its_404_under_it_stays_an_error() -> None:
    text = ("EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make EC2Metadata "
            "request\n\tstatus code: 404, request id: \n")
    assert _first(text) == ("imds-no-role", Severity.ERROR)


def test_the_token_put_without_an_answer_is_the_hop_limit_even_cut() -> None:
    # Go's url.Error of the IMDSv2 token PUT, the paste cut inside its reason.
    text = 'level=error msg="refresh failed" err="Put \\"http://169.254.169.254/latest/api/token\\": context dead'
    assert _first(text) == ("imds-hop-limit", Severity.ERROR)
    assert "imds-unreachable" in [c for c, _ in text_causes(text)]


def test_the_token_put_refused_is_no_hop_limit() -> None:
    text = 'Put "http://169.254.169.254/latest/api/token": dial tcp 169.254.169.254:80: connect: connection refused\n'
    assert _first(text) == ("imds-unreachable", Severity.ERROR)


def test_imdsv1_turned_off_is_an_sdk_without_imdsv2_not_an_unreachable_service() -> None:
    text = ("Our security team turned off IMDSv1 on every instance last week. Since then the exporter cannot find "
            "any credentials and keeps retrying.\n")
    causes = text_causes(text)
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.WARNING)
    assert "imds-unreachable" not in [c for c, _ in causes]


def test_imds_disabled_is_still_an_unreachable_service() -> None:
    text = "IMDS is disabled on this instance, so the agent cannot get credentials.\n"
    assert _first(text)[0] == "imds-unreachable"


def test_a_denial_said_to_be_sts_s_is_the_trust_policy() -> None:
    text = "[2025/03/01 08:00:00] [error] [output:kinesis_firehose] Access Denied from STS while assuming the role\n"
    assert _first(text) == ("role-trust-denied", Severity.ERROR)


def test_a_bare_denial_naming_assume_role_is_the_trust_policy() -> None:
    text = "error: could not refresh credentials: AccessDenied: Access Denied (sts:AssumeRoleWithWebIdentity)\n"
    assert _first(text) == ("role-trust-denied", Severity.ERROR)


def test_a_denial_beside_a_trust_policy_document_is_not_read_as_sts_s() -> None:
    # The action stands in a policy printed beside an S3 denial: no word says STS refused.
    text = ('policy: {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}} '
            "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\n")
    assert _first(text)[0] != "role-trust-denied"


# A client that went on unsigned and says so under S3's denial (DuckDB's httpfs words).
UNSIGNED_DENIAL = ("duckdb.IOException: IO Error: AccessDenied: Access Denied for s3://example-bucket/data/part-0.parquet "
                   "- No credentials are provided.\n")


def test_a_pod_role_beside_an_unsigned_request_is_a_client_that_does_not_use_it() -> None:
    text = ("The job runs in a pod with AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE set by the EKS webhook.\n"
            + UNSIGNED_DENIAL)
    causes = text_causes(text)
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR)
    assert "no-credentials" in [c for c, _ in causes[1:3]]


def test_an_unsigned_request_without_a_pod_role_is_no_credentials() -> None:
    assert _first(UNSIGNED_DENIAL) == ("no-credentials", Severity.ERROR)


# A metadata request that timed out, in no SDK chain's words, with no container, pod or EC2 host in sight.
METADATA_TIMEOUT = ("IOError: connect: connection timed out (ETIMEDOUT) during "
                    "request(http://169.254.169.254/latest/meta-data/iam/info)\n")


def test_a_metadata_timeout_with_no_container_in_sight_is_no_hop_limit_error() -> None:
    assert undecided_first(METADATA_TIMEOUT) == "imds-hop-limit"
    assert "no-credentials" in [c for c, _ in text_causes(METADATA_TIMEOUT)[:3]]


def test_a_metadata_timeout_in_a_pod_stays_the_hop_limit() -> None:
    text = "The app runs in a Kubernetes pod.\n" + METADATA_TIMEOUT
    assert _first(text) == ("imds-hop-limit", Severity.ERROR)


def test_a_pod_log_prefix_puts_the_hop_limit_first() -> None:
    # `stern`'s prefix: the pod (its DaemonSet's name and a generated suffix), then the container.
    line = "cw-agent-x7k2q cw-agent 2025/03/01 08:00:00 E! ec2metadata is not available\n"
    assert _first(line) == ("imds-hop-limit", Severity.ERROR)
    assert _first("[pod/cw-agent-x7k2q/cw-agent] 2025/03/01 08:00:00 E! ec2metadata is not available\n")[0] == \
        "imds-hop-limit"
    assert _first("2025/03/01 08:00:00 E! ec2metadata is not available\n")[0] == "imds-unreachable"


def test_a_role_404_and_a_chain_end_joined_in_one_record_is_the_missing_role() -> None:
    # kube2iam's access log line and botocore's chain end, the paste's line ends escaped (one record), and as lines.
    lines = ("kube2iam: GET /latest/meta-data/iam/security-credentials/ (404) took 2811000 ns\n"
             "botocore.exceptions.NoCredentialsError: Unable to locate credentials\n")
    joined = lines.replace("\n", "\\n")
    assert _first(joined) == ("imds-no-role", Severity.ERROR)
    assert _first(lines)[0] == "imds-no-role"


def test_a_bare_denial_from_a_tool_that_sends_unsigned_offers_the_unsigned_request() -> None:
    text = ("$ rclone lsd s3remote:example-bucket\n"
            "2025/03/01 08:00:00 ERROR : error listing: AccessDenied: Access Denied\n"
            "\tstatus code: 403, request id: 4442587FB7D0A2F9, host id: example\n")
    causes = text_causes(text)
    assert causes[0] == ("permission-missing", Severity.WARNING)
    assert causes[1] == ("request-not-signed", Severity.WARNING)
