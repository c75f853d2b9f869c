"""Clues in the text that decide between a message's readings: Go v1's EC2MetadataError (instance metadata answered),
Datadog's and aws-iam-authenticator's wording of an AssumeRole denial, a quote the user says a tool did NOT print, a
shared-files profile with a key the SDKs do not read, and a temporary key signed without its session token. Keys,
hosts and ids are made up; each text has the shape its client prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from sigdoctor.render.text import render_text
from tests.decode.conftest import decode_text, ranked_causes, text_causes, top_cause, undecided_first
from tests.decode.test_wrappers import MANGLERS

GO_V1_CHAIN = ("NoCredentialProviders: no valid providers in chain\n"
               "caused by: EnvAccessKeyNotFound: failed to find credentials in the environment.\n"
               "SharedCredsLoad: failed to load profile, .\n"
               "EC2RoleRequestError: no EC2 instance role found\n"
               "caused by: EC2MetadataError: failed to make EC2Metadata request\n")
SYSLOG = "Oct 27 10:43:16 ip-10-0-0-1 amazon-ssm-agent[2373]: "
SSM_AGENT_SPLIT = (
    f"{SYSLOG}2023-10-27 10:43:14 WARN EC2RoleProvider Failed to connect to Systems Manager with instance profile role "
    "credentials. Err: retrieved credentials failed to report to ssm. Error: EC2RoleRequestError: no EC2 instance role "
    "found\n"
    f"{SYSLOG}caused by: EC2MetadataError: failed to make EC2Metadata request\n"
    f'{SYSLOG}<?xml version="1.0" encoding="iso-8859-1"?>\n'
    f'{SYSLOG}<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n')
IMDS_PAGE_IN_JSON = (
    '{"level":"error","msg":"failed to refresh credentials","error":"EC2RoleRequestError: no EC2 instance role found'
    '\\ncaused by: EC2MetadataError: failed to make EC2Metadata request\\ncaused by: <?xml version=\\"1.0\\" '
    'encoding=\\"iso-8859-1\\"?>\\n<!DOCTYPE html PUBLIC \\"-//W3C//DTD XHTML 1.0 Transitional//EN\\"\\n <head>\\n  '
    '<title>{status}</title>\\n </head>"}')
BOTOCORE_DEBUG_REQUEST = (
    "2019-01-23 14:55:38,442 - MainThread - botocore.endpoint - DEBUG - Sending http request: <AWSPreparedRequest "
    "stream_output=False, method=GET, url=https://example-bucket.s3.amazonaws.com/?list-type=2&delimiter=%2F, "
    "headers={{'X-Amz-Content-SHA256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', "
    "'Authorization': 'AWS4-HMAC-SHA256 Credential={key}/20190123/us-east-1/s3/aws4_request, SignedHeaders={signed}, "
    "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'X-Amz-Date': '20190123T195538Z', "
    "'User-Agent': 'aws-cli/1.16.93 Python/2.7.13 botocore/1.12.83'}}>")


def test_go_v1s_metadata_error_says_instance_metadata_answered_so_no_role_comes_first() -> None:
    causes = text_causes(GO_V1_CHAIN)
    assert causes[0] == ("imds-no-role", Severity.ERROR)
    assert "imds-hop-limit" in [c for c, _ in causes[1:4]]


def test_the_metadata_error_line_split_from_its_wrapper_still_reads_no_role() -> None:
    assert text_causes(SSM_AGENT_SPLIT)[0] == ("imds-no-role", Severity.ERROR)


@pytest.mark.parametrize(("title", "cause"), [("404 - Not Found", "imds-no-role"),
                                               ("403 - Forbidden", "imds-unreachable")])
def test_the_status_in_the_title_of_imdss_error_page_decides(title: str, cause: str) -> None:
    assert text_causes(IMDS_PAGE_IN_JSON.replace("{status}", title))[0] == (cause, Severity.ERROR)


def test_a_metadata_error_with_status_401_stays_the_hop_limit() -> None:
    assert text_causes(GO_V1_CHAIN + "\tstatus code: 401, request id: \n")[0] == ("imds-hop-limit", Severity.ERROR)


def test_a_metadata_request_that_got_no_answer_is_no_missing_role() -> None:
    text = ("EC2RoleRequestError: no EC2 instance role found\ncaused by: RequestError: send request failed\ncaused by: "
            'Get "http://169.254.169.254/latest/meta-data/iam/security-credentials/": dial tcp 169.254.169.254:80: '
            "i/o timeout")
    assert top_cause(decode_text(text)) != "imds-no-role"


@pytest.mark.parametrize("text", [
    "Datadog is not authorized to perform action sts:AssumeRole Account affected: 111122223333 Regions affected: "
    "every region",
    "Error: Datadog is not authorized to perform sts:AssumeRole",
])
def test_datadogs_assume_role_denial_is_the_roles_trust_policy(text: str) -> None:
    assert text_causes(text)[0] == ("role-trust-denied", Severity.ERROR)


@pytest.mark.parametrize("mangle", list(MANGLERS))
def test_aws_iam_authenticators_token_step_denied_is_its_assume_role(mangle: str) -> None:
    text = ("could not get token: AccessDenied: Access denied\n\tstatus code: 403, request id: "
            "171e9092-dcf4-11e8-a469-b5710cea842f\n")
    assert top_cause(decode_text(MANGLERS[mangle](text))) == "role-trust-denied"


def test_an_access_denied_of_another_token_is_still_a_permission() -> None:
    text = ("operation error S3: GetObject, https response error StatusCode: 403, RequestID: 8KJ2M4N6P8Q0R2S4, "
            "api error AccessDenied: Access Denied")
    assert top_cause(decode_text(text)) == "permission-missing"


def test_a_message_the_user_says_the_tool_did_not_print_is_not_read() -> None:
    text = ("The download fails with the error Unable to locate credentials.\n"
            "When I run aws s3 ls it doesn't give back The AWS Access Key Id you provided does not exist in our "
            "records. So I'm guessing this command can find the keys.")
    causes = ranked_causes(decode_text(text))
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    assert "access-key-invalid" not in [c for c, _ in causes]


def test_the_same_message_said_plainly_is_read() -> None:
    text = "When I run aws s3 ls it gives back The AWS Access Key Id you provided does not exist in our records."
    assert top_cause(decode_text(text)) == "access-key-invalid"


@pytest.mark.parametrize(("shown", "wrong"), [
    ("aws_access_key = AKIAEXAMPLEKEY123456\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_access_key"),
    ("aws_access_key_id = AKIAEXAMPLEKEY123456\naws_secret_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_key"),
    ("aws_access_key_id=AKIAEXAMPLEKEY123456\naws_secret_access_key_id=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key_id"),
])
def test_a_profile_with_a_key_the_sdks_do_not_read_is_profile_invalid(shown: str, wrong: str) -> None:
    text = ('aws s3 ls gives\nUnable to locate credentials. You can configure credentials by running "aws configure".'
            f"\n\n[default]\n{shown}\nregion = ap-southeast-2\n")
    report = decode_text(text)
    assert ranked_causes(report)[0] == ("profile-invalid", Severity.ERROR)
    shown_to_user = render_text(report, color=False, verbose=True)
    assert wrong in shown_to_user
    assert "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" not in shown_to_user


def test_a_profile_with_the_right_key_names_is_no_clue() -> None:
    text = ("Unable to locate credentials\n\n[default]\naws_access_key_id = AKIAEXAMPLEKEY123456\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    assert top_cause(decode_text(text)) == "no-credentials"


def test_a_temporary_key_signed_without_its_token_header_is_session_token_missing() -> None:
    text = BOTOCORE_DEBUG_REQUEST.format(key="ASIAEXAMPLEKEY123456", signed="host;x-amz-content-sha256;x-amz-date")
    assert ranked_causes(decode_text(text)) == [("session-token-missing", Severity.ERROR)]


@pytest.mark.parametrize(("key", "signed"), [
    ("ASIAEXAMPLEKEY123456", "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
    ("AKIAEXAMPLEKEY123456", "host;x-amz-content-sha256;x-amz-date"),
])
def test_a_signed_token_or_a_long_term_key_is_no_clue(key: str, signed: str) -> None:
    assert ranked_causes(decode_text(BOTOCORE_DEBUG_REQUEST.format(key=key, signed=signed))) == []


@pytest.mark.parametrize("name", ["aws_secret_access_key_id", "aws_sec_key", "AWS_SECRET_ACCESS_KEY"])
def test_a_secret_under_a_misspelt_or_tool_specific_name_is_never_shown(name: str) -> None:
    text = (f"Unable to locate credentials\n\n[default]\naws_access_key_id = AKIAEXAMPLEKEY123456\n"
            f"{name} = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    assert "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" not in render_text(decode_text(text), color=False, verbose=True)


CWAGENT_ECS_PROBE = (
    "2021/05/04 16:39:25 I! attempt to access ECS task metadata to determine whether I'm running in ECS.\n"
    "2021/05/04 16:39:26 W! retry [0/3], unable to get http response from http://169.254.170.2/v2/metadata, error: "
    "unable to get response from http://169.254.170.2/v2/metadata, error: Get \"http://169.254.170.2/v2/metadata\": "
    "context deadline exceeded (Client.Timeout exceeded while awaiting headers)\n")


def test_a_timeout_of_ecs_task_metadata_is_no_credential_or_endpoint_failure() -> None:
    # The CloudWatch agent asks task metadata only to learn whether it runs in ECS, and runs on without it.
    causes = [c for c, _ in text_causes(CWAGENT_ECS_PROBE)]
    assert "container-credentials-failed" not in causes
    assert "endpoint-unreachable" not in causes


def test_a_timeout_of_the_container_credentials_path_still_is_one() -> None:
    text = CWAGENT_ECS_PROBE.replace("/v2/metadata", "/v2/credentials/0a1b2c3d-4e5f-6789-abcd-ef0123456789")
    assert top_cause(decode_text(text)) == "container-credentials-failed"
