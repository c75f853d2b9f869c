"""What `decode` makes of an SDK naming the credential source that failed, and how (checks/errors/
credential-sources.toml, and the empty-chain wordings of checks/errors/credential-chain.toml): instance metadata's
status answers (EC2 user guide, "Instance metadata query errors"), an empty role list, a refresh that came back
empty, the JavaScript v3 SDK's instance-metadata errors, EKS Pod Identity refusing a role, and the empty-chain
messages of the Rust SDK, the CDK, the Ruby SDK and Packer.

Each text has the shape its SDK prints (the source file each wording comes from is cited in the table); hosts,
ids and account numbers are made up. The more specific source outranks the chain's generic "no credentials".
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes, top_cause
from tests.decode.test_wrappers import MANGLERS

_POD_IDENTITY_REFUSED = ("aws: [ERROR]: Error when retrieving credentials from container-role: Error retrieving "
                         "metadata: Received non 200 response 400 from container metadata: [0f3c6a1e-1111-2222-3333-"
                         "444455556666]: (AccessDeniedException): Unauthorized Exception! EKS does not have "
                         "permissions to assume the associated role., fault: client")

SOURCES = [
    ("go2-empty-role-list", 'ts=2026-12-06T10:00:00Z level=error msg="sigv4 signing failed" err="failed to retrieve '
                            'credentials: failed to refresh cached credentials, unexpected empty EC2 IMDS role list"',
     "imds-no-role"),
    ("go1-imds-404", "2026/12/06 10:00:00 E! cloudwatch: EC2RoleRequestError: no EC2 instance role found\ncaused by: "
                     "EC2MetadataError: failed to make EC2Metadata request\n\tstatus code: 404, request id: ",
     "imds-no-role"),
    ("go2-imds-404", "operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS "
                     "failed", "imds-no-role"),
    ("java1-imds-404", "com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the "
                       "chain: [EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from "
                       "environment variables (AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or "
                       "AWS_SECRET_ACCESS_KEY)), com.amazonaws.auth.InstanceProfileCredentialsProvider@1b2c3d4e: The "
                       "requested metadata is not found at http://169.254.169.254/latest/meta-data/iam/security-"
                       "credentials/]", "imds-no-role"),
    ("go1-imds-401", "EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make "
                     "EC2Metadata request\n\tstatus code: 401, request id: ", "imds-hop-limit"),
    ("go1-imds-403", "caused by: EC2MetadataError: failed to make EC2Metadata request\n\tstatus code: 403, request "
                     "id: ", "imds-unreachable"),
    ("go1-imds-403-wrapped", "EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to "
                             "make EC2Metadata request\n\tstatus code: 403, request id: ", "imds-unreachable"),
    ("otel-region-from-imds", '2026-12-06T10:00:00.000Z\terror\tawsutil/conn.go:123\tUnable to retrieve the region '
                              'from the EC2 instance\t{"kind": "exporter", "name": "awsxray", "error": "EC2MetadataRequest'
                              'Error: failed to get EC2 instance identity document"}', "imds-unreachable"),
    ("csi-driver-imds", 'I1206 10:00:00.000000       1 metadata.go:75] "ec2 metadata is not available"\nI1206 10:00:00.'
                        '000100       1 metadata.go:83] "retrieving instance data from kubernetes api"', "imds-hop-limit"),
    ("go1-tool-off-ec2", "2026/12/06 10:00:00 EC2 Metadata is not available, are you running on EC2?",
     "imds-unreachable"),
    ("go1-profile-without-keys", "NoCredentialProviders: no valid providers in chain\ncaused by: EnvAccessKeyNotFound: "
                                 "failed to find credentials in the environment.\nSharedCredsAccessKey: shared "
                                 "credentials agent-role in /home/agent/.aws/credentials did not contain "
                                 "aws_access_key_id", "sdk-unsupported-credential-source"),
    ("go1-profile-without-secret", "NoCredentialProviders: no valid providers in chain\ncaused by: SharedCredsSecret: "
                                   "shared credentials default in /home/agent/.aws/credentials did not contain "
                                   "aws_secret_access_key", "profile-invalid"),
    ("fluent-bit-imds-hop-limit", "[2026/12/06 10:00:00] [ warn] [imds] failed to retrieve IMDSv2 token and IMDSv1 "
                                  "unavailable. This is likely due to instance-metadata-options --http-put-response-"
                                  "hop-limit being set to 1 and --http-tokens set to required.\n[2026/12/06 10:00:00] "
                                  "[ warn] [imds] unable to evaluate IMDS version", "imds-hop-limit"),
    ("fluent-bit-imds-none", "[2026/12/06 10:00:00] [ warn] [imds] unable to evaluate IMDS version\n[2026/12/06 "
                             "10:00:00] [error] [signv4] Provider returned no credentials, service=logs",
     "imds-unreachable"),
    ("java1-no-profile", "com.amazonaws.SdkClientException: No AWS profile named 'telemetry'", "profile-invalid"),
    ("java2-profile-without-credentials", "software.amazon.awssdk.core.exception.SdkClientException: Profile file "
                                          "contained no credentials for profile 'telemetry': ProfileFile(sections=[])",
     "profile-invalid"),
    ("js3-profile-not-found", "CredentialsProviderError: Profile telemetry could not be found or parsed in shared "
                              "credentials file.", "profile-invalid"),
    ("js3-profile-unresolved", "CredentialsProviderError: Could not resolve credentials using profile: [telemetry] in "
                               "configuration/credentials file(s).", "profile-invalid"),
    ("ruby-no-such-profile", "Aws::Errors::NoSuchProfileError: Profile `telemetry' not found in /home/agent/.aws/"
                             "credentials", "profile-invalid"),
    ("dotnet-no-profile", "Amazon.Runtime.AmazonClientException: Unable to find the 'telemetry' profile in "
                          "CredentialProfileStoreChain.", "profile-invalid"),
    ("php-no-credentials-file", "PHP Fatal error:  Uncaught Aws\\Exception\\CredentialsException: Cannot read "
                                "credentials from /var/www/.aws/credentials", "profile-invalid"),
    ("botocore-iam-role-refresh", "botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials "
                                  "from iam-role: Credential refresh failed, response did not contain: access_key, "
                                  "secret_key, token, expiry_time", "imds-unreachable"),
    ("js3-imds-connect", "ProviderError: Unable to connect to instance metadata service\n    at ClientRequest."
                         "<anonymous> (/app/node_modules/@smithy/credential-provider-imds/dist-cjs/index.js:93:25)",
     "imds-unreachable"),
    ("go2-eks-pod-identity-trust", "failed to refresh cached credentials, failed to load credentials, Unauthorized "
                                   "Exception! EKS does not have permissions to assume the associated role., fault: "
                                   "client", "role-trust-denied"),
    ("sso-oidc-invalid-grant", "botocore.errorfactory.InvalidGrantException: An error occurred (InvalidGrantException) "
                               "when calling the CreateToken operation: ", "profile-invalid"),
    ("java2-sso-oidc-invalid-grant", "software.amazon.awssdk.services.ssooidc.model.InvalidGrantException: null (Service: "
                                     "SsoOidc, Status Code: 400, Request ID: 0b1c2d3e-1111-2222-3333-444455556666)",
     "profile-invalid"),
    ("js3-sso-token-expired", "TokenProviderError: Token is expired. To refresh this SSO session run 'aws sso login' "
                              "with the corresponding profile.", "profile-invalid"),
    ("js3-sso-token-missing", "CredentialsProviderError: The SSO session token associated with profile=telemetry was "
                              "not found or is invalid. To refresh this SSO session run 'aws sso login' with the "
                              "corresponding profile.", "profile-invalid"),
    ("go2-sso-refresh-in-chain", "failed to refresh cached credentials, refresh cached SSO token failed, unable to "
                                 "refresh SSO token, operation error SSO OIDC: CreateToken, https response error "
                                 "StatusCode: 400, RequestID: 0b1c2d3e-1111-2222-3333-444455556666, "
                                 "InvalidGrantException: ", "profile-invalid"),
    # The empty chain in other runtimes' words.
    ("js3-imds-timeout-stack", "Error: TimeoutError\n    at ClientRequest.<anonymous> (/srv/api/node_modules/@aws-sdk/"
                               "credential-provider-imds/dist/cjs/remoteProvider/httpRequest.js:17:20)\n    at "
                               "ClientRequest.emit (node:events:379:20)", "no-credentials"),
    ("js3-imds-timeout", "ProviderError: TimeoutError from instance metadata service\n    at ClientRequest.<anonymous> "
                         "(/srv/api/node_modules/@smithy/credential-provider-imds/dist-cjs/index.js:98:20)",
     "no-credentials"),
    ("rust-property-bag", '2026-12-06T10:00:00.000000Z ERROR sink{component_id=cw}: vector::sinks::util::retries: '
                          'Non-retriable error; dropping the request. error=failed to construct request: No '
                          'credentials in the property bag', "no-credentials"),
    ("cdk-standard-locations", "Stack HelloStack does not define an environment, and AWS credentials could not be "
                               "obtained from standard locations or no region was configured.", "no-credentials"),
    ("ruby-class-cut", "/srv/gems/aws-sdk-core-2.2.4/lib/aws-sdk-core/plugins/request_signer.rb:101:in "
                       "`require_credentials': unable to sign request without credentials set (Aws::Errors::M",
     "no-credentials"),
    ("packer-half-pair", "Error: Failed to prepare build: \"amazon-ebs\"\n\n1 error(s) occurred:\n\n* `access_key` and "
                         "`secret_key` must both be either set or not set.", "env-credentials-incomplete"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), SOURCES, ids=[c[0] for c in SOURCES])
def test_each_named_source_gives_its_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer



def test_an_imds_404_names_the_missing_role_and_offers_another_cloud_s_metadata_server() -> None:
    causes = text_causes("operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS "
                     "failed")
    assert causes[0] == ("imds-no-role", Severity.ERROR)
    assert ("imds-unreachable", Severity.WARNING) in causes


def test_a_go_role_lookup_answered_with_another_status_than_404_is_no_missing_role() -> None:
    # aws-sdk-go-v2 says "no EC2 IMDS role found" for any failure of the role list; a 503 is IMDS throttling.
    text = ("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
            "exceeded maximum number of attempts, 3, http response error StatusCode: 503, request to EC2 IMDS failed")
    causes = text_causes(text)
    assert causes[0][0] != "imds-no-role"
    assert ("imds-no-role", Severity.ERROR) not in causes


def test_a_404_for_another_metadata_path_is_no_missing_role() -> None:
    text = ("com.amazonaws.SdkClientException: The requested metadata is not found at http://169.254.169.254/latest/"
            "user-data/")
    assert "imds-no-role" not in [c for c, _ in text_causes(text)]


def test_a_refused_token_request_alone_does_not_say_imds_is_off() -> None:
    # IMDS refuses a token PUT that carries X-Forwarded-For (a proxy) and the SDK falls back to IMDSv1, which may
    # answer: only the metadata request's own 403 says IMDS is turned off.
    text = ("SDK 2026/12/06 10:00:00 WARN falling back to IMDSv1: operation error ec2imds: getToken, http response "
            "error StatusCode: 403, request to EC2 IMDS failed")
    assert "imds-unreachable" not in [c for c, _ in text_causes(text)[:1]]


def test_the_javascript_imds_timeout_is_the_empty_chain_with_instance_metadata_ranked_next() -> None:
    causes = [c for c, _ in text_causes(SOURCES[[c[0] for c in SOURCES].index("js3-imds-timeout-stack")][1])]
    assert causes[0] == "no-credentials"
    assert "imds-unreachable" in causes[1:3]


def test_a_pod_identity_refusal_relayed_by_the_container_endpoint_names_the_trust_policy_not_a_permission() -> None:
    # The container provider got an answer (so container-credentials-failed stands too); its AccessDeniedException
    # is EKS refusing the role, not the caller lacking an action.
    causes = text_causes(_POD_IDENTITY_REFUSED)
    assert ("role-trust-denied", Severity.ERROR) in causes[:2]
    assert "permission-missing" not in [c for c, _ in causes[:2]]


# Every text, phrase-only messages and Go v1 chains too: a paste is searched for the table's shapes however they
# are spaced or wrapped, and a chain stays one record (tests/decode/test_reading.py).
MANGLED = SOURCES


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MANGLED), st.lists(st.sampled_from(sorted(MANGLERS)), min_size=1, max_size=3))
# A draw that split the record: boxed twice, then a word wrap that starts a line with smithy's `StatusCode: 404`.
@example(next(s for s in MANGLED if s[0] == "go2-imds-404"), ["box", "box", "wrap"])
# A random draw that read another cause: a wrapped, Markdown-quoted chain shown in a web page has `&gt; ` before each
# line, its only entity, which was not unescaped, so `no EC2 instance` / `role found` stayed apart.
@example(next(s for s in MANGLED if s[0] == "go1-imds-404"), ["wrap", "markdown-quote", "html"])
# Quoted, then wrapped at words into two lines of one width by chance: a wrap at a space, not a terminal's cut.
@example(next(s for s in MANGLED if s[0] == "go2-eks-pod-identity-trust"), ["markdown-quote", "wrap"])
# One line in a box, nothing found by shape: the paste is read from its line of text, not from the box's top edge.
@example(next(s for s in MANGLED if s[0] == "csi-driver-imds"), ["wrap", "escape-again", "box"])
# Wrapped so that `caused by:` ends a line, then boxed twice: the line ends in two right borders, and the chain's
# next line still continues it (a random draw of sessions 11 and 12 that read imds-no-role).
@example(next(s for s in MANGLED if s[0] == "go1-imds-403-wrapped"), ["wrap", "box", "box"])
# Wrapped, boxed, wrapped again: the wrapper's record keeps a bare "caused by:" and the failure under it (the 403) went
# to the next record, which decides (a random draw of session 15 that read imds-no-role).
@example(next(s for s in MANGLED if s[0] == "go1-imds-403-wrapped"), ["wrap", "box", "wrap"])
@example(next(s for s in MANGLED if s[0] == "go1-imds-403-wrapped"), ["wrap", "escape-again", "wrap"])
def test_mangled_source_text_keeps_its_top_cause(case: tuple[str, str, str], mangles: list[str]) -> None:
    printer, text, cause = case
    for name in mangles:
        text = MANGLERS[name](text)
    assert top_cause(decode_text(text)) == cause, (printer, mangles, text[:400])


def test_an_empty_chain_under_a_profile_the_user_named_ranks_that_profile_next() -> None:
    message = "Need to perform AWS calls for account 111122223333, but no credentials have been configured"
    named = [c for c, _ in text_causes(f"$ npx cdk deploy --profile staging\n{message}")]
    assert named[:2] == ["no-credentials", "profile-invalid"]
    assert "profile-invalid" not in [c for c, _ in text_causes(message)][:3]


def test_a_tool_that_finds_no_keys_under_a_role_or_process_profile_offers_the_incomplete_profile_too() -> None:
    text = SOURCES[[c[0] for c in SOURCES].index("go1-profile-without-keys")][1]
    assert [c for c, _ in text_causes(text)][:2] == ["sdk-unsupported-credential-source", "profile-invalid"]


def test_an_empty_chain_beside_a_credential_process_setting_offers_an_sdk_that_does_not_run_it() -> None:
    text = ('Without key_id and secret_key it fails with "Aws::Errors::MissingCredentialsError error="unable to sign '
            'request without credentials set" although process_credentials is configured')
    assert "sdk-unsupported-credential-source" in [c for c, _ in text_causes(text)][:3]


def test_an_oauth_library_s_own_invalid_grant_is_no_aws_sso_expiry() -> None:
    text = ("org.springframework.security.oauth2.common.exceptions.InvalidGrantException: Invalid refresh token: "
            "0b1c2d3e")
    assert "credentials-expired" not in [c for c, _ in text_causes(text)]


def test_the_implicit_default_profile_missing_is_the_empty_chain_not_a_wrong_profile() -> None:
    # Java 2's chain lists every provider; its profile provider finding no [default] only says there is no file.
    chain = ("software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of the "
             "providers in the chain AwsCredentialsProviderChain(credentialsProviders=[EnvironmentVariableCredentials"
             "Provider(), ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), "
             "InstanceProfileCredentialsProvider()]) : [EnvironmentVariableCredentialsProvider(): Unable to load "
             "credentials from system settings., ProfileCredentialsProvider(profileName=default, profileFile="
             "ProfileFile(sections=[])): Profile file contained no credentials for profile 'default': ProfileFile("
             "sections=[]), InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]")
    assert top_cause(decode_text(chain)) == "no-credentials"
    js = "CredentialsProviderError: Profile default could not be found or parsed in shared credentials file."
    assert top_cause(decode_text(js)) == "no-credentials"
