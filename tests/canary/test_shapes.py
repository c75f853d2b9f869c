"""The redactor against the shapes a secret takes in real logs: every escaping, every casing, learned values,
short dummy secrets, control characters — and the sinks (stdout/stderr wrappers, log records) that use it."""

from __future__ import annotations

import html
import io
import json
import logging
import re
import urllib.parse

import pytest

from sigdoctor.logs import RedactingFormatter
from sigdoctor.output import RedactingStream
from sigdoctor.redact import Redactor, visible

CANARY = "CnRySeCrEt9x/kq+ZpWm7Lr2Tb0Ua8Vc1Ye3Nd4Gh5J"  # no well-known prefix: only structure can catch it
TOKEN = "CnRyT0k3n" + "Ab+/" * 40


def _forms(value: str) -> list[str]:
    quoted = urllib.parse.quote(value, safe="")
    return [value, quoted, re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted),
            json.dumps(value)[1:-1], html.escape(value)]


@pytest.mark.parametrize("template", [
    "<SecretAccessKey>{v}</SecretAccessKey>",
    "&lt;SecretAccessKey&gt;{v}&lt;/SecretAccessKey&gt;",
    "%3CSessionToken%3E{v}%3C%2FSessionToken%3E",
    '{{"SecretAccessKey": "{v}"}}',
    '{{\\"SessionToken\\":\\"{v}\\"}}',
    "{{&quot;Token&quot;: &quot;{v}&quot;}}",
    "%22SecretAccessKey%22%3A%22{v}%22",
    "aws_secret_access_key = {v}",
    "AWS_SESSION_TOKEN={v}",
    "'X-Amz-Security-Token': b'{v}'",
    "x-amz-security-token: {v}",
    "X-AMZ-SECURITY-TOKEN={v}&X-Amz-Date=20261127T000000Z",
    "Authorization: Bearer {v}",
    "{{'Authorization': b'{v}'}}",
])
def test_structural_shapes_mask_values_never_seen_before(template: str) -> None:
    out = Redactor().text(template.format(v=CANARY))
    for form in _forms(CANARY):
        assert form not in out, out
    assert "redacted" in out


@pytest.mark.parametrize("text", [
    "Signature=" + "ab12" * 16, "signature%3D" + "ab12" * 16, "X-Amz-Signature=" + "ab12" * 16,
    "botocore.auth DEBUG Signature:\n" + "ab12" * 16, '{"signature": "' + "ab12" * 16 + '"}',
    "&quot;Signature&quot;:&quot;" + "ab12" * 16 + "&quot;",
])
def test_signatures_in_any_form(text: str) -> None:
    assert "ab12" * 16 not in Redactor().text(text)


def test_credential_scope_keeps_everything_but_the_key_id() -> None:
    out = Redactor().text("Credential=CNRYKEYID0123456789/20261127/us-east-1/aps/aws4_request")
    assert out == "Credential=CNRY…6789/20261127/us-east-1/aps/aws4_request"


def test_a_value_learned_from_a_response_body_is_masked_in_every_later_form() -> None:
    r = Redactor()
    r.learn(f"Response body: b'<Credentials><SecretAccessKey>{CANARY}</SecretAccessKey>'")
    for form in _forms(CANARY):
        assert form not in r.text(f"later: {form} appears bare"), form


def test_registered_secrets_are_masked_in_every_escaping() -> None:
    r = Redactor()
    r.add_secret(TOKEN)
    for form in _forms(TOKEN):
        assert form not in r.text(f"x {form} y")


def test_short_dummy_secrets_are_not_replaced_inside_words() -> None:
    r = Redactor()
    r.add_secret("test")
    assert r.text("testing the tester: test") == "testing the tester: ‹redacted›"


def test_control_characters_become_visible() -> None:
    hostile = "ok\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil\r\nnext\tcol"
    shown = visible(hostile)
    assert all(c not in shown for c in "\x1b\x07\x9b\u202e\r")
    assert shown == "ok\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eevil\\x0d\nnext\tcol"


def test_sign_keeps_its_own_signature_but_masks_any_other() -> None:
    r = Redactor()
    mine, other = "cd34" * 16, "ef56" * 16
    r.allow(mine)
    out = r.text(f"Signature={mine}\nSignature={other}")
    assert mine in out and other not in out


def test_stream_sink_redacts_every_write_and_defuses_osc() -> None:
    raw = io.BytesIO()
    inner = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    r = Redactor()
    r.add_secret(TOKEN)
    s = RedactingStream(inner, r)
    print(f"token {TOKEN} \x1b]52;c;Y2xpcA==\x07 \x1b[1mbold\x1b[0m", file=s)
    s.buffer.write(f"bytes {TOKEN}\n".encode())
    out = raw.getvalue().decode()
    assert TOKEN not in out and "\x1b]" not in out and "\x07" not in out
    assert "\x1b[1mbold\x1b[0m" in out  # our own colours pass


def test_log_sink_learns_before_it_writes() -> None:
    r = Redactor()
    f = RedactingFormatter(r)
    body = f'{{"AccessKeyId": "CNRYKEYID01234567890", "SecretAccessKey": "{CANARY}", "Token": "{TOKEN}"}}'
    rec = logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1, "Response body:\n%s", (body,), None)
    line = f.format(rec)
    assert CANARY not in line and TOKEN not in line
    assert CANARY not in r.text(f"later the key shows up alone: {CANARY}")


def test_huge_values_are_cut_for_display_after_redaction() -> None:
    r = Redactor()
    huge = "a" * 900_000 + f" SecretAccessKey={CANARY}"
    shown = r.display(huge)
    assert len(shown) < 20_000 and "more characters" in shown
    assert CANARY not in r.display(f"x <SessionToken>{TOKEN}</SessionToken>" + "b" * 50_000)
