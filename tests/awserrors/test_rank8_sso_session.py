"""A profile "configured to use SSO" missing exactly sso_region and sso_start_url: the two keys the sso-session
format moves out of the profile into its [sso-session] section, so the likeliest reading is an SDK from before
sso-session support reading a valid profile; an incomplete profile stays the second reading, and any other list of
missing keys is only the malformed profile. Profile names are made up; each text has the shape its tool prints."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

TERRAFORM = ('│ Error: configuring Terraform AWS Provider: loading configuration: profile "dev-admin" is configured to '
             'use SSO but is missing required configuration: sso_region, sso_start_url\n│\n│   with provider['
             '"registry.terraform.io/hashicorp/aws"],')
# the AWS CLI v1 / botocore message as the CLI prints it (the exception's text alone)
BOTOCORE = ('$ aws s3 ls --profile dev-admin\n\nThe profile "dev-admin" is configured to use SSO but is missing '
            'required configuration: sso_start_url, sso_region')
ESCAPED = ('{"level":"error","msg":"profile \\"dev-admin\\" is configured to use SSO but is missing required '
           'configuration: sso_region, sso_start_url"}')


@pytest.mark.parametrize("text", [TERRAFORM, BOTOCORE, ESCAPED])
def test_the_sso_session_keys_missing_read_as_an_sdk_too_old_then_an_incomplete_profile(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR)
    assert causes[1] == ("profile-invalid", Severity.WARNING)


def test_other_missing_sso_keys_are_a_malformed_profile_only() -> None:
    text = ('Error: profile "dev-admin" is configured to use SSO but is missing required configuration: '
            'sso_account_id, sso_role_name')
    causes = text_causes(text)
    assert causes[0] == ("profile-invalid", Severity.ERROR)
    assert "sdk-unsupported-credential-source" not in [c for c, _ in causes]
