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
