"""STS error answers → the cause the evidence points to (pure: no network)."""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.sts import Evidence, classify
from sigdoctor.model import Status
from sigdoctor.sts.regions import is_global_sts, is_opt_in

INVALID = "The security token included in the request is invalid."
MISMATCH = "The request signature we calculated does not match the signature you provided."


def ev(code: str, message: str = "", **kw: object) -> Evidence:
    base: dict[str, object] = {"operation": "GetCallerIdentity", "region": "us-east-1",
                               "endpoint": "https://sts.us-east-1.amazonaws.com"}
    base.update(kw)
    return Evidence(code=code, message=message, **base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("evidence", "cause"),
    [
        (ev("InvalidClientTokenId", INVALID, access_key_id="AKIA…WXYZ"), "access-key-invalid"),
        (ev("UnrecognizedClientException", INVALID, access_key_id="AKIA…WXYZ"), "access-key-invalid"),
        (ev("InvalidClientTokenId", INVALID, access_key_id="ASIA…WXYZ"), "session-token-missing"),
        (ev("InvalidClientTokenId", INVALID, access_key_id="ASIA…WXYZ", has_token=True), "session-token-missing"),
        (ev("InvalidClientTokenId", INVALID, access_key_id="AKIA…WXYZ", has_token=True), "session-token-missing"),
        (ev("InvalidClientTokenId", INVALID, access_key_id="ASIA…WXYZ", has_token=True, region="af-south-1",
            endpoint="https://sts.af-south-1.amazonaws.com"), "sts-opt-in-region"),
        # Without a token an opt-in region proves nothing: the token is simply missing.
        (ev("InvalidClientTokenId", INVALID, access_key_id="ASIA…WXYZ", region="af-south-1"),
         "session-token-missing"),
        (ev("ExpiredToken", "The security token included in the request is expired"), "credentials-expired"),
        (ev("SignatureDoesNotMatch", MISMATCH, access_key_id="AKIA…WXYZ"), "secret-key-mismatch"),
        (ev("SignatureDoesNotMatch", MISMATCH, clock_offset_s=2.0), "secret-key-mismatch"),
        (ev("SignatureDoesNotMatch", "Signature expired: 20261127T040000Z is now earlier than 20261127T044500Z"),
         "clock-skew"),
        (ev("SignatureDoesNotMatch", "Signature not yet current: 20261127T060000Z is still later than …"),
         "clock-skew"),
        (ev("SignatureDoesNotMatch", MISMATCH, clock_offset_s=-1800.0), "clock-skew"),
        (ev("SignatureDoesNotMatch", "Credential should be scoped to a valid region. "), "region-mismatch"),
        (ev("AccessDenied", "not authorized to perform: sts:AssumeRole", operation="AssumeRole"),
         "role-trust-denied"),
        (ev("InvalidIdentityToken", "No OpenIDConnect provider found", operation="AssumeRoleWithWebIdentity"),
         "web-identity-rejected"),
        (ev("ExpiredTokenException", "Token expired", operation="AssumeRoleWithWebIdentity"),
         "web-identity-rejected"),
        (ev("AccessDenied", "not authorized", operation="AssumeRoleWithWebIdentity"), "role-trust-denied"),
        (ev("ValidationError", "1 validation error", operation="AssumeRole"), "role-arn-invalid"),
        (ev("Throttling", "Rate exceeded"), "sts-error"),
    ],
)
def test_error_to_cause(evidence: Evidence, cause: str) -> None:
    verdict = classify(evidence)
    assert verdict.name == cause, verdict.message
    assert verdict.status is Status.FAIL
    assert evidence.code in verdict.message


def test_role_asked_to_assume_itself_is_named() -> None:
    v = classify(ev("AccessDenied", "not authorized", operation="AssumeRole",
                    base_arn="arn:aws:sts::111122223333:assumed-role/amp-writer/i-0abc",
                    role_arn="arn:aws:iam::111122223333:role/amp-writer", role_assumes_itself="amp-writer"))
    assert "the agent already runs as role amp-writer; remove sigv4.role_arn or allow amp-writer to assume " \
           "itself in its trust policy" in v.message
    assert any("arn:aws:iam::111122223333:role/amp-writer" in f for f in v.fix)


def test_trust_denial_names_both_principals() -> None:
    v = classify(ev("AccessDenied", "not authorized", operation="AssumeRole",
                    base_arn="arn:aws:iam::111122223333:user/agent", role_arn="arn:aws:iam::111122223333:role/x"))
    assert "arn:aws:iam::111122223333:role/x" in v.message and "user/agent" in v.message


def test_not_an_aws_key_gets_a_hint() -> None:
    v = classify(ev("InvalidClientTokenId", INVALID, access_key_id="mini…0001"))
    assert v.name == "access-key-invalid" and any("AKIA/ASIA" in f for f in v.fix)


def test_regions_and_global_endpoint() -> None:
    assert is_opt_in("af-south-1") and is_opt_in("ap-east-1") and not is_opt_in("us-east-1")
    assert not is_opt_in(None)
    assert is_global_sts("https://sts.amazonaws.com") and is_global_sts("https://STS.amazonaws.com.:443/")
    assert not is_global_sts("https://sts.us-east-1.amazonaws.com") and not is_global_sts("http://127.0.0.1:5000")
