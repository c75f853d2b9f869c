"""When the text cannot decide, the other readings of the error are ranked root causes, each with how to settle it."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import candidates, decode_text, undecided_first


def _causes(text: str) -> list[tuple[str, Severity]]:
    return [(c.id, c.severity) for c in decode_text(text).root_causes]


def test_invalid_security_token_ranks_the_other_readings_as_warnings() -> None:
    text = ("CloudWatchException - type: UnrecognizedClientException, message: The security token "
            "included in the request is invalid.\n")
    assert undecided_first(text) == "access-key-invalid"
    causes = _causes(text)
    assert ("session-token-missing", Severity.WARNING) in causes[:3]


def test_a_candidate_says_how_to_settle_it() -> None:
    report = decode_text("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: "
                         "The security token included in the request is invalid.\n")
    (token,) = [f for f in candidates(report) if f.id == "decode.session-token-missing"]
    assert token.evidence["candidate_of"] == "access-key-invalid"
    assert any("sigdoctor run" in fix for fix in token.evidence["fix"])


def test_bare_signature_mismatch_keeps_the_secret_key_first_and_lists_canonicalization() -> None:
    text = ("SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method.\n")
    assert undecided_first(text) == "secret-key-mismatch"
    causes = _causes(text)
    ids = [c for c, _ in causes]
    assert "request-modified-after-signing" in ids and "canonicalization-mismatch" in ids



def test_dotnet_instance_metadata_failure_is_an_empty_chain() -> None:
    text = ("AmazonServiceException: Unable to get IAM security credentials from EC2 Instance Metadata "
            "Service.\n   at Amazon.Runtime.DefaultInstanceProfileAWSCredentials.FetchCredentials()\n")
    assert undecided_first(text) == "no-credentials"
    causes = _causes(text)
    assert {"imds-unreachable", "imds-hop-limit"} <= {c for c, _ in causes[:3]}


def test_empty_chain_candidates_follow_the_surrounding_lines() -> None:
    bare = "err=\"NoCredentialProviders: no valid providers in chain. Deprecated.\"\n"
    proxy = _causes("level=info msg=\"using HTTPS_PROXY=http://10.0.0.5:3128\"\n" + bare)
    container = _causes("GET http://169.254.170.2/v2/credentials/abc timed out\n" + bare)
    assert proxy[1][0] == "proxy-misconfigured"
    assert container[0] == ("container-credentials-failed", Severity.ERROR)


def test_an_expired_sso_login_is_an_sso_profile_that_gives_nothing_with_its_alternatives() -> None:
    # The catalog's profile-invalid covers "an expired SSO session" (fixed by `aws sso login`); credentials-expired is
    # copied session keys.
    causes = _causes("aws: error: Error loading SSO Token: Token for my-sso does not exist\n")
    assert causes[0] == ("profile-invalid", Severity.ERROR)
    assert "sdk-unsupported-credential-source" in [c for c, _ in causes[:3]]
