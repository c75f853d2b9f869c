"""Pass 10: a record that holds a client-side missing-region message keeps its other readings of the client's own
credential sources, as warnings (the refused call refutes only readings of an answer to it). Texts are made up in
the SDKs' words (aws-sdk-go v1.55 aws/credentials/chain_provider.go "NoCredentialProviders: no valid providers in
chain"; aws/session "MissingRegion: could not find region configuration")."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, text_causes

CHAIN_AND_REGION = ('time="2024-01-01T00:00:00Z" level=error msg="could not list buckets" err="NoCredentialProviders: '
                    'no valid providers in chain. Deprecated.\n\tFor verbose messaging see '
                    'aws.Config.CredentialsChainVerboseErrors" region="" hint="MissingRegion: could not find region '
                    'configuration"')
# aws-sdk-go-v2: the web identity provider's STS call refused by the client for want of a region — no STS answer
WEB_IDENTITY_NO_REGION = ("operation error STS: AssumeRoleWithWebIdentity, failed to resolve service endpoint, "
                          "endpoint rule error, Invalid Configuration: Missing Region")


def test_an_empty_chain_beside_a_missing_region_in_one_record_is_still_read() -> None:
    # As a warning behind the missing region, which may be why the chain came up empty (a source's STS call).
    causes = text_causes(CHAIN_AND_REGION)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert not any(s is Severity.ERROR for _, s in causes)
    report = decode_text(CHAIN_AND_REGION)
    assert any("no region" in f.message for f in report.probes[0].findings)


def test_a_call_refused_for_want_of_a_region_still_has_no_reading_of_an_answer() -> None:
    causes = ranked_causes(decode_text(WEB_IDENTITY_NO_REGION))
    assert not any(s is Severity.ERROR for _, s in causes)
    assert "web-identity-rejected" not in [c for c, _ in causes]
    assert "role-trust-denied" not in [c for c, _ in causes]
