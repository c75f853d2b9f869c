"""When the text cannot decide, decode says so: the causes the error can mean, ranked, each with what would have
to be true and the command that settles it on the affected host."""

from __future__ import annotations

from tests.decode.conftest import decode_text, finding, top_cause


def test_an_invalid_token_without_key_or_hint_lists_what_each_cause_needs_and_how_to_settle_it() -> None:
    report = decode_text("InvalidClientTokenId: The security token included in the request is invalid.\n"
                         "\tstatus code: 403, request id: 4f1c2a9e-0b7d-4c1e-9a55-2d6f0e8b7c31\n")
    assert top_cause(report) == "access-key-invalid"
    f = finding(report, "access-key-invalid")
    ranked = f.evidence["candidates"]
    assert [c["cause"] for c in ranked] == ["access-key-invalid", "session-token-missing", "sts-opt-in-region"]
    assert all(c["needs"] and c["decide"].startswith("sigdoctor run") for c in ranked)
    assert any(line.startswith("Text alone cannot decide") and "sigdoctor run --only identity" in line
               for line in f.evidence["fix"])


def test_the_same_error_with_the_key_in_the_log_is_decided_and_lists_no_candidates() -> None:
    report = decode_text("Credential=ASIAZ3EXAMPLE7QWERTY/20261127/us-east-1/sts/aws4_request\n"
                         "InvalidClientTokenId: The security token included in the request is invalid.\n")
    assert top_cause(report) == "session-token-missing"
    assert "candidates" not in finding(report, "session-token-missing").evidence


def test_a_signature_mismatch_without_the_clients_side_ranks_its_three_readings() -> None:
    report = decode_text("SignatureDoesNotMatch: The request signature we calculated does not match the signature "
                         "you provided. Check your AWS Secret Access Key and signing method.\n")
    assert top_cause(report) == "secret-key-mismatch"
    ranked = finding(report, "secret-key-mismatch").evidence["candidates"]
    assert [c["cause"] for c in ranked] == ["secret-key-mismatch", "request-modified-after-signing",
                                            "canonicalization-mismatch"]
    # Behind an Envoy sidecar the same text ranks a changed request first.
    behind = decode_text("envoy sidecar in front of the app; the SDK logs:\nSignatureDoesNotMatch: The request "
                         "signature we calculated does not match the signature you provided.\n")
    assert top_cause(behind) == "request-modified-after-signing"
