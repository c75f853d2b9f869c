"""Pass 11: which reading of a credential failure leads, from what the text shows around it — the host or runtime the
client runs on (a container or pod, AWS Lambda, an instance switched to IMDSv2), where its credentials file was put,
and who made the call AWS refused (kiam's server, an S3 HeadObject). Each text has the shape its SDK or tool prints
(the source of each wording is cited beside its reading: sigdoctor/awserrors/chain_end.py, denial_readings.py,
rules.py); hosts, ids, roles and paths are made up.
"""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, findings, text_causes, undecided_first

# aws-sdk-go-v2 config/resolve_credentials.go: the default chain's last source, ec2rolecreds, wraps any IMDS failure
# as "no EC2 IMDS role found"; the IMDS client's own deadline gives "canceled, context deadline exceeded".
GO2_IMDS_TIMEOUT = ("operation error S3: ListBuckets, get identity: get credentials: failed to refresh cached "
                    "credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, canceled, context "
                    "deadline exceeded")
# aws-sdk-go v1.55 aws/credentials/chain_provider.go (ErrNoValidProvidersFoundInChain), as goofys logs it.
GO1_CHAIN = ("main.ERROR Unable to access 'media-bucket': NoCredentialProviders: no valid providers in chain. "
             "Deprecated.\n\tFor verbose messaging see aws.Config.CredentialsChainVerboseErrors")
# aws-sdk-go v1.55 aws/session/shared_config.go (SharedConfigAssumeRoleError.Error)
GO1_SOURCE_PROFILE = ("panic: SharedConfigAssumeRoleError: failed to load assume role for "
                      "arn:aws:iam::111122223333:role/deploy, source profile has no shared credentials")
# aws-sdk-php 3.x src/WrappedHttpHandler.php: the service's JSON error, then the exception's file and line.
PHP_UNKNOWN_TOKEN = ('Aws\\DynamoDb\\Exception\\DynamoDbException: Error executing "GetItem" on '
                     '"https://dynamodb.eu-west-1.amazonaws.com"; AWS HTTP error: Client error: `POST '
                     'https://dynamodb.eu-west-1.amazonaws.com` resulted in a `400 Bad Request` response:\n'
                     '{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token '
                     'included in the request is invalid."}\n UnrecognizedClientException (client): The security token '
                     'included in the request is invalid. in ROOT/vendor/aws/aws-sdk-php/src/WrappedHttpHandler.php:195')


def _first(text: str) -> tuple[str, Severity]:
    return text_causes(text)[0]


# --- aws-sdk-go-v2's metadata timeout: the hop limit needs a container, a pod or the token's own timeout ----------

def test_a_go2_metadata_timeout_with_nothing_around_it_is_the_empty_chain() -> None:
    causes = text_causes(GO2_IMDS_TIMEOUT)
    assert causes[0] == ("no-credentials", Severity.ERROR)
    assert [c for c, _ in causes[1:3]] == ["imds-unreachable", "imds-hop-limit"]
    end = next(f for f in findings(decode_text(GO2_IMDS_TIMEOUT)) if f.id == "decode.no-credentials")
    assert "container" in end.message


def test_a_go2_metadata_timeout_in_a_pod_is_the_hop_limit() -> None:
    for where in ("$ kubectl logs deploy/uploader -n media", "The uploader runs in a docker container on the host."):
        assert _first(f"{where}\n{GO2_IMDS_TIMEOUT}") == ("imds-hop-limit", Severity.ERROR), where


def test_a_go2_metadata_timeout_on_the_token_request_is_the_hop_limit() -> None:
    text = GO2_IMDS_TIMEOUT.replace("GetMetadata, canceled", "GetMetadata, get token: operation error ec2imds: "
                                    "getToken, canceled")
    assert _first(text) == ("imds-hop-limit", Severity.ERROR)


# --- an empty chain after the instance began to require IMDSv2 ------------------------------------------------------

def test_an_empty_chain_after_the_switch_to_imdsv2_is_an_sdk_without_imdsv2() -> None:
    for said in ("We set HttpTokens to required on the instance last week.",
                 "Previously we used IMDSv1 without any issues; now the instances require IMDSv2."):
        causes = text_causes(f"{said}\n{GO1_CHAIN}")
        assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR), said
        assert "imds-hop-limit" in [c for c, _ in causes[1:3]], said
        assert "no-credentials" not in [c for c, _ in causes[:1]]


def test_the_switch_to_imdsv2_in_a_container_is_the_hop_limit() -> None:
    text = f"It runs in a docker container; since we enforced IMDSv2 the mount fails:\n{GO1_CHAIN}"
    causes = text_causes(text)
    assert causes[0] == ("imds-hop-limit", Severity.ERROR)
    assert "sdk-unsupported-credential-source" in [c for c, _ in causes[1:3]]


def test_the_sdks_own_fallback_to_imdsv1_is_no_switch_the_user_made() -> None:
    # aws-sdk-go v1.55 aws/ec2metadata/token_provider.go logs its own fallback: the SDK's words, not the instance's.
    text = f"failed to get session token, falling back to IMDSv1: 405 Method Not Allowed\n{GO1_CHAIN}"
    assert "sdk-unsupported-credential-source" not in [c for c, s in text_causes(text) if s is Severity.ERROR]


# --- AWS Lambda: the credentials are always a temporary key with its token ----------------------------------------

def test_an_unknown_token_in_lambda_code_is_the_session_token_left_out() -> None:
    causes = text_causes(PHP_UNKNOWN_TOKEN.replace("ROOT", "/var/task"))
    assert causes[0] == ("session-token-missing", Severity.ERROR)
    assert "access-key-invalid" in [c for c, _ in causes[1:3]]


def test_the_same_answer_off_lambda_keeps_the_unknown_key_first() -> None:
    assert undecided_first(PHP_UNKNOWN_TOKEN.replace("ROOT", "/srv/app")) == "access-key-invalid"


# --- the shared credentials file where the SDK never looks ------------------------------------------------------------

def test_credentials_mounted_at_no_users_home_are_never_found() -> None:
    text = f"$ docker run --rm -it -v ~/.aws:/home/.aws acme/logtail --profile dev\nError {GO1_CHAIN}"
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    end = next(f for f in findings(decode_text(text)) if f.id == "decode.no-credentials")
    assert "/home/.aws" in end.message and "never read" in end.message


def test_a_source_profile_without_keys_under_an_unread_file_variable_is_the_file_never_found() -> None:
    text = (f"With AWS_CONFIG_FILE=/home/.aws/config and AWS_CREDENTIALS_PROFILES_FILE=/home/.aws/credentials:\n"
            f"NoCredentialProviders: no valid providers in chain. Deprecated.\n{GO1_SOURCE_PROFILE}")
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    assert "profile-invalid" in [c for c, _ in causes[1:3]]


def test_credentials_mounted_at_roots_home_keep_the_profile_reading() -> None:
    text = f"$ docker run --rm -v ~/.aws:/root/.aws:ro acme/logtail\nNoCredentialProviders\n{GO1_SOURCE_PROFILE}"
    assert _first(text) == ("profile-invalid", Severity.ERROR)


# --- kiam's server assuming the pod's role ------------------------------------------------------------------------

# uswitch/kiam v4.2 pkg/server/server.go (logrus JSON, keys sorted) and pkg/aws/metadata/handler_credentials.go
KIAM_SERVER = ('{"level":"error","msg":"error retrieving credentials: AccessDenied: Access denied\\n\\tstatus code: '
               '403, request id: 0a1b2c3d-1111-2222-3333-444455556666","pod.iam.requestedRole":"reports-reader",'
               '"pod.iam.role":"reports-reader","pod.name":"reports-7d9f","pod.namespace":"default",'
               '"time":"2026-12-06T10:00:00Z"}')
KIAM_AGENT = ('{"addr":"10.1.2.3:40000","level":"error","method":"GET","msg":"error processing request: error fetching '
              'credentials: rpc error: code = Unknown desc = AccessDenied: Access denied\\n\\tstatus code: 403, '
              'request id: 0a1b2c3d-1111-2222-3333-444455556666","path":"/latest/meta-data/iam/security-credentials/'
              'reports-reader","status":500,"time":"2026-12-06T10:00:00Z"}')


def test_kiams_refused_assume_role_is_the_pod_roles_trust_policy() -> None:
    for text in (KIAM_SERVER, KIAM_AGENT):
        causes = text_causes(text)
        assert causes[0] == ("role-trust-denied", Severity.ERROR), text[:60]
        assert causes[1] == ("permission-missing", Severity.WARNING), text[:60]
        first = next(f for f in findings(decode_text(text)) if f.id == "decode.role-trust-denied")
        assert "reports-reader" in first.message and "kiam" in first.message


def test_the_same_denial_without_kiams_fields_stays_a_missing_permission() -> None:
    text = "AccessDenied: Access denied\n\tstatus code: 403, request id: 0a1b2c3d-1111-2222-3333-444455556666"
    assert _first(text)[0] == "permission-missing"


# --- S3's bodiless 403 to a HeadObject ------------------------------------------------------------------------------

def test_a_forbidden_head_object_reads_first_as_a_key_that_is_not_there() -> None:
    text = "botocore.exceptions.ClientError: An error occurred (403) when calling the HeadObject operation: Forbidden"
    causes = text_causes(text)
    assert [c for c, _ in causes[:2]] == ["target-not-found", "permission-missing"]
    assert all(s is Severity.WARNING for _, s in causes)


def test_a_forbidden_head_bucket_keeps_the_permission_first() -> None:
    text = "botocore.exceptions.ClientError: An error occurred (403) when calling the HeadBucket operation: Forbidden"
    assert text_causes(text)[0] == ("permission-missing", Severity.WARNING)
