"""The verdict on AWS answers the fake cannot produce: real AWS wording for a wrong credential scope, a canonical
request that differs only in encoding, and an expired signature on a date we did sign."""

from __future__ import annotations

import json

from sigdoctor.context import Context
from sigdoctor.iam.calls import Frozen
from sigdoctor.livesign.judge import ACCEPTED, REJECTED, UNDECIDED, judge
from sigdoctor.livesign.request import Signed, build, sign
from sigdoctor.livesign.send import Answer
from sigdoctor.targets import parse_target

AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
CREDS = Frozen("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
WHEN = 1440938160.0  # 20150830T123600Z, the SigV4 suite's time


def _signed(service: str = "aps", region: str = "us-east-1") -> Signed:
    ctx = Context(env={})
    return sign(build(ctx, parse_target(AMP_URL)), CREDS, service=service, region=region, when=WHEN)


def _amp(status: int, error_type: str, message: str) -> Answer:
    return Answer(status=status, headers={"x-amzn-ErrorType": error_type},
                  body=json.dumps({"message": message}).encode())


def _mismatch(canonical: str, string_to_sign: str) -> Answer:
    return _amp(403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                f"The Canonical String for this request should have been\n'{canonical}'\n\n"
                f"The String-to-Sign should have been\n'{string_to_sign}'\n")


def test_identical_canonical_request_is_secret_key_mismatch() -> None:
    s = _signed()
    v = judge(parse_target(AMP_URL), s, _mismatch(s.canonical_request, s.result.string_to_sign))
    assert v.state == REJECTED
    assert [h.cause for h in v.hits] == ["secret-key-mismatch"]


def test_same_path_encoded_differently_is_canonicalization_mismatch() -> None:
    s = _signed()
    server = s.canonical_request.replace("/workspaces/ws-1/", "/workspaces/ws%252D1/", 1)
    v = judge(parse_target(AMP_URL), s, _mismatch(server, s.result.string_to_sign))
    assert [h.cause for h in v.hits] == ["canonicalization-mismatch"]
    assert v.differences[0]["component"] == "path"
    assert "- /workspaces/ws%252D1/api/v1/remote_write" in v.diff


def test_aws_wording_for_a_wrong_region_is_region_mismatch() -> None:
    # Signed for the endpoint's own region as far as we know, but AWS says the scope is wrong (e.g. the URL was
    # rewritten on the way): AWS's own words decide.
    s = _signed()
    v = judge(parse_target(AMP_URL), s, _amp(403, "InvalidSignatureException",
                                             "Credential should be scoped to a valid region. "))
    assert "region-mismatch" in [h.cause for h in v.hits]


def test_aws_wording_for_a_wrong_service_is_service_name_mismatch() -> None:
    s = _signed(service="aps-workspaces")
    v = judge(parse_target(AMP_URL), s, _amp(403, "InvalidSignatureException",
                                             "Credential should be scoped to correct service: 'aps'. "))
    assert [h.cause for h in v.hits] == ["service-name-mismatch"]
    assert v.hits[0].extra["expected_service"] == "aps"


def test_expired_signature_on_our_own_date_is_the_clock() -> None:
    s = _signed()
    v = judge(parse_target(AMP_URL), s, _amp(
        403, "InvalidSignatureException",
        "Signature expired: 20150830T123600Z is now earlier than 20150830T130100Z (20150830T131600Z - 15 min.)"))
    assert [h.cause for h in v.hits] == ["clock-skew"]


def test_errors_after_the_signature_check_mean_accepted() -> None:
    s = _signed()
    denied = _amp(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/a is not authorized to "
                                                "perform: aps:RemoteWrite on resource: ws-1")
    assert judge(parse_target(AMP_URL), s, denied).state == ACCEPTED
    missing = judge(parse_target(AMP_URL), s, _amp(404, "ResourceNotFoundException", "Workspace not found"))
    # Accepted, and still a failure: the server's own "not found" names the cause, whatever IAM simulation said.
    assert missing.state == ACCEPTED and [h.cause for h in missing.hits] == ["target-not-found"]


def test_credential_errors_are_left_to_the_identity_probe() -> None:
    s = _signed()
    v = judge(parse_target(AMP_URL), s, _amp(403, "UnrecognizedClientException",
                                             "The security token included in the request is invalid."))
    assert v.state == UNDECIDED and v.hits == []
    assert v.code == "UnrecognizedClientException"


def test_signing_time_comes_from_the_clock_we_are_given() -> None:
    assert _signed().result.string_to_sign.split("\n")[1] == "20150830T123600Z"
