"""The readings of a message that cannot decide by itself, in the order its causes were found behind it over the
corpus (tests/corpus batches 1-6; the counts are in checks/errors/*.toml beside each entry), and the region a log
names right before an invalid-token answer. Keys, hosts and ids are made up; each text has the shape its client
prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, text_causes, top_cause, undecided_first

GO_INVALID_TOKEN = ("InvalidClientTokenId: The security token included in the request is invalid\n\tstatus code: 403, "
                    "request id: e40e1a01-d32f-4a82-b56f-48930b2abe93")
BOTO_UNRECOGNIZED = ("An error occurred (UnrecognizedClientException) when calling the DescribeConfigurationRecorders "
                     "operation: The security token included in the request is invalid")
S3_ACCESS_DENIED = ("An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied")
JAVA_DENIED_ACTION = (
    "com.amazonaws.services.cloudwatch.model.AmazonCloudWatchException: User: arn:aws:sts::111122223333:assumed-role/"
    "nodes.example/i-0abc123def4567890 is not authorized to perform: cloudwatch:ListMetrics (Service: AmazonCloudWatch; "
    "Status Code: 403; Error Code: AccessDenied; Request ID: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b)")
REGION_BY_REGION = (
    "done region eu-west-3\n"
    "Deployed site to eu-west-3 under https://sites-euwest3.s3.eu-west-3.amazonaws.com/sites/index.html\n"
    "start region {region}\n"
    "InvalidClientTokenId: The security token included in the request is invalid.\n"
    "    at throwDefaultError (/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)\n"
    "    at de_GetCallerIdentityCommandError (/app/node_modules/@aws-sdk/client-sts/dist-cjs/index.js:1123:21)\n")


@pytest.mark.parametrize("text", [GO_INVALID_TOKEN, BOTO_UNRECOGNIZED])
def test_a_bare_invalid_token_offers_the_opt_in_region_before_expired_credentials(text: str) -> None:
    # InvalidClientTokenId with no clue: an unknown key, a key without its session token, a global-endpoint token in
    # an opt-in region (7 corpus texts), and only then expired copied credentials (2).
    assert [c for c, _ in text_causes(text)][:4] == [
        "access-key-invalid", "session-token-missing", "sts-opt-in-region", "credentials-expired"]


def test_an_unknown_access_key_id_keeps_its_own_three_readings() -> None:
    # S3's InvalidAccessKeyId names the key id itself: no regional token reading there.
    text = ("<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our "
            "records.</Message><RequestId>8KJ2M4N6P8Q0R2S4</RequestId></Error>")
    assert [c for c, _ in text_causes(text)][:3] == ["access-key-invalid", "session-token-missing",
                                                      "credentials-expired"]


def test_a_bare_access_denied_ranks_an_identity_the_sdk_fell_back_to_before_an_explicit_deny() -> None:
    causes = text_causes(S3_ACCESS_DENIED)
    assert causes[0] == ("permission-missing", Severity.WARNING)
    assert undecided_first(S3_ACCESS_DENIED) == "permission-missing"
    names = [c for c, _ in causes]
    assert names[1:3] == ["sdk-unsupported-credential-source", "role-trust-denied"]
    assert names.index("explicit-deny") > names.index("no-credentials")


def test_a_denial_that_names_its_action_still_reads_permission_missing_first() -> None:
    causes = text_causes(JAVA_DENIED_ACTION)
    assert causes[0] == ("permission-missing", Severity.ERROR)
    assert causes[1][0] == "sdk-unsupported-credential-source"


def test_an_explicit_deny_in_the_text_stays_first() -> None:
    text = ("AccessDenied: User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:GetBucketAcl on "
            "resource: arn:aws:s3:::logs with an explicit deny in a resource-based policy")
    assert top_cause(decode_text(text)) == "explicit-deny"


@pytest.mark.parametrize("region", ["eu-south-1", "me-south-1", "ap-east-1", "af-south-1", "ap-east-2", "ap-southeast-6"])
def test_an_opt_in_region_the_log_names_right_before_the_invalid_token_decides(region: str) -> None:
    causes = ranked_causes(decode_text(REGION_BY_REGION.format(region=region)))
    assert causes[0] == ("sts-opt-in-region", Severity.ERROR)


def test_a_region_that_needs_no_opt_in_right_before_the_invalid_token_decides_nothing() -> None:
    causes = ranked_causes(decode_text(REGION_BY_REGION.format(region="eu-central-1")))
    assert causes[0] == ("access-key-invalid", Severity.WARNING)
    assert undecided_first(REGION_BY_REGION.format(region="eu-central-1")) == "access-key-invalid"


def test_an_opt_in_region_far_above_the_error_does_not_decide() -> None:
    # A region named many lines before (another step's) says nothing about the call that failed.
    text = ("start region ap-east-1\n" + "step finished without error, continuing with the next one\n" * 6
            + "Deployed site to eu-west-3 under https://sites-euwest3.s3.eu-west-3.amazonaws.com/index.html\n"
            + GO_INVALID_TOKEN)
    assert top_cause(decode_text(text)) == "access-key-invalid"


@pytest.mark.parametrize("text", [
    "CredentialsProviderError: The SSO session associated with this profile has expired. To refresh this SSO session "
    "run aws sso login with the corresponding profile.",
    "botocore.exceptions.UnauthorizedSSOTokenError: The SSO session associated with this profile has expired or is "
    "otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
    "2022-09-23 10:48:11.3119 info    stderr : Error loading SSO Token: The SSO access token has either expired or is "
    "otherwise invalid.",
])
def test_an_expired_sso_login_reads_as_the_profile_that_gives_nothing(text: str) -> None:
    # checks/causes/profile-invalid.toml names "an expired SSO session" (fixed by `aws sso login`); corpus batches 1-6:
    # profile-invalid 5, sdk-unsupported-credential-source 1, credentials-expired 0 of the texts these entries read.
    assert text_causes(text)[0] == ("profile-invalid", Severity.ERROR)
