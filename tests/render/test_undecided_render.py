"""Pass 14: a text that cannot decide between causes is shown as one problem with ranked candidates — in the text
report, the Markdown report and the JSON document alike — never as errors or as several problems."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from bench.corpus import _Capture
from sigdoctor.causes import diagnose, load_rules
from sigdoctor.cli import main
from sigdoctor.context import Context
from sigdoctor.decode import decode_report
from sigdoctor.model import Finding, ProbeResult, Report, Status
from sigdoctor.render.json import report_to_dict
from sigdoctor.render.markdown import render_markdown
from sigdoctor.render.summary import summary_line, top_lines
from sigdoctor.render.text import render_text

# botocore's words for a bare SignatureDoesNotMatch: neither canonical request is there.
BARE_SIGNATURE = ("botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the "
                  "PutObject operation: The request signature we calculated does not match the signature you "
                  "provided. Check your key and signing method.\n")
# A denial that names the action and the caller decides: an error.
NAMED_DENIAL = ("An error occurred (AccessDeniedException) when calling the PutLogEvents operation: User: "
                "arn:aws:sts::123456789012:assumed-role/agent/i-0abc is not authorized to perform: logs:PutLogEvents "
                "on resource: arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x\n")
# A bare HEAD 403 (boto's S3ResponseError: no body) and an unknown key that shows no key id: two problems.
TWO_UNDECIDED = ("S3ResponseError: 403 Forbidden\n\n"
                 "An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key "
                 "Id you provided does not exist in our records.\n")
SIGNATURE_CANDIDATES = ["secret-key-mismatch", "canonicalization-mismatch", "request-modified-after-signing"]


def _decode(text: str) -> Report:
    return decode_report(io.BytesIO(text.encode()), client=None, ctx=Context(env={}))


def _text(text: str) -> str:
    return render_text(_decode(text), color=False, verbose=False, width=200)


def test_text_report_shows_one_problem_with_ranked_candidates() -> None:
    out = _text(BARE_SIGNATURE)
    # The probe's header does not say "Errors" where the text decides none.
    assert "[!] AWS errors in the pasted input (their cause undecided) — " in out
    assert "Errors in the pasted input —" not in out
    assert "1. The text cannot decide between 3 causes (most likely first)" in out
    assert "Why: AWS's answer does not show which part of the request differs" in out
    # Each candidate is worded as a possibility, from its cause file.
    assert "a. [warning] secret-key-mismatch — " in out and "b. [warning] canonicalization-mismatch — " in out
    assert "If AWS computed the same request the client signed, the signatures differ only because" in out
    assert "AWS computed the same request the client signed, yet the signatures differ" not in out
    # One command decides, said once for the group.
    assert out.count("Settle it:") == 1
    assert "Found 1 problem the text cannot decide (3 candidates) in 1 of 1 area." in out
    assert "3 warnings" not in out


def test_first_candidate_evidence_says_the_reason_once() -> None:
    out = _text(BARE_SIGNATURE)
    assert "Most likely" not in out
    assert out.count("does not show which part of the request differs") == 1
    # The rivals' readings without their "Or:" lead.
    assert "• The client encodes the path, query or a header differently from AWS" in out


def test_json_marks_each_candidate_undecided_with_its_group() -> None:
    doc = report_to_dict(_decode(BARE_SIGNATURE))
    causes = doc["root_causes"]
    assert [c["id"] for c in causes] == SIGNATURE_CANDIDATES  # the order is unchanged
    for rank, c in enumerate(causes, start=1):
        assert c["decided"] is False and c["severity"] == "warning"
        assert c["undecided"]["group"] == 1 and c["undecided"]["rank"] == rank
        assert c["undecided"]["candidates"] == SIGNATURE_CANDIDATES
        assert c["undecided"]["settle"].startswith("Settle it: pass the client's canonical request with --client")
        assert c["possible"].startswith("If ")
        assert c["summary"] and c["evidence"] and c["fix"]  # every field of before is kept
    assert doc["probes"][0]["title"] == "AWS errors in the pasted input (their cause undecided)"


def test_a_decided_error_reads_as_before() -> None:
    report = _decode(NAMED_DENIAL)
    doc = report_to_dict(report)
    assert doc["root_causes"][0]["id"] == "permission-missing" and doc["root_causes"][0]["decided"] is True
    assert "undecided" not in doc["root_causes"][0] and "possible" not in doc["root_causes"][0]
    assert doc["probes"][0]["title"] == "Errors in the pasted input"
    out = _text(NAMED_DENIAL)
    assert "The text cannot decide between" not in out and "(their cause undecided)" not in out
    assert summary_line(report).startswith("Found ") and "(1 error, " in summary_line(report)
    assert "cannot decide" not in summary_line(report)


def test_two_problems_the_text_cannot_decide_are_counted_as_two() -> None:
    report = _decode(TWO_UNDECIDED)
    line = summary_line(report)
    assert line.startswith("Found 2 problems the text cannot decide (")
    assert len(top_lines(report)) == 2
    assert all("the text cannot decide between" in x for x in top_lines(report))
    out = _text(TWO_UNDECIDED)
    assert out.count("The text cannot decide between") == 2
    assert "\n2. The text cannot decide between" in out


def test_markdown_report_shows_the_group() -> None:
    md = render_markdown(_decode(BARE_SIGNATURE))
    assert "**Found 1 problem the text cannot decide (3 candidates) in 1 of 1 area.**" in md
    assert "1. **The text cannot decide between 3 causes (most likely first)**" in md
    assert "   1. **[warning] `secret-key-mismatch`** — " in md
    assert "   3. **[warning] `request-modified-after-signing`** — " in md
    causes = md.split("## Root causes", 1)[1].split("## Probes", 1)[0]
    assert causes.count("Settle it:") == 1
    assert "      If AWS computed the same request the client signed" in md
    assert "| AWS errors in the pasted input (their cause undecided) (`decode`) |" in md


def test_cli_exit_code_and_short_summary_unchanged_in_kind(tmp_path: Path) -> None:
    paste = tmp_path / "paste.txt"
    paste.write_text(BARE_SIGNATURE)
    out, err = _Capture(), _Capture()  # stdout the CLI may close
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["decode", str(paste), "--output", str(tmp_path / "r.json")])
    assert code == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == ("1. [warning] the text cannot decide between secret-key-mismatch, canonicalization-mismatch, "
                        "request-modified-after-signing (most likely first)")
    assert lines[1] == "Found 1 problem the text cannot decide (3 candidates) in 1 of 1 area."
    assert json.loads((tmp_path / "r.json").read_text())["root_causes"][0]["decided"] is False


def test_a_rival_goes_to_the_first_candidate_it_is_named_for() -> None:
    # One record with two first candidates (a denial naming nothing, and an empty credential chain): a rival that says
    # whose it is (candidate_of) goes to that one's group, a rival that does not to the first group of its record.
    at = {"lines": [1]}
    found = (
        Finding("decode.permission-missing", Status.WARN, "The text cannot decide; most likely permission-missing: x",
                {**at, "undecided": "no action named", "cannot_decide": "no action named"}),
        Finding("decode.no-credentials", Status.WARN, "The text cannot decide; most likely no-credentials: y",
                {**at, "cannot_decide": "the chain names no source"}),
        Finding("decode.explicit-deny", Status.WARN, "Or: z", {**at, "candidate_rank": 1}),
        Finding("decode.imds-unreachable", Status.WARN, "Or imds-unreachable, if w — the text alone cannot tell",
                {**at, "candidate_of": "no-credentials", "candidate_rank": 2}),
    )
    causes = diagnose([ProbeResult("decode", "decode", Status.WARN, "", 0, findings=found)], load_rules())
    # Each group in one place (session 15): its candidates right after its first.
    assert [(c.id, c.group) for c in causes] == [("permission-missing", 1), ("explicit-deny", 1),
                                                 ("no-credentials", 2), ("imds-unreachable", 2)]
    assert causes[3].why == "the chain names no source" and not causes[3].decided
    report = Report("decode", "", 0, {}, (), causes)
    out = render_text(report, color=False, verbose=False, width=200)
    assert out.index("a. [warning] no-credentials") < out.index("b. [warning] imds-unreachable")
    assert "Found 2 problems the text cannot decide (4 candidates)" in out


def test_settle_command_wraps_under_itself_on_a_narrow_terminal() -> None:
    out = render_text(_decode(BARE_SIGNATURE), color=False, verbose=False, width=80).splitlines()
    at = next(i for i, line in enumerate(out) if line.lstrip().startswith("Settle it: "))
    column = out[at].index("Settle it: ") + len("Settle it: ")
    # The long command goes on over the next lines aligned with its own start, not back under the label.
    assert out[at + 1].startswith(" " * column) and out[at + 1][column] != " "


# An invalid token (undecided: an unknown key, a temporary key without its token, …) and SQS's missing queue (a cause of
# its own, ranked between the token's candidates before session 15).
TOKEN_AND_QUEUE = (
    "2023-05-10T08:14:29.122Z\tERROR\tcontroller.pricing\tUnrecognizedClientException: The security token included "
    "in the request is invalid\n\tstatus code: 400, request id: 03a62497-ec30-41c7-901f-53a282794d13\n"
    "2023-05-10T08:14:30.122Z\tERROR\tcontroller.interruption\tgetting messages from queue, "
    "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist for this wsdl version.\n"
    "\tstatus code: 400, request id: c2eadd1f-d7cf-51b3-84ea-81ca836a1da4\n")


def test_the_json_lists_a_group_in_one_place_as_the_text_report_shows_it() -> None:
    report = _decode(TOKEN_AND_QUEUE)
    ids = [c.id for c in report.root_causes]
    groups = [c.group for c in report.root_causes]
    assert ids[0] == "access-key-invalid" and groups[0] == 1
    assert "target-not-found" in ids
    # The group's candidates follow its first one; the decided cause comes after the whole group.
    first_other = groups.index(0)
    assert all(g == 1 for g in groups[:first_other]) and 1 not in groups[first_other:]
    doc = report_to_dict(report)
    assert [c["id"] for c in doc["root_causes"]] == ids
    text = render_text(report, color=False, verbose=False, width=200)
    shown = [text.index(f"] {i} — ") for i in ids]
    assert shown == sorted(shown)
