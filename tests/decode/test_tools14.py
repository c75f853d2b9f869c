"""Pass 14's third-party tool messages (checks/errors/tools14.toml): what AWS.jl, amazonka, ex_aws, cognitect's
aws-api, DuckDB's aws extension and httpfs, arrow-rs object_store, s3cmd, rclone, minio-go, the SSM Agent and
Terraform's AWS provider print when their credential chain or a source fails, and AWS answers held nowhere else as
written (S3's unsigned x-amz-* headers, Cognito Identity's expired login token, IAM Identity Center's bare
session-token refusal). Each is built from the tool's own format string with the wrapper it is printed in, and read
as the cause it names; the same line inside a log too large to be read as a paste is found by the prefilter."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

E, W = Severity.ERROR, Severity.WARNING

AWS_JL = """\
ERROR: LoadError: NoCredentials("Can't find AWS credentials!")
Stacktrace:
 [1] AWSCredentials(; profile::Nothing, throw_cred_error::Bool)
   @ AWS ~/.julia/packages/AWS/x/src/AWSCredentials.jl:120
"""
AMAZONKA = "my-tool: CredentialChainExhausted\nCallStack (from HasCallStack):\n  error, called at app/Main.hs:31:5\n"
COGNITECT = ('{:cognitect.anomalies/category :cognitect.anomalies/fault, :cognitect.anomalies/message '
             '"Unable to fetch credentials. See log for more details."}')
DUCKDB_CHAIN = ("duckdb.duckdb.InvalidConfigurationException: Invalid Configuration Error: Secret Validation Failure: "
                "during `create` using the following:\nCredential Chain: 'config'\n")

CASES = [
    # Chain ends: no source gave keys; the text cannot say which one should have.
    (AWS_JL, "no-credentials", W),
    (AMAZONKA, "no-credentials", W),
    (COGNITECT, "no-credentials", W),
    (DUCKDB_CHAIN, "no-credentials", W),
    # A source the message names.
    ('my-tool: MissingEnvError "Unable to read access key from AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY)"',
     "no-credentials", E),
    ('my-tool: InvalidIAMError "Unable to get default IAM Profile from EC2 metadata"', "imds-no-role", E),
    ("** (RuntimeError) Instance Meta Error: {:error, %HTTPoison.Error{id: nil, reason: :timeout}}\n\n"
     "You tried to access the AWS EC2 instance meta, but it could not be reached.\n"
     "This happens most often when trying to access it from your local computer,\n"
     "which happens when environment variables are not set correctly prompting\n"
     "ExAws to fallback to the Instance Meta.\n", "no-credentials", E),
    ("** (RuntimeError) Instance Meta Error: HTTP response status code 404\n\nPlease check AWS EC2 IAM role.\n",
     "imds-no-role", E),
    ('** (RuntimeError) Received error while retrieving security credentials: "SSO role credentials request '
     'responded with 401: %{}"', "profile-invalid", E),
    ("2026-12-07 10:00:00,123 ERROR cognitect.aws.credentials - Error fetching credentials from aws profiles file\n"
     "java.lang.IllegalArgumentException: malformed profile line", "profile-invalid", E),
    ("duckdb.duckdb.InvalidConfigurationException: Invalid Configuration Error: Secret Validation Failure: no "
     "profile 'dev' found in config file /home/app/.aws/config", "profile-invalid", E),
    ("duckdb.duckdb.HTTPException: HTTP Error: HTTP GET error on 'https://bucket.s3.amazonaws.com/t.parquet' "
     "(HTTP 403)\n\nAuthentication Failure - this is usually caused by invalid or missing credentials.\n"
     "* No credentials are provided.\n* See https://duckdb.org/docs/stable/extensions/httpfs/s3api.html",
     "no-credentials", E),
    ("OSError: Generic S3 error: Error after 10 retries in 6.2s, max_retries:10, retry_timeout:180s, source:error "
     "sending request for url (http://169.254.169.254/latest/api/token)", "imds-unreachable", E),
    ("ERROR: Parameter problem: AWS_ACCESS_KEY environment variable is used but AWS_SECRET_KEY variable is missing",
     "env-credentials-incomplete", E),
    ("WARNING: Couldn't find AWS Profile 'prod' in the credentials file '/home/app/.aws/credentials'",
     "profile-invalid", E),
    ('2026/12/07 10:00:00 CRITICAL: Failed to create file system for "s3:bucket": secret_access_key not found',
     "env-credentials-incomplete", E),
    ("2026-12-07 10:00:00 ERROR [CredentialRefresher] Retrieve credentials produced error: no valid credentials "
     "could be retrieved for ec2 identity. Default Host Management Err: error calling "
     "RequestManagedInstanceRoleToken: AccessDeniedException: Systems Manager's instance management role is not "
     "configured for account: 123456789012\n\tstatus code: 400, request id: 6e7f8a9b-0c1d-2e3f-4a5b-6c7d8e9f0a1b",
     "imds-no-role", E),
    ("mc: <ERROR> Unable to list buckets. profile has partial static credentials: aws_access_key_id and "
     "aws_secret_access_key must both be set", "profile-invalid", E),
    ('mc: <ERROR> Unable to list buckets. reading cached SSO token "/home/app/.aws/sso/cache/0a1b2c.json" (try '
     "`aws sso login`): open /home/app/.aws/sso/cache/0a1b2c.json: no such file or directory", "profile-invalid", E),
    # AWS's answers.
    ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>There were headers present '
     "in the request which were not signed</Message><HeadersNotSigned>x-amz-server-side-encryption"
     "</HeadersNotSigned><RequestId>EXAMPLE0REQUEST0</RequestId><HostId>EXAMPLEhostid=</HostId></Error>",
     "request-modified-after-signing", E),
    ("NotAuthorizedException: Invalid login token. Token expired: 1765101600 >= 1765098000\n"
     "    at de_NotAuthorizedExceptionRes (node_modules/@aws-sdk/client-cognito-identity/dist-cjs/index.js:1:1)",
     "web-identity-rejected", E),
    ("Error when retrieving credentials from sso: Session token not found or invalid", "profile-invalid", E),
    # Terraform's summary of a failed AssumeRoleWithWebIdentity: three readings, none decided.
    ("Error: Cannot assume IAM Role with web identity\n\nIAM Role (arn:aws:iam::123456789012:role/deploy) cannot "
     "be assumed with web identity token.", "web-identity-rejected", W),
]


@pytest.mark.parametrize(("text", "cause", "severity"), CASES, ids=range(len(CASES)))
def test_a_tool_credential_message_names_its_cause(text: str, cause: str, severity: Severity) -> None:
    assert text_causes(text)[:1] == [(cause, severity)]


@pytest.mark.parametrize("text", [AWS_JL, AMAZONKA, COGNITECT, DUCKDB_CHAIN])
def test_a_tool_chain_end_cannot_decide_which_source_was_meant(text: str) -> None:
    assert undecided_first(text) == "no-credentials"


def test_a_tool_chain_that_leaves_out_common_sources_names_that_next() -> None:
    # cognitect's aws-api reads no web identity, SSO, credential_process or assume-role profile.
    assert [c for c, _ in text_causes(COGNITECT)][:2] == ["no-credentials", "sdk-unsupported-credential-source"]


def test_a_skipped_source_of_the_aws_api_chain_is_no_error_of_its_own() -> None:
    # Its DEBUG line for each source tried before one answers.
    causes = text_causes("DEBUG cognitect.aws.credentials - Unable to fetch credentials from environment variables.")
    assert causes and all(severity == W for _, severity in causes)


HEALTHY = b"".join(b'ts=2026-12-07T10:00:%02dZ level=info caller=worker.go:88 msg="processed batch" size=4096\n'
                   % (i % 60) for i in range(4000))  # ~350 KB: above decode's paste size, read through the prefilter


@pytest.mark.parametrize(("text", "cause", "severity"), CASES, ids=range(len(CASES)))
def test_a_tool_credential_message_in_a_large_log_reads_as_it_does_alone(text: str, cause: str,
                                                                        severity: Severity) -> None:
    assert text_causes(HEALTHY + text.encode() + b"\n" + HEALTHY)[:1] == [(cause, severity)]
