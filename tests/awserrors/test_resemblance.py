"""A paste no rule reads is compared by its words with the labelled corpus (awserrors/resemblance.py).

The texts here are written for the tests (none is a corpus text): a ticket that only tells its story, a healthy log,
an error of something that is not AWS. The comparison speaks only where nothing else did, always as an undecided
group of warnings that says it is a resemblance, and never for a log without a failure or without AWS in it.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import CORPUS, _Capture, batches, corpus_model_data, load_index
from sigdoctor.awserrors import resemblance
from sigdoctor.cli import main
from sigdoctor.decode.probe import TITLE_RESEMBLANCE
from sigdoctor.model import Severity
from tests.corpus.test_corpus import unredacted_secrets
from tests.decode.conftest import decode_text, findings, text_causes

REPO = Path(__file__).resolve().parents[2]

# A support ticket in the reporter's words: no AWS answer, no SDK message, no sentence a rule reads.
INSTANCE_ROLE = (
    "The CloudWatch agent stops right after it starts on a fresh EC2 instance.\n"
    "Once I attached an IAM role to the instance it kept running, so I think the agent needed the role.\n")


def _json_report(text: str, tmp_path: Path) -> tuple[int, dict[str, object]]:
    path = tmp_path / "paste.txt"
    path.write_text(text)
    out = _Capture()  # stdout the CLI may close
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(_Capture()):
        code = main(["decode", "--format", "json", str(path)])
    return code, json.loads(out.getvalue())


def test_a_ticket_told_in_words_gets_the_causes_it_resembles_as_one_undecided_group(tmp_path: Path) -> None:
    causes = text_causes(INSTANCE_ROLE)
    assert causes[0] == ("imds-no-role", Severity.WARNING)
    assert len(causes) == resemblance.CANDIDATES
    assert all(sev is Severity.WARNING for _, sev in causes)
    head = next(f for f in findings(decode_text(INSTANCE_ROLE)) if f.id == "decode.imds-no-role")
    assert "a resemblance, not a reading" in head.message
    assert "“instance”" in head.message and "“role”" in head.message
    assert decode_text(INSTANCE_ROLE).probes[0].title == TITLE_RESEMBLANCE
    code, report = _json_report(INSTANCE_ROLE, tmp_path)
    assert code == 0  # a resemblance is no error
    first = report["root_causes"][0]  # type: ignore[index]
    assert first["id"] == "imds-no-role" and first["decided"] is False
    assert first["undecided"]["group"] == 1
    assert first["undecided"]["settle"].startswith("Text alone cannot decide: run `sigdoctor run`")
    assert "labelled texts from public issue threads" in first["undecided"]["why"]


def test_a_persons_sentence_about_aws_is_compared_without_a_failure_word() -> None:
    # A ticket's sentence is about what went wrong even when it names no failure; a log's own lines are not sentences.
    text = "Our collector on EKS signs with the node's instance profile instead of the IRSA role we annotated.\n"
    assert not resemblance._FAILURE_RE.search(text)
    causes = text_causes(text)
    assert len(causes) == resemblance.CANDIDATES and all(sev is Severity.WARNING for _, sev in causes)


@pytest.mark.parametrize(("name", "text"), [
    ("healthy agent log", "ts=2026-12-08T01:00:00Z level=info msg=\"Done replaying WAL\" component=remote "
                          "url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\n"
                          "ts=2026-12-08T01:00:05Z level=info msg=\"Starting WAL watcher\" queue=aws-amp\n"),
    ("a failure of something else", "npm ERR! network timeout at: https://registry.npmjs.org/left-pad\n"
                                    "npm ERR! A complete log of this run can be found in: /root/.npm/_logs\n"),
    ("too few words", "aws error\n"),
])
def test_no_resemblance_without_a_failure_and_aws_and_enough_words(name: str, text: str) -> None:
    assert text_causes(text) == []


def test_a_text_a_rule_reads_is_never_compared() -> None:
    text = ("Error: SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method.\n"
            "The agent stopped after I attached a new IAM role to the EC2 instance.\n")
    read = findings(decode_text(text))
    assert any(f.id == "decode.secret-key-mismatch" for f in read)
    assert not any("resemblance" in f.evidence or "resemble" in f.message for f in read)


def test_a_large_input_is_not_compared() -> None:
    big = INSTANCE_ROLE + "ts=2026-12-08T01:00:00Z level=info msg=\"queue ok\"\n" * 1500
    assert len(big) > resemblance.MAX_TEXT
    assert text_causes(big) == []


def test_the_shipped_model_is_the_corpus_built_afresh() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "train-resemblance"), "--check"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    shipped = resemblance.model()
    assert shipped.batches == tuple(b.name for b in batches())
    assert shipped.texts == sum(len(load_index(b)) for b in batches())


def test_a_batch_is_scored_with_a_model_that_never_saw_it() -> None:
    held = corpus_model_data(exclude=("batch3",))
    assert "batch3" not in held["batches"]
    assert sum(held["texts"]) == resemblance.model().texts - len(load_index(CORPUS / "batch3"))


def test_no_word_of_the_model_has_a_secret_shape() -> None:
    found = [f for word in resemblance.model().lift for form in (word, word.upper()) for f in unredacted_secrets(form)]
    assert not found


@pytest.mark.parametrize("data", [
    {},
    {"labels": ["a"], "texts": [1, 2], "alpha": 1.0, "words": {}},
    {"labels": ["a"], "texts": [1], "alpha": 0, "words": {}},
    {"labels": ["a"], "texts": [1], "alpha": 1.0, "words": {"x": {"7": 1}}},
])
def test_a_malformed_model_is_refused_with_its_name(data: dict[str, object]) -> None:
    with pytest.raises(resemblance.ResemblanceDataError, match=r"resemblance\.json"):
        resemblance.load(data)
