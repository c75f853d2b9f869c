"""What decode shows from a record: never a secret's tail, never a live control character, and never silence about
an error deep inside a long record."""

from __future__ import annotations

import random
import string

from sigdoctor.render.json import render_json
from sigdoctor.render.markdown import render_markdown
from sigdoctor.render.text import render_text
from tests.decode.conftest import decode_text, findings, top_cause

MISMATCH = "The request signature we calculated does not match the signature you provided."


def _renders(report: object) -> list[str]:
    return [render_json(report), render_markdown(report), render_text(report, color=False, verbose=True)]  # type: ignore[arg-type]


def test_an_excerpt_that_starts_inside_a_session_token_shows_none_of_it() -> None:
    rng = random.Random(11)
    token = "IQoJb3JpZ2luX2Vj" + "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(600))
    # The excerpt starts 80 characters before the error: inside the token, past its `X-Amz-Security-Token:` name.
    text = (f'ts=2026-11-27T04:00:00Z level=error msg="request failed" req="POST /api/v1/remote_write '
            f'X-Amz-Security-Token: {token} x" err="SignatureDoesNotMatch: {MISMATCH}"\n')
    report = decode_text(text)
    # Signed with a session token: a wrong secret is the last reading (rules.py, temporary credentials).
    assert top_cause(report) == "request-modified-after-signing"
    tails = {token[i:i + 12] for i in range(0, len(token) - 12, 6)}
    for out in _renders(report):
        assert not [t for t in tails if t in out], "a piece of the session token was shown"


def test_escape_sequences_in_the_text_are_shown_not_sent_to_the_terminal() -> None:
    text = ('level=error msg="\\u001b[31mupload failed\\u001b[0m" err="SignatureDoesNotMatch: &#27;[2J'
            f'{MISMATCH}"\n')
    report = decode_text(text)
    assert top_cause(report) == "secret-key-mismatch"
    for out in _renders(report):
        assert "\x1b" not in out
    excerpt = next(f.evidence["excerpt"] for f in findings(report) if f.id == "decode.secret-key-mismatch")
    assert "\\u001b" in excerpt


def test_an_error_100_kb_into_one_record_is_found_and_the_cut_is_said() -> None:
    padding = "".join(f"    <Frame n=\"{i}\">{'x' * 700}</Frame>\n" for i in range(150))
    text = ('2026-11-27T04:00:00Z level=error msg="upload failed: HTTP 403 Forbidden" body=<Error>\n' + padding
            + f"    <Code>SignatureDoesNotMatch</Code>\n    <Message>{MISMATCH}</Message>\n</Error>\n")
    assert len(text) > 100_000
    report = decode_text(text)
    assert top_cause(report) == "secret-key-mismatch"
    summary = report.probes[0].findings[0]
    assert summary.evidence["records_cut"] == 1
    assert "read only around their first error" in summary.message
