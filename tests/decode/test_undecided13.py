"""An error only where the text decides (issue 11): a reading the text cannot decide is the first of ranked warnings
that says so and names the command that decides — in the same order as before — and decode then exits 0."""

from __future__ import annotations

import contextlib
from pathlib import Path

from sigdoctor.awserrors.parse import extract
from sigdoctor.awserrors.rules import classify
from sigdoctor.causes import diagnose, load_rules
from sigdoctor.cli import main
from sigdoctor.model import Finding, ProbeResult, Severity, Status
from tests.decode.conftest import decode_text, findings

# API Gateway's (and AMP's) answer to an unsigned request and to a path it does not have alike.
MISSING_TOKEN = 'remote_write: server returned HTTP status 403 Forbidden: {"message":"Missing Authentication Token"}\n'
# S3's request id and host id (AWS's documented examples): the answer is AWS's, not an S3-compatible server's.
S3_IDS = ("<RequestId>4442587FB7D0A2F9</RequestId><HostId>vlR7PnXY4m7CJyBcRkHtaqTA2qFMvcbEL9ZsLBzjKVlmi7SZC6oAcaFDzso"
          "mBSSsQUaUefS7TLM=</HostId>")
BARE_SIGNATURE = ("An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request "
                  "signature we calculated does not match the signature you provided. Check your key and signing "
                  "method.\n")
BARE_DENIAL = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\n"
NAMED_DENIAL = ("An error occurred (AccessDeniedException) when calling the PutLogEvents operation: User: "
                "arn:aws:sts::123456789012:assumed-role/agent/i-0abc is not authorized to perform: logs:PutLogEvents "
                "on resource: arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x\n")


def _causes(text: str) -> list[tuple[str, Severity]]:
    return [(c.id, c.severity) for c in decode_text(text).root_causes]


def _exit(text: str, tmp_path: object) -> int:
    from bench.corpus import _Capture  # stdout the CLI may close

    f = Path(str(tmp_path)) / "paste.txt"
    f.write_text(text)
    with contextlib.redirect_stdout(_Capture()), contextlib.redirect_stderr(_Capture()):
        return main(["decode", "--format", "json", str(f)])


def test_missing_authentication_token_is_undecided_between_unsigned_and_a_wrong_path(tmp_path: object) -> None:
    causes = _causes(MISSING_TOKEN)
    assert causes[:3] == [("request-not-signed", Severity.WARNING), ("target-not-found", Severity.WARNING),
                          ("no-credentials", Severity.WARNING)]
    (first,) = [f for f in findings(decode_text(MISSING_TOKEN)) if f.id == "decode.request-not-signed"]
    assert first.message.startswith("The text cannot decide")
    assert _exit(MISSING_TOKEN, tmp_path) == 0


def test_an_authorization_header_that_is_not_sigv4_stays_an_error() -> None:
    # AWS's own words that it read another scheme's header decide: the request carried no SigV4 signature.
    causes = _causes("IncompleteSignatureException: Authorization header requires 'Credential' parameter. "
                     "Authorization header requires 'Signature' parameter.\n")
    assert causes[0] == ("request-not-signed", Severity.ERROR)


def test_bare_signature_mismatch_names_three_ranked_warnings_and_exits_0(tmp_path: object) -> None:
    causes = _causes(BARE_SIGNATURE)
    assert causes[:3] == [("secret-key-mismatch", Severity.WARNING), ("canonicalization-mismatch", Severity.WARNING),
                          ("request-modified-after-signing", Severity.WARNING)]
    (first,) = [f for f in findings(decode_text(BARE_SIGNATURE)) if f.id == "decode.secret-key-mismatch"]
    assert "The text cannot decide" in first.message
    assert any("--client FILE" in fix or "--only signature" in fix for fix in first.evidence["fix"])
    assert _exit(BARE_SIGNATURE, tmp_path) == 0


def test_signature_mismatch_with_a_header_aws_received_twice_stays_an_error() -> None:
    # AWS's own canonical request shows the change (the same host twice): that decides.
    text = ("<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the "
            "signature you provided. Check your key and signing method.</Message><CanonicalRequest>GET\n/\n\n"
            "host:examplebucket.s3.amazonaws.com, examplebucket.s3.amazonaws.com\nx-amz-date:20240101T000000Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</CanonicalRequest>"
            f"{S3_IDS}</Error>\n")
    assert _causes(text)[0] == ("request-modified-after-signing", Severity.ERROR)


def test_bare_access_denied_is_undecided_but_a_named_action_is_an_error(tmp_path: object) -> None:
    bare = _causes(BARE_DENIAL)
    assert bare[0] == ("permission-missing", Severity.WARNING)
    assert all(s is Severity.WARNING for _, s in bare)
    assert "explicit-deny" in [c for c, _ in bare]
    assert _exit(BARE_DENIAL, tmp_path) == 0
    assert _causes(NAMED_DENIAL)[0] == ("permission-missing", Severity.ERROR)
    assert _exit(NAMED_DENIAL, tmp_path) == 1


def test_unknown_key_without_the_key_id_is_undecided_with_it_an_error() -> None:
    bare = _causes("An error occurred (InvalidAccessKeyId) when calling the ListObjectsV2 operation: The AWS Access "
                   "Key Id you provided does not exist in our records.\n")
    assert bare[0] == ("access-key-invalid", Severity.WARNING)
    assert ("session-token-missing", Severity.WARNING) in bare[:3]
    shown = _causes("<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist "
                    "in our records.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"
                    f"{S3_IDS}</Error>\n")
    assert shown[0] == ("access-key-invalid", Severity.ERROR)


def test_a_bare_empty_chain_is_undecided() -> None:
    causes = _causes("err=\"NoCredentialProviders: no valid providers in chain. Deprecated.\"\n")
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert all(s is Severity.WARNING for _, s in causes)


def test_an_undecided_reading_keeps_the_place_its_error_had() -> None:
    # A bodiless 403 line (undecided before) above the SignatureDoesNotMatch it belongs to: the signature reading
    # still ranks first, as when it was an error.
    causes = _causes("boto.exception.S3ResponseError: S3ResponseError: 403 Forbidden\n<?xml version=\"1.0\" "
                     "encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
                     "calculated does not match the signature you provided. Check your key and signing method.\n")
    assert causes[0] == ("secret-key-mismatch", Severity.WARNING)


def test_ranking_an_undecided_warning_like_the_error_it_was() -> None:
    rules = load_rules()
    undecided = Finding("decode.secret-key-mismatch", Status.WARN, "cannot decide", {"undecided": "why"})
    other = Finding("decode.permission-missing", Status.WARN, "candidate", {})
    causes = diagnose([ProbeResult("decode", "decode", Status.WARN, "", 0, findings=(other, undecided))], rules)
    assert [(c.id, c.severity) for c in causes][:2] == [("secret-key-mismatch", Severity.WARNING),
                                                        ("permission-missing", Severity.WARNING)]


def test_a_live_probe_keeps_its_error() -> None:
    # The signature probe signed the request itself (livesign/judge.py): its readings are decided there.
    assert classify(extract(MISSING_TOKEN, 1, 1), live=True).hits[0].status is Status.FAIL
    assert classify(extract(MISSING_TOKEN, 1, 1)).hits[0].status is Status.WARN
    assert classify(extract(BARE_SIGNATURE, 1, 1), live=True).hits[0].status is Status.FAIL
    assert classify(extract(BARE_SIGNATURE, 1, 1)).hits[0].status is Status.WARN


def test_a_bare_denial_line_above_awss_message_naming_the_action_stays_an_error(tmp_path: object) -> None:
    # Java SDKs print the exception's name on a line of its own, AWS's message naming the action under it: the two
    # records are not grouped as one bare denial — the second decides.
    text = ("AccessDeniedException\nUser: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to "
            "perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Music because no "
            "identity-based policy allows the dynamodb:Query action\n")
    assert _causes(text)[0] == ("permission-missing", Severity.ERROR)
    assert not any("The text cannot decide" in f.message for f in findings(decode_text(text))
                   if f.id == "decode.permission-missing")
    assert _exit(text, tmp_path) == 1
