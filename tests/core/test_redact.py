"""Redaction: registered secrets and secret-shaped strings never survive, in text or nested reports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigdoctor.model import Finding, ProbeResult, Status
from sigdoctor.redact import _ACCESS_KEY_RE, _ANCHORS, _ANY, _PATTERNS, Redactor, _may_match, mask_key_id

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYCANARYKEY1"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEcanaryTOKENxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=="
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL29pZGMiLCJzdWIiOiJzYSJ9.c2lnbmF0dXJlLWNhbmFyeS1zaWc"


def test_key_ids_show_first_and_last_four() -> None:
    assert mask_key_id("AKIAIOSFODNN7EXAMPLE") == "AKIA…MPLE"
    assert Redactor().text("key AKIAIOSFODNN7EXAMPLE used") == "key AKIA…MPLE used"


def test_registered_secret_is_removed_everywhere_even_with_whitespace() -> None:
    r = Redactor()
    r.add_secret(SECRET + "\n")
    assert SECRET not in r.text(f"secret={SECRET} and again {SECRET}")


def test_patterns_catch_secrets_we_never_registered() -> None:
    r = Redactor()
    pasted = (
        f"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/aps/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={'a1' * 32}\n"
        f"X-Amz-Security-Token: {TOKEN}\n"
        f"aws_secret_access_key = {SECRET}\n"
        f'{{"SecretAccessKey": "{SECRET}", "Token": "{TOKEN}"}}\n'
        f"token={JWT}\n"
        f"https://bucket.s3.amazonaws.com/k?X-Amz-Signature={'b2' * 32}&X-Amz-Security-Token={TOKEN}\n"
        f"<SignatureProvided>{'c3' * 32}</SignatureProvided>\n"
    )
    out = r.text(pasted)
    for secret in (SECRET, TOKEN, JWT, "a1" * 32, "b2" * 32, "c3" * 32, "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in out
    # What stays is what a support ticket needs.
    assert "Credential=AKIA…MPLE/20261127/us-east-1/aps/aws4_request" in out
    assert "SignedHeaders=host;x-amz-date" in out


def test_a_password_in_a_url_is_masked_and_the_rest_of_the_url_kept() -> None:
    r = Redactor()
    assert r.text("s3: s3://AKIAIOSFODNN7EXAMPLE:Hunter2pw%2Fx@us-east-1/loki") == \
        "s3: s3://AKIA…MPLE:‹redacted›@us-east-1/loki"
    assert r.text('"proxy": "http:\\/\\/bob:Hunter2pw@proxy:3128"') == '"proxy": "http:\\/\\/bob:‹redacted›@proxy:3128"'
    # No userinfo: a port, a path or a query holding '@' stays as it is.
    for plain in ("https://aps-workspaces.us-east-1.amazonaws.com:443/workspaces/ws-1", "http://[::1]:9000/a@b",
                  "http://host:8080/path?to=a@b", "mailto:someone@example.com"):
        assert r.text(plain) == plain


def test_nested_report_objects_are_redacted() -> None:
    r = Redactor()
    r.add_secret(SECRET)
    res = ProbeResult("credentials", "C", Status.FAIL, f"saw {SECRET}", 1,
                      (Finding("credentials.x", Status.FAIL, "m", {"list": [SECRET], "nested": {"k": SECRET}}),))
    out = r.obj(res)
    assert SECRET not in repr(out)
    assert out.findings[0].evidence["nested"]["k"] == "‹redacted›"


def test_enums_survive_redaction_so_exit_codes_stay_right() -> None:
    from sigdoctor.model import Confidence, Report, RootCause, Severity

    cause = RootCause("no-credentials", Severity.ERROR, Confidence.HIGH, "t", "s", (), (), "d")
    report = Report("run", "2026-11-27T00:00:00Z", 1, {}, (), (cause,))
    redacted = Redactor().obj(report)
    assert redacted.root_causes[0].severity is Severity.ERROR
    assert redacted.has_error


# Fragments that each pattern reacts to, mixed into random text: the one-search prefilter must never let a string
# through that any single pattern would have changed.
_SHAPES = ["Signature=" + "ab" * 10, "x-amz-signature=" + "0f" * 9, "<SignatureProvided>sig</SignatureProvided>",
           "X-Amz-Security-Token=tok&", "x-aws-ec2-metadata-token: abcdefgh", JWT, "SessionToken\": \"abcdefghij",
           "authorization:  Bearer abcdefghijkl", TOKEN, "AKIAIOSFODNN7EXAMPLE", "asia" + "X" * 16, "Token=",
           "Signature = ", "eyJ", "AWS4-HMAC-SHA256", "s3://key:abc@", "https:\\/\\/u:p@", "http://h:80/a@b",
           "://", ":", "@", "/", "\n", " ", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SHAPES), st.text(max_size=12)), max_size=8))
def test_prefilter_changes_nothing_any_pattern_would_change(parts: list[str]) -> None:
    s = "".join(parts)
    expected = s
    for pattern, repl in _PATTERNS:
        expected = pattern.sub(repl, expected)
    expected = _ACCESS_KEY_RE.sub(lambda m: mask_key_id(m.group(1)), expected)
    assert Redactor().text(s) == expected


# Long strings (a whole report written to stdout) are searched only near their anchor words: every quote form a key
# may start with (entities, URL-encoding, \\u0022, runs of backslashes), the longest key prefixes, and the characters
# ignore-case matching folds to ASCII letters, around and between much filler.
_LONG_SHAPES = [*_SHAPES, "\\u0022secret_key\\u0022: abcdefghij", "%22token%22%3Aabcdefghij",
                "&#0000034;x-aws-ec2-metadata-token&#34;=abcdefghij", "\\\\\\\"client_secret\\\": \\\"abcdefghij",
                "&quot;aws_container_authorization_token&quot;: abcdefghij", "Credential=ABCDEFGHIJKLMNOP/20260101",
                "credential%3DABCDEFGHIJKL&#00047;", "\u017fecret_key=abcdefghij", "to\u212aen=abcdefghij",
                "\u0130", "\u0131", "credentials", "\"token\"", "%3CSessionToken%3Eabc%3C%2FSessionToken%3E",
                "2token=abcdefghij", "\\u0022webidentitytoken\\u0022=abcdefghij", "%22awssessiontoken%22:abcdefghij",
                "x" * 300]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_LONG_SHAPES), st.text(max_size=40)), max_size=24))
def test_long_strings_are_judged_as_a_search_at_every_position_judges_them(parts: list[str]) -> None:
    s = "".join(parts)
    assert _may_match(s) == (any(a in s.lower() for a in _ANCHORS) and _ANY.search(s) is not None)


# Matches whose first anchor word is far into them (a quote form ending in an alphanumeric, then a key with a long
# prefix), or that show no anchor word once lowercased (ignore-case folds ſ and ı to s and i), in a long string
# whose only other anchor word matches nothing.
FAR_FROM_ANCHOR = ["\\u0022webidentitytoken\\u0022=abcdefghij", "\\u0022awssecuritytoken: abcdefghij",
                   "%22awssessiontoken%22=abcdefghij", "\u017fecret_key=abcdefghij", "author\u0131zation: Bearer abcdefghijk"]


@pytest.mark.parametrize("shape", FAR_FROM_ANCHOR)
def test_a_long_string_is_caught_however_far_its_match_starts_from_an_anchor_word(shape: str) -> None:
    s = "credentials " + "x" * 300 + " " + shape + " " + "y" * 300
    assert _ANY.search(s) is not None
    assert _may_match(s)
    assert "abcdefghij" not in Redactor().text(s)
