"""A default chain that ends at instance metadata and gets "no role" there (a 404 for the role list): the instance has
no role (error, first), and — as for a chain end whose metadata request failed — the second reading is that the agent
was meant to use an earlier source it did not load (a key, a profile, web identity). The chain reports its last
source's answer either way (aws-sdk-php 3.x CredentialProvider::defaultProvider ends with instanceProfile;
aws-sdk-go-v2 config resolve_credentials.go ends with ec2rolecreds). Hosts and ids are made up; each text has the
shape its SDK prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

# aws-sdk-php 3.x src/Credentials/InstanceProfileProvider.php (Guzzle's ClientException for the role-list GET)
PHP_404 = ("[2024-01-02 03:04:05] production.ERROR: Error retrieving credentials from the instance profile metadata "
           "server. (Client error: `GET http://169.254.169.254/latest/meta-data/iam/security-credentials/` resulted "
           "in a `404 Not Found` response:\n<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n")
# aws-sdk-go-v2 credentials/ec2rolecreds: the role list answered 404, inside the signer's credential retrieval
GO2_404 = ("operation error S3: PutObject, failed to sign request: failed to retrieve credentials: failed to refresh "
           "cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error "
           "StatusCode: 404, request to EC2 IMDS failed")


@pytest.mark.parametrize("text", [PHP_404, GO2_404], ids=["php", "go-v2"])
def test_a_chain_end_with_no_role_keeps_the_not_loaded_source_reading_second(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("imds-no-role", Severity.ERROR)
    assert causes[1] == ("no-credentials", Severity.WARNING)


def test_a_role_lookup_outside_a_chain_message_has_no_chain_end_reading() -> None:
    # aws-sdk-go v1 ec2rolecreds alone (no chain wrapper printed): nothing says a chain ended there.
    text = ("EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make EC2Metadata "
            "request\n\tstatus code: 404, request id: ")
    causes = text_causes(text)
    assert causes[0] == ("imds-no-role", Severity.ERROR)
    assert "no-credentials" not in [c for c, _ in causes]


def test_a_named_profile_that_did_not_load_is_said_instead() -> None:
    # The profile the text names is the source the agent was meant to use: it is the reading, not a generic one.
    text = ("SharedCredsLoad: failed to load profile, prod.\nNoCredentialProviders: no valid providers in chain\n"
            "EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make EC2Metadata "
            "request\n\tstatus code: 404")
    causes = text_causes(text)
    assert causes[0] == ("profile-invalid", Severity.ERROR)
    assert "no-credentials" not in [c for c, _ in causes[:2]]
