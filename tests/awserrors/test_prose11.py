"""What a pasted thread's own sentences say caused it (checks/errors/prose11.toml, awserrors/prose_readings.py).

The sentences are in the words people use in issue threads for each mechanism; none is a corpus text. A negation of
the mechanism, an SDK's own log wording that merely names it, fenced code and a program's log lines are not read.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.prose_readings import MAX_TEXT, ProseDataError, load, prose, prose_hits, read, sentences
from sigdoctor.awserrors.table import cause_ids
from sigdoctor.decode.probe import CAUSES
from sigdoctor.model import Status
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed
from tests.decode.test_wrappers import mangle


def causes_read(text: str) -> list[str]:
    return [s.entry.cause for s in read(text)]


STATED = [
    ("clock slow", "Our build agent's clock was 7 minutes behind, so every upload came back 403.", "clock-skew"),
    ("clock drift, next sentence", "The VM had no time daemon and the clock drifted.\nUploads then failed.",
     "clock-skew"),
    ("ntp not running", "Turns out ntpd was not running on the worker nodes.", "clock-skew"),
    ("chrony stopped, 403 after", "chronyd had stopped on the host. That is why S3 answered 403 Forbidden.",
     "clock-skew"),
    ("no_proxy", "Our HTTPS_PROXY is set and NO_PROXY does not list 169.254.169.254, so the SDK cannot get the "
                 "instance role's credentials.", "proxy-misconfigured"),
    ("hop limit", "The hop limit is 1, which does not work from a docker container.", "imds-hop-limit"),
    ("imds in container", "IMDS times out only from inside the container; on the host it answers.", "imds-hop-limit"),
    ("token left out", "The app was configured without the session token, so every call failed.",
     "session-token-missing"),
    ("sso copied", "I copied the SSO credentials into the env file and got an invalid security token error.",
     "session-token-missing"),
    ("nacl", "The subnet's NACL blocked the return traffic from the S3 gateway endpoint.", "endpoint-unreachable"),
    ("pod identity unsupported", "The agent only supports IRSA; EKS Pod Identity is not supported yet.",
     "sdk-unsupported-credential-source"),
    ("roles anywhere", "With IAM Roles Anywhere I am unable to use the exporter.", "sdk-unsupported-credential-source"),
    ("token file", "The pod cannot read the file AWS_WEB_IDENTITY_TOKEN_FILE points to.",
     "web-identity-token-unreadable"),
    ("global sts", "It calls sts.amazonaws.com instead of the regional endpoint, and the nodes have no internet.",
     "sts-global-endpoint"),
    ("opt-in region", "Deploys to the opt-in region me-south-1 fail with an invalid security token.",
     "sts-opt-in-region"),
    ("deny statement", "A bucket policy had an explicit Deny for every principal outside the VPC, hence the 403.",
     "explicit-deny"),
    ("wrong region", "The bucket is in another region than the one the client signs for, so S3 answers 400.",
     "region-mismatch"),
    ("sso expired", "The SSO session had expired, and every call failed until I logged in again.",
     "credentials-expired"),
    ("not refreshed", "The exporter never refreshes its credentials, so it stops working after an hour.",
     "credentials-expired"),
    ("secret typo", "The secret access key had a trailing newline from the copy, which broke the signature.",
     "secret-key-mismatch"),
    ("env over irsa", "AWS_ACCESS_KEY_ID in the deployment takes precedence over IRSA, so the pod signs as a user.",
     "env-shadows-role"),
    ("no instance role", "There was no IAM role attached to the instance, so the agent found no credentials.",
     "imds-no-role"),
    ("trust policy", "The role's trust policy did not include the OIDC provider of the new cluster.",
     "role-trust-denied"),
    ("zscaler", "Zscaler intercepts the TLS connection and the CLI rejects its certificate.", "tls-intercepted"),
    ("header after signing", "A middleware adds the tenant header after the request was signed.",
     "request-modified-after-signing"),
]


@pytest.mark.parametrize(("text", "cause"), [(t, c) for _, t, c in STATED], ids=[n for n, _, _ in STATED])
def test_a_stated_mechanism_is_read_as_its_cause(text: str, cause: str) -> None:
    assert cause in causes_read(text)


NOT_STATED = [
    ("not a clock issue", "It is not a clock issue: we still get 403 Forbidden from S3."),
    ("the clock is fine", "The clock is fine and we still get SignatureDoesNotMatch."),
    ("ntp is synced", "NTP is synced on every node, yet the signature check fails."),
    ("checked the time", "I checked that the system time is in sync; the 403 stays."),
    ("no clock skew", "There is no clock skew, but uploads fail with 403."),
    ("ruled out", "We ruled out the proxy: NO_PROXY includes 169.254.169.254 and IMDS still fails."),
    ("not the hop limit", "The hop limit is not the problem here, the container runs with host networking."),
    ("ecs container metadata", "Could not reach the container metadata endpoint from inside the container."),
    # aws-sdk-cpp prints these on any 403 and on a response without a Date header: no one's statement of a clock.
    ("cpp time skew", "If the signature check failed. This could be because of a time skew. Attempting to adjust "
                      "the signer."),
    ("cpp date header", "Date header was not found in the response, can't attempt to detect clock skew"),
    ("curl --noproxy", "curl --max-time 1 --noproxy 169.254.169.254 http://169.254.169.254/ failed"),
    ("words apart", "The clock was changed last week.\n\nSeparately, uploads fail with 403."),
    ("not expired", "The credentials have not expired yet, but the calls fail with 403."),
    ("web identity token expired", "An error occurred (ExpiredTokenException) when calling the "
                                   "AssumeRoleWithWebIdentity operation: Token expired: current date/time 1 must be "
                                   "before the expiration date/time 0"),
    # AWS's own message is the error table's to read.
    ("aws region message", "The authorization header is malformed; the region is wrong; expecting 'eu-west-1'"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_STATED], ids=[n for n, _ in NOT_STATED])
def test_a_negated_or_unstated_mechanism_is_not_read(text: str) -> None:
    assert causes_read(text) == []


def test_a_log_line_opens_a_unit_of_its_own() -> None:
    # A person's sentence is not joined to the log line under it, nor read together with it.
    text = "We changed the clock settings yesterday\n2026-12-07T10:00:00Z ERROR upload failed: 403 Forbidden\n"
    assert [s.unit for s in sentences(text)] == [0, 1]
    assert causes_read(text) == []


@pytest.mark.parametrize("how", [
    (["json-log"], None, []), (["escape-twice", "html"], 70, ["box", "crlf"]), (["wrap"], 61, ["markdown-quote"]),
    (["drop-quotes", "double-spaces"], None, ["terraform-margin", "typographic-quotes"]), (["json-in-json"], 90, [])])
def test_a_pasted_sentence_is_read_through_escapes_frames_and_a_terminal_cut(
        how: tuple[list[str], int | None, list[str]]) -> None:
    text = ("Situation: the nodes have no internet access.\n\nIt connects to sts.amazonaws.com, the global endpoint "
            "rather than the regional endpoint, so the call times out.\n")
    assert causes_read(mangle(text, how)) == ["sts-global-endpoint"]


def test_hard_wrapped_lines_join_into_one_sentence_and_quote_margins_go() -> None:
    text = "> The servers had no ntpd running, which let their\n> clock drift by minutes.\n"
    ss = sentences(text)
    assert [s.text for s in ss] == ["The servers had no ntpd running, which let their clock drift by minutes."]
    assert ss[0].line == 1
    assert causes_read(text) == ["clock-skew"]


def test_a_paste_larger_than_max_text_is_not_read() -> None:
    text = "The clock was 10 minutes behind and S3 said 403.\n" + "x" * MAX_TEXT
    assert causes_read(text) == []


def test_a_reading_is_a_warning_with_its_sentence_redacted_and_cut() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    text = (f"Our clock was 6 minutes slow when we signed with aws_secret_access_key={secret} and got 403 "
            + "again and again " * 20 + ".")
    [hit] = prose_hits(text, lambda s: s.replace(secret, "‹redacted›"))
    assert hit.cause == "clock-skew"
    assert hit.status is Status.WARN
    assert secret not in hit.message and "‹redacted›" in hit.message
    assert "…" in hit.message  # the sentence is cut
    assert hit.fix == ["Settle it: `sigdoctor run --only clock`"]
    assert hit.extra["prose"] == "clock-off"


def test_every_entry_names_a_cause_decode_emits_and_cites_a_source() -> None:
    data = parsed(errors_dir() / "prose11.toml")
    assert data["prose"]
    for raw in data["prose"]:
        assert raw["cause"] in CAUSES, raw["id"]
        assert raw["source"], raw["id"]
    # prose12.toml's vocabularies follow prose11.toml's mechanisms (tests/awserrors/test_prose12.py)
    assert [e.id for e in prose().entries[: len(data["prose"])]] == [raw["id"] for raw in data["prose"]]


def test_a_wrong_cause_or_missing_source_is_refused() -> None:
    base = {"id": "x", "cause": "clock-skew", "says": "s", "mechanism": ["a"], "symptom": ["b"], "needs": "n",
            "decide": "d", "source": ["doc"]}
    neg = [{"words": ["not"]}]
    assert load({"prose": [base], "negation": neg}, cause_ids()).entries[0].cause == "clock-skew"
    with pytest.raises(ProseDataError, match="not in checks/causes"):
        load({"prose": [{**base, "cause": "no-such-cause"}], "negation": neg}, cause_ids())
    with pytest.raises(ProseDataError, match="source"):
        load({"prose": [{**base, "source": []}], "negation": neg}, cause_ids())
    with pytest.raises(ProseDataError, match="mechanism"):
        load({"prose": [{**base, "mechanism": []}], "negation": neg}, cause_ids())
